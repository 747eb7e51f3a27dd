// The client's OpenXR session beside its window, on Qt's xcb platform with OpenGL (under Xvfb,
// Mesa llvmpipe), against the in-tree test runtime with a headset: --xr=openxr starts the session
// with the window's GLX context, shows no notice, and the runtime reads back the call room each eye
// was given (no call yet: the room's background only); the desktop page keeps working. When the runtime loses the session, the
// window says so and the client carries on in desktop mode.
#include <QQuickItem>
#include <QQuickWindow>
#include <QTemporaryDir>
#include <QtTest>

#include <twinseal/viewmodels/xr_status_controller.h>

#include "gui_client.h"
#include "runtime_control.h"
#include "testmain.h"
#include "xr_mode.h"

namespace {
namespace test_xr_session {

using namespace twinseal;
using namespace twinseal::test;

namespace {

// The empty call room (HeadsetRoom.qml's background, #1b2128), as RGBA8.
constexpr std::uint32_t kEyeColour = 0x1B2128FFu;

bool near(std::uint32_t a, std::uint32_t b) {
    for (int shift = 0; shift < 32; shift += 8) {
        const int x = int((a >> shift) & 0xFF), y = int((b >> shift) & 0xFF);
        if (std::abs(x - y) > 1)
            return false;
    }
    return true;
}

} // namespace

class XrSessionTest : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() {
        if (QGuiApplication::platformName() != QLatin1String("xcb"))
            QSKIP("needs Qt's xcb platform with OpenGL (run under xvfb-run with QT_QPA_PLATFORM=xcb)");
        qputenv("XR_RUNTIME_JSON", TWINSEAL_XR_TEST_RUNTIME_JSON);
        qputenv("TWINSEAL_TEST_RUNTIME_SYSTEM", "1");
    }

    void sessionRunsBesideTheWindowAndLossFallsBack() {
        QTemporaryDir data;
        viewmodels::XrStatusController status;
        Client c(data.path(), {});
        QVERIFY(c.window);
        c.window->setProperty("xrStatus", QVariant::fromValue(&status));
        QVERIFY(QTest::qWaitForWindowExposed(c.window));
        client::XrMode mode(status);
        mode.start(xr::BackendPreference::OpenXR, c.window);
        QVERIFY2(status.mode() == QStringLiteral("openxr"), qPrintable(status.noticeText()));
        QVERIFY(mode.openXrRan());
        QVERIFY(!c.item("xrNotice")->isVisible());

        xr::test::RuntimeControl runtime;
        QVERIFY(runtime.ok());
        QTRY_VERIFY(runtime.framesEnded() >= 3);
        for (std::uint32_t eye = 0; eye < 2; ++eye) {
            xr::test::RuntimeControl::Submitted view;
            QVERIFY(runtime.submitted(eye, view));
            QVERIFY(view.view.width > 0 && view.view.height > 0);
            const std::uint32_t centre = view.rgba(view.view.width / 2, view.view.height / 2);
            QVERIFY2(near(centre, kEyeColour), qPrintable(QString::number(centre, 16)));
            QVERIFY(near(view.rgba(0, 0), kEyeColour));
        }
        // The desktop page works meanwhile.
        QVERIFY(click(c.window, c.item("chooseProfileButton")));
        QVERIFY(choose(c.window, c.dialog("onboardingPage", "profileDialog"),
                       QStringLiteral(TWINSEAL_SOURCE_DIR "/resources/avatar/sample-avatar.glb")));
        QTRY_COMPARE(c.controller->errorCode(), QStringLiteral("usim-profile-invalid"));
        QCOMPARE(status.mode(), QStringLiteral("openxr"));

        // The runtime loses the session: the window says so, the client stays on the desktop.
        QVERIFY(runtime.script(TWINSEAL_TEST_EVENT_LOSS_PENDING));
        QTRY_COMPARE(status.mode(), QStringLiteral("desktop"));
        QTRY_VERIFY(c.item("xrNotice")->isVisible());
        QVERIFY2(c.shownText("xrNoticeText").contains(QStringLiteral("ended the session")),
                 qPrintable(c.shownText("xrNoticeText")));
        QVERIFY(!c.shownText("xrNoticeCode").isEmpty());
        QVERIFY(!mode.timings().empty());
        QVERIFY(c.item("errorBanner")->isVisible());
        mode.stop();
    }

    void cleanupTestCase() { QVERIFY(flushSceneGraph()); }
};

TWINSEAL_TEST(XrSessionTest, "xr-session")
} // namespace test_xr_session
} // namespace

#include "test_xr_session.moc"
