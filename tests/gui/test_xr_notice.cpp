// The --xr choice as a person meets it in the window (app/client/xr_mode.h with the real QML
// window and the real OpenXR loader): asking for the headset with no runtime installed, with a
// runtime that lacks XR_KHR_opengl_enable (the in-tree test runtime, tests/xr/runtime), and with
// a window that is not on X11 + OpenGL, shows the notice under the header — its reason code, the
// failing call and its XrResult, or the missing extension — and the client carries on in desktop
// mode with its pages working. Desktop mode, and auto mode without a runtime, show no notice.
#include <QDir>
#include <QQuickItem>
#include <QQuickWindow>
#include <QTemporaryDir>
#include <QtTest>

#include <twinseal/viewmodels/xr_status_controller.h>

#include "gui_client.h"
#include "testmain.h"
#include "xr_mode.h"

namespace {
namespace test_xr_notice {

using namespace twinseal;
using namespace twinseal::test;

namespace {

// The OpenXR loader's and the test runtime's switches for one test, restored afterwards.
class XrEnvironment {
public:
    XrEnvironment(const QByteArray& runtimeJson, bool headset, bool openGl) {
        set("XR_RUNTIME_JSON", runtimeJson);
        set("TWINSEAL_TEST_RUNTIME_SYSTEM", headset ? QByteArray("1") : QByteArray());
        set("TWINSEAL_TEST_RUNTIME_NO_OPENGL", openGl ? QByteArray() : QByteArray("1"));
    }
    ~XrEnvironment() {
        for (const auto& [name, value] : m_saved) {
            if (value.isNull())
                qunsetenv(name.constData());
            else
                qputenv(name.constData(), value);
        }
    }
    XrEnvironment(const XrEnvironment&) = delete;
    XrEnvironment& operator=(const XrEnvironment&) = delete;

private:
    void set(const char* name, const QByteArray& value) {
        m_saved.emplace_back(QByteArray(name), qEnvironmentVariableIsSet(name) ? qgetenv(name) : QByteArray());
        if (value.isEmpty())
            qunsetenv(name);
        else
            qputenv(name, value);
    }
    std::vector<std::pair<QByteArray, QByteArray>> m_saved;
};

const auto& testRuntime() {
    static const QByteArray value = QByteArrayLiteral(TWINSEAL_XR_TEST_RUNTIME_JSON);
    return value;
}

} // namespace

class XrNoticeTest : public QObject {
    Q_OBJECT

    QTemporaryDir m_scratch;

    // A client window with its XR status, started in `preference` mode.
    struct XrClient {
        QTemporaryDir data;
        viewmodels::XrStatusController status;  // outlives the window that shows it
        Client client{data.path(), {}};
        client::XrMode mode{status};

        explicit XrClient(xr::BackendPreference preference) {
            if (client.window == nullptr)
                return;
            client.window->setProperty("xrStatus", QVariant::fromValue(&status));
            mode.start(preference, client.window);
        }
    };

    // The notice is shown under the header with `code`, and words containing each of `words`.
    static void verifyNotice(const XrClient& x, const QString& code, const QStringList& words) {
        QCOMPARE(x.status.mode(), QStringLiteral("desktop"));
        QCOMPARE(x.status.noticeCode(), code);
        QTRY_VERIFY(x.client.item("xrNotice")->isVisible());
        QCOMPARE(x.client.shownText("xrNoticeCode"), QStringLiteral("Reason code: %1").arg(code));
        const QString text = x.client.shownText("xrNoticeText");
        QVERIFY2(text.startsWith(QStringLiteral("Headset not available: ")), qPrintable(text));
        QVERIFY2(text.endsWith(QStringLiteral("TwinSeal runs on the desktop.")), qPrintable(text));
        for (const QString& w : words)
            QVERIFY2(text.contains(w), qPrintable(QStringLiteral("\"%1\" lacks \"%2\"").arg(text, w)));
        // Under the header, above the page.
        QQuickItem* notice = x.client.item("xrNotice");
        QQuickItem* page = x.client.item("pageLoader");
        QVERIFY(notice && page);
        const qreal noticeBottom = notice->mapToScene(QPointF(0, notice->height())).y();
        QVERIFY(noticeBottom > 0);
        QVERIFY2(page->mapToScene(QPointF(0, 0)).y() >= noticeBottom, "the page starts under the notice");
    }

private slots:
    void initTestCase() { QVERIFY(m_scratch.isValid()); }

    void noRuntimeShowsNoticeAndCarriesOn() {
        XrEnvironment env(QDir(m_scratch.path()).filePath(QStringLiteral("missing-runtime.json")).toLocal8Bit(),
                          false, true);
        XrClient x(xr::BackendPreference::OpenXR);
        QVERIFY(x.client.window);
        QVERIFY(QTest::qWaitForWindowExposed(x.client.window));
        QVERIFY(!x.mode.openXrRan());
        verifyNotice(x, QStringLiteral("runtime-unavailable"),
                     {QStringLiteral("no OpenXR runtime is installed"), QStringLiteral("XR_ERROR_RUNTIME_UNAVAILABLE"),
                      QStringLiteral("xrCreateInstance")});
        x.client.screenshot("xr-no-runtime");

        // The page works beside it: a wrong file chosen as the profile is refused as usual.
        QVERIFY(click(x.client.window, x.client.item("chooseProfileButton")));
        QVERIFY(choose(x.client.window, x.client.dialog("onboardingPage", "profileDialog"),
                       QStringLiteral(TWINSEAL_SOURCE_DIR "/resources/avatar/sample-avatar.glb")));
        QTRY_COMPARE(x.client.controller->errorCode(), QStringLiteral("usim-profile-invalid"));
        QTRY_VERIFY(x.client.item("errorBanner")->isVisible());
        QVERIFY(x.client.item("xrNotice")->isVisible());

        // Dismissed, it goes, and the page moves up under the header.
        QVERIFY(click(x.client.window, x.client.item("dismissXrNoticeButton")));
        QTRY_VERIFY(!x.client.item("xrNotice")->isVisible());
        QVERIFY(!x.status.noticeShown());
        QCOMPARE(x.status.mode(), QStringLiteral("desktop"));
        QTRY_COMPARE(x.client.item("pageLoader")->mapToScene(QPointF(0, 0)).y(),
                     x.client.item("xrNotice")->mapToScene(QPointF(0, 0)).y());
    }

    void runtimeWithoutOpenGlNamesTheExtension() {
        XrEnvironment env(testRuntime(), true, false);
        XrClient x(xr::BackendPreference::OpenXR);
        QVERIFY(x.client.window);
        QVERIFY(QTest::qWaitForWindowExposed(x.client.window));
        verifyNotice(x, QStringLiteral("missing-extension"),
                     {QStringLiteral("XR_KHR_opengl_enable"), QStringLiteral("TwinSeal Test Runtime")});
    }

    void runtimeWithoutHeadsetSaysSo() {
        XrEnvironment env(testRuntime(), false, true);
        XrClient x(xr::BackendPreference::OpenXR);
        QVERIFY(x.client.window);
        verifyNotice(x, QStringLiteral("form-factor-unavailable"),
                     {QStringLiteral("no headset is connected"), QStringLiteral("XR_ERROR_FORM_FACTOR_UNAVAILABLE"),
                      QStringLiteral("xrGetSystem")});
    }

    // These tests' window is on the offscreen platform with Qt Quick's software renderer: a
    // complete runtime with a headset is found, and the notice says why it is not used.
    void windowWithoutGlxSaysSo() {
        XrEnvironment env(testRuntime(), true, true);
        XrClient x(xr::BackendPreference::OpenXR);
        QVERIFY(x.client.window);
        verifyNotice(x, QStringLiteral("unsupported"),
                     {QStringLiteral("\"offscreen\" platform"), QStringLiteral("OpenGL on X11")});
    }

    void desktopModeShowsNoNotice() {
        XrEnvironment env(testRuntime(), true, false);
        XrClient x(xr::BackendPreference::Desktop);
        QVERIFY(x.client.window);
        QVERIFY(QTest::qWaitForWindowExposed(x.client.window));
        QCOMPARE(x.status.mode(), QStringLiteral("desktop"));
        QCOMPARE(x.status.noticeCode(), QString());
        QVERIFY(!x.client.item("xrNotice")->isVisible());
        QCOMPARE(x.client.item("xrNotice")->height(), 0.0);
        QVERIFY(x.client.item("chooseProfileButton")->isVisible());
    }

    void autoModeWithoutRuntimeIsQuiet() {
        XrEnvironment env(QDir(m_scratch.path()).filePath(QStringLiteral("missing-runtime.json")).toLocal8Bit(),
                          false, true);
        XrClient x(xr::BackendPreference::Auto);
        QVERIFY(x.client.window);
        QCOMPARE(x.status.mode(), QStringLiteral("desktop"));
        QCOMPARE(x.status.noticeCode(), QString());
        QVERIFY(!x.client.item("xrNotice")->isVisible());
    }

    void autoModeSaysWhenARuntimeFails() {
        XrEnvironment env(testRuntime(), true, false);
        XrClient x(xr::BackendPreference::Auto);
        QVERIFY(x.client.window);
        verifyNotice(x, QStringLiteral("missing-extension"), {QStringLiteral("XR_KHR_opengl_enable")});
    }

    void cleanupTestCase() { QVERIFY(flushSceneGraph()); }
};

TWINSEAL_TEST(XrNoticeTest, "xr-notice")
} // namespace test_xr_notice
} // namespace

#include "test_xr_notice.moc"
