// Helpers for the XR tests that go through the real OpenXR loader.
#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>
#include <QtGlobal>

#include <twinseal/xr/backend.h>

#include <string>
#include <utility>
#include <vector>

namespace twinseal::xr::test {

// The TwinSeal Test Runtime's manifest (written at build time next to the built module).
inline QByteArray testRuntimeManifest() { return QByteArrayLiteral(TWINSEAL_XR_TEST_RUNTIME_JSON); }

// Points every place the loader looks for runtimes and API layers at an empty directory, so no
// runtime or implicit layer installed on the machine can leak into a test. XR_RUNTIME_JSON is
// then set by each test.
inline void isolateLoader(const QTemporaryDir& empty) {
    const QByteArray dir = empty.path().toUtf8();
    for (const char* name : {"XDG_CONFIG_HOME", "XDG_CONFIG_DIRS", "XDG_DATA_HOME", "XDG_DATA_DIRS"})
        qputenv(name, dir);
    for (const char* name : {"XR_RUNTIME_JSON", "XR_API_LAYER_PATH", "XR_ENABLE_API_LAYERS"})
        qunsetenv(name);
}

// The test runtime's behaviour switches (see runtime/test_runtime.cpp), all off.
inline void resetRuntimeSwitches() {
    for (const char* name : {"TWINSEAL_TEST_RUNTIME_SYSTEM", "TWINSEAL_TEST_RUNTIME_NO_HEADLESS",
                             "TWINSEAL_TEST_RUNTIME_SKIP_TO_FOCUSED",
                             "TWINSEAL_TEST_RUNTIME_LOSE_SESSION",
                             "TWINSEAL_TEST_RUNTIME_FAIL_CREATE", "TWINSEAL_TEST_RUNTIME_NO_OPENGL",
                             "TWINSEAL_TEST_RUNTIME_NO_STAGE", "TWINSEAL_TEST_RUNTIME_HZ",
                             "TWINSEAL_TEST_RUNTIME_IPD_MM", "TWINSEAL_TEST_RUNTIME_READBACK"})
        qunsetenv(name);
}

using Transition = std::pair<SessionState, SessionState>;

// Records every state change a backend reports.
struct TransitionLog {
    std::vector<Transition> seen;
    void attach(Backend& backend) {
        backend.setStateObserver([this](SessionState from, SessionState to) {
            seen.emplace_back(from, to);
        });
    }
    // "idle>ready ready>synchronized ..." (readable in QCOMPARE failures).
    [[nodiscard]] QString text() const {
        QStringList parts;
        for (const auto& [from, to] : seen)
            parts << QString::fromLatin1(sessionStateName(from).data(), qsizetype(sessionStateName(from).size())) +
                         ">" +
                         QString::fromLatin1(sessionStateName(to).data(), qsizetype(sessionStateName(to).size()));
        return parts.join(' ');
    }
};

} // namespace twinseal::xr::test

// Qt Test printers (found by argument-dependent lookup from QCOMPARE).
namespace twinseal::xr {
inline char* toString(SessionState s) { return qstrdup(sessionStateName(s).data()); }
inline char* toString(BackendKind k) { return qstrdup(backendKindName(k).data()); }
inline char* toString(ErrorCode c) { return qstrdup(errorCodeName(c).data()); }

// A status's message for assertions: empty when it is ok (error() is only for failures).
inline std::string messageOf(const Status& s) { return s.ok() ? std::string() : s.error().message; }
} // namespace twinseal::xr
