// Relaying among a room's participants: announcements, key updates, SFrame frames. Part of CallRooms
// (call_rooms.h).
#include "twinseal/service/call_rooms.h"

#include <twinseal/proto/codec.h>

namespace twinseal::service {

// To one participant (`to`), or to every other one (`to` 0); refused when `to` is not another
// participant connected to the room.
void CallRooms::deliver(CallConnectionId from, const Room& room, quint32 sender, quint32 to,
                        const proto::CallMessage& out, const char* inReplyTo) {
    if (to == 0)
        return broadcast(room, out, sender);
    auto seat = room.seats.find(to);
    if (seat == room.seats.end() || seat->second.conn == 0 || to == sender)
        return refuse(from, callRefusal("participant-unknown",
                                        "participant " + std::to_string(to) +
                                            " is not connected to this room"),
                      inReplyTo);
    send(seat->second.conn, out);
}

void CallRooms::announce(CallConnectionId from, const proto::Announce& m) {
    Room* room = nullptr;
    Seat* seat = seatOf(from, m.room_id(), "announce", &room);
    if (seat == nullptr)
        return;
    proto::CallMessage out;
    *out.mutable_announce() = m;
    out.mutable_announce()->set_from(seat->id);
    if (m.to() == 0)
        seat->evidence = m.evidence(); // the evidence it last announced to everyone
    deliver(from, *room, seat->id, m.to(), out, "announce");
}

void CallRooms::keyUpdate(CallConnectionId from, const proto::KeyUpdate& m) {
    Room* room = nullptr;
    Seat* seat = seatOf(from, m.room_id(), "key_update", &room);
    if (seat == nullptr)
        return;
    proto::CallMessage out;
    *out.mutable_key_update() = m;
    out.mutable_key_update()->set_from(seat->id);
    deliver(from, *room, seat->id, m.to(), out, "key_update");
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


} // namespace twinseal::service
