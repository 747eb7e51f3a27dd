// A participant driven by hand in the twinsealctl call tests, to misbehave on purpose: a twin
// registered on a test home network (its avatar uploaded), its evidence built with the calls
// library, its own WebSocket to the room host (tests/homenet's CallWsClient) and its own frame
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
#include <twinseal/netclient/avatar_transfer.h>
#include <twinseal/twin/data_layout.h>
#include <twinseal/twin/twin_session.h>
#include <twinseal/twin/twin_store.h>

#include "call_test_util.h"
#include "call_ws_client.h"
#include "homenet_fixture.h"

namespace twinseal::test {

class Intruder {
public:
    // Subscriber `number` of `server`, registered with a copy of the sample avatar; null when
    // any step fails (with a warning).
    static std::unique_ptr<Intruder> make(HomenetServer& server, const QString& name, int number) {
        auto d = std::unique_ptr<Intruder>(new Intruder(server));
        d->m_subscriber.emplace(addTestSubscriber(server, name + QStringLiteral(".usim"), number));
        TestSubscriber& s = *d->m_subscriber;
        const QString package = avatarCopy(server.scratch(name + QStringLiteral("-avatar")), number);
        security::Manifest manifest;
        const security::Bytes signedBytes = signedManifest(package, s.holder, &manifest);
        if (!authenticate(*s.client).ok())
            return nullptr;
        auto reg = registerDt(s, signedBytes);
        if (!reg.ok())
            return nullptr;
        d->m_dtId = reg->credential.claims.dtId;
        d->m_mediaRoot = reg->credential.claims.mediaRoot;
        if (!await<netclient::AvatarRecord>([&](auto cb) {
                 s.client->uploadAvatar(reg->credential.claims.avatarId, manifest, package, std::move(cb));
             }).ok())
            return nullptr;
        d->m_store = std::make_unique<twin::TwinStore>(server.scratch(name + QStringLiteral("-data")));
        QDir().mkpath(d->m_store->dataDir());
        if (!d->m_store->storeCredential(reg->credentialBytes).ok())
            return nullptr;
        auto profile = security::UsimProfileData::load(s.path.toStdString());
        if (!profile.ok())
            return nullptr;
        d->m_session = std::make_unique<twin::TwinSession>(std::move(*profile), s.path);
        d->m_session->adoptKey(std::move(s.holder));
        d->m_builder = std::make_unique<calls::EvidenceBuilder>(*d->m_store, *d->m_session);
        auto stores = calls::storesOf(*d->m_store, s.profile.trustListPem);
        if (!stores.ok())
            return nullptr;
        calls::PeerVerifierConfig config;
        config.stores = std::move(*stores);
        config.homeNetworks.add(calls::HomeNetworkEntry::fromProfile(s.profile));
        config.cacheDir = server.scratch(name + QStringLiteral("-cache"));
        d->m_verifier = std::make_unique<calls::PeerEvidenceVerifier>(config);
        return d;
    }

    // Fresh evidence for `destination` (its ephemeral key kept when it is for the room).
    [[nodiscard]] std::optional<calls::OwnEvidence> evidence(const std::string& destination) {
        auto own = await<calls::OwnEvidence>([&](auto cb) { m_builder->build(destination, std::move(cb)); });
        if (!own.ok())
            return std::nullopt;
        for (const auto& role : m_roleCredentials)
            own->evidence.add_role_credentials(role);
        return std::move(*own);
    }
    // Evidence for `destination` made `secondsAgo` seconds ago (the builder's clock in the past).
    [[nodiscard]] std::optional<calls::OwnEvidence> evidenceFromThePast(const std::string& destination,
                                                                        std::int64_t secondsAgo) {
        security::FixedClock past(security::SystemClock::instance().now() - secondsAgo);
        calls::EvidenceOptions options;
        options.clock = &past;
        calls::EvidenceBuilder builder(*m_store, *m_session, options);
        if (!m_builder->grant())
            return std::nullopt;
        auto own = builder.assemble(destination, *m_builder->grant());
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
            m_verifier->verify(p.evidence(), roomUri, [&](security::Result<calls::PeerOutcome> r) { outcome.emplace(std::move(r)); });
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
    [[nodiscard]] QString credentialPath() const { return m_store->path(twin::layout::kCredential); }
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
    [[nodiscard]] const std::string& dtId() const { return m_dtId; }
    [[nodiscard]] const security::Digest& mediaRoot() const { return m_mediaRoot; }
    [[nodiscard]] netclient::ServiceClient& client() { return *m_subscriber->client; }

private:
    explicit Intruder(HomenetServer& server) : m_ws(server) {}

    std::optional<TestSubscriber> m_subscriber;
    std::string m_dtId;
    security::Digest m_mediaRoot{};
    std::unique_ptr<twin::TwinStore> m_store;
    std::unique_ptr<twin::TwinSession> m_session;
    std::unique_ptr<calls::EvidenceBuilder> m_builder;
    std::unique_ptr<calls::PeerEvidenceVerifier> m_verifier;
    CallWsClient m_ws;
    std::string m_roomId;
    std::uint32_t m_id = 0;
    proto::Evidence m_joinedWith;
    std::unique_ptr<calls::CallFrameKeys> m_keys;
    std::map<std::uint32_t, security::Bytes> m_peers;
    std::vector<std::string> m_roleCredentials;
};

} // namespace twinseal::test
