// The activity log's anchor mirror against the real twinseal-homenet on loopback over TLS: the
// home network keeps each log's highest checkpoint per subscriber and never goes back, so an
// older copy of the log restored together with its older (genuine, sealed) anchor - which the
// device alone cannot tell from the real thing - is caught on the next check (audit-log-
// rolled-back), a rewritten log too (audit-log-replaced); a forged checkpoint is refused, and
// another subscriber sees nothing of it.
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <twinseal/security/audit.h>
#include <twinseal/twin/audit_mirror.h>

#include "homenet_fixture.h"
#include "testmain.h"

namespace {
namespace test_audit_mirror {

using namespace twinseal;
using namespace twinseal::security;
using namespace twinseal::test;
using twin::AuditMirror;

namespace {

constexpr const char* kLogId = "audit-mirror-test";

template <typename T> T take(Result<T>&& r, const char* what) {
    if (!r.ok())
        qFatal("%s failed: %s", what, r.error().message().c_str());
    return std::move(r).value();
}

netclient::ClientResult<AuditMirror::Decision> check(netclient::ServiceClient& c,
                                                     const AuditAnchor& opened,
                                                     const AuditAnchor& current) {
    return await<AuditMirror::Decision>(
        [&](auto cb) { AuditMirror::check(c, opened, current, std::move(cb)); });
}

// The device's anchor of its log as it is now, sealed and written, then read back and opened as
// the app does at unlock.
AuditAnchor saveAndOpen(const AuditLog& log, const AuditAnchorKey& sealer, const QString& file) {
    const Bytes sealed = take(sealer.seal(AuditAnchor::of(log.logId(), log.auditKey(),
                                                          log.latestCheckpoint(),
                                                          log.checkpoints().size(), 0)),
                              "seal");
    if (!writeFileAtomic(file.toStdString(), sealed, true).ok())
        qFatal("cannot write the anchor");
    return take(sealer.open(take(readFile(file.toStdString()), "read")), "open");
}

void appendSigned(AuditLog& log, const SigningKey& key, int n) {
    for (int i = 0; i < n; ++i)
        take(log.appendSigned(AuditEvent::ok(audit_event::kDtStatus,
                                             {{"dt", "dt-" + std::to_string(i)}}),
                              key),
             "append");
}

} // namespace

class AuditMirrorTest : public QObject {
    Q_OBJECT

private slots:
    void rollbackIsCaughtByTheHomeNetwork() {
        HomenetServer server;
        QVERIFY(server.start());
        TestSubscriber device = addTestSubscriber(server, QStringLiteral("mirror.usim"), 41);
        TestSubscriber other = addTestSubscriber(server, QStringLiteral("mirror-other.usim"), 42);
        QVERIFY(authenticate(*device.client).ok());
        QVERIFY(authenticate(*other.client).ok());

        QTemporaryDir dir;
        const QString logPath = dir.filePath(QStringLiteral("audit.log"));
        const QString anchorPath = dir.filePath(QStringLiteral("audit-anchor.tsc"));
        const SigningKey auditKey = take(SigningKey::generate(KeyAlgorithm::Ed25519), "key");
        const AuditAnchorKey sealer = take(AuditAnchorKey::derive(auditKey), "derive");
        FixedClock clock(1800000000);

        Bytes oldLog, oldAnchor;
        AuditAnchor atThree, atSix;
        {
            auto log = take(AuditLog::create(logPath.toStdString(), kLogId, auditKey.publicKey(),
                                             clock),
                            "create");
            appendSigned(log, auditKey, 3);
            atThree = saveAndOpen(log, sealer, anchorPath);
            QCOMPARE(atThree.counter, 3u);
            // A copy of the data directory's audit files as they are now (a backup, or an
            // attacker's copy).
            oldLog = take(readFile(logPath.toStdString()), "read log");
            oldAnchor = take(readFile(anchorPath.toStdString()), "read anchor");

            auto first = check(*device.client, atThree, atThree);
            QVERIFY2(first.ok(), first.ok() ? "" : first.error().describe().c_str());
            QCOMPARE(*first, AuditMirror::Decision::First);
            auto again = check(*device.client, atThree, atThree);
            QVERIFY(again.ok());
            QCOMPARE(*again, AuditMirror::Decision::Unchanged);

            appendSigned(log, auditKey, 3);
            atSix = saveAndOpen(log, sealer, anchorPath);
            auto advanced = check(*device.client, atThree, atSix);
            QVERIFY2(advanced.ok(), advanced.ok() ? "" : advanced.error().describe().c_str());
            QCOMPARE(*advanced, AuditMirror::Decision::Advanced);
        }

        // The older log and its older anchor are put back. On the device alone they are
        // indistinguishable from the real state: the anchor's seal is genuine, the log matches it.
        QVERIFY(writeFileAtomic(logPath.toStdString(), oldLog, true).ok());
        QVERIFY(writeFileAtomic(anchorPath.toStdString(), oldAnchor, true).ok());
        const AuditAnchor restored =
            take(sealer.open(take(readFile(anchorPath.toStdString()), "read")), "open restored");
        AuditDirectory state{true, auditKey.publicKey(), restored};
        AuditVerifyOptions options;
        QVERIFY(checkAuditDirectory(state, options).ok());
        QVERIFY(verifyAuditLog(oldLog, options).ok());
        // The home network holds checkpoint #5: rolled back. Also when the restored log was
        // already signed on (a checkpoint written at unlock before the answer came).
        auto rolledBack = check(*device.client, restored, restored);
        QVERIFY(!rolledBack.ok());
        QCOMPARE(rolledBack.error().code, std::string("audit-log-rolled-back"));
        QVERIFY2(rolledBack.error().message.find("checkpoint #5") != std::string::npos,
                 rolledBack.error().message.c_str());
        {
            AuditVerifyOptions o;
            QVERIFY(checkAuditDirectory(state, o).ok());
            auto log = take(AuditLog::open(logPath.toStdString(), clock, o), "open restored log");
            appendSigned(log, auditKey, 1);
            const AuditAnchor moved = AuditAnchor::of(log.logId(), log.auditKey(),
                                                      log.latestCheckpoint(),
                                                      log.checkpoints().size(), 0);
            auto r = check(*device.client, restored, moved);
            QVERIFY(!r.ok());
            QCOMPARE(r.error().code, std::string("audit-log-rolled-back"));
            // Handing the home network the older state directly is refused as well.
            auto put = await<netclient::AuditAnchorMirror>(
                [&](auto cb) { device.client->mirrorAuditAnchor(moved, std::move(cb)); });
            QVERIFY(!put.ok());
            QCOMPARE(put.error().code, std::string("audit-anchor-rollback"));
            QCOMPARE(put.error().httpStatus, 409);
        }

        // A rewritten log: the same number of checkpoints, other contents.
        {
            QFile::remove(logPath);
            clock.advance(100);
            auto log = take(AuditLog::create(logPath.toStdString(), kLogId, auditKey.publicKey(),
                                             clock),
                            "create rewritten");
            appendSigned(log, auditKey, 6);
            const AuditAnchor rewritten = saveAndOpen(log, sealer, anchorPath);
            QCOMPARE(rewritten.counter, atSix.counter);
            auto r = check(*device.client, rewritten, rewritten);
            QVERIFY(!r.ok());
            QCOMPARE(r.error().code, std::string("audit-log-replaced"));
            // The genuine state still matches.
            auto same = check(*device.client, atSix, atSix);
            QVERIFY(same.ok());
            QCOMPARE(*same, AuditMirror::Decision::Unchanged);
        }

        // A checkpoint not signed by the log's audit key is refused by the home network.
        {
            const SigningKey forger = take(SigningKey::generate(KeyAlgorithm::Ed25519), "forger");
            const QString forgedPath = dir.filePath(QStringLiteral("forged.log"));
            auto log = take(AuditLog::create(forgedPath.toStdString(), kLogId,
                                             forger.publicKey(), clock),
                            "create forged");
            appendSigned(log, forger, 9);
            AuditAnchor forged = AuditAnchor::of(kLogId, auditKey.publicKey(),
                                                 log.latestCheckpoint(), 9, 0);
            auto put = await<netclient::AuditAnchorMirror>(
                [&](auto cb) { device.client->mirrorAuditAnchor(forged, std::move(cb)); });
            QVERIFY(!put.ok());
            QCOMPARE(put.error().code, std::string("audit-anchor-invalid"));
            // Under its own key the log id is already pinned to the device's key.
            forged.auditKey = forger.publicKey();
            put = await<netclient::AuditAnchorMirror>(
                [&](auto cb) { device.client->mirrorAuditAnchor(forged, std::move(cb)); });
            QVERIFY(!put.ok());
            QCOMPARE(put.error().code, std::string("audit-anchor-mismatch"));
        }

        // Another subscriber sees nothing of this device's log, and has a mirror of its own.
        auto none = await<std::optional<netclient::AuditAnchorMirror>>([&](auto cb) {
            other.client->fetchAuditAnchor(kLogId, auditKey.publicKey(), std::move(cb));
        });
        QVERIFY(none.ok());
        QVERIFY(!none->has_value());
        auto theirs = check(*other.client, atThree, atThree);
        QVERIFY(theirs.ok());
        QCOMPARE(*theirs, AuditMirror::Decision::First);
        auto mine = await<std::optional<netclient::AuditAnchorMirror>>([&](auto cb) {
            device.client->fetchAuditAnchor(kLogId, auditKey.publicKey(), std::move(cb));
        });
        QVERIFY(mine.ok() && mine->has_value());
        QCOMPARE((*mine)->counter, 6u);

        // Offline nothing is decided: the caller keeps the log and checks again later.
        QCOMPARE(server.stop(), 0);
        auto offline = check(*device.client, atSix, atSix);
        QVERIFY(!offline.ok());
        QVERIFY(offline.error().code != "audit-log-rolled-back" &&
                offline.error().code != "audit-log-replaced");
    }
};

TWINSEAL_TEST(AuditMirrorTest, "audit-mirror")
} // namespace test_audit_mirror
} // namespace

#include "test_audit_mirror.moc"
