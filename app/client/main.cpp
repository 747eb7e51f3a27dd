// twinseal: the desktop client. QML views (TwinSeal.UI) over the view-models in app/viewmodels.
//
//   twinseal [--data-dir DIR] [--local-homenet [--local-port N]] [--theme dark] [--page NAME (myTwin, ownership, calls, privacy, audit, settings)]
//            [--screenshot FILE [--screenshot-delay MS]]
//
// --local-homenet starts a home-network service inside the client (SQLite in DIR/homenet, HTTPS
// on 127.0.0.1) and creates a demo subscription whose profile the first page offers, so a new
// user reaches My Twin in a minute on one machine.
#include <QCommandLineParser>
#include <QDir>
#include <QFile>
#include <QGuiApplication>
#include <QQmlApplicationEngine>
#include <QQuickStyle>
#include <QQuickWindow>
#include <QSettings>
#include <QStandardPaths>
#include <QTimer>
#include <QtQml/qqmlextensionplugin.h>

#include <cstdio>
#include <memory>

#include <twinseal/security/bytes.h>
#include <twinseal/security/clock.h>
#include <twinseal/viewmodels/settings_controller.h>
#include <twinseal/viewmodels/twin_controller.h>

#include "embedded_homenet.h"

Q_IMPORT_QML_PLUGIN(TwinSeal_UIPlugin)
Q_IMPORT_QML_PLUGIN(TwinSeal_ViewModelsPlugin)

namespace {

QString resourcesDir() {
    const QString installed = QStringLiteral(TWINSEAL_INSTALL_RESOURCES);
    if (QDir(installed + QStringLiteral("/avatar")).exists())
        return installed;
    return QStringLiteral(TWINSEAL_SOURCE_RESOURCES);
}

// The embedded home network's passphrase: random, kept beside its data (demo use only).
std::string localPassphrase(const QString& dir) {
    const QString file = QDir(dir).filePath(QStringLiteral("passphrase"));
    auto existing = twinseal::security::readFile(file.toStdString());
    if (existing.ok() && !existing->empty())
        return std::string(existing->begin(), existing->end());
    auto random = twinseal::security::SystemRandom::instance().bytes(24);
    const std::string pass = twinseal::security::base64UrlEncode(*random);
    QDir().mkpath(dir);
    (void)twinseal::security::writeFileAtomic(file.toStdString(), twinseal::security::view(pass), true);
    return pass;
}

} // namespace

int main(int argc, char** argv) {
    QGuiApplication app(argc, argv);
    QGuiApplication::setApplicationName(QStringLiteral("twinseal"));
    QGuiApplication::setOrganizationName(QStringLiteral("TwinSeal"));
    QGuiApplication::setApplicationVersion(QStringLiteral(TWINSEAL_VERSION));

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
    });
    p.process(app);
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
            std::fprintf(stderr, "twinseal: local home network: %s: %s%s\n", port.error().code.c_str(),
                         port.error().message.c_str(), bind ? " (try --local-port)" : "");
            return 3;
        }
        const QString demo = QDir(dataDir).filePath(QStringLiteral("demo-subscription.usim"));
        if (auto st = homenet.ensureDemoSubscription(demo); !st.ok())
            std::fprintf(stderr, "twinseal: local home network: %s: %s\n", st.error().code.c_str(),
                         st.error().message.c_str());
        options.demoProfilePath = demo;
    }

    twinseal::viewmodels::TwinController controller(options);
    QQmlApplicationEngine engine;
    engine.setInitialProperties(
        {{QStringLiteral("controller"), QVariant::fromValue(&controller)},
         {QStringLiteral("startDark"), p.value(QStringLiteral("theme")) == QLatin1String("dark")},
         {QStringLiteral("currentPage"), p.value(QStringLiteral("page"))}});
    engine.load(QUrl(QStringLiteral("qrc:/qt/qml/TwinSeal/UI/AppWindow.qml")));
    if (engine.rootObjects().isEmpty())
        return 1;

    if (p.isSet(QStringLiteral("screenshot"))) {
        const QString file = p.value(QStringLiteral("screenshot"));
        auto* window = qobject_cast<QQuickWindow*>(engine.rootObjects().first());
        QTimer::singleShot(p.value(QStringLiteral("screenshot-delay")).toInt(), &app, [window, file] {
            const bool ok = window && window->grabWindow().save(file);
            std::fprintf(stderr, ok ? "twinseal: screenshot saved to %s\n" : "twinseal: cannot save %s\n",
                         file.toLocal8Bit().constData());
            QCoreApplication::exit(ok ? 0 : 1);
        });
    }
    const int rc = QGuiApplication::exec();
    homenet.stop(); // before the client's objects go: orderly shutdown of the service thread
    return rc;
}
