#include "twinseal/calls/call_setup.h"

#include "call_setup_text.h"

#include <type_traits>

namespace twinseal::calls {

CallSetup::CallSetup(Config config) : m_config(std::move(config)) {}

std::optional<std::int64_t> CallSetup::deadline(TimerKind kind) const {
    const auto it = m_deadlines.find(kind);
    if (it == m_deadlines.end())
        return std::nullopt;
    return it->second;
}

bool CallSetup::inRoom() const noexcept {
    return m_state == CallState::Verifying || m_state == CallState::Inviting ||
           m_state == CallState::InCall;
}

bool CallSetup::atHome() const noexcept {
    return m_state == CallState::Idle || m_state == CallState::Listening ||
           m_state == CallState::Left || m_state == CallState::Ended;
}

void CallSetup::send(Step& out, proto::CallMessage msg) {
    msg.set_seq(++m_sendSeq);
    out.send.push_back(std::move(msg));
}

void CallSetup::arm(Step& out, TimerKind kind, std::int64_t deadline) {
    m_deadlines[kind] = deadline;
    out.timers.push_back({kind, deadline});
}

void CallSetup::refuse(Step& out, Refusal r, std::string detail) const {
    out.refusal = r;
    out.refusalDetail = std::move(detail);
}

bool CallSetup::sameRoom(const std::string& roomId, Step& out) const {
    if (!m_roomId.empty() && roomId == m_roomId)
        return true;
    refuse(out, Refusal::OtherRoom, "a message about room '" + roomId + "', not ours ('" + m_roomId + "')");
    return false;
}

void CallSetup::askEvidence(Step& out, std::int64_t now) {
    m_state = CallState::Joining;
    m_awaitingEvidence = true;
    Note n{NoteKind::EvidenceNeeded};
    n.roomId = m_roomId;
    n.roomUri = m_roomUri;
    out.notes.push_back(std::move(n));
    arm(out, TimerKind::Join, now + m_config.joinTimeoutMs);
}

void CallSetup::leaveRoom(Step&) {
    m_roomId.clear();
    m_roomUri.clear();
    m_roomCode.clear();
    m_awaitingEvidence = false;
    m_rejoining = false;
    m_joinHandle.clear();
    m_self = 0;
    m_rejoinToken.clear();
    m_peers.clear();
    m_invites.clear();
    m_deadlines.clear();
}

void CallSetup::endCall(Step& out, EndReason reason) {
    leaveRoom(out);
    m_state = CallState::Ended;
    m_endReason = reason;
    Note n{NoteKind::CallEnded};
    n.detail = std::string(endReasonName(reason));
    out.notes.push_back(std::move(n));
}

void CallSetup::settle() {
    if (!inRoom())
        return;
    bool pending = false;
    for (const auto& [id, peer] : m_peers)
        pending = pending || !peer.outcomeKnown;
    if (pending)
        m_state = CallState::Verifying;
    else if (m_peers.empty() && !m_invites.empty())
        m_state = CallState::Inviting;
    else
        m_state = CallState::InCall;
}

Step CallSetup::handle(const Event& event, std::int64_t now) {
    Step out;
    if (const auto* host = std::get_if<ev::Host>(&event))
        onHost(host->message, now, out);
    else if (const auto* timer = std::get_if<ev::Timer>(&event))
        onTimer(timer->kind, now, out);
    else
        onUser(event, now, out);
    return out;
}

void CallSetup::onUser(const Event& event, std::int64_t now, Step& out) {
    std::visit(
        [&](const auto& e) {
            using E = std::decay_t<decltype(e)>;
            if constexpr (std::is_same_v<E, ev::Listen>) {
                if (!atHome() && m_state != CallState::Ringing)
                    return refuse(out, Refusal::NotInThisState, "listen while in a call");
                if (e.evidence.assertion().empty())
                    return refuse(out, Refusal::MissingEvidence, "listen needs a fresh assertion for the handle");
                proto::CallMessage m;
                m.mutable_listen()->set_handle(m_config.ownHandle);
                *m.mutable_listen()->mutable_evidence() = e.evidence;
                send(out, std::move(m));
                m_listening = true;
                if (atHome())
                    m_state = CallState::Listening;
            } else if constexpr (std::is_same_v<E, ev::Create>) {
                if (!atHome())
                    return refuse(out, Refusal::NotInThisState, "create while in a call");
                if (e.evidence.assertion().empty())
                    return refuse(out, Refusal::MissingEvidence, "create needs a fresh assertion for the room host");
                leaveRoom(out);
                m_endReason = EndReason::None;
                proto::CallMessage m;
                *m.mutable_create_room()->mutable_policy() = e.policy;
                *m.mutable_create_room()->mutable_creator() = e.evidence;
                send(out, std::move(m));
                m_state = CallState::Creating;
                arm(out, TimerKind::Join, now + m_config.joinTimeoutMs);
            } else if constexpr (std::is_same_v<E, ev::Join>) {
                if (!atHome())
                    return refuse(out, Refusal::NotInThisState, "join while in a call");
                leaveRoom(out);
                m_endReason = EndReason::None;
                m_roomId = e.roomId;
                m_roomUri = e.roomUri;
                m_roomCode = e.roomCode;
                askEvidence(out, now);
            } else if constexpr (std::is_same_v<E, ev::EvidenceReady>) {
                if (!((m_state == CallState::Joining && m_awaitingEvidence) ||
                      (m_state == CallState::Reconnecting && m_awaitingEvidence)))
                    return refuse(out, Refusal::NotInThisState, "evidence nobody asked for");
                if (e.roomUri != m_roomUri)
                    return refuse(out, Refusal::OtherRoom, "evidence for '" + e.roomUri + "', not for '" + m_roomUri + "'");
                if (e.evidence.assertion().empty())
                    return refuse(out, Refusal::MissingEvidence, "the join needs a fresh assertion for the room");
                if (m_state == CallState::Reconnecting) {
                    const auto grace = deadline(TimerKind::Grace);
                    if (grace && now >= *grace) {
                        refuse(out, Refusal::GraceExpired, "the rejoin came after the grace period");
                        return endCall(out, EndReason::GraceExpired);
                    }
                    disarm(TimerKind::Grace);
                }
                proto::CallMessage m;
                auto* join = m.mutable_join_room();
                join->set_room_id(m_roomId);
                join->set_room_code(m_roomCode);
                join->set_handle(m_joinHandle);
                *join->mutable_evidence() = e.evidence;
                if (m_rejoining)
                    join->set_rejoin_token(m_rejoinToken);
                send(out, std::move(m));
                m_awaitingEvidence = false;
                m_state = CallState::Joining;
                arm(out, TimerKind::Join, now + m_config.joinTimeoutMs);
            } else if constexpr (std::is_same_v<E, ev::Invite>) {
                if (!inRoom())
                    return refuse(out, Refusal::NotInThisState, "invite outside a room");
                proto::CallMessage m;
                m.mutable_invite()->set_room_id(m_roomId);
                m.mutable_invite()->set_handle(e.handle);
                send(out, std::move(m));
                m_invites[e.handle] = OutgoingInvite{};
                arm(out, TimerKind::Ring, now + m_config.ringTimeoutMs);
                settle();
            } else if constexpr (std::is_same_v<E, ev::Accept>) {
                if (m_state != CallState::Ringing || !m_ringing)
                    return refuse(out, Refusal::NotInThisState, "nothing is ringing");
                const IncomingInvite inv = *m_ringing;
                m_ringing.reset();
                disarm(TimerKind::Ring);
                proto::CallMessage m;
                m.mutable_answer_invite()->set_room_id(inv.roomId);
                m.mutable_answer_invite()->set_invite_id(inv.inviteId);
                m.mutable_answer_invite()->set_accept(true);
                send(out, std::move(m));
                leaveRoom(out);
                m_roomId = inv.roomId;
                m_roomUri = inv.roomUri;
                m_joinHandle = m_config.ownHandle;
                askEvidence(out, now);
            } else if constexpr (std::is_same_v<E, ev::Decline>) {
                if (m_state != CallState::Ringing || !m_ringing)
                    return refuse(out, Refusal::NotInThisState, "nothing is ringing");
                proto::CallMessage m;
                m.mutable_answer_invite()->set_room_id(m_ringing->roomId);
                m.mutable_answer_invite()->set_invite_id(m_ringing->inviteId);
                m.mutable_answer_invite()->set_accept(false);
                send(out, std::move(m));
                m_ringing.reset();
                disarm(TimerKind::Ring);
                m_state = homeState();
            } else if constexpr (std::is_same_v<E, ev::Leave>) {
                const bool connected = inRoom() || m_state == CallState::Joining || m_state == CallState::Creating;
                if (!connected && m_state != CallState::Reconnecting)
                    return refuse(out, Refusal::NotInThisState, "leave outside a call");
                if (!m_roomId.empty() && m_state != CallState::Reconnecting) {
                    proto::CallMessage m;
                    m.mutable_leave()->set_room_id(m_roomId);
                    send(out, std::move(m));
                }
                leaveRoom(out);
                m_state = CallState::Left;
                out.notes.push_back(Note{NoteKind::CallLeft});
            } else if constexpr (std::is_same_v<E, ev::PeerVerified>) {
                if (!inRoom())
                    return refuse(out, Refusal::NotInThisState, "a verification outcome outside a room");
                auto it = m_peers.find(e.participantId);
                if (it == m_peers.end())
                    return refuse(out, Refusal::UnknownParticipant,
                                  "an outcome for participant " + std::to_string(e.participantId) + ", who is not here");
                it->second.outcomeKnown = true;
                it->second.verified = e.verified;
                settle();
            } else if constexpr (std::is_same_v<E, ev::ConnectionLost>) {
                m_hostSeq = 0; // the next connection numbers its messages afresh
                if (inRoom() || (m_state == CallState::Joining && m_rejoining)) {
                    m_state = CallState::Reconnecting;
                    m_awaitingEvidence = false;
                    m_rejoining = true;
                    disarm(TimerKind::Join);
                    disarm(TimerKind::Ring);
                    arm(out, TimerKind::Grace, now + m_config.graceMs);
                    out.notes.push_back(Note{NoteKind::Reconnecting});
                } else if (m_state == CallState::Creating || m_state == CallState::Joining) {
                    endCall(out, EndReason::ConnectionLost);
                } else {
                    // Not in a call: nothing to rejoin; a listener listens again on reconnect.
                    if (m_state == CallState::Ringing) {
                        m_ringing.reset();
                        disarm(TimerKind::Ring);
                    }
                    m_listening = false;
                    if (m_state == CallState::Ringing || m_state == CallState::Listening)
                        m_state = CallState::Idle;
                }
            } else if constexpr (std::is_same_v<E, ev::ConnectionRestored>) {
                if (m_state != CallState::Reconnecting)
                    return refuse(out, Refusal::NotInThisState, "no call to rejoin");
                const auto grace = deadline(TimerKind::Grace);
                if (grace && now >= *grace) {
                    refuse(out, Refusal::GraceExpired, "the connection came back after the grace period");
                    return endCall(out, EndReason::GraceExpired);
                }
                m_awaitingEvidence = true;
                Note n{NoteKind::EvidenceNeeded};
                n.roomId = m_roomId;
                n.roomUri = m_roomUri;
                out.notes.push_back(std::move(n));
            }
        },
        event);
}

void CallSetup::onTimer(TimerKind kind, std::int64_t now, Step& out) {
    const auto due = deadline(kind);
    if (!due || now < *due)
        return refuse(out, Refusal::TimerNotDue,
                      std::string(timerName(kind)) + " timer fired with no deadline due");
    disarm(kind);
    switch (kind) {
    case TimerKind::Ring:
        if (m_state == CallState::Ringing && m_ringing) {
            Note n{NoteKind::MissedCall};
            n.handle = m_ringing->fromHandle;
            n.roomId = m_ringing->roomId;
            out.notes.push_back(std::move(n));
            m_ringing.reset();
            m_state = homeState();
        } else if (inRoom()) {
            // Invitations the host has not answered for: given up here.
            for (auto it = m_invites.begin(); it != m_invites.end();) {
                if (it->second.accepted) {
                    ++it;
                    continue;
                }
                Note n{NoteKind::InviteEnded};
                n.handle = it->first;
                n.detail = "timeout";
                out.notes.push_back(std::move(n));
                it = m_invites.erase(it);
            }
            settle();
        }
        break;
    case TimerKind::Join:
        if (m_state == CallState::Creating || m_state == CallState::Joining) {
            if (!m_roomId.empty() && !m_awaitingEvidence) {
                proto::CallMessage m;
                m.mutable_leave()->set_room_id(m_roomId);
                send(out, std::move(m));
            }
            endCall(out, EndReason::JoinTimeout);
        }
        break;
    case TimerKind::Grace:
        if (m_state == CallState::Reconnecting)
            endCall(out, EndReason::GraceExpired);
        break;
    }
}

void CallSetup::onHost(const proto::CallMessage& msg, std::int64_t now, Step& out) {
    if (msg.body_case() == proto::CallMessage::BODY_NOT_SET)
        return refuse(out, Refusal::EmptyMessage, "a message from the host without a body");
    if (m_state == CallState::Reconnecting)
        return refuse(out, Refusal::NotInThisState, "a host message while the connection is down");
    if (msg.seq() != 0) {
        if (msg.seq() <= m_hostSeq)
            return refuse(out, Refusal::StaleSequence,
                          "host message " + std::to_string(msg.seq()) + " after " + std::to_string(m_hostSeq));
        m_hostSeq = msg.seq();
    }
    switch (msg.body_case()) {
    case proto::CallMessage::kRoomCreated:
        return onRoomCreated(msg.room_created(), now, out);
    case proto::CallMessage::kRoomJoined:
        return onRoomJoined(msg.room_joined(), now, out);
    case proto::CallMessage::kParticipantJoined:
        return onParticipantJoined(msg.participant_joined(), out);
    case proto::CallMessage::kParticipantLeft:
        return onParticipantLeft(msg.participant_left(), out);
    case proto::CallMessage::kRinging:
        return onRinging(msg.ringing(), now, out);
    case proto::CallMessage::kInviteOutcome:
        return onInviteOutcome(msg.invite_outcome(), out);
    case proto::CallMessage::kError:
        return onError(msg.error(), now, out);
    case proto::CallMessage::kAnnounce: {
        const auto& a = msg.announce();
        if (!inRoom())
            return refuse(out, Refusal::NotInThisState, "an announcement outside a room");
        if (!sameRoom(a.room_id(), out))
            return;
        if (a.to() != 0 && a.to() != m_self)
            return refuse(out, Refusal::WrongRecipient,
                          "an announcement for participant " + std::to_string(a.to()) + ", we are " + std::to_string(m_self));
        if (!m_peers.count(a.from()))
            return refuse(out, Refusal::UnknownParticipant,
                          "an announcement from participant " + std::to_string(a.from()) + ", who is not here");
        Note n{NoteKind::PeerAnnounced};
        n.roomId = m_roomId;
        n.participantId = a.from();
        n.evidence = a.evidence();
        out.notes.push_back(std::move(n));
        return;
    }
    case proto::CallMessage::kListening: {
        // The host's answer to Listen: invitations to our handle now ring on this connection.
        if (!m_listening)
            return refuse(out, Refusal::NotInThisState, "a listening answer without a listen");
        if (msg.listening().handle() != m_config.ownHandle)
            return refuse(out, Refusal::WrongRecipient,
                          "a listening answer for " + msg.listening().handle() + ", we are " + m_config.ownHandle);
        Note n{NoteKind::ListenConfirmed};
        n.handle = msg.listening().handle();
        out.notes.push_back(std::move(n));
        return;
    }
    case proto::CallMessage::kKeyUpdate: {
        const auto& k = msg.key_update();
        if (!inRoom())
            return refuse(out, Refusal::NotInThisState, "a key update outside a room");
        if (!sameRoom(k.room_id(), out))
            return;
        if (k.to() != m_self)
            return refuse(out, Refusal::WrongRecipient,
                          "a key for participant " + std::to_string(k.to()) + ", we are " + std::to_string(m_self));
        if (!m_peers.count(k.from()))
            return refuse(out, Refusal::UnknownParticipant,
                          "a key from participant " + std::to_string(k.from()) + ", who is not here");
        Note n{NoteKind::KeyReceived};
        n.roomId = m_roomId;
        n.participantId = k.from();
        n.epoch = k.epoch();
        n.payload = k.wrapped_key();
        out.notes.push_back(std::move(n));
        return;
    }
    case proto::CallMessage::kFrame: {
        const auto& f = msg.frame();
        if (!inRoom())
            return refuse(out, Refusal::NotInThisState, "a frame outside a room");
        if (!sameRoom(f.room_id(), out))
            return;
        if (!m_peers.count(f.from()))
            return refuse(out, Refusal::UnknownParticipant,
                          "a frame from participant " + std::to_string(f.from()) + ", who is not here");
        Note n{NoteKind::Frame};
        n.participantId = f.from();
        n.payload = f.sframe();
        out.notes.push_back(std::move(n));
        return;
    }
    case proto::CallMessage::kRevocation: {
        const auto& r = msg.revocation();
        if (!inRoom())
            return refuse(out, Refusal::NotInThisState, "a revocation notice outside a room");
        if (!sameRoom(r.room_id(), out))
            return;
        if (!m_peers.count(r.participant_id()))
            return refuse(out, Refusal::UnknownParticipant,
                          "a revocation notice for participant " + std::to_string(r.participant_id()) + ", who is not here");
        Note n{NoteKind::RecheckRevocation};
        n.participantId = r.participant_id();
        out.notes.push_back(std::move(n));
        return;
    }
    default:
        return refuse(out, Refusal::ClientOnlyMessage, "the host sent a '" + bodyName(msg) + "' message");
    }
}

void CallSetup::onRoomCreated(const proto::RoomInfo& info, std::int64_t now, Step& out) {
    if (m_state != CallState::Creating)
        return refuse(out, Refusal::NotInThisState, "a room we did not ask for: " + info.room_id());
    m_roomId = info.room_id();
    m_roomUri = info.room_uri();
    m_roomCode = info.room_code();
    Note n{NoteKind::RoomCreated};
    n.roomId = m_roomId;
    n.roomUri = m_roomUri;
    n.detail = info.room_code();
    out.notes.push_back(std::move(n));
    askEvidence(out, now);
}

void CallSetup::onRoomJoined(const proto::RoomJoined& joined, std::int64_t, Step& out) {
    if (m_state != CallState::Joining || m_awaitingEvidence)
        return refuse(out, Refusal::UnexpectedRoomJoined,
                      "joined room '" + joined.room().room_id() + "' without asking");
    if (joined.room().room_id() != m_roomId)
        return refuse(out, Refusal::UnexpectedRoomJoined,
                      "joined room '" + joined.room().room_id() + "', asked for '" + m_roomId + "'");
    disarm(TimerKind::Join);
    const bool rejoin = m_rejoining;
    m_rejoining = false;
    m_self = joined.participant_id();
    m_rejoinToken = joined.rejoin_token();
    if (!joined.room().room_uri().empty())
        m_roomUri = joined.room().room_uri();
    if (joined.room().has_policy())
        m_policy = joined.room().policy();
    // A rejoin keeps the outcomes of peers still present; everyone else is verified afresh.
    std::map<std::uint32_t, PeerEntry> peers;
    for (const auto& p : joined.participants()) {
        if (p.participant_id() == m_self || peers.count(p.participant_id()))
            continue;
        PeerEntry entry;
        entry.participant = p;
        const auto old = m_peers.find(p.participant_id());
        if (rejoin && old != m_peers.end() &&
            old->second.participant.evidence().SerializeAsString() == p.evidence().SerializeAsString()) {
            entry.outcomeKnown = old->second.outcomeKnown;
            entry.verified = old->second.verified;
        }
        peers.emplace(p.participant_id(), std::move(entry));
    }
    for (const auto& [id, old] : m_peers) {
        if (!peers.count(id)) {
            Note n{NoteKind::PeerLeft};
            n.participantId = id;
            n.detail = "gone while we were away";
            out.notes.push_back(std::move(n));
        }
    }
    m_peers = std::move(peers);
    Note joinedNote{NoteKind::Joined};
    joinedNote.roomId = m_roomId;
    joinedNote.roomUri = m_roomUri;
    joinedNote.participantId = m_self;
    out.notes.push_back(std::move(joinedNote));
    for (const auto& [id, peer] : m_peers) {
        if (peer.outcomeKnown)
            continue;
        Note n{NoteKind::VerifyPeer};
        n.roomId = m_roomId;
        n.participantId = id;
        n.evidence = peer.participant.evidence();
        out.notes.push_back(std::move(n));
    }
    m_state = CallState::InCall;
    settle();
}

void CallSetup::onParticipantJoined(const proto::ParticipantJoined& m, Step& out) {
    if (m_state == CallState::Joining || m_state == CallState::Creating)
        return refuse(out, Refusal::ParticipantBeforeJoined,
                      "participant " + std::to_string(m.participant().participant_id()) + " joined before our RoomJoined");
    if (!inRoom())
        return refuse(out, Refusal::NotInThisState, "a participant joined a room we are not in");
    if (!sameRoom(m.room_id(), out))
        return;
    const std::uint32_t id = m.participant().participant_id();
    if (id == m_self || m_peers.count(id))
        return refuse(out, Refusal::DuplicateJoin,
                      "participant " + std::to_string(id) + (id == m_self ? " is us" : " is already here"));
    PeerEntry entry;
    entry.participant = m.participant();
    m_peers.emplace(id, std::move(entry));
    // An accepted invitation has become a participant.
    for (auto it = m_invites.begin(); it != m_invites.end(); ++it) {
        if (it->second.accepted) {
            m_invites.erase(it);
            break;
        }
    }
    if (m_invites.empty())
        disarm(TimerKind::Ring);
    Note n{NoteKind::VerifyPeer};
    n.roomId = m_roomId;
    n.participantId = id;
    n.evidence = m.participant().evidence();
    out.notes.push_back(std::move(n));
    settle();
}

void CallSetup::onParticipantLeft(const proto::ParticipantLeft& m, Step& out) {
    if (m_state == CallState::Joining || m_state == CallState::Creating)
        return refuse(out, Refusal::ParticipantBeforeJoined, "a participant left before our RoomJoined");
    if (!inRoom())
        return refuse(out, Refusal::NotInThisState, "a participant left a room we are not in");
    if (!sameRoom(m.room_id(), out))
        return;
    if (!m_peers.erase(m.participant_id()))
        return refuse(out, Refusal::UnknownParticipant,
                      "participant " + std::to_string(m.participant_id()) + " left but was not here");
    Note n{NoteKind::PeerLeft};
    n.participantId = m.participant_id();
    n.detail = m.reason();
    out.notes.push_back(std::move(n));
    settle();
}

void CallSetup::onRinging(const proto::Ringing& m, std::int64_t now, Step& out) {
    auto decline = [&](Refusal why, std::string detail) {
        proto::CallMessage answer;
        answer.mutable_answer_invite()->set_room_id(m.room_id());
        answer.mutable_answer_invite()->set_invite_id(m.invite_id());
        answer.mutable_answer_invite()->set_accept(false);
        send(out, std::move(answer));
        refuse(out, why, std::move(detail));
    };
    // Glare: we ring them while they ring us.
    if (m_state == CallState::Inviting && m_invites.count(m.from_handle())) {
        const bool weWin = m_config.ownHandle < m.from_handle();
        Note n{NoteKind::Glare};
        n.handle = m.from_handle();
        n.detail = weWin ? "won" : "lost";
        out.notes.push_back(std::move(n));
        if (weWin)
            return decline(Refusal::GlareLost,
                           "their invitation lost the tie-break (the lower handle's invitation wins)");
        // Ours is withdrawn: leave our room, accept theirs.
        proto::CallMessage leave;
        leave.mutable_leave()->set_room_id(m_roomId);
        send(out, std::move(leave));
        proto::CallMessage answer;
        answer.mutable_answer_invite()->set_room_id(m.room_id());
        answer.mutable_answer_invite()->set_invite_id(m.invite_id());
        answer.mutable_answer_invite()->set_accept(true);
        send(out, std::move(answer));
        leaveRoom(out);
        m_roomId = m.room_id();
        m_roomUri = m.room().room_uri();
        m_joinHandle = m_config.ownHandle;
        askEvidence(out, now);
        return;
    }
    if (!atHome())
        return decline(Refusal::Busy, "an invitation from " + m.from_handle() + " while busy");
    m_ringing = IncomingInvite{m.room_id(), m.room().room_uri(), m.invite_id(), m.from_handle()};
    m_state = CallState::Ringing;
    const std::int64_t deadline = m.expires_at() > 0 ? m.expires_at() * 1000 : now + m_config.ringTimeoutMs;
    arm(out, TimerKind::Ring, deadline);
    Note n{NoteKind::IncomingCall};
    n.handle = m.from_handle();
    n.roomId = m.room_id();
    n.roomUri = m.room().room_uri();
    n.detail = m.invite_id();
    out.notes.push_back(std::move(n));
}

void CallSetup::onInviteOutcome(const proto::InviteOutcome& m, Step& out) {
    if (!inRoom() || m.room_id() != m_roomId)
        return refuse(out, Refusal::UnknownInvite, "an outcome for an invitation to room '" + m.room_id() + "'");
    auto it = m_invites.find(m.handle());
    if (it == m_invites.end() ||
        (!it->second.inviteId.empty() && !m.invite_id().empty() && it->second.inviteId != m.invite_id()))
        return refuse(out, Refusal::UnknownInvite,
                      "an outcome for invitation '" + m.invite_id() + "' to " + m.handle() + " we did not send");
    const std::string& outcome = m.outcome();
    if (outcome == "ringing") {
        it->second.inviteId = m.invite_id();
    } else if (outcome == "accepted") {
        it->second.accepted = true;
    } else {
        m_invites.erase(it);
        Note n{NoteKind::InviteEnded};
        n.handle = m.handle();
        n.detail = outcome;
        out.notes.push_back(std::move(n));
        settle();
        return;
    }
    Note n{NoteKind::InviteAnswered};
    n.handle = m.handle();
    n.detail = outcome;
    out.notes.push_back(std::move(n));
}

void CallSetup::onError(const proto::CallError& m, std::int64_t, Step& out) {
    Note n{NoteKind::HostError};
    n.detail = m.code() + ": " + m.message();
    out.notes.push_back(std::move(n));
    if (m_state == CallState::Creating || (m_state == CallState::Joining && !m_awaitingEvidence))
        endCall(out, EndReason::HostRefused);
}

} // namespace twinseal::calls
