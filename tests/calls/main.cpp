#include <QCoreApplication>

#include "testmain.h"

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    return twinseal::test::runRegistered(argc, argv);
}
