// One participant's frame keys for a call: its own per-epoch SFrame send key (frame_keys.h),
// the epoch secret wrapped for each verified peer (KeyUpdate.wrapped_key), and every peer's
// receive keys, each peer with its own SFrameContext (counters and a replay window per key).
//
// KeyUpdate.wrapped_key carries what the recipient needs to rebuild the sender's epoch view:
//   roster size (2 BE) | the roster's ephemeral public keys, ascending (32 bytes each) |
//   nonce (12) | ciphertext (48)
// The recipient accepts it only when the sender's key is the `epk` of the sender's verified
// assertion and its own key is in the roster (frame_keys.h binds the key to the room, epoch,
// suite, sender and roster). The sender index is the sender key's place in the roster.
//
// Every frame's SFrame metadata (authenticated, not sent) is the room id and the sender's
// participant id, so a frame replayed into another room or re-attributed by the relay fails.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <twinseal/security/frame_keys.h>
#include <twinseal/security/sframe.h>

namespace twinseal::calls {

struct OutgoingKey {
    std::uint32_t to = 0;
    std::uint64_t epoch = 0;
    std::string wrapped; // KeyUpdate.wrapped_key
};

class CallFrameKeys {
public:
    CallFrameKeys(std::string roomId, std::uint32_t self, security::FrameProtection protection,
                  std::shared_ptr<const security::CallKeyPair> own, security::Random& random);

    [[nodiscard]] security::FrameProtection protection() const noexcept { return m_protection; }
    [[nodiscard]] std::uint64_t epoch() const noexcept { return m_epoch; }
    [[nodiscard]] const security::Bytes& ownKey() const noexcept { return m_own->publicKey(); }

    // A new epoch for these verified peers (participant id -> its verified `epk`): a fresh send
    // key (the previous one is forgotten) and one wrapped key per peer.
    [[nodiscard]] security::Result<std::vector<OutgoingKey>>
    rekey(const std::map<std::uint32_t, security::Bytes>& verifiedPeers);

    // A peer's KeyUpdate. `peerKey` is the `epk` of its verified assertion. The peer's two most
    // recent epochs stay installed (frames of the previous one may still be on the way).
    //   MalformedInput: the wrapped key's layout; FrameKeyContextMismatch: not the sender's
    //   verified key, or an epoch not after the last one; FrameKeyNotAddressed, FrameKeyUnwrapFailed.
    [[nodiscard]] security::Status installPeerKey(std::uint32_t from, security::ByteView peerKey,
                                                  std::uint64_t epoch, security::ByteView wrapped);
    // Forgets a peer's keys (it left, or was removed).
    void forgetPeer(std::uint32_t id);
    [[nodiscard]] bool hasPeerKey(std::uint32_t id) const;

    // SFrameUnknownKeyId before the first rekey().
    [[nodiscard]] security::Result<security::Bytes> protect(security::ByteView payload);
    // SFrameUnknownKeyId when the peer has no key for the frame, and the errors of
    // SFrameContext::unprotect (replay window included).
    [[nodiscard]] security::Result<security::Bytes> unprotect(std::uint32_t from, security::ByteView frame);

private:
    struct Peer {
        std::unique_ptr<security::SFrameContext> context;
        std::deque<std::uint64_t> kids; // oldest first
        std::uint64_t lastEpoch = 0;
    };
    [[nodiscard]] security::Bytes metadata(std::uint32_t sender) const;

    std::string m_roomId;
    std::uint32_t m_self;
    security::FrameProtection m_protection;
    security::CipherSuite m_suite;
    std::shared_ptr<const security::CallKeyPair> m_own;
    security::Random& m_random;
    security::SFrameContext m_send;
    std::uint64_t m_epoch = 0;
    std::uint64_t m_sendKid = 0;
    bool m_keyed = false;
    std::map<std::uint32_t, Peer> m_peers;
};

} // namespace twinseal::calls
