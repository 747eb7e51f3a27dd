// The Calls page's view-model against the real twinseal-homenet room host on loopback: the
// controller, built on a registered twin's store and unlocked session, creates a room; a second
// participant (the call library's CallClient) joins and its row becomes Verified; a third joins
// and then announces a credential whose signature was tampered with: its row turns Failed with
// the reason, an alert is raised, and the activity log holds the call, every outcome and the
// alert. The list models are checked by QAbstractItemModelTester throughout.
#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QtTest>

#include <memory>

#include <twinseal/calls/call_client.h>
#include <twinseal/security/audit_entry.h>
#include <twinseal/security/audit_log.h>
#include <twinseal/security/subscriber.h>
#include <twinseal/viewmodels/audit_trail.h>
#include <twinseal/viewmodels/calls_controller.h>

#include "call_participants.h"
#include "call_test_util.h"
#include "call_ws_client.h"
#include "homenet_fixture.h"
#include "test_macros.h"
#include "testmain.h"

namespace {
namespace test_calls_controller {

using namespace twinseal;
using namespace twinseal::test;
using namespace twinseal::viewmodels;
using twinseal::calls::CallClient;
using twinseal::calls::CallState;
using Kind = proto::CallMessage::BodyCase;

namespace {

int logged(const AuditTrail& audit, const char* type, const char* reason = nullptr) {
    int n = 0;
    for (const auto& e : audit.entries())
        if (e.type == type && (!reason || e.reason == reason))
            ++n;
    return n;
}

} // namespace

class CallsControllerTest : public QObject {
    Q_OBJECT

    HomenetServer m_server;

private slots:
    void initTestCase() {
        qRegisterMetaType<calls::AnimationFrame>();
        QVERIFY(m_server.start({QStringLiteral("--rate-limit"), QStringLiteral("0")}));
    }

    void participantsAlertsAndTheActivityLog() {
        auto alice = makeCallDevice(m_server, QStringLiteral("alice"), 1);
        auto bobDevice = makeCallDevice(m_server, QStringLiteral("bob"), 2);
        auto carolDevice = makeCallDevice(m_server, QStringLiteral("carol"), 3);
        QVERIFY(alice && bobDevice && carolDevice);
        AuditTrail audit(alice->store->dataDir());
        QString error;
        auto auditKey = AuditTrail::loadOrCreateKey(alice->store->dataDir(), "audit passphrase", &error);
        QVERIFY2(auditKey, qPrintable(error));
        audit.unlocked(std::move(auditKey));

        CallsController calls(*alice->store, audit);
        QAbstractItemModelTester participantsTester(calls.participants(),
                                                    QAbstractItemModelTester::FailureReportingMode::Fatal);
        QAbstractItemModelTester alertsTester(calls.alerts(), QAbstractItemModelTester::FailureReportingMode::Fatal);
        auto profile = security::UsimProfileData::load(alice->subscriber->path.toStdString());
        REQUIRE_OK(profile);
        calls.setHomeNetwork(&*profile, {});
        calls.setSession(alice->session.get());
        QCOMPARE(calls.callState(), QStringLiteral("idle"));

        calls.createRoom(QStringLiteral("Ward round"), true, {}, {}, {}, false);
        QTRY_VERIFY2_WITH_TIMEOUT(calls.inRoom() && !calls.roomCode().isEmpty(),
                                  qPrintable(calls.operation()->errorCode() + QStringLiteral(": ") +
                                             calls.operation()->errorMessage()),
                                  60000);
        QVERIFY(!calls.handle().isEmpty());
        QCOMPARE(calls.participants()->rowCount(), 1); // the local user's own tile
        QVERIFY(calls.participants()->rows().first().local);
        QCOMPARE(logged(audit, call_event::kStart), 1);
        const std::string roomUri = calls.roomUri().toStdString();
        const std::string roomId = calls.roomUri().section(QLatin1Char(':'), -1).toStdString();

        // Bob joins by the code: his row becomes Verified, with his verified avatar.
        CallClient bob(callClientOptions(m_server, "bob"), *bobDevice->builder, *bobDevice->verifier);
        bob.connectToHost();
        QTRY_VERIFY_WITH_TIMEOUT(bob.connected(), 30000);
        bob.join(roomId, roomUri, calls.roomCode().toStdString());
        QTRY_VERIFY_WITH_TIMEOUT(bob.state() == CallState::InCall, 60000);
        const quint32 bobId = bob.setup().participantId();
        QTRY_VERIFY_WITH_TIMEOUT(calls.participants()->find(bobId) &&
                                     calls.participants()->find(bobId)->state == QLatin1String("verified"),
                                 60000);
        QVERIFY(!calls.participants()->find(bobId)->modelUrl.isEmpty());
        QCOMPARE(calls.participants()->find(bobId)->subject.contains(QString::fromStdString(bobDevice->avatarId)), true);
        QCOMPARE(calls.alerts()->rowCount(), 0);
        QCOMPARE(logged(audit, security::audit_event::kCallVerify), 1);

        // Carol joins by hand (the room host admits her), then announces a credential whose
        // issuer signature was tampered with.
        auto carolOwn = evidenceFor(*carolDevice->builder, roomUri);
        QVERIFY(carolOwn);
        CallWsClient carolWs(m_server);
        QVERIFY(carolWs.open());
        proto::RoomInfo room;
        room.set_room_id(roomId);
        auto joined = carolWs.request(joinMessage(room, carolOwn->evidence, calls.roomCode().toStdString()),
                                      Kind::kRoomJoined);
        REQUIRE_KIND(joined, Kind::kRoomJoined);
        const quint32 carolId = joined->room_joined().participant_id();
        QTRY_VERIFY_WITH_TIMEOUT(calls.participants()->find(carolId) &&
                                     calls.participants()->find(carolId)->state == QLatin1String("verified"),
                                 60000);
        // Carol's first frame overtakes her frame key (she never sends one): dropped as expected
        // while the call is set up, neither counted on her tile nor alerted (checked below, once
        // her next message, sent after it on the same connection, has been handled).
        carolWs.send(frameMessage(roomId, std::string(40, '\x11')));
        auto forged = evidenceFor(*carolDevice->builder, roomUri);
        QVERIFY(forged);
        std::string credential = forged->evidence.credential();
        credential[credential.size() - 1] = static_cast<char>(credential.back() ^ 0x01);
        forged->evidence.set_credential(credential);
        proto::CallMessage announce;
        announce.mutable_announce()->set_room_id(roomId);
        *announce.mutable_announce()->mutable_evidence() = forged->evidence;
        carolWs.send(announce);

        QTRY_VERIFY_WITH_TIMEOUT(calls.participants()->find(carolId)->state == QLatin1String("failed"), 60000);
        const ParticipantListModel::Row* carol = calls.participants()->find(carolId);
        QVERIFY(!carol->reasonCode.isEmpty());
        QVERIFY(carol->modelUrl.isEmpty()); // nothing unverified is rendered
        QCOMPARE(carol->refusedFrames, 0);
        QCOMPARE(calls.alerts()->rowCount(), 1);
        const CallAlertListModel::Alert& alert = calls.alerts()->alerts().first();
        QCOMPARE(alert.kind, QStringLiteral("verification-failed"));
        QCOMPARE(alert.participantId, carolId);
        QCOMPARE(alert.code, carol->reasonCode);
        QVERIFY(!alert.message.isEmpty());
        QCOMPARE(logged(audit, security::audit_event::kCallVerify, carol->reasonCode.toUtf8().constData()), 1);
        QCOMPARE(logged(audit, call_event::kAlert), 1);

        // The full report of Carol, one call away.
        calls.showReport(static_cast<int>(carolId));
        QCOMPARE(calls.reportState(), QStringLiteral("failed"));
        QVERIFY(calls.report()->rowCount() > 0);

        calls.leave();
        QTRY_VERIFY_WITH_TIMEOUT(!calls.inRoom(), 30000);
        QCOMPARE(calls.participants()->rowCount(), 0);
        QCOMPARE(logged(audit, call_event::kEnd), 1);
    }

    // A second device joins with the invitation the creator's page copies, pasted whole into
    // the address field (no separate code): admitted, and each sees the other Verified.
    void joinByAPastedInvitation() {
        auto alice = makeCallDevice(m_server, QStringLiteral("alice-inv"), 4);
        auto dave = makeCallDevice(m_server, QStringLiteral("dave-inv"), 5);
        QVERIFY(alice && dave);
        AuditTrail aliceAudit(alice->store->dataDir());
        AuditTrail daveAudit(dave->store->dataDir());
        CallsController host(*alice->store, aliceAudit);
        CallsController guest(*dave->store, daveAudit);
        for (auto [controller, device] : {std::pair{&host, alice.get()}, std::pair{&guest, dave.get()}}) {
            auto profile = security::UsimProfileData::load(device->subscriber->path.toStdString());
            REQUIRE_OK(profile);
            controller->setHomeNetwork(&*profile, {});
            controller->setSession(device->session.get());
        }
        QCOMPARE(host.invitation(), QString());
        host.createRoom(QStringLiteral("Handover"), true, {}, {}, {}, false);
        QTRY_VERIFY_WITH_TIMEOUT(host.inRoom() && !host.roomCode().isEmpty(), 60000);
        QCOMPARE(host.invitation(), host.roomUri() + QLatin1Char(' ') + host.roomCode());

        guest.joinRoom(QStringLiteral("  ") + host.invitation() + QStringLiteral("\n"), QString());
        QTRY_VERIFY2_WITH_TIMEOUT(guest.inRoom() && guest.callState() == QLatin1String("in-call"),
                                  qPrintable(guest.operation()->errorCode() + QStringLiteral(": ") +
                                             guest.operation()->errorMessage()),
                                  60000);
        QCOMPARE(guest.roomUri(), host.roomUri());
        QTRY_VERIFY_WITH_TIMEOUT(guest.allVerified() && host.allVerified() &&
                                     host.participants()->rowCount() == 2 && guest.participants()->rowCount() == 2,
                                 60000);
        guest.leave();
        host.leave();
        QTRY_VERIFY_WITH_TIMEOUT(!guest.inRoom() && !host.inRoom(), 30000);
    }

    // Refused frames are counted on the participant's row with the latest reason; a new report
    // of the participant keeps the count; an unknown participant is not counted.
    void refusedFramesOnTheRow() {
        ParticipantListModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        ParticipantListModel::Row bob;
        bob.id = 7;
        bob.state = QStringLiteral("verified");
        model.upsert(bob);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        QVERIFY(model.noteRefused(7, QStringLiteral("sframe-authentication-failed"), QStringLiteral("altered")));
        QVERIFY(model.noteRefused(7, QStringLiteral("sframe-replayed"), QStringLiteral("replayed")));
        QVERIFY(!model.noteRefused(8, QStringLiteral("sframe-replayed"), QStringLiteral("replayed")));
        QCOMPARE(changed.size(), 2);
        model.upsert(bob);
        const QVariantMap row = model.get(0);
        QCOMPARE(row.value(QStringLiteral("refusedFrames")).toInt(), 2);
        QCOMPARE(row.value(QStringLiteral("refusedCode")).toString(), QStringLiteral("sframe-replayed"));
        QCOMPARE(row.value(QStringLiteral("refusedText")).toString(), QStringLiteral("replayed"));
    }
};

TWINSEAL_TEST(CallsControllerTest, "calls_controller")
} // namespace test_calls_controller
} // namespace

#include "test_calls_controller.moc"
