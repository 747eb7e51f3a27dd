// Three participants, two operators, every one a CallClient: operator A's twinseal-homenet hosts
// the room, Alice and Bob are its subscribers; Dave is a subscriber of operator B (another
// twinseal-homenet on loopback), admitted by A because A trusts B's root. Alice and Bob verify
// Dave against B's root (their trust list), B's signed status list and B's transparency log,
// fetched from B's home network (their HomeNetworkDirectory); Dave verifies them against A's.
// Everyone is Verified and keyed, and frames flow; a device of A that does not know B's home
// network does not find Dave Verified, and its report names the unknown home network. Then B revokes Dave's credential mid-call:
// A's room host cannot know (Dave is not its subscriber), Alice's and Bob's clients find it in
// B's status list, flag Dave (credential-revoked), withdraw his key and re-key without him:
// his later frames are refused and theirs no longer open for him.
#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <QtTest>

#include <algorithm>
#include <optional>

#include "../homenet/call_test_util.h"
#include "../homenet/homenet_fixture.h"
#include "call_device.h"
#include "test_macros.h"
#include "testmain.h"

#include <twinseal/calls/call_client.h>
#include <twinseal/netclient/service_client.h>

namespace twinseal::test::calls {

using namespace twinseal::calls;
using security::OverallState;

class CallTwoOperatorsTest : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() { qRegisterMetaType<AnimationFrame>(); }

    void threeClientsTwoOperatorsThenRevokedMidCall() {
        // Operator B, whose status list verifiers re-fetch after 2 s.
        HomenetServer b;
        const QString bConfig = b.scratch(QStringLiteral("operator-b.ini"));
        {
            QFile f(bConfig);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("[service]\nstatus-list-ttl=2\n");
        }
        QVERIFY(b.start({QStringLiteral("--config"), bConfig, QStringLiteral("--rate-limit"), QStringLiteral("0")}));
        const security::UsimProfileData bHome = addTestSubscriber(b, QStringLiteral("b-probe.usim"), 9).profile;
        // Operator A trusts B's root for admission to its rooms.
        HomenetServer a;
        const QString bRoot = a.scratch(QStringLiteral("operator-b-root.pem"));
        {
            QFile f(bRoot);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(QByteArray::fromStdString(bHome.trustListPem));
        }
        QVERIFY(a.start({QStringLiteral("--trust-root"), bRoot, QStringLiteral("--rate-limit"), QStringLiteral("0")}));
        const security::UsimProfileData aHome = addTestSubscriber(a, QStringLiteral("a-probe.usim"), 9).profile;
        QVERIFY(aHome.serviceUrl != bHome.serviceUrl);

        auto aliceDevice = makeDevice(a, QStringLiteral("alice"), 1, {bHome});
        auto bobDevice = makeDevice(a, QStringLiteral("bob"), 2, {bHome});
        auto daveDevice = makeDevice(b, QStringLiteral("dave"), 4, {aHome});
        QVERIFY(aliceDevice && bobDevice && daveDevice);

        CallClient alice(clientOptions(a, "alice", 250), *aliceDevice->builder, *aliceDevice->verifier);
        CallClient bob(clientOptions(a, "bob", 250), *bobDevice->builder, *bobDevice->verifier);
        CallClient dave(clientOptions(a, "dave", 250), *daveDevice->builder, *daveDevice->verifier);
        QSignalSpy created(&alice, &CallClient::roomCreated);
        QSignalSpy aliceReports(&alice, &CallClient::peerReport);
        QSignalSpy bobReports(&bob, &CallClient::peerReport);
        QSignalSpy daveReports(&dave, &CallClient::peerReport);
        QSignalSpy aliceAnimations(&alice, &CallClient::animationReceived);
        QSignalSpy bobAnimations(&bob, &CallClient::animationReceived);
        QSignalSpy daveAnimations(&dave, &CallClient::animationReceived);
        QSignalSpy aliceRefusals(&alice, &CallClient::frameRefused);
        QSignalSpy daveRefusals(&dave, &CallClient::frameRefused);
        QSignalSpy aliceRevoked(&alice, &CallClient::peerRevoked);
        QSignalSpy bobRevoked(&bob, &CallClient::peerRevoked);
        QSignalSpy bobInstalled(&bob, &CallClient::peerKeyInstalled);

        alice.connectToHost();
        bob.connectToHost();
        dave.connectToHost();
        QTRY_VERIFY_WITH_TIMEOUT(alice.connected() && bob.connected() && dave.connected(), 30000);
        alice.create(policyOf(proto::ROOM_CODE));
        QTRY_COMPARE_WITH_TIMEOUT(created.size(), 1, 30000);
        const std::string roomId = created.at(0).at(0).toString().toStdString();
        const std::string roomUri = created.at(0).at(1).toString().toStdString();
        const std::string code = created.at(0).at(2).toString().toStdString();
        QTRY_VERIFY_WITH_TIMEOUT(alice.state() == CallState::InCall, 30000);
        bob.join(roomId, roomUri, code);
        QTRY_VERIFY_WITH_TIMEOUT(bob.state() == CallState::InCall, 60000);
        dave.join(roomId, roomUri, code);
        QTRY_VERIFY_WITH_TIMEOUT(dave.state() == CallState::InCall, 60000);
        const std::uint32_t aliceId = alice.setup().participantId();
        const std::uint32_t bobId = bob.setup().participantId();
        const std::uint32_t daveId = dave.setup().participantId();

        // All Verified, across the two operators, and keyed.
        QTRY_VERIFY2_WITH_TIMEOUT(reportedVerified(aliceReports, bobId) && reportedVerified(aliceReports, daveId),
                                  qPrintable(dumpReports(aliceReports)), 60000);
        QTRY_VERIFY2_WITH_TIMEOUT(reportedVerified(bobReports, aliceId) && reportedVerified(bobReports, daveId),
                                  qPrintable(dumpReports(bobReports)), 60000);
        QTRY_VERIFY2_WITH_TIMEOUT(reportedVerified(daveReports, aliceId) && reportedVerified(daveReports, bobId),
                                  qPrintable(dumpReports(daveReports)), 60000);
        // Dave's report at Alice's: his status came from B's list, his log inclusion from B's log.
        const PeerOutcome* daveAtAlice = alice.outcome(daveId);
        QVERIFY(daveAtAlice != nullptr);
        QCOMPARE(daveAtAlice->report.state, OverallState::Verified);
        QVERIFY(!daveAtAlice->mediaDirectory.isEmpty());
        // What made Dave Verified is B's home network: a device of A that trusts B's root but
        // does not know B's home network (no directory entry: no status list, no log proof, no
        // media) does not find him Verified, and says why; Alice and Bob, who know it, did.
        {
            const proto::Evidence daveEvidence = alice.setup().peers().at(daveId).participant.evidence();
            auto carolDevice = makeDevice(a, QStringLiteral("carol"), 3, {bHome});
            QVERIFY(carolDevice);
            auto stores = storesOf(*carolDevice->store, carolDevice->subscriber->profile.trustListPem);
            REQUIRE_OK(stores);
            PeerVerifierConfig blind;
            blind.stores = std::move(*stores);
            blind.homeNetworks.add(HomeNetworkEntry::fromProfile(aHome));
            blind.cacheDir = a.scratch(QStringLiteral("carol-blind-cache"));
            PeerEvidenceVerifier blindVerifier(blind);
            const auto verifyWith = [&](PeerEvidenceVerifier& v) {
                std::optional<security::Result<PeerOutcome>> outcome;
                v.verify(daveEvidence, roomUri, [&](security::Result<PeerOutcome> r) { outcome.emplace(std::move(r)); });
                static_cast<void>(QTest::qWaitFor([&] { return outcome.has_value(); }, 60000));
                return outcome;
            };
            auto unknownHome = verifyWith(blindVerifier);
            QVERIFY(unknownHome && unknownHome->ok());
            const security::VerificationReport& report = (*unknownHome)->report;
            QVERIFY2(report.state == OverallState::Failed, report.summary().c_str());
            QCOMPARE(report.reason, security::ErrorCode::MediaMissingFile);
            QVERIFY2(report.summary().find("not known to this device") != std::string::npos, report.summary().c_str());
            QVERIFY((*unknownHome)->ephemeralKey.empty());
        }
        QTRY_VERIFY_WITH_TIMEOUT(alice.hasPeerFrameKey(bobId) && alice.hasPeerFrameKey(daveId) &&
                                     bob.hasPeerFrameKey(aliceId) && bob.hasPeerFrameKey(daveId) &&
                                     dave.hasPeerFrameKey(aliceId) && dave.hasPeerFrameKey(bobId),
                                 60000);

        // Frames flow every way.
        QVERIFY(alice.sendAnimation(pose(1.f)).ok());
        QVERIFY(bob.sendAnimation(pose(2.f)).ok());
        QVERIFY(dave.sendAnimation(pose(3.f)).ok());
        QTRY_VERIFY_WITH_TIMEOUT(received(aliceAnimations, bobId, pose(2.f)) &&
                                     received(aliceAnimations, daveId, pose(3.f)),
                                 30000);
        QTRY_VERIFY_WITH_TIMEOUT(received(bobAnimations, aliceId, pose(1.f)) &&
                                     received(bobAnimations, daveId, pose(3.f)),
                                 30000);
        QTRY_VERIFY_WITH_TIMEOUT(received(daveAnimations, aliceId, pose(1.f)) &&
                                     received(daveAnimations, bobId, pose(2.f)),
                                 30000);

        // B revokes Dave's credential mid-call.
        const std::uint64_t epochBefore = alice.frameEpoch();
        REQUIRE_OK(await<netclient::DtRecord>([&](auto cb) {
            daveDevice->subscriber->client->revoke(daveDevice->dtId, "device lost", std::move(cb));
        }));
        const QString failed = QString::fromUtf8(security::overallStateName(OverallState::Failed).data());
        const QString revoked = codeName(security::ErrorCode::CredentialRevoked);
        QTRY_VERIFY_WITH_TIMEOUT(aliceRevoked.contains({QVariant::fromValue(quint32(daveId))}), 30000);
        QTRY_VERIFY_WITH_TIMEOUT(bobRevoked.contains({QVariant::fromValue(quint32(daveId))}), 30000);
        QVERIFY2(reportedWith(aliceReports, daveId, failed, revoked), qPrintable(dumpReports(aliceReports)));
        QVERIFY2(reportedWith(bobReports, daveId, failed, revoked), qPrintable(dumpReports(bobReports)));
        QVERIFY(alice.outcome(daveId) == nullptr || alice.outcome(daveId)->report.state == OverallState::Failed);
        QVERIFY(!alice.hasPeerFrameKey(daveId));
        QVERIFY(!bob.hasPeerFrameKey(daveId));
        QTRY_VERIFY_WITH_TIMEOUT(alice.frameEpoch() > epochBefore, 30000);
        QTRY_VERIFY_WITH_TIMEOUT(bob.hasPeerFrameKey(aliceId), 30000);

        // Dave's frames are refused; Alice's next frame reaches Bob and does not open for Dave.
        aliceRefusals.clear();
        QVERIFY(dave.sendAnimation(pose(4.f)).ok());
        QTRY_VERIFY_WITH_TIMEOUT(std::any_of(aliceRefusals.begin(), aliceRefusals.end(), [&](const QList<QVariant>& r) {
            return r.at(0).toUInt() == daveId;
        }), 30000);
        QVERIFY(!received(aliceAnimations, daveId, pose(4.f)));
        QTRY_VERIFY_WITH_TIMEOUT(bob.hasPeerFrameKey(aliceId) &&
                                     std::any_of(bobInstalled.begin(), bobInstalled.end(), [&](const QList<QVariant>& k) {
                                         return k.at(0).toUInt() == aliceId && k.at(1).toULongLong() == alice.frameEpoch();
                                     }) ,
                                 30000);
        daveRefusals.clear();
        QVERIFY(alice.sendAnimation(pose(5.f)).ok());
        QTRY_VERIFY_WITH_TIMEOUT(received(bobAnimations, aliceId, pose(5.f)), 30000);
        QTRY_VERIFY_WITH_TIMEOUT(std::any_of(daveRefusals.begin(), daveRefusals.end(), [&](const QList<QVariant>& r) {
            return r.at(0).toUInt() == aliceId;
        }), 30000);
        QVERIFY(!received(daveAnimations, aliceId, pose(5.f)));

        alice.leave();
        bob.leave();
        dave.leave();
    }
};

} // namespace twinseal::test::calls

using twinseal::test::calls::CallTwoOperatorsTest;
TWINSEAL_TEST(CallTwoOperatorsTest, "call-two-operators")
#include "test_call_two_operators.moc"
