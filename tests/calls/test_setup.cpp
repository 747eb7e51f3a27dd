// The call set-up's scripted transcripts: the happy paths of caller and callee, messages out of
// order, glare, timeouts, a wrong recipient, a duplicate join, a reconnect within and after the
// grace period. Each refused input has its own reason code, checked by name.
#include <QtTest>

#include "testmain.h"
#include "transcript.h"

namespace twinseal::test::calls {

namespace {

Config config(const std::string& handle) {
    Config c;
    c.ownHandle = handle;
    c.ringTimeoutMs = 30000;
    c.joinTimeoutMs = 15000;
    c.graceMs = 20000;
    return c;
}

const auto& assertionEvidence() {
    static const auto value = evidence("assertion");
    return value;
}

// The caller's transcript up to "in the call with participant 2 verified".
std::vector<TranscriptStep> callerInCall() {
    return {
        {0, ev::Listen{evidence("handle-assertion")}, "listening", "send:listen"},
        {10, ev::Create{{}, assertionEvidence()}, "creating", "send:create_room timer:join"},
        {20, roomCreated(1, "r1"), "joining", "note:room-created note:evidence-needed timer:join"},
        {30, ev::EvidenceReady{uri("r1"), assertionEvidence()}, "joining", "send:join_room timer:join"},
        {40, roomJoined(2, "r1", 1, {}), "in-call", "note:joined"},
        {50, ev::Invite{"tw-bob"}, "inviting", "send:invite timer:ring"},
        {60, outcome(3, "r1", "inv-1", "tw-bob", "ringing"), "inviting", "note:invite-answered:ringing"},
        {70, outcome(4, "r1", "inv-1", "tw-bob", "accepted"), "inviting", "note:invite-answered:accepted"},
        {80, participantJoined(5, "r1", 2), "verifying", "note:verify-peer:2"},
        {90, ev::PeerVerified{2, true}, "in-call", ""},
    };
}

} // namespace

class CallSetupTest : public QObject {
    Q_OBJECT

private slots:
    void callerHappyPath() {
        CallSetup s(config("tw-alice"));
        auto steps = callerInCall();
        steps.push_back({100, frame(6, "r1", 2), "in-call", "note:frame:2"});
        steps.push_back({110, participantLeft(7, "r1", 2), "in-call", "note:peer-left:2"});
        steps.push_back({120, ev::Leave{}, "left", "send:leave note:call-left"});
        const auto out = play(s, steps);
        QCOMPARE(out.size(), steps.size());
        // What was sent is what the host needs: the room, our evidence, the invited handle.
        QCOMPARE(out[3].send.at(0).join_room().room_id(), std::string("r1"));
        QCOMPARE(out[3].send.at(0).join_room().evidence().assertion(), std::string("assertion"));
        QCOMPARE(out[5].send.at(0).invite().handle(), std::string("tw-bob"));
        QCOMPARE(out[5].send.at(0).seq(), std::uint64_t(4));
        QVERIFY(s.peers().empty());
    }

    void calleeHappyPath() {
        CallSetup s(config("tw-bob"));
        const auto out = play(s, {
            {0, ev::Listen{evidence("handle-assertion")}, "listening", "send:listen"},
            {10, ringing(1, "r1", "inv-1", "tw-alice"), "ringing", "note:incoming-call timer:ring"},
            {20, ev::Accept{}, "joining", "send:answer_invite:accept note:evidence-needed timer:join"},
            {30, ev::EvidenceReady{uri("r1"), assertionEvidence()}, "joining", "send:join_room timer:join"},
            {40, roomJoined(2, "r1", 2, {1}), "verifying", "note:joined note:verify-peer:1"},
            {50, ev::PeerVerified{1, false}, "in-call", ""},
        });
        QCOMPARE(out.size(), std::size_t(6));
        QCOMPARE(out[3].send.at(0).join_room().handle(), std::string("tw-bob"));
        QCOMPARE(out[2].send.at(0).answer_invite().invite_id(), std::string("inv-1"));
        // A peer that did not verify is in the room but flagged, never verified.
        QVERIFY(s.peers().at(1).outcomeKnown);
        QVERIFY(!s.peers().at(1).verified);
    }

    void listeningAnswer() {
        CallSetup s(config("tw-bob"));
        play(s, {
            {0, listening(1, "tw-bob"), "idle", "refused:not-in-this-state"},
            {10, ev::Listen{evidence("h")}, "listening", "send:listen"},
            {20, listening(2, "tw-carol"), "listening", "refused:wrong-recipient"},
            {30, listening(3, "tw-bob"), "listening", "note:listen-confirmed"},
        });
    }

    void declineAndBusy() {
        CallSetup s(config("tw-bob"));
        play(s, {
            {0, ev::Listen{evidence("h")}, "listening", "send:listen"},
            {10, ringing(1, "r1", "inv-1", "tw-alice"), "ringing", "note:incoming-call timer:ring"},
            {20, ev::Decline{}, "listening", "send:answer_invite:decline"},
            {30, ev::Decline{}, "listening", "refused:not-in-this-state"},
        });
        CallSetup busy(config("tw-alice"));
        auto steps = callerInCall();
        steps.push_back({100, ringing(6, "r9", "inv-9", "tw-carol"), "in-call",
                         "send:answer_invite:decline refused:busy"});
        play(busy, steps);
    }

    void outOfOrder() {
        CallSetup s(config("tw-bob"));
        play(s, {
            {0, ev::Join{"r1", uri("r1"), "code-1"}, "joining", "note:evidence-needed timer:join"},
            {5, roomJoined(1, "r1", 2, {}), "joining", "refused:unexpected-room-joined"},
            {10, ev::EvidenceReady{uri("r2"), assertionEvidence()}, "joining", "refused:other-room"},
            {20, ev::EvidenceReady{uri("r1"), assertionEvidence()}, "joining", "send:join_room timer:join"},
            {30, participantJoined(2, "r1", 3), "joining", "refused:participant-before-joined"},
            {40, roomJoined(3, "r1", 2, {1}), "verifying", "note:joined note:verify-peer:1"},
            {50, participantJoined(3, "r1", 4), "verifying", "refused:stale-sequence"},
            {60, outcome(4, "r1", "inv-7", "tw-nobody", "accepted"), "verifying", "refused:unknown-invite"},
            {70, outcome(5, "r2", "inv-7", "tw-nobody", "declined"), "verifying", "refused:unknown-invite"},
            {80, ev::Accept{}, "verifying", "refused:not-in-this-state"},
            {90, roomCreated(6, "r3"), "verifying", "refused:not-in-this-state"},
            {100, participantLeft(7, "r2", 1), "verifying", "refused:other-room"},
            {110, participantLeft(8, "r1", 9), "verifying", "refused:unknown-participant"},
            {120, ev::PeerVerified{9, true}, "verifying", "refused:unknown-participant"},
            {130, frame(9, "r1", 9), "verifying", "refused:unknown-participant"},
            {140, ev::Host{proto::CallMessage{}}, "verifying", "refused:empty-message"},
            {150, ev::PeerVerified{1, true}, "in-call", ""},
        });
        QCOMPARE(s.rejoinToken(), std::string("rt-1"));
        // A client-only message coming from the host is refused too.
        proto::CallMessage leave;
        leave.mutable_leave()->set_room_id("r1");
        const Step st = s.handle(host(10, leave), 160);
        QCOMPARE(st.refusal, Refusal::ClientOnlyMessage);
    }

    void glareLowerHandleWins() {
        // Alice and Bob invite each other at once; both compute the same winner (tw-alice).
        CallSetup alice(config("tw-alice"));
        auto a = callerInCall();
        a.resize(6); // inviting tw-bob
        a.push_back({100, ringing(3, "rb", "inv-b", "tw-bob"), "inviting",
                     "send:answer_invite:decline note:glare:won refused:glare-lost"});
        play(alice, a);

        CallSetup bob(config("tw-bob"));
        play(bob, {
            {0, ev::Create{{}, assertionEvidence()}, "creating", "send:create_room timer:join"},
            {10, roomCreated(1, "rb"), "joining", "note:room-created note:evidence-needed timer:join"},
            {20, ev::EvidenceReady{uri("rb"), assertionEvidence()}, "joining", "send:join_room timer:join"},
            {30, roomJoined(2, "rb", 1, {}), "in-call", "note:joined"},
            {40, ev::Invite{"tw-alice"}, "inviting", "send:invite timer:ring"},
            {100, ringing(3, "r1", "inv-a", "tw-alice"), "joining",
             "send:leave send:answer_invite:accept note:glare:lost note:evidence-needed timer:join"},
            {110, ev::EvidenceReady{uri("r1"), assertionEvidence()}, "joining", "send:join_room timer:join"},
            {120, roomJoined(4, "r1", 2, {1}), "verifying", "note:joined note:verify-peer:1"},
        });
        QCOMPARE(bob.roomId(), std::string("r1"));
    }

    void timeouts() {
        // An incoming ring nobody answers.
        CallSetup callee(config("tw-bob"));
        play(callee, {
            {0, ev::Listen{evidence("h")}, "listening", "send:listen"},
            {1000, ringing(1, "r1", "inv-1", "tw-alice", 20), "ringing", "note:incoming-call timer:ring"},
            {19999, ev::Timer{TimerKind::Ring}, "ringing", "refused:timer-not-due"},
            {20000, ev::Timer{TimerKind::Ring}, "listening", "note:missed-call"},
            {20001, ev::Timer{TimerKind::Ring}, "listening", "refused:timer-not-due"},
            {20002, ev::Accept{}, "listening", "refused:not-in-this-state"},
        });
        // A room the host never creates.
        CallSetup creator(config("tw-alice"));
        play(creator, {
            {0, ev::Create{{}, assertionEvidence()}, "creating", "send:create_room timer:join"},
            {15000, ev::Timer{TimerKind::Join}, "ended", "note:call-ended:join-timeout"},
        });
        QCOMPARE(creator.endReason(), EndReason::JoinTimeout);
        // A join the host never answers: we leave the room we asked for.
        CallSetup joiner(config("tw-bob"));
        play(joiner, {
            {0, ev::Join{"r1", uri("r1"), ""}, "joining", "note:evidence-needed timer:join"},
            {10, ev::EvidenceReady{uri("r1"), assertionEvidence()}, "joining", "send:join_room timer:join"},
            {15009, ev::Timer{TimerKind::Join}, "joining", "refused:timer-not-due"},
            {15010, ev::Timer{TimerKind::Join}, "ended", "send:leave note:call-ended:join-timeout"},
        });
        // An outgoing ring nobody answers.
        CallSetup caller(config("tw-alice"));
        auto steps = callerInCall();
        steps.resize(6); // inviting, ring timer at 50 + 30000
        steps.push_back({30050, ev::Timer{TimerKind::Ring}, "in-call", "note:invite-ended:timeout"});
        play(caller, steps);
    }

    void wrongRecipient() {
        CallSetup s(config("tw-alice"));
        auto steps = callerInCall(); // we are participant 1
        steps.push_back({100, announce(6, "r1", 7), "in-call", "refused:wrong-recipient"});
        steps.push_back({110, keyUpdate(7, "r1", 7), "in-call", "refused:wrong-recipient"});
        steps.push_back({120, keyUpdate(8, "r1", 0), "in-call", "refused:wrong-recipient"});
        steps.push_back({130, announce(9, "r1", 1), "in-call", "note:peer-announced:2"});
        steps.push_back({140, announce(10, "r1", 0), "in-call", "note:peer-announced:2"});
        steps.push_back({150, keyUpdate(11, "r1", 1), "in-call", "note:key-received:2"});
        steps.push_back({160, keyUpdate(12, "r2", 1), "in-call", "refused:other-room"});
        // The host names the sender; one that is not in the room is refused.
        steps.push_back({170, announce(13, "r1", 0, 9), "in-call", "refused:unknown-participant"});
        steps.push_back({180, keyUpdate(14, "r1", 1, 9), "in-call", "refused:unknown-participant"});
        const auto out = play(s, steps);
        QCOMPARE(out.size(), steps.size());
        QCOMPARE(out[15].notes.at(0).epoch, std::uint64_t(3));
        QCOMPARE(out[15].notes.at(0).payload, std::string("wrapped"));
        QCOMPARE(out[15].notes.at(0).participantId, std::uint32_t(2));
    }

    void duplicateJoin() {
        CallSetup s(config("tw-alice"));
        auto steps = callerInCall();
        steps.push_back({100, participantJoined(6, "r1", 2), "in-call", "refused:duplicate-join"});
        steps.push_back({110, participantJoined(7, "r1", 1), "in-call", "refused:duplicate-join"});
        steps.push_back({120, roomJoined(8, "r1", 1, {2}), "in-call", "refused:unexpected-room-joined"});
        steps.push_back({130, participantJoined(9, "r1", 3), "verifying", "note:verify-peer:3"});
        play(s, steps);
        QCOMPARE(s.peers().size(), std::size_t(2));
        QVERIFY(s.peers().at(2).verified); // the duplicate did not reset the outcome
    }

    void reconnectWithinGrace() {
        CallSetup s(config("tw-alice"));
        auto steps = callerInCall();
        steps.push_back({1000, ev::ConnectionLost{}, "reconnecting", "note:reconnecting timer:grace"});
        steps.push_back({1010, frame(6, "r1", 2), "reconnecting", "refused:not-in-this-state"});
        steps.push_back({20999, ev::ConnectionRestored{}, "reconnecting", "note:evidence-needed"});
        steps.push_back({20999, ev::EvidenceReady{uri("r1"), assertionEvidence()}, "joining", "send:join_room:rejoin timer:join"});
        steps.push_back({21000, ev::Timer{TimerKind::Grace}, "joining", "refused:timer-not-due"});
        // Peer 2 is still there with the same evidence: its outcome stands; 3 is new.
        steps.push_back({21010, roomJoined(1, "r1", 1, {2, 3}, "rt-2"), "verifying", "note:joined note:verify-peer:3"});
        const auto out = play(s, steps);
        QCOMPARE(out.size(), steps.size());
        QCOMPARE(out[13].send.at(0).join_room().rejoin_token(), std::string("rt-1"));
        QCOMPARE(s.rejoinToken(), std::string("rt-2"));
    }

    void reconnectAfterGrace() {
        CallSetup expired(config("tw-alice"));
        auto steps = callerInCall();
        steps.push_back({1000, ev::ConnectionLost{}, "reconnecting", "note:reconnecting timer:grace"});
        steps.push_back({21000, ev::Timer{TimerKind::Grace}, "ended", "note:call-ended:grace-expired"});
        steps.push_back({21010, ev::ConnectionRestored{}, "ended", "refused:not-in-this-state"});
        play(expired, steps);
        QCOMPARE(expired.endReason(), EndReason::GraceExpired);

        // The connection comes back after the grace period, before its timer was delivered.
        CallSetup late(config("tw-alice"));
        steps = callerInCall();
        steps.push_back({1000, ev::ConnectionLost{}, "reconnecting", "note:reconnecting timer:grace"});
        steps.push_back({21000, ev::ConnectionRestored{}, "ended",
                         "note:call-ended:grace-expired refused:grace-expired"});
        play(late, steps);
        QVERIFY(late.rejoinToken().empty());
    }

    void hostRefusesTheJoin() {
        CallSetup s(config("tw-bob"));
        play(s, {
            {0, ev::Join{"r1", uri("r1"), "wrong"}, "joining", "note:evidence-needed timer:join"},
            {10, ev::EvidenceReady{uri("r1"), assertionEvidence()}, "joining", "send:join_room timer:join"},
            {20, error(1, "room-code-wrong"), "ended", "note:host-error note:call-ended:host-refused"},
            {30, ev::Create{{}, proto::Evidence{}}, "ended", "refused:missing-evidence"},
        });
    }
};

} // namespace twinseal::test::calls

using twinseal::test::calls::CallSetupTest;
TWINSEAL_TEST(CallSetupTest, "setup")
#include "test_setup.moc"
