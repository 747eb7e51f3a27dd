// The Settings and Activity log pages' view-models on their own: the twin's store and the activity
// log, no root view-model. The profile's address and trust list come in by setProfile; what they
// refuse is the page's own failure with its reason code; a changed address is announced by a signal
// and kept in the data directory. A fork of the home network's log recorded in the data directory
// is shown by the root view-model (logFork) from its start and recorded in the activity log.
#include <QDir>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <twinseal/security/audit.h>
#include <twinseal/security/bytes.h>
#include <twinseal/security/subscriber.h>
#include <twinseal/security/translog.h>
#include <twinseal/security/x509.h>
#include <twinseal/twin/tree_head_witness.h>
#include <twinseal/twin/twin_store.h>
#include <twinseal/viewmodels/twin_controller.h>
#include <twinseal/viewmodels/audit_controller.h>
#include <twinseal/viewmodels/audit_trail.h>
#include <twinseal/viewmodels/settings_controller.h>

#include "testmain.h"
#include "twinseal/proto/twinseal.pb.h"

namespace {
namespace test_settings_audit_models {

using namespace twinseal::viewmodels;

class SettingsAuditModelsTest : public QObject {
    Q_OBJECT

private slots:
    void settingsStandAloneWithTheirOwnState() {
        QTemporaryDir dir;
        twinseal::twin::TwinStore store(dir.path());
        AuditTrail audit(dir.path());
        const QString profile = QStringLiteral("https://dt.operator.example:8443");
        const QString moved = QStringLiteral("https://moved.operator.example:9443");
        {
            SettingsController page(store, audit);
            QSignalSpy changed(&page, &SettingsController::changed);
            QSignalSpy homeNetwork(&page, &SettingsController::homeNetworkChanged);
            QCOMPARE(page.dataDir(), dir.path());
            page.setProfile(profile, QString());
            QCOMPARE(changed.count(), 1);
            QCOMPARE(page.profileAddress(), profile);
            QCOMPARE(page.homeNetworkAddress(), profile);

            QVERIFY(!page.setHomeNetworkAddress(QStringLiteral("http://dt.operator.example")));
            QCOMPARE(page.operation()->errorCode(), QStringLiteral("address-invalid"));
            QVERIFY(page.operation()->errorMessage().contains(QStringLiteral("https://host:port")));
            QCOMPARE(homeNetwork.count(), 0);
            page.operation()->dismissError();

            QVERIFY(page.setHomeNetworkAddress(moved + QStringLiteral("/")));
            QCOMPARE(homeNetwork.count(), 1);
            QCOMPARE(page.addressOverride(), moved);
            QCOMPARE(page.homeNetworkAddress(), moved);
            QVERIFY(page.operation()->notice().contains(moved));
            QVERIFY(page.setHomeNetworkAddress(moved)); // unchanged: no signal
            QCOMPARE(homeNetwork.count(), 1);
            page.setTheme(QStringLiteral("dark"));

            QVERIFY(!page.addTrustedRoot(QUrl::fromLocalFile(dir.filePath(QStringLiteral("missing.pem")))));
            QCOMPARE(page.operation()->errorCode(), QStringLiteral("io-error"));
            QVERIFY(!page.removeTrustedRoot(QStringLiteral("../settings")));
            QCOMPARE(page.operation()->errorCode(), QStringLiteral("not-removable"));
            QCOMPARE(page.trustList()->rowCount(), 0); // no profile roots, none added
        }
        // The next start reads what was kept; the profile's address is the address again once
        // the override is cleared.
        SettingsController again(store, audit);
        again.setProfile(profile, QString());
        QCOMPARE(again.theme(), QStringLiteral("dark"));
        QCOMPARE(again.homeNetworkAddress(), moved);
        QVERIFY(again.setHomeNetworkAddress(QString()));
        QVERIFY(again.addressOverride().isEmpty());
        QCOMPARE(again.homeNetworkAddress(), profile);
    }

    void activityLogStandsAloneWithItsOwnState() {
        QTemporaryDir dir;
        twinseal::twin::TwinStore store(dir.path());
        AuditTrail audit(dir.path());
        AuditController page(store, audit);
        // No log before the passphrase is chosen: an export is refused with its reason.
        QVERIFY(!page.exportTo(QUrl::fromLocalFile(dir.filePath(QStringLiteral("out.json"))),
                               QStringLiteral("json")));
        QCOMPARE(page.operation()->errorCode(), QStringLiteral("audit-log-empty"));
        QVERIFY(!QFile::exists(dir.filePath(QStringLiteral("out.json"))));
        page.verifyFile(QUrl::fromLocalFile(dir.filePath(QStringLiteral("missing.log"))));
        QCOMPARE(page.verifyState(), QStringLiteral("failed"));
        QVERIFY(page.verifySummary().contains(QStringLiteral("cannot be read")));
    }

    // A fork recorded by the witness (two heads of one log key over different histories) is a
    // persistent alert: shown as soon as the client starts, with both roots, and recorded once
    // per start as log.head / log-fork in the activity log.
    // The device's activity log as the app opens it, against a writer of the data directory:
    // the anchor removed, audit.key removed, the log cut back, the anchor's seal forged. Each
    // fails closed with its reason, keeps the files as evidence (never deleted), and the next
    // log's first entry records it.
    void activityLogFailsClosedAndKeepsEvidence() {
        using namespace twinseal::security;
        const std::string pass = "audit passphrase";
        auto evidence = [](const QString& dir, const char* prefix) {
            return QDir(dir).entryList({QString::fromLatin1(prefix) + QStringLiteral(".damaged-*")});
        };
        auto fileBytes = [](const QString& path) {
            QFile f(path);
            return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
        };
        // A log of `n` signed entries in a fresh directory, closed again.
        auto makeLog = [&](QTemporaryDir& d, int n) {
            QString error;
            AuditTrail trail(d.path());
            auto key = AuditTrail::loadOrCreateKey(d.path(), pass, &error);
            QVERIFY2(key, qPrintable(error));
            trail.unlocked(std::move(key));
            for (int i = 0; i < n; ++i)
                trail.record(audit_event::kDtStatus, {{"n", std::to_string(i)}});
            QVERIFY(trail.isOpen());
            QVERIFY2(trail.integrityProblem().isEmpty(), qPrintable(trail.integrityProblem()));
        };
        auto recordsReason = [&](AuditTrail& trail, const char* reason) {
            QString error;
            auto key = AuditTrail::loadOrCreateKey(trail.logPath().section(QLatin1Char('/'), 0, -2), pass, &error);
            if (!key)
                return false;
            trail.unlocked(std::move(key));
            for (const AuditEntry& e : trail.entries())
                if (e.type == client_event::kAuditIntegrity && e.reason == reason)
                    return true;
            return false;
        };

        {   // Intact: reopened and verified, the anchor is the sealed kind and counts checkpoints.
            QTemporaryDir d;
            makeLog(d, 3);
            AuditTrail trail(d.path());
            QVERIFY(trail.isOpen());
            QVERIFY2(trail.integrityProblem().isEmpty(), qPrintable(trail.integrityProblem()));
            auto anchor = readAuditAnchor(twinseal::security::view(fileBytes(trail.anchorPath()).toStdString()));
            QVERIFY(anchor.ok());
            QVERIFY(anchor->counter >= 3);
            QVERIFY(trail.verifyOwnLog().ok());
        }
        {   // The anchor removed: refused, the log kept as evidence byte for byte.
            QTemporaryDir d;
            makeLog(d, 2);
            const QString log = QDir(d.path()).filePath(QStringLiteral("audit.log"));
            const QByteArray before = fileBytes(log);
            QVERIFY(QFile::remove(QDir(d.path()).filePath(QStringLiteral("audit-anchor.tsc"))));
            AuditTrail trail(d.path());
            QVERIFY(!trail.isOpen());
            QVERIFY2(trail.integrityProblem().contains(QStringLiteral("audit-anchor-missing")),
                     qPrintable(trail.integrityProblem()));
            const QStringList kept = evidence(d.path(), "audit.log");
            QCOMPARE(kept.size(), 1);
            QCOMPARE(fileBytes(QDir(d.path()).filePath(kept.first())), before);
            QVERIFY(recordsReason(trail, "audit-anchor-missing"));
        }
        {   // audit.key removed: not re-created beside its log; log and anchor kept.
            QTemporaryDir d;
            makeLog(d, 2);
            QVERIFY(QFile::remove(QDir(d.path()).filePath(QStringLiteral("audit.key"))));
            QString error;
            QVERIFY(!AuditTrail::loadOrCreateKey(d.path(), pass, &error));
            QVERIFY2(error.contains(QStringLiteral("audit-key-missing")), qPrintable(error));
            AuditTrail trail(d.path());
            QVERIFY(!trail.isOpen());
            QVERIFY2(trail.integrityProblem().contains(QStringLiteral("audit-key-missing")),
                     qPrintable(trail.integrityProblem()));
            QCOMPARE(evidence(d.path(), "audit.log").size(), 1);
            QCOMPARE(evidence(d.path(), "audit-anchor.tsc").size(), 1);
            QVERIFY(recordsReason(trail, "audit-key-missing"));
        }
        {   // The log cut back to its first entries (a well-formed shorter log).
            QTemporaryDir d;
            makeLog(d, 4);
            const QString log = QDir(d.path()).filePath(QStringLiteral("audit.log"));
            const QByteArray full = fileBytes(log);
            auto records = readAuditRecords(twinseal::security::view(full.toStdString()));
            QVERIFY(records.ok());
            std::size_t cut = 0, checkpoints = 0;
            for (const AuditRecord& r : *records)
                if (r.kind == AuditRecordKind::Checkpoint && ++checkpoints == 2)
                    cut = r.offset + r.size;
            QVERIFY(cut > 0 && cut < std::size_t(full.size()));
            QFile f(log);
            QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
            f.write(full.left(qsizetype(cut)));
            f.close();
            AuditTrail trail(d.path());
            QVERIFY(!trail.isOpen());
            QVERIFY2(trail.integrityProblem().contains(QStringLiteral("audit-log-truncated")),
                     qPrintable(trail.integrityProblem()));
            QVERIFY(recordsReason(trail, "audit-log-truncated"));
        }
        {   // The anchor's seal forged (its content intact): caught once the key is unlocked.
            QTemporaryDir d;
            makeLog(d, 2);
            const QString anchorPath = QDir(d.path()).filePath(QStringLiteral("audit-anchor.tsc"));
            twinseal::proto::AuditAnchorFile f;
            QVERIFY(f.ParseFromString(fileBytes(anchorPath).toStdString()));
            std::string mac = f.mac();
            mac[0] = char(mac[0] ^ 0x55);
            f.set_mac(mac);
            const std::string forged = f.SerializeAsString();
            QVERIFY(writeFileAtomic(anchorPath.toStdString(), twinseal::security::view(forged)).ok());
            AuditTrail trail(d.path());
            QVERIFY(trail.isOpen()); // locked: the seal cannot be checked yet
            QVERIFY(recordsReason(trail, "audit-anchor-invalid"));
            QVERIFY2(trail.integrityProblem().contains(QStringLiteral("audit-anchor-invalid")),
                     qPrintable(trail.integrityProblem()));
            QCOMPARE(evidence(d.path(), "audit-anchor.tsc").size(), 1);
        }
    }

    // A data directory of an older TwinSeal (unsealed anchor: a bare checkpoint; audit.key with
    // the older label) opens, its anchor is sealed at the first unlock and its key relabelled at
    // the next. From then on an unsealed anchor is refused: putting back an older checkpoint of
    // the log as the anchor, with the log cut back to it, fails closed.
    void activityLogOlderAnchorIsSealedOnceAndNeverTakenBack() {
        using namespace twinseal::security;
        const std::string pass = "audit passphrase";
        auto fileBytes = [](const QString& path) {
            QFile f(path);
            return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
        };
        auto write = [](const QString& path, const QByteArray& bytes) {
            return writeFileAtomic(path.toStdString(), twinseal::security::view(bytes.toStdString())).ok();
        };
        auto unlock = [&](AuditTrail& trail, const QString& dir) {
            QString error;
            auto key = AuditTrail::loadOrCreateKey(dir, pass, &error);
            if (!key)
                return false;
            trail.unlocked(std::move(key));
            return true;
        };
        auto label = [&](const QString& keyPath) {
            auto l = SigningKey::peekLabel(twinseal::security::view(fileBytes(keyPath).toStdString()));
            return l.ok() ? QString::fromStdString(*l) : QString();
        };
        QTemporaryDir d;
        const QString keyPath = QDir(d.path()).filePath(QStringLiteral("audit.key"));
        const QString logPath = QDir(d.path()).filePath(QStringLiteral("audit.log"));
        const QString anchorPath = QDir(d.path()).filePath(QStringLiteral("audit-anchor.tsc"));
        {
            AuditTrail trail(d.path());
            QVERIFY(unlock(trail, d.path()));
            for (int i = 0; i < 3; ++i)
                trail.record(audit_event::kDtStatus, {{"n", std::to_string(i)}});
            QVERIFY2(trail.integrityProblem().isEmpty(), qPrintable(trail.integrityProblem()));
        }
        QCOMPARE(label(keyPath), QStringLiteral("TwinSeal audit key (sealed anchors)"));

        // As an older TwinSeal left it: the key relabelled, the anchor its latest checkpoint.
        auto key = SigningKey::loadEncrypted(keyPath.toStdString(), pass);
        QVERIFY(key.ok());
        QVERIFY(key->saveEncrypted(keyPath.toStdString(), pass, {}, "TwinSeal audit key").ok());
        auto sealed = readAuditAnchor(twinseal::security::view(fileBytes(anchorPath).toStdString()));
        QVERIFY(sealed.ok());
        QVERIFY(write(anchorPath, QByteArray(reinterpret_cast<const char*>(sealed->checkpoint.data()),
                                             qsizetype(sealed->checkpoint.size()))));
        {   // Opens (locked), sealed at the unlock; the key keeps its label until the next one.
            AuditTrail trail(d.path());
            QVERIFY(trail.isOpen());
            QVERIFY2(trail.integrityProblem().isEmpty(), qPrintable(trail.integrityProblem()));
            QVERIFY(unlock(trail, d.path()));
            QVERIFY(trail.isOpen());
            QVERIFY(readAuditAnchor(twinseal::security::view(fileBytes(anchorPath).toStdString())).ok());
            QCOMPARE(label(keyPath), QStringLiteral("TwinSeal audit key"));
            trail.record(audit_event::kDtStatus, {{"n", "3"}});
        }
        {
            AuditTrail trail(d.path());
            QVERIFY(trail.isOpen());
            QVERIFY(unlock(trail, d.path()));
            QVERIFY2(trail.integrityProblem().isEmpty(), qPrintable(trail.integrityProblem()));
            QCOMPARE(label(keyPath), QStringLiteral("TwinSeal audit key (sealed anchors)"));
            QVERIFY(trail.verifyOwnLog().ok());
        }

        // The rollback the older format allowed: the log cut back to its second checkpoint, and
        // that checkpoint (genuine, signed by audit.key) put in as an unsealed anchor.
        const QByteArray full = fileBytes(logPath);
        auto records = readAuditRecords(twinseal::security::view(full.toStdString()));
        QVERIFY(records.ok());
        std::size_t cut = 0, checkpoints = 0;
        Bytes older;
        for (const AuditRecord& r : *records)
            if (r.kind == AuditRecordKind::Checkpoint && ++checkpoints == 2) {
                cut = r.offset + r.size;
                older = r.payload;
            }
        QVERIFY(cut > 0 && cut < std::size_t(full.size()));
        QVERIFY(write(logPath, full.left(qsizetype(cut))));
        QVERIFY(write(anchorPath, QByteArray(reinterpret_cast<const char*>(older.data()), qsizetype(older.size()))));
        AuditTrail trail(d.path());
        QVERIFY(!trail.isOpen());
        QVERIFY2(trail.integrityProblem().contains(QStringLiteral("audit-anchor-invalid")),
                 qPrintable(trail.integrityProblem()));
        QCOMPARE(QDir(d.path()).entryList({QStringLiteral("audit.log.damaged-*")}).size(), 1);
    }

    void logForkIsShownFromTheStartAndRecorded() {
        using namespace twinseal::security;
        QTemporaryDir dir;
        auto logKey = SigningKey::generate(KeyAlgorithm::Ed25519);
        QVERIFY(logKey.ok());
        CertificateRequest request;
        request.commonName = "Test Operator Root";
        request.notBefore = 0;
        request.notAfter = 4'000'000'000;
        request.isCa = true;
        auto root = createRootCertificate(*logKey, request);
        QVERIFY(root.ok());
        UsimProfileData profile;
        profile.supi = *Supi::parse("imsi-001010000000001", 2);
        profile.k = SecureBytes(16, 0x01);
        profile.opc = SecureBytes(16, 0x02);
        profile.hnPublicKey = Bytes(32, 0x09);
        profile.serviceUrl = "https://localhost:1";
        profile.tlsCaPem = root->pem();
        profile.trustListPem = root->pem();
        profile.logKey = logKey->publicKey();
        profile.statusListKey = logKey->publicKey();
        profile.operatorName = "Test Operator";
        twinseal::twin::TwinStore store(dir.path());
        QVERIFY(profile.save(store.path(twinseal::twin::layout::kProfile).toStdString()).ok());

        // Two histories of three entries each, both heads signed by the profile's log key.
        auto headOf = [&](const char* history) {
            MerkleLog log;
            for (int i = 0; i < 3; ++i)
                log.appendData(view(std::string(history) + std::to_string(i)));
            return *signTreeHead(3, log.root(), 1'900'000'000, *logKey);
        };
        const SignedTreeHead mine = headOf("mine"), theirs = headOf("theirs");
        twinseal::twin::TreeHeadWitness witness = store.treeHeadWitness();
        auto noProofs = [](std::uint64_t, std::uint64_t, auto done) {
            done(twinseal::netclient::clientError("service-unreachable", "offline"));
        };
        int answers = 0;
        witness.check(profile.logKey, mine, 1'900'000'000, noProofs, [&](auto r) { answers += r.ok(); });
        witness.check(profile.logKey, theirs, 1'900'000'000, noProofs, [&](auto r) {
            answers += !r.ok() && r.error().code == "log-fork";
        });
        QCOMPARE(answers, 2);

        for (int start = 0; start < 2; ++start) {
            TwinController client(TwinController::Options{dir.path(), {}, {}});
            QVERIFY(client.logFork());
            QVERIFY2(client.logForkMessage().contains(QString::fromStdString(toHex(mine.head.rootHash))) &&
                         client.logForkMessage().contains(QString::fromStdString(toHex(theirs.head.rootHash))) &&
                         client.logForkMessage().contains(QStringLiteral("operator")),
                     qPrintable(client.logForkMessage()));
            QString error;
            auto auditKey = AuditTrail::loadOrCreateKey(dir.path(), "audit passphrase", &error);
            QVERIFY2(auditKey, qPrintable(error));
            client.auditTrail().unlocked(std::move(auditKey));
            int forks = 0;
            for (const AuditEntry& e : client.auditTrail().entries())
                forks += e.type == audit_event::kLogHead && e.outcome == AuditOutcome::Failed &&
                         e.reason == "log-fork";
            QCOMPARE(forks, start + 1);
        }
    }
};

TWINSEAL_TEST(SettingsAuditModelsTest, "settings_audit_models")
} // namespace test_settings_audit_models
} // namespace

#include "test_settings_audit_models.moc"
