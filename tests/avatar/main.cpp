// Qt Quick Test runner for CallAvatar. QML warnings are fatal. The context gives the tests the
// sample avatar's URL and the renderer this run must have (TWINSEAL_EXPECT_RENDERER: "gpu" under
// Xvfb with Mesa, "software" offscreen), so a run that silently fell back to another renderer
// fails instead of testing the wrong path.
#include <QQmlContext>
#include <QQmlEngine>
#include <QtPlugin>
#include <QtQml/qqmlextensionplugin.h>
#include <QtQuickTest>

#include <cstdio>

Q_IMPORT_QML_PLUGIN(TwinSeal_UIPlugin)
Q_IMPORT_QML_PLUGIN(TwinSeal_ViewModelsPlugin)

class Setup : public QObject {
    Q_OBJECT
public slots:
    void qmlEngineAvailable(QQmlEngine* engine) {
        engine->addImportPath(QStringLiteral("qrc:/qt/qml"));
        engine->rootContext()->setContextProperty(
            QStringLiteral("sampleAvatarUrl"),
            QUrl::fromLocalFile(QStringLiteral(TWINSEAL_SOURCE_DIR "/resources/avatar/sample-avatar.glb")));
        engine->rootContext()->setContextProperty(
            QStringLiteral("notAModelUrl"),
            QUrl::fromLocalFile(QStringLiteral(TWINSEAL_SOURCE_DIR "/resources/avatar/LICENSE.txt")));
        engine->rootContext()->setContextProperty(
            QStringLiteral("expectedRenderer"), qEnvironmentVariable("TWINSEAL_EXPECT_RENDERER"));
        connect(engine, &QQmlEngine::warnings, engine, [](const QList<QQmlError>& warnings) {
            for (const QQmlError& w : warnings)
                (void)std::fprintf(stderr, "QML warning: %s\n", qPrintable(w.toString()));
            qFatal("QML warnings fail the avatar tests");
        });
    }
};

QUICK_TEST_MAIN_WITH_SETUP(avatar, Setup)

#include "main.moc"
