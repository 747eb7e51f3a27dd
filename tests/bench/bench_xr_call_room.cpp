// The call room in the headset under load: 16 scripted participants (default), each Verified with
// the sample avatar and fed an animation frame at 90 Hz (head turn, lean, both hands, blend
// shapes) the way the Calls page's participant model is fed, rendered for both eyes by
// app/headset_scene (Qt Quick 3D on the GUI thread) and submitted through the OpenXR frame loop
// against the TwinSeal Test Runtime through the real loader at its 90 Hz (OpenGL on Mesa under
// Xvfb). Printed, never asserted: the frame thread's own CPU time per frame (render = the copy of
// the newest eye images into the swapchains, submit = xrEndFrame; render + submit is the
// application's frame time the 2 ms budget is about) p50 and p99, and the GUI thread's time
// to render both eyes of the scene, p50 and p99.
//
//   twinseal-bench-xr-call-room [--frames N (900)] [--participants N (16)] [--hz F (90)]
// The runtime's readback of the submitted images is off (TWINSEAL_TEST_RUNTIME_READBACK=0): it is
// test machinery, not part of a real runtime's submit.
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QGuiApplication>
#include <QOpenGLContext>
#include <QQmlEngine>
#include <QTimer>
#include <QUrl>
#include <QtGui/qguiapplication_platform.h>
#include <QtGui/qopenglcontext_platform.h>
#include <QtQml/qqmlextensionplugin.h>
#include <QtQuick3D/qquick3d.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include <twinseal/headset_scene/headset_scene.h>
#include <twinseal/viewmodels/participant_list_model.h>
#include <twinseal/xr/glx_surface.h>
#include <twinseal/xr/openxr_backend.h>

Q_IMPORT_QML_PLUGIN(TwinSeal_UIPlugin)
Q_IMPORT_QML_PLUGIN(TwinSeal_ViewModelsPlugin)

using twinseal::viewmodels::ParticipantListModel;
namespace xr = twinseal::xr;

namespace {

double us(std::int64_t ns) { return double(ns) / 1000.0; }

// Participant i's pose at time t: the same scripted motion, each a little out of phase.
ParticipantListModel::Pose poseAt(int i, double t) {
    const double p = t * 2.0 + i * 0.7;
    ParticipantListModel::Pose pose;
    const double yaw = 0.3 * std::sin(p);
    pose.headRotation = {0.0, std::sin(yaw / 2), 0.0, std::cos(yaw / 2)};
    pose.headPosition = {0.03 * std::sin(p * 0.5), 0.0, 0.02 * std::cos(p * 0.5)};
    pose.leftHand = {0.1, 0.5 + 0.1 * std::sin(p * 1.3), 0.15};
    pose.rightHand = {-0.05, 0.2 + 0.05 * std::cos(p), 0.2};
    pose.blendShapes = {0.5 + 0.5 * std::sin(p * 3.0), 0.0};
    return pose;
}

} // namespace

int main(int argc, char** argv) {
    QGuiApplication app(argc, argv);
    QSurfaceFormat::setDefaultFormat(QQuick3D::idealSurfaceFormat());  // needs the application
    QCommandLineParser parser;
    parser.addHelpOption();
    QCommandLineOption framesOpt("frames", "Frames measured.", "N", "900");
    QCommandLineOption participantsOpt("participants", "Participants in the room.", "N", "16");
    QCommandLineOption hzOpt("hz", "The runtime's display rate and the participants' frame rate.", "F", "90");
    parser.addOptions({framesOpt, participantsOpt, hzOpt});
    parser.process(app);
    const long frames = std::max(10L, parser.value(framesOpt).toLong());
    const int participants = std::clamp(parser.value(participantsOpt).toInt(), 1, 64);
    const double hz = std::clamp(parser.value(hzOpt).toDouble(), 1.0, 1000.0);
    qputenv("XR_RUNTIME_JSON", TWINSEAL_XR_TEST_RUNTIME_JSON);
    qputenv("TWINSEAL_TEST_RUNTIME_SYSTEM", "1");
    qputenv("TWINSEAL_TEST_RUNTIME_HZ", QString::number(hz).toUtf8());
    if (!qEnvironmentVariableIsSet("TWINSEAL_TEST_RUNTIME_READBACK"))
        qputenv("TWINSEAL_TEST_RUNTIME_READBACK", "0");
    if (QGuiApplication::platformName() != QLatin1String("xcb")) {
        (void)std::fprintf(stderr, "bench.xr-call-room: needs Qt's xcb platform (run under xvfb-run)\n");
        return 1;
    }

    // The room: the user, then every participant Verified with the sample avatar.
    ParticipantListModel model;
    const QUrl avatar = QUrl::fromLocalFile(TWINSEAL_SOURCE_DIR "/resources/avatar/sample-avatar.glb");
    for (int i = 0; i <= participants; ++i) {
        ParticipantListModel::Row row;
        row.id = static_cast<quint32>(i + 1);
        row.local = i == 0;
        row.title = QStringLiteral("Participant %1").arg(i);
        row.state = QStringLiteral("verified");
        row.modelUrl = avatar;
        model.upsert(row);
    }

    // The headset's OpenGL context (GLX on X11), as the client makes it, and the scene sharing it.
    QQmlEngine engine;
    QOpenGLContext context;
    context.setFormat(QSurfaceFormat::defaultFormat());
    if (!context.create()) {
        (void)std::fprintf(stderr, "bench.xr-call-room: no OpenGL context\n");
        return 1;
    }
    auto* x11 = qGuiApp->nativeInterface<QNativeInterface::QX11Application>();
    auto* glx = context.nativeInterface<QNativeInterface::QGLXContext>();
    if (x11 == nullptr || glx == nullptr) {
        (void)std::fprintf(stderr, "bench.xr-call-room: not a GLX context on X11\n");
        return 1;
    }
    auto surface = xr::GlxContextSurface::create(x11->display(), glx->nativeContext());
    if (!surface.ok()) {
        (void)std::fprintf(stderr, "bench.xr-call-room: %s\n", surface.error().message.c_str());
        return 1;
    }
    auto scene = twinseal::headset::HeadsetScene::create(engine, context, &model);
    if (!scene.ok()) {
        (void)std::fprintf(stderr, "bench.xr-call-room: %s\n", scene.error().message.c_str());
        return 1;
    }

    xr::OpenXrOptions options;
    options.glx = (*surface)->binding();
    options.render = (*scene)->renderCallback();
    options.timingCapacity = static_cast<std::size_t>(frames) * 4 + 64;
    xr::OpenXrBackend backend(options);
    if (auto s = backend.start(); !s.ok()) {
        (void)std::fprintf(stderr, "bench.xr-call-room: %s\n", s.error().message.c_str());
        return 1;
    }

    // The participants' frames, fed at the display rate on the GUI thread.
    QElapsedTimer clock;
    clock.start();
    QTimer feed;
    feed.setTimerType(Qt::PreciseTimer);
    feed.setInterval(static_cast<int>(std::lround(1000.0 / hz)));
    QObject::connect(&feed, &QTimer::timeout, [&] {
        const double t = double(clock.nsecsElapsed()) / 1e9;
        for (int i = 1; i <= participants; ++i)
            model.setPose(static_cast<quint32>(i + 1), poseAt(i, t), true);
    });
    feed.start();

    // Two seconds to load the avatars and settle, then the measured frames.
    std::uint64_t measureFrom = 0;
    bool measuring = false;
    int status = 0;
    QTimer poll;
    poll.setInterval(5);
    QObject::connect(&poll, &QTimer::timeout, [&] {
        if (auto s = backend.poll(); !s.ok()) {
            (void)std::fprintf(stderr, "bench.xr-call-room: %s\n", s.error().message.c_str());
            status = 1;
            QCoreApplication::quit();
            return;
        }
        if (!measuring && clock.elapsed() > 2000) {
            measuring = true;
            (void)backend.takeFrameTimings();
            (void)(*scene)->takeRenderTimings();
            measureFrom = backend.framesSubmitted();
        }
        if (measuring && backend.framesSubmitted() >= measureFrom + static_cast<std::uint64_t>(frames))
            QCoreApplication::quit();
        if (clock.elapsed() > 10LL * 60 * 1000) {
            (void)std::fprintf(stderr, "bench.xr-call-room: not enough frames in ten minutes\n");
            status = 1;
            QCoreApplication::quit();
        }
    });
    poll.start();
    QGuiApplication::exec();
    feed.stop();
    poll.stop();
    (void)backend.stop();
    if (status != 0)
        return status;

    const xr::TimingSummary t = xr::summarizeTimings(backend.takeFrameTimings());
    const auto sceneNs = (*scene)->takeRenderTimings();
    std::vector<xr::FrameTiming> asFrames(sceneNs.size());
    for (std::size_t i = 0; i < sceneNs.size(); ++i)
        asFrames[i].renderNs = sceneNs[i];
    const xr::TimingSummary g = xr::summarizeTimings(asFrames);
    std::printf("XR call room: %d participants (sample avatar, Verified, frames at %.0f Hz), %zu frames at %.0f Hz, "
                "%dx%d per eye\n",
                participants, hz, t.frames, hz, backend.eyeWidth(0), backend.eyeHeight(0));
    std::printf("  %-28s %10s %10s   (microseconds)\n", "", "p50", "p99");
    std::printf("  %-28s %10.1f %10.1f\n", "frame thread: wait", us(t.waitP50), us(t.waitP99));
    std::printf("  %-28s %10.1f %10.1f   (copy of the eye images)\n", "frame thread: render", us(t.renderP50),
                us(t.renderP99));
    std::printf("  %-28s %10.1f %10.1f\n", "frame thread: submit", us(t.submitP50), us(t.submitP99));
    std::printf("  %-28s %10.1f %10.1f   (render + submit: the application's frame time)\n",
                "frame thread: busy", us(t.busyP50), us(t.busyP99));
    std::printf("  %-28s %10.1f %10.1f   (its own CPU time per frame: the 2 ms budget)\n", "frame thread: CPU",
                us(t.cpuP50), us(t.cpuP99));
    std::printf("  %-28s %10.1f %10.1f   (%zu pairs of eye images for %zu frames)\n", "GUI thread: scene, both eyes",
                us(g.renderP50), us(g.renderP99), g.frames, t.frames);
    return 0;
}
