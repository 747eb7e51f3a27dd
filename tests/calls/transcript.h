// Scripted transcripts of the call set-up: each step is an input at a time (ms), the state the
// machine must be in after it and everything the step must produce, written as
// Step::describe() writes it ("send:join_room note:verify-peer:2 timer:join refused:..."; empty:
// nothing at all). The builders make host messages short to write.
#pragma once

#include <QtTest>

#include <string>
#include <vector>

#include <twinseal/calls/call_setup.h>

namespace twinseal::test::calls {

using namespace twinseal::calls;

struct TranscriptStep {
    std::int64_t at;
    Event input;
    const char* state;
    const char* outputs;
};

// Runs the steps; the first difference fails the test naming the step. Returns the machine's
// outputs of every step for further checks.
inline std::vector<Step> play(CallSetup& setup, const std::vector<TranscriptStep>& steps) {
    std::vector<Step> all;
    int index = 0;
    for (const auto& s : steps) {
        ++index;
        Step out = setup.handle(s.input, s.at);
        const std::string state(callStateName(setup.state()));
        const std::string got = out.describe();
        if (state != s.state || got != s.outputs) {
            std::string why = "step ";
            why.append(std::to_string(index)).append(" (at ").append(std::to_string(s.at));
            why.append("): expected [").append(s.state).append("] ").append(s.outputs);
            why.append("\n   got [").append(state).append("] ").append(got);
            if (!out.refusalDetail.empty())
                why.append(" (").append(out.refusalDetail).append(")");
            QTest::qFail(why.c_str(), __FILE__, __LINE__);
            return all;
        }
        all.push_back(std::move(out));
    }
    return all;
}

inline proto::Evidence evidence(const std::string& assertion) {
    proto::Evidence e;
    e.set_assertion(assertion);
    e.set_home_network_url("https://home.example");
    return e;
}

inline ev::Host host(std::uint64_t seq, proto::CallMessage m) {
    m.set_seq(seq);
    return ev::Host{std::move(m)};
}

inline proto::RoomInfo room(const std::string& id) {
    proto::RoomInfo r;
    r.set_room_id(id);
    r.set_room_uri("urn:twinseal:room:opa:" + id);
    return r;
}

inline std::string uri(const std::string& id) { return "urn:twinseal:room:opa:" + id; }

inline ev::Host roomCreated(std::uint64_t seq, const std::string& id) {
    proto::CallMessage m;
    *m.mutable_room_created() = room(id);
    return host(seq, std::move(m));
}

inline proto::Participant participant(std::uint32_t id, const std::string& assertion = "") {
    proto::Participant p;
    p.set_participant_id(id);
    *p.mutable_evidence() = evidence(assertion.empty() ? "peer-" + std::to_string(id) : assertion);
    return p;
}

inline ev::Host roomJoined(std::uint64_t seq, const std::string& id, std::uint32_t self,
                           const std::vector<std::uint32_t>& others, const std::string& token = "rt-1") {
    proto::CallMessage m;
    auto* j = m.mutable_room_joined();
    *j->mutable_room() = room(id);
    j->set_participant_id(self);
    j->set_rejoin_token(token);
    for (auto o : others)
        *j->add_participants() = participant(o);
    return host(seq, std::move(m));
}

inline ev::Host participantJoined(std::uint64_t seq, const std::string& id, std::uint32_t who) {
    proto::CallMessage m;
    m.mutable_participant_joined()->set_room_id(id);
    *m.mutable_participant_joined()->mutable_participant() = participant(who);
    return host(seq, std::move(m));
}

inline ev::Host participantLeft(std::uint64_t seq, const std::string& id, std::uint32_t who) {
    proto::CallMessage m;
    m.mutable_participant_left()->set_room_id(id);
    m.mutable_participant_left()->set_participant_id(who);
    m.mutable_participant_left()->set_reason("left");
    return host(seq, std::move(m));
}

inline ev::Host ringing(std::uint64_t seq, const std::string& id, const std::string& inviteId,
                        const std::string& from, std::int64_t expiresAtSeconds = 0) {
    proto::CallMessage m;
    auto* r = m.mutable_ringing();
    r->set_room_id(id);
    r->set_invite_id(inviteId);
    r->set_from_handle(from);
    *r->mutable_room() = room(id);
    r->set_expires_at(expiresAtSeconds);
    return host(seq, std::move(m));
}

inline ev::Host outcome(std::uint64_t seq, const std::string& id, const std::string& inviteId,
                        const std::string& handle, const std::string& what) {
    proto::CallMessage m;
    auto* o = m.mutable_invite_outcome();
    o->set_room_id(id);
    o->set_invite_id(inviteId);
    o->set_handle(handle);
    o->set_outcome(what);
    return host(seq, std::move(m));
}

inline ev::Host announce(std::uint64_t seq, const std::string& id, std::uint32_t to, std::uint32_t from = 2) {
    proto::CallMessage m;
    m.mutable_announce()->set_room_id(id);
    m.mutable_announce()->set_to(to);
    m.mutable_announce()->set_from(from);
    *m.mutable_announce()->mutable_evidence() = evidence("fresh");
    return host(seq, std::move(m));
}

inline ev::Host keyUpdate(std::uint64_t seq, const std::string& id, std::uint32_t to, std::uint32_t from = 2) {
    proto::CallMessage m;
    m.mutable_key_update()->set_room_id(id);
    m.mutable_key_update()->set_to(to);
    m.mutable_key_update()->set_from(from);
    m.mutable_key_update()->set_epoch(3);
    m.mutable_key_update()->set_wrapped_key("wrapped");
    return host(seq, std::move(m));
}

inline ev::Host listening(std::uint64_t seq, const std::string& handle) {
    proto::CallMessage m;
    m.mutable_listening()->set_handle(handle);
    return host(seq, std::move(m));
}

inline ev::Host frame(std::uint64_t seq, const std::string& id, std::uint32_t from) {
    proto::CallMessage m;
    m.mutable_frame()->set_room_id(id);
    m.mutable_frame()->set_from(from);
    m.mutable_frame()->set_sframe("sframe-bytes");
    return host(seq, std::move(m));
}

inline ev::Host error(std::uint64_t seq, const std::string& code) {
    proto::CallMessage m;
    m.mutable_error()->set_code(code);
    m.mutable_error()->set_message("what to do about it");
    return host(seq, std::move(m));
}

} // namespace twinseal::test::calls
