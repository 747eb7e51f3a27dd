// SFrame (RFC 9605): end-to-end protection of media frames (here: avatar animation frames)
// that pass through a relay which can neither read nor undetectably alter them.
//
//   frame = header(KID, CTR) || AEAD.Encrypt(sframe_key, sframe_salt XOR CTR,
//                                            header || metadata, payload)
//
// SFrameContext holds one participant's keys: send keys (each with its own monotonic counter)
// and receive keys (each with its own replay window), all indexed by KID. Keys come from
// frame_keys.h (per-sender, per-epoch base keys). Not thread-safe: use one context per thread,
// or serialise the calls.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>

#include "twinseal/security/sframe_header.h"
#include "twinseal/security/sframe_replay.h"
#include "twinseal/security/sframe_suite.h"

namespace twinseal::security {

// ---- One frame with explicit key material and counter (RFC 9605 sections 4.4.3, 4.4.4) ----------

// header || ciphertext || tag for (KID, CTR) under keys from deriveSFrameKeys.
[[nodiscard]] Result<Bytes> sframeEncrypt(CipherSuite suite, const SFrameKeyMaterial& keys,
                                          const SFrameHeader& header, ByteView metadata,
                                          ByteView plaintext);

struct SFrameDecrypted {
    SFrameHeader header;
    Bytes plaintext;
};
// Decrypts a frame (the caller already picked `keys` for its KID). No replay check.
[[nodiscard]] Result<SFrameDecrypted>
sframeDecrypt(CipherSuite suite, const SFrameKeyMaterial& keys, ByteView frame, ByteView metadata);

// ---- The stateful context -----------------------------------------------------------------------

struct SFrameOptions {
    // Counters remembered per receive key (see SFrameReplayWindow). Frames may arrive out of
    // order by up to this many counters.
    std::size_t replayWindow = kDefaultSFrameReplayWindow;
    // The last counter a send key may use; protect() refuses with SFrameCounterExhausted after
    // it, so a (key, nonce) pair is never used twice. Re-key well before.
    std::uint64_t maxCounter = std::numeric_limits<std::uint64_t>::max();
};

class SFrameContext {
  public:
    explicit SFrameContext(CipherSuite suite = kDefaultCipherSuite, SFrameOptions options = {});
    ~SFrameContext();
    SFrameContext(SFrameContext&&) noexcept;
    SFrameContext& operator=(SFrameContext&&) noexcept;
    SFrameContext(const SFrameContext&) = delete;
    SFrameContext& operator=(const SFrameContext&) = delete;

    [[nodiscard]] CipherSuite suite() const noexcept;
    // False for the integrity-only suite: the payload travels in clear (authenticated only).
    [[nodiscard]] bool encrypts() const noexcept;

    // Derives sframe_key/sframe_salt from base_key for `kid`. The counter starts at 0. A KID
    // that already has a send key is refused (InvalidArgument): re-adding it would restart the
    // counter and reuse nonces; use a new KID per key.
    [[nodiscard]] Status addSendKey(std::uint64_t kid, ByteView baseKey);
    // Forgets the key (its material is cleansed). False if there was none.
    bool removeSendKey(std::uint64_t kid);

    // A receive key with a fresh replay window. A KID that already has one is refused.
    [[nodiscard]] Status addReceiveKey(std::uint64_t kid, ByteView baseKey);
    bool removeReceiveKey(std::uint64_t kid);
    [[nodiscard]] bool hasReceiveKey(std::uint64_t kid) const;

    // The next counter `kid`'s send key will use (SFrameUnknownKeyId if none).
    [[nodiscard]] Result<std::uint64_t> nextCounter(std::uint64_t kid) const;

    // Protects one frame under the send key `kid` with its next counter.
    //   SFrameUnknownKeyId: no send key `kid`; SFrameCounterExhausted: re-key first.
    [[nodiscard]] Result<Bytes> protect(std::uint64_t kid, ByteView metadata, ByteView plaintext);
    // The same, writing into `frame` (its capacity is reused across calls).
    [[nodiscard]] Status protectInto(std::uint64_t kid, ByteView metadata, ByteView plaintext,
                                     Bytes& frame);

    // Checks and opens one frame. The counter is recorded only once the frame authenticates.
    //   SFrameMalformed, SFrameUnknownKeyId, SFrameReplayed, SFrameTooOld,
    //   SFrameAuthenticationFailed (altered, or sealed under another key).
    [[nodiscard]] Result<Bytes> unprotect(ByteView frame, ByteView metadata);
    // The same, writing the payload into `plaintext`; returns the frame's KID and counter.
    [[nodiscard]] Result<SFrameHeader> unprotectInto(ByteView frame, ByteView metadata,
                                                     Bytes& plaintext);

  private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace twinseal::security
