// Thin, checked wrappers over OpenSSL 3 EVP primitives (see crypto.h).
//
// Conventions in this file:
//  - every failure path drains OpenSSL's error queue (opensslError() or ERR_clear_error()), so a
//    failed call never leaves stale errors behind to confuse a later, unrelated caller;
//  - wrong lengths and undecodable keys are ErrorCode::MalformedInput, a signature or AEAD tag
//    that does not verify is ErrorCode::BadSignature, and an unexpected OpenSSL failure is
//    ErrorCode::CryptoFailure;
//  - key material and derived secrets live in SecureBytes / secure BIGNUMs and are cleansed.
#include "twinseal/security/crypto.h"

#include "ecdsa_low_s.h"

#include <algorithm>
#include <array>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/param_build.h>
#include <openssl/params.h>
#include <openssl/x509.h>

namespace twinseal::security {

namespace {

// ---- RAII for OpenSSL objects -------------------------------------------------------------------

template <typename T, void (*Free)(T*)> struct Deleter {
    void operator()(T* p) const noexcept { Free(p); }
};
template <typename T, void (*Free)(T*)> using Owned = std::unique_ptr<T, Deleter<T, Free>>;

using PkeyPtr = Owned<EVP_PKEY, EVP_PKEY_free>;
using PkeyCtxPtr = Owned<EVP_PKEY_CTX, EVP_PKEY_CTX_free>;
using MdCtxPtr = Owned<EVP_MD_CTX, EVP_MD_CTX_free>;
using CipherCtxPtr = Owned<EVP_CIPHER_CTX, EVP_CIPHER_CTX_free>;
using MacPtr = Owned<EVP_MAC, EVP_MAC_free>;
using MacCtxPtr = Owned<EVP_MAC_CTX, EVP_MAC_CTX_free>;
using KdfPtr = Owned<EVP_KDF, EVP_KDF_free>;
using KdfCtxPtr = Owned<EVP_KDF_CTX, EVP_KDF_CTX_free>;
using ParamBldPtr = Owned<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>;
using ParamPtr = Owned<OSSL_PARAM, OSSL_PARAM_free>;
using BnPtr = Owned<BIGNUM, BN_free>;
using SecureBnPtr = Owned<BIGNUM, BN_clear_free>;
using EcdsaSigPtr = Owned<ECDSA_SIG, ECDSA_SIG_free>;

// ---- small helpers ------------------------------------------------------------------------------

constexpr std::size_t kSha256Size = 32;
constexpr std::size_t kAeadTagSize = 16;
constexpr std::size_t kGcmMaxNonce = 128; // OpenSSL 3's GCM_IV_MAX_SIZE
constexpr std::size_t kX25519Size = 32;
constexpr std::size_t kP256FieldSize = 32;
constexpr std::size_t kP256UncompressedSize = 1 + 2 * kP256FieldSize;
constexpr std::size_t kEd25519KeySize = 32;
constexpr std::size_t kEd25519SigSize = 64;
constexpr std::size_t kHmacMinTag = 8;
constexpr std::size_t kHkdfMaxLength = 255 * kSha256Size;
// EVP_*Update take int lengths; feed big buffers in chunks well below INT_MAX.
constexpr std::size_t kChunk = std::size_t{1} << 30;

// The order n of the P-256 group, big-endian.
constexpr std::uint8_t kP256Order[kP256FieldSize] = {
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51};

// OpenSSL does not like NULL buffers even with a zero length in a few places; give it a valid
// address for empty spans.
const unsigned char* ptr(ByteView v) noexcept {
    static const unsigned char empty = 0;
    return v.empty() ? &empty : v.data();
}

// An Error carrying (and draining) OpenSSL's error queue; the queue is empty afterwards.
Error sslFail(ErrorCode code, std::string_view what) {
    Error e = opensslError(code, what);
    ERR_clear_error();
    return e;
}

// An Error that does not report OpenSSL's queue but still leaves it empty (for outcomes such as
// "the signature did not verify", where OpenSSL's reasons are noise).
Error plainFail(ErrorCode code, std::string detail) {
    ERR_clear_error();
    return makeError(code, std::move(detail));
}

[[noreturn]] void fatal(const char* what) {
    // Only reachable when OpenSSL cannot run SHA-256 at all (allocation failure, broken
    // provider configuration); the infallible digest API has no way to report it.
    (void)std::fprintf(stderr, "twinseal: fatal OpenSSL failure: %s\n", what);
    ERR_print_errors_fp(stderr);
    std::abort();
}

// Constant-time "a < b" for equal-length big-endian byte strings.
bool constantTimeLess(const std::uint8_t* a, const std::uint8_t* b, std::size_t n) noexcept {
    unsigned borrow = 0;
    for (std::size_t i = n; i-- > 0;) {
        const unsigned diff = unsigned{a[i]} - unsigned{b[i]} - borrow;
        borrow = (diff >> 8) & 1u;
    }
    return borrow != 0;
}

bool allZero(const std::uint8_t* p, std::size_t n) noexcept {
    std::uint8_t acc = 0;
    for (std::size_t i = 0; i < n; ++i)
        acc |= p[i];
    return acc == 0;
}

// ---- P-256 keys -----------------------------------------------------------------------------------

bool isP256(const EVP_PKEY* pkey) {
    if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_EC)
        return false;
    char name[64] = {};
    std::size_t len = 0;
    if (EVP_PKEY_get_group_name(pkey, name, sizeof name, &len) != 1 ||
        std::string_view(name, len) != SN_X9_62_prime256v1)
        return false;
    // Only the named-curve form (RFC 5480): OpenSSL maps explicit parameters that resemble
    // P-256 to the named curve even with a missing or wrong cofactor; such keys are refused.
    char encoding[32] = {};
    len = 0;
    if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_EC_ENCODING, encoding,
                                       sizeof encoding, &len) != 1)
        return false;
    return std::string_view(encoding, len) == OSSL_PKEY_EC_ENCODING_GROUP;
}

// Full public-key validation (point on the curve, in the group, not infinity).
bool publicKeyValid(EVP_PKEY* pkey) {
    PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
    return ctx && EVP_PKEY_public_check(ctx.get()) == 1;
}

Result<PkeyPtr> p256FromSpki(ByteView der) {
    if (der.empty() || der.size() > LONG_MAX)
        return plainFail(ErrorCode::MalformedInput, "P-256 public key: empty DER");
    const unsigned char* p = der.data();
    PkeyPtr pkey(d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size())));
    if (!pkey)
        return sslFail(ErrorCode::MalformedInput, "P-256 public key: undecodable SPKI");
    if (p != der.data() + der.size())
        return plainFail(ErrorCode::MalformedInput, "P-256 public key: trailing bytes after SPKI");
    if (!isP256(pkey.get()))
        return plainFail(ErrorCode::MalformedInput, "public key is not an EC key on P-256");
    if (!publicKeyValid(pkey.get()))
        return sslFail(ErrorCode::MalformedInput, "P-256 public key: invalid point");
    ERR_clear_error();
    return pkey;
}

Result<PkeyPtr> p256FromPoint(ByteView point) {
    if (point.size() != kP256UncompressedSize || point[0] != 0x04)
        return plainFail(ErrorCode::MalformedInput,
                         "P-256 public key: expected a 65-byte uncompressed point");
    ParamBldPtr bld(OSSL_PARAM_BLD_new());
    if (!bld ||
        !OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME,
                                         SN_X9_62_prime256v1, 0) ||
        !OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                          point.size()))
        return sslFail(ErrorCode::CryptoFailure, "P-256 public key: building parameters");
    ParamPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
    PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
    if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1)
        return sslFail(ErrorCode::CryptoFailure, "P-256 public key: preparing import");
    EVP_PKEY* raw = nullptr;
    if (EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1)
        return sslFail(ErrorCode::MalformedInput, "P-256 public key: point not on the curve");
    PkeyPtr pkey(raw);
    if (!publicKeyValid(pkey.get()))
        return sslFail(ErrorCode::MalformedInput, "P-256 public key: invalid point");
    ERR_clear_error();
    return pkey;
}

// A 65-byte uncompressed SEC1 point, or a DER SubjectPublicKeyInfo.
Result<PkeyPtr> p256PublicKey(ByteView key) {
    if (key.size() == kP256UncompressedSize && key[0] == 0x04)
        return p256FromPoint(key);
    return p256FromSpki(key);
}

// Private scalar (big-endian, leading zero bytes allowed) -> EVP_PKEY on P-256.
Result<PkeyPtr> p256FromScalar(ByteView scalar) {
    // Strip leading zeros (public information: only the encoding length), then left-pad to 32.
    std::size_t skip = 0;
    while (skip < scalar.size() && scalar[skip] == 0)
        ++skip;
    const ByteView significant = scalar.subspan(skip);
    if (scalar.empty() || significant.size() > kP256FieldSize)
        return plainFail(ErrorCode::MalformedInput, "P-256 private key: scalar has a bad length");
    SecureBytes padded(kP256FieldSize, 0);
    std::copy(significant.begin(), significant.end(),
              padded.begin() + static_cast<std::ptrdiff_t>(kP256FieldSize - significant.size()));
    if (allZero(padded.data(), padded.size()) ||
        !constantTimeLess(padded.data(), kP256Order, kP256FieldSize))
        return plainFail(ErrorCode::MalformedInput, "P-256 private key: scalar out of range");

    SecureBnPtr d(BN_secure_new());
    if (!d || !BN_bin2bn(padded.data(), static_cast<int>(padded.size()), d.get()))
        return sslFail(ErrorCode::CryptoFailure, "P-256 private key: allocating scalar");
    BN_set_flags(d.get(), BN_FLG_CONSTTIME);
    ParamBldPtr bld(OSSL_PARAM_BLD_new());
    if (!bld ||
        !OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME,
                                         SN_X9_62_prime256v1, 0) ||
        !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, d.get()))
        return sslFail(ErrorCode::CryptoFailure, "P-256 private key: building parameters");
    // The BIGNUM is flagged secure, so the builder places it in the secure block that
    // OSSL_PARAM_free cleanses.
    ParamPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
    PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
    if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1)
        return sslFail(ErrorCode::CryptoFailure, "P-256 private key: preparing import");
    EVP_PKEY* raw = nullptr;
    if (EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_KEYPAIR, params.get()) != 1)
        return sslFail(ErrorCode::MalformedInput, "P-256 private key: import failed");
    return PkeyPtr(raw);
}

// Shared EVP_PKEY_derive driver; `what` names the primitive in error messages.
Result<SecureBytes> derive(EVP_PKEY* own, EVP_PKEY* peer, const char* what) {
    PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, own, nullptr));
    if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1)
        return sslFail(ErrorCode::CryptoFailure, std::string(what) + ": derive init failed");
    if (EVP_PKEY_derive_set_peer_ex(ctx.get(), peer, 1) != 1)
        return sslFail(ErrorCode::MalformedInput, std::string(what) + ": peer key rejected");
    std::size_t len = 0;
    if (EVP_PKEY_derive(ctx.get(), nullptr, &len) != 1 || len == 0)
        return sslFail(ErrorCode::CryptoFailure, std::string(what) + ": derive length failed");
    SecureBytes secret(len);
    if (EVP_PKEY_derive(ctx.get(), secret.data(), &len) != 1)
        // OpenSSL 3 refuses e.g. an all-zero X25519 result here: a bad peer key.
        return sslFail(ErrorCode::MalformedInput, std::string(what) + ": derive failed");
    secret.resize(len);
    return secret;
}

// ---- ECDSA signature conversions ------------------------------------------------------------------

// Strict DER ECDSA-Sig-Value -> ECDSA_SIG (the DER must round-trip exactly).
Result<EcdsaSigPtr> parseDerSig(ByteView der) {
    if (der.empty() || der.size() > LONG_MAX)
        return plainFail(ErrorCode::MalformedInput, "ECDSA signature: empty DER");
    const unsigned char* p = der.data();
    EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
    if (!sig)
        return sslFail(ErrorCode::MalformedInput, "ECDSA signature: undecodable DER");
    if (p != der.data() + der.size())
        return plainFail(ErrorCode::MalformedInput, "ECDSA signature: trailing bytes after DER");
    unsigned char* reencoded = nullptr;
    const int n = i2d_ECDSA_SIG(sig.get(), &reencoded);
    const bool same = n > 0 && static_cast<std::size_t>(n) == der.size() &&
                      std::memcmp(reencoded, der.data(), der.size()) == 0;
    OPENSSL_free(reencoded);
    if (!same)
        return plainFail(ErrorCode::MalformedInput, "ECDSA signature: not strict DER");
    return sig;
}

Status verifyWith(EVP_PKEY* pkey, const EVP_MD* md, ByteView message, ByteView signature,
                  const char* what) {
    MdCtxPtr ctx(EVP_MD_CTX_new());
    if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, md, nullptr, pkey) != 1)
        return sslFail(ErrorCode::CryptoFailure, std::string(what) + ": verify init failed");
    const int rc = EVP_DigestVerify(ctx.get(), ptr(signature), signature.size(), ptr(message),
                                    message.size());
    if (rc != 1)
        return plainFail(ErrorCode::BadSignature, std::string(what) + ": signature does not verify");
    ERR_clear_error();
    return {};
}

// ---- AEAD ---------------------------------------------------------------------------------------

struct AeadSpec {
    const EVP_CIPHER* cipher;
    std::size_t keyLength;
    bool gcm;
    const char* name;
};

AeadSpec specFor(Aead aead) {
    switch (aead) {
    case Aead::Aes128Gcm: return {EVP_aes_128_gcm(), 16, true, "AES-128-GCM"};
    case Aead::Aes192Gcm: return {EVP_aes_192_gcm(), 24, true, "AES-192-GCM"};
    case Aead::Aes256Gcm: return {EVP_aes_256_gcm(), 32, true, "AES-256-GCM"};
    case Aead::ChaCha20Poly1305: return {EVP_chacha20_poly1305(), 32, false, "ChaCha20-Poly1305"};
    }
    return {nullptr, 0, false, "unknown AEAD"};
}

Status checkAeadInputs(const AeadSpec& spec, ByteView key, ByteView nonce) {
    if (!spec.cipher)
        return makeError(ErrorCode::UnsupportedAlgorithm, "unknown AEAD");
    if (key.size() != spec.keyLength)
        return makeError(ErrorCode::MalformedInput,
                         std::string(spec.name) + ": key must be " +
                             std::to_string(spec.keyLength) + " bytes");
    if (spec.gcm) {
        // GCM takes IVs of 1..128 bytes in OpenSSL 3 (12 bytes is the fast, recommended path;
        // longer ones are GHASHed).
        if (nonce.empty() || nonce.size() > kGcmMaxNonce)
            return makeError(ErrorCode::MalformedInput,
                             std::string(spec.name) + ": nonce must be 1.." +
                                 std::to_string(kGcmMaxNonce) + " bytes");
    } else if (nonce.size() != 12) {
        return makeError(ErrorCode::MalformedInput,
                         std::string(spec.name) + ": nonce must be 12 bytes (RFC 8439)");
    }
    return {};
}

// Initialises ctx for `encrypt` with key, nonce (any GCM length) and feeds the AAD.
Status aeadInit(EVP_CIPHER_CTX* ctx, const AeadSpec& spec, bool encrypt, ByteView key,
                ByteView nonce, ByteView aad) {
    if (EVP_CipherInit_ex(ctx, spec.cipher, nullptr, nullptr, nullptr, encrypt ? 1 : 0) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, static_cast<int>(nonce.size()),
                            nullptr) != 1 ||
        EVP_CipherInit_ex(ctx, nullptr, nullptr, key.data(), nonce.data(), -1) != 1)
        return sslFail(ErrorCode::CryptoFailure, std::string(spec.name) + ": init failed");
    for (std::size_t off = 0; off < aad.size(); off += kChunk) {
        const std::size_t n = std::min(kChunk, aad.size() - off);
        int outl = 0;
        if (EVP_CipherUpdate(ctx, nullptr, &outl, aad.data() + off, static_cast<int>(n)) != 1)
            return sslFail(ErrorCode::CryptoFailure, std::string(spec.name) + ": AAD failed");
    }
    return {};
}

// Runs the cipher over `in` into `out` (same length; AEAD modes here are stream-like).
Status aeadUpdate(EVP_CIPHER_CTX* ctx, const AeadSpec& spec, ByteView in, std::uint8_t* out) {
    for (std::size_t off = 0; off < in.size(); off += kChunk) {
        const std::size_t n = std::min(kChunk, in.size() - off);
        int outl = 0;
        if (EVP_CipherUpdate(ctx, out + off, &outl, in.data() + off, static_cast<int>(n)) != 1 ||
            static_cast<std::size_t>(outl) != n)
            return sslFail(ErrorCode::CryptoFailure, std::string(spec.name) + ": update failed");
    }
    return {};
}

} // namespace

// ---- SHA-256 ------------------------------------------------------------------------------------

Digest sha256(ByteView data) {
    Digest out{};
    unsigned int len = 0;
    if (EVP_Digest(ptr(data), data.size(), out.data(), &len, EVP_sha256(), nullptr) != 1 ||
        len != out.size())
        fatal("SHA-256");
    return out;
}

struct Sha256::Impl {
    MdCtxPtr ctx{EVP_MD_CTX_new()};

    void init() {
        if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1)
            fatal("SHA-256 init");
    }
};

Sha256::Sha256() : m_impl(std::make_unique<Impl>()) { m_impl->init(); }

Sha256::~Sha256() = default;

void Sha256::update(ByteView data) {
    if (data.empty())
        return;
    if (EVP_DigestUpdate(m_impl->ctx.get(), data.data(), data.size()) != 1)
        fatal("SHA-256 update");
}

// Returns the digest and resets the object, so it can hash a new message.
Digest Sha256::finish() {
    Digest out{};
    unsigned int len = 0;
    if (EVP_DigestFinal_ex(m_impl->ctx.get(), out.data(), &len) != 1 || len != out.size())
        fatal("SHA-256 final");
    m_impl->init();
    return out;
}

// ---- HMAC-SHA256 ----------------------------------------------------------------------------------

Result<Bytes> hmacSha256(ByteView key, ByteView data) {
    MacPtr mac(EVP_MAC_fetch(nullptr, OSSL_MAC_NAME_HMAC, nullptr));
    if (!mac)
        return sslFail(ErrorCode::CryptoFailure, "HMAC: not available");
    MacCtxPtr ctx(EVP_MAC_CTX_new(mac.get()));
    if (!ctx)
        return sslFail(ErrorCode::CryptoFailure, "HMAC: context allocation failed");
    char digest[] = OSSL_DIGEST_NAME_SHA2_256;
    const OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_end(),
    };
    // A non-NULL key pointer even for an empty key: NULL would mean "keep the previous key".
    if (EVP_MAC_init(ctx.get(), ptr(key), key.size(), params) != 1)
        return sslFail(ErrorCode::CryptoFailure, "HMAC: init failed");
    if (!data.empty() && EVP_MAC_update(ctx.get(), data.data(), data.size()) != 1)
        return sslFail(ErrorCode::CryptoFailure, "HMAC: update failed");
    Bytes out(kSha256Size);
    std::size_t len = 0;
    if (EVP_MAC_final(ctx.get(), out.data(), &len, out.size()) != 1 || len != kSha256Size)
        return sslFail(ErrorCode::CryptoFailure, "HMAC: final failed");
    return out;
}

Status hmacSha256Verify(ByteView key, ByteView data, ByteView tag) {
    if (tag.size() < kHmacMinTag || tag.size() > kSha256Size)
        return makeError(ErrorCode::InvalidArgument,
                         "HMAC: tag must be between 8 and 32 bytes, got " +
                             std::to_string(tag.size()));
    auto expected = hmacSha256(key, data);
    if (!expected)
        return expected.error();
    const bool same = constantTimeEqual(ByteView(*expected).first(tag.size()), tag);
    cleanse(expected->data(), expected->size());
    if (!same)
        return makeError(ErrorCode::BadSignature, "HMAC: tag does not verify");
    return {};
}

// ---- HKDF-SHA256 ----------------------------------------------------------------------------------

Result<SecureBytes> hkdfSha256(ByteView ikm, ByteView salt, ByteView info, std::size_t length) {
    if (length == 0 || length > kHkdfMaxLength)
        return makeError(ErrorCode::InvalidArgument,
                         "HKDF-SHA256: output length must be 1.." +
                             std::to_string(kHkdfMaxLength) + " bytes");
    KdfPtr kdf(EVP_KDF_fetch(nullptr, OSSL_KDF_NAME_HKDF, nullptr));
    if (!kdf)
        return sslFail(ErrorCode::CryptoFailure, "HKDF: not available");
    KdfCtxPtr ctx(EVP_KDF_CTX_new(kdf.get()));
    if (!ctx)
        return sslFail(ErrorCode::CryptoFailure, "HKDF: context allocation failed");
    char digest[] = OSSL_DIGEST_NAME_SHA2_256;
    // The KDF copies the parameters; the const_casts only satisfy OSSL_PARAM's signature.
    auto octets = [](const char* name, ByteView v) {
        return OSSL_PARAM_construct_octet_string(
            name, const_cast<unsigned char*>(ptr(v)), v.size());
    };
    OSSL_PARAM params[5];
    std::size_t n = 0;
    params[n++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0);
    params[n++] = octets(OSSL_KDF_PARAM_KEY, ikm);
    // An absent salt is HashLen zero bytes (RFC 5869 2.2); OpenSSL does that when none is set.
    if (!salt.empty())
        params[n++] = octets(OSSL_KDF_PARAM_SALT, salt);
    if (!info.empty())
        params[n++] = octets(OSSL_KDF_PARAM_INFO, info);
    params[n] = OSSL_PARAM_construct_end();
    SecureBytes out(length);
    if (EVP_KDF_derive(ctx.get(), out.data(), out.size(), params) != 1)
        return sslFail(ErrorCode::CryptoFailure, "HKDF: derive failed");
    return out;
}

// ---- AEAD -----------------------------------------------------------------------------------------

Result<Aead> aesGcmForKey(std::size_t keyLength) {
    switch (keyLength) {
    case 16: return Aead::Aes128Gcm;
    case 24: return Aead::Aes192Gcm;
    case 32: return Aead::Aes256Gcm;
    default:
        return makeError(ErrorCode::MalformedInput,
                         "AES-GCM: key must be 16, 24 or 32 bytes, got " +
                             std::to_string(keyLength));
    }
}

Result<Bytes> aeadSeal(Aead aead, ByteView key, ByteView nonce, ByteView aad,
                       ByteView plaintext) {
    const AeadSpec spec = specFor(aead);
    TWINSEAL_TRY(checkAeadInputs(spec, key, nonce));
    if (plaintext.size() > SIZE_MAX - kAeadTagSize)
        return makeError(ErrorCode::InvalidArgument, "AEAD: plaintext too long");
    CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
    if (!ctx)
        return sslFail(ErrorCode::CryptoFailure, "AEAD: context allocation failed");
    TWINSEAL_TRY(aeadInit(ctx.get(), spec, true, key, nonce, aad));
    Bytes out(plaintext.size() + kAeadTagSize);
    TWINSEAL_TRY(aeadUpdate(ctx.get(), spec, plaintext, out.data()));
    int outl = 0;
    std::uint8_t* tag = out.data() + plaintext.size();
    if (EVP_CipherFinal_ex(ctx.get(), tag, &outl) != 1 || outl != 0)
        return sslFail(ErrorCode::CryptoFailure, std::string(spec.name) + ": final failed");
    if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_GET_TAG, static_cast<int>(kAeadTagSize),
                            tag) != 1)
        return sslFail(ErrorCode::CryptoFailure, std::string(spec.name) + ": no tag");
    return out;
}

Result<SecureBytes> aeadOpen(Aead aead, ByteView key, ByteView nonce, ByteView aad,
                             ByteView ciphertextAndTag) {
    const AeadSpec spec = specFor(aead);
    TWINSEAL_TRY(checkAeadInputs(spec, key, nonce));
    if (ciphertextAndTag.size() < kAeadTagSize)
        return makeError(ErrorCode::MalformedInput,
                         std::string(spec.name) + ": input shorter than the 16-byte tag");
    const ByteView ciphertext = ciphertextAndTag.first(ciphertextAndTag.size() - kAeadTagSize);
    const ByteView tag = ciphertextAndTag.last(kAeadTagSize);
    CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
    if (!ctx)
        return sslFail(ErrorCode::CryptoFailure, "AEAD: context allocation failed");
    TWINSEAL_TRY(aeadInit(ctx.get(), spec, false, key, nonce, aad));
    // SecureBytes: on a failed tag check the unauthenticated plaintext is cleansed when freed.
    SecureBytes out(ciphertext.size());
    TWINSEAL_TRY(aeadUpdate(ctx.get(), spec, ciphertext, out.data()));
    std::uint8_t tagCopy[kAeadTagSize];
    std::memcpy(tagCopy, tag.data(), kAeadTagSize);
    if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_TAG, static_cast<int>(kAeadTagSize),
                            tagCopy) != 1)
        return sslFail(ErrorCode::CryptoFailure, std::string(spec.name) + ": set tag failed");
    std::uint8_t tail[16];
    int outl = 0;
    if (EVP_CipherFinal_ex(ctx.get(), tail, &outl) != 1 || outl != 0)
        return plainFail(ErrorCode::BadSignature,
                         std::string(spec.name) + ": authentication tag does not verify");
    return out;
}

// ---- X25519 ---------------------------------------------------------------------------------------

Result<SecureBytes> x25519(ByteView privateKey, ByteView peerPublicKey) {
    if (privateKey.size() != kX25519Size)
        return makeError(ErrorCode::MalformedInput, "X25519: private key must be 32 bytes");
    if (peerPublicKey.size() != kX25519Size)
        return makeError(ErrorCode::MalformedInput, "X25519: public key must be 32 bytes");
    PkeyPtr own(EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nullptr, privateKey.data(),
                                             privateKey.size()));
    if (!own)
        return sslFail(ErrorCode::MalformedInput, "X25519: private key rejected");
    PkeyPtr peer(EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, nullptr, peerPublicKey.data(),
                                             peerPublicKey.size()));
    if (!peer)
        return sslFail(ErrorCode::MalformedInput, "X25519: public key rejected");
    auto secret = derive(own.get(), peer.get(), "X25519");
    if (!secret)
        return secret;
    // RFC 7748 section 6.1: a small-order peer key yields all zeros; never use that secret.
    if (secret->size() != kX25519Size || allZero(secret->data(), secret->size()))
        return makeError(ErrorCode::MalformedInput,
                         "X25519: peer key gives an all-zero shared secret");
    return secret;
}

Result<Bytes> x25519PublicFromPrivate(ByteView privateKey) {
    if (privateKey.size() != kX25519Size)
        return makeError(ErrorCode::MalformedInput, "X25519: private key must be 32 bytes");
    PkeyPtr own(EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nullptr, privateKey.data(),
                                             privateKey.size()));
    if (!own)
        return sslFail(ErrorCode::MalformedInput, "X25519: private key rejected");
    Bytes pub(kX25519Size);
    std::size_t len = pub.size();
    if (EVP_PKEY_get_raw_public_key(own.get(), pub.data(), &len) != 1 || len != kX25519Size)
        return sslFail(ErrorCode::CryptoFailure, "X25519: public key derivation failed");
    return pub;
}

// ---- ECDH P-256 -----------------------------------------------------------------------------------

Result<SecureBytes> ecdhP256(ByteView privateScalar, ByteView peerSpkiDer) {
    auto own = p256FromScalar(privateScalar);
    if (!own)
        return own.error();
    auto peer = p256FromSpki(peerSpkiDer);
    if (!peer)
        return peer.error();
    auto secret = derive(own->get(), peer->get(), "ECDH P-256");
    if (secret && secret->size() != kP256FieldSize)
        return makeError(ErrorCode::CryptoFailure, "ECDH P-256: unexpected secret length");
    return secret;
}

// ---- Signatures -----------------------------------------------------------------------------------

Status ed25519Verify(ByteView publicKey, ByteView message, ByteView signature) {
    if (publicKey.size() != kEd25519KeySize)
        return makeError(ErrorCode::MalformedInput, "Ed25519: public key must be 32 bytes");
    if (signature.size() != kEd25519SigSize)
        return makeError(ErrorCode::BadSignature, "Ed25519: signature must be 64 bytes");
    PkeyPtr pkey(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, publicKey.data(),
                                             publicKey.size()));
    if (!pkey)
        return sslFail(ErrorCode::MalformedInput, "Ed25519: public key rejected");
    // Ed25519 is one-shot: no digest, a single EVP_DigestVerify over the whole message.
    return verifyWith(pkey.get(), nullptr, message, signature, "Ed25519");
}

namespace {

// (n - 1) / 2, the largest low s, big-endian.
constexpr std::array<std::uint8_t, kP256FieldSize> p256HalfOrder() {
    std::array<std::uint8_t, kP256FieldSize> half{};
    unsigned carry = 0;
    for (std::size_t i = 0; i < kP256FieldSize; ++i) {
        half[i] = static_cast<std::uint8_t>((carry << 7) | (kP256Order[i] >> 1));
        carry = kP256Order[i] & 1u;
    }
    return half;
}
constexpr auto kP256HalfOrder = p256HalfOrder();

Status refuseHighS(ByteView rs) {
    if (ecdsaP256IsHighS(rs))
        return makeError(ErrorCode::SignatureHighS,
                         "ECDSA P-256: s is in the upper half (the malleable form of the "
                         "signature); signers must send the low-S form, s <= n/2");
    return {};
}

} // namespace

bool ecdsaP256IsHighS(ByteView rs) noexcept {
    if (rs.size() != 2 * kP256FieldSize)
        return false;
    const ByteView s = rs.subspan(kP256FieldSize);
    return std::lexicographical_compare(kP256HalfOrder.begin(), kP256HalfOrder.end(), s.begin(),
                                        s.end());
}

Bytes ecdsaP256LowS(ByteView rs) {
    Bytes out(rs.begin(), rs.end());
    if (!ecdsaP256IsHighS(rs))
        return out;
    // s := n - s, big-endian subtraction with borrow (s < n for any verifying signature).
    int borrow = 0;
    for (std::size_t i = kP256FieldSize; i-- > 0;) {
        int d = int(kP256Order[i]) - int(rs[kP256FieldSize + i]) - borrow;
        borrow = d < 0 ? 1 : 0;
        out[kP256FieldSize + i] = static_cast<std::uint8_t>(d + 256 * borrow);
    }
    return out;
}

Status ecdsaP256VerifyDer(ByteView publicKey, ByteView message, ByteView derSignature) {
    auto pkey = p256PublicKey(publicKey);
    if (!pkey)
        return pkey.error();
    // OpenSSL 3 itself insists on DER that re-encodes identically; checking here as well keeps
    // the rule independent of the OpenSSL version.
    if (auto sig = parseDerSig(derSignature); !sig)
        return plainFail(ErrorCode::BadSignature, "ECDSA P-256: " + sig.error().detail);
    if (auto rs = ecdsaDerToP1363(derSignature); rs.ok())
        if (auto st = refuseHighS(*rs); !st.ok())
            return st;
    return verifyWith(pkey->get(), EVP_sha256(), message, derSignature, "ECDSA P-256");
}

Status ecdsaP256VerifyP1363(ByteView publicKey, ByteView message, ByteView rsSignature) {
    auto pkey = p256PublicKey(publicKey);
    if (!pkey)
        return pkey.error();
    if (rsSignature.size() != 2 * kP256FieldSize)
        return makeError(ErrorCode::BadSignature, "ECDSA P-256: r||s signature must be 64 bytes");
    if (auto st = refuseHighS(rsSignature); !st.ok())
        return st;
    auto der = ecdsaP1363ToDer(rsSignature);
    if (!der)
        return makeError(ErrorCode::BadSignature, "ECDSA P-256: " + der.error().detail);
    return verifyWith(pkey->get(), EVP_sha256(), message, *der, "ECDSA P-256");
}

Result<Bytes> ecdsaDerToP1363(ByteView der) {
    auto sig = parseDerSig(der);
    if (!sig)
        return sig.error();
    const BIGNUM* r = nullptr;
    const BIGNUM* s = nullptr;
    ECDSA_SIG_get0(sig->get(), &r, &s);
    if (BN_is_negative(r) || BN_is_negative(s) ||
        BN_num_bytes(r) > static_cast<int>(kP256FieldSize) ||
        BN_num_bytes(s) > static_cast<int>(kP256FieldSize))
        return plainFail(ErrorCode::MalformedInput, "ECDSA signature: r or s out of range");
    Bytes out(2 * kP256FieldSize);
    if (BN_bn2binpad(r, out.data(), static_cast<int>(kP256FieldSize)) < 0 ||
        BN_bn2binpad(s, out.data() + kP256FieldSize, static_cast<int>(kP256FieldSize)) < 0)
        return sslFail(ErrorCode::CryptoFailure, "ECDSA signature: encoding r||s failed");
    return out;
}

Result<Bytes> ecdsaP1363ToDer(ByteView rs) {
    if (rs.size() != 2 * kP256FieldSize)
        return makeError(ErrorCode::MalformedInput, "ECDSA signature: r||s must be 64 bytes");
    BnPtr r(BN_bin2bn(rs.data(), static_cast<int>(kP256FieldSize), nullptr));
    BnPtr s(BN_bin2bn(rs.data() + kP256FieldSize, static_cast<int>(kP256FieldSize), nullptr));
    EcdsaSigPtr sig(ECDSA_SIG_new());
    if (!r || !s || !sig || ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1)
        return sslFail(ErrorCode::CryptoFailure, "ECDSA signature: building r,s failed");
    // ECDSA_SIG owns r and s now.
    (void)r.release();
    (void)s.release();
    unsigned char* der = nullptr;
    const int n = i2d_ECDSA_SIG(sig.get(), &der);
    if (n <= 0)
        return sslFail(ErrorCode::CryptoFailure, "ECDSA signature: DER encoding failed");
    Bytes out(der, der + n);
    OPENSSL_free(der);
    return out;
}

} // namespace twinseal::security
