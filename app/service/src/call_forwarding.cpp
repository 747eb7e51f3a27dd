// Relaying among a room's participants: announcements, key updates, SFrame frames. Part of CallRooms
// (call_rooms.h).
#include "twinseal/service/call_rooms.h"

#include <twinseal/proto/codec.h>

namespace twinseal::service {


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


} // namespace twinseal::service
