// The Calls page's rendering load: N CallAvatars (default 16, the sample avatar) in a 4-column
// grid in one window, each fed an animation frame (head rotation and position, both hands,
// blend shapes) at F Hz (default 90), the way the page feeds received frames. Rendered by Qt
// Quick 3D in a real window (run under Xvfb, where Mesa renders with the CPU). Printed, never
// asserted: frames/s, frame time (one frame to the next) p50/p99/max, the time spent rendering
// each frame (sync to swap) p50/p99, and the frames fed per second.
//
// The basic render loop keeps rendering on this thread, so every figure comes from one clock,
// and the swap interval is 0 so the display's refresh does not cap the frame rate.
//
// Options: --seconds S (measured, default 10), --avatars N (16), --hz F (90),
//          --screenshot FILE (a grab of the window after the measurement), --source URL (the
//          avatar model; default: resources/avatar/sample-avatar.glb)
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QGuiApplication>
#include <QImage>
#include <QQmlComponent>
#include <QQmlEngine>
#include <QQuaternion>
#include <QQuickItem>
#include <QQuickWindow>
#include <QSGRendererInterface>
#include <QTimer>
#include <QUrl>
#include <QVector3D>
#include <QtPlugin>
#include <QtQml/qqmlextensionplugin.h>
#include <QtQuick3D/qquick3d.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <vector>

Q_IMPORT_QML_PLUGIN(TwinSeal_UIPlugin)
Q_IMPORT_QML_PLUGIN(TwinSeal_ViewModelsPlugin)

namespace {

constexpr char kScene[] = R"(
import QtQuick
import TwinSeal.UI
Rectangle {
    id: page
    property int avatars: 16
    property url source
    color: "#f4f6fa"
    Grid {
        id: grid
        objectName: "grid"
        anchors.fill: parent
        anchors.margins: 8
        columns: 4
        spacing: 8
        Repeater {
            model: page.avatars
            CallAvatar {
                width: (grid.width - 3 * grid.spacing) / 4
                height: (grid.height - (Math.ceil(page.avatars / 4) - 1) * grid.spacing) / Math.ceil(page.avatars / 4)
                source: page.source
            }
        }
    }
}
)";

double percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0.0;
    std::sort(v.begin(), v.end());
    const auto i = static_cast<std::size_t>(std::min<double>(p * static_cast<double>(v.size() - 1) + 0.5,
                                                             static_cast<double>(v.size() - 1)));
    return v[i];
}

// A plausible frame for participant `i` at time t (seconds): looking around, nodding, waving.
void feed(QObject* avatar, int i, double t) {
    const double phase = 0.7 * i;
    const float yaw = static_cast<float>(25.0 * std::sin(0.9 * t + phase));
    const float pitch = static_cast<float>(10.0 * std::sin(1.7 * t + 2 * phase));
    const float roll = static_cast<float>(6.0 * std::sin(1.3 * t + phase));
    avatar->setProperty("headRotation", QQuaternion::fromEulerAngles(pitch, yaw, roll));
    avatar->setProperty("headPosition", QVector3D(static_cast<float>(0.04 * std::sin(0.5 * t + phase)), 0.f,
                                                  static_cast<float>(0.03 * std::sin(0.8 * t + phase))));
    const float wave = static_cast<float>(std::sin(3.0 * t + phase));
    avatar->setProperty("leftHandPosition", QVector3D(0.05f, 0.35f + 0.1f * wave, 0.25f));
    avatar->setProperty("rightHandPosition",
                        QVector3D(0.f, static_cast<float>(0.1 * (1 + std::sin(1.1 * t + phase))), 0.1f));
    avatar->setProperty("blendShapes", QVariantList{0.5 + 0.5 * std::sin(7.0 * t + phase),
                                                    std::fmod(t + phase, 3.0) < 0.15 ? 1.0 : 0.0});
}

} // namespace

int main(int argc, char** argv) {
    qputenv("QSG_RENDER_LOOP", "basic");
    QGuiApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    QCommandLineOption secondsOpt("seconds", "Measured seconds.", "S", "10");
    QCommandLineOption avatarsOpt("avatars", "Avatars in the grid.", "N", "16");
    QCommandLineOption hzOpt("hz", "Animation frames per second per avatar.", "F", "90");
    QCommandLineOption shotOpt("screenshot", "Save a grab of the window.", "FILE");
    QCommandLineOption sourceOpt("source", "The avatar model URL.", "URL",
                                 QUrl::fromLocalFile(TWINSEAL_SOURCE_DIR "/resources/avatar/sample-avatar.glb").toString());
    parser.addOptions({secondsOpt, avatarsOpt, hzOpt, shotOpt, sourceOpt});
    parser.process(app);
    const double seconds = std::max(1.0, parser.value(secondsOpt).toDouble());
    const int avatars = std::clamp(parser.value(avatarsOpt).toInt(), 1, 64);
    const double hz = std::clamp(parser.value(hzOpt).toDouble(), 1.0, 1000.0);

    QSurfaceFormat format = QQuick3D::idealSurfaceFormat();
    format.setSwapInterval(0);
    QSurfaceFormat::setDefaultFormat(format);

    QQmlEngine engine;
    engine.addImportPath(QStringLiteral("qrc:/qt/qml"));
    QQmlComponent component(&engine);
    component.setData(kScene, QUrl(QStringLiteral("file:///twinseal-bench/CallsRender.qml")));
    if (!component.isReady()) {
        (void)std::fprintf(stderr, "bench-calls-render: the scene does not load: %s\n",
                     qPrintable(component.errorString()));
        return 1;
    }
    QQuickWindow window;
    window.resize(1280, 960);
    // Created inside the window, as the Calls page creates its tiles.
    std::unique_ptr<QObject> rootObject(component.beginCreate(engine.rootContext()));
    auto* root = qobject_cast<QQuickItem*>(rootObject.get());
    if (!root) {
        (void)std::fprintf(stderr, "bench-calls-render: the scene does not load: %s\n",
                     qPrintable(component.errorString()));
        return 1;
    }
    component.setInitialProperties(root, {{QStringLiteral("avatars"), avatars},
                                          {QStringLiteral("source"), QUrl(parser.value(sourceOpt))}});
    root->setParentItem(window.contentItem());
    root->setSize(window.size());
    component.completeCreate();
    window.show();

    std::vector<QObject*> participants;
    for (QObject* child : root->findChild<QQuickItem*>(QStringLiteral("grid"))->childItems())
        if (child->property("headRotation").isValid()) participants.push_back(child);
    if (static_cast<int>(participants.size()) != avatars) {
        (void)std::fprintf(stderr, "bench-calls-render: %zu avatars in the grid, %d expected\n", participants.size(), avatars);
        return 1;
    }

    QElapsedTimer clock;
    clock.start();
    bool measuring = false;
    qint64 syncStart = 0, lastSwap = -1;
    std::vector<double> intervals, renderTimes;
    long fed = 0;
    QObject::connect(&window, &QQuickWindow::beforeSynchronizing, &window,
                     [&] { syncStart = clock.nsecsElapsed(); }, Qt::DirectConnection);
    QObject::connect(&window, &QQuickWindow::frameSwapped, &window, [&] {
        const qint64 now = clock.nsecsElapsed();
        if (measuring) {
            if (lastSwap >= 0) intervals.push_back(static_cast<double>(now - lastSwap) / 1e6);
            renderTimes.push_back(static_cast<double>(now - syncStart) / 1e6);
        }
        lastSwap = now;
    }, Qt::DirectConnection);

    QTimer animation;
    animation.setTimerType(Qt::PreciseTimer);
    animation.setInterval(static_cast<int>(std::lround(1000.0 / hz)));
    QObject::connect(&animation, &QTimer::timeout, [&] {
        const double t = static_cast<double>(clock.nsecsElapsed()) / 1e9;
        for (std::size_t i = 0; i < participants.size(); ++i) feed(participants[i], static_cast<int>(i), t);
        if (measuring) ++fed;
    });
    animation.start();

    const double warmup = 2.0;
    qint64 measureStart = 0;
    QTimer::singleShot(static_cast<int>(warmup * 1000), [&] {
        measuring = true;
        lastSwap = -1;
        measureStart = clock.nsecsElapsed();
    });
    QImage shot;
    QTimer::singleShot(static_cast<int>((warmup + seconds) * 1000), [&] {
        measuring = false;
        animation.stop();
        if (parser.isSet(shotOpt)) shot = window.grabWindow();
        QCoreApplication::quit();
    });
    QGuiApplication::exec();
    const double measured = static_cast<double>(clock.nsecsElapsed() - measureStart) / 1e9;

    const char* api = "unknown";
    switch (window.rendererInterface()->graphicsApi()) {
    case QSGRendererInterface::OpenGL: api = "OpenGL"; break;
    case QSGRendererInterface::Vulkan: api = "Vulkan"; break;
    case QSGRendererInterface::Software: api = "software (no 3D)"; break;
    default: break;
    }
    std::printf("Calls page rendering: %d CallAvatars (%s), 4 columns, 1280x960, frames fed at %.0f Hz, "
                "renderer %s, %.1f s measured\n",
                avatars, qPrintable(QUrl(parser.value(sourceOpt)).fileName()), hz, api, measured);
    std::printf("  frames rendered      %zu (%.1f frames/s)\n", renderTimes.size(),
                static_cast<double>(renderTimes.size()) / measured);
    std::printf("  frame time           p50 %.2f ms   p99 %.2f ms   max %.2f ms\n", percentile(intervals, 0.5),
                percentile(intervals, 0.99), intervals.empty() ? 0.0 : *std::max_element(intervals.begin(), intervals.end()));
    std::printf("  render (sync..swap)  p50 %.2f ms   p99 %.2f ms\n", percentile(renderTimes, 0.5),
                percentile(renderTimes, 0.99));
    std::printf("  animation frames fed %.1f/s per avatar (%.0f/s in all)\n",
                static_cast<double>(fed) / measured, static_cast<double>(fed) * avatars / measured);
    if (parser.isSet(shotOpt)) {
        if (!shot.save(parser.value(shotOpt)))
            (void)std::fprintf(stderr, "bench-calls-render: cannot save the screenshot to %s\n",
                         qPrintable(parser.value(shotOpt)));
        else
            std::printf("  screenshot           %s\n", qPrintable(parser.value(shotOpt)));
    }
    return 0;
}
