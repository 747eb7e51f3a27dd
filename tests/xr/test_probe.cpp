// probeOpenXr and chooseBackend through the real OpenXR loader: once with the TwinSeal Test
// Runtime as the active runtime, once with no runtime at all.
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <openxr/openxr.h>

#include <twinseal/xr/choose_backend.h>
#include <twinseal/xr/openxr_backend.h>

#include "testmain.h"
#include "xrtest.h"

namespace {
namespace test_probe {

using namespace twinseal::xr;
namespace xt = twinseal::xr::test;

namespace {

const auto& noRuntime() {
    static const QString value = QStringLiteral("No OpenXR runtime is installed or active; TwinSeal runs in desktop mode.");
    return value;
}

QString q(const std::string& s) { return QString::fromStdString(s); }

} // namespace

class ProbeRuntimeTest : public QObject {
    Q_OBJECT
    QTemporaryDir empty_;
private slots:
    void initTestCase() {
        QVERIFY(empty_.isValid());
        QVERIFY2(QFile::exists(xt::testRuntimeManifest()), xt::testRuntimeManifest().constData());
        xt::isolateLoader(empty_);
    }
    void init() {
        xt::resetRuntimeSwitches();
        qputenv("XR_RUNTIME_JSON", xt::testRuntimeManifest());
    }

    void findsTestRuntime() {
        const RuntimeProbe probe = probeOpenXr();
        QVERIFY2(probe.available, probe.detail.c_str());
        QCOMPARE(q(probe.runtimeName), QString("TwinSeal Test Runtime"));
        QCOMPARE(q(xrVersionString(probe.runtimeVersion)), QString("0.1.0"));
        QCOMPARE(probe.result, std::int32_t(XR_SUCCESS));
        QVERIFY(probe.failedCall.empty());
        QCOMPARE(probe.error, ErrorCode::Ok);
        QVERIFY2(probe.hasExtension(XR_MND_HEADLESS_EXTENSION_NAME),
                 qPrintable(q(probe.detail)));
        QVERIFY(probe.hasExtension(kOpenGlExtensionName));
        QCOMPARE(q(probe.message), QString("OpenXR runtime \"TwinSeal Test Runtime\" 0.1.0 is available."));
        QVERIFY(!probe.systemQueried);
        QVERIFY(probe.usable());

        const BackendChoice automatic = chooseBackend(BackendPreference::Auto, probe);
        QCOMPARE(automatic.backend->kind(), BackendKind::OpenXR);
        QCOMPARE(q(automatic.reason), q(probe.message));
        QCOMPARE(chooseBackend(BackendPreference::OpenXR, probe).backend->kind(), BackendKind::OpenXR);
        QCOMPARE(chooseBackend(BackendPreference::Desktop, probe).backend->kind(), BackendKind::Desktop);
    }

    void extensionsComeFromTheRuntime() {
        qputenv("TWINSEAL_TEST_RUNTIME_NO_HEADLESS", "1");
        const RuntimeProbe probe = probeOpenXr();
        QVERIFY(probe.available);
        QVERIFY(!probe.hasExtension(XR_MND_HEADLESS_EXTENSION_NAME));
    }

    void headsetQuery() {
        ProbeOptions options;
        options.querySystem = true;
        // The runtime is there, but no headset: usable() is false and Auto means desktop.
        RuntimeProbe probe = probeOpenXr(options);
        QVERIFY(probe.available);
        QVERIFY(probe.systemQueried);
        QVERIFY(!probe.systemAvailable);
        QVERIFY(!probe.usable());
        QCOMPARE(probe.result, std::int32_t(XR_ERROR_FORM_FACTOR_UNAVAILABLE));
        QCOMPARE(q(probe.failedCall), QString("xrGetSystem"));
        QCOMPARE(probe.error, ErrorCode::FormFactorUnavailable);
        QCOMPARE(q(probe.message), QString("OpenXR runtime \"TwinSeal Test Runtime\" is active but no "
                                           "headset is connected; TwinSeal runs in desktop mode."));
        QCOMPARE(chooseBackend(BackendPreference::Auto, probe).backend->kind(), BackendKind::Desktop);

        qputenv("TWINSEAL_TEST_RUNTIME_SYSTEM", "1");
        probe = probeOpenXr(options);
        QVERIFY(probe.systemAvailable);
        QVERIFY(probe.usable());
        QCOMPARE(q(probe.systemName), QString("TwinSeal Test HMD"));
        QCOMPARE(chooseBackend(BackendPreference::Auto, probe).backend->kind(), BackendKind::OpenXR);
    }

    void brokenRuntime() {
        // Installed, but xrCreateInstance fails: said plainly, and desktop mode.
        qputenv("TWINSEAL_TEST_RUNTIME_FAIL_CREATE", "1");
        const RuntimeProbe probe = probeOpenXr();
        QVERIFY(!probe.available);
        QCOMPARE(probe.result, std::int32_t(XR_ERROR_RUNTIME_FAILURE));
        QCOMPARE(q(probe.failedCall), QString("xrCreateInstance"));
        QCOMPARE(probe.error, ErrorCode::RuntimeError);
        QCOMPARE(q(probe.message), QString("The OpenXR runtime could not be started "
                                           "(XR_ERROR_RUNTIME_FAILURE); TwinSeal runs in desktop mode."));
        QCOMPARE(chooseBackend(BackendPreference::Auto, probe).backend->kind(), BackendKind::Desktop);
        OpenXrBackend backend;
        QCOMPARE(backend.start().code(), ErrorCode::RuntimeError);
        QVERIFY(!backend.started());
    }

    void repeatedProbesAgree() {
        // Each probe loads and unloads the runtime through the loader.
        for (int i = 0; i < 5; ++i) {
            const RuntimeProbe probe = probeOpenXr();
            QVERIFY(probe.available);
            QCOMPARE(q(probe.runtimeName), QString("TwinSeal Test Runtime"));
        }
    }
};

class ProbeNoRuntimeTest : public QObject {
    Q_OBJECT
    QTemporaryDir empty_;
    QTemporaryDir scratch_;
private slots:
    void initTestCase() {
        QVERIFY(empty_.isValid());
        QVERIFY(scratch_.isValid());
        xt::isolateLoader(empty_);
    }
    void init() { xt::resetRuntimeSwitches(); }

    void missingManifest() {
        qputenv("XR_RUNTIME_JSON", scratch_.filePath("missing_runtime.json").toUtf8());
        const RuntimeProbe probe = probeOpenXr();
        QVERIFY(!probe.available);
        QVERIFY(!probe.usable());
        QCOMPARE(probe.result, std::int32_t(XR_ERROR_RUNTIME_UNAVAILABLE));
        QCOMPARE(q(probe.failedCall), QString("xrCreateInstance"));
        QCOMPARE(probe.error, ErrorCode::RuntimeUnavailable);
        QCOMPARE(q(probe.message), noRuntime());
        QVERIFY2(q(probe.detail).contains("XR_ERROR_RUNTIME_UNAVAILABLE"), probe.detail.c_str());
        QVERIFY(probe.runtimeName.empty());

        for (auto preference : {BackendPreference::Auto, BackendPreference::OpenXR}) {
            const BackendChoice choice = chooseBackend(preference, probe);
            QCOMPARE(choice.backend->kind(), BackendKind::Desktop);
            QCOMPARE(q(choice.reason), noRuntime());
            QVERIFY(choice.backend->start().ok());
            QCOMPARE(choice.backend->state(), SessionState::Focused);
        }

        // Starting the OpenXR backend anyway fails plainly, without throwing or exiting.
        OpenXrBackend backend;
        const Status s = backend.start();
        QCOMPARE(s.code(), ErrorCode::RuntimeUnavailable);
        QCOMPARE(q(messageOf(s)), noRuntime());
        QVERIFY(!backend.started());
        QCOMPARE(backend.state(), SessionState::Idle);
        QVERIFY(backend.poll().ok());
        QVERIFY(backend.stop().ok());
    }

    void manifestNamingMissingLibrary() {
        const QString manifest = scratch_.filePath("broken_runtime.json");
        QFile f(manifest);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("{\"file_format_version\": \"1.0.0\", \"runtime\": {\"name\": \"Gone\", "
                "\"library_path\": \"" + scratch_.filePath("libno_such_runtime.so").toUtf8() + "\"}}");
        f.close();
        qputenv("XR_RUNTIME_JSON", manifest.toUtf8());
        const RuntimeProbe probe = probeOpenXr();
        QVERIFY(!probe.available);
        QCOMPARE(probe.result, std::int32_t(XR_ERROR_RUNTIME_UNAVAILABLE));
        QCOMPARE(q(probe.message), noRuntime());
        QCOMPARE(chooseBackend(BackendPreference::Auto, probe).backend->kind(), BackendKind::Desktop);
    }

    void noActiveRuntime() {
        // No override and no active_runtime.json under the (empty) XDG directories. The loader
        // also looks in /etc/openxr/1/, which a test cannot redirect.
        if (QFile::exists("/etc/openxr/1/active_runtime.json"))
            QSKIP("this machine has a system-wide active OpenXR runtime");
        qunsetenv("XR_RUNTIME_JSON");
        const RuntimeProbe probe = probeOpenXr();
        QVERIFY(!probe.available);
        QCOMPARE(q(probe.message), noRuntime());
        QCOMPARE(chooseBackend(BackendPreference::Auto, probe).backend->kind(), BackendKind::Desktop);
    }

    void runtimeAppearsLater() {
        // The loader does not remember a failed search: once a runtime is active, it is found.
        qputenv("XR_RUNTIME_JSON", scratch_.filePath("missing_runtime.json").toUtf8());
        QVERIFY(!probeOpenXr().available);
        qputenv("XR_RUNTIME_JSON", xt::testRuntimeManifest());
        const RuntimeProbe probe = probeOpenXr();
        QVERIFY2(probe.available, probe.detail.c_str());
        QCOMPARE(q(probe.runtimeName), QString("TwinSeal Test Runtime"));
        qputenv("XR_RUNTIME_JSON", scratch_.filePath("missing_runtime.json").toUtf8());
        QVERIFY(!probeOpenXr().available);
    }
};

TWINSEAL_TEST(ProbeRuntimeTest, "probe-runtime")
TWINSEAL_TEST(ProbeNoRuntimeTest, "probe-no-runtime")
} // namespace test_probe
} // namespace

#include "test_probe.moc"
