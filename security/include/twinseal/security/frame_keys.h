// The call's frame keys: per-sender, per-epoch SFrame base keys (sframe.h), agreed from the
// ephemeral X25519 keys bound in the participants' verified call assertions (claim "epk").
//
// Epochs. A call's key set is numbered in epochs: a new epoch at every join, leave or removal
// (e.g. a credential revoked during the call) and on the re-key timer. An epoch has a roster:
// the ephemeral public keys of every participant in it.
//
// Per epoch, each sender:
//   1. draws a fresh 32-byte epoch secret from the CSPRNG (nothing anyone held before);
//   2. derives its SFrame base key and KID from it:
//        base_key = HKDF-SHA256(ikm = epoch secret, salt = "twinseal frame-keys v1 base",
//                               info = context), 32 bytes
//        KID      = epoch << 16 | sender index
//   3. wraps the epoch secret for every other member of the roster, under a pairwise key:
//        shared   = X25519(sender ephemeral private, recipient ephemeral public)
//        wrap_key = HKDF-SHA256(ikm = shared, salt = "twinseal frame-keys v1 wrap",
//                               info = context || sender epk || recipient epk), 32 bytes
//        wrapped  = AES-256-GCM(wrap_key, random 96-bit nonce, aad = context, epoch secret)
// where context = SHA-256("twinseal frame-keys v1 context" || len(room id) (2 BE) || room id ||
// epoch (8 BE) || sender index (2 BE) || cipher suite (2 BE) || sender epk || roster size (2 BE)
// || the roster's keys in ascending byte order). The base key and each wrap are therefore bound
// to the room, the epoch, the suite, the sender and every member's public key.
//
// Why a removed participant cannot read later epochs: the later epoch secrets are fresh
// randomness, wrapped only to that epoch's roster, each wrap under a key only the sender and
// that recipient can compute (X25519 of their ephemeral keys). Nothing the removed participant
// holds — its old epoch secrets, base keys, or its own pairwise keys — says anything about them.
// Wraps also authenticate the sender: only it (or the recipient) can compute the pairwise key
// for its verified epk. Discarding old epoch secrets keeps earlier epochs closed after a
// compromise.
//
// Integrity-only rooms use the same keys with the integrity-only suite (frames authenticated,
// not encrypted); see cipherSuiteFor().
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "twinseal/security/clock.h"
#include "twinseal/security/crypto.h"
#include "twinseal/security/sframe_suite.h"

namespace twinseal::security {

inline constexpr std::size_t kCallKeySize = 32; // X25519 keys
inline constexpr std::size_t kEpochSecretSize = 32;
inline constexpr std::size_t kFrameBaseKeySize = 32;
inline constexpr std::uint64_t kMaxFrameKeyEpoch = (std::uint64_t{1} << 48) - 1;

// What a room's policy asks of its frames.
enum class FrameProtection {
    Confidential,  // encrypted and authenticated (AES_128_GCM_SHA256_128 by default)
    IntegrityOnly, // authenticated, NOT encrypted: anyone on the path can read the frames
};

[[nodiscard]] std::string_view frameProtectionName(FrameProtection p) noexcept;
// Confidential: the default suite, or AES_128_CTR_HMAC_SHA256_80 with `preferCtrHmac`;
// IntegrityOnly: TWINSEAL_INTEGRITY_ONLY_HMAC_SHA256_128.
[[nodiscard]] CipherSuite cipherSuiteFor(FrameProtection p, bool preferCtrHmac = false) noexcept;
[[nodiscard]] FrameProtection frameProtectionOf(CipherSuite suite) noexcept;

// KID = epoch << 16 | sender index.
[[nodiscard]] std::uint64_t frameKeyId(std::uint64_t epoch, std::uint16_t senderIndex) noexcept;

// One sender's view of one epoch. Every receiver builds the same from the room's signalling and
// the verified assertions (senderKey and members are "epk" claims of verified assertions).
struct FrameKeyEpoch {
    std::string roomId;
    std::uint64_t epoch = 0;
    CipherSuite suite = kDefaultCipherSuite;
    std::uint16_t senderIndex = 0;
    Bytes senderKey;            // the sender's ephemeral X25519 public key
    std::vector<Bytes> members; // the roster: every participant's key, the sender's included

    bool operator==(const FrameKeyEpoch&) const = default;
};

// The context digest above. InvalidArgument for an empty room id, an epoch above
// kMaxFrameKeyEpoch, keys that are not 32 bytes, a sender not in the roster, or duplicates.
[[nodiscard]] Result<Digest> frameKeyContext(const FrameKeyEpoch& epoch);

struct WrappedEpochSecret {
    Bytes recipientKey; // the recipient's ephemeral public key
    Bytes nonce;        // 12 bytes
    Bytes ciphertext;   // AES-256-GCM: 32-byte secret || 16-byte tag
};

// What a sender sends to the room at the start of an epoch.
struct EpochKeyBundle {
    FrameKeyEpoch epoch;
    std::vector<WrappedEpochSecret> wrapped; // one per roster member but the sender
};

struct SenderEpochKey {
    std::uint64_t kid = 0;
    SecureBytes baseKey; // for SFrameContext::addSendKey(kid, baseKey)
    EpochKeyBundle bundle;
};

struct ReceivedEpochKey {
    std::uint64_t kid = 0;
    SecureBytes baseKey; // for SFrameContext::addReceiveKey(kid, baseKey)
};

// A participant's ephemeral X25519 key pair for one call. The private half never leaves this
// object and is cleansed when it is freed.
class CallKeyPair {
  public:
    [[nodiscard]] static Result<CallKeyPair> generate(Random& rng);
    // From a 32-byte private key (test vectors only; never reuse an ephemeral key).
    [[nodiscard]] static Result<CallKeyPair> fromPrivateBytes(ByteView privateKey);

    // The "epk" to bind into this participant's call assertion.
    [[nodiscard]] const Bytes& publicKey() const noexcept { return m_public; }

    // Starts an epoch as its sender: a fresh epoch secret, this sender's base key and KID, and
    // the bundle for the others. `epoch.senderKey` must be this key pair's public key.
    [[nodiscard]] Result<SenderEpochKey> beginEpoch(const FrameKeyEpoch& epoch, Random& rng) const;

    // Opens the bundle a sender sent for `expected` (this receiver's own view of the epoch).
    //   FrameKeyContextMismatch: the bundle is for another room, epoch, suite, sender or roster;
    //   FrameKeyNotAddressed: this participant is not in the roster, or no wrap is for it;
    //   FrameKeyUnwrapFailed: the wrap does not open (altered, or not meant for this key).
    [[nodiscard]] Result<ReceivedEpochKey> openEpochBundle(const FrameKeyEpoch& expected,
                                                           const EpochKeyBundle& bundle) const;

  private:
    SecureBytes m_private;
    Bytes m_public;
};

} // namespace twinseal::security
