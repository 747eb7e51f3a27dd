// The Activity log and Settings pages as a person uses them, against the real twinseal-homenet:
// the log records the twin's operations; it is filtered and exported (JSON and CBOR) through the
// page's controls; the exports verify with `twinsealctl audit verify` and an edited export is
// refused; an edited log on disk is caught by "Verify log" and, on the next start, kept as
// evidence while a new log starts. Settings (theme, home network address, an added trust root)
// persist across a restart; a wrong address and a non-root certificate are refused by name; every
// page is reached with the keyboard alone.
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <twinseal/security/audit.h>
#include <twinseal/security/bytes.h>
#include <twinseal/security/keys.h>
#include <twinseal/security/x509.h>
#include <twinseal/viewmodels/audit_controller.h>
#include <twinseal/viewmodels/audit_list_model.h>
#include <twinseal/viewmodels/settings_controller.h>

#include "gui_client.h"
#include "homenet_fixture.h"
#include "testmain.h"

namespace {
namespace test_audit_settings {

using namespace twinseal;
using namespace twinseal::test;
using namespace twinseal::viewmodels;

namespace {

const auto& testPassphrase() {
    static const QString value = QStringLiteral("activity passphrase");
    return value;
}

int runCtl(const QStringList& args, QByteArray* out = nullptr) {
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(QStringLiteral(TWINSEALCTL_PATH), args);
    if (!p.waitForFinished(30000))
        return -1;
    if (out)
        *out = p.readAll();
    return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
}

bool typeInto(const Client& c, const char* field, const QString& text) {
    auto* f = c.item(field);
    if (!click(c.window, f))
        return false;
    f->forceActiveFocus();
    QTest::keyClick(c.window, Qt::Key_A, Qt::ControlModifier); // select all, then type over it
    QTest::keyClick(c.window, Qt::Key_Backspace);
    for (const QChar ch : text)
        QTest::keyClick(c.window, ch.toLatin1());
    return f->property("text").toString() == text;
}

} // namespace

class AuditSettingsTest : public QObject {
    Q_OBJECT

    std::unique_ptr<HomenetServer> m_server;

private slots:
    void initTestCase() { m_server = std::make_unique<HomenetServer>(); QVERIFY(m_server->start()); }

    void activityLogIsFilteredExportedAndTamperEvident() {
        QTemporaryDir data;
        const QString profile = m_server->scratch(QStringLiteral("audit.usim"));
        QVERIFY(m_server->addSubscriber(QStringLiteral("imsi-001010000000071"), profile));
        const QString exportJson = QDir(data.path()).filePath(QStringLiteral("export/activity.json"));
        const QString exportCbor = QDir(data.path()).filePath(QStringLiteral("export/activity.cbor"));
        QVERIFY(QDir().mkpath(QFileInfo(exportJson).path()));
        {
            Client c(data.path(), {});
            QVERIFY(c.window);
            QVERIFY(QTest::qWaitForWindowExposed(c.window));
            QVERIFY(registerTwin(c, profile, testPassphrase()));
            QVERIFY(c.openPage("audit"));
            c.screenshot("audit");
            auto* model = c.controller->auditController()->entries();
            // key created, registration, avatar upload, status check: each recorded and signed.
            QTRY_VERIFY2(model->total() >= 4, qPrintable(QStringLiteral("%1 entries; %2").arg(model->total()).arg(c.controller->auditController()->integrityProblem())));
            QStringList types;
            for (int i = 0; i < model->rowCount(); ++i)
                types << model->data(model->index(i), AuditListModel::TypeRole).toString();
            QVERIFY2(types.contains(QStringLiteral("dt.register")), qPrintable(types.join(',')));
            QVERIFY(types.contains(QStringLiteral("avatar.upload")));
            QVERIFY(types.contains(QStringLiteral("key.unlock")));
            QCOMPARE(types.last(), QStringLiteral("key.unlock")); // newest first
            QVERIFY(model->data(model->index(0), AuditListModel::SignedRole).toBool());

            // Filter by typing into the search field, then by outcome with the keyboard.
            QVERIFY(typeInto(c, "auditSearchField", QStringLiteral("upload")));
            QTRY_COMPARE(model->rowCount(), 1);
            QCOMPARE(model->data(model->index(0), AuditListModel::TypeRole).toString(), QStringLiteral("avatar.upload"));
            QVERIFY(typeInto(c, "auditSearchField", QString()));
            QTRY_COMPARE(model->rowCount(), model->total());
            auto* outcome = c.item("auditOutcomeFilter");
            QVERIFY(outcome);
            outcome->forceActiveFocus();
            QTest::keyClick(c.window, Qt::Key_Down); // "Succeeded"
            QTest::keyClick(c.window, Qt::Key_Down); // "Failed"
            QTRY_COMPARE(c.controller->auditController()->outcome(), QStringLiteral("failed"));
            QCOMPARE(model->rowCount(), 0); // nothing failed
            QTest::keyClick(c.window, Qt::Key_Up);
            QTest::keyClick(c.window, Qt::Key_Up);
            QTRY_COMPARE(model->rowCount(), model->total());

            // "Verify log": intact, everything signed.
            QVERIFY(click(c.window, c.item("verifyAuditButton")));
            QTRY_COMPARE(c.controller->auditController()->verifyState(), QStringLiteral("passed"));

            // Export both ways through the page.
            QVERIFY(typeInto(c, "auditExportPath", exportJson));
            QVERIFY(click(c.window, c.item("exportJsonButton")));
            QTRY_VERIFY(QFile::exists(exportJson));
            QVERIFY(click(c.window, c.item("exportCborButton")));
            QTRY_VERIFY(QFile::exists(exportCbor));
            QVERIFY(c.controller->auditController()->operation()->errorCode().isEmpty());
            QVERIFY(c.controller->errorCode().isEmpty());
            QCOMPARE(model->data(model->index(0), AuditListModel::TypeRole).toString(), QStringLiteral("audit.export"));
        }
        const QString key = QDir(data.path()).filePath(QStringLiteral("audit.key"));
        const QString anchor = QDir(data.path()).filePath(QStringLiteral("audit-anchor.tsc"));
        QByteArray out;
        QCOMPARE(runCtl({QStringLiteral("audit"), QStringLiteral("verify"), QStringLiteral("--key"), key, exportJson}, &out), 0);
        QVERIFY2(out.contains("[INTACT]"), out.constData());
        QCOMPARE(runCtl({QStringLiteral("audit"), QStringLiteral("verify"), QStringLiteral("--key"), key, exportCbor}, &out), 0);
        QCOMPARE(runCtl({QStringLiteral("audit"), QStringLiteral("verify"), QStringLiteral("--key"), key,
                         QStringLiteral("--anchor"), anchor, QDir(data.path()).filePath(QStringLiteral("audit.log"))}, &out), 0);

        // An edited export: the registration's DT id changed in the displayed fields.
        QFile json(exportJson);
        QVERIFY(json.open(QIODevice::ReadOnly));
        QByteArray text = json.readAll();
        json.close();
        const qsizetype at = text.indexOf("\"avatar.upload\"");
        QVERIFY(at > 0);
        text.replace(at, 15, "\"avatar.delete\"");
        const QString edited = QDir(data.path()).filePath(QStringLiteral("export/edited.json"));
        QFile e(edited);
        QVERIFY(e.open(QIODevice::WriteOnly));
        e.write(text);
        e.close();
        QVERIFY(runCtl({QStringLiteral("audit"), QStringLiteral("verify"), QStringLiteral("--key"), key, edited}, &out) != 0);
        QVERIFY2(out.contains("[FAILED]") && out.contains("modified"), out.constData());

        // An edited log on disk: one byte of the first entry's payload.
        const QString logPath = QDir(data.path()).filePath(QStringLiteral("audit.log"));
        QFile log(logPath);
        QVERIFY(log.open(QIODevice::ReadWrite));
        QByteArray bytes = log.readAll();
        const qsizetype entry = bytes.indexOf("key.unlock");
        QVERIFY(entry > 0);
        bytes[entry] = 'K';
        QVERIFY(log.seek(0));
        QCOMPARE(log.write(bytes), bytes.size());
        log.close();
        {
            Client c(data.path(), {});
            QVERIFY(c.window);
            QVERIFY(c.openPage("audit"));
            // On start the log failed verification: kept as evidence, a new one is started.
            QTRY_VERIFY(c.item("auditIntegrityProblem") && c.item("auditIntegrityProblem")->isVisible());
            QVERIFY(c.controller->auditController()->integrityProblem().contains(QStringLiteral("failed verification")));
            QStringList evidence = QDir(data.path()).entryList({QStringLiteral("audit.log.damaged-*")});
            QCOMPARE(evidence.size(), 1);
            QVERIFY(runCtl({QStringLiteral("audit"), QStringLiteral("verify"), QStringLiteral("--key"), key,
                            QDir(data.path()).filePath(evidence.first())}) != 0);
            // "Verify an export…" of the edited one, through the view-model (a file dialog).
            c.controller->auditController()->verifyFile(QUrl::fromLocalFile(edited));
            QTRY_COMPARE(c.controller->auditController()->verifyState(), QStringLiteral("failed"));
            QVERIFY(c.item("auditVerification")->isVisible());
            // Unlocking starts the new log with its first signed entry.
            c.controller->unlock(testPassphrase());
            QTRY_VERIFY_WITH_TIMEOUT(!c.controller->locked(), 15000); // three scrypt openings
            QTRY_VERIFY(c.controller->auditController()->entries()->total() >= 1);
            QVERIFY(click(c.window, c.item("verifyAuditButton")));
            QTRY_COMPARE(c.controller->auditController()->verifyState(), QStringLiteral("passed"));
        }
    }

    void settingsPersistAcrossRestart() {
        QTemporaryDir data;
        const QString profile = m_server->scratch(QStringLiteral("settings.usim"));
        QVERIFY(m_server->addSubscriber(QStringLiteral("imsi-001010000000072"), profile));
        // Another operator's root, and a certificate that is not a root.
        auto rootKey = security::SigningKey::generate(security::KeyAlgorithm::EcdsaP256);
        QVERIFY(rootKey.ok());
        const std::int64_t now = QDateTime::currentSecsSinceEpoch();
        security::CertificateRequest req{"Other Operator Root", "Other Operator", now - 60, now + 86400, true};
        auto root = security::createRootCertificate(*rootKey, req);
        QVERIFY(root.ok());
        auto leafKey = security::SigningKey::generate(security::KeyAlgorithm::EcdsaP256);
        QVERIFY(leafKey.ok());
        security::CertificateRequest leafReq{"Some Issuer", "Other Operator", now - 60, now + 86400, false};
        auto leaf = security::issueCertificate(*rootKey, *root, leafKey->publicKey(), leafReq);
        QVERIFY(leaf.ok());
        const QString rootPem = QDir(data.path()).filePath(QStringLiteral("other-root.pem"));
        const QString leafPem = QDir(data.path()).filePath(QStringLiteral("issuer.pem"));
        QVERIFY(security::writeFileAtomic(rootPem.toStdString(), security::view(root->pem())).ok());
        QVERIFY(security::writeFileAtomic(leafPem.toStdString(), security::view(leaf->pem())).ok());
        const QString moved = m_server->url().replace(QStringLiteral("localhost"), QStringLiteral("127.0.0.1"));
        const QString dataDir = QDir(data.path()).filePath(QStringLiteral("client"));
        int expectedRoots = 0;
        {
            Client c(dataDir, {});
            QVERIFY(c.window);
            QVERIFY(QTest::qWaitForWindowExposed(c.window));
            QVERIFY(registerTwin(c, profile, testPassphrase()));
            QVERIFY(c.openPage("settings"));
            auto* settings = c.controller->settings();
            const int profileRoots = settings->trustList()->rowCount();
            QVERIFY(profileRoots >= 1);

            QVERIFY(click(c.window, c.item("themeDark")));
            QTRY_COMPARE(settings->theme(), QStringLiteral("dark"));

            QVERIFY(typeInto(c, "homeNetworkAddressField", QStringLiteral("http://dt.example")));
            QVERIFY(click(c.window, c.item("applyHomeNetworkButton")));
            QTRY_COMPARE(settings->operation()->errorCode(), QStringLiteral("address-invalid"));
            QTRY_VERIFY(c.item("errorBanner") && c.item("errorBanner")->isVisible());
            c.screenshot("settings-error");
            settings->operation()->dismissError();
            QVERIFY(typeInto(c, "homeNetworkAddressField", moved));
            QVERIFY(click(c.window, c.item("applyHomeNetworkButton")));
            QTRY_COMPARE(settings->homeNetworkAddress(), moved);
            QCOMPARE(c.controller->serviceUrl(), moved);

            // A root is added (the file dialog's answer), a non-root refused by name.
            QVERIFY(!settings->addTrustedRoot(QUrl::fromLocalFile(leafPem)));
            QCOMPARE(settings->operation()->errorCode(), QStringLiteral("certificate-not-root"));
            settings->operation()->dismissError();
            QVERIFY(settings->addTrustedRoot(QUrl::fromLocalFile(rootPem)));
            expectedRoots = profileRoots + 1;
            QCOMPARE(settings->trustList()->rowCount(), expectedRoots);
            c.screenshot("settings");
        }
        {
            Client c(dataDir, {});
            QVERIFY(c.window);
            QVERIFY(QTest::qWaitForWindowExposed(c.window));
            auto* settings = c.controller->settings();
            QCOMPARE(settings->theme(), QStringLiteral("dark"));
            QCOMPARE(c.window->property("color").value<QColor>(), QColor(QStringLiteral("#15181d")));
            QCOMPARE(settings->homeNetworkAddress(), moved);
            QCOMPARE(settings->profileAddress(), m_server->url()); // the profile is left as it was
            QCOMPARE(settings->trustList()->rowCount(), expectedRoots);
            QVERIFY(c.openPage("settings"));
            // The added root can be removed with its button; the profile's cannot.
            const int rows = settings->trustList()->rowCount();
            QVERIFY(!c.item("removeTrustRoot_0")->isVisible());
            QVERIFY(click(c.window, c.item(qPrintable(QStringLiteral("removeTrustRoot_%1").arg(rows - 1)))));
            QTRY_COMPARE(settings->trustList()->rowCount(), rows - 1);
            // The home network answers at the moved address (status check through it).
            c.controller->refreshStatus();
            QTRY_COMPARE_WITH_TIMEOUT(c.controller->twinStatus(), QStringLiteral("active"), 20000);
            c.controller->settings()->setTheme(QStringLiteral("light"));

            // Keyboard only: Ctrl+N opens page N; Tab walks the navigation rail.
            c.window->requestActivate();
            QVERIFY(QTest::qWaitForWindowActive(c.window));
            const std::pair<Qt::Key, const char*> pages[] = {{Qt::Key_2, "ownershipPage"}, {Qt::Key_3, "callsPage"},
                                                             {Qt::Key_4, "privacyPage"}, {Qt::Key_5, "auditPage"},
                                                             {Qt::Key_6, "settingsPage"}, {Qt::Key_1, "myTwinPage"}};
            for (const auto& [key, page] : pages) {
                QTest::keyClick(c.window, key, Qt::ControlModifier);
                QTRY_VERIFY2(c.item(page) && c.item(page)->isVisible(), page);
            }
            auto* first = c.item("nav_myTwin");
            first->forceActiveFocus(Qt::TabFocusReason);
            QTRY_VERIFY(first->hasActiveFocus());
            QTest::keyClick(c.window, Qt::Key_Tab);
            QTRY_VERIFY(c.item("nav_ownership")->hasActiveFocus());
            QTest::keyClick(c.window, Qt::Key_Space);
            QTRY_VERIFY(c.item("ownershipPage") && c.item("ownershipPage")->isVisible());
        }
    }

    void cleanupTestCase() {
        m_server.reset();
        QVERIFY(flushSceneGraph());
    }
};

TWINSEAL_TEST(AuditSettingsTest, "audit-settings")
} // namespace test_audit_settings
} // namespace

#include "test_audit_settings.moc"
