// The headset in a call, end to end: the client's OpenXR session (Qt's xcb platform with OpenGL
// under Xvfb, the real loader, the in-tree test runtime) beside the real window, in a room of the
// real twinseal-homenet room host on loopback with another participant (the call library's
// CallClient with its own registered twin). The runtime's scripted head and hand poses arrive at
// the other participant as the animation frame it receives, in the avatar's frames of reference
// (calls/animation_frame.h); the controllers' buttons select a participant, show its report, ask
// for the participant panel and leave the call.
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <memory>
#include <optional>

#include <twinseal/calls/animation_frame.h>
#include <twinseal/calls/call_client.h>
#include <twinseal/calls/tracked_pose.h>
#include <twinseal/viewmodels/calls_controller.h>
#include <twinseal/viewmodels/xr_status_controller.h>

#include "call_participants.h"
#include "gui_client.h"
#include "homenet_fixture.h"
#include "runtime_control.h"
#include "testmain.h"
#include "xr_input.h"
#include "xr_mode.h"

namespace {
namespace test_xr_input {

using namespace twinseal;
using namespace twinseal::test;
using twinseal::calls::CallClient;
using twinseal::calls::CallState;

namespace {

const auto& testPassphrase() {
    static const QString value = QStringLiteral("xr input passphrase");
    return value;
}
constexpr const char* kTouch = "/interaction_profiles/oculus/touch_controller";

bool near(float a, float b) { return std::fabs(a - b) < 1e-3f; }
bool near(const std::array<float, 3>& a, const std::array<float, 3>& b) {
    return near(a[0], b[0]) && near(a[1], b[1]) && near(a[2], b[2]);
}
bool near(const std::array<float, 4>& a, const std::array<float, 4>& b) {
    return near(a[0], b[0]) && near(a[1], b[1]) && near(a[2], b[2]) && near(a[3], b[3]);
}
QString text(const std::array<float, 3>& v) { return QStringLiteral("(%1, %2, %3)").arg(v[0]).arg(v[1]).arg(v[2]); }
QString text(const std::array<float, 4>& q) {
    return QStringLiteral("(%1, %2, %3, %4)").arg(q[0]).arg(q[1]).arg(q[2]).arg(q[3]);
}

// Presses and releases one control of the emulated controllers, waiting for the client's frame
// loop to sync the actions in between.
bool press(const xr::test::RuntimeControl& rt, const char* input) {
    if (!rt.setInput(input, 1.f))
        return false;
    const std::uint64_t pressed = rt.focusedSyncs() + 3;
    if (!QTest::qWaitFor([&] { return rt.focusedSyncs() >= pressed; }, 10000))
        return false;
    if (!rt.setInput(input, 0.f))
        return false;
    const std::uint64_t released = rt.focusedSyncs() + 3;
    return QTest::qWaitFor([&] { return rt.focusedSyncs() >= released; }, 10000);
}

} // namespace

class XrInputTest : public QObject {
    Q_OBJECT

    std::unique_ptr<HomenetServer> m_server;
    QTemporaryDir m_data;
    viewmodels::XrStatusController m_status;  // outlives the window, which shows it
    std::unique_ptr<Client> m_gui;

private slots:
    void initTestCase() {
        if (QGuiApplication::platformName() != QLatin1String("xcb"))
            QSKIP("needs Qt's xcb platform with OpenGL (run under xvfb-run with QT_QPA_PLATFORM=xcb)");
        qRegisterMetaType<calls::AnimationFrame>();
        qputenv("XR_RUNTIME_JSON", TWINSEAL_XR_TEST_RUNTIME_JSON);
        qputenv("TWINSEAL_TEST_RUNTIME_SYSTEM", "1");
        qputenv("TWINSEAL_TEST_RUNTIME_READBACK", "0");
        m_server = std::make_unique<HomenetServer>();
        QVERIFY(m_server->start(noRateLimit()));
        m_gui = std::make_unique<Client>(m_data.path(), QString());
        QVERIFY(m_gui->window);
        QVERIFY(activeTwin(*m_gui, *m_server, QStringLiteral("xr.usim"), QStringLiteral("imsi-001010000004501"),
                           testPassphrase()));
    }

    void trackedPosesReachThePeerAndButtonsActOnTheCall() {
        auto bobDevice = makeCallDevice(*m_server, QStringLiteral("xrbob"), 2);
        QVERIFY(bobDevice);
        viewmodels::CallsController* calls = m_gui->controller->calls();
        viewmodels::XrStatusController& status = m_status;
        m_gui->window->setProperty("xrStatus", QVariant::fromValue(&status));
        QVERIFY(QTest::qWaitForWindowExposed(m_gui->window));

        // Wired as the client's main() wires it.
        client::XrInput input;
        input.drive(*calls);
        QSignalSpy panelRequests(&input, &client::XrInput::participantPanelRequested);
        client::XrMode mode(status);
        mode.setPump([&input](xr::OpenXrBackend* backend) { input.pump(backend); });
        mode.start(xr::BackendPreference::OpenXR, m_gui->window);
        QVERIFY2(status.mode() == QStringLiteral("openxr"), qPrintable(status.noticeText()));
        xr::test::RuntimeControl rt;
        QVERIFY(rt.ok());
        QVERIFY(rt.setController(kTouch));
        // The runtime's head (identity at the LOCAL origin) is the rest pose.
        QTRY_VERIFY_WITH_TIMEOUT(calls->tracked(), 10000);

        // A room, and Bob in it.
        calls->createRoom(QStringLiteral("Headset theatre"), true, QString(), QString(), QString(), false);
        QTRY_VERIFY_WITH_TIMEOUT(calls->inRoom() && !calls->roomCode().isEmpty(), 60000);
        CallClient bob(callClientOptions(*m_server, "xrbob"), *bobDevice->builder, *bobDevice->verifier);
        QSignalSpy bobFrames(&bob, &CallClient::animationReceived);
        bob.connectToHost();
        QTRY_VERIFY_WITH_TIMEOUT(bob.connected(), 30000);
        const std::string roomUri = calls->roomUri().toStdString();
        bob.join(calls->roomUri().section(QLatin1Char(':'), -1).toStdString(), roomUri,
                 calls->roomCode().toStdString());
        QTRY_VERIFY_WITH_TIMEOUT(bob.state() == CallState::InCall, 60000);
        const quint32 bobId = bob.setup().participantId();
        const quint32 guiId = calls->client()->setup().participantId();
        QTRY_VERIFY_WITH_TIMEOUT(calls->participants()->find(bobId) &&
                                     calls->participants()->find(bobId)->state == QLatin1String("verified"),
                                 60000);
        QTRY_VERIFY_WITH_TIMEOUT(bob.hasPeerFrameKey(guiId), 30000);

        // The user turns the head 90 degrees to the left and leans (10 cm to the right, 5 cm up,
        // 20 cm forward); the right hand is raised in front and rolled, the left hangs at rest.
        const float s = std::sqrt(0.5f);
        QVERIFY(rt.setPose("/user/head", {0.1f, 0.05f, -0.2f}, {0.f, s, 0.f, s}));
        QVERIFY(rt.setPose("/user/hand/right/input/grip/pose", {0.3f, -0.5f, -0.4f}, {s, 0.f, 0.f, s}));
        QVERIFY(rt.setPose("/user/hand/left/input/grip/pose",
                           {-calls::kHandRestSide, -calls::kHandRestDrop, 0.f}, {0.f, 0.f, 0.f, 1.f}));
        // What Bob receives, in the avatar's axes (it faces +Z, its left at +X: the user's right
        // is the avatar's -X, the user's forward its +Z). Derived here, not by the client's code.
        const std::array<float, 3> headOffset{-0.1f, 0.05f, 0.2f};
        const std::array<float, 4> headTurnedLeft{0.f, s, 0.f, s};  // +90 degrees about +Y
        const std::array<float, 3> rightHandOffset{-(0.3f - calls::kHandRestSide), -0.5f + calls::kHandRestDrop, 0.4f};
        const std::array<float, 4> rightHandRoll{-s, 0.f, 0.f, s};
        const std::array<float, 3> atRest{0.f, 0.f, 0.f};

        auto received = [&]() -> std::optional<calls::AnimationFrame> {
            for (const auto& args : bobFrames) {
                const auto f = args.at(1).value<calls::AnimationFrame>();
                if (args.at(0).toUInt() == guiId && near(f.head.rotation, headTurnedLeft))
                    return f;
            }
            return std::nullopt;
        };
        QTRY_VERIFY_WITH_TIMEOUT(received().has_value(), 30000);
        const calls::AnimationFrame f = *received();
        QVERIFY2(near(f.head.position, headOffset), qPrintable(text(f.head.position)));
        QVERIFY2(near(f.rightHand.position, rightHandOffset), qPrintable(text(f.rightHand.position)));
        QVERIFY2(near(f.rightHand.rotation, rightHandRoll), qPrintable(text(f.rightHand.rotation)));
        QVERIFY2(near(f.leftHand.position, atRest), qPrintable(text(f.leftHand.position)));
        QVERIFY2(near(f.leftHand.rotation, {0.f, 0.f, 0.f, 1.f}), qPrintable(text(f.leftHand.rotation)));
        // The desktop head input does not move a tracked avatar.
        calls->setHeadInput(1.0, 0.5);
        const qsizetype before = bobFrames.size();
        QTRY_VERIFY_WITH_TIMEOUT(bobFrames.size() > before + 2, 30000);
        const auto last = bobFrames.last().at(1).value<calls::AnimationFrame>();
        QVERIFY2(near(last.head.rotation, headTurnedLeft), qPrintable(text(last.head.rotation)));

        // Touch: the right trigger selects Bob, A shows his report, the left menu asks for the
        // participant panel, B leaves the call.
        QVERIFY(press(rt, "/user/hand/right/input/trigger/value"));
        QTRY_COMPARE(calls->selectedParticipant(), static_cast<int>(bobId));
        QVERIFY(press(rt, "/user/hand/right/input/a/click"));
        QTRY_COMPARE(calls->reportParticipant(), static_cast<int>(bobId));
        QCOMPARE(calls->reportState(), QStringLiteral("verified"));
        QVERIFY(press(rt, "/user/hand/left/input/menu/click"));
        QTRY_COMPARE(panelRequests.size(), 1);
        QVERIFY(calls->inRoom());
        QVERIFY(press(rt, "/user/hand/right/input/b/click"));
        QTRY_VERIFY_WITH_TIMEOUT(!calls->inRoom(), 30000);
        QTRY_VERIFY_WITH_TIMEOUT(bob.setup().peers().count(guiId) == 0, 30000);
        QCOMPARE(panelRequests.size(), 1);

        // The session ends: the desktop input drives the avatar again.
        mode.stop();
        QVERIFY(!calls->tracked());
        rt.resetInput();
        bob.leave();
    }

    void cleanupTestCase() {
        m_gui.reset();
        QVERIFY(flushSceneGraph());
    }
};

TWINSEAL_TEST(XrInputTest, "xr-input")
} // namespace test_xr_input
} // namespace

#include "test_xr_input.moc"
