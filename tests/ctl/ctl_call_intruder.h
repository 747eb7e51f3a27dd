// A participant driven by hand in the twinsealctl call tests, to misbehave on purpose: a twin
// registered on a test home network (its avatar uploaded; the shared CallTwin), its evidence
// built with the calls library, its own WebSocket to the room host (tests/homenet's CallWsClient) and its own frame
// keys. It joins a room honestly, then presents whatever evidence or frames a test wants.
#pragma once

#include <QDir>
#include <QtTest>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <twinseal/calls/animation_frame.h>
#include <twinseal/calls/call_frame_keys.h>
#include <twinseal/calls/evidence_builder.h>
#include <twinseal/calls/peer_evidence_verifier.h>
#include <twinseal/twin/data_layout.h>
#include <twinseal/twin/twin_session.h>
#include <twinseal/twin/twin_store.h>

#include "call_test_util.h"
#include "call_twin.h"
#include "call_ws_client.h"
#include "homenet_fixture.h"

namespace twinseal::test {

class Intruder {
public:
    // Subscriber `number` of `server`, registered with a copy of the sample avatar; null when
    // any step fails (with a warning).
    static std::unique_ptr<Intruder> make(HomenetServer& server, const QString& name, int number) {
        auto twin = makeCallTwin(server, name, number);
        if (!twin)
            return nullptr;
        return std::unique_ptr<Intruder>(new Intruder(server, std::move(twin)));
    }

    // Fresh evidence for `destination` (its ephemeral key kept when it is for the room).
    [[nodiscard]] std::optional<calls::OwnEvidence> evidence(const std::string& destination) {
        auto own = buildEvidence(*m_twin->builder, destination);
        if (!own)
            return std::nullopt;
        for (const auto& role : m_roleCredentials)
            own->evidence.add_role_credentials(role);
        return own;
    }
    // Evidence for `destination` made `secondsAgo` seconds ago (the builder's clock in the past).
    [[nodiscard]] std::optional<calls::OwnEvidence> evidenceFromThePast(const std::string& destination,
                                                                        std::int64_t secondsAgo) {
        security::FixedClock past(security::SystemClock::instance().now() - secondsAgo);
        calls::EvidenceOptions options;
        options.clock = &past;
        calls::EvidenceBuilder builder(*m_twin->store, *m_twin->session, options);
        if (!m_twin->builder->grant())
            return std::nullopt;
        auto own = builder.assemble(destination, *m_twin->builder->grant());
        if (!own.ok())
            return std::nullopt;
        return std::move(*own);
    }

    // Joins the room by its code, verifies the participants already there and sends each its
    // frame key. False (with a warning) when any step fails.
    [[nodiscard]] bool join(const std::string& roomId, const std::string& roomUri, const std::string& code) {
        m_roomId = roomId;
        auto own = evidence(roomUri);
        if (!own || !m_ws.open())
            return false;
        m_joinedWith = own->evidence;
        proto::RoomInfo room;
        room.set_room_id(roomId);
        auto joined = m_ws.request(joinMessage(room, own->evidence, code), proto::CallMessage::kRoomJoined);
        if (!joined || !joined->has_room_joined()) {
            qWarning("join refused: %s", joined ? joined->ShortDebugString().c_str() : "no answer");
            return false;
        }
        m_id = joined->room_joined().participant_id();
        std::map<std::uint32_t, security::Bytes> peers;
        for (const auto& p : joined->room_joined().participants()) {
            std::optional<security::Result<calls::PeerOutcome>> outcome;
            m_twin->verifier->verify(p.evidence(), roomUri, [&](security::Result<calls::PeerOutcome> r) { outcome.emplace(std::move(r)); });
            if (!m_ws.waitUntil([&] { return outcome.has_value(); }, 60000) || !outcome->ok() ||
                (*outcome)->report.state != security::OverallState::Verified) {
                qWarning("a peer did not verify");
                return false;
            }
            peers.emplace(p.participant_id(), (*outcome)->ephemeralKey);
        }
        m_keys = std::make_unique<calls::CallFrameKeys>(roomId, m_id, security::FrameProtection::Confidential,
                                                        own->ephemeral, security::SystemRandom::instance());
        m_peers = peers;
        auto updates = m_keys->rekey(peers);
        if (!updates.ok())
            return false;
        for (const calls::OutgoingKey& k : *updates) {
            proto::CallMessage m;
            m.mutable_key_update()->set_room_id(roomId);
            m.mutable_key_update()->set_to(k.to);
            m.mutable_key_update()->set_epoch(k.epoch);
            m.mutable_key_update()->set_wrapped_key(k.wrapped);
            m_ws.send(m);
        }
        return true;
    }

    // Presents `evidence` to everyone in the room (Announce; the host relays it as it is).
    void announce(const proto::Evidence& evidence) {
        proto::CallMessage m;
        m.mutable_announce()->set_room_id(m_roomId);
        *m.mutable_announce()->mutable_evidence() = evidence;
        m_ws.send(m);
    }
    // An animation frame protected under the current send key.
    [[nodiscard]] std::string protectedFrame(std::int64_t timestampUs) {
        calls::AnimationFrame a;
        a.timestampUs = timestampUs;
        auto payload = calls::encodeAnimationFrame(a);
        auto sframe = m_keys->protect(*payload);
        return std::string(sframe->begin(), sframe->end());
    }
    void sendFrame(const std::string& sframe) { m_ws.send(frameMessage(m_roomId, sframe)); }
    // Installs every frame key sent to it so far; true once it holds one from `from` of at
    // least `epoch`.
    bool installKeys(std::uint32_t from, std::uint64_t epoch, std::uint64_t* latest = nullptr) {
        bool have = false;
        auto& inbox = m_ws.inbox();
        for (auto it = inbox.begin(); it != inbox.end();) {
            if (!it->has_key_update()) {
                ++it;
                continue;
            }
            const auto& k = it->key_update();
            if (auto peer = m_peers.find(k.from()); peer != m_peers.end())
                (void)m_keys->installPeerKey(k.from(), peer->second, k.epoch(), security::view(k.wrapped_key()));
            if (k.from() == from && k.epoch() >= epoch) {
                have = true;
                if (latest)
                    *latest = k.epoch();
            }
            it = inbox.erase(it);
        }
        return have;
    }

    // Role credentials (Signed envelopes) added to the evidence it builds from now on.
    void presentRoles(std::vector<std::string> roles) { m_roleCredentials = std::move(roles); }
    [[nodiscard]] QString credentialPath() const { return m_twin->store->path(twin::layout::kCredential); }
    // Unprotects every frame from `from` in the inbox (installing the keys sent to it first);
    // each result's error code (Ok for a frame it could read) is appended to `results`.
    void readFrames(std::uint32_t from, std::vector<security::ErrorCode>& results) {
        installKeys(from, 0);
        auto& inbox = m_ws.inbox();
        for (auto it = inbox.begin(); it != inbox.end();) {
            if (!it->has_frame() || it->frame().from() != from) {
                ++it;
                continue;
            }
            auto payload = m_keys->unprotect(from, security::view(it->frame().sframe()));
            results.push_back(payload.ok() ? security::ErrorCode::Ok : payload.error().code);
            it = inbox.erase(it);
        }
    }
    [[nodiscard]] CallWsClient& ws() { return m_ws; }
    [[nodiscard]] calls::CallFrameKeys& keys() { return *m_keys; }
    [[nodiscard]] std::uint32_t id() const { return m_id; }
    [[nodiscard]] const proto::Evidence& joinedWith() const { return m_joinedWith; }
    [[nodiscard]] const std::string& dtId() const { return m_twin->dtId; }
    [[nodiscard]] const security::Digest& mediaRoot() const { return m_twin->mediaRoot; }
    [[nodiscard]] netclient::ServiceClient& client() { return *m_twin->subscriber->client; }

private:
    Intruder(HomenetServer& server, std::unique_ptr<CallTwin> twin) : m_twin(std::move(twin)), m_ws(server) {}

    std::unique_ptr<CallTwin> m_twin;
    CallWsClient m_ws;
    std::string m_roomId;
    std::uint32_t m_id = 0;
    proto::Evidence m_joinedWith;
    std::unique_ptr<calls::CallFrameKeys> m_keys;
    std::map<std::uint32_t, security::Bytes> m_peers;
    std::vector<std::string> m_roleCredentials;
};

} // namespace twinseal::test
