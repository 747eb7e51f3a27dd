// One test executable per folder: every Qt Test class registers itself under a name, and
// CTest runs each class as its own test (`<exe> <name> [QTest args]`).
#pragma once

#include <QObject>
#include <QtTest>

#include <functional>
#include <map>
#include <memory>
#include <string>

namespace twinseal::test {

using Factory = std::function<std::unique_ptr<QObject>()>;

inline std::map<std::string, Factory>& registry() {
    static std::map<std::string, Factory> r;
    return r;
}

struct Registrar {
    Registrar(const char* name, Factory f) { registry().emplace(name, std::move(f)); }
};

// Path of a data file under tests/data (set by CMake).
inline QString dataPath(const QString& relative) {
    return QStringLiteral(TWINSEAL_TEST_DATA_DIR "/") + relative;
}

int runRegistered(int argc, char** argv);

} // namespace twinseal::test

#define TWINSEAL_TEST(Class, name)                                                                 \
    static const ::twinseal::test::Registrar twinseal_registrar_##Class(                           \
        name, [] { return std::unique_ptr<QObject>(new Class); });
