// TwinSession against the real twinseal-homenet on loopback over TLS: register a twin, read its
// status, verify it as a peer end to end (evidence fetched from the home network), the address
// as one source of truth, and the holder key's lock.
#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <vector>

#include <twinseal/security/assertion.h>
#include <twinseal/security/statuslist.h>
#include <twinseal/security/subscriber.h>
#include <twinseal/twin/peer_verifier.h>
#include <twinseal/twin/tree_head_witness.h>
#include <twinseal/twin/twin_session.h>
#include <twinseal/twin/twin_store.h>

#include "homenet_fixture.h"
#include "testmain.h"

namespace {
namespace test_session {

using namespace twinseal;
using namespace twinseal::security;
using namespace twinseal::test;
using namespace twinseal::twin;

namespace {

constexpr const char* kRoom = "urn:twinseal:room:theatre-3";

void writeAll(const QString& file, ByteView data) {
    QFile f(file);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        qFatal("cannot write %s", qPrintable(file));
    f.write(reinterpret_cast<const char*>(data.data()), static_cast<qint64>(data.size()));
}

// The witness's decision on a verified tree head from the home network (proofs fetched there),
// through a witness that is gone before the proof arrives, as the client uses it.
netclient::ClientResult<TreeHeadWitness::Decision> witness(const TwinStore& store, TwinSession& s,
                                                           const SignedTreeHead& head) {
    return await<TreeHeadWitness::Decision>(
        [&](auto cb) { store.treeHeadWitness().check(s, head, std::move(cb)); });
}

std::uint64_t keptSize(const TwinStore& store, const UsimProfileData& profile) {
    auto kept = store.treeHeadWitness().kept(profile.logKey);
    return kept.ok() && *kept ? (*kept)->head.treeSize : 0;
}

PeerEvidence fetchEvidence(TwinSession& s, const Credential& c) {
    std::optional<PeerEvidence> evidence;
    QEventLoop loop;
    s.fetchPeerEvidence(c, [&](PeerEvidence e) {
        evidence = std::move(e);
        loop.quit();
    });
    if (!evidence)
        loop.exec();
    return std::move(*evidence);
}

} // namespace

class SessionTest : public QObject {
    Q_OBJECT

private slots:
    void registerStatusAndVerifyAPeer() {
        HomenetServer server;
        QVERIFY(server.start());
        QTemporaryDir dir;
        TwinStore store(dir.filePath("data"));
        QDir().mkpath(store.dataDir());
        auto profile = server.addSubscriber("imsi-001010000000031", store.path(layout::kProfile));
        QVERIFY(profile.has_value());
        auto opened = TwinSession::open(store);
        QVERIFY(opened.ok());
        TwinSession& session = **opened;
        QCOMPARE(session.address(), QString::fromStdString(profile->serviceUrl));

        // Locked: nothing is signed.
        const QString package = avatarCopy(dir.filePath("avatar"));
        auto key = SigningKey::generate(KeyAlgorithm::Ed25519);
        QVERIFY(key.ok());
        const Bytes manifest = signedManifest(package, *key);
        auto refused = await<netclient::Registration>(
            [&](auto cb) { session.registerTwin(manifest, std::move(cb)); });
        QVERIFY(!refused.ok());
        QCOMPARE(QString::fromStdString(refused.error().code), QStringLiteral("locked"));

        // Register.
        QSignalSpy lockedChanged(&session, &TwinSession::lockedChanged);
        session.adoptKey(std::move(*key));
        QCOMPARE(lockedChanged.count(), 1);
        QVERIFY(session.unlocked());
        auto reg = await<netclient::Registration>(
            [&](auto cb) { session.registerTwin(manifest, std::move(cb)); });
        QVERIFY2(reg.ok(), reg.ok() ? "" : reg.error().describe().c_str());
        QVERIFY(store.storeCredential(reg->credentialBytes).ok());
        QVERIFY(store.write(layout::kManifest, ByteView(manifest)).ok());
        QVERIFY(store.credential()->claims.holderKey == session.holderKey()->publicKey());
        // The registration's tree head is the first one this twin keeps of its home network's log.
        auto firstHead = witness(store, session, reg->receipt.treeHead);
        QVERIFY2(firstHead.ok(), firstHead.ok() ? "" : firstHead.error().describe().c_str());
        QCOMPARE(*firstHead, TreeHeadWitness::Decision::First);
        QCOMPARE(keptSize(store, *profile), reg->receipt.treeHead.head.treeSize);

        // Status: the twin is in the home network's status list, not revoked.
        auto list = await<StatusList>(
            [&](auto cb) { session.client().fetchStatusList(std::move(cb)); });
        QVERIFY(list.ok());
        QVERIFY(StatusListRevocationChecker(*list).check(*store.credential(), SystemClock::instance().now()).ok());

        // A peer verifies this twin end to end: evidence fetched from its home network.
        const std::int64_t now = SystemClock::instance().now();
        auto claims = claimsForCall(*store.credential(), {kRoom}, Bytes(32, 5), now,
                                    SystemRandom::instance());
        QVERIFY(claims.ok());
        auto assertion = createAssertion(*claims, *session.holderKey());
        QVERIFY(assertion.ok());
        writeAll(dir.filePath("call.jws"), view(assertion->compact));
        PeerStores stores;
        stores.trust = *TrustList::fromPem(profile->trustListPem);
        stores.pinsFile = dir.filePath("peer/pins.txt");
        stores.replayFile = dir.filePath("peer/replay.txt");
        QDir().mkpath(dir.filePath("peer"));
        PeerPresentation peer;
        peer.assertionFile = dir.filePath("call.jws");
        peer.credentialFile = store.path(layout::kCredential);
        peer.manifestFile = store.path(layout::kManifest);
        peer.packagePath = package;
        peer.destination = kRoom;
        const PeerEvidence evidence = fetchEvidence(session, *store.credential());
        QVERIFY2(evidence.verifiedStatusList && evidence.verifiedReceipt,
                 (evidence.statusListUnavailable + evidence.inclusionUnavailable).c_str());
        std::optional<Result<VerificationReport>> report;
        QEventLoop loop;
        PeerVerifier(stores).verifyAsync(peer, evidence, now, this, [&](Result<VerificationReport> r) {
            report = std::move(r);
            loop.quit();
        });
        if (!report)
            loop.exec();
        QVERIFY(report->ok());
        QVERIFY2((*report)->state == OverallState::Verified, (*report)->toJson().c_str());
        for (CheckId id : {CheckId::Revocation, CheckId::LogInclusion, CheckId::Replay,
                           CheckId::MediaContent, CheckId::PinnedKey})
            QCOMPARE((*report)->find(id)->state, CheckState::Passed);
        auto pins = PinFile::load(stores.pinsFile);
        QVERIFY(pins.ok() && pins->pinned(store.credential()->claims.avatarId)); // first contact
        // The same assertion again: replayed.
        auto again = PeerVerifier(stores).verify(peer, evidence, now + 1);
        QVERIFY(again.ok());
        QCOMPARE(again->reason, ErrorCode::AssertionReplayed);

        // Operations on the twin: re-certify with changed media, rotate the pseudonym, offer the
        // twin by one-time code and withdraw the offer.
        const std::string dtId = store.credential()->claims.dtId;
        const QString changed = avatarCopy(dir.filePath("changed"), 1);
        const Bytes manifest2 = signedManifest(changed, *session.holderKey());
        auto recert = await<netclient::Registration>(
            [&](auto cb) { session.recertify(dtId, manifest2, std::move(cb)); });
        QVERIFY2(recert.ok(), recert.ok() ? "" : recert.error().describe().c_str());
        QCOMPARE(recert->credential.claims.dtId, dtId);
        QCOMPARE(recert->credential.claims.generation, 2u);
        QVERIFY(store.storeCredential(recert->credentialBytes).ok());
        QVERIFY(store.write(layout::kManifest, ByteView(manifest2)).ok());
        peer.packagePath = changed;
        const std::string before = store.credential()->claims.pseudonym;
        auto rotated = await<netclient::Registration>(
            [&](auto cb) { session.rotatePseudonym(dtId, manifest2, before, std::move(cb)); });
        QVERIFY2(rotated.ok(), rotated.ok() ? "" : rotated.error().describe().c_str());
        QVERIFY(rotated->credential.claims.pseudonym != before);
        QVERIFY(store.storeCredential(rotated->credentialBytes).ok());
        // The log grew (a re-certification, a rotation): the kept head advances only through the
        // consistency proof the home network gives and the witness verifies.
        const std::uint64_t registeredSize = reg->receipt.treeHead.head.treeSize;
        auto current = await<SignedTreeHead>([&](auto cb) { session.fetchTreeHead(std::move(cb)); });
        QVERIFY(current.ok());
        QVERIFY(current->head.treeSize > registeredSize);
        auto advanced = witness(store, session, *current);
        QVERIFY2(advanced.ok(), advanced.ok() ? "" : advanced.error().describe().c_str());
        QCOMPARE(*advanced, TreeHeadWitness::Decision::Advanced);
        QCOMPARE(keptSize(store, *profile), current->head.treeSize);
        // An older receipt's head is consistent with it and changes nothing.
        auto older = witness(store, session, recert->receipt.treeHead);
        QVERIFY2(older.ok(), older.ok() ? "" : older.error().describe().c_str());
        QCOMPARE(*older, TreeHeadWitness::Decision::Older);
        QCOMPARE(keptSize(store, *profile), current->head.treeSize);
        QVERIFY(!store.treeHeadWitness().fork(profile->logKey)->has_value());
        auto offer = await<netclient::TransferInfo>([&](auto cb) {
            session.offerTransfer(store.credentialBytes(), {}, std::chrono::seconds(600), std::move(cb));
        });
        QVERIFY2(offer.ok(), offer.ok() ? "" : offer.error().describe().c_str());
        QVERIFY(offer->codeBased && !offer->code.empty());
        QCOMPARE(QString::fromStdString(offer->state), QStringLiteral("pending"));
        auto withdrawn = await<netclient::TransferInfo>(
            [&](auto cb) { session.withdrawTransfer(offer->transferId, std::move(cb)); });
        QVERIFY2(withdrawn.ok(), withdrawn.ok() ? "" : withdrawn.error().describe().c_str());
        QCOMPARE(QString::fromStdString(withdrawn->state), QStringLiteral("cancelled"));

        // Revoked at the home network: a fresh status list fails the next verification.
        auto revoked = await<netclient::DtRecord>([&](auto cb) {
            session.client().revoke(store.credential()->claims.dtId, "device lost", std::move(cb));
        });
        QVERIFY(revoked.ok());
        peer.manifestFile = store.path(layout::kManifest);
        auto fresh = createAssertion(
            *claimsForCall(*store.credential(), {kRoom}, Bytes(32, 6), now, SystemRandom::instance()),
            *session.holderKey());
        peer.assertionFile.clear();
        peer.assertionText = fresh->compact;
        auto after = PeerVerifier(stores).verify(peer, fetchEvidence(session, *store.credential()), now);
        QVERIFY(after.ok());
        QCOMPARE(after->state, OverallState::Failed);
        QCOMPARE(after->reason, ErrorCode::CredentialRevoked);

        session.lock();
        QVERIFY(!session.unlocked());
        QCOMPARE(lockedChanged.count(), 2);
        QCOMPARE(server.stop(), 0);
    }

    // The data directory's profile seals K and OPc under the passphrase: until it is unlocked
    // the session cannot authenticate ("profile-locked"); a wrong passphrase changes nothing; a
    // profile in clear (an older TwinSeal's) is sealed by the unlock, and the SQN written after
    // the authentication keeps it sealed.
    void sealedProfileNeedsThePassphrase() {
        HomenetServer server;
        QVERIFY(server.start());
        QTemporaryDir dir;
        TwinStore store(dir.path());
        const std::string path = store.path(layout::kProfile).toStdString();
        auto operatorProfile = server.addSubscriber("imsi-001010000000033", store.path(layout::kProfile));
        QVERIFY(operatorProfile.has_value());
        const ScryptParams fast{1u << 12, 8, 1};
        {
            // Sealed, locked: no authentication.
            auto sealedProfile = UsimProfileData::load(path);
            QVERIFY(sealedProfile.ok());
            QVERIFY(sealedProfile->seal("the owner's passphrase", fast).ok());
            QVERIFY(sealedProfile->save(path).ok());
        }
        auto opened = TwinSession::open(store);
        QVERIFY(opened.ok());
        TwinSession& session = **opened;
        QVERIFY(!session.profileUnlocked());
        auto refused = await<netclient::AuthSession>([&](auto cb) { session.client().authenticate(std::move(cb)); });
        QVERIFY(!refused.ok());
        QCOMPARE(QString::fromStdString(refused.error().code), QStringLiteral("profile-locked"));
        QCOMPARE(session.unlockProfile("not the passphrase").code(), ErrorCode::WrongPassphrase);
        QVERIFY(!session.profileUnlocked());
        QVERIFY(session.unlockProfile("the owner's passphrase").ok());
        QVERIFY(session.profileUnlocked());
        // Two pages asking at once (after an unlock): one authentication, both go on with it.
        std::vector<QString> outcomes;
        for (int page = 0; page < 2; ++page)
            session.authenticated([&](const netclient::ClientStatus& st) {
                outcomes.push_back(st.ok() ? QStringLiteral("ok") : QString::fromStdString(st.error().code));
            });
        QTRY_COMPARE_WITH_TIMEOUT(outcomes.size(), std::size_t{2}, 30000);
        QCOMPARE(outcomes, (std::vector<QString>{QStringLiteral("ok"), QStringLiteral("ok")}));
        QVERIFY(session.client().isAuthenticated());
        // The SQN was saved; K and OPc are still only sealed.
        auto after = UsimProfileData::load(path);
        QVERIFY(after.ok());
        QVERIFY(after->sealed());
        QVERIFY(!after->hasSecrets());
        QVERIFY(after->sqn.sqnMs() > operatorProfile->sqn.sqnMs());
        // Locking forgets K and OPc.
        session.lock();
        QVERIFY(!session.profileUnlocked());
        QCOMPARE(server.stop(), 0);
    }

    // The address: the profile's unless the owner overrides it; one place to read it.
    void addressIsOneSourceOfTruth() {
        HomenetServer server;
        QVERIFY(server.start());
        QTemporaryDir dir;
        TwinStore store(dir.path());
        auto profile = server.addSubscriber("imsi-001010000000032", store.path(layout::kProfile));
        QVERIFY(profile.has_value());
        auto opened = TwinSession::open(store);
        QVERIFY(opened.ok());
        TwinSession& session = **opened;
        QSignalSpy changed(&session, &TwinSession::addressChanged);
        session.setAddressOverride(QStringLiteral("https://localhost:1"));
        QCOMPARE(changed.count(), 1);
        QCOMPARE(session.address(), QStringLiteral("https://localhost:1"));
        auto unreachable = await<SignedTreeHead>(
            [&](auto cb) { session.client().fetchTreeHead(std::move(cb)); });
        QVERIFY(!unreachable.ok());
        QCOMPARE(QString::fromStdString(unreachable.error().code), QStringLiteral("service-unreachable"));
        // Evidence that cannot be fetched is reported as such: the report is Incomplete.
        session.setAddressOverride({});
        QCOMPARE(changed.count(), 2);
        QCOMPARE(session.address(), server.url());
        auto head = await<SignedTreeHead>([&](auto cb) { session.client().fetchTreeHead(std::move(cb)); });
        QVERIFY2(head.ok(), head.ok() ? "" : head.error().describe().c_str());
        session.setAddressOverride({}); // unchanged: no signal
        QCOMPARE(changed.count(), 2);
        QCOMPARE(server.stop(), 0);
    }
};

TWINSEAL_TEST(SessionTest, "session")
} // namespace test_session
} // namespace

#include "test_session.moc"
