// The scripted (null) and desktop backends, and choosing a backend from a probe result.
#include <QtTest>

#include <twinseal/xr/backend.h>
#include <twinseal/xr/choose_backend.h>

#include "testmain.h"
#include "xrtest.h"

namespace {
namespace test_backends {

using namespace twinseal::xr;
using twinseal::xr::test::TransitionLog;
using S = SessionState;

class NullBackendTest : public QObject {
    Q_OBJECT
private slots:
    void scriptedRun() {
        NullBackend backend;
        TransitionLog log;
        log.attach(backend);
        QCOMPARE(backend.kind(), BackendKind::Null);
        QCOMPARE(backend.state(), S::Idle);
        QVERIFY(!backend.started());

        QVERIFY(backend.start().ok());
        QVERIFY(backend.started());
        QCOMPARE(backend.state(), S::Idle);
        QVERIFY(log.seen.empty());

        backend.script(NullBackend::focusScript());
        QCOMPARE(backend.pendingSteps(), std::size_t(4));
        QVERIFY(backend.poll().ok());
        QCOMPARE(backend.state(), S::Focused);
        QCOMPARE(backend.pendingSteps(), std::size_t(0));
        QCOMPARE(log.text(), QString("idle>ready ready>synchronized synchronized>visible visible>focused"));

        // The runtime takes focus away and gives it back.
        backend.script({S::Visible, S::Focused});
        QVERIFY(backend.poll().ok());
        QCOMPARE(backend.state(), S::Focused);

        log.seen.clear();
        QVERIFY(backend.stop().ok());
        QCOMPARE(backend.state(), S::Exiting);
        QVERIFY(!backend.started());
        QCOMPARE(log.text(),
                 QString("focused>visible visible>synchronized synchronized>stopping stopping>idle "
                         "idle>exiting"));

        // A new session starts at Idle again.
        log.seen.clear();
        QVERIFY(backend.start().ok());
        QCOMPARE(backend.state(), S::Idle);
        QCOMPARE(backend.startCount(), 2);
        QVERIFY(log.seen.empty());
    }

    void refusesIllegalScript() {
        NullBackend backend;
        TransitionLog log;
        log.attach(backend);
        QVERIFY(backend.start().ok());
        backend.script({S::Ready, S::Focused, S::Synchronized});
        const Status s = backend.poll();
        QCOMPARE(s.code(), ErrorCode::IllegalTransition);
        QVERIFY2(QString::fromStdString(messageOf(s)).contains("ready -> focused"), messageOf(s).c_str());
        QCOMPARE(backend.state(), S::Ready);  // unchanged by the refused step
        QCOMPARE(log.text(), QString("idle>ready"));
        QCOMPARE(backend.pendingSteps(), std::size_t(1));
        QVERIFY(backend.poll().ok());         // the rest of the script is legal
        QCOMPARE(backend.state(), S::Synchronized);
    }

    void sessionLoss() {
        NullBackend backend;
        TransitionLog log;
        log.attach(backend);
        QVERIFY(backend.start().ok());
        backend.script({S::Ready, S::Synchronized, S::LossPending, S::Exiting, S::Ready});
        QVERIFY(backend.poll().ok());
        QCOMPARE(backend.state(), S::Exiting);
        QVERIFY(!backend.started());
        // Steps after Exiting belong to no session and are not applied.
        QCOMPARE(log.text(), QString("idle>ready ready>synchronized synchronized>loss-pending "
                                     "loss-pending>exiting"));
        QVERIFY(backend.stop().ok());  // nothing to stop
        QCOMPARE(backend.state(), S::Exiting);
    }

    void startRules() {
        NullBackend backend;
        backend.script({S::Ready});
        QVERIFY(backend.poll().ok());           // not started: the script waits
        QCOMPARE(backend.state(), S::Idle);
        QCOMPARE(backend.pendingSteps(), std::size_t(1));

        backend.failNextStart(Error{ErrorCode::RuntimeUnavailable, "no runtime"});
        const Status failed = backend.start();
        QCOMPARE(failed.code(), ErrorCode::RuntimeUnavailable);
        QCOMPARE(QString::fromStdString(messageOf(failed)), QString("no runtime"));
        QVERIFY(!backend.started());
        QCOMPARE(backend.startCount(), 0);

        QVERIFY(backend.start().ok());
        QCOMPARE(backend.start().code(), ErrorCode::AlreadyRunning);
        QCOMPARE(backend.startCount(), 1);
        QVERIFY(backend.poll().ok());
        QCOMPARE(backend.state(), S::Ready);
        QVERIFY(backend.stop().ok());
        QCOMPARE(backend.state(), S::Exiting);
    }
};

class DesktopBackendTest : public QObject {
    Q_OBJECT
private slots:
    void focusedWhenStarted() {
        DesktopBackend backend;
        TransitionLog log;
        log.attach(backend);
        QCOMPARE(backend.kind(), BackendKind::Desktop);
        QVERIFY(backend.stop().ok());  // not started: no-op
        QVERIFY(log.seen.empty());

        QVERIFY(backend.start().ok());
        QCOMPARE(backend.state(), S::Focused);
        QVERIFY(backend.started());
        QCOMPARE(log.text(), QString("idle>ready ready>synchronized synchronized>visible visible>focused"));
        QCOMPARE(backend.start().code(), ErrorCode::AlreadyRunning);
        QVERIFY(backend.poll().ok());
        QCOMPARE(backend.state(), S::Focused);

        log.seen.clear();
        QVERIFY(backend.stop().ok());
        QCOMPARE(backend.state(), S::Exiting);
        QVERIFY(!backend.started());
        QCOMPARE(log.seen.size(), std::size_t(5));

        QVERIFY(backend.start().ok());
        QCOMPARE(backend.state(), S::Focused);
    }
};

class ChooseBackendTest : public QObject {
    Q_OBJECT
private:
    static RuntimeProbe unavailable() {
        RuntimeProbe p;
        p.result = -51;
        p.message = "No OpenXR runtime is installed or active; TwinSeal runs in desktop mode.";
        return p;
    }
    static RuntimeProbe available() {
        RuntimeProbe p;
        p.available = true;
        p.runtimeName = "Some Runtime";
        p.message = "OpenXR runtime \"Some Runtime\" 1.0.0 is available.";
        return p;
    }

private slots:
    void choices() {
        struct Case {
            BackendPreference preference;
            RuntimeProbe probe;
            BackendKind expected;
        };
        RuntimeProbe noHeadset = available();
        noHeadset.systemQueried = true;
        noHeadset.systemAvailable = false;
        noHeadset.message = "no headset";
        RuntimeProbe withHeadset = noHeadset;
        withHeadset.systemAvailable = true;
        const Case cases[] = {
            {BackendPreference::Auto, unavailable(), BackendKind::Desktop},
            {BackendPreference::OpenXR, unavailable(), BackendKind::Desktop},
            {BackendPreference::Auto, available(), BackendKind::OpenXR},
            {BackendPreference::OpenXR, available(), BackendKind::OpenXR},
            {BackendPreference::Desktop, available(), BackendKind::Desktop},
            {BackendPreference::Null, available(), BackendKind::Null},
            {BackendPreference::Null, unavailable(), BackendKind::Null},
            {BackendPreference::Auto, noHeadset, BackendKind::Desktop},
            {BackendPreference::Auto, withHeadset, BackendKind::OpenXR},
            {BackendPreference::Auto, RuntimeProbe{}, BackendKind::Desktop},
        };
        int i = 0;
        for (const Case& c : cases) {
            const BackendChoice choice = chooseBackend(c.preference, c.probe);
            QVERIFY2(choice.backend != nullptr, qPrintable(QString::number(i)));
            QVERIFY2(choice.backend->kind() == c.expected, qPrintable(QString::number(i)));
            QVERIFY2(!choice.reason.empty(), qPrintable(QString::number(i)));
            ++i;
        }
        // Falling back to desktop says why, in the probe's words.
        const BackendChoice fallback = chooseBackend(BackendPreference::OpenXR, unavailable());
        QCOMPARE(QString::fromStdString(fallback.reason), QString::fromStdString(unavailable().message));
        QCOMPARE(QString::fromStdString(chooseBackend(BackendPreference::Auto, noHeadset).reason),
                 QString("no headset"));
    }

    void parsePreference() {
        QCOMPARE(parseBackendPreference("auto"), std::optional(BackendPreference::Auto));
        QCOMPARE(parseBackendPreference("desktop"), std::optional(BackendPreference::Desktop));
        QCOMPARE(parseBackendPreference("openxr"), std::optional(BackendPreference::OpenXR));
        QCOMPARE(parseBackendPreference("null"), std::optional(BackendPreference::Null));
        QVERIFY(!parseBackendPreference("OpenXR"));
        QVERIFY(!parseBackendPreference(""));
        QCOMPARE(QString::fromLatin1(backendKindName(BackendKind::OpenXR).data()), QString("openxr"));
    }
};

TWINSEAL_TEST(NullBackendTest, "null-backend")
TWINSEAL_TEST(DesktopBackendTest, "desktop-backend")
TWINSEAL_TEST(ChooseBackendTest, "choose-backend")
} // namespace test_backends
} // namespace

#include "test_backends.moc"
