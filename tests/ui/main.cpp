// Qt Quick Test runner for the TwinSeal.UI components. QML warnings are fatal.
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
        connect(engine, &QQmlEngine::warnings, engine, [](const QList<QQmlError>& warnings) {
            for (const QQmlError& w : warnings)
                (void)std::fprintf(stderr, "QML warning: %s\n", qPrintable(w.toString()));
            qFatal("QML warnings fail the UI tests");
        });
    }
};

QUICK_TEST_MAIN_WITH_SETUP(ui, Setup)

#include "main.moc"
