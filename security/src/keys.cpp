#include "twinseal/security/keys.h"

#include "twinseal/security/openssl_memory.h"

#include <cstring>

#include <nlohmann/json.hpp>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/kdf.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/bio.h>
#include <openssl/x509.h>

#include "ecdsa_low_s.h"
#include "pkey_util.h"
#include "twinseal/proto/codec.h"

namespace twinseal::security {

using detail::PkeyPtr;

namespace {

constexpr const char* kKeyFileType = "twinseal.encrypted-key.v1";
constexpr const char* kCheckLabel = "twinseal key check v1";
constexpr std::size_t kP256PointSize = 65;
constexpr std::size_t kScalarSize = 32;

struct BnDeleter {
    void operator()(BIGNUM* p) const noexcept { BN_clear_free(p); }
};
using BnPtr = std::unique_ptr<BIGNUM, BnDeleter>;
struct BldDeleter {
    void operator()(OSSL_PARAM_BLD* p) const noexcept { OSSL_PARAM_BLD_free(p); }
};
struct ParamDeleter {
    void operator()(OSSL_PARAM* p) const noexcept { OSSL_PARAM_free(p); }
};
struct PctxDeleter {
    void operator()(EVP_PKEY_CTX* p) const noexcept { EVP_PKEY_CTX_free(p); }
};
struct GroupDeleter {
    void operator()(EC_GROUP* p) const noexcept { EC_GROUP_free(p); }
};
struct PointDeleter {
    void operator()(EC_POINT* p) const noexcept { EC_POINT_clear_free(p); }
};

// Builds a P-256 EVP_PKEY from a public point and (optionally) a private scalar.
Result<PkeyPtr> buildEcKey(ByteView point, const BIGNUM* priv) {
    std::unique_ptr<OSSL_PARAM_BLD, BldDeleter> bld(OSSL_PARAM_BLD_new());
    if (!bld ||
        !OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) ||
        !OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                          point.size()) ||
        (priv && !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, priv)))
        return opensslError(ErrorCode::CryptoFailure, "cannot build P-256 key parameters");
    std::unique_ptr<OSSL_PARAM, ParamDeleter> params(OSSL_PARAM_BLD_to_param(bld.get()));
    std::unique_ptr<EVP_PKEY_CTX, PctxDeleter> ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
    EVP_PKEY* raw = nullptr;
    if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
        EVP_PKEY_fromdata(ctx.get(), &raw, priv ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY,
                          params.get()) != 1)
        return opensslError(ErrorCode::MalformedInput, "not a valid P-256 public key");
    PkeyPtr key(raw);
    // fromdata does not check that the point is on the curve: do it explicitly.
    std::unique_ptr<EVP_PKEY_CTX, PctxDeleter> check(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
    if (!check || EVP_PKEY_public_check(check.get()) != 1)
        return opensslError(ErrorCode::MalformedInput, "P-256 public key is not a point on the curve");
    return key;
}

// Public point (uncompressed) for a P-256 private scalar.
Result<Bytes> p256PointFromScalar(const BIGNUM* priv) {
    std::unique_ptr<EC_GROUP, GroupDeleter> group(EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1));
    if (!group)
        return opensslError(ErrorCode::CryptoFailure, "cannot load P-256");
    if (BN_is_zero(priv) || BN_cmp(priv, EC_GROUP_get0_order(group.get())) >= 0)
        return makeError(ErrorCode::MalformedInput, "P-256 private scalar is out of range");
    std::unique_ptr<EC_POINT, PointDeleter> pt(EC_POINT_new(group.get()));
    if (!pt || EC_POINT_mul(group.get(), pt.get(), priv, nullptr, nullptr, nullptr) != 1)
        return opensslError(ErrorCode::CryptoFailure, "cannot compute P-256 public key");
    Bytes out(kP256PointSize);
    if (EC_POINT_point2oct(group.get(), pt.get(), POINT_CONVERSION_UNCOMPRESSED, out.data(),
                           out.size(), nullptr) != kP256PointSize)
        return opensslError(ErrorCode::CryptoFailure, "cannot encode P-256 public key");
    return out;
}

} // namespace

namespace detail {

Result<PkeyPtr> publicPkey(const PublicKey& key) {
    if (key.empty())
        return makeError(ErrorCode::InvalidArgument, "empty public key");
    if (key.algorithm() == KeyAlgorithm::Ed25519) {
        EVP_PKEY* p = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, key.raw().data(),
                                                  key.raw().size());
        if (!p)
            return opensslError(ErrorCode::MalformedInput, "not a valid Ed25519 public key");
        return PkeyPtr(p);
    }
    return buildEcKey(key.raw(), nullptr);
}

Result<PublicKey> publicKeyOf(const EVP_PKEY* pkey) {
    if (EVP_PKEY_get_base_id(pkey) == EVP_PKEY_ED25519) {
        Bytes raw(32);
        std::size_t len = raw.size();
        if (EVP_PKEY_get_raw_public_key(pkey, raw.data(), &len) != 1 || len != 32)
            return opensslError(ErrorCode::MalformedInput, "cannot read Ed25519 public key");
        return PublicKey::fromRaw(KeyAlgorithm::Ed25519, raw);
    }
    if (EVP_PKEY_get_base_id(pkey) == EVP_PKEY_EC) {
        char group[64] = {};
        std::size_t glen = 0;
        if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
                                           &glen) != 1 ||
            (std::strcmp(group, "prime256v1") != 0 && std::strcmp(group, "P-256") != 0)) {
            ERR_clear_error();
            return makeError(ErrorCode::UnsupportedAlgorithm,
                             std::string("unsupported elliptic curve '") + group +
                                 "' (only P-256 is accepted)");
        }
        Bytes raw(kP256PointSize);
        std::size_t len = 0;
        if (EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_PUB_KEY, raw.data(), raw.size(),
                                            &len) != 1)
            return opensslError(ErrorCode::MalformedInput, "cannot read P-256 public key");
        raw.resize(len);
        if (len != kP256PointSize) {
            // Compressed point: re-encode uncompressed through a fresh key object.
            return makeError(ErrorCode::MalformedInput,
                             "P-256 public key must be an uncompressed point");
        }
        return PublicKey::fromRaw(KeyAlgorithm::EcdsaP256, raw);
    }
    return makeError(ErrorCode::UnsupportedAlgorithm,
                     "unsupported key type (only Ed25519 and ECDSA P-256 are accepted)");
}

proto::SignatureAlgorithm toProto(KeyAlgorithm alg) {
    return alg == KeyAlgorithm::Ed25519 ? proto::ED25519 : proto::ECDSA_P256;
}

Result<KeyAlgorithm> fromProto(proto::SignatureAlgorithm alg) {
    switch (alg) {
    case proto::ED25519: return KeyAlgorithm::Ed25519;
    case proto::ECDSA_P256: return KeyAlgorithm::EcdsaP256;
    default:
        return makeError(ErrorCode::UnsupportedAlgorithm,
                         "unknown signature algorithm " + std::to_string(static_cast<int>(alg)));
    }
}

void toProto(const PublicKey& key, proto::PublicKey* out) {
    out->set_algorithm(toProto(key.algorithm()));
    out->set_raw(key.raw().data(), key.raw().size());
}

Result<PublicKey> fromProto(const proto::PublicKey& key) {
    auto alg = fromProto(key.algorithm());
    TWINSEAL_TRY(alg);
    return PublicKey::fromRaw(*alg, view(key.raw()));
}

} // namespace detail

// ---- PublicKey ------------------------------------------------------------------------------

std::string_view keyAlgorithmName(KeyAlgorithm alg) noexcept {
    return alg == KeyAlgorithm::Ed25519 ? "Ed25519" : "P-256";
}

std::string_view joseAlgorithm(KeyAlgorithm alg) noexcept {
    return alg == KeyAlgorithm::Ed25519 ? "EdDSA" : "ES256";
}

Result<KeyAlgorithm> keyAlgorithmFromName(std::string_view name) {
    if (name == "Ed25519" || name == "ed25519" || name == "EdDSA")
        return KeyAlgorithm::Ed25519;
    if (name == "P-256" || name == "p256" || name == "ES256" || name == "ecdsa-p256")
        return KeyAlgorithm::EcdsaP256;
    return makeError(ErrorCode::UnsupportedAlgorithm,
                     "unknown key algorithm '" + std::string(name) + "' (use Ed25519 or P-256)");
}

Result<PublicKey> PublicKey::fromRaw(KeyAlgorithm alg, ByteView raw) {
    PublicKey k;
    k.m_alg = alg;
    k.m_raw.assign(raw.begin(), raw.end());
    if (alg == KeyAlgorithm::Ed25519) {
        if (raw.size() != 32)
            return makeError(ErrorCode::MalformedInput, "an Ed25519 public key has 32 bytes, got " +
                                                            std::to_string(raw.size()));
    } else {
        if (raw.size() != kP256PointSize || raw[0] != 0x04)
            return makeError(ErrorCode::MalformedInput,
                             "a P-256 public key is a 65-byte uncompressed point");
    }
    // Let OpenSSL validate the encoding (point on curve, etc.) and keep the key object, so
    // verifications do not rebuild it.
    auto pkey = detail::publicPkey(k);
    TWINSEAL_TRY(pkey);
    k.m_native = std::shared_ptr<void>(pkey->release(),
                                       [](void* p) { EVP_PKEY_free(static_cast<EVP_PKEY*>(p)); });
    return k;
}

Result<PublicKey> PublicKey::fromSpki(ByteView der) {
    const unsigned char* p = der.data();
    PkeyPtr pkey(d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size())));
    if (!pkey)
        return opensslError(ErrorCode::MalformedInput, "not a DER SubjectPublicKeyInfo");
    if (p != der.data() + der.size())
        return makeError(ErrorCode::MalformedInput, "trailing bytes after SubjectPublicKeyInfo");
    return detail::publicKeyOf(pkey.get());
}

Result<PublicKey> PublicKey::fromJwk(std::string_view json) {
    const auto j = nlohmann::json::parse(json, nullptr, false);
    if (j.is_discarded() || !j.is_object())
        return makeError(ErrorCode::MalformedInput, "JWK is not a JSON object");
    auto str = [&](const char* name) -> std::string {
        auto it = j.find(name);
        return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    const std::string kty = str("kty"), crv = str("crv");
    if (kty == "OKP" && crv == "Ed25519") {
        auto x = base64UrlDecode(str("x"));
        TWINSEAL_TRY(x);
        return fromRaw(KeyAlgorithm::Ed25519, *x);
    }
    if (kty == "EC" && crv == "P-256") {
        auto x = base64UrlDecode(str("x"));
        TWINSEAL_TRY(x);
        auto y = base64UrlDecode(str("y"));
        TWINSEAL_TRY(y);
        if (x->size() != 32 || y->size() != 32)
            return makeError(ErrorCode::MalformedInput, "P-256 JWK coordinates must be 32 bytes");
        Bytes raw{0x04};
        raw.insert(raw.end(), x->begin(), x->end());
        raw.insert(raw.end(), y->begin(), y->end());
        return fromRaw(KeyAlgorithm::EcdsaP256, raw);
    }
    return makeError(ErrorCode::UnsupportedAlgorithm,
                     "unsupported JWK (kty '" + kty + "', crv '" + crv + "')");
}

Result<Bytes> PublicKey::spki() const {
    auto pkey = detail::publicPkey(*this);
    TWINSEAL_TRY(pkey);
    unsigned char* out = nullptr;
    const int len = i2d_PUBKEY(pkey->get(), &out);
    if (len <= 0)
        return opensslError(ErrorCode::CryptoFailure, "cannot encode public key");
    Bytes der(out, out + len);
    OPENSSL_free(out);
    return der;
}

static nlohmann::json jwkObject(const PublicKey& key) {
    nlohmann::json j; // std::map-backed: members come out in lexicographic order (RFC 7638)
    const Bytes& raw = key.raw();
    if (key.algorithm() == KeyAlgorithm::Ed25519) {
        j["kty"] = "OKP";
        j["crv"] = "Ed25519";
        j["x"] = base64UrlEncode(raw);
    } else {
        j["kty"] = "EC";
        j["crv"] = "P-256";
        j["x"] = base64UrlEncode(ByteView(raw).subspan(1, 32));
        j["y"] = base64UrlEncode(ByteView(raw).subspan(33, 32));
    }
    return j;
}

std::string PublicKey::jwk() const { return jwkObject(*this).dump(); }

Digest PublicKey::thumbprint() const {
    // The required members only, lexicographic order, no white space (RFC 7638 section 3).
    return sha256(view(jwkObject(*this).dump()));
}

Status PublicKey::verify(ByteView message, ByteView signature) const {
    if (m_raw.empty() || !m_native)
        return makeError(ErrorCode::InvalidArgument, "no public key to verify with");
    auto* pkey = static_cast<EVP_PKEY*>(m_native.get());
    Bytes der;
    ByteView sig = signature;
    if (m_alg == KeyAlgorithm::Ed25519) {
        if (signature.size() != 64)
            return makeError(ErrorCode::BadSignature, "an Ed25519 signature has 64 bytes");
    } else {
        // JOSE r||s -> DER ECDSA-Sig-Value for OpenSSL.
        auto d = ecdsaP1363ToDer(signature);
        if (!d.ok())
            return makeError(ErrorCode::BadSignature, "not a 64-byte ES256 signature");
        if (ecdsaP256IsHighS(signature))
            return makeError(ErrorCode::SignatureHighS,
                             "the ES256 signature's s is in the upper half (its malleable form); "
                             "signers must send the low-S form, s <= n/2");
        der = std::move(*d);
        sig = der;
    }
    detail::MdCtxPtr ctx(EVP_MD_CTX_new());
    if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr,
                                     m_alg == KeyAlgorithm::Ed25519 ? nullptr : EVP_sha256(),
                                     nullptr, pkey) != 1)
        return opensslError(ErrorCode::CryptoFailure, "cannot initialise verification");
    const int rc = EVP_DigestVerify(ctx.get(), sig.data(), sig.size(), message.data(), message.size());
    ERR_clear_error();
    if (rc != 1)
        return makeError(ErrorCode::BadSignature, "signature does not verify");
    return {};
}

// ---- SigningKey -----------------------------------------------------------------------------

struct SigningKey::Impl {
    PkeyPtr pkey;
    PublicKey pub;
};

SigningKey::SigningKey() = default;
SigningKey::~SigningKey() = default;
SigningKey::SigningKey(SigningKey&&) noexcept = default;
SigningKey& SigningKey::operator=(SigningKey&&) noexcept = default;

Result<SigningKey> SigningKey::generate(KeyAlgorithm alg) {
    EVP_PKEY* p = alg == KeyAlgorithm::Ed25519
                      ? EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519")
                      : EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
    if (!p)
        return opensslError(ErrorCode::CryptoFailure, "key generation failed");
    return adoptNative(p);
}

Result<SigningKey> SigningKey::adoptNative(void* evpPkey) {
    PkeyPtr pkey(static_cast<EVP_PKEY*>(evpPkey));
    auto pub = detail::publicKeyOf(pkey.get());
    TWINSEAL_TRY(pub);
    SigningKey s;
    s.m_impl = std::make_unique<Impl>();
    s.m_impl->pkey = std::move(pkey);
    s.m_impl->pub = std::move(*pub);
    return s;
}

Result<SigningKey> SigningKey::fromPrivateBytes(KeyAlgorithm alg, ByteView secret) {
    if (secret.size() != kScalarSize)
        return makeError(ErrorCode::MalformedInput, "a private key has 32 bytes");
    if (alg == KeyAlgorithm::Ed25519) {
        EVP_PKEY* p =
            EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, secret.data(), secret.size());
        if (!p)
            return opensslError(ErrorCode::MalformedInput, "invalid Ed25519 private key");
        return adoptNative(p);
    }
    BnPtr priv(BN_bin2bn(secret.data(), static_cast<int>(secret.size()), nullptr));
    if (!priv)
        return opensslError(ErrorCode::CryptoFailure, "cannot load private scalar");
    auto point = p256PointFromScalar(priv.get());
    TWINSEAL_TRY(point);
    auto built = buildEcKey(*point, priv.get());
    TWINSEAL_TRY(built);
    return adoptNative(built->release());
}

KeyAlgorithm SigningKey::algorithm() const noexcept { return m_impl->pub.algorithm(); }
const PublicKey& SigningKey::publicKey() const noexcept { return m_impl->pub; }
bool SigningKey::valid() const noexcept { return m_impl && m_impl->pkey; }
void* SigningKey::nativeHandle() const noexcept { return m_impl ? m_impl->pkey.get() : nullptr; }

Result<Bytes> SigningKey::sign(ByteView message) const {
    if (!valid())
        return makeError(ErrorCode::InvalidArgument, "no private key loaded");
    detail::MdCtxPtr ctx(EVP_MD_CTX_new());
    const bool ed = algorithm() == KeyAlgorithm::Ed25519;
    if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, ed ? nullptr : EVP_sha256(), nullptr,
                                   m_impl->pkey.get()) != 1)
        return opensslError(ErrorCode::CryptoFailure, "cannot initialise signing");
    std::size_t len = 0;
    if (EVP_DigestSign(ctx.get(), nullptr, &len, message.data(), message.size()) != 1)
        return opensslError(ErrorCode::CryptoFailure, "cannot size signature");
    Bytes sig(len);
    if (EVP_DigestSign(ctx.get(), sig.data(), &len, message.data(), message.size()) != 1)
        return opensslError(ErrorCode::CryptoFailure, "signing failed");
    sig.resize(len);
    if (ed)
        return sig;
    auto rs = ecdsaDerToP1363(sig);
    if (!rs.ok())
        return rs;
    // One signature per (key, message, nonce): the low-S form, which verifiers insist on.
    return ecdsaP256LowS(*rs);
}

// ---- secrets at rest ------------------------------------------------------------------------

namespace {

// OpenSSL's allocator, installed before OpenSSL allocates anything in any program that links
// this file (every one that can derive a key): see openssl_memory.h.
[[maybe_unused]] const bool kOpenSslAllocator = detail::installOpenSslAllocator();

constexpr const char* kSealedType = "twinseal.sealed-secret.v1";
constexpr std::uint64_t kMaxScryptN = 1u << 20;
constexpr std::uint32_t kMaxScryptR = 32;
constexpr std::uint32_t kMaxScryptP = 16;

Status checkScrypt(std::uint64_t n, std::uint32_t r, std::uint32_t p, ErrorCode code) {
    if (n < 2 || (n & (n - 1)) != 0 || n > kMaxScryptN || r == 0 || r > kMaxScryptR || p == 0 ||
        p > kMaxScryptP)
        return makeError(code,
                         "scrypt parameters out of the accepted range (N a power of two up to "
                         "2^20, r <= 32, p <= 16)");
    return {};
}

// Parameters already checked.
Result<SecureBytes> runScrypt(std::string_view pass, ByteView salt, const ScryptParams& params,
                              std::size_t length) {
    SecureBytes out(length);
    const std::uint64_t maxmem = 128ull * params.r * (params.n + params.p + 2) + (1u << 20);
    if (EVP_PBE_scrypt(pass.data(), pass.size(), salt.data(), salt.size(), params.n, params.r,
                       params.p, maxmem, out.data(), out.size()) != 1)
        return opensslError(ErrorCode::CryptoFailure, "scrypt key derivation failed");
    return out;
}

Result<SecureBytes> deriveKeys(std::string_view pass, const proto::ScryptKdf& kdf) {
    TWINSEAL_TRY(checkScrypt(kdf.n(), kdf.r(), kdf.p(), ErrorCode::KeyFileCorrupt));
    return runScrypt(pass, view(kdf.salt()), ScryptParams{kdf.n(), kdf.r(), kdf.p()}, 64);
}

Result<Bytes> passphraseCheck(const SecureBytes& derived) {
    return hmacSha256(ByteView(derived).subspan(32, 32), view(kCheckLabel));
}

Digest fileChecksum(const proto::EncryptedKey& f) {
    Sha256 h;
    h.update(view(f.type()));
    const std::uint8_t zero = 0;
    h.update(ByteView(&zero, 1));
    h.update(view(f.header()));
    h.update(view(f.ciphertext()));
    return h.finish();
}

// Encrypts `secret` under a passphrase: scrypt -> (AES-256-GCM key, passphrase-check key); the
// header (with KDF parameters, salt, nonce, check value) is the AEAD associated data, and the
// whole file is checksummed so damage is told apart from a wrong passphrase.
Result<Bytes> seal(std::string_view type, proto::EncryptedKeyHeader header, ByteView secret,
                   std::string_view passphrase, const ScryptParams& params) {
    if (passphrase.empty())
        return makeError(ErrorCode::InvalidArgument, "an empty passphrase cannot protect a secret");
    TWINSEAL_TRY(checkScrypt(params.n, params.r, params.p, ErrorCode::InvalidArgument));
    header.set_version(1);
    auto* kdf = header.mutable_kdf();
    kdf->set_n(params.n);
    kdf->set_r(params.r);
    kdf->set_p(params.p);
    auto salt = SystemRandom::instance().bytes(16);
    TWINSEAL_TRY(salt);
    kdf->set_salt(salt->data(), salt->size());
    auto nonce = SystemRandom::instance().bytes(12);
    TWINSEAL_TRY(nonce);
    header.set_nonce(nonce->data(), nonce->size());
    auto derived = deriveKeys(passphrase, *kdf);
    TWINSEAL_TRY(derived);
    auto check = passphraseCheck(*derived);
    TWINSEAL_TRY(check);
    header.set_passphrase_check(check->data(), check->size());

    proto::EncryptedKey file;
    file.set_type(std::string(type));
    file.set_header(proto::serialize<std::string>(header));
    auto ct = aeadSeal(Aead::Aes256Gcm, ByteView(*derived).subspan(0, 32), *nonce,
                       view(file.header()), secret);
    TWINSEAL_TRY(ct);
    file.set_ciphertext(ct->data(), ct->size());
    const Digest sum = fileChecksum(file);
    file.set_checksum(sum.data(), sum.size());
    return serialize(file);
}

struct ParsedSealed {
    proto::EncryptedKey file;
    proto::EncryptedKeyHeader header;
};

Result<ParsedSealed> parseSealed(ByteView data, std::string_view type, const char* what) {
    ParsedSealed out;
    if (data.empty() || !parseMessage(data, out.file))
        return makeError(ErrorCode::KeyFileCorrupt,
                         std::string("not a TwinSeal ") + what + " file (cannot be parsed)");
    if (out.file.type() != type)
        return makeError(ErrorCode::KeyFileCorrupt, std::string("not a TwinSeal ") + what +
                                                        " file (type '" + out.file.type() + "')");
    const Digest sum = fileChecksum(out.file);
    if (!constantTimeEqual(sum, view(out.file.checksum())))
        return makeError(ErrorCode::KeyFileCorrupt, std::string("the ") + what +
                                                        " file is damaged (checksum mismatch); "
                                                        "restore it from a backup");
    if (!parseMessage(view(out.file.header()), out.header))
        return makeError(ErrorCode::KeyFileCorrupt,
                         std::string("the ") + what + " file header cannot be parsed");
    if (out.header.version() != 1)
        return makeError(ErrorCode::UnsupportedVersion,
                         std::string(what) + " file version " +
                             std::to_string(out.header.version()) +
                             " is not supported by this version of TwinSeal");
    return out;
}

Result<SecureBytes> open(const ParsedSealed& parsed, std::string_view passphrase,
                         const char* what) {
    auto derived = deriveKeys(passphrase, parsed.header.kdf());
    TWINSEAL_TRY(derived);
    auto check = passphraseCheck(*derived);
    TWINSEAL_TRY(check);
    if (!constantTimeEqual(*check, view(parsed.header.passphrase_check())))
        return makeError(ErrorCode::WrongPassphrase, std::string("the passphrase does not unlock "
                                                                 "this ") +
                                                         what + "; check it and try again");
    auto secret = aeadOpen(Aead::Aes256Gcm, ByteView(*derived).subspan(0, 32),
                           view(parsed.header.nonce()), view(parsed.file.header()),
                           view(parsed.file.ciphertext()));
    if (!secret.ok())
        return makeError(ErrorCode::KeyFileCorrupt, std::string("the ") + what +
                                                        " file's ciphertext is damaged "
                                                        "(authentication failed)");
    return std::move(*secret);
}

Result<ParsedSealed> parseAnySealed(ByteView data) {
    auto asKey = parseSealed(data, kKeyFileType, "key");
    if (asKey.ok() || asKey.code() != ErrorCode::KeyFileCorrupt)
        return asKey;
    auto asSecret = parseSealed(data, kSealedType, "sealed secret");
    return asSecret.ok() ? std::move(asSecret) : std::move(asKey);
}

Result<PublicKey> headerPublicKey(const ParsedSealed& parsed) {
    auto pub = detail::fromProto(parsed.header.public_key());
    if (!pub.ok())
        return makeError(ErrorCode::KeyFileCorrupt,
                         "the key file's public key is invalid: " + pub.error().detail);
    return pub;
}

} // namespace

Result<Bytes> SigningKey::exportEncrypted(std::string_view passphrase, const ScryptParams& params,
                                          std::string_view label) const {
    if (!valid())
        return makeError(ErrorCode::InvalidArgument, "no private key loaded");
    // Private key material, cleansed when this scope ends.
    SecureBytes secret(kScalarSize);
    if (algorithm() == KeyAlgorithm::Ed25519) {
        std::size_t len = secret.size();
        if (EVP_PKEY_get_raw_private_key(m_impl->pkey.get(), secret.data(), &len) != 1 || len != 32)
            return opensslError(ErrorCode::CryptoFailure, "cannot read private key");
    } else {
        BIGNUM* raw = nullptr;
        if (EVP_PKEY_get_bn_param(m_impl->pkey.get(), OSSL_PKEY_PARAM_PRIV_KEY, &raw) != 1)
            return opensslError(ErrorCode::CryptoFailure, "cannot read private key");
        BnPtr priv(raw);
        if (BN_bn2binpad(priv.get(), secret.data(), static_cast<int>(secret.size())) != 32)
            return opensslError(ErrorCode::CryptoFailure, "cannot encode private key");
    }
    proto::EncryptedKeyHeader header;
    header.set_algorithm(detail::toProto(algorithm()));
    detail::toProto(publicKey(), header.mutable_public_key());
    header.set_label(std::string(label));
    return seal(kKeyFileType, std::move(header), secret, passphrase, params);
}

Result<SecureBytes> SigningKey::exportPkcs8PemForTls() const {
    if (!valid())
        return makeError(ErrorCode::InvalidArgument, "no private key loaded");
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_secmem()), &BIO_free);
    if (!bio)
        return opensslError(ErrorCode::Internal, "BIO_new failed");
    if (PEM_write_bio_PKCS8PrivateKey(bio.get(), m_impl->pkey.get(), nullptr, nullptr, 0, nullptr,
                                      nullptr) != 1)
        return opensslError(ErrorCode::CryptoFailure, "cannot encode the private key as PKCS#8");
    char* data = nullptr;
    const long len = BIO_get_mem_data(bio.get(), &data);
    if (len <= 0 || data == nullptr)
        return opensslError(ErrorCode::Internal, "empty PKCS#8 encoding");
    return SecureBytes(reinterpret_cast<const std::uint8_t*>(data),
                       reinterpret_cast<const std::uint8_t*>(data) + len);
}

Result<PublicKey> SigningKey::peekPublicKey(ByteView file) {
    auto parsed = parseSealed(file, kKeyFileType, "key");
    TWINSEAL_TRY(parsed);
    return headerPublicKey(*parsed);
}

Result<std::string> SigningKey::peekLabel(ByteView file) {
    auto parsed = parseSealed(file, kKeyFileType, "key");
    TWINSEAL_TRY(parsed);
    return parsed->header.label();
}

Result<SigningKey> SigningKey::importEncrypted(ByteView data, std::string_view passphrase) {
    auto parsed = parseSealed(data, kKeyFileType, "key");
    TWINSEAL_TRY(parsed);
    auto pub = headerPublicKey(*parsed);
    TWINSEAL_TRY(pub);
    auto secret = open(*parsed, passphrase, "key");
    TWINSEAL_TRY(secret);
    if (secret->size() != kScalarSize)
        return makeError(ErrorCode::KeyFileCorrupt, "the key file's private key has a bad length");
    auto key = fromPrivateBytes(pub->algorithm(), *secret);
    if (!key.ok())
        return makeError(ErrorCode::KeyFileCorrupt,
                         "the key file's private key is invalid: " + key.error().detail);
    if (!(key->publicKey() == *pub))
        return makeError(ErrorCode::KeyFileCorrupt,
                         "the key file's private key does not match its public key");
    return key;
}

Status SigningKey::saveEncrypted(const std::string& path, std::string_view passphrase,
                                 const ScryptParams& params, std::string_view label) const {
    auto data = exportEncrypted(passphrase, params, label);
    TWINSEAL_TRY(data);
    return writeFileAtomic(path, *data, /*privateMode=*/true);
}

Result<SigningKey> SigningKey::loadEncrypted(const std::string& path, std::string_view passphrase) {
    auto data = readFile(path);
    TWINSEAL_TRY(data);
    return importEncrypted(*data, passphrase);
}

Result<SigningKey> SigningKey::loadEncryptedAndUpgrade(const std::string& path,
                                                       std::string_view passphrase,
                                                       const ScryptParams& params, bool* upgraded,
                                                       std::optional<std::string_view> label) {
    if (upgraded)
        *upgraded = false;
    auto data = readFile(path);
    TWINSEAL_TRY(data);
    auto key = importEncrypted(*data, passphrase);
    TWINSEAL_TRY(key);
    auto parsed = parseSealed(*data, kKeyFileType, "key");
    TWINSEAL_TRY(parsed);
    const auto& kdf = parsed->header.kdf();
    const ScryptParams have{kdf.n(), kdf.r(), kdf.p()};
    const bool relabel = label && *label != parsed->header.label();
    if (!scryptWeakerThan(have, params) && !relabel)
        return key;
    // Re-sealed under a fresh salt and nonce (with the stronger parameters, or the new label);
    // the old file stays until the new one is complete (writeFileAtomic: temporary file, fsync,
    // rename). Never with weaker parameters than it had.
    const ScryptParams next = scryptWeakerThan(have, params) ? params : have;
    if (key->saveEncrypted(path, passphrase, next, relabel ? *label : parsed->header.label()).ok() &&
        upgraded)
        *upgraded = true;
    return key;
}

Result<SecureBytes> scrypt(std::string_view passphrase, ByteView salt, const ScryptParams& params,
                           std::size_t length) {
    TWINSEAL_TRY(checkScrypt(params.n, params.r, params.p, ErrorCode::InvalidArgument));
    if (length == 0)
        return makeError(ErrorCode::InvalidArgument, "scrypt output length must not be 0");
    return runScrypt(passphrase, salt, params, length);
}

bool scryptWeakerThan(const ScryptParams& have, const ScryptParams& wanted) noexcept {
    return have.n < wanted.n || have.r < wanted.r || have.p < wanted.p;
}

Result<ScryptParams> sealedKdfParams(ByteView file) {
    auto parsed = parseAnySealed(file);
    TWINSEAL_TRY(parsed);
    const auto& kdf = parsed->header.kdf();
    return ScryptParams{kdf.n(), kdf.r(), kdf.p()};
}

Result<Bytes> sealSecret(ByteView secret, std::string_view passphrase, const ScryptParams& params,
                         std::string_view label) {
    proto::EncryptedKeyHeader header;
    header.set_label(std::string(label));
    return seal(kSealedType, std::move(header), secret, passphrase, params);
}

Result<SecureBytes> openSealedSecret(ByteView file, std::string_view passphrase) {
    auto parsed = parseSealed(file, kSealedType, "sealed secret");
    TWINSEAL_TRY(parsed);
    return open(*parsed, passphrase, "sealed secret");
}

} // namespace twinseal::security
