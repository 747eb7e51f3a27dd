// The room host's rooms (DESIGN §4 "Rooms"): creation with a room policy, admission (the
// creator, invited handles, or the room code; every participant's evidence checked by
// CallAdmission), invitations that ring the invitee's listening connections until answered or
// timed out, leaving, a dropped connection's seat kept for a grace period and redeemable with
// its rejoin token, the relay of announcements, key updates and SFrame frames among the
// participants, and a revocation notice when this home network revokes a participant's
// credential. Independent of the transport: messages arrive through receive() and leave through
// a CallOutbox (the WebSocket relay, or a test). Timeouts run on tick(now) with a monotonic
// clock in milliseconds.
#pragma once

#include <QByteArray>

#include <map>
#include <set>
#include <string>

#include <twinseal/proto/call.pb.h>

#include "twinseal/service/call_admission.h"
#include "twinseal/service/service_context.h"

namespace twinseal::service {

using CallConnectionId = quint64;

// Where CallRooms sends what it has to say.
class CallOutbox {
  public:
    virtual ~CallOutbox() = default;
    virtual void send(CallConnectionId to, const proto::CallMessage& message) = 0;
    // A CallMessage serialized once for many recipients (its `seq` unset: the outbox adds it).
    virtual void sendEncoded(CallConnectionId to, const QByteArray& message) = 0;
};

class CallRooms {
  public:
    static constexpr int kMaxInvitedHandles = 64; // per room
    // Members are defined in call_rooms.cpp (rooms, admission, timers, revocation),
    // call_invitations.cpp and call_forwarding.cpp.
    CallRooms(ServiceContext& context, CallAdmission& admission);

    void setOutbox(CallOutbox* outbox) noexcept { m_out = outbox; }

    // One client -> host message from a connection (its kind already checked by the transport).
    void receive(CallConnectionId from, const proto::CallMessage& message, qint64 nowMs);
    // The connection is gone: its seats are kept for the rejoin grace period.
    void connectionClosed(CallConnectionId id, qint64 nowMs);
    // Ring timeouts, seats whose grace period ended, idle rooms.
    void tick(qint64 nowMs);
    // Re-reads this home network's credential statuses when they changed; a participant whose
    // credential was revoked is announced to its rooms (RevocationNotice) and removed.
    void checkRevocations(qint64 nowMs);

    [[nodiscard]] std::size_t roomCount() const noexcept { return m_rooms.size(); }
    [[nodiscard]] bool hasOwnCredentials() const noexcept;

  private:
    struct Seat {
        quint32 id = 0;
        CallConnectionId conn = 0; // 0 while dropped
        proto::Evidence evidence;
        AdmittedHolder holder;
        qint64 joinedAt = 0;
        QByteArray rejoinTokenHash;
        qint64 dropDeadline = 0;
    };
    struct Room {
        proto::RoomInfo info;     // without the code
        std::string code;         // ROOM_CODE rooms
        std::string creatorThumbprint;
        security::RoleRequirement requiredRoles; // parsed from the policy at CreateRoom
        std::map<quint32, Seat> seats;
        std::map<CallConnectionId, quint32> byConn;
        quint32 nextId = 1;
        qint64 emptySince = 0;
    };
    struct Invitation {
        std::string id;
        std::string roomId;
        std::string handle;
        CallConnectionId inviter = 0;
        qint64 deadline = 0;
    };
    struct Connection {
        std::set<std::string> rooms;
        std::set<std::string> handles; // listening for invitations to these
    };

    void createRoom(CallConnectionId from, const proto::CreateRoom& m, qint64 nowMs);
    void joinRoom(CallConnectionId from, const proto::JoinRoom& m);
    void rejoin(CallConnectionId from, Room& room, const proto::JoinRoom& m,
                const AdmittedHolder& holder);
    void listen(CallConnectionId from, const proto::Listen& m);
    void invite(CallConnectionId from, const proto::Invite& m, qint64 nowMs);
    void answer(CallConnectionId from, const proto::AnswerInvite& m);
    void leave(CallConnectionId from, const proto::Leave& m, qint64 nowMs);
    void announce(CallConnectionId from, const proto::Announce& m);
    void keyUpdate(CallConnectionId from, const proto::KeyUpdate& m);
    void frame(CallConnectionId from, const proto::FrameRelay& m);

    // The sender's seat in `roomId`, or a CallError "not-in-room" to it.
    Seat* seatOf(CallConnectionId from, const std::string& roomId, const char* inReplyTo,
                 Room** room = nullptr);
    void removeSeat(Room& room, quint32 id, const std::string& reason, qint64 nowMs);
    void outcome(const Invitation& inv, const std::string& what, bool inviteeToo,
                 CallConnectionId except = 0);
    void refuse(CallConnectionId to, const CallRefusal& why, const char* inReplyTo);
    void send(CallConnectionId to, const proto::CallMessage& m);
    // To every connected participant of `room` but `except` (0: everyone).
    void broadcast(const Room& room, const proto::CallMessage& m, quint32 except = 0);
    void deliver(CallConnectionId from, const Room& room, quint32 sender, quint32 to,
                 const proto::CallMessage& out, const char* inReplyTo);
    [[nodiscard]] std::string randomToken(std::size_t bytes);
    [[nodiscard]] proto::Participant participantOf(const Seat& seat) const;

    ServiceContext& m_ctx;
    CallAdmission& m_admission;
    CallOutbox* m_out = nullptr;
    std::map<std::string, Room> m_rooms;
    std::map<std::string, Invitation> m_invites;
    std::map<std::string, std::set<CallConnectionId>> m_listeners; // handle -> connections
    std::map<std::string, std::set<std::string>> m_proven; // handle -> holders that proved it
    std::map<CallConnectionId, Connection> m_conns;
    qint64 m_statusRevision = -1;
};

} // namespace twinseal::service
