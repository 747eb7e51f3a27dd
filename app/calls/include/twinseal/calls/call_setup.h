// CallSetup: the set-up of one call as an explicit, pure state machine (DESIGN.md §4). No
// sockets and no timers of its own: every input (a user action, a message from the room host,
// a timer the driver armed, the connection going or coming back) arrives as an event with the
// time it happened, and every step returns what to do: messages to send, notifications for the
// UI, timers to arm, or why the input was ignored (each refusal has its own reason code).
//
// States:
//   Idle         not in a call, not reachable
//   Listening    not in a call, invitations to our handle ring here
//   Creating     CreateRoom sent, waiting for RoomInfo
//   Joining      waiting for evidence for the room URI, or JoinRoom sent, waiting for RoomJoined
//   Verifying    in the room, some peers' evidence not yet verified
//   Inviting     in the room alone, our invitations ringing (outgoing ring)
//   Ringing      an invitation rings here (incoming)
//   InCall       in the room, every peer's evidence has an outcome
//   Reconnecting the connection dropped; rejoin with the rejoin token within the grace period
//   Left         we left the call
//   Ended        the call ended without us leaving it (refused, timed out, grace expired)
// Left and Ended behave like Idle/Listening for the next call.
//
// Glare: two sides inviting each other at once (we are Inviting handle H and H's invitation
// rings here): the invitation from the lower handle (byte order) wins on both sides. The winner
// declines the loser's invitation; the loser leaves its own room and accepts the winner's.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <twinseal/proto/call.pb.h>

namespace twinseal::calls {

enum class CallState { Idle, Listening, Creating, Joining, Verifying, Inviting, Ringing, InCall,
                       Reconnecting, Left, Ended };
[[nodiscard]] std::string_view callStateName(CallState s) noexcept; // "in-call"

// Why an input was ignored or refused; every one has its own code.
enum class Refusal {
    None,
    NotInThisState,          // the input means nothing in the current state
    EmptyMessage,            // a CallMessage without a body
    StaleSequence,           // a host message whose seq is not after the last one seen
    OtherRoom,               // a message about a room we are not in
    ParticipantBeforeJoined, // ParticipantJoined/Left before our RoomJoined
    UnexpectedRoomJoined,    // RoomJoined we did not ask for (or for another room)
    DuplicateJoin,           // ParticipantJoined for a participant already present (or us)
    UnknownParticipant,      // ParticipantLeft/verification outcome for someone not present
    UnknownInvite,           // InviteOutcome or an answer for an invitation we do not know
    WrongRecipient,          // Announce/KeyUpdate addressed to another participant
    Busy,                    // an invitation while in a call: declined
    GlareLost,               // their invitation lost the glare tie-break: declined
    TimerNotDue,             // a timer event before its deadline, or for no pending deadline
    GraceExpired,            // the connection came back after the grace period
    MissingEvidence,         // a join/create/listen without evidence
    ClientOnlyMessage,       // the host sent a message only clients send
};
[[nodiscard]] std::string_view refusalName(Refusal r) noexcept; // "wrong-recipient"

enum class TimerKind { Ring, Join, Grace };
[[nodiscard]] std::string_view timerName(TimerKind t) noexcept;

// Why the call ended (state Ended).
enum class EndReason { None, JoinTimeout, HostRefused, GraceExpired, ConnectionLost };
[[nodiscard]] std::string_view endReasonName(EndReason r) noexcept;

struct Config {
    std::string ownHandle;               // our transfer handle (glare tie-break, Listen)
    std::int64_t ringTimeoutMs = 30000;  // an outgoing ring without an answer; an incoming one
                                         // without expires_at
    std::int64_t joinTimeoutMs = 15000;  // CreateRoom/JoinRoom without an answer
    std::int64_t graceMs = 20000;        // a dropped connection may rejoin within this
};

// ---- inputs ----------------------------------------------------------------------------------

namespace ev {
struct Listen { proto::Evidence evidence; };                  // dest urn:twinseal:handle:<own>
struct Create { proto::RoomPolicy policy; proto::Evidence evidence; }; // dest room-host URN
struct Join { std::string roomId; std::string roomUri; std::string roomCode; }; // evidence asked next
struct EvidenceReady { std::string roomUri; proto::Evidence evidence; }; // for the join asked
struct Invite { std::string handle; };
struct Accept {};                                            // the ringing invitation
struct Decline {};
struct Leave {};
struct PeerVerified { std::uint32_t participantId = 0; bool verified = false; };
struct Timer { TimerKind kind; };
struct ConnectionLost {};
struct ConnectionRestored {};                                // evidence for the rejoin is asked
struct Host { proto::CallMessage message; };
} // namespace ev

using Event = std::variant<ev::Listen, ev::Create, ev::Join, ev::EvidenceReady, ev::Invite,
                           ev::Accept, ev::Decline, ev::Leave, ev::PeerVerified, ev::Timer,
                           ev::ConnectionLost, ev::ConnectionRestored, ev::Host>;

// ---- outputs ---------------------------------------------------------------------------------

enum class NoteKind {
    RoomCreated,      // roomId, roomUri, detail = room code (if any)
    EvidenceNeeded,   // roomUri: build fresh evidence for it and send EvidenceReady
    Joined,           // roomId, participantId = ours
    VerifyPeer,       // participantId, evidence: verify it, then send PeerVerified
    PeerAnnounced,    // participantId = sender, evidence: re-verify it
    PeerLeft,         // participantId, detail = the host's reason
    IncomingCall,     // handle = from, roomId, roomUri, detail = invite id
    MissedCall,       // handle, roomId
    InviteAnswered,   // handle, detail = outcome ("ringing", "accepted", "declined", ...)
    InviteEnded,      // handle, detail = "declined", "timeout", "offline"
    Glare,            // handle = the other side, detail = "won" or "lost"
    KeyReceived,      // participantId = sender, epoch, payload = the wrapped key
    Frame,            // participantId = sender, payload = the SFrame bytes
    RecheckRevocation,// participantId
    HostError,        // detail = code: message
    CallEnded,        // detail = endReasonName
    CallLeft,
    Reconnecting,     // a dropped connection: rejoin within the grace period
    ListenConfirmed,  // handle: the host rings invitations to it on this connection
};
[[nodiscard]] std::string_view noteName(NoteKind k) noexcept; // "verify-peer"

struct Note {
    explicit Note(NoteKind k) : kind(k) {}
    NoteKind kind;
    std::string roomId;
    std::string roomUri;
    std::uint32_t participantId = 0;
    std::string handle;
    std::string detail;
    std::uint64_t epoch = 0;
    std::string payload;
    proto::Evidence evidence;
};

struct TimerRequest {
    TimerKind kind;
    std::int64_t deadlineMs;
};

struct Step {
    std::vector<proto::CallMessage> send; // in order, seq numbered
    std::vector<Note> notes;
    std::vector<TimerRequest> timers;     // to arm (a later one replaces an earlier one of a kind)
    Refusal refusal = Refusal::None;
    std::string refusalDetail;            // what was refused, for the activity log

    // "send:join_room note:verify-peer:2 timer:join refused:wrong-recipient", for transcripts.
    [[nodiscard]] std::string describe() const;
};

// What a peer in the room is, as far as the set-up knows.
struct PeerEntry {
    proto::Participant participant;
    bool verified = false;       // the verifier's outcome was Verified
    bool outcomeKnown = false;   // the verifier gave an outcome (Verified or not)
};

class CallSetup {
public:
    explicit CallSetup(Config config);

    // Feeds one event that happened at `nowMs`; returns what to do.
    [[nodiscard]] Step handle(const Event& event, std::int64_t nowMs);

    [[nodiscard]] CallState state() const noexcept { return m_state; }
    [[nodiscard]] EndReason endReason() const noexcept { return m_endReason; }
    [[nodiscard]] const std::string& roomId() const noexcept { return m_roomId; }
    [[nodiscard]] const std::string& roomUri() const noexcept { return m_roomUri; }
    // The room's policy as the host announced it when we joined (protection, re-key interval).
    [[nodiscard]] const proto::RoomPolicy& policy() const noexcept { return m_policy; }
    [[nodiscard]] std::uint32_t participantId() const noexcept { return m_self; }
    [[nodiscard]] const std::string& rejoinToken() const noexcept { return m_rejoinToken; }
    [[nodiscard]] const std::map<std::uint32_t, PeerEntry>& peers() const noexcept { return m_peers; }
    [[nodiscard]] std::optional<std::int64_t> deadline(TimerKind kind) const;
    [[nodiscard]] const Config& config() const noexcept { return m_config; }

private:
    struct OutgoingInvite {
        std::string inviteId; // empty until the host said "ringing"
        bool accepted = false;
    };
    struct IncomingInvite {
        std::string roomId;
        std::string roomUri;
        std::string inviteId;
        std::string fromHandle;
    };

    void onUser(const Event& event, std::int64_t now, Step& out);
    void onHost(const proto::CallMessage& msg, std::int64_t now, Step& out);
    void onTimer(TimerKind kind, std::int64_t now, Step& out);

    void onRoomCreated(const proto::RoomInfo& info, std::int64_t now, Step& out);
    void onRoomJoined(const proto::RoomJoined& joined, std::int64_t now, Step& out);
    void onParticipantJoined(const proto::ParticipantJoined& m, Step& out);
    void onParticipantLeft(const proto::ParticipantLeft& m, Step& out);
    void onRinging(const proto::Ringing& m, std::int64_t now, Step& out);
    void onInviteOutcome(const proto::InviteOutcome& m, Step& out);
    void onError(const proto::CallError& m, std::int64_t now, Step& out);

    [[nodiscard]] bool inRoom() const noexcept;
    [[nodiscard]] bool atHome() const noexcept;
    [[nodiscard]] bool sameRoom(const std::string& roomId, Step& out) const;
    void send(Step& out, proto::CallMessage msg);
    void arm(Step& out, TimerKind kind, std::int64_t deadline);
    void disarm(TimerKind kind) { m_deadlines.erase(kind); }
    void refuse(Step& out, Refusal r, std::string detail) const;
    void askEvidence(Step& out, std::int64_t now);
    void settle();                 // Verifying/Inviting/InCall from the room's facts
    void endCall(Step& out, EndReason reason);
    void leaveRoom(Step& out);     // forgets the room (and pending invitations)
    [[nodiscard]] CallState homeState() const noexcept {
        return m_listening ? CallState::Listening : CallState::Idle;
    }

    Config m_config;
    CallState m_state = CallState::Idle;
    EndReason m_endReason = EndReason::None;
    bool m_listening = false;
    std::uint64_t m_sendSeq = 0;
    std::uint64_t m_hostSeq = 0;
    std::map<TimerKind, std::int64_t> m_deadlines;

    // The room (from Creating/Joining on).
    std::string m_roomId;
    std::string m_roomUri;
    proto::RoomPolicy m_policy;
    std::string m_roomCode;
    bool m_awaitingEvidence = false;
    bool m_rejoining = false;
    std::string m_joinHandle;          // the invited handle we join as (accepted invitation)
    std::uint32_t m_self = 0;
    std::string m_rejoinToken;
    std::map<std::uint32_t, PeerEntry> m_peers;
    std::map<std::string, OutgoingInvite> m_invites; // by handle

    std::optional<IncomingInvite> m_ringing;
};

} // namespace twinseal::calls
