// Controller input through the real OpenXR loader and the TwinSeal Test Runtime, which validates
// suggested bindings against the OpenXR 1.0 interaction profiles like a real runtime: TwinSeal's
// bindings are accepted for all four profiles, a path a profile does not have is refused with
// its XrResult named, a scripted press gives exactly one event on every profile's control, and
// the head and hand poses are located in LOCAL space.
#include <QTemporaryDir>
#include <QtTest>

#include <twinseal/xr/input.h>
#include <twinseal/xr/openxr_backend.h>

#include <cmath>
#include <memory>

#include "glx_test_context.h"
#include "runtime_control.h"
#include "testmain.h"
#include "xrtest.h"

Q_DECLARE_METATYPE(twinseal::xr::InputAction)

namespace {
namespace test_openxr_input {

using namespace twinseal::xr;
namespace xt = twinseal::xr::test;


namespace {

constexpr const char* kSimple = "/interaction_profiles/khr/simple_controller";
constexpr const char* kTouch = "/interaction_profiles/oculus/touch_controller";
constexpr const char* kIndex = "/interaction_profiles/valve/index_controller";
constexpr const char* kVive = "/interaction_profiles/htc/vive_controller";

QString actionsText(const std::vector<InputEvent>& events) {
    QStringList out;
    for (const InputEvent& e : events)
        out << QString::fromLatin1(inputActionName(e.action).data());
    return out.join(' ');
}

// Polls (a headless session syncs its actions in poll()) until the runtime saw `n` more
// focused xrSyncActions calls.
bool syncTimes(OpenXrBackend& backend, const xt::RuntimeControl& rt, std::uint64_t n) {
    const std::uint64_t target = rt.focusedSyncs() + n;
    for (int i = 0; i < 100 && rt.focusedSyncs() < target; ++i)
        if (!backend.poll().ok())
            return false;
    return rt.focusedSyncs() >= target;
}

bool near(float a, float b) { return std::fabs(a - b) < 1e-4f; }

} // namespace

class OpenXrInputTest : public QObject {
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

    void bindingsAcceptedForAllFourProfiles() {
        OpenXrBackend backend;
        const Status started = backend.start();
        QVERIFY2(started.ok(), messageOf(started).c_str());
        xt::RuntimeControl rt;
        QVERIFY(rt.ok());
        const auto defaults = defaultBindings();
        QCOMPARE(defaults.size(), std::size_t(4));
        QStringList profiles;
        for (const ProfileBindings& p : defaults) {
            profiles << QString::fromStdString(p.profile);
            // Four buttons and two poses per hand, at least.
            QVERIFY(p.bindings.size() >= 8);
            QCOMPARE(rt.suggestedBindings(p.profile.c_str()), int(p.bindings.size()));
        }
        QCOMPARE(profiles, QStringList({kSimple, kTouch, kIndex, kVive}));
        // The runtime's controllers are khr/simple_controller until told otherwise; a change
        // arrives as XrEventDataInteractionProfileChanged.
        QCOMPARE(QString::fromStdString(backend.interactionProfile()), QString(kSimple));
        QVERIFY(rt.setController(kIndex));
        QVERIFY(syncTimes(backend, rt, 1));
        QCOMPARE(QString::fromStdString(backend.interactionProfile()), QString(kIndex));
        QVERIFY(backend.stop().ok());
        rt.resetInput();
    }

    void wrongPathRefusedWithItsResult_data() {
        QTest::addColumn<QString>("profile");
        QTest::addColumn<QString>("path");
        // The simple controller has select and menu only; touch's A button is on the right hand.
        QTest::newRow("simple trigger") << kSimple << "/user/hand/right/input/trigger/click";
        QTest::newRow("touch left a") << kTouch << "/user/hand/left/input/a/click";
        QTest::newRow("index menu") << kIndex << "/user/hand/left/input/menu/click";
        QTest::newRow("vive a") << kVive << "/user/hand/right/input/a/click";
    }
    void wrongPathRefusedWithItsResult() {
        QFETCH(QString, profile);
        QFETCH(QString, path);
        OpenXrOptions options;
        for (ProfileBindings& p : options.bindings)
            if (QString::fromStdString(p.profile) == profile)
                p.bindings.push_back({InputAction::Select, path.toStdString()});
        OpenXrBackend backend(options);
        const Status s = backend.start();
        QVERIFY(!s.ok());
        QCOMPARE(s.code(), ErrorCode::RuntimeError);
        QCOMPARE(QString::fromStdString(messageOf(s)),
                 "xrSuggestInteractionProfileBindings(" + profile + ") returned XR_ERROR_PATH_UNSUPPORTED");
        QVERIFY(!backend.started());
        // Nothing is left behind: the next start with TwinSeal's own bindings works.
        OpenXrBackend good;
        QVERIFY2(good.start().ok(), "a start after the refusal");
        QVERIFY(good.stop().ok());
    }

    void pressGivesExactlyOneEvent_data() {
        QTest::addColumn<QString>("profile");
        QTest::addColumn<QString>("input");
        QTest::addColumn<InputAction>("action");
        using A = InputAction;
        // Every control of the README's table.
        QTest::newRow("simple select") << kSimple << "/user/hand/right/input/select/click" << A::Select;
        QTest::newRow("simple report") << kSimple << "/user/hand/left/input/select/click" << A::ShowReport;
        QTest::newRow("simple panel") << kSimple << "/user/hand/left/input/menu/click" << A::ParticipantPanel;
        QTest::newRow("simple leave") << kSimple << "/user/hand/right/input/menu/click" << A::LeaveCall;
        QTest::newRow("touch select right") << kTouch << "/user/hand/right/input/trigger/value" << A::Select;
        QTest::newRow("touch select left") << kTouch << "/user/hand/left/input/trigger/value" << A::Select;
        QTest::newRow("touch panel") << kTouch << "/user/hand/left/input/menu/click" << A::ParticipantPanel;
        QTest::newRow("touch report") << kTouch << "/user/hand/right/input/a/click" << A::ShowReport;
        QTest::newRow("touch leave") << kTouch << "/user/hand/right/input/b/click" << A::LeaveCall;
        QTest::newRow("touch recenter") << kTouch << "/user/hand/left/input/y/click" << A::Recenter;
        QTest::newRow("index select") << kIndex << "/user/hand/left/input/trigger/click" << A::Select;
        QTest::newRow("index panel") << kIndex << "/user/hand/left/input/b/click" << A::ParticipantPanel;
        QTest::newRow("index report") << kIndex << "/user/hand/right/input/a/click" << A::ShowReport;
        QTest::newRow("index leave") << kIndex << "/user/hand/right/input/b/click" << A::LeaveCall;
        QTest::newRow("index recenter") << kIndex << "/user/hand/left/input/a/click" << A::Recenter;
        QTest::newRow("vive select") << kVive << "/user/hand/right/input/trigger/click" << A::Select;
        QTest::newRow("vive panel") << kVive << "/user/hand/left/input/menu/click" << A::ParticipantPanel;
        QTest::newRow("vive report") << kVive << "/user/hand/right/input/trackpad/click" << A::ShowReport;
        QTest::newRow("vive leave") << kVive << "/user/hand/right/input/menu/click" << A::LeaveCall;
        QTest::newRow("vive recenter") << kVive << "/user/hand/left/input/trackpad/click" << A::Recenter;
    }
    void pressGivesExactlyOneEvent() {
        QFETCH(QString, profile);
        QFETCH(QString, input);
        QFETCH(InputAction, action);
        OpenXrBackend backend;
        QVERIFY(backend.start().ok());
        xt::RuntimeControl rt;
        QVERIFY(rt.ok());
        QVERIFY(rt.setController(profile.toUtf8().constData()));
        QVERIFY(syncTimes(backend, rt, 2));
        QCOMPARE(QString::fromStdString(backend.interactionProfile()), profile);
        QVERIFY(backend.takeInputEvents().empty());

        // Pressed over several syncs, then released over several: one event.
        QVERIFY(rt.setInput(input.toUtf8().constData(), 1.f));
        QVERIFY(syncTimes(backend, rt, 3));
        QVERIFY(rt.setInput(input.toUtf8().constData(), 0.f));
        QVERIFY(syncTimes(backend, rt, 3));
        const auto events = backend.takeInputEvents();
        QCOMPARE(actionsText(events), QString::fromLatin1(inputActionName(action).data()));
        QVERIFY(events.front().time > 0);
        // Taken: gone. A second press is a second event.
        QVERIFY(backend.takeInputEvents().empty());
        QVERIFY(rt.setInput(input.toUtf8().constData(), 1.f));
        QVERIFY(syncTimes(backend, rt, 2));
        QCOMPARE(backend.takeInputEvents().size(), std::size_t(1));
        QVERIFY(backend.stop().ok());
        rt.resetInput();
    }

    void analogueInputPressedFromHalfWay() {
        OpenXrBackend backend;
        QVERIFY(backend.start().ok());
        xt::RuntimeControl rt;
        QVERIFY(rt.ok());
        QVERIFY(rt.setController(kTouch));
        QVERIFY(syncTimes(backend, rt, 2));
        const char* trigger = "/user/hand/right/input/trigger/value";
        QVERIFY(rt.setInput(trigger, 0.3f));
        QVERIFY(syncTimes(backend, rt, 2));
        QVERIFY(backend.takeInputEvents().empty());
        QVERIFY(rt.setInput(trigger, 0.8f));
        QVERIFY(syncTimes(backend, rt, 2));
        QCOMPARE(actionsText(backend.takeInputEvents()), QString("select"));
        QVERIFY(backend.stop().ok());
        rt.resetInput();
    }

    void controllerWithoutSuggestionsGivesNothing() {
        // The controllers of a profile TwinSeal suggested nothing for: no events, no profile.
        OpenXrOptions options;
        options.bindings.erase(options.bindings.begin() + 1, options.bindings.end());  // simple only
        OpenXrBackend backend(options);
        QVERIFY(backend.start().ok());
        xt::RuntimeControl rt;
        QVERIFY(rt.ok());
        QVERIFY(rt.setController(kVive));
        QVERIFY(syncTimes(backend, rt, 2));
        QCOMPARE(QString::fromStdString(backend.interactionProfile()), QString());
        QVERIFY(rt.setInput("/user/hand/right/input/menu/click", 1.f));
        QVERIFY(syncTimes(backend, rt, 3));
        QVERIFY(backend.takeInputEvents().empty());
        QVERIFY(backend.stop().ok());
        rt.resetInput();
    }
};

// The poses need a frame loop (they are located for each frame's predicted display time): an
// OpenGL session under Xvfb.
class OpenXrInputPosesTest : public QObject {
    Q_OBJECT
    QTemporaryDir empty_;
    std::unique_ptr<xt::GlxTestContext> glx_;
private slots:
    void initTestCase() {
        QVERIFY(empty_.isValid());
        xt::isolateLoader(empty_);
        glx_ = std::make_unique<xt::GlxTestContext>();
        QVERIFY2(glx_->ok(), glx_->error().c_str());
    }
    void init() {
        xt::resetRuntimeSwitches();
        qputenv("XR_RUNTIME_JSON", xt::testRuntimeManifest());
        qputenv("TWINSEAL_TEST_RUNTIME_SYSTEM", "1");
        qputenv("TWINSEAL_TEST_RUNTIME_READBACK", "0");
    }
    void cleanupTestCase() { glx_.reset(); }

    void headAndHandsLocatedInLocalSpace() {
        OpenXrOptions options;
        options.glx = glx_->binding();
        OpenXrBackend backend(options);
        const Status started = backend.start();
        QVERIFY2(started.ok(), messageOf(started).c_str());
        xt::RuntimeControl rt;
        QVERIFY(rt.ok());
        QTRY_VERIFY(backend.trackedPoses().sequence > 0);

        // The head turned 90 degrees to the left, raised and forward; the hands apart, the left
        // one lost.
        const float s = std::sqrt(0.5f);
        QVERIFY(rt.setPose("/user/head", {0.05f, 0.1f, -0.2f}, {0.f, s, 0.f, s}));
        QVERIFY(rt.setPose("/user/hand/right/input/grip/pose", {0.3f, -0.35f, -0.4f}, {s, 0.f, 0.f, s}));
        QVERIFY(rt.setPose("/user/hand/right/input/aim/pose", {0.3f, -0.3f, -0.5f}, {0.f, 0.f, 0.f, 1.f}));
        QVERIFY(rt.setPose("/user/hand/left/input/grip/pose", {-0.3f, -0.35f, -0.4f}, {0.f, 0.f, 0.f, 1.f}, false));
        // Not a unit quaternion, not a pose path: refused by the runtime's control.
        QVERIFY(!rt.setPose("/user/head", {0.f, 0.f, 0.f}, {0.f, 0.f, 0.f, 2.f}));
        QVERIFY(!rt.setPose("/user/hand/left/input/trigger/value", {0.f, 0.f, 0.f}, {0.f, 0.f, 0.f, 1.f}));
        const std::uint64_t after = backend.trackedPoses().sequence + 2;  // a frame wholly after
        QTRY_VERIFY(backend.trackedPoses().sequence >= after);
        const TrackedPoses p = backend.trackedPoses();
        QVERIFY(p.time > 0);
        QVERIFY(p.head.tracked);
        QVERIFY(near(p.head.position[0], 0.05f) && near(p.head.position[1], 0.1f) && near(p.head.position[2], -0.2f));
        QVERIFY(near(p.head.orientation[1], s) && near(p.head.orientation[3], s));
        QVERIFY(p.rightGrip.tracked);
        QVERIFY(near(p.rightGrip.position[0], 0.3f) && near(p.rightGrip.position[2], -0.4f));
        QVERIFY(near(p.rightGrip.orientation[0], s));
        QVERIFY(p.rightAim.tracked);
        QVERIFY(near(p.rightAim.position[2], -0.5f));
        QVERIFY(!p.leftGrip.tracked);
        // The runtime's default left aim pose is still tracked.
        QVERIFY(p.leftAim.tracked);
        QVERIFY(backend.stop().ok());
        rt.resetInput();
    }
};

TWINSEAL_TEST(OpenXrInputTest, "openxr-input")
TWINSEAL_TEST(OpenXrInputPosesTest, "openxr-input-poses")
} // namespace test_openxr_input
} // namespace

#include "test_openxr_input.moc"
