// The first run's failures as a person meets them, against the real twinseal-homenet on loopback,
// through the real controls (found by objectName): a garbled profile dropped on the window and a
// wrong file chosen in the file dialog, a profile dragged in and dropped, an avatar folder without
// a model and one with a corrupt GLB, the home network unreachable (then reached after fixing the
// address in Settings), and AKA failing for a profile with a wrong K or OPc. Each shows its reason
// code and words, and leaves nothing behind: no credential, no DT registered with the service.
#include <QDir>
#include <QFile>
#include <QQuickItem>
#include <QQuickWindow>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QtTest>

#include <twinseal/security/subscriber.h>
#include <twinseal/viewmodels/twin_controller.h>

#include "gui_client.h"
#include "homenet_fixture.h"
#include "testmain.h"

namespace {
namespace test_first_run_errors {

using namespace twinseal;
using namespace twinseal::test;

namespace {

const auto& testPassphrase() {
    static const QString value = QStringLiteral("first run passphrase");
    return value;
}

bool writeFile(const QString& path, const QByteArray& bytes) {
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size();
}

// A copy of `profile` at `to`, changed by `change` (a profile for a wrong address or key).
bool profileVariant(const QString& profile, const QString& to,
                    const std::function<void(security::UsimProfileData&)>& change) {
    auto p = security::UsimProfileData::load(profile.toStdString());
    if (!p.ok())
        return false;
    change(*p);
    return p->save(to.toStdString()).ok();
}

// A loopback port nothing listens on.
quint16 closedPort() {
    QTcpServer s;
    if (!s.listen(QHostAddress::LocalHost))
        return 0;
    const quint16 port = s.serverPort();
    s.close();
    return port;
}

} // namespace

class FirstRunErrorsTest : public QObject {
    Q_OBJECT

    std::unique_ptr<HomenetServer> m_server;
    QString m_profile; // a good profile for this service
    int m_subscribers = 0;

    // A new subscriber's good profile.
    QString newProfile(const char* name) {
        const QString path = m_server->scratch(QString::fromLatin1(name) + QStringLiteral(".usim"));
        const QString supi = QStringLiteral("imsi-00101000000%1").arg(4100 + ++m_subscribers);
        return m_server->addSubscriber(supi, path) ? path : QString();
    }

    // Nothing of a twin was created on this device or with the service.
    void verifyNothingCreated(const Client& c, int dtsBefore) {
        for (const char* file : {"credential.tsc", "receipt.tslr", "manifest.tsm", "pending.json"})
            QVERIFY2(!QFile::exists(c.controller->dataFile(QString::fromLatin1(file))), file);
        QCOMPARE(c.controller->dtId(), QString());
        QCOMPARE(dtCount(*m_server), dtsBefore);
    }

    // The error banner shows `code` and words containing `words`.
    void verifyBanner(const Client& c, const QString& code, const QString& words) {
        QTRY_VERIFY2(c.controller->errorCode() == code, qPrintable(c.controller->errorCode() + QStringLiteral(": ") + c.controller->errorMessage()));
        QTRY_VERIFY(c.item("errorBanner")->isVisible());
        QCOMPARE(c.shownText("errorCode"), QStringLiteral("Reason code: %1").arg(code));
        QVERIFY2(c.shownText("errorMessage").contains(words), qPrintable(c.shownText("errorMessage")));
    }

private slots:
    void initTestCase() {
        m_server = std::make_unique<HomenetServer>();
        QVERIFY(m_server->start());
        m_profile = newProfile("good");
        QVERIFY(!m_profile.isEmpty());
    }

    void garbledProfileDroppedIsRefused() {
        QTemporaryDir data;
        Client c(data.path(), {});
        QVERIFY(c.window);
        QVERIFY(QTest::qWaitForWindowExposed(c.window));
        const QString garbled = QDir(data.path()).filePath(QStringLiteral("garbled.usim"));
        QFile good(m_profile);
        QVERIFY(good.open(QIODevice::ReadOnly));
        QByteArray bytes = good.readAll();
        bytes.truncate(bytes.size() / 2); // cut off in the middle, as a broken download is
        QVERIFY(writeFile(garbled, bytes));

        QCOMPARE(c.shownText("profileDropHint"), QStringLiteral("Drop your profile file here"));
        FileDrag drag(c.window, c.item("profileDropArea"), {QUrl::fromLocalFile(garbled)});
        QVERIFY(drag.accepted());
        // Dragging over the area is announced in words, not only by a tint.
        QTRY_VERIFY(c.shownText("profileDropHint").contains(QStringLiteral("Release to import")));
        drag.drop();
        verifyBanner(c, QStringLiteral("usim-profile-invalid"), QStringLiteral("operator"));
        QCOMPARE(c.shownText("profileDropHint"), QStringLiteral("Drop your profile file here"));
        QCOMPARE(c.controller->stage(), Stage::Profile);
        QVERIFY(!QFile::exists(c.controller->dataFile(QStringLiteral("profile.usim"))));
        c.screenshot("onboarding-error");
    }

    void wrongFileChosenIsRefused() {
        QTemporaryDir data;
        Client c(data.path(), {});
        QVERIFY(c.window);
        QVERIFY(QTest::qWaitForWindowExposed(c.window));
        // The user picks the avatar model instead of the profile.
        QVERIFY(click(c.window, c.item("chooseProfileButton")));
        QVERIFY(choose(c.window, c.dialog("onboardingPage", "profileDialog"),
                       QStringLiteral(TWINSEAL_SOURCE_DIR "/resources/avatar/sample-avatar.glb")));
        verifyBanner(c, QStringLiteral("usim-profile-invalid"), QStringLiteral("operator"));
        QCOMPARE(c.controller->stage(), Stage::Profile);
        QVERIFY(!QFile::exists(c.controller->dataFile(QStringLiteral("profile.usim"))));
        // Dismissed, and a drag taken away again changes nothing.
        QVERIFY(click(c.window, c.item("dismissErrorButton")));
        QTRY_VERIFY(!c.item("errorBanner")->isVisible());
        FileDrag away(c.window, c.item("profileDropArea"), {QUrl::fromLocalFile(m_profile)});
        QVERIFY(away.accepted());
        away.leave();
        QTRY_COMPARE(c.shownText("profileDropHint"), QStringLiteral("Drop your profile file here"));
        QCOMPARE(c.controller->stage(), Stage::Profile);
    }

    void droppedProfileIsImported() {
        QTemporaryDir data;
        Client c(data.path(), {});
        QVERIFY(c.window);
        QVERIFY(QTest::qWaitForWindowExposed(c.window));
        FileDrag drag(c.window, c.item("profileDropArea"), {QUrl::fromLocalFile(m_profile)});
        QVERIFY(drag.accepted());
        drag.drop();
        QTRY_COMPARE(c.controller->stage(), Stage::Passphrase);
        QCOMPARE(c.controller->errorCode(), QString());
        // K and OPc are not written before the passphrase can seal them.
        QVERIFY(!QFile::exists(c.controller->dataFile(QStringLiteral("profile.usim"))));
        QTRY_VERIFY(c.item("passphraseField") && c.item("passphraseField")->isVisible());
        c.screenshot("onboarding-passphrase");
        c.controller->choosePassphrase(testPassphrase(), testPassphrase());
        QTRY_COMPARE_WITH_TIMEOUT(c.controller->stage(), Stage::Avatar, 30000);
        auto stored = security::UsimProfileData::load(c.controller->dataFile(QStringLiteral("profile.usim")).toStdString());
        QVERIFY(stored.ok());
        QVERIFY(stored->sealed());
        QVERIFY(!stored->hasSecrets());
    }

    void avatarWithoutModelOrCorruptIsRefused() {
        QTemporaryDir data;
        Client c(data.path(), {});
        QVERIFY(c.window);
        QVERIFY(toAvatarStep(c, newProfile("avatar"), testPassphrase()));
        const int dts = dtCount(*m_server);
        QVERIFY(dts >= 0);

        // A folder with only a picture: no model.
        const QString noModel = QDir(data.path()).filePath(QStringLiteral("holiday"));
        QVERIFY(QDir().mkpath(noModel));
        QVERIFY(writeFile(QDir(noModel).filePath(QStringLiteral("photo.png")), QByteArray("not a model")));
        QTRY_VERIFY(c.item("chooseAvatarButton") && c.item("chooseAvatarButton")->isVisible());
        QVERIFY(click(c.window, c.item("chooseAvatarButton")));
        QVERIFY(choose(c.window, c.dialog("onboardingPage", "avatarDialog"), noModel));
        verifyBanner(c, QStringLiteral("avatar-package-invalid"), QStringLiteral("has no .glb or .gltf model"));
        QCOMPARE(c.shownText("chosenAvatar"), QStringLiteral("No avatar chosen yet"));
        QVERIFY(!c.item("registerButton")->isEnabled());

        // A folder whose GLB is not one: accepted as a choice, refused when it is hashed.
        const QString corrupt = avatarCopy(QDir(data.path()).filePath(QStringLiteral("corrupt")));
        QVERIFY(writeFile(QDir(corrupt).filePath(QStringLiteral("sample-avatar.glb")),
                          QByteArray(4096, 'x')));
        QVERIFY(click(c.window, c.item("chooseAvatarButton")));
        QVERIFY(choose(c.window, c.dialog("onboardingPage", "avatarDialog"), corrupt));
        QTRY_VERIFY(c.item("registerButton")->isEnabled());
        QVERIFY(click(c.window, c.item("registerButton")));
        verifyBanner(c, QStringLiteral("avatar-package-invalid"), QStringLiteral("not a glTF binary (GLB) file"));
        QVERIFY(c.shownText("errorMessage").contains(QStringLiteral("This avatar cannot be used")));
        QTRY_VERIFY(!c.controller->busy());
        QCOMPARE(c.controller->stage(), Stage::Avatar);
        verifyNothingCreated(c, dts);
    }

    // The profile names a port nothing listens on: the failure names the address; after the
    // address is corrected in Settings the same registration goes through.
    void unreachableServiceThenFixedAddress() {
        QTemporaryDir data;
        const QString good = newProfile("moved");
        const quint16 port = closedPort();
        QVERIFY(port != 0);
        const QString wrongUrl = QStringLiteral("https://localhost:%1").arg(port);
        const QString moved = m_server->scratch(QStringLiteral("moved-wrong-address.usim"));
        QVERIFY(profileVariant(good, moved, [&](security::UsimProfileData& p) { p.serviceUrl = wrongUrl.toStdString(); }));
        Client c(data.path(), moved);
        QVERIFY(c.window);
        QVERIFY(QTest::qWaitForWindowExposed(c.window));
        QVERIFY(click(c.window, c.item("useDemoProfileButton")));
        QTRY_COMPARE(c.controller->stage(), Stage::Passphrase);
        QVERIFY(type(c.window, c.item("passphraseField"), testPassphrase()));
        QVERIFY(type(c.window, c.item("passphraseRepeatField"), testPassphrase()));
        QVERIFY(click(c.window, c.item("createKeyButton")));
        QTRY_COMPARE_WITH_TIMEOUT(c.controller->stage(), Stage::Avatar, 30000);
        const int dts = dtCount(*m_server);
        QVERIFY(dts >= 0);

        QTRY_VERIFY(c.item("useSampleAvatarButton") && c.item("useSampleAvatarButton")->isVisible());
        QVERIFY(click(c.window, c.item("useSampleAvatarButton")));
        QTRY_VERIFY(c.item("registerButton")->isEnabled());
        c.screenshot("onboarding-avatar");
        QVERIFY(click(c.window, c.item("registerButton")));
        QTRY_COMPARE_WITH_TIMEOUT(c.controller->errorCode(), QStringLiteral("service-unreachable"), 30000);
        verifyBanner(c, QStringLiteral("service-unreachable"), QStringLiteral("Cannot reach the home network service at"));
        QVERIFY(c.shownText("errorMessage").contains(QString::number(port)));
        QTRY_VERIFY(!c.controller->busy());
        QCOMPARE(c.controller->stage(), Stage::Avatar);
        verifyNothingCreated(c, dts);
        c.screenshot("error-service-unreachable");

        // The operator says the service moved: the address is corrected in Settings.
        QVERIFY(click(c.window, c.item("dismissErrorButton")));
        QVERIFY(c.openPage("settings"));
        auto* field = c.item("homeNetworkAddressField");
        QVERIFY(type(c.window, field, m_server->url()));
        QVERIFY(click(c.window, c.item("applyHomeNetworkButton")));
        QTRY_COMPARE(c.controller->serviceUrl(), m_server->url());
        QTRY_VERIFY(c.shownText("homeNetworkInUse").contains(m_server->url()));
        QVERIFY(c.openPage("myTwin"));
        QTRY_VERIFY(c.item("registerButton") && c.item("registerButton")->isEnabled());
        QVERIFY(click(c.window, c.item("registerButton")));
        QTRY_COMPARE_WITH_TIMEOUT(c.controller->stage(), Stage::Ready, 60000);
        QTRY_VERIFY_WITH_TIMEOUT(!c.controller->busy(), 60000);
        QCOMPARE(c.controller->errorCode(), QString());
        QVERIFY(QFile::exists(c.controller->dataFile(QStringLiteral("credential.tsc"))));
        QCOMPARE(dtCount(*m_server), dts + 1);
    }

    void akaFailure_data() {
        QTest::addColumn<bool>("wrongK");
        QTest::newRow("wrong K") << true;
        QTest::newRow("wrong OPc") << false;
    }
    // The profile's subscription key (K) or operator key (OPc) is not the one the home network
    // has: the network's challenge does not verify, so the client refuses to answer it.
    void akaFailure() {
        QFETCH(bool, wrongK);
        QTemporaryDir data;
        const QString good = newProfile(wrongK ? "wrong-k" : "wrong-opc");
        const QString bad = m_server->scratch(wrongK ? QStringLiteral("bad-k.usim") : QStringLiteral("bad-opc.usim"));
        QVERIFY(profileVariant(good, bad, [&](security::UsimProfileData& p) {
            auto& key = wrongK ? p.k : p.opc;
            key[0] ^= 0x01;
        }));
        Client c(data.path(), {});
        QVERIFY(c.window);
        QVERIFY(toAvatarStep(c, bad, testPassphrase()));
        const int dts = dtCount(*m_server);
        QVERIFY(dts >= 0);
        QTRY_VERIFY(c.item("useSampleAvatarButton") && c.item("useSampleAvatarButton")->isVisible());
        QVERIFY(click(c.window, c.item("useSampleAvatarButton")));
        QTRY_VERIFY(c.item("registerButton")->isEnabled());
        QVERIFY(click(c.window, c.item("registerButton")));
        QTRY_COMPARE_WITH_TIMEOUT(c.controller->errorCode(), QStringLiteral("aka-mac-failure"), 30000);
        verifyBanner(c, QStringLiteral("aka-mac-failure"), QStringLiteral("failed to authenticate itself"));
        QTRY_VERIFY(!c.controller->busy());
        QVERIFY(!c.controller->authenticated());
        QCOMPARE(c.controller->stage(), Stage::Avatar);
        verifyNothingCreated(c, dts);
    }

    void cleanupTestCase() {
        m_server.reset();
        QVERIFY(flushSceneGraph());
    }
};

TWINSEAL_TEST(FirstRunErrorsTest, "first-run-errors")
} // namespace test_first_run_errors
} // namespace

#include "test_first_run_errors.moc"
