// Thin, checked wrappers over OpenSSL 3 primitives. All inputs are spans; all failures are
// Results. These are the functions the Project Wycheproof suites exercise.
#pragma once

#include <array>
#include <cstdint>

#include "twinseal/security/bytes.h"

namespace twinseal::security {

using Digest = std::array<std::uint8_t, 32>;

[[nodiscard]] Digest sha256(ByteView data);

// Incremental SHA-256.
class Sha256 {
public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;
    void update(ByteView data);
    [[nodiscard]] Digest finish();

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

[[nodiscard]] Result<Bytes> hmacSha256(ByteView key, ByteView data);
// Verifies a (possibly truncated, >= 10 bytes per RFC 2104's advice; we require >= 8) tag in
// constant time.
[[nodiscard]] Status hmacSha256Verify(ByteView key, ByteView data, ByteView tag);

// RFC 5869.
[[nodiscard]] Result<SecureBytes> hkdfSha256(ByteView ikm, ByteView salt, ByteView info,
                                             std::size_t length);

enum class Aead { Aes128Gcm, Aes192Gcm, Aes256Gcm, ChaCha20Poly1305 };

// AEAD seal: returns ciphertext || tag (16-byte tag).
[[nodiscard]] Result<Bytes> aeadSeal(Aead aead, ByteView key, ByteView nonce, ByteView aad,
                                     ByteView plaintext);
// AEAD open of ciphertext || tag. A failed tag check is ErrorCode::BadSignature.
[[nodiscard]] Result<SecureBytes> aeadOpen(Aead aead, ByteView key, ByteView nonce, ByteView aad,
                                           ByteView ciphertextAndTag);
// Picks the AES-GCM variant from the key length (16/24/32 bytes).
[[nodiscard]] Result<Aead> aesGcmForKey(std::size_t keyLength);

// X25519 (RFC 7748). Rejects an all-zero shared secret.
[[nodiscard]] Result<SecureBytes> x25519(ByteView privateKey, ByteView peerPublicKey);
[[nodiscard]] Result<Bytes> x25519PublicFromPrivate(ByteView privateKey);

// ECDH on P-256: private key as a big-endian scalar, peer key as DER SubjectPublicKeyInfo.
[[nodiscard]] Result<SecureBytes> ecdhP256(ByteView privateScalar, ByteView peerSpkiDer);

// Signature verification with a raw public key.
//   Ed25519: 32-byte key, 64-byte signature (RFC 8032).
[[nodiscard]] Status ed25519Verify(ByteView publicKey, ByteView message, ByteView signature);
//   ECDSA P-256/SHA-256: key as uncompressed SEC1 point (65 bytes) or DER SPKI.
[[nodiscard]] Status ecdsaP256VerifyDer(ByteView publicKey, ByteView message,
                                        ByteView derSignature);
[[nodiscard]] Status ecdsaP256VerifyP1363(ByteView publicKey, ByteView message,
                                          ByteView rsSignature);
// Conversions between DER ECDSA-Sig-Value and JOSE's fixed 64-byte r||s.
[[nodiscard]] Result<Bytes> ecdsaDerToP1363(ByteView der);
[[nodiscard]] Result<Bytes> ecdsaP1363ToDer(ByteView rs);

} // namespace twinseal::security
