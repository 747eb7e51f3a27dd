#include <QGuiApplication>
#include <QtQml/qqmlextensionplugin.h>

#include "testmain.h"

Q_IMPORT_QML_PLUGIN(TwinSeal_UIPlugin)
Q_IMPORT_QML_PLUGIN(TwinSeal_ViewModelsPlugin)

namespace {

// Every warning or critical message fails a GUI test (a QML error, a binding or polish loop, a
// failed image load, a qWarning of the client) except this platform noise, which says nothing
// about the client:
twinseal::test::MessagePolicy guiMessagePolicy() {
    twinseal::test::MessagePolicy p;
    p.failOnWarnings = true;
    p.allowed = {
        // Qt Quick's animation timer, when a window is destroyed while one of its animations (a
        // busy indicator) is being stopped: Qt stops its driver twice and says so. Seen under
        // load only (the ASan build); nothing the client does or shows depends on it.
        QRegularExpression(QStringLiteral("^QUnifiedTimer::stopAnimationDriver: driver is not running$")),
    };
    return p;
}

} // namespace

int main(int argc, char** argv) {
    QGuiApplication app(argc, argv);
    return twinseal::test::runRegistered(argc, argv, guiMessagePolicy());
}
