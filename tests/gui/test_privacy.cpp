// The Privacy page as a person uses it, against the real twinseal-homenet on loopback: disclosure
// rules added, edited and removed through the real controls (found by objectName) persist across
// a restart of the client; rotating the pseudonym (with its confirmation) shows a new one; a
// lawful disclosure recorded with the operator CLI shows up on the page. Set-up (registration)
// goes through the controller. Any QML warning fails the test.
#include <QDir>
#include <QFile>
#include <QQuickItem>
#include <QQuickWindow>
#include <QTemporaryDir>
#include <QtTest>

#include <twinseal/security/credential.h>
#include <twinseal/viewmodels/privacy_controller.h>
#include <twinseal/viewmodels/twin_controller.h>

#include "gui_client.h"
#include "homenet_fixture.h"
#include "kill_helper.h"
#include "testmain.h"

namespace {
namespace test_privacy {

using namespace twinseal;
using namespace twinseal::test;

namespace {

QString textOf(const Client& c, const char* name) {
    QQuickItem* item = c.item(name);
    return item ? item->property("text").toString() : QString();
}

// The Privacy page's own state and the twin's.
bool busy(const Client& c) { return c.controller->busy() || c.controller->privacy()->operation()->busy(); }
QString errorCode(const Client& c) {
    const QString page = c.controller->privacy()->operation()->errorCode();
    return page.isEmpty() ? c.controller->errorCode() : page;
}

const auto& testPassphrase() {
    static const QString value = QStringLiteral("privacy passphrase");
    return value;
}

} // namespace

class PrivacyGuiTest : public QObject {
    Q_OBJECT

    std::unique_ptr<HomenetServer> m_server;
    QString m_profile;

private slots:
    void initTestCase() {
        m_server = std::make_unique<HomenetServer>();
        QVERIFY(m_server->start());
        m_profile = m_server->scratch(QStringLiteral("grace.usim"));
        QVERIFY(m_server->addSubscriber(QStringLiteral("imsi-001010000000077"), m_profile,
                                        {QStringLiteral("--name"), QStringLiteral("Dr. Grace Lin"),
                                         QStringLiteral("--role"), QStringLiteral("anaesthetist"),
                                         QStringLiteral("--licence-id"), QStringLiteral("GMC-77")}));
    }
    void init() {
        QTest::failOnWarning(QRegularExpression(QStringLiteral(".*(qml|QML|\\.js|Binding loop).*")));
    }

    void rulesRotationAndLawfulDisclosuresThroughThePage() {
        QTemporaryDir data;
        QString rotatedPseudonym;
        {
            Client c(data.path(), {});
            QVERIFY(c.window);
            QVERIFY(QTest::qWaitForWindowExposed(c.window));
            QVERIFY(registerTwin(c, m_profile, testPassphrase()));
            QCOMPARE(errorCode(c), QString());
            QVERIFY(c.openPage("privacy"));
            const QString first = c.controller->pseudonym();
            QVERIFY(first.startsWith(QStringLiteral("twin-")));
            QTRY_COMPARE(textOf(c, "pseudonymText"), first);
            QVERIFY(c.item("noRulesText")->isVisible());

            // A rule for a room: name and licence id.
            QVERIFY(type(c.window, c.item("ruleTargetField"), QStringLiteral("theatre-3")));
            QVERIFY(click(c.window, c.item("ruleNameCheck")));
            QVERIFY(click(c.window, c.item("ruleLicenceIdCheck")));
            QVERIFY(click(c.window, c.item("saveRuleButton")));
            QTRY_COMPARE(textOf(c, "ruleTarget_0"), QStringLiteral("theatre-3"));
            QCOMPARE(textOf(c, "ruleSummary_0"), QStringLiteral("Sees: Name, Licence ID"));
            QVERIFY(!c.item("noRulesText")->isVisible());
            QCOMPARE(c.controller->privacy()->disclosuresFor(QStringLiteral("theatre-3")).size(),
                     std::size_t{2});
            // The editor was cleared; Edit fills it again, and the role is added.
            QCOMPARE(textOf(c, "ruleTargetField"), QString());
            QVERIFY(click(c.window, c.item("editRule_0")));
            QTRY_COMPARE(textOf(c, "ruleTargetField"), QStringLiteral("theatre-3"));
            QVERIFY(c.item("ruleNameCheck")->property("checked").toBool());
            QVERIFY(!c.item("ruleRoleCheck")->property("checked").toBool());
            QVERIFY(click(c.window, c.item("ruleRoleCheck")));
            QVERIFY(click(c.window, c.item("saveRuleButton")));
            QTRY_COMPARE(textOf(c, "ruleSummary_0"), QStringLiteral("Sees: Name, Role, Licence ID"));
            // A second rule, removed again.
            QVERIFY(type(c.window, c.item("ruleTargetField"), QStringLiteral("lobby")));
            QVERIFY(click(c.window, c.item("saveRuleButton")));
            QTRY_COMPARE(textOf(c, "ruleSummary_1"), QStringLiteral("Sees: Pseudonym only"));
            QVERIFY(click(c.window, c.item("removeRule_1")));
            QTRY_VERIFY(c.item("ruleTarget_1") == nullptr);
            QCOMPARE(c.controller->privacy()->rules()->rowCount(), 1);

            // Rotation: confirm first; cancelling changes nothing.
            QVERIFY(!c.item("rotateConfirmPane")->isVisible());
            QVERIFY(click(c.window, c.item("rotatePseudonymButton")));
            QTRY_VERIFY(c.item("rotateConfirmPane")->isVisible());
            QVERIFY(click(c.window, c.item("cancelRotateButton")));
            QTRY_VERIFY(!c.item("rotateConfirmPane")->isVisible());
            QCOMPARE(c.controller->pseudonym(), first);
            QVERIFY(click(c.window, c.item("rotatePseudonymButton")));
            QTRY_VERIFY(c.item("rotateConfirmPane")->isVisible());
            QVERIFY(click(c.window, c.item("confirmRotateButton")));
            QTRY_VERIFY_WITH_TIMEOUT(textOf(c, "pseudonymText") != first, 20000);
            QTRY_VERIFY_WITH_TIMEOUT(!busy(c), 20000);
            QCOMPARE(errorCode(c), QString());
            rotatedPseudonym = textOf(c, "pseudonymText");
            QCOMPARE(rotatedPseudonym, c.controller->pseudonym());
            QVERIFY(rotatedPseudonym.startsWith(QStringLiteral("twin-")));
            QVERIFY(textOf(c, "noticeText").contains(rotatedPseudonym));
            // The rule still presents disclosures of the new credential.
            QCOMPARE(c.controller->privacy()->disclosuresFor(QStringLiteral("theatre-3")).size(),
                     std::size_t{3});

            // Lawful disclosure recorded by the operator, then checked on the page.
            QVERIFY(click(c.window, c.item("refreshDisclosuresButton")));
            QTRY_COMPARE_WITH_TIMEOUT(textOf(c, "noDisclosuresText"), QStringLiteral("None recorded."), 15000);
            QByteArray out;
            QCOMPARE(m_server->runTool({QStringLiteral("disclosure"), QStringLiteral("record"),
                                        QStringLiteral("--dt-id"), c.controller->dtId(),
                                        QStringLiteral("--authority"), QStringLiteral("Coroner's Court"),
                                        QStringLiteral("--case-ref"), QStringLiteral("CC-19"),
                                        QStringLiteral("--legal-basis"), QStringLiteral("Coroners Act s.32"),
                                        QStringLiteral("--attributes"), QStringLiteral("name,role")},
                                       &out),
                     0);
            QVERIFY(click(c.window, c.item("refreshDisclosuresButton")));
            QTRY_COMPARE_WITH_TIMEOUT(textOf(c, "lawfulAuthority_0"), QStringLiteral("Coroner's Court"), 15000);
            QCOMPARE(textOf(c, "lawfulCaseRef_0"), QStringLiteral("CC-19"));
            QCOMPARE(textOf(c, "lawfulLegalBasis_0"), QStringLiteral("Coroners Act s.32"));
            QCOMPARE(textOf(c, "lawfulAttributes_0"), QStringLiteral("Name, Role"));
            QVERIFY(!textOf(c, "lawfulTime_0").isEmpty());
            // Checked against the home network's transparency log, said in words.
            QVERIFY2(textOf(c, "lawfulVerification_0").startsWith(QStringLiteral("Verified:")),
                     qPrintable(textOf(c, "lawfulVerification_0")));
            QVERIFY(!c.item("noDisclosuresRow")->isVisible());
            c.screenshot("privacy"); // only with TWINSEAL_SCREENSHOT_DIR set
        }

        // A restart keeps the rules and shows the rotated pseudonym.
        Client again(data.path(), {});
        QVERIFY(again.window);
        QVERIFY(QTest::qWaitForWindowExposed(again.window));
        QCOMPARE(again.controller->stage(), Stage::Ready);
        QVERIFY(again.openPage("privacy"));
        QTRY_COMPARE(textOf(again, "pseudonymText"), rotatedPseudonym);
        QTRY_COMPARE(textOf(again, "ruleTarget_0"), QStringLiteral("theatre-3"));
        QCOMPARE(textOf(again, "ruleSummary_0"), QStringLiteral("Sees: Name, Role, Licence ID"));
        QVERIFY(again.item("ruleTarget_1") == nullptr);
        // Locked after a restart: rotation needs the holder key.
        QVERIFY(again.controller->locked());
        QVERIFY(!again.item("rotatePseudonymButton")->isEnabled());
        QVERIFY(again.item("rotateLockedHint")->isVisible());
    }

    // The client is killed for real (SIGKILL, a process of its own) after the home network issued
    // the credential with the new pseudonym and before it was stored. The next start finds the
    // journal, asks the home network and adopts its current credential: the new pseudonym, the
    // one the home network holds, is shown, and the superseded credential is gone from disk.
    void rotationKilledAfterTheAnswerIsAdopted() {
        QTemporaryDir data;
        const QString profile = m_server->scratch(QStringLiteral("hal.usim"));
        QVERIFY(m_server->addSubscriber(QStringLiteral("imsi-001010000000078"), profile,
                                        {QStringLiteral("--name"), QStringLiteral("Hal Quist")}));
        QString before;
        {
            Client c(data.path(), {});
            QVERIFY(c.window);
            QVERIFY(registerTwin(c, profile, testPassphrase()));
            QCOMPARE(errorCode(c), QString());
            before = c.controller->pseudonym();
        }
        QString why;
        QVERIFY2(killedAt(QStringLiteral("rotate-pseudonym:answered"),
                          {data.path(), profile, testPassphrase(),
                           QStringLiteral("rotate-pseudonym")},
                          &why),
                 qPrintable(why));
        const QString journal = QDir(data.path()).filePath(QStringLiteral("pending.json"));
        QVERIFY(QFile::exists(journal));

        Client restarted(data.path(), {});
        QVERIFY(restarted.window);
        // Asking the home network needs the profile's K and OPc: the journal waits for the unlock.
        QVERIFY(QFile::exists(journal));
        restarted.controller->unlock(testPassphrase());
        // Every notice since the start: the status refresh may follow the outcome at once.
        QTRY_VERIFY2_WITH_TIMEOUT(restarted.noticesShown().contains(QStringLiteral("rotation had completed")),
                                  qPrintable(restarted.noticesShown()), 30000);
        QVERIFY(!QFile::exists(journal));
        QCOMPARE(restarted.controller->errorCode(), QString());
        const QString after = restarted.controller->pseudonym();
        QVERIFY(after != before);
        QVERIFY(restarted.controller->notice().contains(after));
        auto dts = await<std::vector<netclient::DtRecord>>(
            [&](netclient::ClientCallback<std::vector<netclient::DtRecord>> done) { restarted.controller->client()->listDts(std::move(done)); });
        QVERIFY(dts.ok());
        QCOMPARE(dts->size(), std::size_t{1});
        auto held = security::parseCredential(dts->front().credential);
        QVERIFY(held.ok());
        QCOMPARE(QString::fromStdString(held->claims.pseudonym), after);
        QVERIFY(restarted.openPage("privacy"));
        QTRY_COMPARE(textOf(restarted, "pseudonymText"), after);
    }

    void cleanupTestCase() {
        m_server.reset();
        QVERIFY(flushSceneGraph());
    }
};

TWINSEAL_TEST(PrivacyGuiTest, "privacy")
} // namespace test_privacy
} // namespace

#include "test_privacy.moc"
