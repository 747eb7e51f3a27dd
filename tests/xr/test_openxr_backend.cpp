// The OpenXR backend's session, through the real loader and the TwinSeal Test Runtime.
#include <QTemporaryDir>
#include <QtTest>

#include <openxr/openxr.h>

#include <twinseal/xr/openxr_backend.h>

#include <memory>

#include "testmain.h"
#include "xrtest.h"

namespace {
namespace test_openxr_backend {

using namespace twinseal::xr;
namespace xt = twinseal::xr::test;
using S = SessionState;

class OpenXrBackendTest : public QObject {
    Q_OBJECT
    QTemporaryDir empty_;
private slots:
    void initTestCase() {
        QVERIFY(empty_.isValid());
        xt::isolateLoader(empty_);
    }
    void init() {
        xt::resetRuntimeSwitches();
        qputenv("XR_RUNTIME_JSON", xt::testRuntimeManifest());
        qputenv("TWINSEAL_TEST_RUNTIME_SYSTEM", "1");
    }

    void sessionLifecycle() {
        OpenXrBackend backend;
        xt::TransitionLog log;
        log.attach(backend);
        QCOMPARE(backend.kind(), BackendKind::OpenXR);

        const Status started = backend.start();
        QVERIFY2(started.ok(), messageOf(started).c_str());
        QVERIFY(backend.started());
        QCOMPARE(QString::fromStdString(backend.runtimeName()), QString("TwinSeal Test Runtime"));
        QCOMPARE(QString::fromStdString(backend.systemName()), QString("TwinSeal Test HMD"));
        // IDLE, READY (-> xrBeginSession), SYNCHRONIZED, VISIBLE, FOCUSED from the runtime.
        QCOMPARE(backend.state(), S::Focused);
        QCOMPARE(log.text(), QString("idle>ready ready>synchronized synchronized>visible visible>focused"));
        QVERIFY(backend.poll().ok());  // nothing pending
        QCOMPARE(backend.state(), S::Focused);
        QCOMPARE(backend.start().code(), ErrorCode::AlreadyRunning);

        log.seen.clear();
        const Status stopped = backend.stop();
        QVERIFY2(stopped.ok(), messageOf(stopped).c_str());
        QCOMPARE(backend.state(), S::Exiting);
        QVERIFY(!backend.started());
        // xrRequestExitSession, then STOPPING (-> xrEndSession), IDLE, EXITING.
        QCOMPARE(log.text(), QString("focused>visible visible>synchronized synchronized>stopping "
                                     "stopping>idle idle>exiting"));

        // And again: a new instance and session.
        log.seen.clear();
        QVERIFY(backend.start().ok());
        QCOMPARE(backend.state(), S::Focused);
        QCOMPARE(log.seen.size(), std::size_t(4));
        QVERIFY(backend.stop().ok());
    }

    void noHeadset() {
        qunsetenv("TWINSEAL_TEST_RUNTIME_SYSTEM");
        OpenXrBackend backend;
        const Status s = backend.start();
        QCOMPARE(s.code(), ErrorCode::FormFactorUnavailable);
        QCOMPARE(QString::fromStdString(messageOf(s)),
                 QString("No headset is connected to the OpenXR runtime \"TwinSeal Test Runtime\"."));
        QVERIFY(!backend.started());
        QCOMPARE(backend.state(), S::Idle);
    }

    void runtimeNeedsGraphicsBinding() {
        qputenv("TWINSEAL_TEST_RUNTIME_NO_HEADLESS", "1");
        OpenXrBackend backend;
        const Status s = backend.start();
        QCOMPARE(s.code(), ErrorCode::Unsupported);
        QVERIFY2(QString::fromStdString(messageOf(s)).contains("graphics binding"), messageOf(s).c_str());
        QVERIFY(!backend.started());
    }

    void refusesIllegalRuntimeSequence() {
        qputenv("TWINSEAL_TEST_RUNTIME_SKIP_TO_FOCUSED", "1");
        OpenXrBackend backend;
        xt::TransitionLog log;
        log.attach(backend);
        const Status s = backend.start();
        QCOMPARE(s.code(), ErrorCode::IllegalTransition);
        QVERIFY2(QString::fromStdString(messageOf(s)).contains("ready -> focused"), messageOf(s).c_str());
        QCOMPARE(backend.state(), S::Ready);
        QCOMPARE(log.text(), QString("idle>ready"));
        // The session is abandoned cleanly.
        (void)backend.stop();
        QCOMPARE(backend.state(), S::Exiting);
        QVERIFY(!backend.started());
    }

    void sessionLoss() {
        qputenv("TWINSEAL_TEST_RUNTIME_LOSE_SESSION", "1");
        OpenXrBackend backend;
        xt::TransitionLog log;
        log.attach(backend);
        QVERIFY(backend.start().ok());
        QCOMPARE(backend.state(), S::Exiting);
        QVERIFY(!backend.started());
        QCOMPARE(log.text(), QString("idle>ready ready>synchronized synchronized>visible "
                                     "visible>focused focused>loss-pending loss-pending>exiting"));
        // Recovers with a new session once the runtime behaves.
        qunsetenv("TWINSEAL_TEST_RUNTIME_LOSE_SESSION");
        QVERIFY(backend.start().ok());
        QCOMPARE(backend.state(), S::Focused);
    }

    void probeWhileStarted() {
        OpenXrBackend backend;
        QVERIFY(backend.start().ok());
        // Debian's loader (1.0.20) allows one XrInstance per process; the probe says so plainly
        // and leaves the running session alone. (A newer loader may allow the second instance.)
        const RuntimeProbe probe = probeOpenXr();
        if (!probe.available) {
            QCOMPARE(probe.result, std::int32_t(XR_ERROR_LIMIT_REACHED));
            QCOMPARE(QString::fromStdString(probe.message),
                     QString("OpenXR is already in use in this process (the OpenXR loader allows "
                             "one instance at a time)."));
            OpenXrBackend second;
            const Status s = second.start();
            QCOMPARE(s.code(), ErrorCode::RuntimeError);
            QCOMPARE(QString::fromStdString(messageOf(s)), QString::fromStdString(probe.message));
        } else {
            QCOMPARE(QString::fromStdString(probe.runtimeName), QString("TwinSeal Test Runtime"));
        }
        QVERIFY(backend.poll().ok());
        QCOMPARE(backend.state(), S::Focused);
        QVERIFY(backend.stop().ok());
        QCOMPARE(backend.state(), S::Exiting);
        QVERIFY(probeOpenXr().available);  // free again
    }

    void destroyedWhileRunning() {
        // The destructor ends the session and instance (ASan/LSan check the runtime's objects).
        auto backend = std::make_unique<OpenXrBackend>();
        QVERIFY(backend->start().ok());
        QCOMPARE(backend->state(), S::Focused);
        backend.reset();
        // The runtime is unloaded and loads again for the next backend.
        OpenXrBackend again;
        QVERIFY(again.start().ok());
        QCOMPARE(again.state(), S::Focused);
    }
};

TWINSEAL_TEST(OpenXrBackendTest, "openxr-backend")
} // namespace test_openxr_backend
} // namespace

#include "test_openxr_backend.moc"
