// Full flows against the real twinseal-homenet on loopback over TLS: register, duplicate
// refused (a second twin of one subscriber, and a copied avatar for another subscriber),
// re-certify, revoke then peer verification fails, a whole lifecycle without transfer,
// log inclusion and consistency (also through `twinsealctl log`), the avatar repository with its
// access rules, and a restart that keeps every piece of state.
#include <QDir>
#include <QProcess>
#include <QFile>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QtTest>

#include <twinseal/netclient/avatar_transfer.h>
#include <twinseal/netclient/service_client.h>
#include <twinseal/security/assertion.h>
#include <twinseal/security/statuslist.h>
#include <twinseal/security/translog.h>
#include <twinseal/security/verify.h>

#include "homenet_fixture.h"
#include "raw_client.h"
#include "test_macros.h"
#include "testmain.h"

namespace {
namespace test_flows {

using namespace twinseal;
using namespace twinseal::security;
using namespace twinseal::test;
using netclient::ClientResult;
using netclient::ServiceClient;

namespace {

using Subscriber = TestSubscriber;

Subscriber subscriber(HomenetServer& server, int n, const QStringList& extra = {}) {
    return addTestSubscriber(server, QStringLiteral("ue%1.profile").arg(n), 1000 + n, extra);
}

// The SUPI subscriber(server, n) adds.
QString supiOf(int n) {
    return QStringLiteral("imsi-00101000000%1").arg(1000 + n);
}

ClientResult<SignedTreeHead> treeHead(ServiceClient& c) {
    return await<SignedTreeHead>([&](auto cb) { c.fetchTreeHead(std::move(cb)); });
}

} // namespace

class FlowsTest : public QObject {
    Q_OBJECT

private slots:
    // Register; a second twin of the subscriber is refused (duplicate-dt), and so is a copied
    // package (the same media root under a new Avatar-ID) for another subscriber while the
    // first one's twin is active (issue 12, finding 5): by a registration, also when two race,
    // and by a re-certification, each storing nothing. The owner keeps re-certifying its own
    // twin; once that twin is revoked, the avatar may be certified again.
    void registerThenDuplicateRefused() {
        HomenetServer server;
        QVERIFY(server.start());
        Subscriber a = subscriber(server, 1, {QStringLiteral("--name"), QStringLiteral("Dr. Ada Moreau"),
                                              QStringLiteral("--role"), QStringLiteral("surgeon")});
        auto session = authenticate(*a.client);
        REQUIRE_OK(session);
        QVERIFY(!session->aKid.empty());
        // The USIM's SQN moved forward and was saved before answering.
        QVERIFY(UsimProfileData::load(a.path.toStdString())->sqn.sqnMs() > 0);

        const QString pkg = avatarCopy(server.scratch(QStringLiteral("pkg-a")));
        auto reg = registerDt(a, pkg);
        REQUIRE_OK(reg);
        const CredentialClaims& c = reg->credential.claims;
        QVERIFY(c.holderKey == a.holder.publicKey());
        QCOMPARE(c.generation, 1u);
        QVERIFY(QString::fromStdString(c.avatarId).startsWith(QStringLiteral("urn:twinseal:avatar:")));
        QVERIFY(reg->chain.status == ChainStatus::Trusted);
        QCOMPARE(reg->disclosures.size(), std::size_t{2}); // name and role
        QCOMPARE(reg->receipt.entry.type, LogEntryType::Issuance);
        QCOMPARE(reg->receipt.proof.leafIndex, c.logIndex);
        QVERIFY(reg->receipt.entry.credentialDigest == reg->credential.digest());

        auto list = await<std::vector<netclient::DtRecord>>([&](auto cb) { a.client->listDts(std::move(cb)); });
        REQUIRE_OK(list);
        QCOMPARE(list->size(), std::size_t{1});
        QCOMPARE(QString::fromStdString(list->front().state), QStringLiteral("active"));

        // One active DT per subscriber: a second one (even with another key) is refused.
        const SigningKey holderA = std::move(a.holder);
        a.holder = std::move(SigningKey::generate(KeyAlgorithm::EcdsaP256)).value();
        auto again = registerDt(a, pkg);
        QVERIFY(!again.ok());
        QCOMPARE(QString::fromStdString(again.error().code), QStringLiteral("duplicate-dt"));
        QCOMPARE(again.error().httpStatus, 409);
        QVERIFY(QString::fromStdString(again.error().message).contains(QString::fromStdString(c.dtId)));

        // B copies A's package into a folder of its own and signs it with its own key: the same
        // media root, refused with its reason, and nothing of it is stored.
        Subscriber b = subscriber(server, 2);
        Subscriber d = subscriber(server, 3);
        REQUIRE_OK(authenticate(*b.client));
        REQUIRE_OK(authenticate(*d.client));
        auto rows = [&](const QString& sql, const QVariant& value) {
            return countInDatabase(server, QStringLiteral("SELECT COUNT(*) FROM ") + sql, value);
        };
        auto headBefore = treeHead(*a.client);
        REQUIRE_OK(headBefore);
        const QString copy = avatarCopy(server.scratch(QStringLiteral("copy")));
        auto copied = registerDt(b, copy);
        EXPECT_CODE(copied, "media-root-certified-elsewhere");
        QCOMPARE(copied.error().httpStatus, 409);
        const QString message = QString::fromStdString(copied.error().message);
        QVERIFY2(message.contains(QStringLiteral("another subscriber")) &&
                     message.contains(QStringLiteral("avatar of your own")),
                 qPrintable(message));
        // It names neither the other twin nor its subscriber.
        QVERIFY(!message.contains(QString::fromStdString(c.dtId)));
        QVERIFY(!message.contains(QString::fromStdString(c.avatarId)));
        QVERIFY(!message.contains(supiOf(1)));
        QCOMPARE(rows(QStringLiteral("dts WHERE supi = ?"), supiOf(2)), qint64{0});
        QCOMPARE(rows(QStringLiteral("dts WHERE 1 = ?"), 1), qint64{1});
        QCOMPARE(rows(QStringLiteral("credentials WHERE 1 = ?"), 1), qint64{1});
        auto headAfter = treeHead(*a.client);
        REQUIRE_OK(headAfter);
        QCOMPARE(headAfter->head.treeSize, headBefore->head.treeSize);
        // A's twin is untouched.
        list = await<std::vector<netclient::DtRecord>>([&](auto cb) { a.client->listDts(std::move(cb)); });
        REQUIRE_OK(list);
        QCOMPARE(list->size(), std::size_t{1});
        QCOMPARE(QString::fromStdString(list->front().state), QStringLiteral("active"));
        QVERIFY(list->front().credential == reg->credentialBytes);

        // Two subscribers racing for one new avatar: exactly one of them gets it.
        const QString contested = avatarCopy(server.scratch(QStringLiteral("contested")), 2);
        const Bytes forB = signedManifest(contested, b.holder);
        const Bytes forD = signedManifest(contested, d.holder);
        std::optional<ClientResult<netclient::Registration>> raceB, raceD;
        b.client->registerDt(b.holder, forB, [&](auto r) { raceB.emplace(std::move(r)); });
        d.client->registerDt(d.holder, forD, [&](auto r) { raceD.emplace(std::move(r)); });
        QTRY_VERIFY_WITH_TIMEOUT(raceB.has_value() && raceD.has_value(), 60000);
        QVERIFY2(raceB->ok() != raceD->ok(), "both or neither of two racing registrations won");
        Subscriber& winner = raceB->ok() ? b : d;
        Subscriber& loser = raceB->ok() ? d : b;
        const ClientResult<netclient::Registration>& won = raceB->ok() ? *raceB : *raceD;
        EXPECT_CODE(raceB->ok() ? *raceD : *raceB, "media-root-certified-elsewhere");
        QCOMPARE(rows(QStringLiteral("dts WHERE supi = ?"), supiOf(raceB->ok() ? 3 : 2)), qint64{0});
        // The winner is independent of A: its credential's binding differs.
        QVERIFY(won->credential.claims.subscriberBinding != c.subscriberBinding);
        QVERIFY(won->credential.claims.dtId != c.dtId);

        // Re-certifying one's own twin onto A's avatar is refused the same way; the twin keeps
        // its media.
        const std::string winnerDt = won->credential.claims.dtId;
        auto moved = await<netclient::Registration>([&](auto cb) {
            winner.client->recertify(winnerDt, winner.holder, signedManifest(copy, winner.holder),
                                     std::move(cb));
        });
        EXPECT_CODE(moved, "media-root-certified-elsewhere");
        QCOMPARE(moved.error().httpStatus, 409);
        QCOMPARE(rows(QStringLiteral("dts WHERE generation = 1 AND dt_id = ?"),
                      QString::fromStdString(winnerDt)),
                 qint64{1});

        // The owner re-certifies its own twin on the avatar it holds.
        auto recertified = await<netclient::Registration>([&](auto cb) {
            a.client->recertify(c.dtId, holderA, signedManifest(pkg, holderA), std::move(cb));
        });
        REQUIRE_OK(recertified);
        QCOMPARE(recertified->credential.claims.generation, 2u);
        QVERIFY(recertified->credential.claims.mediaRoot == c.mediaRoot);

        // Once A's twin is revoked, the avatar is free: the subscriber without a twin gets it.
        REQUIRE_OK(await<netclient::DtRecord>(
            [&](auto cb) { a.client->revoke(c.dtId, "given up", std::move(cb)); }));
        auto freed = registerDt(loser, copy);
        REQUIRE_OK(freed);
        QVERIFY(freed->credential.claims.mediaRoot == c.mediaRoot);
        QVERIFY(freed->credential.claims.avatarId != c.avatarId);
        QVERIFY(server.stop() == 0);
    }

    void recertifyRevokesThePreviousCredential() {
        HomenetServer server;
        QVERIFY(server.start());
        Subscriber a = subscriber(server, 1);
        REQUIRE_OK(authenticate(*a.client));
        const QString v0 = avatarCopy(server.scratch(QStringLiteral("v0")));
        const QString v1 = avatarCopy(server.scratch(QStringLiteral("v1")), 1);
        auto first = registerDt(a, v0);
        REQUIRE_OK(first);
        Bytes m1 = signedManifest(v1, a.holder);
        auto second = await<netclient::Registration>([&](auto cb) {
            a.client->recertify(first->credential.claims.dtId, a.holder, m1, std::move(cb));
        });
        REQUIRE_OK(second);
        const auto& c1 = second->credential.claims;
        QCOMPARE(c1.dtId, first->credential.claims.dtId);
        QCOMPARE(c1.avatarId, first->credential.claims.avatarId);
        QCOMPARE(c1.generation, 2u);
        QVERIFY(c1.mediaRoot != first->credential.claims.mediaRoot);
        QCOMPARE(second->receipt.entry.type, LogEntryType::Recertification);
        QVERIFY(c1.statusListIndex != first->credential.claims.statusListIndex);

        auto list = statusList(*a.client);
        REQUIRE_OK(list);
        QCOMPARE(*list->isRevoked(first->credential.claims.statusListIndex), true);
        QCOMPARE(*list->isRevoked(c1.statusListIndex), false);
        StatusListRevocationChecker checker(*list);
        const std::int64_t now = SystemClock::instance().now();
        QCOMPARE(checker.check(first->credential, now).code(), ErrorCode::CredentialRevoked);
        QVERIFY(checker.check(second->credential, now).ok());

        // Re-certification must come from the DT's holder key.
        Subscriber imposter = std::move(a);
        imposter.holder = std::move(SigningKey::generate(KeyAlgorithm::Ed25519)).value();
        Bytes m2 = signedManifest(v0, imposter.holder);
        auto wrongKey = await<netclient::Registration>([&](auto cb) {
            imposter.client->recertify(c1.dtId, imposter.holder, m2, std::move(cb));
        });
        QVERIFY(!wrongKey.ok());
        QCOMPARE(QString::fromStdString(wrongKey.error().code), QStringLiteral("holder-key-mismatch"));
        // ... and only for the subscriber's own DT.
        Subscriber b = subscriber(server, 2);
        REQUIRE_OK(authenticate(*b.client));
        Bytes m3 = signedManifest(v0, b.holder);
        auto notMine = await<netclient::Registration>(
            [&](auto cb) { b.client->recertify(c1.dtId, b.holder, m3, std::move(cb)); });
        QVERIFY(!notMine.ok());
        QCOMPARE(QString::fromStdString(notMine.error().code), QStringLiteral("unknown-dt"));
    }

    // Register, verify as a peer, revoke: the peer's verification now fails as revoked. Then the
    // subscriber may register a new DT (the lifecycle without a transfer).
    void revokeThenPeerVerificationFails() {
        HomenetServer server;
        QVERIFY(server.start());
        Subscriber a = subscriber(server, 1);
        REQUIRE_OK(authenticate(*a.client));
        const QString pkg = avatarCopy(server.scratch(QStringLiteral("pkg")));
        auto reg = registerDt(a, pkg);
        REQUIRE_OK(reg);
        auto before = statusList(*a.client);
        REQUIRE_OK(before);
        auto ok = verifyAsPeer(a.profile, a.holder, *reg, *before, pkg);
        QVERIFY2(ok.state == OverallState::Verified, ok.summary().c_str());
        QCOMPARE(ok.find(CheckId::Revocation)->state, CheckState::Passed);
        QCOMPARE(ok.find(CheckId::LogInclusion)->state, CheckState::Passed);

        auto revoked = await<netclient::DtRecord>([&](auto cb) {
            a.client->revoke(reg->credential.claims.dtId, "device lost", std::move(cb));
        });
        REQUIRE_OK(revoked);
        QCOMPARE(QString::fromStdString(revoked->state), QStringLiteral("revoked"));
        auto after = statusList(*a.client);
        REQUIRE_OK(after);
        QVERIFY(after->info().sequence > before->info().sequence);
        auto failed = verifyAsPeer(a.profile, a.holder, *reg, *after, pkg);
        QCOMPARE(failed.state, OverallState::Failed);
        QCOMPARE(failed.reason, ErrorCode::CredentialRevoked);
        QCOMPARE(failed.find(CheckId::Revocation)->state, CheckState::Failed);

        // Revoking twice is refused with its own reason.
        auto twice = await<netclient::DtRecord>([&](auto cb) {
            a.client->revoke(reg->credential.claims.dtId, "again", std::move(cb));
        });
        QVERIFY(!twice.ok());
        QCOMPARE(QString::fromStdString(twice.error().code), QStringLiteral("dt-not-active"));

        // The revocation is in the log.
        auto head = treeHead(*a.client);
        REQUIRE_OK(head);
        QCOMPARE(head->head.treeSize, std::uint64_t{2});
        auto entry = await<LogReceipt>([&](auto cb) { a.client->fetchInclusion(1, 2, std::move(cb)); });
        REQUIRE_OK(entry);
        QCOMPARE(entry->entry.type, LogEntryType::Revocation);
        QCOMPARE(entry->entry.dtId, reg->credential.claims.dtId);

        // A new DT may now be registered, and verifies.
        a.holder = std::move(SigningKey::generate(KeyAlgorithm::Ed25519)).value();
        auto fresh = registerDt(a, pkg);
        REQUIRE_OK(fresh);
        QVERIFY(fresh->credential.claims.dtId != reg->credential.claims.dtId);
        auto list = await<std::vector<netclient::DtRecord>>([&](auto cb) { a.client->listDts(std::move(cb)); });
        REQUIRE_OK(list);
        QCOMPARE(list->size(), std::size_t{2});
        auto latest = statusList(*a.client);
        REQUIRE_OK(latest);
        auto ok2 = verifyAsPeer(a.profile, a.holder, *fresh, *latest, pkg);
        QVERIFY2(ok2.state == OverallState::Verified, ok2.summary().c_str());
    }

    // A verifier's status-list cache: answered from the cache until the list is due for a
    // refresh, updated across publications (a revocation between them), kept in its file across
    // client restarts; the service's sequence keeps growing across its restarts, and a list with
    // an older sequence (a database restored from an older backup) is refused.
    void statusListCacheFollowsPublications() {
        HomenetServer server;
        QVERIFY(server.start());
        Subscriber a = subscriber(server, 1);
        REQUIRE_OK(authenticate(*a.client));
        auto reg = registerDt(a, avatarCopy(server.scratch(QStringLiteral("pkg"))));
        REQUIRE_OK(reg);
        const std::uint64_t index = reg->credential.claims.statusListIndex;
        const QString cachePath = server.scratch(QStringLiteral("verifier/status-list.bin"));
        FixedClock clock(SystemClock::instance().now());
        auto verifier = [&] {
            netclient::ServiceClientOptions o;
            o.statusListCachePath = cachePath;
            o.clock = &clock;
            return std::make_unique<ServiceClient>(a.profile, QString(), o);
        };
        auto refresh = [](ServiceClient& c) {
            return await<StatusList>([&](auto cb) {
                c.fetchStatusList(netclient::StatusListFetch::Refresh, std::move(cb));
            });
        };

        auto v = verifier();
        auto first = statusList(*v);
        REQUIRE_OK(first);
        QCOMPARE(*first->isRevoked(index), false);
        QVERIFY(QFile::exists(cachePath));
        QVERIFY(first->info().ttl > 0);

        auto revoked = await<netclient::DtRecord>([&](auto cb) {
            a.client->revoke(reg->credential.claims.dtId, "device lost", std::move(cb));
        });
        REQUIRE_OK(revoked);
        // Not yet due for a refresh: the cached publication.
        auto cached = statusList(*v);
        REQUIRE_OK(cached);
        QCOMPARE(cached->info().sequence, first->info().sequence);
        QCOMPARE(*cached->isRevoked(index), false);
        // Due: the next publication, with the revocation.
        clock.set(first->info().issuedAt + static_cast<std::int64_t>(first->info().ttl));
        auto second = statusList(*v);
        REQUIRE_OK(second);
        QVERIFY(second->info().sequence > first->info().sequence);
        QCOMPARE(*second->isRevoked(index), true);

        // The cache survives the verifier's restart: answered while the service is down.
        clock.set(second->info().issuedAt);
        QCOMPARE(server.stop(), 0);
        v = verifier();
        auto offline = statusList(*v);
        REQUIRE_OK(offline);
        QCOMPARE(offline->info().sequence, second->info().sequence);
        QCOMPARE(*offline->isRevoked(index), true);

        // After its restart the service serves the latest publication it stored (or a newer
        // one): never an older sequence.
        QVERIFY(server.restart());
        auto third = refresh(*v);
        REQUIRE_OK(third);
        QVERIFY(third->info().sequence >= second->info().sequence);
        QCOMPARE(*third->isRevoked(index), true);
        clock.set(third->info().issuedAt);

        // The service's database rolled back (its counters and stored publication, as restoring
        // an older backup would): its list is older than the one seen, and refused.
        QCOMPARE(server.stop(), 0);
        QVERIFY(server.setMetaCounter(QStringLiteral("status_list_sequence"), 0));
        QVERIFY(server.setMetaCounter(QStringLiteral("status_revision"), 0));
        bool cleared = false;
        QVERIFY(server.withDatabase([&](QSqlDatabase& db) {
            cleared = QSqlQuery(db).exec(QStringLiteral("DELETE FROM status_list_publication"));
        }));
        QVERIFY(cleared);
        QVERIFY(server.restart());
        auto rolledBack = refresh(*v);
        QVERIFY(!rolledBack.ok());
        QCOMPARE(QString::fromStdString(rolledBack.error().code),
                 QStringLiteral("status-list-rollback"));
        auto kept = statusList(*v);
        REQUIRE_OK(kept);
        QCOMPARE(kept->info().sequence, third->info().sequence);
    }

    void logInclusionAndConsistency() {
        HomenetServer server;
        QVERIFY(server.start());
        const QString pkg = avatarCopy(server.scratch(QStringLiteral("pkg")));
        Subscriber a = subscriber(server, 1);
        REQUIRE_OK(authenticate(*a.client));
        auto regA = registerDt(a, pkg);
        REQUIRE_OK(regA);
        auto head1 = treeHead(*a.client);
        REQUIRE_OK(head1);
        QFile h1(server.scratch(QStringLiteral("head1.sth")));
        QVERIFY(h1.open(QIODevice::WriteOnly));
        h1.write(reinterpret_cast<const char*>(head1->encoded.data()), qint64(head1->encoded.size()));
        h1.close();

        std::vector<Subscriber> more;
        for (int i = 2; i <= 4; ++i) {
            more.push_back(subscriber(server, i));
            REQUIRE_OK(authenticate(*more.back().client));
            REQUIRE_OK(registerDt(more.back(),
                                  avatarCopy(server.scratch(QStringLiteral("pkg%1").arg(i)), i)));
        }
        auto head2 = treeHead(*a.client);
        REQUIRE_OK(head2);
        QCOMPARE(head2->head.treeSize, std::uint64_t{4});
        auto proof = await<ConsistencyProof>(
            [&](auto cb) { a.client->checkConsistency(*head1, *head2, std::move(cb)); });
        REQUIRE_OK(proof);
        QVERIFY(verifyConsistency(head1->head, head2->head, *proof).ok());
        // A proof for different sizes does not prove these heads.
        auto wrong = await<ConsistencyProof>(
            [&](auto cb) { a.client->fetchConsistency(2, 4, std::move(cb)); });
        REQUIRE_OK(wrong);
        QVERIFY(!verifyConsistency(head1->head, head2->head, *wrong).ok());

        // The first credential is included in the grown tree.
        auto incl = await<LogReceipt>([&](auto cb) {
            a.client->fetchInclusionByCredential(regA->credential.digest(), 4, std::move(cb));
        });
        REQUIRE_OK(incl);
        QCOMPARE(incl->proof.treeSize, std::uint64_t{4});
        LogInclusionChecker checker(incl->treeHead);
        QVERIFY(checker.add(*incl).ok());
        QVERIFY(checker.check(regA->credential).ok());

        // twinsealctl log verify: consistent heads pass, a forged head fails.
        QProcess ctl;
        ctl.setProcessEnvironment(twinsealctlEnvironment());
        ctl.setProcessChannelMode(QProcess::MergedChannels);
        ctl.start(QStringLiteral(TWINSEALCTL_PATH),
                  {QStringLiteral("log"), QStringLiteral("verify"), QStringLiteral("--profile"), a.path,
                   QStringLiteral("--old"), h1.fileName()});
        QVERIFY(ctl.waitForFinished(60000));
        const QByteArray out = ctl.readAll();
        QVERIFY2(ctl.exitCode() == 0, out.constData());
        QVERIFY2(out.contains("consisten"), out.constData());

        // A head of another log (same sizes, other root) is caught.
        auto otherKey = SigningKey::generate(KeyAlgorithm::Ed25519);
        Digest bogus = head1->head.rootHash;
        bogus[0] ^= 1;
        auto forged = signTreeHead(1, bogus, head1->head.timestamp, *otherKey);
        QFile h3(server.scratch(QStringLiteral("forged.sth")));
        QVERIFY(h3.open(QIODevice::WriteOnly));
        h3.write(reinterpret_cast<const char*>(forged->encoded.data()), qint64(forged->encoded.size()));
        h3.close();
        ctl.start(QStringLiteral(TWINSEALCTL_PATH),
                  {QStringLiteral("log"), QStringLiteral("verify"), QStringLiteral("--profile"), a.path,
                   QStringLiteral("--old"), h3.fileName()});
        QVERIFY(ctl.waitForFinished(60000));
        QVERIFY2(ctl.exitCode() != 0, ctl.readAll().constData());
    }

    void avatarRepository() {
        HomenetServer server;
        QVERIFY(server.start());
        const QString pkg = avatarCopy(server.scratch(QStringLiteral("pkg")));
        Subscriber a = subscriber(server, 1);
        REQUIRE_OK(authenticate(*a.client));
        Manifest manifest;
        Bytes m = signedManifest(pkg, a.holder, &manifest);
        auto reg = await<netclient::Registration>(
            [&](auto cb) { a.client->registerDt(a.holder, m, std::move(cb)); });
        REQUIRE_OK(reg);
        const std::string avatarId = reg->credential.claims.avatarId;

        quint64 lastProgress = 0;
        auto uploaded = await<netclient::AvatarRecord>([&](auto cb) {
            auto* t = a.client->uploadAvatar(avatarId, manifest, pkg, std::move(cb));
            QObject::connect(t, &netclient::AvatarTransfer::progress,
                             [&](quint64 done, quint64) { lastProgress = done; });
        });
        REQUIRE_OK(uploaded);
        QVERIFY(uploaded->complete);
        QVERIFY(lastProgress > 0);

        // The owner fetches it back; every chunk is checked against the credential's root.
        netclient::AvatarFetchRequest req;
        req.avatarId = avatarId;
        req.expectedMediaRoot = reg->credential.claims.mediaRoot;
        req.expectedHolderKey = a.holder.publicKey();
        req.destination = server.scratch(QStringLiteral("fetched-owner"));
        auto fetched = await<netclient::FetchedAvatar>([&](auto cb) { a.client->fetchAvatar(req, std::move(cb)); });
        REQUIRE_OK(fetched);
        QVERIFY(verifyMedia(manifest, req.destination.toStdString()).ok());

        // Another subscriber may not fetch it...
        Subscriber b = subscriber(server, 2);
        REQUIRE_OK(authenticate(*b.client));
        req.destination = server.scratch(QStringLiteral("fetched-b"));
        auto denied = await<netclient::FetchedAvatar>([&](auto cb) { b.client->fetchAvatar(req, std::move(cb)); });
        QVERIFY(!denied.ok());
        QCOMPARE(QString::fromStdString(denied.error().code), QStringLiteral("avatar-access-denied"));
        QCOMPARE(denied.error().httpStatus, 403);

        // ... unless the owner grants access; the grant also works by media root.
        auto grant = await<netclient::AccessGrant>(
            [&](auto cb) { a.client->createGrant(avatarId, 600, std::move(cb)); });
        REQUIRE_OK(grant);
        req.grantToken = grant->token;
        auto viaGrant = await<netclient::FetchedAvatar>([&](auto cb) { b.client->fetchAvatar(req, std::move(cb)); });
        REQUIRE_OK(viaGrant);
        QVERIFY(verifyMedia(manifest, req.destination.toStdString()).ok());
        netclient::AvatarFetchRequest byRoot = req;
        byRoot.avatarId.clear();
        byRoot.mediaRoot = reg->credential.claims.mediaRoot;
        byRoot.destination = server.scratch(QStringLiteral("fetched-root"));
        REQUIRE_OK(await<netclient::FetchedAvatar>([&](auto cb) { b.client->fetchAvatar(byRoot, std::move(cb)); }));

        // A forged grant is refused.
        req.grantToken = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
        auto forged = await<netclient::FetchedAvatar>([&](auto cb) { b.client->fetchAvatar(req, std::move(cb)); });
        QVERIFY(!forged.ok());
        QCOMPARE(QString::fromStdString(forged.error().code), QStringLiteral("grant-invalid"));

        // A fetch that expects another media root (a different credential) is refused.
        netclient::AvatarFetchRequest wrongRoot = req;
        wrongRoot.grantToken = grant->token;
        Digest other = reg->credential.claims.mediaRoot;
        other[5] ^= 0x10;
        wrongRoot.expectedMediaRoot = other;
        wrongRoot.destination = server.scratch(QStringLiteral("fetched-wrong"));
        auto mismatch = await<netclient::FetchedAvatar>([&](auto cb) { b.client->fetchAvatar(wrongRoot, std::move(cb)); });
        QVERIFY(!mismatch.ok());
        QCOMPARE(QString::fromStdString(mismatch.error().code), QStringLiteral("media-mismatch"));
    }

    // As a person would: twinsealctl register against the running service, twinsealctl status,
    // then the operator revokes with `twinseal-homenet dt revoke` (another process, same
    // database) and the status list the service publishes says so at once.
    void commandLineRegisterAndOperatorRevoke() {
        HomenetServer server;
        QVERIFY(server.start());
        const QString profilePath = server.scratch(QStringLiteral("ada.profile"));
        QVERIFY(server.addSubscriber(QStringLiteral("imsi-001010000000777"), profilePath,
                                     {QStringLiteral("--role"), QStringLiteral("surgeon")}));
        auto ctl = [&](const QStringList& args, QByteArray* out) {
            QProcess p;
            QProcessEnvironment env = twinsealctlEnvironment();
            env.insert(QStringLiteral("TWINSEAL_PASSPHRASE"), QStringLiteral("holder passphrase"));
            p.setProcessEnvironment(env);
            p.setProcessChannelMode(QProcess::MergedChannels);
            p.start(QStringLiteral(TWINSEALCTL_PATH), args);
            if (!p.waitForFinished(120000))
                return -1;
            *out = p.readAll();
            return p.exitCode();
        };
        QByteArray out;
        const QString key = server.scratch(QStringLiteral("ada.key"));
        QCOMPARE(ctl({QStringLiteral("keygen"), QStringLiteral("--out"), key}, &out), 0);
        const QString outDir = server.scratch(QStringLiteral("ada"));
        const QString pkg = avatarCopy(server.scratch(QStringLiteral("pkg")));
        int rc = ctl({QStringLiteral("register"), QStringLiteral("--profile"), profilePath,
                      QStringLiteral("--key"), key, QStringLiteral("--avatar"), pkg,
                      QStringLiteral("--out-dir"), outDir},
                     &out);
        QVERIFY2(rc == 0, out.constData());
        for (const char* f : {"credential.tsc", "disclosures.json", "receipt.tslr", "manifest.tsm"})
            QVERIFY2(QFile::exists(QDir(outDir).filePath(QLatin1String(f))), f);
        auto cred = parseCredential(*readFile(QDir(outDir).filePath(QStringLiteral("credential.tsc")).toStdString()));
        QVERIFY(cred.ok());
        QVERIFY(out.contains(cred->claims.dtId.c_str()));
        // A second registration from the command line, with another key, is refused with the
        // service's reason (with the same key and avatar it is the first one, picked up: ctl.ctl).
        const QString otherKey = server.scratch(QStringLiteral("ada2.key"));
        QCOMPARE(ctl({QStringLiteral("keygen"), QStringLiteral("--out"), otherKey}, &out), 0);
        rc = ctl({QStringLiteral("register"), QStringLiteral("--profile"), profilePath,
                  QStringLiteral("--key"), otherKey, QStringLiteral("--avatar"), pkg,
                  QStringLiteral("--out-dir"), server.scratch(QStringLiteral("again"))},
                 &out);
        QVERIFY(rc != 0);
        QVERIFY2(out.contains("duplicate-dt"), out.constData());

        const QString credFile = QDir(outDir).filePath(QStringLiteral("credential.tsc"));
        rc = ctl({QStringLiteral("status"), QStringLiteral("--profile"), profilePath,
                  QStringLiteral("--credential"), credFile},
                 &out);
        QVERIFY2(rc == 0, out.constData());
        QVERIFY2(out.contains("not revoked"), out.constData());

        QByteArray toolOut;
        QCOMPARE(server.runTool({QStringLiteral("dt"), QStringLiteral("revoke"), QStringLiteral("--dt-id"),
                                 QString::fromStdString(cred->claims.dtId), QStringLiteral("--reason"),
                                 QStringLiteral("licence suspended")},
                                &toolOut),
                 0);
        rc = ctl({QStringLiteral("status"), QStringLiteral("--profile"), profilePath,
                  QStringLiteral("--credential"), credFile},
                 &out);
        QVERIFY2(rc != 0, out.constData());
        QVERIFY2(out.contains("revoked"), out.constData());
        // The operator's revocation is in the log the running service serves.
        QVERIFY(server.runTool({QStringLiteral("dt"), QStringLiteral("list"), QStringLiteral("--json")},
                               &toolOut) == 0);
        QVERIFY(toolOut.contains("licence suspended"));
        const QString head = server.scratch(QStringLiteral("head.sth"));
        QCOMPARE(ctl({QStringLiteral("log"), QStringLiteral("head"), QStringLiteral("--profile"), profilePath,
                      QStringLiteral("--out"), head},
                     &out),
                 0);
        auto sth = parseSignedTreeHead(*readFile(head.toStdString()),
                                       UsimProfileData::load(profilePath.toStdString())->logKey);
        QVERIFY(sth.ok());
        QCOMPARE(sth->head.treeSize, std::uint64_t{2});

        // The service's own --help, and no secrets in its logs.
        QVERIFY(server.runTool({QStringLiteral("serve"), QStringLiteral("--help")}, &toolOut) == 0);
        QVERIFY(toolOut.contains("--rate-limit"));
        QCOMPARE(server.stop(), 0);
        QVERIFY(!server.log().contains("integration-test-passphrase"));
        QVERIFY(!server.log().contains("TwinSeal-AKMA"));
    }

    void restartKeepsAllState() {
        HomenetServer server;
        QVERIFY(server.start());
        const QString pkg = avatarCopy(server.scratch(QStringLiteral("pkg")));
        Subscriber a = subscriber(server, 1);
        Subscriber b = subscriber(server, 2);
        REQUIRE_OK(authenticate(*a.client));
        REQUIRE_OK(authenticate(*b.client));
        auto regA = registerDt(a, pkg);
        const QString pkgB = avatarCopy(server.scratch(QStringLiteral("pkg-b")), 1);
        auto regB = registerDt(b, pkgB);
        REQUIRE_OK(regA);
        REQUIRE_OK(regB);
        REQUIRE_OK(await<netclient::DtRecord>([&](auto cb) {
            b.client->revoke(regB->credential.claims.dtId, "test", std::move(cb));
        }));
        auto headBefore = treeHead(*a.client);
        auto listBefore = statusList(*a.client);
        REQUIRE_OK(headBefore);
        REQUIRE_OK(listBefore);

        QCOMPARE(server.stop(), 0); // graceful
        QVERIFY(server.log().contains("\"event\":\"shutdown\""));
        QVERIFY(server.restart());

        auto headAfter = treeHead(*a.client);
        REQUIRE_OK(headAfter);
        QCOMPARE(headAfter->head.treeSize, headBefore->head.treeSize);
        QVERIFY(headAfter->head.rootHash == headBefore->head.rootHash);
        auto listAfter = statusList(*a.client);
        REQUIRE_OK(listAfter);
        QCOMPARE(*listAfter->isRevoked(regB->credential.claims.statusListIndex), true);
        QCOMPARE(*listAfter->isRevoked(regA->credential.claims.statusListIndex), false);
        // The AKMA session survived the restart too.
        auto dts = await<std::vector<netclient::DtRecord>>([&](auto cb) { a.client->listDts(std::move(cb)); });
        REQUIRE_OK(dts);
        QCOMPARE(dts->size(), std::size_t{1});
        QCOMPARE(dts->front().dtId, regA->credential.claims.dtId);
        // One active DT per subscriber still holds after the restart.
        a.holder = std::move(SigningKey::generate(KeyAlgorithm::Ed25519)).value();
        auto dup = registerDt(a, pkg);
        QVERIFY(!dup.ok());
        QCOMPARE(QString::fromStdString(dup.error().code), QStringLiteral("duplicate-dt"));
        // So does one active twin per media root: A's avatar is refused to C, the avatar of B's
        // revoked twin is not. The log keeps growing consistently.
        Subscriber c = subscriber(server, 3);
        REQUIRE_OK(authenticate(*c.client));
        EXPECT_CODE(registerDt(c, pkg), "media-root-certified-elsewhere");
        REQUIRE_OK(registerDt(c, pkgB));
        auto headLater = treeHead(*a.client);
        REQUIRE_OK(headLater);
        auto proof = await<ConsistencyProof>(
            [&](auto cb) { a.client->checkConsistency(*headBefore, *headLater, std::move(cb)); });
        REQUIRE_OK(proof);
    }
};

TWINSEAL_TEST(FlowsTest, "flows")
} // namespace test_flows
} // namespace

#include "test_flows.moc"
