#include "twinseal/security/sframe_suite.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <array>
#include <cstring>
#include <memory>
#include <string>

#include "sframe_cipher.h"

namespace twinseal::security {

namespace {

constexpr std::array<CipherSuiteInfo, 9> kSuites{{
    {CipherSuite::Aes128CtrHmacSha256_80, "AES_128_CTR_HMAC_SHA256_80", FrameAead::AesCtrHmac, 32,
     16, 48, 12, 10, true},
    {CipherSuite::Aes128CtrHmacSha256_64, "AES_128_CTR_HMAC_SHA256_64", FrameAead::AesCtrHmac, 32,
     16, 48, 12, 8, true},
    {CipherSuite::Aes128CtrHmacSha256_32, "AES_128_CTR_HMAC_SHA256_32", FrameAead::AesCtrHmac, 32,
     16, 48, 12, 4, true},
    {CipherSuite::Aes128GcmSha256_128, "AES_128_GCM_SHA256_128", FrameAead::AesGcm, 32, 0, 16, 12,
     16, true},
    {CipherSuite::Aes256GcmSha512_128, "AES_256_GCM_SHA512_128", FrameAead::AesGcm, 64, 0, 32, 12,
     16, true},
    {CipherSuite::Aes256CtrHmacSha512_80, "AES_256_CTR_HMAC_SHA512_80", FrameAead::AesCtrHmac, 64,
     32, 96, 12, 10, true},
    {CipherSuite::Aes256CtrHmacSha512_64, "AES_256_CTR_HMAC_SHA512_64", FrameAead::AesCtrHmac, 64,
     32, 96, 12, 8, true},
    {CipherSuite::Aes256CtrHmacSha512_32, "AES_256_CTR_HMAC_SHA512_32", FrameAead::AesCtrHmac, 64,
     32, 96, 12, 4, true},
    {CipherSuite::IntegrityOnlyHmacSha256_128, "TWINSEAL_INTEGRITY_ONLY_HMAC_SHA256_128",
     FrameAead::HmacOnly, 32, 0, 32, 12, 16, false},
}};

struct KdfFree {
    void operator()(EVP_KDF* p) const noexcept { EVP_KDF_free(p); }
};
struct KdfCtxFree {
    void operator()(EVP_KDF_CTX* p) const noexcept { EVP_KDF_CTX_free(p); }
};

// HKDF-Extract (salt empty: Nh zero bytes) or HKDF-Expand with the suite's hash.
Result<SecureBytes> hkdfStep(const CipherSuiteInfo& info, bool extract, ByteView key,
                             ByteView label, std::size_t length) {
    std::unique_ptr<EVP_KDF, KdfFree> kdf(EVP_KDF_fetch(nullptr, OSSL_KDF_NAME_HKDF, nullptr));
    std::unique_ptr<EVP_KDF_CTX, KdfCtxFree> ctx(kdf ? EVP_KDF_CTX_new(kdf.get()) : nullptr);
    if (!ctx) {
        Error e = opensslError(ErrorCode::CryptoFailure, "SFrame: HKDF is not available");
        ERR_clear_error();
        return e;
    }
    char digest[16];
    std::strcpy(digest, info.nh == 64 ? OSSL_DIGEST_NAME_SHA2_512 : OSSL_DIGEST_NAME_SHA2_256);
    int mode = extract ? EVP_KDF_HKDF_MODE_EXTRACT_ONLY : EVP_KDF_HKDF_MODE_EXPAND_ONLY;
    OSSL_PARAM params[5];
    std::size_t n = 0;
    params[n++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0);
    params[n++] = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
    // OSSL_PARAM's signature wants non-const pointers; the KDF copies the values.
    params[n++] = OSSL_PARAM_construct_octet_string(
        OSSL_KDF_PARAM_KEY, const_cast<std::uint8_t*>(key.data()), key.size());
    if (!extract)
        params[n++] = OSSL_PARAM_construct_octet_string(
            OSSL_KDF_PARAM_INFO, const_cast<std::uint8_t*>(label.data()), label.size());
    params[n] = OSSL_PARAM_construct_end();
    SecureBytes out(length);
    if (EVP_KDF_derive(ctx.get(), out.data(), out.size(), params) != 1) {
        Error e = opensslError(ErrorCode::CryptoFailure, "SFrame: HKDF failed");
        ERR_clear_error();
        return e;
    }
    return out;
}

Bytes label(std::string_view prefix, CipherSuite suite, std::uint64_t kid) {
    Bytes out(prefix.begin(), prefix.end());
    for (int shift = 56; shift >= 0; shift -= 8)
        out.push_back(static_cast<std::uint8_t>(kid >> shift));
    const auto value = static_cast<std::uint16_t>(suite);
    out.push_back(static_cast<std::uint8_t>(value >> 8));
    out.push_back(static_cast<std::uint8_t>(value));
    return out;
}

} // namespace

Result<CipherSuiteInfo> cipherSuiteInfo(std::uint16_t value) {
    for (const auto& s : kSuites)
        if (static_cast<std::uint16_t>(s.suite) == value)
            return s;
    char hex[8];
    (void)std::snprintf(hex, sizeof hex, "0x%04x", value);
    return makeError(ErrorCode::UnsupportedAlgorithm,
                     std::string("SFrame: cipher suite ") + hex + " is not supported");
}

CipherSuiteInfo cipherSuiteInfo(CipherSuite suite) noexcept {
    for (const auto& s : kSuites)
        if (s.suite == suite)
            return s;
    return kSuites[3]; // unreachable for enumerated values
}

Result<SecureBytes> sframeSecret(CipherSuite suite, ByteView baseKey) {
    if (baseKey.empty())
        return makeError(ErrorCode::InvalidArgument, "SFrame: the base key is empty");
    const CipherSuiteInfo info = cipherSuiteInfo(suite);
    return hkdfStep(info, true, baseKey, {}, info.nh);
}

Bytes sframeKeyLabel(CipherSuite suite, std::uint64_t kid) {
    return label("SFrame 1.0 Secret key ", suite, kid);
}

Bytes sframeSaltLabel(CipherSuite suite, std::uint64_t kid) {
    return label("SFrame 1.0 Secret salt ", suite, kid);
}

Result<SFrameKeyMaterial> deriveSFrameKeys(CipherSuite suite, std::uint64_t kid, ByteView baseKey) {
    auto secret = sframeSecret(suite, baseKey);
    if (!secret)
        return secret.error();
    const CipherSuiteInfo info = cipherSuiteInfo(suite);
    auto key = hkdfStep(info, false, *secret, sframeKeyLabel(suite, kid), info.nk);
    if (!key)
        return key.error();
    auto salt = hkdfStep(info, false, *secret, sframeSaltLabel(suite, kid), info.nn);
    if (!salt)
        return salt.error();
    return SFrameKeyMaterial{std::move(*key), std::move(*salt)};
}

Bytes sframeNonce(ByteView salt, std::uint64_t ctr) {
    Bytes nonce(salt.begin(), salt.end());
    for (std::size_t i = 0; i < 8 && i < nonce.size(); ++i)
        nonce[nonce.size() - 1 - i] ^= static_cast<std::uint8_t>(ctr >> (8 * i));
    return nonce;
}

Result<Bytes> sframeAeadSeal(CipherSuite suite, ByteView key, ByteView nonce, ByteView aad,
                             ByteView plaintext) {
    auto cipher = detail::SFrameCipher::create(suite, key);
    if (!cipher)
        return cipher.error();
    Bytes out(plaintext.size() + cipher->info().nt);
    TWINSEAL_TRY(cipher->seal(nonce, aad, {}, plaintext, out.data()));
    return out;
}

Result<Bytes> sframeAeadOpen(CipherSuite suite, ByteView key, ByteView nonce, ByteView aad,
                             ByteView ciphertextAndTag) {
    auto cipher = detail::SFrameCipher::create(suite, key);
    if (!cipher)
        return cipher.error();
    if (ciphertextAndTag.size() < cipher->info().nt)
        return makeError(ErrorCode::SFrameMalformed, "SFrame: input shorter than the tag");
    Bytes out(ciphertextAndTag.size() - cipher->info().nt);
    TWINSEAL_TRY(cipher->open(nonce, aad, {}, ciphertextAndTag, out.data()));
    return out;
}

} // namespace twinseal::security
