#include "testmain.h"

#include <QCoreApplication>
#include <cstdio>
#include <vector>

namespace twinseal::test {

int runRegistered(int argc, char** argv) {
    if (argc < 2 || registry().find(argv[1]) == registry().end()) {
        std::fprintf(stderr, "usage: %s <test> [Qt Test options]\ntests:\n", argv[0]);
        for (const auto& [name, f] : registry())
            std::fprintf(stderr, "  %s\n", name.c_str());
        return 2;
    }
    auto test = registry().at(argv[1])();
    std::vector<char*> args;
    args.push_back(argv[0]);
    for (int i = 2; i < argc; ++i)
        args.push_back(argv[i]);
    return QTest::qExec(test.get(), static_cast<int>(args.size()), args.data());
}

} // namespace twinseal::test
