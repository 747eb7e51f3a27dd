// Several `serve` instances on one database, as behind a load balancer (SQLite file, and
// PostgreSQL in the homenet-pg run): what a client sees must not depend on the instance it
// reaches. The signed status list is the latest publication whichever instance answers: its
// sequence never goes back (a verifier refuses an older list than one it holds) and a
// revocation made through one instance is in the list the other serves. A session that holds
// the write lock and hangs fails the writes behind it after the lock timeout; it does not stall
// the service.
#include <QFile>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QtTest>

#include <twinseal/netclient/service_client.h>
#include <twinseal/security/statuslist.h>

#include "homenet_fixture.h"
#include "raw_client.h"
#include "testmain.h"

namespace {
namespace test_scale_out {

using namespace twinseal;
using namespace twinseal::security;
using namespace twinseal::test;

namespace {

// The status list `server` serves now, verified with the profile's status-list key.
std::optional<StatusList> statusListOf(const HomenetServer& server, const UsimProfileData& profile) {
    RawClient raw(server);
    const HttpResult r = raw.send("GET", QStringLiteral("/v1/status"));
    if (r.status != 200) {
        qWarning("GET /v1/status on port %u: HTTP %d %s", server.port(), r.status, r.code.c_str());
        return std::nullopt;
    }
    auto list = parseSignedStatusList(toBytes(r.body.toStdString()), profile.statusListKey,
                                      SystemClock::instance().now());
    if (!list.ok()) {
        qWarning("status list from port %u: %s", server.port(), list.error().message().c_str());
        return std::nullopt;
    }
    return std::move(list).value();
}

} // namespace

class ScaleOutTest : public QObject {
    Q_OBJECT

private slots:
    void statusListNeverGoesBackAcrossInstances() {
        HomenetServer a;
        QVERIFY(a.start(noRateLimit()));
        HomenetServer b;
        QVERIFY(b.startAlongside(a, noRateLimit()));
        TestSubscriber s = addTestSubscriber(a, QStringLiteral("s.usim"), 7001);
        QVERIFY(authenticate(*s.client).ok());

        // Alternating between the instances, as a round-robin balancer sends a verifier: each
        // list is at least as new as the one before it.
        std::uint64_t last = 0;
        auto fetchBoth = [&](int rounds) {
            std::optional<StatusList> newest;
            for (int i = 0; i < rounds; ++i)
                for (const HomenetServer* server : {&a, &b}) {
                    auto list = statusListOf(*server, s.profile);
                    if (!list)
                        return std::optional<StatusList>();
                    if (list->info().sequence < last) {
                        qWarning("port %u served sequence %llu after %llu", server->port(),
                                 static_cast<unsigned long long>(list->info().sequence),
                                 static_cast<unsigned long long>(last));
                        return std::optional<StatusList>();
                    }
                    last = list->info().sequence;
                    newest = std::move(list);
                }
            return newest;
        };
        QVERIFY(fetchBoth(3));

        // A registration and a revocation through instance a: instance b serves a list with
        // the credential revoked, newer than any list before.
        auto reg = registerDt(s, avatarCopy(a.scratch(QStringLiteral("pkg")), 1));
        QVERIFY2(reg.ok(), reg.ok() ? "" : reg.error().describe().c_str());
        const std::uint64_t index = reg->credential.claims.statusListIndex;
        const std::uint64_t beforeRevocation = last;
        auto revoked = await<netclient::DtRecord>(
            [&](auto cb) { s.client->revoke(reg->credential.claims.dtId, "lost", std::move(cb)); });
        QVERIFY2(revoked.ok(), revoked.ok() ? "" : revoked.error().describe().c_str());
        auto fromB = statusListOf(b, s.profile);
        QVERIFY(fromB);
        QVERIFY(fromB->info().sequence > beforeRevocation);
        QCOMPARE(fromB->isRevoked(index).value(), true);
        last = fromB->info().sequence;
        auto after = fetchBoth(3);
        QVERIFY(after);
        QCOMPARE(after->isRevoked(index).value(), true);
        QVERIFY(a.running());
        QVERIFY(b.running());
    }

    void hungLockHolderFailsWritesInsteadOfStalling();
};

// Another session holds the write lock and hangs (an instance stuck mid-transaction, an
// operator's forgotten psql): requests that write fail after the lock timeout with 503
// storage-unavailable and change nothing, instead of stalling every instance; reads are
// answered meanwhile, and writes go through again once the lock is released.
void ScaleOutTest::hungLockHolderFailsWritesInsteadOfStalling() {
    HomenetServer a;
    const QString ini = a.scratch(QStringLiteral("homenet.ini"));
    {
        QFile f(ini);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("[service]\ndatabase-lock-timeout = 1\n");
    }
    QVERIFY(a.start(noRateLimit() + QStringList{QStringLiteral("--config"), ini}));
    TestSubscriber s = addTestSubscriber(a, QStringLiteral("s.usim"), 7002);
    RawClient raw(a);

    bool held = false;
    QVERIFY(a.withDatabase([&](QSqlDatabase& db) {
        QSqlQuery q(db);
        held = HomenetServer::usePostgres()
                   ? q.exec(QStringLiteral("BEGIN")) &&
                         q.exec(QStringLiteral("SELECT pg_advisory_xact_lock(7425711)"))
                   : q.exec(QStringLiteral("BEGIN IMMEDIATE"));
        if (!held)
            return;
        // An authentication writes (its challenge): refused after the configured second, well
        // before the 10 s SQLite would otherwise wait (PostgreSQL: for ever).
        auto refused = await<netclient::AuthSession>([&](auto cb) { s.client->authenticate(std::move(cb)); },
                                                     8000);
        QVERIFY(!refused.ok());
        QCOMPARE(QString::fromStdString(refused.error().code), QStringLiteral("storage-unavailable"));
        // Reads go on.
        QCOMPARE(raw.send("GET", QStringLiteral("/v1/log/head")).status, 200);
        QVERIFY(q.exec(QStringLiteral("ROLLBACK")));
    }));
    QVERIFY(held);
    QVERIFY(authenticate(*s.client).ok());
    QVERIFY(a.pollLog().contains("storage-error"));
    QVERIFY(a.running());
}

TWINSEAL_TEST(ScaleOutTest, "scale-out")
} // namespace test_scale_out
} // namespace

#include "test_scale_out.moc"
