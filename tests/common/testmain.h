// One test executable per folder: every Qt Test class registers itself under a name, and
// CTest runs each class as its own test (`<exe> <name> [QTest args]`).
#pragma once

#include <QObject>
#include <QRegularExpression>
#include <QtTest>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace twinseal::test {

// A plain function (TWINSEAL_TEST passes makeTest<Class>), so that registering cannot throw.
using Factory = std::unique_ptr<QObject> (*)();

template <typename Class> std::unique_ptr<QObject> makeTest() { return std::make_unique<Class>(); }

inline std::map<std::string, Factory>& registry() {
    static std::map<std::string, Factory> r;
    return r;
}

// Registering runs while static objects are initialised, where an exception could not be caught:
// noexcept makes running out of memory there end the program at once.
struct Registrar {
    Registrar(const char* name, Factory f) noexcept { registry().emplace(name, f); }
};

// Path of a data file under tests/data (set by CMake).
inline QString dataPath(const QString& relative) {
    return QStringLiteral(TWINSEAL_TEST_DATA_DIR "/") + relative;
}

// What a test run does with the messages it logs. With `failOnWarnings`, every QtWarningMsg and
// QtCriticalMsg (not only QML's: also e.g. "Qt Quick Layouts: Polish loop detected") fails the
// test function that was running, unless it matches one of `allowed` (known platform noise; each
// entry justified where it is listed). Messages are still logged as usual. QTest::ignoreMessage
// does not exempt a message from this: an expected warning belongs in `allowed`.
struct MessagePolicy {
    bool failOnWarnings = false;
    std::vector<QRegularExpression> allowed;
};

int runRegistered(int argc, char** argv, MessagePolicy policy = {});

} // namespace twinseal::test

#define TWINSEAL_TEST(Class, name)                                                                 \
    static const ::twinseal::test::Registrar twinseal_registrar_##Class(                           \
        name, &::twinseal::test::makeTest<Class>);
