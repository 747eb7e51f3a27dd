// The Settings and Activity log pages' view-models on their own: the twin's store and the activity
// log, no root view-model. The profile's address and trust list come in by setProfile; what they
// refuse is the page's own failure with its reason code; a changed address is announced by a signal
// and kept in the data directory.
#include <QDir>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <twinseal/twin/twin_store.h>
#include <twinseal/viewmodels/audit_controller.h>
#include <twinseal/viewmodels/audit_trail.h>
#include <twinseal/viewmodels/settings_controller.h>

#include "testmain.h"

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
};

TWINSEAL_TEST(SettingsAuditModelsTest, "settings_audit_models")
} // namespace test_settings_audit_models
} // namespace

#include "test_settings_audit_models.moc"
