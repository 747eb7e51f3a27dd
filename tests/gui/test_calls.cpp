// The Calls page as a person uses it, against the real twinseal-homenet room host on loopback:
// the GUI client creates a room, two other participants (the call library's CallClient, each
// with its own registered twin, store and verifier) join it by its code, and every tile shows
// its participant Verified, with the avatar, animated by the frames the others send; the
// activity log records the call and each outcome. Then, one at a time, evidence the GUI must
// refuse, each detected with its own reason on the participant's tile and in an alert.
#include <QDir>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>

#include <twinseal/calls/animation_frame.h>
#include <twinseal/calls/call_client.h>
#include <twinseal/security/audit_entry.h>
#include <twinseal/security/audit_log.h>
#include <twinseal/security/verify.h>
#include <twinseal/viewmodels/audit_trail.h>
#include <twinseal/viewmodels/calls_controller.h>
#include <twinseal/viewmodels/participant_list_model.h>
#include <twinseal/viewmodels/twin_controller.h>

#include "call_participants.h"
#include "gui_client.h"
#include "homenet_fixture.h"
#include "test_macros.h"
#include "testmain.h"

using namespace twinseal;
using namespace twinseal::test;
using namespace twinseal::viewmodels;
using twinseal::calls::CallClient;
using twinseal::calls::CallState;

namespace {

const QString kPassphrase = QStringLiteral("calls page passphrase");

calls::AnimationFrame wave(float t) {
    calls::AnimationFrame a;
    a.timestampUs = static_cast<std::int64_t>(t * 1e6f);
    a.head.rotation = {0.f, 0.2f, 0.f, 0.98f};
    a.head.position = {0.f, 1.6f, 0.f};
    a.leftHand.position = {-0.3f, 1.4f, 0.2f};
    a.rightHand.position = {0.3f, 1.1f, 0.2f};
    a.blendShapes = {0.5f};
    return a;
}

// The participant row of `id` on the page's model, or null.
const ParticipantListModel::Row* rowOf(const Client& c, quint32 id) {
    return c.controller->calls()->participants()->find(id);
}

// How many entries of `type` the client's activity log holds.
int logged(const Client& c, const char* type) {
    int n = 0;
    for (const auto& e : c.controller->auditTrail().entries())
        if (e.type == type)
            ++n;
    return n;
}

// The visible text of the item `name` inside the item `parent`.
QString textIn(QQuickItem* parent, const char* name) {
    if (!parent)
        return {};
    for (QQuickItem* child : parent->childItems()) {
        if (child->objectName() == QLatin1String(name) && child->isVisible())
            return child->property("text").toString();
        const QString inner = textIn(child, name);
        if (!inner.isEmpty())
            return inner;
    }
    return {};
}

QQuickItem* childNamed(QQuickItem* parent, const QString& name) {
    if (!parent)
        return nullptr;
    for (QQuickItem* child : parent->childItems()) {
        if (child->objectName() == name)
            return child;
        if (QQuickItem* inner = childNamed(child, name))
            return inner;
    }
    return nullptr;
}

} // namespace

class CallsGuiTest : public QObject {
    Q_OBJECT

    std::unique_ptr<HomenetServer> m_server;
    QTemporaryDir m_data;
    std::unique_ptr<Client> m_gui;

    // The GUI creates a room anyone with its code may join; returns false when it is not in it.
    bool createRoom(const char* title) {
        // Room for three tiles and the report side by side, as on a desktop screen.
        m_gui->window->resize(1920, 1200);
        if (!m_gui->openPage("calls"))
            return false;
        if (!type(m_gui->window, m_gui->item("roomTitleField"), QString::fromLatin1(title)))
            return false;
        if (!click(m_gui->window, m_gui->item("createRoomButton")))
            return false;
        CallsController* calls = m_gui->controller->calls();
        if (!QTest::qWaitFor([&] { return calls->inRoom() && !calls->roomCode().isEmpty(); }, 60000)) {
            qWarning("not in the room: %s %s (%s)", qPrintable(calls->operation()->errorCode()),
                     qPrintable(calls->operation()->errorMessage()), qPrintable(calls->callState()));
            return false;
        }
        return true;
    }

private slots:
    void initTestCase() {
        qRegisterMetaType<calls::AnimationFrame>();
        m_server = std::make_unique<HomenetServer>();
        QVERIFY(m_server->start());
        m_gui = std::make_unique<Client>(m_data.path(), QString());
        QVERIFY(m_gui->window);
        QVERIFY(activeTwin(*m_gui, *m_server, QStringLiteral("gui.usim"), QStringLiteral("imsi-001010000004401"),
                           kPassphrase));
    }
    void init() {
        QTest::failOnWarning(QRegularExpression(QStringLiteral(".*(qml|QML|\\.js|Binding loop).*")));
    }

    void threeParticipantsAllVerified() {
        auto bobDevice = makeCallDevice(*m_server, QStringLiteral("bob"), 2);
        auto carolDevice = makeCallDevice(*m_server, QStringLiteral("carol"), 3);
        QVERIFY(bobDevice && carolDevice);
        QVERIFY(createRoom("Theatre 3"));
        CallsController* calls = m_gui->controller->calls();
        QCOMPARE(m_gui->shownText("roomUriText"), calls->roomUri());
        QVERIFY(m_gui->shownText("roomCodeText").contains(calls->roomCode()));
        QVERIFY(!m_gui->item("integrityBanner")->isVisible());
        QCOMPARE(logged(*m_gui, call_event::kStart), 1);

        CallClient bob(callClientOptions(*m_server, "bob"), *bobDevice->builder, *bobDevice->verifier);
        CallClient carol(callClientOptions(*m_server, "carol"), *carolDevice->builder, *carolDevice->verifier);
        QSignalSpy bobAnimations(&bob, &CallClient::animationReceived);
        bob.connectToHost();
        carol.connectToHost();
        QTRY_VERIFY_WITH_TIMEOUT(bob.connected() && carol.connected(), 30000);
        const std::string roomUri = calls->roomUri().toStdString();
        const std::string roomId = calls->roomUri().section(QLatin1Char(':'), -1).toStdString();
        bob.join(roomId, roomUri, calls->roomCode().toStdString());
        QTRY_VERIFY_WITH_TIMEOUT(bob.state() == CallState::InCall, 60000);
        carol.join(roomId, roomUri, calls->roomCode().toStdString());
        QTRY_VERIFY_WITH_TIMEOUT(carol.state() == CallState::InCall, 60000);
        const quint32 bobId = bob.setup().participantId();
        const quint32 carolId = carol.setup().participantId();
        const quint32 guiId = calls->client()->setup().participantId();

        // Every tile: Verified, in words and shape, with the avatar shown.
        for (quint32 id : {bobId, carolId}) {
            QTRY_VERIFY_WITH_TIMEOUT(rowOf(*m_gui, id) && rowOf(*m_gui, id)->state == QLatin1String("verified"), 60000);
            QVERIFY(!rowOf(*m_gui, id)->modelUrl.isEmpty());
            QQuickItem* tile = m_gui->item(qPrintable(QStringLiteral("participantTile_%1").arg(id)));
            QVERIFY(tile && tile->isVisible());
            QTRY_COMPARE(textIn(tile, "verificationBadgeHeadline"), QStringLiteral("Verified"));
            QQuickItem* avatar = childNamed(tile, QStringLiteral("tileAvatar"));
            QVERIFY(avatar && avatar->isVisible());
            QCOMPARE(avatar->property("source").toUrl(), rowOf(*m_gui, id)->modelUrl);
        }
        QCOMPARE(calls->participants()->rowCount(), 3);
        QVERIFY(rowOf(*m_gui, guiId) && rowOf(*m_gui, guiId)->local);
        QTRY_COMPARE_WITH_TIMEOUT(calls->callState(), QStringLiteral("in-call"), 30000);
        QCOMPARE(m_gui->shownText("callStateText"), calls->callStateText());
        QCOMPARE(calls->alerts()->rowCount(), 0);

        // Bob's frames animate his tile; the GUI's own idle pose reaches Bob.
        QTRY_VERIFY_WITH_TIMEOUT(bob.frameEpoch() > 0 && bob.hasPeerFrameKey(guiId), 30000);
        QTRY_VERIFY_WITH_TIMEOUT(calls->client()->hasPeerFrameKey(bobId), 30000);
        REQUIRE_OK(bob.sendAnimation(wave(1.f)));
        QTRY_VERIFY_WITH_TIMEOUT(rowOf(*m_gui, bobId)->frames > 0, 30000);
        QCOMPARE(rowOf(*m_gui, bobId)->pose.leftHand.at(1).toFloat(), 1.4f);
        QTRY_VERIFY_WITH_TIMEOUT(!bobAnimations.isEmpty(), 30000);
        QCOMPARE(bobAnimations.first().at(0).toUInt(), guiId);
        QVERIFY(calls->framesSent() > 0);

        // The full report, one click away.
        QVERIFY(click(m_gui->window, m_gui->item(qPrintable(QStringLiteral("tileReportButton_%1").arg(bobId)))));
        QTRY_COMPARE(calls->reportParticipant(), static_cast<int>(bobId));
        QCOMPARE(calls->reportState(), QStringLiteral("verified"));
        QCOMPARE(calls->report()->rowCount(), static_cast<int>(security::allCheckIds().size()));
        QVERIFY(m_gui->item("reportPane")->isVisible());
        m_gui->screenshot("calls-all-verified");
        QVERIFY(click(m_gui->window, m_gui->item("closeReportButton")));

        // The activity log: the call, and each peer's outcome.
        QVERIFY(logged(*m_gui, security::audit_event::kCallVerify) >= 2);

        bob.leave();
        carol.leave();
        QTRY_VERIFY_WITH_TIMEOUT(calls->participants()->rowCount() == 1, 30000);
        QVERIFY(click(m_gui->window, m_gui->item("leaveButton")));
        QTRY_VERIFY_WITH_TIMEOUT(!calls->inRoom(), 30000);
        QTRY_COMPARE(logged(*m_gui, call_event::kEnd), 1);
    }

    void cleanupTestCase() {
        m_gui.reset();
        m_server.reset();
        QVERIFY(flushSceneGraph());
    }
};

TWINSEAL_TEST(CallsGuiTest, "calls")
#include "test_calls.moc"
