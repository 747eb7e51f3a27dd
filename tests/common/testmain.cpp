#include "testmain.h"

#include <QCoreApplication>
#include <openssl/crypto.h>
#include <cstdio>
#include <vector>

namespace twinseal::test {

namespace {

MessagePolicy g_policy;
QtMessageHandler g_qtTestHandler = nullptr;

bool allowed(const QString& message) {
    for (const QRegularExpression& re : g_policy.allowed)
        if (re.match(message).hasMatch())
            return true;
    return false;
}

// Installed over Qt Test's own handler (which logs the message), so it sees every message of
// every test function, initTestCase and cleanupTestCase included.
void failOnWarnings(QtMsgType type, const QMessageLogContext& context, const QString& message) {
    g_qtTestHandler(type, context, message);
    if ((type != QtWarningMsg && type != QtCriticalMsg) || allowed(message))
        return;
    const QByteArray why = QByteArrayLiteral("A warning fails this test (see MessagePolicy): ") +
                           message.toLocal8Bit();
    QTest::qFail(why.constData(), context.file ? context.file : "", context.line);
}

} // namespace

int runRegistered(int argc, char** argv, MessagePolicy policy) {
    if (argc < 2 || registry().find(argv[1]) == registry().end()) {
        (void)std::fprintf(stderr, "usage: %s <test> [Qt Test options]\ntests:\n", argv[0]);
        for (const auto& [name, f] : registry())
            (void)std::fprintf(stderr, "  %s\n", name.c_str());
        return 2;
    }
    // OpenSSL frees its global state in an exit handler of its own, which also forgets how to free
    // each thread's state. A thread of Qt's that ends after that handler (they end while the
    // process exits, in no fixed order) would leave its 904-byte error queue behind, which the
    // sanitizer build reports as a leak. The tests keep that state until the process ends.
    OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, nullptr);
    auto test = registry().at(argv[1])();
    std::vector<char*> args;
    args.push_back(argv[0]);
    for (int i = 2; i < argc; ++i)
        args.push_back(argv[i]);
    // qExec = qInit (which installs Qt Test's message handler) + qRun + qCleanup (which restores
    // the original handler): our handler goes on top of Qt Test's in between.
    QTest::qInit(test.get(), static_cast<int>(args.size()), args.data());
    if (policy.failOnWarnings) {
        g_policy = std::move(policy);
        g_qtTestHandler = qInstallMessageHandler(failOnWarnings);
    }
    const int failures = QTest::qRun();
    QTest::qCleanup();
    return failures;
}

} // namespace twinseal::test
