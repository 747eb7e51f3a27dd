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
//
// The clients run with their default revocation settings except that the slow re-check at the
// list's TTL is off: Dave can only be caught by the short conditional poll of foreign home
// networks (CallClientOptions::foreignRevocationRecheckMs), and B keeps its default status-list
// TTL (300 s): its list names the revocation at once, not at its next scheduled publication.
// B's status route answers that poll with 304 and no body while its list is unchanged, and with
// the new list (a new entity tag) right after the revocation. The time from the revocation to
// the flag is printed, not asserted.
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSslCertificate>
#include <QSslConfiguration>
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

namespace {

struct StatusGet {
    int status = 0;
    QByteArray etag;
    qsizetype bodyBytes = -1;
};

// GET /v1/status of `server` over TLS, conditional when `ifNoneMatch` is set.
StatusGet getStatus(const HomenetServer& server, const QByteArray& ifNoneMatch = {}) {
    QNetworkAccessManager nam;
    QNetworkRequest request(QUrl(server.url() + QStringLiteral("/v1/status")));
    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    tls.setCaCertificates(QSslCertificate::fromData(server.tlsCaPem().toUtf8(), QSsl::Pem));
    request.setSslConfiguration(tls);
    request.setRawHeader("Accept", "application/octet-stream");
    if (!ifNoneMatch.isEmpty())
        request.setRawHeader("If-None-Match", ifNoneMatch);
    QNetworkReply* reply = nam.get(request);
    static_cast<void>(QTest::qWaitFor([&] { return reply->isFinished(); }, 30000));
    StatusGet out;
    out.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    out.etag = reply->rawHeader("ETag");
    out.bodyBytes = reply->readAll().size();
    delete reply;
    return out;
}

} // namespace

class CallTwoOperatorsTest : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() { qRegisterMetaType<AnimationFrame>(); }

    void threeClientsTwoOperatorsThenRevokedMidCall() {
        // Operator B, with its default status-list TTL; its requests logged (debug) to count
        // the polls it answered with 304.
        HomenetServer b;
        QVERIFY(b.start({QStringLiteral("--rate-limit"), QStringLiteral("0"), QStringLiteral("--log-level"),
                         QStringLiteral("debug")}));
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

        // No re-check at the TTL: only the room host's notice and the foreign poll (default).
        const CallClientOptions defaults;
        QVERIFY(defaults.foreignRevocationRecheckMs > 0 && defaults.foreignRevocationRecheckMs <= 2000);
        CallClient alice(clientOptions(a, "alice"), *aliceDevice->builder, *aliceDevice->verifier);
        CallClient bob(clientOptions(a, "bob"), *bobDevice->builder, *bobDevice->verifier);
        CallClient dave(clientOptions(a, "dave"), *daveDevice->builder, *daveDevice->verifier);
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
        QSignalSpy aliceErrors(&alice, &CallClient::protocolError);

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

        // Alice polls B's list while Dave is Verified; every poll is answered (B's 304s
        // confirm the list she holds), none fails.
        const int rechecksBefore = aliceDevice->verifier->revocationRechecks();
        QTRY_VERIFY_WITH_TIMEOUT(aliceDevice->verifier->revocationRechecks() >= rechecksBefore + 2, 60000);
        for (const auto& e : aliceErrors)
            QVERIFY2(e.at(0).toString() != QLatin1String("revocation-unchecked"), qPrintable(e.at(1).toString()));

        // B's status route: an unchanged list costs a 304 without a body.
        const StatusGet before = getStatus(b);
        QCOMPARE(before.status, 200);
        QVERIFY(!before.etag.isEmpty());
        const StatusGet unchanged = getStatus(b, before.etag);
        QCOMPARE(unchanged.status, 304);
        QCOMPARE(unchanged.bodyBytes, 0);

        // B revokes Dave's credential mid-call.
        const std::uint64_t epochBefore = alice.frameEpoch();
        QElapsedTimer sinceRevocation;
        qint64 aliceFlaggedMs = -1, bobFlaggedMs = -1, revokedAfterMs = -1;
        connect(&alice, &CallClient::peerRevoked, this, [&](quint32 id) {
            if (id == daveId && aliceFlaggedMs < 0)
                aliceFlaggedMs = sinceRevocation.elapsed();
        });
        connect(&bob, &CallClient::peerRevoked, this, [&](quint32 id) {
            if (id == daveId && bobFlaggedMs < 0)
                bobFlaggedMs = sinceRevocation.elapsed();
        });
        sinceRevocation.start();
        REQUIRE_OK(await<netclient::DtRecord>([&](auto cb) {
            daveDevice->subscriber->client->revoke(daveDevice->dtId, "device lost", std::move(cb));
        }));
        revokedAfterMs = sinceRevocation.elapsed();
        // B publishes the list that names it at once (its TTL is 300 s).
        const StatusGet after = getStatus(b, before.etag);
        QCOMPARE(after.status, 200);
        QVERIFY(after.etag != before.etag);
        const QString failed = QString::fromUtf8(security::overallStateName(OverallState::Failed).data());
        const QString revoked = codeName(security::ErrorCode::CredentialRevoked);
        QTRY_VERIFY_WITH_TIMEOUT(aliceRevoked.contains({QVariant::fromValue(quint32(daveId))}), 60000);
        QTRY_VERIFY_WITH_TIMEOUT(bobRevoked.contains({QVariant::fromValue(quint32(daveId))}), 60000);
        qInfo("foreign participant revoked at B (request answered after %lld ms): flagged at Alice after %lld ms, "
              "at Bob after %lld ms (poll every %d ms)",
              static_cast<long long>(revokedAfterMs), static_cast<long long>(aliceFlaggedMs),
              static_cast<long long>(bobFlaggedMs), defaults.foreignRevocationRecheckMs);
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

        // The clients' polls of B were conditional: B answered them with 304 and no body while
        // its list was unchanged (one 304 above was this test's own request).
        QCOMPARE(b.stop(), 0);
        int notModified = 0;
        for (const QByteArray& line : b.log().split('\n')) {
            const QJsonObject o = QJsonDocument::fromJson(line).object();
            if (o.value(QStringLiteral("path")).toString() == QLatin1String("/v1/status") &&
                o.value(QStringLiteral("status")).toInt() == 304)
                ++notModified;
        }
        qInfo("B answered %d status-list polls with 304 Not Modified", notModified);
        QVERIFY(notModified >= 3);
    }
};

} // namespace twinseal::test::calls

using twinseal::test::calls::CallTwoOperatorsTest;
TWINSEAL_TEST(CallTwoOperatorsTest, "call-two-operators")
#include "test_call_two_operators.moc"
