#include "twinseal/calls/call_frame_keys.h"

#include <algorithm>

namespace twinseal::calls {

using namespace twinseal::security;

namespace {

constexpr std::size_t kNonceSize = 12;
constexpr std::size_t kWrappedSize = kEpochSecretSize + 16;
constexpr std::size_t kKeepEpochsPerPeer = 2;

FrameKeyEpoch epochView(const std::string& roomId, std::uint64_t epoch, CipherSuite suite,
                        const Bytes& sender, std::vector<Bytes> members) {
    std::sort(members.begin(), members.end());
    FrameKeyEpoch e;
    e.roomId = roomId;
    e.epoch = epoch;
    e.suite = suite;
    e.senderKey = sender;
    e.senderIndex = static_cast<std::uint16_t>(std::find(members.begin(), members.end(), sender) - members.begin());
    e.members = std::move(members);
    return e;
}

} // namespace

CallFrameKeys::CallFrameKeys(std::string roomId, std::uint32_t self, FrameProtection protection,
                             std::shared_ptr<const CallKeyPair> own, Random& random)
    : m_roomId(std::move(roomId)), m_self(self), m_protection(protection),
      m_suite(cipherSuiteFor(protection)), m_own(std::move(own)), m_random(random), m_send(m_suite) {}

Bytes CallFrameKeys::metadata(std::uint32_t sender) const {
    Bytes m(m_roomId.begin(), m_roomId.end());
    for (int i = 3; i >= 0; --i)
        m.push_back(static_cast<std::uint8_t>(sender >> (8 * i)));
    return m;
}

Result<std::vector<OutgoingKey>> CallFrameKeys::rekey(const std::map<std::uint32_t, Bytes>& verifiedPeers) {
    std::vector<Bytes> roster{m_own->publicKey()};
    for (const auto& [id, key] : verifiedPeers)
        roster.push_back(key);
    const FrameKeyEpoch view = epochView(m_roomId, m_epoch + 1, m_suite, m_own->publicKey(), roster);
    auto sender = m_own->beginEpoch(view, m_random);
    TWINSEAL_TRY(sender);
    TWINSEAL_TRY(m_send.addSendKey(sender->kid, ByteView(sender->baseKey.data(), sender->baseKey.size())));
    if (m_keyed)
        m_send.removeSendKey(m_sendKid);
    m_keyed = true;
    m_sendKid = sender->kid;
    m_epoch = view.epoch;

    Bytes rosterBytes;
    rosterBytes.push_back(static_cast<std::uint8_t>(view.members.size() >> 8));
    rosterBytes.push_back(static_cast<std::uint8_t>(view.members.size()));
    for (const Bytes& k : view.members)
        rosterBytes.insert(rosterBytes.end(), k.begin(), k.end());
    std::vector<OutgoingKey> out;
    for (const auto& [id, key] : verifiedPeers) {
        const auto w = std::find_if(sender->bundle.wrapped.begin(), sender->bundle.wrapped.end(),
                                    [&peerKey = key](const WrappedEpochSecret& x) { return x.recipientKey == peerKey; });
        if (w == sender->bundle.wrapped.end())
            return makeError(ErrorCode::Internal, "no wrapped epoch key for participant " + std::to_string(id));
        OutgoingKey k{id, m_epoch, std::string(rosterBytes.begin(), rosterBytes.end())};
        k.wrapped.append(w->nonce.begin(), w->nonce.end());
        k.wrapped.append(w->ciphertext.begin(), w->ciphertext.end());
        out.push_back(std::move(k));
    }
    return out;
}

Status CallFrameKeys::installPeerKey(std::uint32_t from, ByteView peerKey, std::uint64_t epoch, ByteView wrapped) {
    if (wrapped.size() < 2)
        return makeError(ErrorCode::MalformedInput, "a key update from participant " + std::to_string(from) +
                                                        " without its roster");
    const std::size_t count = (std::size_t{wrapped[0]} << 8) | wrapped[1];
    if (count < 2 || wrapped.size() != 2 + count * kCallKeySize + kNonceSize + kWrappedSize)
        return makeError(ErrorCode::MalformedInput, "a key update from participant " + std::to_string(from) +
                                                        " whose length does not match its roster of " +
                                                        std::to_string(count));
    std::vector<Bytes> members;
    for (std::size_t i = 0; i < count; ++i) {
        const auto* k = wrapped.data() + 2 + i * kCallKeySize;
        members.emplace_back(k, k + kCallKeySize);
    }
    const Bytes sender(peerKey.begin(), peerKey.end());
    if (std::find(members.begin(), members.end(), sender) == members.end())
        return makeError(ErrorCode::FrameKeyContextMismatch,
                         "participant " + std::to_string(from) +
                             "'s key update is not for the key of its verified assertion");
    Peer& peer = m_peers[from];
    if (epoch <= peer.lastEpoch)
        return makeError(ErrorCode::FrameKeyContextMismatch,
                         "participant " + std::to_string(from) + " sent a key for epoch " + std::to_string(epoch) +
                             ", not after its epoch " + std::to_string(peer.lastEpoch));
    const auto* rest = wrapped.data() + 2 + count * kCallKeySize;
    EpochKeyBundle bundle;
    bundle.epoch = epochView(m_roomId, epoch, m_suite, sender, std::move(members));
    WrappedEpochSecret w;
    w.recipientKey = m_own->publicKey();
    w.nonce.assign(rest, rest + kNonceSize);
    w.ciphertext.assign(rest + kNonceSize, rest + kNonceSize + kWrappedSize);
    bundle.wrapped.push_back(std::move(w));
    auto key = m_own->openEpochBundle(bundle.epoch, bundle);
    TWINSEAL_TRY(key);
    if (!peer.context)
        peer.context = std::make_unique<SFrameContext>(m_suite);
    TWINSEAL_TRY(peer.context->addReceiveKey(key->kid, ByteView(key->baseKey.data(), key->baseKey.size())));
    peer.kids.push_back(key->kid);
    peer.lastEpoch = epoch;
    while (peer.kids.size() > kKeepEpochsPerPeer) {
        peer.context->removeReceiveKey(peer.kids.front());
        peer.kids.pop_front();
    }
    return {};
}

void CallFrameKeys::forgetPeer(std::uint32_t id) { m_peers.erase(id); }

bool CallFrameKeys::hasPeerKey(std::uint32_t id) const {
    const auto it = m_peers.find(id);
    return it != m_peers.end() && !it->second.kids.empty();
}

Result<Bytes> CallFrameKeys::protect(ByteView payload) {
    if (!m_keyed)
        return makeError(ErrorCode::SFrameUnknownKeyId, "no frame key yet: the call has not been keyed");
    return m_send.protect(m_sendKid, metadata(m_self), payload);
}

Result<Bytes> CallFrameKeys::unprotect(std::uint32_t from, ByteView frame) {
    const auto it = m_peers.find(from);
    if (it == m_peers.end() || !it->second.context)
        return makeError(ErrorCode::SFrameUnknownKeyId,
                         "no frame key from participant " + std::to_string(from) + " (not keyed yet, or removed)");
    return it->second.context->unprotect(frame, metadata(from));
}

} // namespace twinseal::calls
