// The names of the call set-up's states, refusals, timers and notes, and Step::describe: the
// words of transcripts, logs and the UI's reason codes.
#include "twinseal/calls/call_setup.h"

#include "call_setup_text.h"

#include <sstream>

namespace twinseal::calls {

std::string_view callStateName(CallState s) noexcept {
    switch (s) {
    case CallState::Idle: return "idle";
    case CallState::Listening: return "listening";
    case CallState::Creating: return "creating";
    case CallState::Joining: return "joining";
    case CallState::Verifying: return "verifying";
    case CallState::Inviting: return "inviting";
    case CallState::Ringing: return "ringing";
    case CallState::InCall: return "in-call";
    case CallState::Reconnecting: return "reconnecting";
    case CallState::Left: return "left";
    case CallState::Ended: return "ended";
    }
    return "unknown";
}

std::string_view refusalName(Refusal r) noexcept {
    switch (r) {
    case Refusal::None: return "none";
    case Refusal::NotInThisState: return "not-in-this-state";
    case Refusal::EmptyMessage: return "empty-message";
    case Refusal::StaleSequence: return "stale-sequence";
    case Refusal::OtherRoom: return "other-room";
    case Refusal::ParticipantBeforeJoined: return "participant-before-joined";
    case Refusal::UnexpectedRoomJoined: return "unexpected-room-joined";
    case Refusal::DuplicateJoin: return "duplicate-join";
    case Refusal::UnknownParticipant: return "unknown-participant";
    case Refusal::UnknownInvite: return "unknown-invite";
    case Refusal::WrongRecipient: return "wrong-recipient";
    case Refusal::Busy: return "busy";
    case Refusal::GlareLost: return "glare-lost";
    case Refusal::TimerNotDue: return "timer-not-due";
    case Refusal::GraceExpired: return "grace-expired";
    case Refusal::MissingEvidence: return "missing-evidence";
    case Refusal::ClientOnlyMessage: return "client-only-message";
    }
    return "unknown";
}

std::string_view timerName(TimerKind t) noexcept {
    switch (t) {
    case TimerKind::Ring: return "ring";
    case TimerKind::Join: return "join";
    case TimerKind::Grace: return "grace";
    }
    return "unknown";
}

std::string_view endReasonName(EndReason r) noexcept {
    switch (r) {
    case EndReason::None: return "none";
    case EndReason::JoinTimeout: return "join-timeout";
    case EndReason::HostRefused: return "host-refused";
    case EndReason::GraceExpired: return "grace-expired";
    case EndReason::ConnectionLost: return "connection-lost";
    }
    return "unknown";
}

std::string_view noteName(NoteKind k) noexcept {
    switch (k) {
    case NoteKind::RoomCreated: return "room-created";
    case NoteKind::EvidenceNeeded: return "evidence-needed";
    case NoteKind::Joined: return "joined";
    case NoteKind::VerifyPeer: return "verify-peer";
    case NoteKind::PeerAnnounced: return "peer-announced";
    case NoteKind::PeerLeft: return "peer-left";
    case NoteKind::IncomingCall: return "incoming-call";
    case NoteKind::MissedCall: return "missed-call";
    case NoteKind::InviteAnswered: return "invite-answered";
    case NoteKind::InviteEnded: return "invite-ended";
    case NoteKind::Glare: return "glare";
    case NoteKind::KeyReceived: return "key-received";
    case NoteKind::ListenConfirmed: return "listen-confirmed";
    case NoteKind::Frame: return "frame";
    case NoteKind::RecheckRevocation: return "recheck-revocation";
    case NoteKind::HostError: return "host-error";
    case NoteKind::CallEnded: return "call-ended";
    case NoteKind::CallLeft: return "call-left";
    case NoteKind::Reconnecting: return "reconnecting";
    }
    return "unknown";
}

std::string bodyName(const proto::CallMessage& m) {
    if (m.body_case() == proto::CallMessage::BODY_NOT_SET)
        return "empty";
    const auto* field = proto::CallMessage::descriptor()->FindFieldByNumber(m.body_case());
    return field ? field->name() : "unknown";
}

std::string Step::describe() const {
    std::ostringstream o;
    const char* sep = "";
    for (const auto& m : send) {
        o << sep << "send:" << bodyName(m);
        if (m.has_answer_invite())
            o << (m.answer_invite().accept() ? ":accept" : ":decline");
        if (m.has_join_room() && !m.join_room().rejoin_token().empty())
            o << ":rejoin";
        sep = " ";
    }
    for (const auto& n : notes) {
        o << sep << "note:" << noteName(n.kind);
        if (n.kind == NoteKind::VerifyPeer || n.kind == NoteKind::PeerLeft || n.kind == NoteKind::Frame ||
            n.kind == NoteKind::RecheckRevocation || n.kind == NoteKind::PeerAnnounced ||
            n.kind == NoteKind::KeyReceived)
            o << ':' << n.participantId;
        else if (n.kind == NoteKind::InviteEnded || n.kind == NoteKind::Glare ||
                 n.kind == NoteKind::CallEnded || n.kind == NoteKind::InviteAnswered)
            o << ':' << n.detail;
        sep = " ";
    }
    for (const auto& t : timers) {
        o << sep << "timer:" << timerName(t.kind);
        sep = " ";
    }
    if (refusal != Refusal::None)
        o << sep << "refused:" << refusalName(refusal);
    return o.str();
}

} // namespace twinseal::calls
