#include "twinseal/service/call_rooms.h"

#include <twinseal/proto/codec.h>
#include <twinseal/security/bytes.h>
#include <twinseal/security/crypto.h>

#include "service_util.h"
#include "twinseal/service/service_log.h"

namespace twinseal::service {

using namespace twinseal::security;

namespace {

constexpr std::size_t kMaxHandlesPerConnection = 8;
constexpr std::size_t kMaxProvenHandles = 100000;
constexpr int kMaxInvitedHandles = 64;
constexpr std::size_t kMaxTitle = 200;
constexpr int kDefaultRekeySeconds = 600;

QByteArray tokenHash(const std::string& token) {
    return util::qb(ByteView(sha256(view(token))));
}

bool sameBytes(const std::string& a, const std::string& b) {
    // Compared as digests, so the time taken says nothing about the secret.
    return constantTimeEqual(sha256(view(a)), sha256(view(b)));
}

} // namespace

CallRooms::CallRooms(ServiceContext& context, CallAdmission& admission)
    : m_ctx(context), m_admission(admission) {}

bool CallRooms::hasOwnCredentials() const noexcept {
    for (const auto& [id, room] : m_rooms)
        for (const auto& [sid, seat] : room.seats)
            if (seat.holder.ownCredential)
                return true;
    return false;
}

void CallRooms::receive(CallConnectionId from, const proto::CallMessage& m, qint64 nowMs) {
    m_conns.try_emplace(from);
    switch (m.body_case()) {
    case proto::CallMessage::kCreateRoom: return createRoom(from, m.create_room(), nowMs);
    case proto::CallMessage::kJoinRoom: return joinRoom(from, m.join_room());
    case proto::CallMessage::kListen: return listen(from, m.listen());
    case proto::CallMessage::kInvite: return invite(from, m.invite(), nowMs);
    case proto::CallMessage::kAnswerInvite: return answer(from, m.answer_invite());
    case proto::CallMessage::kLeave: return leave(from, m.leave(), nowMs);
    case proto::CallMessage::kAnnounce: return announce(from, m.announce());
    case proto::CallMessage::kKeyUpdate: return keyUpdate(from, m.key_update());
    case proto::CallMessage::kFrame: return frame(from, m.frame());
    default:
        return refuse(from,
                      callRefusal("message-unexpected",
                                  "this message is sent by the room host, not to it"),
                      "");
    }
}

// ---- rooms ------------------------------------------------------------------------------------

void CallRooms::createRoom(CallConnectionId from, const proto::CreateRoom& m, qint64 nowMs) {
    const char* kind = "create_room";
    proto::RoomPolicy policy = m.policy();
    const int limit = m_ctx.config.callMaxParticipants;
    if (policy.title().size() > kMaxTitle)
        return refuse(from, callRefusal("policy-invalid", "the room title is longer than 200 bytes"),
                      kind);
    if (policy.invited_handles_size() > kMaxInvitedHandles)
        return refuse(from, callRefusal("policy-invalid", "at most 64 handles may be invited"),
                      kind);
    if (policy.max_participants() > static_cast<quint32>(limit))
        return refuse(from, callRefusal("policy-invalid",
                                        "this room host allows at most " + std::to_string(limit) +
                                            " participants per room"),
                      kind);
    if (static_cast<int>(m_rooms.size()) >= m_ctx.config.callMaxRooms)
        return refuse(from, callRefusal("too-many-rooms",
                                        "this room host has no room for another call now; try "
                                        "again later"),
                      kind);
    auto creator = m_admission.verifyForCreate(m.creator());
    if (!creator.ok())
        return refuse(from, creator.error(), kind);
    if (policy.max_participants() == 0)
        policy.set_max_participants(static_cast<quint32>(limit));
    if (policy.protection() == proto::FRAME_PROTECTION_UNSPECIFIED)
        policy.set_protection(proto::CONFIDENTIAL);
    if (policy.admission() == proto::ADMISSION_UNSPECIFIED)
        policy.set_admission(proto::INVITED_ONLY);
    if (policy.rekey_seconds() == 0)
        policy.set_rekey_seconds(kDefaultRekeySeconds);

    Room room;
    std::string id;
    do
        id = "rm-" + randomToken(12);
    while (m_rooms.count(id));
    room.info.set_room_id(id);
    room.info.set_room_uri(m_admission.roomUri(id));
    *room.info.mutable_policy() = policy;
    room.info.set_created_at(m_ctx.clock.now());
    room.creatorThumbprint = creator->holderThumbprint;
    room.emptySince = nowMs;
    if (policy.admission() == proto::ROOM_CODE) {
        auto bytes = m_ctx.rng.bytes(10);
        if (!bytes.ok())
            return refuse(from, callRefusal("internal-error", "no random numbers available"), kind);
        room.code = util::base32(*bytes, 12, true);
    }
    proto::CallMessage reply;
    *reply.mutable_room_created() = room.info;
    reply.mutable_room_created()->set_room_code(room.code);
    m_rooms.emplace(id, std::move(room));
    logEvent(LogLevel::Info, "call-room-created",
             {{QStringLiteral("room"), QString::fromStdString(id)},
              {QStringLiteral("admission"), QString::fromStdString(proto::Admission_Name(
                                                policy.admission()))}});
    send(from, reply);
}

void CallRooms::joinRoom(CallConnectionId from, const proto::JoinRoom& m) {
    const char* kind = "join_room";
    auto it = m_rooms.find(m.room_id());
    if (it == m_rooms.end())
        return refuse(from, callRefusal("room-not-found",
                                        "there is no room '" + m.room_id() +
                                            "' on this host (it may have ended)"),
                      kind);
    Room& room = it->second;
    if (room.byConn.count(from))
        return refuse(from, callRefusal("already-joined",
                                        "this connection is already in the room; leave first"),
                      kind);
    auto holder = m_admission.verify(m.evidence(), {room.info.room_uri()});
    if (!holder.ok())
        return refuse(from, holder.error(), kind);
    if (!m.rejoin_token().empty())
        return rejoin(from, room, m, *holder);
    if (auto roles = checkRequiredRoles(room.info.policy(), m.evidence()); !roles.ok())
        return refuse(from, roles.error(), kind);

    const proto::RoomPolicy& policy = room.info.policy();
    const bool creator = holder->holderThumbprint == room.creatorThumbprint;
    if (!creator) {
        const bool invited =
            !m.handle().empty() &&
            std::find(policy.invited_handles().begin(), policy.invited_handles().end(),
                      m.handle()) != policy.invited_handles().end();
        if (invited) {
            const auto proven = m_proven.find(m.handle());
            if (proven == m_proven.end() || !proven->second.count(holder->holderThumbprint))
                return refuse(from,
                              callRefusal("handle-not-proven",
                                          "prove that the handle '" + m.handle() +
                                              "' is yours first: send Listen with an "
                                              "assertion for urn:twinseal:handle:" +
                                              m.handle()),
                              kind);
        } else if (policy.admission() == proto::ROOM_CODE) {
            if (m.room_code().empty() || !sameBytes(m.room_code(), room.code))
                return refuse(from, callRefusal("room-code-wrong",
                                                "the room code is not this room's; ask the "
                                                "room's creator for it"),
                              kind);
        } else {
            return refuse(from, callRefusal("not-invited",
                                            "this room admits only invited handles; ask a "
                                            "participant to invite yours"),
                          kind);
        }
    }
    for (const auto& [id, seat] : room.seats)
        if (seat.holder.holderThumbprint == holder->holderThumbprint)
            return refuse(from,
                          callRefusal("duplicate-participant",
                                      seat.conn != 0
                                          ? "this twin is already in the room on another "
                                            "connection"
                                          : "this twin's seat is kept for a dropped connection: "
                                            "rejoin with its rejoin_token"),
                          kind);
    if (room.seats.size() >= policy.max_participants())
        return refuse(from, callRefusal("room-full",
                                        "the room has its " +
                                            std::to_string(policy.max_participants()) +
                                            " participants"),
                      kind);

    Seat seat;
    seat.id = room.nextId++;
    seat.conn = from;
    seat.evidence = m.evidence();
    seat.holder = *holder;
    seat.joinedAt = m_ctx.clock.now();
    const std::string token = randomToken(32);
    seat.rejoinTokenHash = tokenHash(token);

    proto::CallMessage reply;
    proto::RoomJoined* joined = reply.mutable_room_joined();
    *joined->mutable_room() = room.info;
    joined->set_participant_id(seat.id);
    joined->set_rejoin_token(token);
    for (const auto& [id, other] : room.seats)
        *joined->add_participants() = participantOf(other);
    proto::CallMessage news;
    news.mutable_participant_joined()->set_room_id(room.info.room_id());
    *news.mutable_participant_joined()->mutable_participant() = participantOf(seat);

    const quint32 id = seat.id;
    room.byConn[from] = id;
    room.seats.emplace(id, std::move(seat));
    m_conns[from].rooms.insert(room.info.room_id());
    logEvent(LogLevel::Info, "call-joined",
             {{QStringLiteral("room"), QString::fromStdString(room.info.room_id())},
              {QStringLiteral("participant"), int(id)},
              {QStringLiteral("own_subscriber"), holder->ownCredential}});
    send(from, reply);
    broadcast(room, news, id);
}

void CallRooms::rejoin(CallConnectionId from, Room& room, const proto::JoinRoom& m,
                       const AdmittedHolder& holder) {
    const QByteArray presented = tokenHash(m.rejoin_token());
    Seat* seat = nullptr;
    for (auto& [id, s] : room.seats)
        if (constantTimeEqual(util::bv(s.rejoinTokenHash), util::bv(presented)))
            seat = &s;
    if (seat == nullptr || seat->holder.holderThumbprint != holder.holderThumbprint)
        return refuse(from, callRefusal("rejoin-token-invalid",
                                        "the rejoin token is not valid for this twin in this "
                                        "room (the grace period may have ended): join again"),
                      "join_room");
    if (seat->conn != 0) {
        // The old connection has not noticed it is gone yet: this one takes the seat over.
        const CallConnectionId old = seat->conn;
        room.byConn.erase(old);
        m_conns[old].rooms.erase(room.info.room_id());
        refuse(old, callRefusal("seat-taken-over",
                                "this seat was taken over by a rejoining connection"),
               "");
    }
    seat->conn = from;
    seat->dropDeadline = 0;
    seat->evidence = m.evidence();
    const std::string token = randomToken(32);
    seat->rejoinTokenHash = tokenHash(token);
    room.byConn[from] = seat->id;
    m_conns[from].rooms.insert(room.info.room_id());
    proto::CallMessage reply;
    proto::RoomJoined* joined = reply.mutable_room_joined();
    *joined->mutable_room() = room.info;
    joined->set_participant_id(seat->id);
    joined->set_rejoin_token(token);
    for (const auto& [id, other] : room.seats)
        if (id != seat->id)
            *joined->add_participants() = participantOf(other);
    logEvent(LogLevel::Info, "call-rejoined",
             {{QStringLiteral("room"), QString::fromStdString(room.info.room_id())},
              {QStringLiteral("participant"), int(seat->id)}});
    send(from, reply);
}

void CallRooms::leave(CallConnectionId from, const proto::Leave& m, qint64 nowMs) {
    Room* room = nullptr;
    Seat* seat = seatOf(from, m.room_id(), "leave", &room);
    if (seat == nullptr)
        return;
    removeSeat(*room, seat->id, "left", nowMs);
}

void CallRooms::removeSeat(Room& room, quint32 id, const std::string& reason, qint64 nowMs) {
    auto it = room.seats.find(id);
    if (it == room.seats.end())
        return;
    proto::CallMessage news;
    news.mutable_participant_left()->set_room_id(room.info.room_id());
    news.mutable_participant_left()->set_participant_id(id);
    news.mutable_participant_left()->set_reason(reason);
    broadcast(room, news); // the one leaving too, when it is still connected
    if (it->second.conn != 0) {
        room.byConn.erase(it->second.conn);
        m_conns[it->second.conn].rooms.erase(room.info.room_id());
    }
    room.seats.erase(it);
    if (room.seats.empty())
        room.emptySince = nowMs;
    logEvent(LogLevel::Info, "call-left",
             {{QStringLiteral("room"), QString::fromStdString(room.info.room_id())},
              {QStringLiteral("participant"), int(id)},
              {QStringLiteral("reason"), QString::fromStdString(reason)}});
}

// ---- invitations ------------------------------------------------------------------------------

void CallRooms::listen(CallConnectionId from, const proto::Listen& m) {
    const char* kind = "listen";
    if (m.handle().empty() || m.handle().size() > 64)
        return refuse(from, callRefusal("handle-missing", "name the transfer handle to listen on"),
                      kind);
    Connection& conn = m_conns[from];
    if (conn.handles.size() >= kMaxHandlesPerConnection && !conn.handles.count(m.handle()))
        return refuse(from, callRefusal("too-many-handles",
                                        "a connection listens on at most 8 handles"),
                      kind);
    auto holder = m_admission.verify(m.evidence(), {CallAdmission::handleUri(m.handle())});
    if (!holder.ok())
        return refuse(from, holder.error(), kind);
    auto owns = m_admission.ownsHandle(m.handle(), *holder);
    if (!owns.ok())
        return refuse(from, owns.error(), kind);
    if (!*owns)
        return refuse(from, callRefusal("not-handle-owner",
                                        "the handle '" + m.handle() +
                                            "' belongs to another subscriber of this home "
                                            "network"),
                      kind);
    if (m_proven.size() >= kMaxProvenHandles)
        m_proven.clear();
    m_proven[m.handle()].insert(holder->holderThumbprint);
    m_listeners[m.handle()].insert(from);
    conn.handles.insert(m.handle());
    proto::CallMessage reply;
    reply.mutable_listening()->set_handle(m.handle());
    send(from, reply);
}

void CallRooms::invite(CallConnectionId from, const proto::Invite& m, qint64 nowMs) {
    const char* kind = "invite";
    Room* room = nullptr;
    if (seatOf(from, m.room_id(), kind, &room) == nullptr)
        return;
    if (m.handle().empty() || m.handle().size() > 64)
        return refuse(from, callRefusal("handle-missing", "name the invitee's transfer handle"),
                      kind);
    for (const auto& [id, inv] : m_invites)
        if (inv.roomId == m.room_id() && inv.handle == m.handle())
            return refuse(from, callRefusal("invite-pending",
                                            "an invitation to '" + m.handle() +
                                                "' is already ringing for this room"),
                          kind);
    proto::RoomPolicy* policy = room->info.mutable_policy();
    if (std::find(policy->invited_handles().begin(), policy->invited_handles().end(),
                  m.handle()) == policy->invited_handles().end()) {
        if (policy->invited_handles_size() >= kMaxInvitedHandles)
            return refuse(from, callRefusal("policy-invalid",
                                            "at most 64 handles may be invited to a room"),
                          kind);
        policy->add_invited_handles(m.handle());
    }
    Invitation inv;
    inv.id = "inv-" + randomToken(12);
    inv.roomId = m.room_id();
    inv.handle = m.handle();
    inv.inviter = from;
    inv.deadline = nowMs + qint64(m_ctx.config.callRingTimeout) * 1000;
    const auto listening = m_listeners.find(m.handle());
    if (listening == m_listeners.end() || listening->second.empty())
        return outcome(inv, "offline", false);
    proto::CallMessage ring;
    proto::Ringing* r = ring.mutable_ringing();
    r->set_room_id(inv.roomId);
    r->set_invite_id(inv.id);
    const auto& inviterHandles = m_conns[from].handles;
    if (!inviterHandles.empty())
        r->set_from_handle(*inviterHandles.begin());
    *r->mutable_room() = room->info;
    r->set_expires_at(m_ctx.clock.now() + m_ctx.config.callRingTimeout);
    for (CallConnectionId c : listening->second)
        send(c, ring);
    outcome(inv, "ringing", false);
    m_invites.emplace(inv.id, std::move(inv));
}

void CallRooms::answer(CallConnectionId from, const proto::AnswerInvite& m) {
    const char* kind = "answer_invite";
    auto it = m_invites.find(m.invite_id());
    if (it == m_invites.end() || it->second.roomId != m.room_id())
        return refuse(from, callRefusal("invite-unknown",
                                        "no invitation '" + m.invite_id() +
                                            "' is ringing (it may have timed out or been "
                                            "answered)"),
                      kind);
    const Invitation inv = it->second;
    if (!m_conns[from].handles.count(inv.handle))
        return refuse(from, callRefusal("not-invitee",
                                        "this invitation is for another handle; only a "
                                        "connection listening on it may answer"),
                      kind);
    m_invites.erase(it);
    outcome(inv, m.accept() ? "accepted" : "declined", true, from);
}

// To the inviter, and to the invitee's other listening connections (answered elsewhere or
// timed out) when `inviteeToo`; `except` is the connection that answered.
void CallRooms::outcome(const Invitation& inv, const std::string& what, bool inviteeToo,
                        CallConnectionId except) {
    proto::CallMessage m;
    proto::InviteOutcome* o = m.mutable_invite_outcome();
    o->set_room_id(inv.roomId);
    o->set_invite_id(inv.id);
    o->set_handle(inv.handle);
    o->set_outcome(what);
    if (m_conns.count(inv.inviter))
        send(inv.inviter, m);
    if (!inviteeToo)
        return;
    if (auto l = m_listeners.find(inv.handle); l != m_listeners.end())
        for (CallConnectionId c : l->second)
            if (c != except && c != inv.inviter)
                send(c, m);
}

// ---- relay ------------------------------------------------------------------------------------

void CallRooms::announce(CallConnectionId from, const proto::Announce& m) {
    Room* room = nullptr;
    Seat* seat = seatOf(from, m.room_id(), "announce", &room);
    if (seat == nullptr)
        return;
    proto::CallMessage out;
    *out.mutable_announce() = m;
    out.mutable_announce()->set_from(seat->id);
    if (m.to() == 0) {
        seat->evidence = m.evidence(); // the evidence it last announced to everyone
        return broadcast(*room, out, seat->id);
    }
    auto to = room->seats.find(m.to());
    if (to == room->seats.end() || to->second.conn == 0 || m.to() == seat->id)
        return refuse(from, callRefusal("participant-unknown",
                                        "participant " + std::to_string(m.to()) +
                                            " is not connected to this room"),
                      "announce");
    send(to->second.conn, out);
}

void CallRooms::keyUpdate(CallConnectionId from, const proto::KeyUpdate& m) {
    Room* room = nullptr;
    Seat* seat = seatOf(from, m.room_id(), "key_update", &room);
    if (seat == nullptr)
        return;
    proto::CallMessage out;
    *out.mutable_key_update() = m;
    out.mutable_key_update()->set_from(seat->id);
    if (m.to() == 0)
        return broadcast(*room, out, seat->id);
    auto to = room->seats.find(m.to());
    if (to == room->seats.end() || to->second.conn == 0 || m.to() == seat->id)
        return refuse(from, callRefusal("participant-unknown",
                                        "participant " + std::to_string(m.to()) +
                                            " is not connected to this room"),
                      "key_update");
    send(to->second.conn, out);
}

void CallRooms::frame(CallConnectionId from, const proto::FrameRelay& m) {
    Room* room = nullptr;
    Seat* seat = seatOf(from, m.room_id(), "frame", &room);
    if (seat == nullptr)
        return;
    if (m.sframe().empty())
        return refuse(from, callRefusal("frame-empty", "a relayed frame carries SFrame bytes"),
                      "frame");
    proto::CallMessage out;
    proto::FrameRelay* f = out.mutable_frame();
    f->set_room_id(m.room_id());
    f->set_from(seat->id);
    f->set_sframe(m.sframe()); // untouched
    const QByteArray encoded = proto::serialize<QByteArray>(out);
    if (m_out == nullptr)
        return;
    for (const auto& [id, other] : room->seats)
        if (id != seat->id && other.conn != 0)
            m_out->sendEncoded(other.conn, encoded);
}

// ---- connections, timers, revocation ------------------------------------------------------

void CallRooms::connectionClosed(CallConnectionId id, qint64 nowMs) {
    auto it = m_conns.find(id);
    if (it == m_conns.end())
        return;
    for (const std::string& handle : it->second.handles) {
        auto l = m_listeners.find(handle);
        if (l != m_listeners.end() && (l->second.erase(id), l->second.empty()))
            m_listeners.erase(l);
    }
    for (const std::string& roomId : it->second.rooms) {
        auto r = m_rooms.find(roomId);
        if (r == m_rooms.end())
            continue;
        auto seat = r->second.byConn.find(id);
        if (seat == r->second.byConn.end())
            continue;
        Seat& s = r->second.seats[seat->second];
        s.conn = 0;
        s.dropDeadline = nowMs + qint64(m_ctx.config.callRejoinGrace) * 1000;
        r->second.byConn.erase(seat);
        logEvent(LogLevel::Info, "call-dropped",
                 {{QStringLiteral("room"), QString::fromStdString(roomId)},
                  {QStringLiteral("participant"), int(s.id)}});
    }
    m_conns.erase(it);
}

void CallRooms::tick(qint64 nowMs) {
    for (auto it = m_invites.begin(); it != m_invites.end();) {
        if (it->second.deadline <= nowMs) {
            const Invitation inv = it->second;
            it = m_invites.erase(it);
            outcome(inv, "timeout", true);
        } else {
            ++it;
        }
    }
    for (auto it = m_rooms.begin(); it != m_rooms.end();) {
        Room& room = it->second;
        std::vector<quint32> expired;
        for (const auto& [id, seat] : room.seats)
            if (seat.conn == 0 && seat.dropDeadline <= nowMs)
                expired.push_back(id);
        for (quint32 id : expired)
            removeSeat(room, id, "dropped", nowMs);
        if (room.seats.empty() && nowMs - room.emptySince >= qint64(m_ctx.config.callRoomIdle) * 1000) {
            for (auto inv = m_invites.begin(); inv != m_invites.end();)
                inv = inv->second.roomId == it->first ? m_invites.erase(inv) : std::next(inv);
            logEvent(LogLevel::Info, "call-room-ended",
                     {{QStringLiteral("room"), QString::fromStdString(it->first)}});
            it = m_rooms.erase(it);
        } else {
            ++it;
        }
    }
}

void CallRooms::checkRevocations(qint64 nowMs) {
    if (!hasOwnCredentials())
        return;
    auto revision = m_admission.statusRevision();
    if (!revision.ok() || *revision == m_statusRevision)
        return;
    auto inactive = m_admission.inactiveStatusIndices();
    if (!inactive.ok())
        return;
    m_statusRevision = *revision;
    const std::set<quint64> revoked(inactive->begin(), inactive->end());
    for (auto& [roomId, room] : m_rooms) {
        std::vector<quint32> gone;
        for (const auto& [id, seat] : room.seats) {
            if (!seat.holder.ownCredential || !revoked.count(seat.holder.statusIndex))
                continue;
            proto::CallMessage notice;
            proto::RevocationNotice* n = notice.mutable_revocation();
            n->set_room_id(roomId);
            n->set_participant_id(id);
            n->set_credential_digest(util::str(seat.holder.credentialDigest));
            broadcast(room, notice);
            gone.push_back(id);
        }
        for (quint32 id : gone) {
            logEvent(LogLevel::Warning, "call-participant-revoked",
                     {{QStringLiteral("room"), QString::fromStdString(roomId)},
                      {QStringLiteral("participant"), int(id)}});
            removeSeat(room, id, "revoked", nowMs);
        }
    }
}

// ---- helpers ----------------------------------------------------------------------------------

CallRooms::Seat* CallRooms::seatOf(CallConnectionId from, const std::string& roomId,
                                   const char* inReplyTo, Room** roomOut) {
    auto r = m_rooms.find(roomId);
    if (r != m_rooms.end()) {
        auto s = r->second.byConn.find(from);
        if (s != r->second.byConn.end()) {
            if (roomOut != nullptr)
                *roomOut = &r->second;
            return &r->second.seats[s->second];
        }
    }
    refuse(from, callRefusal("not-in-room", "join the room '" + roomId + "' first"), inReplyTo);
    return nullptr;
}

proto::Participant CallRooms::participantOf(const Seat& seat) const {
    proto::Participant p;
    p.set_participant_id(seat.id);
    *p.mutable_evidence() = seat.evidence;
    p.set_joined_at(seat.joinedAt);
    return p;
}

void CallRooms::refuse(CallConnectionId to, const CallRefusal& why, const char* inReplyTo) {
    proto::CallMessage m;
    m.mutable_error()->set_code(why.code);
    m.mutable_error()->set_message(why.message);
    m.mutable_error()->set_in_reply_to(inReplyTo);
    logEvent(LogLevel::Info, "call-refused",
             {{QStringLiteral("code"), QString::fromStdString(why.code)},
              {QStringLiteral("request"), QString::fromLatin1(inReplyTo)}});
    send(to, m);
}

void CallRooms::send(CallConnectionId to, const proto::CallMessage& m) {
    if (m_out != nullptr)
        m_out->send(to, m);
}

void CallRooms::broadcast(const Room& room, const proto::CallMessage& m, quint32 except) {
    if (m_out == nullptr)
        return;
    const QByteArray encoded = proto::serialize<QByteArray>(m);
    for (const auto& [id, seat] : room.seats)
        if (id != except && seat.conn != 0)
            m_out->sendEncoded(seat.conn, encoded);
}

std::string CallRooms::randomToken(std::size_t bytes) {
    auto b = m_ctx.rng.bytes(bytes);
    if (!b.ok())
        qFatal("the random number generator failed");
    return base64UrlEncode(*b);
}

} // namespace twinseal::service
