// Holder and issuer keys. Private key material lives only inside SigningKey (an OpenSSL
// EVP_PKEY, cleansed by OpenSSL on free) and in the encrypted key file.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "twinseal/security/bytes.h"
#include "twinseal/security/clock.h"
#include "twinseal/security/crypto.h"

namespace twinseal::security {

enum class KeyAlgorithm { Ed25519, EcdsaP256 };

[[nodiscard]] std::string_view keyAlgorithmName(KeyAlgorithm alg) noexcept; // "Ed25519"/"P-256"
[[nodiscard]] std::string_view joseAlgorithm(KeyAlgorithm alg) noexcept;    // "EdDSA"/"ES256"
[[nodiscard]] Result<KeyAlgorithm> keyAlgorithmFromName(std::string_view name);

// A public key: algorithm plus raw encoding (Ed25519: 32 bytes; P-256: 65-byte uncompressed).
class PublicKey {
public:
    PublicKey() = default;
    [[nodiscard]] static Result<PublicKey> fromRaw(KeyAlgorithm alg, ByteView raw);
    // From DER SubjectPublicKeyInfo (e.g. from a certificate).
    [[nodiscard]] static Result<PublicKey> fromSpki(ByteView der);
    // From a JWK (RFC 8037 OKP/Ed25519 or RFC 7518 EC/P-256) in JSON text.
    [[nodiscard]] static Result<PublicKey> fromJwk(std::string_view json);

    [[nodiscard]] KeyAlgorithm algorithm() const noexcept { return m_alg; }
    [[nodiscard]] const Bytes& raw() const noexcept { return m_raw; }
    [[nodiscard]] bool empty() const noexcept { return m_raw.empty(); }
    [[nodiscard]] Result<Bytes> spki() const;
    // Public JWK as compact JSON.
    [[nodiscard]] std::string jwk() const;
    // RFC 7638 JWK thumbprint (SHA-256 of the canonical required members).
    [[nodiscard]] Digest thumbprint() const;

    // Verifies a signature in this key's native form (Ed25519 64 bytes; ES256 r||s 64 bytes).
    [[nodiscard]] Status verify(ByteView message, ByteView signature) const;

    bool operator==(const PublicKey& o) const { return m_alg == o.m_alg && m_raw == o.m_raw; }

    // For security/ internals: the validated OpenSSL key object (EVP_PKEY*), shared by copies.
    [[nodiscard]] void* nativeHandle() const noexcept { return m_native.get(); }

private:
    KeyAlgorithm m_alg = KeyAlgorithm::Ed25519;
    Bytes m_raw;
    std::shared_ptr<void> m_native; // EVP_PKEY, built once when the key is validated
};

// Parameters for the passphrase KDF used to encrypt keys at rest (scrypt, RFC 7914). The
// default, N = 2^17 with r = 8, needs 128 MiB and a few hundred milliseconds per derivation
// (OpenSSL's default scrypt memory limit of 32 MiB is raised explicitly for it). Files written
// with weaker parameters (TwinSeal before 2^17 used N = 2^15) still open, and
// loadEncryptedAndUpgrade re-seals them with these on their next successful unlock.
struct ScryptParams {
    std::uint64_t n = 1u << 17;
    std::uint32_t r = 8;
    std::uint32_t p = 1;
};

// scrypt (RFC 7914) through OpenSSL: `length` bytes derived from the passphrase and salt, the
// KDF behind keys and secrets at rest. Parameters out of the accepted range (N a power of two up
// to 2^20, r <= 32, p <= 16) or a length of 0: InvalidArgument.
[[nodiscard]] Result<SecureBytes> scrypt(std::string_view passphrase, ByteView salt,
                                         const ScryptParams& params, std::size_t length);
// True when `have` costs an attacker less than `wanted` (a smaller N, r or p).
[[nodiscard]] bool scryptWeakerThan(const ScryptParams& have, const ScryptParams& wanted) noexcept;
// The KDF parameters an encrypted key file or sealed secret was written with (no passphrase
// needed): KeyFileCorrupt / UnsupportedVersion as for opening it.
[[nodiscard]] Result<ScryptParams> sealedKdfParams(ByteView file);

class SigningKey {
public:
    SigningKey();
    ~SigningKey();
    SigningKey(SigningKey&&) noexcept;
    SigningKey& operator=(SigningKey&&) noexcept;
    SigningKey(const SigningKey&) = delete;
    SigningKey& operator=(const SigningKey&) = delete;

    [[nodiscard]] static Result<SigningKey> generate(KeyAlgorithm alg);
    // Imports raw private key bytes (Ed25519 seed / P-256 scalar, 32 bytes each), e.g. for
    // published test vectors. The bytes are copied into OpenSSL's key object.
    [[nodiscard]] static Result<SigningKey> fromPrivateBytes(KeyAlgorithm alg, ByteView secret);

    [[nodiscard]] KeyAlgorithm algorithm() const noexcept;
    [[nodiscard]] const PublicKey& publicKey() const noexcept;
    [[nodiscard]] bool valid() const noexcept;

    // Signs a message; the signature is in the algorithm's native form (see PublicKey::verify).
    [[nodiscard]] Result<Bytes> sign(ByteView message) const;

    // Encrypted key file (Protobuf `twinseal.EncryptedKey`): scrypt(passphrase) -> AES-256-GCM,
    // KDF parameters, salt and nonce stored beside the ciphertext, the whole file checksummed.
    [[nodiscard]] Result<Bytes> exportEncrypted(std::string_view passphrase,
                                                const ScryptParams& params = {},
                                                std::string_view label = {}) const;
    [[nodiscard]] static Result<SigningKey> importEncrypted(ByteView data,
                                                            std::string_view passphrase);
    [[nodiscard]] Status saveEncrypted(const std::string& path, std::string_view passphrase,
                                       const ScryptParams& params = {},
                                       std::string_view label = {}) const;
    [[nodiscard]] static Result<SigningKey> loadEncrypted(const std::string& path,
                                                          std::string_view passphrase);
    // Like loadEncrypted; when the file was sealed with weaker KDF parameters than `params`
    // (a file from an older TwinSeal), it is written again with them, atomically, with the same
    // key and label, and `*upgraded` (when given) is set. A file that cannot be rewritten (e.g.
    // read-only) still opens: the key is returned and `*upgraded` stays false.
    // With `label`, a file labelled otherwise is written again the same way with that label.
    [[nodiscard]] static Result<SigningKey> loadEncryptedAndUpgrade(const std::string& path,
                                                                    std::string_view passphrase,
                                                                    const ScryptParams& params = {},
                                                                    bool* upgraded = nullptr,
                                                                    std::optional<std::string_view> label = {});
    // Reads the public key from a key file without the passphrase.
    [[nodiscard]] static Result<PublicKey> peekPublicKey(ByteView file);
    // Reads a key file's label without the passphrase. The label is authenticated with the
    // ciphertext, so a changed label makes the file fail to open (KeyFileCorrupt) with the
    // passphrase; before that, it is only what the file says.
    [[nodiscard]] static Result<std::string> peekLabel(ByteView file);

    // Unencrypted PKCS#8 PEM, only for handing the key to a TLS stack in memory (QSslKey): the
    // buffer is cleansed when freed; never write it to disk.
    [[nodiscard]] Result<SecureBytes> exportPkcs8PemForTls() const;

    // For security/ internals (X.509 signing): the underlying EVP_PKEY*. Never exported.
    [[nodiscard]] void* nativeHandle() const noexcept;

private:
    // Takes ownership of an EVP_PKEY* (security/ internals).
    [[nodiscard]] static Result<SigningKey> adoptNative(void* evpPkey);
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

// A passphrase-sealed secret (same format and KDF as key files, type
// "twinseal.sealed-secret.v1"): for symmetric secrets such as the home network's binding key.
[[nodiscard]] Result<Bytes> sealSecret(ByteView secret, std::string_view passphrase,
                                       const ScryptParams& params = {},
                                       std::string_view label = {});
// WrongPassphrase / KeyFileCorrupt / UnsupportedVersion as for key files.
[[nodiscard]] Result<SecureBytes> openSealedSecret(ByteView file, std::string_view passphrase);

} // namespace twinseal::security
