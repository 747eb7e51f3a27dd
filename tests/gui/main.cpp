#include <QGuiApplication>
#include <QtQml/qqmlextensionplugin.h>

#include "testmain.h"

Q_IMPORT_QML_PLUGIN(TwinSeal_UIPlugin)

int main(int argc, char** argv) {
    QGuiApplication app(argc, argv);
    return twinseal::test::runRegistered(argc, argv);
}
