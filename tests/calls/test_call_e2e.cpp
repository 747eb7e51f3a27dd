// A call end to end against the real twinseal-homenet room host (/v1/ws over TLS): Alice
// creates a room, Bob joins by its code (both CallClient), Carol joins as a participant driven
// by hand (her evidence, her verifier, her frame keys, her WebSocket). Everyone is Verified by
// everyone, the call is keyed and each one's animation frames are read by the others. A frame
// with one bit flipped and a replayed frame, injected by Carol through the relay, are refused
// with their reasons. Carol leaves: Alice and Bob re-key, and the keys Carol held do not open
// Alice's later frames. The re-key timer alone starts new epochs that the peers install.
#include <QDir>
#include <QSignalSpy>
#include <QtTest>

#include <memory>
#include <optional>

#include "../homenet/call_test_util.h"
#include "../homenet/call_ws_client.h"
#include "../homenet/homenet_fixture.h"
#include "call_device.h"
#include "test_macros.h"
#include "testmain.h"

#include <twinseal/calls/call_client.h>
#include <twinseal/calls/call_frame_keys.h>
#include <twinseal/calls/evidence_builder.h>
#include <twinseal/calls/peer_evidence_verifier.h>
#include <twinseal/netclient/avatar_transfer.h>
#include <twinseal/security/assertion.h>
#include <twinseal/twin/twin_session.h>
#include <twinseal/twin/twin_store.h>

namespace twinseal::test::calls {

using namespace twinseal::calls;
using Kind = proto::CallMessage::BodyCase;
using security::OverallState;

namespace {

std::string str(const security::Bytes& b) { return std::string(b.begin(), b.end()); }

} // namespace

class CallEndToEndTest : public QObject {
    Q_OBJECT

    HomenetServer m_server;

private slots:
    void initTestCase() {
        qRegisterMetaType<AnimationFrame>();
        QVERIFY(m_server.start({QStringLiteral("--rate-limit"), QStringLiteral("0")})); // many devices from one address
    }

    void threeParticipantsKeyedThenOneLeaves() {
        auto aliceDevice = makeDevice(m_server, QStringLiteral("alice"), 1);
        auto bobDevice = makeDevice(m_server, QStringLiteral("bob"), 2);
        auto carolDevice = makeDevice(m_server, QStringLiteral("carol"), 3);
        QVERIFY(aliceDevice && bobDevice && carolDevice);

        CallClient alice(clientOptions(m_server, "alice"), *aliceDevice->builder, *aliceDevice->verifier);
        CallClient bob(clientOptions(m_server, "bob"), *bobDevice->builder, *bobDevice->verifier);
        QSignalSpy created(&alice, &CallClient::roomCreated);
        QSignalSpy aliceReports(&alice, &CallClient::peerReport);
        QSignalSpy bobReports(&bob, &CallClient::peerReport);
        QSignalSpy aliceAnimations(&alice, &CallClient::animationReceived);
        QSignalSpy bobAnimations(&bob, &CallClient::animationReceived);
        QSignalSpy aliceRefusals(&alice, &CallClient::frameRefused);
        QSignalSpy aliceSent(&alice, &CallClient::frameSent);
        QSignalSpy aliceRekeys(&alice, &CallClient::rekeyed);
        QSignalSpy aliceErrors(&alice, &CallClient::protocolError);

        alice.connectToHost();
        bob.connectToHost();
        QTRY_VERIFY_WITH_TIMEOUT(alice.connected() && bob.connected(), 30000);
        alice.create(policyOf(proto::ROOM_CODE));
        QTRY_COMPARE_WITH_TIMEOUT(created.size(), 1, 30000);
        const std::string roomId = created.at(0).at(0).toString().toStdString();
        const std::string roomUri = created.at(0).at(1).toString().toStdString();
        const std::string code = created.at(0).at(2).toString().toStdString();
        QTRY_VERIFY2_WITH_TIMEOUT(alice.state() == CallState::InCall, qPrintable(aliceErrors.isEmpty() ? QString() : aliceErrors.at(0).at(1).toString()), 30000);
        QVERIFY(!alice.integrityOnly());
        const std::uint32_t aliceId = alice.setup().participantId();

        bob.join(roomId, roomUri, code);
        QTRY_VERIFY_WITH_TIMEOUT(bob.state() == CallState::InCall, 60000);
        const std::uint32_t bobId = bob.setup().participantId();

        // Carol, by hand: her evidence for the room, joined by the code.
        auto carolOwn = await<OwnEvidence>([&](auto cb) { carolDevice->builder->build(roomUri, std::move(cb)); });
        REQUIRE_OK(carolOwn);
        CallWsClient carolWs(m_server);
        QVERIFY(carolWs.open());
        proto::RoomInfo room;
        room.set_room_id(roomId);
        auto joined = carolWs.request(joinMessage(room, carolOwn->evidence, code), Kind::kRoomJoined);
        REQUIRE_KIND(joined, Kind::kRoomJoined);
        const std::uint32_t carolId = joined->room_joined().participant_id();
        QCOMPARE(joined->room_joined().participants_size(), 2);
        // She verifies both of them against their home network.
        std::map<std::uint32_t, security::Bytes> carolPeers;
        for (const auto& p : joined->room_joined().participants()) {
            std::optional<security::Result<PeerOutcome>> outcome;
            carolDevice->verifier->verify(p.evidence(), roomUri,
                                          [&](security::Result<PeerOutcome> r) { outcome.emplace(std::move(r)); });
            QTRY_VERIFY_WITH_TIMEOUT(outcome.has_value(), 60000);
            QVERIFY(outcome->ok());
            QVERIFY2((*outcome)->report.state == OverallState::Verified, (*outcome)->report.summary().c_str());
            carolPeers.emplace(p.participant_id(), (*outcome)->ephemeralKey);
        }
        CallFrameKeys carolKeys(roomId, carolId, security::FrameProtection::Confidential, carolOwn->ephemeral,
                                security::SystemRandom::instance());
        auto carolUpdates = carolKeys.rekey(carolPeers);
        QVERIFY(carolUpdates.ok());
        for (const OutgoingKey& k : *carolUpdates) {
            proto::CallMessage m;
            m.mutable_key_update()->set_room_id(roomId);
            m.mutable_key_update()->set_to(k.to);
            m.mutable_key_update()->set_epoch(k.epoch);
            m.mutable_key_update()->set_wrapped_key(k.wrapped);
            carolWs.send(m);
        }

        // Every peer Verified at each client, and each client holds the others' frame keys.
        QTRY_VERIFY_WITH_TIMEOUT(reportedVerified(aliceReports, bobId) && reportedVerified(aliceReports, carolId),
                                 60000);
        QTRY_VERIFY2_WITH_TIMEOUT(reportedVerified(bobReports, aliceId) && reportedVerified(bobReports, carolId),
                                  qPrintable(dumpReports(bobReports)), 60000);
        QTRY_VERIFY_WITH_TIMEOUT(alice.hasPeerFrameKey(bobId) && alice.hasPeerFrameKey(carolId) &&
                                     bob.hasPeerFrameKey(aliceId) && bob.hasPeerFrameKey(carolId),
                                 60000);
        // Carol installs the keys Alice and Bob wrapped to her (both, every epoch so far).
        const auto installCarolKeys = [&] {
            auto& inbox = carolWs.inbox();
            for (auto it = inbox.begin(); it != inbox.end();) {
                if (!it->has_key_update()) {
                    ++it;
                    continue;
                }
                const auto& k = it->key_update();
                const security::Bytes& epk = carolPeers.at(k.from());
                auto r = carolKeys.installPeerKey(k.from(), epk, k.epoch(), security::view(k.wrapped_key()));
                if (!r.ok())
                    qWarning("carol: %s", r.error().message().c_str());
                it = inbox.erase(it);
            }
            return carolKeys.hasPeerKey(aliceId) && carolKeys.hasPeerKey(bobId);
        };
        QVERIFY(carolWs.waitUntil(installCarolKeys, 60000));

        // Frames: each one's animation reaches the others.
        QVERIFY(alice.sendAnimation(pose(1.f)).ok());
        QVERIFY(bob.sendAnimation(pose(2.f)).ok());
        auto carolFrame = carolKeys.protect(*encodeAnimationFrame(pose(3.f)));
        QVERIFY(carolFrame.ok());
        carolWs.send(frameMessage(roomId, str(*carolFrame)));
        QTRY_VERIFY_WITH_TIMEOUT(received(aliceAnimations, bobId, pose(2.f)) &&
                                     received(aliceAnimations, carolId, pose(3.f)),
                                 30000);
        QTRY_VERIFY_WITH_TIMEOUT(received(bobAnimations, aliceId, pose(1.f)) &&
                                     received(bobAnimations, carolId, pose(3.f)),
                                 30000);
        std::map<std::uint32_t, AnimationFrame> carolGot;
        QVERIFY(carolWs.waitUntil([&] {
            installCarolKeys();
            auto& inbox = carolWs.inbox();
            for (auto it = inbox.begin(); it != inbox.end();) {
                if (!it->has_frame()) {
                    ++it;
                    continue;
                }
                auto payload = carolKeys.unprotect(it->frame().from(), security::view(it->frame().sframe()));
                if (payload.ok())
                    if (auto a = decodeAnimationFrame(*payload); a.ok())
                        carolGot[it->frame().from()] = *a;
                it = inbox.erase(it);
            }
            return carolGot.size() == 2;
        }, 30000));
        QVERIFY(carolGot.at(aliceId) == pose(1.f));
        QVERIFY(carolGot.at(bobId) == pose(2.f));

        // Carol, as a participant, injects a frame with one bit flipped, then replays a frame.
        auto valid = carolKeys.protect(*encodeAnimationFrame(pose(4.f)));
        QVERIFY(valid.ok());
        security::Bytes flipped = *valid;
        flipped[flipped.size() - 3] ^= 0x01;
        aliceRefusals.clear();
        carolWs.send(frameMessage(roomId, str(flipped)));
        QTRY_COMPARE_WITH_TIMEOUT(aliceRefusals.size(), 1, 30000);
        QCOMPARE(aliceRefusals.at(0).at(0).toUInt(), carolId);
        QCOMPARE(aliceRefusals.at(0).at(1).toString(), codeName(security::ErrorCode::SFrameAuthenticationFailed));
        carolWs.send(frameMessage(roomId, str(*valid)));
        QTRY_VERIFY_WITH_TIMEOUT(received(aliceAnimations, carolId, pose(4.f)), 30000);
        carolWs.send(frameMessage(roomId, str(*valid)));
        QTRY_COMPARE_WITH_TIMEOUT(aliceRefusals.size(), 2, 30000);
        QCOMPARE(aliceRefusals.at(1).at(1).toString(), codeName(security::ErrorCode::SFrameReplayed));

        // Carol leaves. Alice and Bob re-key for each other only; Bob reads Alice's next frame,
        // the keys Carol held do not open it.
        const std::uint64_t epochBefore = alice.frameEpoch();
        QSignalSpy bobInstalled(&bob, &CallClient::peerKeyInstalled);
        proto::CallMessage leave;
        leave.mutable_leave()->set_room_id(roomId);
        carolWs.send(leave);
        QTRY_VERIFY_WITH_TIMEOUT(alice.frameEpoch() > epochBefore && !alice.hasPeerFrameKey(carolId), 30000);
        QCOMPARE(aliceRekeys.constLast().at(1).toInt(), 1);
        QTRY_VERIFY_WITH_TIMEOUT(std::any_of(bobInstalled.begin(), bobInstalled.end(), [&](const QList<QVariant>& k) {
            return k.at(0).toUInt() == aliceId && k.at(1).toULongLong() == alice.frameEpoch();
        }), 30000);
        aliceSent.clear();
        QVERIFY(alice.sendAnimation(pose(5.f)).ok());
        QCOMPARE(aliceSent.size(), 1);
        QTRY_VERIFY_WITH_TIMEOUT(received(bobAnimations, aliceId, pose(5.f)), 30000);
        const QByteArray later = aliceSent.at(0).at(0).toByteArray();
        auto removed = carolKeys.unprotect(aliceId, security::ByteView(reinterpret_cast<const std::uint8_t*>(later.data()),
                                                                       static_cast<std::size_t>(later.size())));
        QVERIFY(!removed.ok());
        QCOMPARE(removed.error().code, security::ErrorCode::SFrameUnknownKeyId);

        alice.leave();
        bob.leave();
        QCOMPARE(alice.state(), CallState::Left);
    }

    // The re-key timer alone (no one joins or leaves): Alice's client starts a new epoch every
    // rekeyMs, wraps it to Bob, Bob installs each one and reads her frames under the newest.
    void rekeyTimerStartsNewEpochs() {
        auto aliceDevice = makeDevice(m_server, QStringLiteral("alice-timer"), 4);
        auto bobDevice = makeDevice(m_server, QStringLiteral("bob-timer"), 5);
        QVERIFY(aliceDevice && bobDevice);
        CallClientOptions aliceOptions = clientOptions(m_server, "alice-timer");
        aliceOptions.rekeyMs = 400;
        CallClient alice(aliceOptions, *aliceDevice->builder, *aliceDevice->verifier);
        CallClient bob(clientOptions(m_server, "bob-timer"), *bobDevice->builder, *bobDevice->verifier);
        QSignalSpy created(&alice, &CallClient::roomCreated);
        QSignalSpy aliceRekeys(&alice, &CallClient::rekeyed);
        QSignalSpy bobInstalled(&bob, &CallClient::peerKeyInstalled);
        QSignalSpy bobAnimations(&bob, &CallClient::animationReceived);
        alice.connectToHost();
        bob.connectToHost();
        QTRY_VERIFY_WITH_TIMEOUT(alice.connected() && bob.connected(), 30000);
        alice.create(policyOf(proto::ROOM_CODE));
        QTRY_COMPARE_WITH_TIMEOUT(created.size(), 1, 30000);
        bob.join(created.at(0).at(0).toString().toStdString(), created.at(0).at(1).toString().toStdString(),
                 created.at(0).at(2).toString().toStdString());
        QTRY_VERIFY_WITH_TIMEOUT(bob.state() == CallState::InCall, 60000);
        const std::uint32_t aliceId = alice.setup().participantId();
        const std::uint32_t bobId = bob.setup().participantId();
        QTRY_VERIFY_WITH_TIMEOUT(alice.hasPeerFrameKey(bobId) && bob.hasPeerFrameKey(aliceId), 60000);

        const std::uint64_t keyedAt = alice.frameEpoch();
        const auto installed = [&](std::uint64_t epoch) {
            return std::any_of(bobInstalled.begin(), bobInstalled.end(), [&](const QList<QVariant>& k) {
                return k.at(0).toUInt() == aliceId && k.at(1).toULongLong() == epoch;
            });
        };
        QTRY_VERIFY_WITH_TIMEOUT(alice.frameEpoch() >= keyedAt + 2, 30000);
        const std::uint64_t epoch = alice.frameEpoch();
        QCOMPARE(aliceRekeys.constLast().at(1).toInt(), 1); // for Bob, the one Verified peer
        QTRY_VERIFY_WITH_TIMEOUT(installed(epoch - 1) && installed(epoch), 30000);
        // Bob reads a frame under the newest epoch Bob has installed.
        alice.rekeyNow();
        const std::uint64_t newest = alice.frameEpoch();
        QVERIFY(newest > epoch);
        QTRY_VERIFY_WITH_TIMEOUT(installed(newest), 30000);
        // (Sent again while waiting: the timer may start another epoch before Bob installs it.)
        QTRY_VERIFY_WITH_TIMEOUT((static_cast<void>(alice.sendAnimation(pose(7.f))), received(bobAnimations, aliceId, pose(7.f))),
                                 30000);
        alice.leave();
        bob.leave();
    }

    // Once the room answered, the set-up no longer waits: its join timer is stopped, so no
    // stale timer event reaches it later (it would be refused as timer-not-due).
    void answeredSetUpStopsItsTimer() {
        auto device = makeDevice(m_server, QStringLiteral("alice-quiet"), 6);
        QVERIFY(device);
        CallClientOptions options = clientOptions(m_server, "alice-quiet");
        options.setup.joinTimeoutMs = 300;
        CallClient alice(options, *device->builder, *device->verifier);
        QSignalSpy created(&alice, &CallClient::roomCreated);
        QSignalSpy refused(&alice, &CallClient::refused);
        alice.connectToHost();
        QTRY_VERIFY_WITH_TIMEOUT(alice.connected(), 30000);
        alice.create(policyOf(proto::ROOM_CODE));
        QTRY_COMPARE_WITH_TIMEOUT(created.size(), 1, 30000);
        QTRY_VERIFY_WITH_TIMEOUT(alice.state() == CallState::InCall, 30000);
        QTest::qWait(900); // three join timeouts: a timer left running would have fired by now
        for (const auto& r : refused)
            QVERIFY2(r.at(0).toString() != QStringLiteral("timer-not-due"), qPrintable(r.at(1).toString()));
        QCOMPARE(alice.state(), CallState::InCall);
        alice.leave();
    }
};

} // namespace twinseal::test::calls

using twinseal::test::calls::CallEndToEndTest;
TWINSEAL_TEST(CallEndToEndTest, "call-e2e")
#include "test_call_e2e.moc"
