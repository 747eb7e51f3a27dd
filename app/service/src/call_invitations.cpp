// Invitations: proving a handle (Listen), ringing it, the answer and the outcome. Part of CallRooms
// (call_rooms.h).
#include "twinseal/service/call_rooms.h"

namespace twinseal::service {

namespace {

constexpr std::size_t kMaxHandlesPerConnection = 8;
constexpr std::size_t kMaxProvenHandles = 100000;

} // namespace


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
    if (auto foreign = m_admission.foreignHandle(m.handle()))
        return refuse(from, *foreign, kind);
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


} // namespace twinseal::service
