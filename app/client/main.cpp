// twinseal: the desktop client. QML views (TwinSeal.UI) over the view-models in app/viewmodels.
//
//   twinseal [--data-dir DIR] [--local-homenet [--local-port N]] [--theme dark] [--page NAME (myTwin, ownership, calls, privacy, audit, settings)]
//            [--screenshot FILE [--screenshot-delay MS]] [--xr auto|openxr|desktop] [--xr-stats]
//
// --local-homenet starts a home-network service inside the client (SQLite in DIR/homenet, HTTPS
// on 127.0.0.1) and creates a demo subscription whose profile the first page offers, so a new
// user reaches My Twin in a minute on one machine.
//
// --xr (xr_mode.h): auto (the default) also drives an OpenXR headset when a runtime with a headset
// is there, openxr insists and says in the window why it could not, desktop never tries. Without
// a usable headset the client carries on on the desktop. --xr-stats prints the headset's
// per-frame timings on exit.
#include <QCommandLineParser>
#include <QDir>
#include <QFile>
#include <QGuiApplication>
#include <QIcon>
#include <QQmlApplicationEngine>
#include <QQuickStyle>
#include <QQuickWindow>
#include <QSettings>
#include <QStandardPaths>
#include <QTimer>
#include <QtQml/qqmlextensionplugin.h>

#include <cstdio>
#include <memory>
#include <optional>

#include <twinseal/security/bytes.h>
#include <twinseal/security/clock.h>
#include <twinseal/viewmodels/calls_controller.h>
#include <twinseal/viewmodels/participant_list_model.h>
#include <twinseal/viewmodels/settings_controller.h>
#include <twinseal/viewmodels/twin_controller.h>
#include <twinseal/viewmodels/xr_status_controller.h>
#include <twinseal/xr/choose_backend.h>
#include <twinseal/xr/frame.h>

#include "embedded_homenet.h"
#include "xr_input.h"
#include "xr_mode.h"

Q_IMPORT_QML_PLUGIN(TwinSeal_UIPlugin)
Q_IMPORT_QML_PLUGIN(TwinSeal_ViewModelsPlugin)

namespace {

// The bundled resources: beside the executable as installed (PREFIX/bin/../share/twinseal, so a
// package works wherever it was built), then the configured install prefix, then the sources.
QString resourcesDir() {
    const QString besideBinary =
        QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("../share/twinseal"));
    for (const QString& dir : {besideBinary, QStringLiteral(TWINSEAL_INSTALL_RESOURCES)})
        if (QDir(dir + QStringLiteral("/avatar")).exists())
            return QDir(dir).canonicalPath();
    return QStringLiteral(TWINSEAL_SOURCE_RESOURCES);
}

// The embedded home network's passphrase: random, kept beside its data (demo use only).
std::string localPassphrase(const QString& dir) {
    const QString file = QDir(dir).filePath(QStringLiteral("passphrase"));
    auto existing = twinseal::security::readFile(file.toStdString());
    if (existing.ok() && !existing->empty())
        return std::string(existing->begin(), existing->end());
    auto random = twinseal::security::SystemRandom::instance().bytes(24);
    std::string pass = twinseal::security::base64UrlEncode(*random);
    QDir().mkpath(dir);
    (void)twinseal::security::writeFileAtomic(file.toStdString(), twinseal::security::view(pass), true);
    return pass;
}

void printXrStats(const std::vector<twinseal::xr::FrameTiming>& timings, const std::vector<std::int64_t>& sceneNs) {
    const auto s = twinseal::xr::summarizeTimings(timings);
    const auto ms = [](std::int64_t ns) { return static_cast<double>(ns) / 1e6; };
    std::printf("XR frames: %zu\n", s.frames);
    std::printf("XR wait   ms: p50 %.3f  p99 %.3f\n", ms(s.waitP50), ms(s.waitP99));
    std::printf("XR render ms: p50 %.3f  p99 %.3f\n", ms(s.renderP50), ms(s.renderP99));
    std::printf("XR submit ms: p50 %.3f  p99 %.3f\n", ms(s.submitP50), ms(s.submitP99));
    std::printf("XR busy   ms: p50 %.3f  p99 %.3f (render + submit)\n", ms(s.busyP50), ms(s.busyP99));
    std::printf("XR cpu    ms: p50 %.3f  p99 %.3f (the frame thread's own CPU time per frame)\n", ms(s.cpuP50),
                ms(s.cpuP99));
    // The call room's two eye images, rendered on the GUI thread (not the frame thread).
    std::vector<twinseal::xr::FrameTiming> scene(sceneNs.size());
    for (std::size_t i = 0; i < sceneNs.size(); ++i)
        scene[i].renderNs = sceneNs[i];
    const auto r = twinseal::xr::summarizeTimings(scene);
    std::printf("XR scene ms: p50 %.3f  p99 %.3f (GUI thread, both eyes, %zu pairs)\n", ms(r.renderP50),
                ms(r.renderP99), r.frames);
    (void)std::fflush(stdout);
}

} // namespace

int main(int argc, char** argv) {
    // The headset's OpenGL context shares textures with the window's (xr_mode.h).
    QCoreApplication::setAttribute(Qt::AA_ShareOpenGLContexts);
    QGuiApplication app(argc, argv);
    QGuiApplication::setApplicationName(QStringLiteral("twinseal"));
    QGuiApplication::setOrganizationName(QStringLiteral("TwinSeal"));
    QGuiApplication::setApplicationVersion(QStringLiteral(TWINSEAL_VERSION));
    // The installed .desktop file and icon share this id (packaging/desktop).
    QGuiApplication::setDesktopFileName(QStringLiteral("net.twinseal.TwinSeal"));
    QIcon icon;
    for (const int size : {32, 64, 256})
        icon.addFile(QStringLiteral(":/twinseal/app-icon/twinseal-%1.png").arg(size), QSize(size, size));
    QGuiApplication::setWindowIcon(icon);

    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("TwinSeal: your authenticated digital twin."));
    p.addHelpOption();
    p.addVersionOption();
    p.addOptions({
        {QStringLiteral("data-dir"), QStringLiteral("Where your profile, key and twin are kept."),
         QStringLiteral("dir")},
        {QStringLiteral("local-homenet"),
         QStringLiteral("Run a local home network inside the client, with a demo subscription.")},
        {QStringLiteral("local-port"), QStringLiteral("Port of the local home network."),
         QStringLiteral("port"), QStringLiteral("47443")},
        {QStringLiteral("screenshot"),
         QStringLiteral("Save a picture of the window to FILE after it has settled, then quit."),
         QStringLiteral("file")},
        {QStringLiteral("theme"), QStringLiteral("light or dark."), QStringLiteral("theme"),
         QStringLiteral("light")},
        {QStringLiteral("screenshot-delay"), QStringLiteral("Milliseconds to wait before the screenshot."),
         QStringLiteral("ms"), QStringLiteral("3000")},
        {QStringLiteral("page"),
         QStringLiteral("The page to open: myTwin, ownership, calls, privacy, audit or settings."),
         QStringLiteral("page"), QStringLiteral("myTwin")},
        {QStringLiteral("xr"),
         QStringLiteral("auto (use an OpenXR headset when there is one), openxr (say why not when it "
                        "cannot) or desktop."),
         QStringLiteral("mode"), QStringLiteral("auto")},
        {QStringLiteral("xr-stats"),
         QStringLiteral("On exit, print the headset's per-frame timings (wait, render, submit).")},
    });
    p.process(app);
    const auto xrPreference = twinseal::xr::parseBackendPreference(p.value(QStringLiteral("xr")).toStdString());
    if (!xrPreference || *xrPreference == twinseal::xr::BackendPreference::Null) {
        (void)std::fprintf(stderr, "twinseal: --xr must be auto, openxr or desktop (not \"%s\")\n",
                     p.value(QStringLiteral("xr")).toLocal8Bit().constData());
        return 2;
    }
    // Qt Quick Controls' Material style; the views switch Material.theme with --theme and Settings.
    QQuickStyle::setStyle(QStringLiteral("Material"));
    // --data-dir, else the folder chosen in Settings for this start, else the default.
    QString dataDir = p.value(QStringLiteral("data-dir"));
    if (dataDir.isEmpty())
        dataDir = QSettings().value(twinseal::viewmodels::SettingsController::defaultDataDirKey()).toString();
    if (dataDir.isEmpty())
        dataDir = QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation);

    twinseal::viewmodels::TwinController::Options options;
    options.dataDir = dataDir;
    options.sampleAvatarDir = resourcesDir() + QStringLiteral("/avatar");

    // The service runs on its own thread (embedded_homenet.h): its work never blocks the UI.
    twinseal::client::EmbeddedHomenet homenet;
    if (p.isSet(QStringLiteral("local-homenet"))) {
        twinseal::client::EmbeddedHomenet::Settings settings;
        settings.dataDir = QDir(dataDir).filePath(QStringLiteral("homenet"));
        settings.port = static_cast<quint16>(p.value(QStringLiteral("local-port")).toUInt());
        std::string pass = localPassphrase(settings.dataDir);
        auto port = homenet.start(settings, pass, QStringLiteral("Local Home Network"));
        twinseal::security::cleanse(pass.data(), pass.size());
        if (!port.ok()) {
            const bool bind = port.error().code == "listen-failed";
            (void)std::fprintf(stderr, "twinseal: local home network: %s: %s%s\n", port.error().code.c_str(),
                         port.error().message.c_str(), bind ? " (try --local-port)" : "");
            return 3;
        }
        const QString demo = QDir(dataDir).filePath(QStringLiteral("demo-subscription.usim"));
        if (auto st = homenet.ensureDemoSubscription(demo); !st.ok())
            (void)std::fprintf(stderr, "twinseal: local home network: %s: %s\n", st.error().code.c_str(),
                         st.error().message.c_str());
        options.demoProfilePath = demo;
    }

    twinseal::viewmodels::TwinController controller(options);
    twinseal::viewmodels::XrStatusController xrStatus;
    QQmlApplicationEngine engine;
    engine.setInitialProperties(
        {{QStringLiteral("controller"), QVariant::fromValue(&controller)},
         {QStringLiteral("xrStatus"), QVariant::fromValue(&xrStatus)},
         {QStringLiteral("startDark"), p.value(QStringLiteral("theme")) == QLatin1String("dark")},
         {QStringLiteral("currentPage"), p.value(QStringLiteral("page"))}});
    engine.load(QUrl(QStringLiteral("qrc:/qt/qml/TwinSeal/UI/AppWindow.qml")));
    if (engine.rootObjects().isEmpty())
        return 1;
    // The controllers act on the call and the tracked head and hands animate the own avatar
    // (made before the XR mode, which pumps it until it stops).
    twinseal::client::XrInput xrInput;
    xrInput.drive(*controller.calls());
    twinseal::client::XrMode xr(xrStatus);
    xr.setPump([&xrInput](twinseal::xr::OpenXrBackend* backend) { xrInput.pump(backend); });
    xr.setCallViews(controller.calls(), controller.settings());
    xr.setParticipants(controller.calls()->participants());  // the headset shows the Calls page's room
    QObject::connect(&xrInput, &twinseal::client::XrInput::participantPanelRequested, &xr,
                     &twinseal::client::XrMode::toggleParticipantPanel);
    xr.start(*xrPreference, qobject_cast<QQuickWindow*>(engine.rootObjects().first()));

    if (p.isSet(QStringLiteral("screenshot"))) {
        const QString file = p.value(QStringLiteral("screenshot"));
        auto* window = qobject_cast<QQuickWindow*>(engine.rootObjects().first());
        QTimer::singleShot(p.value(QStringLiteral("screenshot-delay")).toInt(), &app, [window, file] {
            const bool ok = window && window->grabWindow().save(file);
            (void)std::fprintf(stderr, ok ? "twinseal: screenshot saved to %s\n" : "twinseal: cannot save %s\n",
                         file.toLocal8Bit().constData());
            QCoreApplication::exit(ok ? 0 : 1);
        });
    }
    const int rc = QGuiApplication::exec();
    xr.stop();
    if (p.isSet(QStringLiteral("xr-stats")) && xr.openXrRan())
        printXrStats(xr.timings(), xr.sceneTimings());
    homenet.stop(); // before the client's objects go: orderly shutdown of the service thread
    return rc;
}
