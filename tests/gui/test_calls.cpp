// The Calls page as a person uses it, against the real twinseal-homenet room host on loopback:
// the GUI client creates a room, two other participants (the call library's CallClient, each
// with its own registered twin, store and verifier) join it by its code, and every tile shows
// its participant Verified, with the avatar, animated by the frames the others send; the
// activity log records the call and each outcome. Then, one at a time, evidence the GUI must
// refuse, each detected with its own reason on the participant's tile and in an alert; frames a
// relay altered or replayed, each refused with its reason (counted on the tile, one alert per
// reason); an avatar altered at its home network, the tile Failed with the media reason.
#include <QClipboard>
#include <QDir>
#include <QGuiApplication>
#include <QtQuickTest/quicktest.h>
#include <QQuaternion>
#include <QTemporaryDir>
#include <QtTest>

#include <bit>
#include <cmath>
#include <memory>

#include <twinseal/calls/animation_frame.h>
#include <twinseal/calls/call_client.h>
#include <twinseal/proto/codec.h>
#include <twinseal/security/audit_entry.h>
#include <twinseal/security/audit_log.h>
#include <twinseal/security/clock.h>
#include <twinseal/security/sframe_header.h>
#include <twinseal/twin/pin_file.h>
#include <twinseal/security/verify.h>
#include <twinseal/viewmodels/audit_trail.h>
#include <twinseal/viewmodels/calls_controller.h>
#include <twinseal/viewmodels/participant_list_model.h>
#include <twinseal/viewmodels/twin_controller.h>

#include "avatar_tampering.h"
#include "call_participants.h"
#include "call_test_util.h"
#include "call_ws_client.h"
#include "gui_client.h"
#include "homenet_fixture.h"
#include "test_macros.h"
#include "testmain.h"

namespace {
namespace test_calls {

using namespace twinseal;
using namespace twinseal::test;
using namespace twinseal::viewmodels;
using twinseal::calls::CallClient;
using twinseal::calls::CallState;
using Kind = proto::CallMessage::BodyCase;

namespace {

const auto& testPassphrase() {
    static const QString value = QStringLiteral("calls page passphrase");
    return value;
}
calls::AnimationFrame wave(float t) {
    calls::AnimationFrame a;
    a.timestampUs = static_cast<std::int64_t>(t * 1e6f);
    a.head.rotation = {0.f, 0.2f, 0.f, 0.98f};
    // Offsets from the rest pose (animation_frame.h): the left hand waving at shoulder height.
    a.head.position = {0.02f, 0.f, 0.f};
    a.leftHand.position = {0.1f, 0.55f + 0.05f * std::sin(t), 0.15f};
    a.leftHand.rotation = {0.f, 0.f, 0.38268343f, 0.92387953f}; // the palm turned 45° about z
    a.rightHand.position = {-0.05f, 0.2f, 0.2f};
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
        QString inner = textIn(child, name);
        if (!inner.isEmpty())
            return inner;
    }
    return {};
}

// `valid` with one bit of its SFrame counter flipped from 0 to 1: the same frame under a counter
// not received yet (so not a replay), which the frame's authentication covers. Empty when the
// counter has no such bit.
QByteArray counterBitFlipped(const QByteArray& valid) {
    const auto bytes = security::ByteView(reinterpret_cast<const std::uint8_t*>(valid.data()),
                                          static_cast<std::size_t>(valid.size()));
    auto decoded = security::decodeSFrameHeader(bytes);
    if (!decoded.ok())
        return {};
    for (int bit = 0; bit < 56; ++bit) {
        security::SFrameHeader h = decoded->header;
        if (h.ctr & (std::uint64_t{1} << bit))
            continue;
        h.ctr |= std::uint64_t{1} << bit;
        const security::Bytes header = security::encodeSFrameHeader(h);
        if (header.size() != decoded->size)
            continue;
        QByteArray out = valid;
        int differing = 0;
        for (std::size_t i = 0; i < header.size(); ++i) {
            differing += std::popcount(static_cast<unsigned>(static_cast<std::uint8_t>(out[static_cast<qsizetype>(i)]) ^ header[i]));
            out[static_cast<qsizetype>(i)] = static_cast<char>(header[i]);
        }
        if (differing == 1)
            return out;
    }
    return {};
}

// The refused-frames alert of participant `id` for `code`, as the model has it (null: none).
const CallAlertListModel::Alert* refusalAlert(const Client& c, quint32 id, const QString& code) {
    for (const auto& a : c.controller->calls()->alerts()->alerts())
        if (a.kind == QLatin1String("frames-refused") && a.participantId == id && a.code == code)
            return &a;
    return nullptr;
}

int refusalAlerts(const Client& c, quint32 id) {
    int n = 0;
    for (const auto& a : c.controller->calls()->alerts()->alerts())
        n += a.kind == QLatin1String("frames-refused") && a.participantId == id ? 1 : 0;
    return n;
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
        QQuickItem* field = m_gui->item("roomTitleField");
        if (field)
            field->setProperty("text", QString()); // the previous room's title
        if (!type(m_gui->window, field, QString::fromLatin1(title))) {
            qWarning("the title field does not take the title");
            return false;
        }
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
        // A dozen participants register, upload and join from one address within seconds:
        // the service's per-address rate limit (tested in homenet.bad-input) stays out of it.
        QVERIFY(m_server->start(noRateLimit()));
        m_gui = std::make_unique<Client>(m_data.path(), QString());
        QVERIFY(m_gui->window);
        QVERIFY(activeTwin(*m_gui, *m_server, QStringLiteral("gui.usim"), QStringLiteral("imsi-001010000004401"),
                           testPassphrase()));
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
        // The invitation, copied for the people asked to join: the address and the code.
        QVERIFY(!m_gui->item("invitationCopiedText")->isVisible());
        QQuickItem* copyButton = m_gui->item("copyInvitationButton");
        QTRY_VERIFY(copyButton->isVisible());
        QVERIFY(QQuickTest::qWaitForPolish(m_gui->window)); // the state card laid out with it
        QVERIFY(click(m_gui->window, copyButton));
        QTRY_COMPARE(QGuiApplication::clipboard()->text(), calls->roomUri() + QLatin1Char(' ') + calls->roomCode());
        QVERIFY(m_gui->item("invitationCopiedText")->isVisible());
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
        QCOMPARE(rowOf(*m_gui, bobId)->pose.leftHand.at(1).toFloat(), wave(1.f).leftHand.position[1]);
        // The hand's rotation reaches Bob's avatar on his tile (a quaternion, scalar first).
        QCOMPARE(rowOf(*m_gui, bobId)->pose.leftHandRotation.at(2).toFloat(), wave(1.f).leftHand.rotation[2]);
        {
            QQuickItem* bobTile = m_gui->item(qPrintable(QStringLiteral("participantTile_%1").arg(bobId)));
            QQuickItem* bobAvatar = childNamed(bobTile, QStringLiteral("tileAvatar"));
            QVERIFY(bobAvatar);
            QTRY_COMPARE(bobAvatar->property("leftHandRotation").value<QQuaternion>(),
                         QQuaternion(wave(1.f).leftHand.rotation[3], wave(1.f).leftHand.rotation[0],
                                     wave(1.f).leftHand.rotation[1], wave(1.f).leftHand.rotation[2]));
        }
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

    // A participant admitted by the room host then presents, one at a time, evidence the GUI must
    // refuse (announced to everyone): each is shown on its tile and in an alert with its reason.
    void refusedEvidenceEachWithItsReason() {
        auto dave = makeCallDevice(*m_server, QStringLiteral("dave"), 4);
        QVERIFY(dave);
        QVERIFY(createRoom("Refused evidence"));
        CallsController* calls = m_gui->controller->calls();
        const std::string roomUri = calls->roomUri().toStdString();
        const std::string roomId = calls->roomUri().section(QLatin1Char(':'), -1).toStdString();

        auto joinedWith = evidenceFor(*dave->builder, roomUri);
        QVERIFY(joinedWith);
        CallWsClient ws(*m_server);
        QVERIFY(ws.open());
        proto::RoomInfo room;
        room.set_room_id(roomId);
        auto joined = ws.request(joinMessage(room, joinedWith->evidence, calls->roomCode().toStdString()),
                                 Kind::kRoomJoined);
        REQUIRE_KIND(joined, Kind::kRoomJoined);
        const quint32 id = joined->room_joined().participant_id();
        QTRY_VERIFY_WITH_TIMEOUT(rowOf(*m_gui, id) && rowOf(*m_gui, id)->state == QLatin1String("verified"), 60000);

        auto announce = [&](const proto::Evidence& e) {
            proto::CallMessage m;
            m.mutable_announce()->set_room_id(roomId);
            *m.mutable_announce()->mutable_evidence() = e;
            ws.send(m);
        };
        const QString tileName = QStringLiteral("participantTile_%1").arg(id);
        auto shownWith = [&](security::ErrorCode code) {
            const QString name = QString::fromUtf8(security::errorCodeName(code).data());
            if (!QTest::qWaitFor([&] { return rowOf(*m_gui, id)->reasonCode == name; }, 60000)) {
                qWarning("tile reason: %s, expected %s", qPrintable(rowOf(*m_gui, id)->reasonCode), qPrintable(name));
                return false;
            }
            QQuickItem* tile = m_gui->item(qPrintable(tileName));
            // The tile: failed in words, the reason, and no avatar.
            if (!QTest::qWaitFor([&] { return textIn(tile, "verificationBadgeHeadline") == QLatin1String("Verification failed")
                                              && textIn(tile, "verificationBadgeReason").startsWith(name + QStringLiteral(": ")); }, 5000)) {
                qWarning("tile shows: %s / %s", qPrintable(textIn(tile, "verificationBadgeHeadline")),
                         qPrintable(textIn(tile, "verificationBadgeReason")));
                return false;
            }
            QQuickItem* avatar = childNamed(tile, QStringLiteral("tileAvatar"));
            if (!avatar || avatar->isVisible() || !rowOf(*m_gui, id)->modelUrl.isEmpty())
                return false;
            // The alert, with the same reason code.
            QQuickItem* alert = m_gui->item(qPrintable(QStringLiteral("callAlert_verification-failed_%1").arg(id)));
            bool alerted = false;
            for (const auto& a : calls->alerts()->alerts())
                alerted = alerted || (a.participantId == id && a.code == name && !a.message.isEmpty());
            return alerted && alert && alert->isVisible();
        };

        // A forged credential: its issuer signature altered.
        auto forged = evidenceFor(*dave->builder, roomUri);
        QVERIFY(forged);
        std::string credential = forged->evidence.credential();
        credential[credential.size() - 1] = static_cast<char>(credential.back() ^ 0x01);
        forged->evidence.set_credential(credential);
        announce(forged->evidence);
        QVERIFY(shownWith(security::ErrorCode::BadSignature));
        m_gui->screenshot("calls-failed-peer");

        // A replayed assertion: the one the participant joined with, presented again.
        announce(joinedWith->evidence);
        QVERIFY(shownWith(security::ErrorCode::AssertionReplayed));

        // A stale assertion: made ten minutes ago.
        const security::FixedClock past(static_cast<std::int64_t>(QDateTime::currentSecsSinceEpoch()) - 600);
        calls::EvidenceOptions oldClock;
        oldClock.clock = &past;
        calls::EvidenceBuilder staleBuilder(*dave->store, *dave->session, oldClock);
        auto stale = evidenceFor(staleBuilder, roomUri);
        QVERIFY(stale);
        announce(stale->evidence);
        QVERIFY(shownWith(security::ErrorCode::AssertionStale));

        // An assertion for another room.
        auto elsewhere = evidenceFor(*dave->builder, "urn:twinseal:room:elsewhere:0123");
        QVERIFY(elsewhere);
        announce(elsewhere->evidence);
        QVERIFY(shownWith(security::ErrorCode::WrongDestination));

        // Every outcome and every alert is in the activity log.
        QVERIFY(logged(*m_gui, security::audit_event::kCallVerify) >= 5);
        QVERIFY(logged(*m_gui, call_event::kAlert) >= 4);
        QVERIFY(click(m_gui->window, m_gui->item("leaveButton")));
        QTRY_VERIFY_WITH_TIMEOUT(!calls->inRoom(), 30000);
    }

    // A participant whose credential its home network revokes during the call, and one whose
    // identity this device pinned to another key: each flagged with its reason, the key change
    // waiting for the user's decision.
    void revocationAndKeyChange() {
        auto erin = makeCallDevice(*m_server, QStringLiteral("erin"), 5);
        auto frank = makeCallDevice(*m_server, QStringLiteral("frank"), 6);
        QVERIFY(erin && frank);
        // This device met "Frank" before with another key.
        {
            auto pins = twin::PinFile::load(m_gui->controller->store().pinsPath());
            REQUIRE_OK(pins);
            security::Digest other{};
            other.fill(0x42);
            pins->pin(frank->avatarId, other);
            REQUIRE_OK(pins->save());
        }
        QVERIFY(createRoom("Revocation and key change"));
        CallsController* calls = m_gui->controller->calls();
        const std::string roomUri = calls->roomUri().toStdString();
        const std::string roomId = calls->roomUri().section(QLatin1Char(':'), -1).toStdString();
        CallClient erinClient(callClientOptions(*m_server, "erin"), *erin->builder, *erin->verifier);
        CallClient frankClient(callClientOptions(*m_server, "frank"), *frank->builder, *frank->verifier);
        erinClient.connectToHost();
        frankClient.connectToHost();
        QTRY_VERIFY_WITH_TIMEOUT(erinClient.connected() && frankClient.connected(), 30000);
        erinClient.join(roomId, roomUri, calls->roomCode().toStdString());
        QTRY_VERIFY_WITH_TIMEOUT(erinClient.state() == CallState::InCall, 60000);
        const quint32 erinId = erinClient.setup().participantId();
        QTRY_VERIFY_WITH_TIMEOUT(rowOf(*m_gui, erinId) && rowOf(*m_gui, erinId)->state == QLatin1String("verified"), 60000);

        // Revoked mid-call: flagged, the avatar withdrawn.
        REQUIRE_OK(await<netclient::DtRecord>([&](auto cb) {
            erin->subscriber->client->revoke(erin->dtId, "device lost", std::move(cb));
        }));
        const QString revoked = QString::fromUtf8(security::errorCodeName(security::ErrorCode::CredentialRevoked).data());
        QQuickItem* revokedAlert = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((revokedAlert = m_gui->item(qPrintable(QStringLiteral("callAlert_revoked_%1").arg(erinId))))
                                     && revokedAlert->isVisible(), 60000);
        // The room host removes the revoked participant too; until then the tile says why.
        if (const auto* row = rowOf(*m_gui, erinId)) {
            QCOMPARE(row->state, QStringLiteral("failed"));
            QCOMPARE(row->reasonCode, revoked);
            QVERIFY(row->modelUrl.isEmpty());
        }
        QCOMPARE(textIn(revokedAlert, "callAlertCode"), revoked);

        // A key change of a pinned identity: blocked until the user decides.
        frankClient.join(roomId, roomUri, calls->roomCode().toStdString());
        QTRY_VERIFY_WITH_TIMEOUT(frankClient.setup().participantId() != 0, 60000);
        const quint32 frankId = frankClient.setup().participantId();
        QTRY_VERIFY_WITH_TIMEOUT(rowOf(*m_gui, frankId) && rowOf(*m_gui, frankId)->state == QLatin1String("failed"), 60000);
        const QString changed = QString::fromUtf8(security::errorCodeName(security::ErrorCode::PinnedKeyChanged).data());
        QCOMPARE(rowOf(*m_gui, frankId)->reasonCode, changed);
        QQuickItem* keyAlert = m_gui->item(qPrintable(QStringLiteral("callAlert_key-change_%1").arg(frankId)));
        QTRY_VERIFY(keyAlert && keyAlert->isVisible());
        QCOMPARE(textIn(keyAlert, "callAlertCode"), changed);
        QQuickItem* block = childNamed(keyAlert, QStringLiteral("blockParticipantButton"));
        QVERIFY(block && block->isVisible());
        QVERIFY(childNamed(keyAlert, QStringLiteral("acceptKeyButton"))->isVisible());
        m_gui->screenshot("calls-key-change");
        QVERIFY(click(m_gui->window, block));
        QTRY_VERIFY(textIn(keyAlert, "callAlertDecision").contains(QStringLiteral("blocked")));
        QVERIFY(!block->isVisible());
        QCOMPARE(logged(*m_gui, call_event::kKeyDecision), 1);
        QVERIFY(rowOf(*m_gui, frankId)->modelUrl.isEmpty());

        erinClient.leave();
        frankClient.leave();
        QVERIFY(click(m_gui->window, m_gui->item("leaveButton")));
        QTRY_VERIFY_WITH_TIMEOUT(!calls->inRoom(), 30000);
    }

    // A relay that alters Bob's frames on the way: one with a bit flipped, then one replayed.
    // Each is refused with its own reason, counted on Bob's tile and explained in one alert per
    // reason (not one per frame), recorded in the activity log; Bob stays verified and his next
    // frames are shown.
    void alteredAndReplayedFramesEachWithItsReason() {
        auto bobDevice = makeCallDevice(*m_server, QStringLiteral("bob2"), 7);
        QVERIFY(bobDevice);
        QVERIFY(createRoom("Relay that alters frames"));
        CallsController* calls = m_gui->controller->calls();
        CallClient bob(callClientOptions(*m_server, "bob2"), *bobDevice->builder, *bobDevice->verifier);
        QSignalSpy bobSent(&bob, &CallClient::frameSent);
        bob.connectToHost();
        QTRY_VERIFY_WITH_TIMEOUT(bob.connected(), 30000);
        const std::string roomUri = calls->roomUri().toStdString();
        const std::string roomId = calls->roomUri().section(QLatin1Char(':'), -1).toStdString();
        bob.join(roomId, roomUri, calls->roomCode().toStdString());
        QTRY_VERIFY_WITH_TIMEOUT(bob.state() == CallState::InCall, 60000);
        const quint32 bobId = bob.setup().participantId();
        const quint32 guiId = calls->client()->setup().participantId();
        QTRY_VERIFY_WITH_TIMEOUT(rowOf(*m_gui, bobId) && rowOf(*m_gui, bobId)->state == QLatin1String("verified"), 60000);
        QTRY_VERIFY_WITH_TIMEOUT(bob.frameEpoch() > 0 && bob.hasPeerFrameKey(guiId), 30000);
        QTRY_VERIFY_WITH_TIMEOUT(calls->client()->hasPeerFrameKey(bobId), 30000);
        QCOMPARE(rowOf(*m_gui, bobId)->refusedFrames, 0);
        const int alertsLogged = logged(*m_gui, call_event::kAlert);

        REQUIRE_OK(bob.sendAnimation(wave(1.f)));
        QTRY_VERIFY_WITH_TIMEOUT(rowOf(*m_gui, bobId)->frames == 1, 30000);
        QCOMPARE(bobSent.size(), 1);
        const QByteArray valid = bobSent.at(0).at(0).toByteArray();
        const QString tileName = QStringLiteral("participantTile_%1").arg(bobId);

        // Shown on Bob's tile (count and reason) and in its own alert, in plain words.
        auto shownWith = [&](security::ErrorCode code, int refused, const char* words) {
            const QString name = QString::fromUtf8(security::errorCodeName(code).data());
            if (!QTest::qWaitFor([&] { return rowOf(*m_gui, bobId)->refusedFrames == refused; }, 30000)) {
                qWarning("refused frames: %d, expected %d", rowOf(*m_gui, bobId)->refusedFrames, refused);
                return false;
            }
            if (rowOf(*m_gui, bobId)->refusedCode != name) {
                qWarning("last refusal: %s, expected %s", qPrintable(rowOf(*m_gui, bobId)->refusedCode), qPrintable(name));
                return false;
            }
            QQuickItem* tile = m_gui->item(qPrintable(tileName));
            if (!QTest::qWaitFor([&] { return textIn(tile, "tileRefusedFrames").endsWith(name); }, 5000)) {
                qWarning("tile shows: %s", qPrintable(textIn(tile, "tileRefusedFrames")));
                return false;
            }
            const CallAlertListModel::Alert* a = refusalAlert(*m_gui, bobId, name);
            if (!a || !a->message.contains(QLatin1String(words)) || !a->message.contains(name)) {
                qWarning("alert: %s", a ? qPrintable(a->message) : "none");
                return false;
            }
            QQuickItem* alert = m_gui->item(qPrintable(QStringLiteral("callAlert_frames-refused_%1_%2").arg(bobId).arg(name)));
            return alert && alert->isVisible() && textIn(alert, "callAlertCode") == name &&
                   textIn(alert, "callAlertMessage") == a->message;
        };

        // One bit flipped by the relay: not authentic.
        const QByteArray flipped = counterBitFlipped(valid);
        QVERIFY(!flipped.isEmpty());
        bob.sendRawFrame(flipped);
        QVERIFY(shownWith(security::ErrorCode::SFrameAuthenticationFailed, 1, "altered on the way"));
        m_gui->screenshot("calls-altered-frame");

        // A frame already received, sent again by the relay: a replay.
        bob.sendRawFrame(valid);
        QVERIFY(shownWith(security::ErrorCode::SFrameReplayed, 2, "sent again"));
        // More of the same: counted on the tile, no new alert.
        bob.sendRawFrame(valid);
        bob.sendRawFrame(flipped);
        QTRY_VERIFY_WITH_TIMEOUT(rowOf(*m_gui, bobId)->refusedFrames == 4, 30000);
        QCOMPARE(refusalAlerts(*m_gui, bobId), 2);
        QCOMPARE(logged(*m_gui, call_event::kAlert), alertsLogged + 2);

        // The call stays protected and Bob stays shown: his next frame animates his tile.
        QCOMPARE(rowOf(*m_gui, bobId)->state, QStringLiteral("verified"));
        QCOMPARE(rowOf(*m_gui, bobId)->frames, 1);
        REQUIRE_OK(bob.sendAnimation(wave(2.f)));
        QTRY_VERIFY_WITH_TIMEOUT(rowOf(*m_gui, bobId)->frames == 2, 30000);

        // A frame key of Bob's altered on the way (it does not unwrap): refused with its reason,
        // in its own alert; Bob's installed key stays and his frames are still shown.
        proto::CallMessage badKey;
        badKey.mutable_key_update()->set_room_id(roomId);
        badKey.mutable_key_update()->set_to(guiId);
        badKey.mutable_key_update()->set_from(bobId);
        badKey.mutable_key_update()->set_epoch(bob.frameEpoch() + 1);
        badKey.mutable_key_update()->set_wrapped_key(std::string(64, '\x5a'));
        calls->client()->receiveBinary(proto::serialize<QByteArray>(badKey));
        QQuickItem* keyAlert = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((keyAlert = m_gui->item(qPrintable(QStringLiteral("callAlert_key-refused_%1").arg(bobId))))
                                     && keyAlert->isVisible(), 30000);
        QVERIFY(!textIn(keyAlert, "callAlertCode").isEmpty());
        QCOMPARE(logged(*m_gui, call_event::kAlert), alertsLogged + 3);
        REQUIRE_OK(bob.sendAnimation(wave(3.f)));
        QTRY_VERIFY_WITH_TIMEOUT(rowOf(*m_gui, bobId)->frames == 3, 30000);

        bob.leave();
        QVERIFY(click(m_gui->window, m_gui->item("leaveButton")));
        QTRY_VERIFY_WITH_TIMEOUT(!calls->inRoom(), 30000);
    }

    // A participant whose avatar was altered at its home network (one chunk of the stored
    // package changed in the service's database): the download does not match the credential's
    // media root, the tile is Failed with the media reason and no avatar is shown. Last: the
    // service is restarted for the change.
    void tamperedAvatarChunkAtTheHomeNetwork() {
        auto grace = makeCallDevice(*m_server, QStringLiteral("grace"), 8);
        QVERIFY(grace);
        QCOMPARE(m_server->stop(), 0);
        QCOMPARE(alterAvatarChunk(*m_server, grace->mediaRoot), 1);
        QVERIFY(m_server->restart(noRateLimit()));

        QVERIFY(createRoom("Altered avatar"));
        CallsController* calls = m_gui->controller->calls();
        CallClient client(callClientOptions(*m_server, "grace"), *grace->builder, *grace->verifier);
        client.connectToHost();
        QTRY_VERIFY_WITH_TIMEOUT(client.connected(), 30000);
        client.join(calls->roomUri().section(QLatin1Char(':'), -1).toStdString(), calls->roomUri().toStdString(),
                    calls->roomCode().toStdString());
        QTRY_VERIFY_WITH_TIMEOUT(client.setup().participantId() != 0, 60000);
        const quint32 id = client.setup().participantId();
        QTRY_VERIFY_WITH_TIMEOUT(rowOf(*m_gui, id) && rowOf(*m_gui, id)->state == QLatin1String("failed"), 60000);
        const QString reason = rowOf(*m_gui, id)->reasonCode;
        QCOMPARE(reason, QString::fromUtf8(security::errorCodeName(security::ErrorCode::MediaMismatch).data()));
        QVERIFY(rowOf(*m_gui, id)->modelUrl.isEmpty());
        QQuickItem* tile = m_gui->item(qPrintable(QStringLiteral("participantTile_%1").arg(id)));
        QVERIFY(tile);
        QTRY_COMPARE(textIn(tile, "verificationBadgeHeadline"), QStringLiteral("Verification failed"));
        QVERIFY(textIn(tile, "verificationBadgeReason").startsWith(reason + QStringLiteral(": ")));
        QQuickItem* avatar = childNamed(tile, QStringLiteral("tileAvatar"));
        QVERIFY(avatar && !avatar->isVisible());
        QVERIFY(avatar->property("source").toUrl().isEmpty());
        QQuickItem* alert = m_gui->item(qPrintable(QStringLiteral("callAlert_verification-failed_%1").arg(id)));
        QTRY_VERIFY(alert && alert->isVisible());
        QCOMPARE(textIn(alert, "callAlertCode"), reason);
        // The full report names what was altered: the avatar's content.
        calls->showReport(static_cast<int>(id));
        QCOMPARE(calls->reportState(), QStringLiteral("failed"));
        QVERIFY2(calls->reportSummary().contains(QLatin1String("media")), qPrintable(calls->reportSummary()));
        const QString mismatch = QString::fromUtf8(security::errorCodeName(security::ErrorCode::MediaMismatch).data());
        bool named = false;
        for (const auto& check : calls->report()->rows())
            named = named || (check.state == QLatin1String("failed") && check.detail.contains(mismatch));
        QVERIFY2(named, "no failed check of the report names the altered media");
        m_gui->screenshot("calls-altered-avatar");
        calls->closeReport();

        client.leave();
        QVERIFY(click(m_gui->window, m_gui->item("leaveButton")));
        QTRY_VERIFY_WITH_TIMEOUT(!calls->inRoom(), 30000);
    }

    void cleanupTestCase() {
        m_gui.reset();
        m_server.reset();
        QVERIFY(flushSceneGraph());
    }
};

TWINSEAL_TEST(CallsGuiTest, "calls")
} // namespace test_calls
} // namespace

#include "test_calls.moc"
