// SFrame (RFC 9605) cipher suites, key schedule (section 4.4.2) and per-frame AEAD
// (sections 4.4.3, 4.5): the stateless building blocks under SFrameContext (sframe.h).
//
// Suite values are those of the IANA "SFrame Cipher Suites" registry:
//   0x0001 AES_128_CTR_HMAC_SHA256_80   0x0004 AES_128_GCM_SHA256_128 (the default)
//   0x0002 AES_128_CTR_HMAC_SHA256_64   0x0005 AES_256_GCM_SHA512_128
//   0x0003 AES_128_CTR_HMAC_SHA256_32   0x0006..0x0008 AES_256_CTR_HMAC_SHA512_80/64/32
// plus one suite of the registry's private-use range for rooms whose policy forbids
// confidentiality:
//   0xF001 TWINSEAL_INTEGRITY_ONLY_HMAC_SHA256_128 — frames are NOT encrypted. The payload is
//          carried in clear, followed by a 128-bit HMAC-SHA256 tag under a 256-bit key computed
//          exactly as the CTR+HMAC suites compute theirs (RFC 9605 section 4.5.1 compute_tag over
//          header || metadata and the payload), with the same header, counters and replay rules.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "twinseal/security/bytes.h"

namespace twinseal::security {

enum class CipherSuite : std::uint16_t {
    Aes128CtrHmacSha256_80 = 0x0001,
    Aes128CtrHmacSha256_64 = 0x0002,
    Aes128CtrHmacSha256_32 = 0x0003,
    Aes128GcmSha256_128 = 0x0004,
    Aes256GcmSha512_128 = 0x0005,
    Aes256CtrHmacSha512_80 = 0x0006,
    Aes256CtrHmacSha512_64 = 0x0007,
    Aes256CtrHmacSha512_32 = 0x0008,
    IntegrityOnlyHmacSha256_128 = 0xF001,
};

inline constexpr CipherSuite kDefaultCipherSuite = CipherSuite::Aes128GcmSha256_128;

// How a suite protects the payload.
enum class FrameAead { AesGcm, AesCtrHmac, HmacOnly };

// The registry's columns (sizes in bytes) plus how the suite works.
struct CipherSuiteInfo {
    CipherSuite suite;
    std::string_view name; // e.g. "AES_128_GCM_SHA256_128"
    FrameAead aead;
    std::size_t nh;  // hash output size of the key schedule (32: SHA-256, 64: SHA-512)
    std::size_t nka; // AES key size inside sframe_key (CTR+HMAC); 0 otherwise
    std::size_t nk;  // sframe_key size
    std::size_t nn;  // nonce size (12 for every suite)
    std::size_t nt;  // tag size
    bool encrypts;   // false only for the integrity-only suite
};

// UnsupportedAlgorithm for a value that is not one of the suites above.
[[nodiscard]] Result<CipherSuiteInfo> cipherSuiteInfo(std::uint16_t value);
[[nodiscard]] CipherSuiteInfo cipherSuiteInfo(CipherSuite suite) noexcept;

// ---- Key schedule (RFC 9605 section 4.4.2) ------------------------------------------------------

// sframe_secret = HKDF-Extract("", base_key) with the suite's hash.
[[nodiscard]] Result<SecureBytes> sframeSecret(CipherSuite suite, ByteView baseKey);
// "SFrame 1.0 Secret key " || KID (8 bytes BE) || cipher_suite (2 bytes BE), and "... salt ".
[[nodiscard]] Bytes sframeKeyLabel(CipherSuite suite, std::uint64_t kid);
[[nodiscard]] Bytes sframeSaltLabel(CipherSuite suite, std::uint64_t kid);

struct SFrameKeyMaterial {
    SecureBytes key;  // sframe_key, Nk bytes
    SecureBytes salt; // sframe_salt, Nn bytes
};

// sframe_key = HKDF-Expand(sframe_secret, key label, Nk); sframe_salt likewise with Nn.
// An empty base key is InvalidArgument.
[[nodiscard]] Result<SFrameKeyMaterial> deriveSFrameKeys(CipherSuite suite, std::uint64_t kid,
                                                         ByteView baseKey);

// nonce = sframe_salt XOR (CTR as Nn bytes, big-endian).
[[nodiscard]] Bytes sframeNonce(ByteView salt, std::uint64_t ctr);

// ---- The suite's AEAD on its own (RFC 9605 sections 4.5, 4.5.1) ---------------------------------

// key is sframe_key (Nk bytes; for CTR+HMAC enc_key || auth_key). Returns ct || tag (for the
// integrity-only suite: plaintext || tag).
[[nodiscard]] Result<Bytes> sframeAeadSeal(CipherSuite suite, ByteView key, ByteView nonce,
                                           ByteView aad, ByteView plaintext);
// SFrameAuthenticationFailed when the tag does not verify (compared in constant time).
[[nodiscard]] Result<Bytes> sframeAeadOpen(CipherSuite suite, ByteView key, ByteView nonce,
                                           ByteView aad, ByteView ciphertextAndTag);

} // namespace twinseal::security
