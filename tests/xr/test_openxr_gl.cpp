// The OpenXR backend with the OpenGL graphics binding (XR_KHR_opengl_enable, Xlib/GLX), through
// the real loader and the TwinSeal Test Runtime, under an X server (xvfb-run: Mesa llvmpipe).
// The runtime reads back what the backend submitted; the assertions are on those pixels, on the
// submitted views, and on the session lifecycle the runtime scripts.
#include <QTemporaryDir>
#include <QtTest>

#include <openxr/openxr.h>

#include <twinseal/xr/choose_backend.h>
#include <twinseal/xr/openxr_backend.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <thread>

#include "eye_painter.h"
#include "glx_test_context.h"
#include "runtime_control.h"
#include "testmain.h"
#include "xrtest.h"

namespace {
namespace test_openxr_gl {

using namespace twinseal::xr;
namespace xt = twinseal::xr::test;
using S = SessionState;

namespace {

constexpr std::int64_t kGlSrgb8Alpha8 = 0x8C43;
constexpr std::uint32_t kWidth = 320;  // the test runtime's recommended image size
constexpr std::uint32_t kHeight = 240;

QString hex(std::uint32_t rgba) { return QString("%1").arg(rgba, 8, 16, QChar('0')); }
QString q(const std::string& s) { return QString::fromStdString(s); }

// Polls the backend as the client's event loop would, until `done` holds. The deadline only
// guards against a hang (it is not a performance assertion). The first poll() error is kept.
template <typename Done>
bool pollUntil(OpenXrBackend& backend, Done done, std::string& error) {
    using namespace std::chrono_literals;
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    while (!done()) {
        if (Status s = backend.poll(); !s.ok() && error.empty())
            error = s.error().message;
        if (std::chrono::steady_clock::now() > deadline)
            return false;
        std::this_thread::sleep_for(2ms);
    }
    return true;
}

class GlFixture : public QObject {
protected:
    QTemporaryDir empty_;
    std::unique_ptr<xt::GlxTestContext> glx_;

    void setUpCase() {
        QVERIFY(empty_.isValid());
        xt::isolateLoader(empty_);
        glx_ = std::make_unique<xt::GlxTestContext>();
        QVERIFY2(glx_->ok(), glx_->error().c_str());
        qInfo("GL renderer: %s", glx_->renderer().c_str());
    }
    void setUp() {
        xt::resetRuntimeSwitches();
        qputenv("XR_RUNTIME_JSON", xt::testRuntimeManifest());
        qputenv("TWINSEAL_TEST_RUNTIME_SYSTEM", "1");
    }
    OpenXrOptions options(xt::EyePainter& painter) const {
        OpenXrOptions o;
        o.glx = glx_->binding();
        o.render = painter.callback();
        return o;
    }
};

} // namespace

class OpenXrGlTest : public GlFixture {
    Q_OBJECT
private slots:
    void initTestCase() { setUpCase(); }
    void init() { setUp(); }
    void cleanupTestCase() { glx_.reset(); }

    void rendersBothEyesIntoTheSwapchains() {
        qputenv("TWINSEAL_TEST_RUNTIME_IPD_MM", "63");
        xt::EyePainter painter;
        OpenXrBackend backend(options(painter));
        const Status started = backend.start();
        QVERIFY2(started.ok(), messageOf(started).c_str());
        QCOMPARE(backend.state(), S::Focused);
        // The runtime offers GL_RGBA8 first; sRGB is preferred.
        QCOMPARE(backend.swapchainFormat(), kGlSrgb8Alpha8);
        QCOMPARE(backend.eyeWidth(0), std::int32_t(kWidth));
        QCOMPARE(backend.eyeHeight(0), std::int32_t(kHeight));
        QCOMPARE(backend.eyeWidth(1), std::int32_t(kWidth));
        QCOMPARE(backend.eyeHeight(1), std::int32_t(kHeight));
        QVERIFY(backend.hasStageSpace());

        xt::RuntimeControl rt;
        QVERIFY(rt.ok());
        rt.reset();
        std::string error;
        QVERIFY(pollUntil(backend, [&] { return rt.framesEnded() >= 3; }, error));
        QVERIFY2(error.empty(), error.c_str());
        QVERIFY(backend.frameLoopRunning());
        QCOMPARE(q(painter.glError()), QString());
        QCOMPARE(rt.lastLayerCount(), 1u);

        xt::RuntimeControl::Submitted eyes[2];
        QVERIFY(rt.submitted(0, eyes[0]));
        QVERIFY(rt.submitted(1, eyes[1]));
        for (std::uint32_t e = 0; e < 2; ++e) {
            const auto& v = eyes[e].view;
            QCOMPARE(v.width, kWidth);
            QCOMPARE(v.height, kHeight);
            QCOMPARE(v.format, kGlSrgb8Alpha8);
            QCOMPARE(v.space, std::int32_t(XR_REFERENCE_SPACE_TYPE_LOCAL));
            const std::uint32_t own = e == 0 ? xt::kLeftColour : xt::kRightColour;
            const std::uint32_t centreY = xt::EyePainter::markerY(kHeight) + kHeight / 4;
            // The background, the eye's own marker, and the other eye's marker position.
            QCOMPARE(hex(eyes[e].rgba(2, 2)), hex(own));
            QCOMPARE(hex(eyes[e].rgba(kWidth - 3, kHeight - 3)), hex(own));
            QCOMPARE(hex(eyes[e].rgba(xt::EyePainter::markerX(e, kWidth) + kWidth / 8, centreY)),
                     hex(xt::kMarkerColour));
            QCOMPARE(hex(eyes[e].rgba(xt::EyePainter::markerX(1 - e, kWidth) + kWidth / 8, centreY)),
                     hex(own));
        }
        QVERIFY(eyes[0].pixels != eyes[1].pixels);

        // The submitted views are the located ones: 63 mm apart along x, same height and depth.
        const float dx = eyes[1].view.position[0] - eyes[0].view.position[0];
        QVERIFY2(std::abs(dx - 0.063f) < 1e-5f, qPrintable(QString::number(dx)));
        QCOMPARE(eyes[1].view.position[1], eyes[0].view.position[1]);
        QCOMPARE(eyes[1].view.position[2], eyes[0].view.position[2]);
        QCOMPARE(eyes[0].view.orientation[3], 1.0f);
        QCOMPARE(eyes[0].view.fov[0], -0.80f);  // the runtime's asymmetric frusta
        QCOMPARE(eyes[1].view.fov[1], 0.80f);
        // And the render callback got the same views for each eye.
        const auto rendered = painter.lastViews();
        for (std::uint32_t e = 0; e < 2; ++e) {
            QCOMPARE(rendered[e].eye, e);
            QCOMPARE(rendered[e].width, std::int32_t(kWidth));
            QCOMPARE(rendered[e].height, std::int32_t(kHeight));
            QCOMPARE(rendered[e].format, kGlSrgb8Alpha8);
            QVERIFY(rendered[e].texture != 0);
            QVERIFY(rendered[e].displayTime > 0);
            QCOMPARE(rendered[e].pose.position[0], eyes[e].view.position[0]);
            QCOMPARE(rendered[e].fov.angleLeft, eyes[e].view.fov[0]);
        }
        QVERIFY(rendered[0].texture != rendered[1].texture);

        const Status stopped = backend.stop();
        QVERIFY2(stopped.ok(), messageOf(stopped).c_str());
        QCOMPARE(backend.state(), S::Exiting);
        QVERIFY(!backend.frameLoopRunning());
        const std::uint64_t ended = rt.framesEnded();
        QCOMPARE(backend.poll().code(), ErrorCode::Ok);
        QCOMPARE(rt.framesEnded(), ended);  // the loop is joined: nothing more is submitted

        // Timings were collected for every submitted frame (the thread is joined: all of them).
        const auto timings = backend.takeFrameTimings();
        QCOMPARE(timings.size(), std::size_t(backend.framesSubmitted()));
        QVERIFY(timings.size() >= ended);
        const auto renderedFrames = std::count_if(timings.begin(), timings.end(),
                                            [](const FrameTiming& t) { return t.rendered; });
        QVERIFY(std::uint64_t(renderedFrames) >= ended);
        const TimingSummary summary = summarizeTimings(timings);
        QCOMPARE(summary.frames, timings.size());
        QVERIFY(summary.waitP99 >= summary.waitP50);
        // The frame thread's CPU time is measured for every frame, and cannot exceed the time
        // that passed from xrBeginFrame to the end of xrEndFrame.
        for (const FrameTiming& t : timings) {
            QVERIFY(t.cpuNs > 0);
            QVERIFY(t.cpuNs <= t.renderNs + t.submitNs + 1'000'000);
        }
        QVERIFY(backend.takeFrameTimings().empty());  // taken
    }

    void worksWithoutStageSpace() {
        qputenv("TWINSEAL_TEST_RUNTIME_NO_STAGE", "1");
        xt::EyePainter painter;
        OpenXrBackend backend(options(painter));
        const Status started = backend.start();
        QVERIFY2(started.ok(), messageOf(started).c_str());
        QVERIFY(!backend.hasStageSpace());
        std::string error;
        QVERIFY(pollUntil(backend, [&] { return backend.framesSubmitted() >= 2; }, error));
        QVERIFY2(error.empty(), error.c_str());
        QVERIFY(backend.stop().ok());
    }

    void runtimeWithoutOpenGl() {
        qputenv("TWINSEAL_TEST_RUNTIME_NO_OPENGL", "1");
        xt::EyePainter painter;
        OpenXrBackend backend(options(painter));
        const Status s = backend.start();
        QCOMPARE(s.code(), ErrorCode::MissingExtension);
        QVERIFY2(q(messageOf(s)).contains("XR_KHR_opengl_enable"), messageOf(s).c_str());
        QVERIFY2(q(messageOf(s)).contains("desktop mode"), messageOf(s).c_str());
        QVERIFY(!backend.started());
        QCOMPARE(backend.state(), S::Idle);
        QVERIFY(!backend.frameLoopRunning());
        // The probe shows why, the choice falls back to desktop with that reason, and the same
        // runtime still gives a headless session.
        const RuntimeProbe probe = probeOpenXr();
        QVERIFY(probe.available);
        QVERIFY(!probe.hasExtension(kOpenGlExtensionName));
        const BackendChoice choice = chooseBackend(BackendPreference::Auto, probe, options(painter));
        QCOMPARE(choice.backend->kind(), BackendKind::Desktop);
        QCOMPARE(q(choice.reason),
                 QString("OpenXR runtime \"TwinSeal Test Runtime\" does not offer "
                         "XR_KHR_opengl_enable (OpenGL on X11), which TwinSeal needs to render to "
                         "the headset; TwinSeal runs in desktop mode."));
        // Without an OpenGL context (a headless session) the extension is not needed.
        QCOMPARE(chooseBackend(BackendPreference::Auto, probe).backend->kind(), BackendKind::OpenXR);
        // With it offered, the OpenXR backend is chosen for the OpenGL context.
        qunsetenv("TWINSEAL_TEST_RUNTIME_NO_OPENGL");
        QCOMPARE(chooseBackend(BackendPreference::Auto, probeOpenXr(), options(painter)).backend->kind(),
                 BackendKind::OpenXR);
        qputenv("TWINSEAL_TEST_RUNTIME_NO_OPENGL", "1");
        OpenXrBackend headless;
        QVERIFY(headless.start().ok());
        QVERIFY(headless.stop().ok());
    }

    void noRuntimeAtAll() {
        qputenv("XR_RUNTIME_JSON", QByteArray(empty_.path().toUtf8() + "/missing_runtime.json"));
        xt::EyePainter painter;
        OpenXrBackend backend(options(painter));
        const Status s = backend.start();
        QCOMPARE(s.code(), ErrorCode::RuntimeUnavailable);
        QVERIFY(!backend.started());
        QCOMPARE(painter.calls(), std::uint64_t(0));
    }

    void incompleteContextIsRefused() {
        OpenXrOptions o;
        o.glx = glx_->binding();
        o.glx->context = nullptr;
        OpenXrBackend backend(o);
        const Status s = backend.start();
        QCOMPARE(s.code(), ErrorCode::Unsupported);
        QVERIFY2(q(messageOf(s)).contains("incomplete"), messageOf(s).c_str());
    }

    void stopAfterTheLoopFailed() {
        // The failure is not taken by a poll() first: stop() still ends the session cleanly.
        xt::EyePainter painter;
        OpenXrBackend backend(options(painter));
        xt::TransitionLog log;
        log.attach(backend);
        QVERIFY(backend.start().ok());
        std::string error;
        QVERIFY(pollUntil(backend, [&] { return backend.framesSubmitted() >= 1; }, error));
        QVERIFY2(error.empty(), error.c_str());
        painter.throwFromNow();
        while (backend.frameLoopRunning())
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        log.seen.clear();
        const Status stopped = backend.stop();
        QVERIFY2(stopped.ok(), messageOf(stopped).c_str());
        QCOMPARE(log.text(), QString("focused>visible visible>synchronized synchronized>stopping "
                                     "stopping>idle idle>exiting"));
    }

    void failingRenderCallbackStopsTheLoop() {
        xt::EyePainter painter;
        OpenXrBackend backend(options(painter));
        QVERIFY(backend.start().ok());
        std::string error;
        QVERIFY(pollUntil(backend, [&] { return backend.framesSubmitted() >= 2; }, error));
        QVERIFY2(error.empty(), error.c_str());
        painter.throwFromNow();
        // poll() reports the failure once; the session itself is still there.
        QVERIFY(pollUntil(backend, [&] { return !error.empty(); }, error));
        QCOMPARE(q(error), QString("The XR render callback failed: scripted render failure"));
        QVERIFY(!backend.frameLoopRunning());
        QCOMPARE(backend.state(), S::Focused);
        QVERIFY(backend.poll().ok());
        QVERIFY(backend.stop().ok());
        QCOMPARE(backend.state(), S::Exiting);
    }
};

class OpenXrGlLifecycleTest : public GlFixture {
    Q_OBJECT

    // Polls until `frames` more frames were submitted: empty, or what went wrong.
    static QString waitForFrames(OpenXrBackend& backend, std::uint64_t frames) {
        const std::uint64_t target = backend.framesSubmitted() + frames;
        std::string error;
        if (!pollUntil(backend, [&] { return backend.framesSubmitted() >= target; }, error))
            return "no frames submitted (" + q(error) + ")";
        return q(error);
    }

private slots:
    void initTestCase() { setUpCase(); }
    void init() { setUp(); }
    void cleanupTestCase() { glx_.reset(); }

    void sessionLossThenRestart() {
        xt::EyePainter painter;
        OpenXrBackend backend(options(painter));
        xt::TransitionLog log;
        log.attach(backend);
        QVERIFY(backend.start().ok());
        QCOMPARE(waitForFrames(backend, 3), QString());
        {
            xt::RuntimeControl rt;
            QVERIFY(rt.ok());
            log.seen.clear();
            QVERIFY(rt.script(TWINSEAL_TEST_EVENT_LOSS_PENDING));
        }
        std::string error;
        QVERIFY(pollUntil(backend, [&] { return !backend.started(); }, error));
        QVERIFY2(error.empty(), error.c_str());
        QCOMPARE(backend.state(), S::Exiting);
        QCOMPARE(log.text(), QString("focused>loss-pending loss-pending>exiting"));
        QVERIFY(!backend.frameLoopRunning());

        // A new session renders again, into new swapchains.
        const Status restarted = backend.start();
        QVERIFY2(restarted.ok(), messageOf(restarted).c_str());
        QCOMPARE(backend.state(), S::Focused);
        xt::RuntimeControl rt;
        QVERIFY(rt.ok());
        rt.reset();
        QVERIFY(pollUntil(backend, [&] { return rt.framesEnded() >= 2; }, error));
        QVERIFY2(error.empty(), error.c_str());
        xt::RuntimeControl::Submitted right;
        QVERIFY(rt.submitted(1, right));
        QCOMPARE(hex(right.rgba(2, 2)), hex(xt::kRightColour));
        QVERIFY(backend.stop().ok());
    }

    void runtimeExitsTheSession() {
        xt::EyePainter painter;
        OpenXrBackend backend(options(painter));
        xt::TransitionLog log;
        log.attach(backend);
        QVERIFY(backend.start().ok());
        QCOMPARE(waitForFrames(backend, 2), QString());
        log.seen.clear();
        {
            xt::RuntimeControl rt;
            QVERIFY(rt.script(TWINSEAL_TEST_EVENT_EXITING));
        }
        std::string error;
        QVERIFY(pollUntil(backend, [&] { return !backend.started(); }, error));
        QVERIFY2(error.empty(), error.c_str());
        QCOMPARE(backend.state(), S::Exiting);
        QCOMPARE(log.text(), QString("focused>visible visible>synchronized synchronized>stopping "
                                     "stopping>idle idle>exiting"));
        QVERIFY(!backend.frameLoopRunning());
        QVERIFY(backend.stop().ok());  // nothing left to stop
        // And it may start again.
        QVERIFY(backend.start().ok());
        QCOMPARE(waitForFrames(backend, 1), QString());
        QVERIFY(backend.stop().ok());
    }

    void pauseAndResume() {
        xt::EyePainter painter;
        OpenXrBackend backend(options(painter));
        xt::TransitionLog log;
        log.attach(backend);
        QVERIFY(backend.start().ok());
        QCOMPARE(waitForFrames(backend, 2), QString());
        log.seen.clear();
        {
            xt::RuntimeControl rt;
            QVERIFY(rt.script(TWINSEAL_TEST_EVENT_STOPPING));
        }
        const QString expected("focused>visible visible>synchronized synchronized>stopping "
                               "stopping>idle idle>ready ready>synchronized synchronized>visible "
                               "visible>focused");
        std::string error;
        QVERIFY(pollUntil(backend, [&] { return log.seen.size() >= 8; }, error));
        QVERIFY2(error.empty(), error.c_str());
        QCOMPARE(log.text(), expected);
        QVERIFY(backend.started());
        // The frame loop was stopped for xrEndSession and runs again.
        QVERIFY(backend.frameLoopRunning());
        QCOMPARE(waitForFrames(backend, 3), QString());
        QCOMPARE(q(painter.glError()), QString());
        QVERIFY(backend.stop().ok());
        QCOMPARE(backend.state(), S::Exiting);
    }

    void instanceLoss() {
        xt::EyePainter painter;
        OpenXrBackend backend(options(painter));
        xt::TransitionLog log;
        log.attach(backend);
        QVERIFY(backend.start().ok());
        QCOMPARE(waitForFrames(backend, 2), QString());
        log.seen.clear();
        {
            xt::RuntimeControl rt;
            QVERIFY(rt.script(TWINSEAL_TEST_EVENT_INSTANCE_LOSS));
        }
        std::string error;
        QVERIFY(pollUntil(backend, [&] { return !backend.started(); }, error));
        QVERIFY2(error.empty(), error.c_str());
        QCOMPARE(log.text(), QString("focused>loss-pending loss-pending>exiting"));
        QVERIFY(!backend.frameLoopRunning());
        QVERIFY(backend.start().ok());
        QCOMPARE(waitForFrames(backend, 1), QString());
        QVERIFY(backend.stop().ok());
    }

    void destroyedWhileRendering() {
        xt::EyePainter painter;
        auto backend = std::make_unique<OpenXrBackend>(options(painter));
        QVERIFY(backend->start().ok());
        QCOMPARE(waitForFrames(*backend, 2), QString());
        backend.reset();  // joins the frame thread, destroys swapchains, session and instance
        OpenXrBackend again(options(painter));
        QVERIFY(again.start().ok());
        QCOMPARE(waitForFrames(again, 2), QString());
        QVERIFY(again.stop().ok());
    }
};

TWINSEAL_TEST(OpenXrGlTest, "openxr-gl")
TWINSEAL_TEST(OpenXrGlLifecycleTest, "openxr-gl-lifecycle")
} // namespace test_openxr_gl
} // namespace

#include "test_openxr_gl.moc"
