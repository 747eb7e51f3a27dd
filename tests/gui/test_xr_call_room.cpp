// The call room in the headset, through the real OpenXR loader and the in-tree test runtime (Qt's
// xcb platform with OpenGL under Xvfb, Mesa llvmpipe), against the real twinseal-homenet room host
// on loopback: the GUI client creates a room, Bob (the call library's CallClient) and Dave (a raw
// WebSocket participant) join it and are Verified, and the runtime reads back what each eye was
// given. Both avatars are drawn in both eyes, and Bob's avatar sits further right in the left eye
// than in the right one by the eyes' offset: the two directions meet at the room's distance. Then
// Dave presents a forged credential: his report fails and his place in both eyes goes empty while
// Bob stays drawn.
#include <QDir>
#include <QImage>
#include <QPainter>
#include <QQuickItem>
#include <QQuickWindow>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <memory>

#include <twinseal/calls/call_client.h>
#include <twinseal/headset_scene/headset_scene.h>
#include <twinseal/viewmodels/calls_controller.h>
#include <twinseal/viewmodels/participant_list_model.h>
#include <twinseal/viewmodels/xr_status_controller.h>

#include "call_participants.h"
#include "call_test_util.h"
#include "call_ws_client.h"
#include "gui_client.h"
#include "homenet_fixture.h"
#include "runtime_control.h"
#include "test_macros.h"
#include "testmain.h"
#include "xr_mode.h"

namespace {
namespace test_xr_call_room {

using namespace twinseal;
using namespace twinseal::test;
using twinseal::calls::CallClient;
using twinseal::calls::CallState;
using Kind = proto::CallMessage::BodyCase;
using Submitted = xr::test::RuntimeControl::Submitted;

namespace {

const auto& testPassphrase() {
    static const QString value = QStringLiteral("headset room passphrase");
    return value;
}
// The room's background (HeadsetRoom.qml, #1b2128) as RGBA8.
constexpr std::uint32_t kBackground = 0x1B2128FFu;
// HeadsetRoom.qml's distance from the user to each participant (metres).
constexpr double kRoomDistance = 2.0;

bool near(std::uint32_t a, std::uint32_t b, int tolerance) {
    for (int shift = 0; shift < 32; shift += 8)
        if (std::abs(int((a >> shift) & 0xFF) - int((b >> shift) & 0xFF)) > tolerance)
            return false;
    return true;
}

// What one eye shows on each side of straight ahead: how many pixels are not the room's
// background, and their mean direction (the tangent of the angle from straight ahead, positive to
// the right, from the view's own field of view).
struct Sides {
    int leftPixels = 0, rightPixels = 0;
    double leftTan = 0, rightTan = 0;
};

Sides sidesOf(const Submitted& eye) {
    Sides s;
    const double tanL = std::tan(eye.view.fov[0]);
    const double tanR = std::tan(eye.view.fov[1]);
    for (std::uint32_t y = 0; y < eye.view.height; ++y) {
        for (std::uint32_t x = 0; x < eye.view.width; ++x) {
            if (near(eye.rgba(x, y), kBackground, 2))
                continue;
            const double t = tanL + (x + 0.5) / eye.view.width * (tanR - tanL);
            if (t < 0) {
                ++s.leftPixels;
                s.leftTan += t;
            } else {
                ++s.rightPixels;
                s.rightTan += t;
            }
        }
    }
    if (s.leftPixels > 0)
        s.leftTan /= s.leftPixels;
    if (s.rightPixels > 0)
        s.rightTan /= s.rightPixels;
    return s;
}

bool bothEyes(const xr::test::RuntimeControl& runtime, Submitted& left, Submitted& right) {
    return runtime.submitted(0, left) && runtime.submitted(1, right);
}

// One eye as a picture (the readback's rows are bottom-up).
QImage pictureOf(const Submitted& eye) {
    QImage image(reinterpret_cast<const uchar*>(eye.pixels.data()), int(eye.view.width), int(eye.view.height),
                 qsizetype(eye.view.width) * 4, QImage::Format_RGBA8888);
    return image.mirrored(false, true);
}

// When TWINSEAL_SCREENSHOT_DIR is set, saves both eyes side by side as <dir>/<name>.png.
void saveEyes(const Submitted& left, const Submitted& right, const char* name) {
    const QString dir = qEnvironmentVariable("TWINSEAL_SCREENSHOT_DIR");
    if (dir.isEmpty())
        return;
    const QImage l = pictureOf(left), r = pictureOf(right);
    QImage both(l.width() + r.width() + 8, std::max(l.height(), r.height()), QImage::Format_RGB32);
    both.fill(Qt::black);
    {
        QPainter p(&both);
        p.drawImage(0, 0, l);
        p.drawImage(l.width() + 8, 0, r);
    }
    both.save(QDir(dir).filePath(QString::fromLatin1(name) + QStringLiteral(".png")));
}

const viewmodels::ParticipantListModel::Row* rowOf(const Client& c, quint32 id) {
    return c.controller->calls()->participants()->find(id);
}

int rowIndexOf(const Client& c, quint32 id) {
    const auto& rows = c.controller->calls()->participants()->rows();
    for (int i = 0; i < rows.size(); ++i)
        if (rows.at(i).id == id)
            return i;
    return -1;
}

} // namespace

class XrCallRoomTest : public QObject {
    Q_OBJECT

    std::unique_ptr<HomenetServer> m_server;
    QTemporaryDir m_data;
    std::unique_ptr<Client> m_gui;

private slots:
    void initTestCase() {
        if (QGuiApplication::platformName() != QLatin1String("xcb"))
            QSKIP("needs Qt's xcb platform with OpenGL (run under xvfb-run with QT_QPA_PLATFORM=xcb)");
        qputenv("XR_RUNTIME_JSON", TWINSEAL_XR_TEST_RUNTIME_JSON);
        qputenv("TWINSEAL_TEST_RUNTIME_SYSTEM", "1");
        m_server = std::make_unique<HomenetServer>();
        QVERIFY(m_server->start(noRateLimit()));
        m_gui = std::make_unique<Client>(m_data.path(), QString());
        QVERIFY(m_gui->window);
        QVERIFY(activeTwin(*m_gui, *m_server, QStringLiteral("gui.usim"), QStringLiteral("imsi-001010000004501"),
                           testPassphrase()));
    }

    void verifiedAvatarsInBothEyesAndAFailedOneNotDrawn() {
        auto bobDevice = makeCallDevice(*m_server, QStringLiteral("bob"), 2);
        auto dave = makeCallDevice(*m_server, QStringLiteral("dave"), 4);
        QVERIFY(bobDevice && dave);

        // The GUI creates a room.
        m_gui->window->resize(1280, 800);
        QVERIFY(m_gui->openPage("calls"));
        QVERIFY(type(m_gui->window, m_gui->item("roomTitleField"), QStringLiteral("Theatre 5")));
        QVERIFY(click(m_gui->window, m_gui->item("createRoomButton")));
        viewmodels::CallsController* calls = m_gui->controller->calls();
        QTRY_VERIFY_WITH_TIMEOUT(calls->inRoom() && !calls->roomCode().isEmpty(), 60000);
        const std::string roomUri = calls->roomUri().toStdString();
        const std::string roomId = calls->roomUri().section(QLatin1Char(':'), -1).toStdString();

        // The headset joins in, showing the Calls page's participants.
        viewmodels::XrStatusController status;
        client::XrMode mode(status);
        mode.setParticipants(calls->participants());
        mode.start(xr::BackendPreference::OpenXR, m_gui->window);
        QVERIFY2(status.mode() == QStringLiteral("openxr"), qPrintable(status.noticeText()));
        QVERIFY(mode.scene() != nullptr);
        xr::test::RuntimeControl runtime;
        QVERIFY(runtime.ok());

        // An empty room: both eyes show only the room.
        QTRY_VERIFY_WITH_TIMEOUT(mode.scene()->framesCopied() >= 3, 30000);
        {
            Submitted left, right;
            QVERIFY(bothEyes(runtime, left, right));
            const Sides l = sidesOf(left), r = sidesOf(right);
            QCOMPARE(l.leftPixels + l.rightPixels, 0);
            QCOMPARE(r.leftPixels + r.rightPixels, 0);
        }

        // Bob joins with the call library, Dave with his own messages; both are Verified.
        CallClient bob(callClientOptions(*m_server, "bob"), *bobDevice->builder, *bobDevice->verifier);
        bob.connectToHost();
        QTRY_VERIFY_WITH_TIMEOUT(bob.connected(), 30000);
        bob.join(roomId, roomUri, calls->roomCode().toStdString());
        QTRY_VERIFY_WITH_TIMEOUT(bob.state() == CallState::InCall, 60000);
        const quint32 bobId = bob.setup().participantId();
        QTRY_VERIFY_WITH_TIMEOUT(rowOf(*m_gui, bobId) && rowOf(*m_gui, bobId)->state == QLatin1String("verified"), 60000);

        auto joinedWith = evidenceFor(*dave->builder, roomUri);
        QVERIFY(joinedWith);
        CallWsClient ws(*m_server);
        QVERIFY(ws.open());
        proto::RoomInfo room;
        room.set_room_id(roomId);
        auto joined = ws.request(joinMessage(room, joinedWith->evidence, calls->roomCode().toStdString()),
                                 Kind::kRoomJoined);
        REQUIRE_KIND(joined, Kind::kRoomJoined);
        const quint32 daveId = joined->room_joined().participant_id();
        QTRY_VERIFY_WITH_TIMEOUT(rowOf(*m_gui, daveId) && rowOf(*m_gui, daveId)->state == QLatin1String("verified"), 60000);

        // The room's order: the user first, then Bob on the left, Dave on the right.
        QCOMPARE(rowIndexOf(*m_gui, bobId), 1);
        QCOMPARE(rowIndexOf(*m_gui, daveId), 2);

        // Both avatars, in both eyes.
        Submitted left, right;
        QTRY_VERIFY_WITH_TIMEOUT(bothEyes(runtime, left, right) && sidesOf(left).leftPixels > 200 &&
                                     sidesOf(left).rightPixels > 200 && sidesOf(right).leftPixels > 200 &&
                                     sidesOf(right).rightPixels > 200,
                                 60000);
        QTest::qWait(1000);  // the avatars' models bound and posed
        const std::uint64_t copied = mode.scene()->framesCopied();
        QTRY_VERIFY_WITH_TIMEOUT(mode.scene()->framesCopied() >= copied + 5, 30000);
        // Qt Quick kept one render target for every eye of every frame (the eyes' size held).
        QVERIFY(mode.scene()->framesRendered() >= 5);
        QCOMPARE(mode.scene()->renderTargetsMade(), std::uint64_t(1));
        QVERIFY(bothEyes(runtime, left, right));
        saveEyes(left, right, "xr-eyes");
        const Sides l = sidesOf(left), r = sidesOf(right);
        QVERIFY(l.leftPixels > 200 && l.rightPixels > 200 && r.leftPixels > 200 && r.rightPixels > 200);

        // The eyes differ by their offset: the left eye sees Bob further to the right than the
        // right eye does, and the two directions meet about where the room puts him.
        const double ipd = double(right.view.position[0]) - double(left.view.position[0]);
        QVERIFY2(ipd > 0.03, qPrintable(QString::number(ipd)));
        QVERIFY2(l.leftTan > r.leftTan, qPrintable(QStringLiteral("left eye %1, right eye %2").arg(l.leftTan).arg(r.leftTan)));
        const double bobDepth = ipd / (l.leftTan - r.leftTan);
        const double expectedDepth = kRoomDistance * std::cos(0.275);
        QVERIFY2(std::abs(bobDepth - expectedDepth) < 0.35 * expectedDepth,
                 qPrintable(QStringLiteral("Bob seen %1 m away, placed %2 m away").arg(bobDepth).arg(expectedDepth)));
        QVERIFY(l.rightTan > r.rightTan);
        const double daveDepth = ipd / (l.rightTan - r.rightTan);
        QVERIFY2(std::abs(daveDepth - expectedDepth) < 0.35 * expectedDepth,
                 qPrintable(QStringLiteral("Dave seen %1 m away, placed %2 m away").arg(daveDepth).arg(expectedDepth)));

        // Dave presents a forged credential (its issuer signature altered): his report fails, and
        // he is no longer drawn in either eye; Bob still is.
        auto forged = evidenceFor(*dave->builder, roomUri);
        QVERIFY(forged);
        std::string credential = forged->evidence.credential();
        credential[credential.size() - 1] = static_cast<char>(credential.back() ^ 0x01);
        forged->evidence.set_credential(credential);
        proto::CallMessage announce;
        announce.mutable_announce()->set_room_id(roomId);
        *announce.mutable_announce()->mutable_evidence() = forged->evidence;
        ws.send(announce);
        QTRY_VERIFY_WITH_TIMEOUT(rowOf(*m_gui, daveId)->state == QLatin1String("failed"), 60000);
        QTRY_VERIFY_WITH_TIMEOUT(bothEyes(runtime, left, right) && sidesOf(left).rightPixels == 0 &&
                                     sidesOf(right).rightPixels == 0,
                                 30000);
        QVERIFY(sidesOf(left).leftPixels > 200);
        QVERIFY(sidesOf(right).leftPixels > 200);
        QCOMPARE(rowOf(*m_gui, bobId)->state, QStringLiteral("verified"));
        saveEyes(left, right, "xr-eyes-failed-peer");

        mode.stop();
        bob.leave();
        QVERIFY(click(m_gui->window, m_gui->item("leaveButton")));
        QTRY_VERIFY_WITH_TIMEOUT(!calls->inRoom(), 30000);
    }

    void cleanupTestCase() {
        m_gui.reset();
        m_server.reset();
        QVERIFY(flushSceneGraph());
    }
};

TWINSEAL_TEST(XrCallRoomTest, "xr-call-room")
} // namespace test_xr_call_room
} // namespace

#include "test_xr_call_room.moc"
