// A twin backed up on one machine and restored on another, as a person does it, against the real
// twinseal-homenet: the backup made from Settings (two passphrases that differ refused first),
// restored from the first page of the setup into another data directory (a wrong backup
// passphrase and a truncated copy refused by name, nothing written), then unlocked with the
// owner's own passphrase: My Twin shows the same twin, active, and the activity log verifies
// with the backup and the restore in it. twinsealctl restores the same file and verifies the
// log too; it refuses a data directory that holds a twin.
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <twinseal/twin/twin_backup.h>
#include <twinseal/viewmodels/audit_controller.h>
#include <twinseal/viewmodels/audit_list_model.h>
#include <twinseal/viewmodels/settings_controller.h>

#include "gui_client.h"
#include "homenet_fixture.h"
#include "testmain.h"

namespace {
namespace test_backup {

using namespace twinseal;
using namespace twinseal::test;
using namespace twinseal::viewmodels;

namespace {

QString ownPassphrase() { return QStringLiteral("owner passphrase 42"); }
QString backupPassphrase() { return QStringLiteral("backup passphrase, kept apart"); }

int runCtl(const QStringList& args, const QString& passphrase, QByteArray* out) {
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    QProcessEnvironment env = twinsealctlEnvironment();
    env.insert(QStringLiteral("TWINSEAL_PASSPHRASE"), passphrase);
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(TWINSEALCTL_PATH), args);
    if (!p.waitForFinished(60000))
        return -1;
    *out = p.readAll();
    return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
}

QStringList auditTypes(const Client& c) {
    QStringList types;
    auto* model = c.controller->auditController()->entries();
    for (int i = 0; i < model->rowCount(); ++i)
        types << model->data(model->index(i), AuditListModel::TypeRole).toString();
    return types;
}

} // namespace

class BackupTest : public QObject {
    Q_OBJECT

    std::unique_ptr<HomenetServer> m_server;

  private slots:
    void initTestCase() {
        m_server = std::make_unique<HomenetServer>();
        QVERIFY(m_server->start());
    }

    void backedUpInSettingsRestoredOnAnotherMachine() {
        QTemporaryDir first, second, files;
        const QString backup = QDir(files.path()).filePath(QStringLiteral("my-twin.tsbackup"));
        const QString profile = m_server->scratch(QStringLiteral("backup.usim"));
        QVERIFY(m_server->addSubscriber(QStringLiteral("imsi-001010000000081"), profile));
        QString dtId;
        {
            Client a(first.path(), {});
            QVERIFY(QTest::qWaitForWindowExposed(a.window));
            QVERIFY(registerTwin(a, profile, ownPassphrase()));
            dtId = a.controller->dtId();
            QVERIFY(!dtId.isEmpty());
            QVERIFY(a.openPage("settings"));
            SettingsController* settings = a.controller->settings();
            scrollIntoView(a.item("backupCard"));
            QTest::qWait(50); // the scrolled position is drawn
            // Two passphrases that differ: refused, nothing written.
            QVERIFY(type(a.window, a.item("backupPassphraseField"), backupPassphrase()));
            QVERIFY(type(a.window, a.item("backupRepeatField"), QStringLiteral("something else entirely")));
            QTRY_VERIFY(a.item("backupStrengthText")->isVisible());
            QVERIFY(click(a.window, a.item("backUpButton")));
            QVERIFY(choose(a.window, a.dialog("settingsPage", "backupDialog"), backup));
            QTRY_COMPARE(settings->operation()->errorCode(), QStringLiteral("passphrases-differ"));
            QVERIFY(a.shownText("backupOutcomeText").contains(QStringLiteral("not the same")));
            QVERIFY(!QFile::exists(backup));
            settings->operation()->dismissError();
            // The same twice: written, said where.
            QVERIFY(type(a.window, a.item("backupPassphraseField"), backupPassphrase()));
            QVERIFY(type(a.window, a.item("backupRepeatField"), backupPassphrase()));
            QVERIFY(click(a.window, a.item("backUpButton")));
            QVERIFY(choose(a.window, a.dialog("settingsPage", "backupDialog"), backup));
            QTRY_VERIFY_WITH_TIMEOUT(settings->operation()->notice().contains(backup), 30000);
            QVERIFY(settings->operation()->errorCode().isEmpty());
            QVERIFY(QFile::exists(backup));
            QTRY_VERIFY(a.shownText("backupOutcomeText").startsWith(QStringLiteral("Backed up to ")));
            QCOMPARE(a.item("backupPassphraseField")->property("text").toString(), QString());
            a.screenshot("settings-backup");
            QTRY_VERIFY(auditTypes(a).contains(QStringLiteral("twin.backup")));
        }
        // A truncated copy.
        const QString truncated = QDir(files.path()).filePath(QStringLiteral("truncated.tsbackup"));
        {
            QFile in(backup);
            QVERIFY(in.open(QIODevice::ReadOnly));
            QFile out(truncated);
            QVERIFY(out.open(QIODevice::WriteOnly));
            out.write(in.readAll().chopped(64));
        }
        {
            Client b(second.path(), {});
            QVERIFY(QTest::qWaitForWindowExposed(b.window));
            QCOMPARE(b.controller->stage(), Stage::Profile);
            QVERIFY(b.item("restoreCard")->isVisible());
            b.screenshot("restore-card");
            // The wrong backup passphrase, then a truncated copy: refused by name, nothing written.
            QVERIFY(type(b.window, b.item("restorePassphraseField"), QStringLiteral("not the backup passphrase")));
            QVERIFY(click(b.window, b.item("restoreTwinButton")));
            QVERIFY(choose(b.window, b.dialog("onboardingPage", "restoreDialog"), backup));
            QTRY_COMPARE_WITH_TIMEOUT(b.controller->errorCode(), QStringLiteral("wrong-passphrase"), 30000);
            QVERIFY(!twin::holdsTwin(second.path()));
            b.controller->operation()->dismissError();
            QVERIFY(type(b.window, b.item("restorePassphraseField"), backupPassphrase()));
            QVERIFY(click(b.window, b.item("restoreTwinButton")));
            QVERIFY(choose(b.window, b.dialog("onboardingPage", "restoreDialog"), truncated));
            QTRY_COMPARE_WITH_TIMEOUT(b.controller->errorCode(), QStringLiteral("backup-truncated"), 30000);
            QVERIFY(!twin::holdsTwin(second.path()));
            b.controller->operation()->dismissError();
            // The backup: restored, then unlocked with the owner's own passphrase.
            QVERIFY(type(b.window, b.item("restorePassphraseField"), backupPassphrase()));
            QVERIFY(click(b.window, b.item("restoreTwinButton")));
            QVERIFY(choose(b.window, b.dialog("onboardingPage", "restoreDialog"), backup));
            QTRY_COMPARE_WITH_TIMEOUT(b.controller->stage(), Stage::Ready, 30000);
            QVERIFY2(b.controller->errorCode().isEmpty(), qPrintable(b.controller->errorMessage()));
            QCOMPARE(b.controller->dtId(), dtId);
            // The avatar that lived in the old data directory lives in the new one.
            QVERIFY2(b.controller->avatarDir().startsWith(second.path() + QLatin1Char('/')),
                     qPrintable(b.controller->avatarDir()));
            QVERIFY(QFileInfo::exists(b.controller->avatarDir()));
            QTRY_VERIFY(b.controller->locked());
            QTRY_VERIFY(b.item("unlockField") && b.item("unlockField")->isVisible());
            QVERIFY(type(b.window, b.item("unlockField"), ownPassphrase()));
            QVERIFY(click(b.window, b.item("unlockButton")));
            QTRY_VERIFY_WITH_TIMEOUT(!b.controller->locked(), 30000);
            QTRY_COMPARE_WITH_TIMEOUT(b.controller->twinStatus(), QStringLiteral("active"), 30000);
            // The activity log came along and verifies, the backup and the restore in it.
            QVERIFY(b.openPage("audit"));
            QTRY_VERIFY2(auditTypes(b).contains(QStringLiteral("twin.restore")),
                         qPrintable(auditTypes(b).join(QLatin1Char(',')) + QStringLiteral(" | ") +
                                    b.controller->auditController()->integrityProblem()));
            QVERIFY(auditTypes(b).contains(QStringLiteral("twin.backup")));
            QVERIFY(auditTypes(b).contains(QStringLiteral("dt.register")));
            QVERIFY(click(b.window, b.item("verifyAuditButton")));
            QTRY_COMPARE(b.controller->auditController()->verifyState(), QStringLiteral("passed"));
            QVERIFY(b.controller->auditController()->integrityProblem().isEmpty());
            QVERIFY(b.openPage("myTwin"));
            b.screenshot("restored-twin");
        }
        // twinsealctl restores the same file elsewhere and verifies its log; it refuses a data
        // directory holding a twin, and leaves it as it was.
        QTemporaryDir third;
        const QString target = QDir(third.path()).filePath(QStringLiteral("twin"));
        QByteArray out;
        QCOMPARE(runCtl({QStringLiteral("restore"), QStringLiteral("--in"), backup,
                         QStringLiteral("--data-dir"), target},
                        backupPassphrase(), &out),
                 0);
        QVERIFY2(out.contains("activity log verified"), out.constData());
        QVERIFY(twin::holdsTwin(target));
        const QByteArray before = [&] {
            QFile f(QDir(second.path()).filePath(QStringLiteral("audit.log")));
            return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
        }();
        QVERIFY(runCtl({QStringLiteral("restore"), QStringLiteral("--in"), backup,
                        QStringLiteral("--data-dir"), second.path()},
                       backupPassphrase(), &out) != 0);
        QVERIFY2(out.contains("restore-target-not-empty"), out.constData());
        QFile after(QDir(second.path()).filePath(QStringLiteral("audit.log")));
        QVERIFY(after.open(QIODevice::ReadOnly));
        QCOMPARE(after.readAll(), before);
    }

    void cleanupTestCase() {
        m_server.reset();
        QVERIFY(flushSceneGraph());
    }
};

TWINSEAL_TEST(BackupTest, "backup")
} // namespace test_backup
} // namespace

#include "test_backup.moc"
