#include "sframe_cipher.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/params.h>

#include <array>
#include <climits>
#include <cstring>
#include <string>

namespace twinseal::security::detail {

namespace {

struct CipherFree {
    void operator()(EVP_CIPHER* p) const noexcept { EVP_CIPHER_free(p); }
};
struct MacFree {
    void operator()(EVP_MAC* p) const noexcept { EVP_MAC_free(p); }
};

constexpr std::size_t kMaxHashSize = 64;

const char* cipherName(const CipherSuiteInfo& info) {
    if (info.aead == FrameAead::AesGcm)
        return info.nk == 32 ? "AES-256-GCM" : "AES-128-GCM";
    return info.nka == 32 ? "AES-256-CTR" : "AES-128-CTR";
}

void putBe64(std::uint8_t* p, std::uint64_t v) {
    for (int i = 7; i >= 0; --i) {
        p[i] = static_cast<std::uint8_t>(v);
        v >>= 8;
    }
}

bool fitsInt(std::size_t n) {
    return n <= static_cast<std::size_t>(INT_MAX);
}

// Gets or sets GCM's tag through the parameter API directly (EVP_CIPHER_CTX_ctrl would
// translate to the same parameter on every frame).
bool gcmTag(EVP_CIPHER_CTX* ctx, bool set, std::uint8_t* tag, std::size_t size) {
    OSSL_PARAM params[] = {OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, tag, size),
                           OSSL_PARAM_construct_end()};
    return (set ? EVP_CIPHER_CTX_set_params(ctx, params)
                : EVP_CIPHER_CTX_get_params(ctx, params)) == 1;
}

// GCM's AAD (header || metadata): one update when it fits a small buffer, which is cheaper than
// two for OpenSSL's GCM, else one update per part.
bool gcmAad(EVP_CIPHER_CTX* ctx, ByteView head, ByteView tail) {
    int outl = 0;
    std::array<std::uint8_t, 256> joined;
    if (head.size() + tail.size() <= joined.size()) {
        std::memcpy(joined.data(), head.data(), head.size());
        if (!tail.empty())
            std::memcpy(joined.data() + head.size(), tail.data(), tail.size());
        return EVP_CipherUpdate(ctx, nullptr, &outl, joined.data(),
                                static_cast<int>(head.size() + tail.size())) == 1;
    }
    return EVP_CipherUpdate(ctx, nullptr, &outl, head.data(), static_cast<int>(head.size())) == 1 &&
           (tail.empty() ||
            EVP_CipherUpdate(ctx, nullptr, &outl, tail.data(), static_cast<int>(tail.size())) == 1);
}

Error fail(std::string_view what) {
    return opensslError(ErrorCode::CryptoFailure, std::string("SFrame: ") + std::string(what));
}

Result<std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>> cipherCtx(const char* name, bool encrypt,
                                                                 ByteView key) {
    std::unique_ptr<EVP_CIPHER, CipherFree> cipher(EVP_CIPHER_fetch(nullptr, name, nullptr));
    if (!cipher)
        return fail(std::string(name) + " is not available");
    if (static_cast<std::size_t>(EVP_CIPHER_get_key_length(cipher.get())) != key.size())
        return makeError(ErrorCode::InvalidArgument,
                         std::string("SFrame: ") + name + " key has the wrong length");
    std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree> ctx(EVP_CIPHER_CTX_new());
    if (!ctx || EVP_CipherInit_ex(ctx.get(), cipher.get(), nullptr, key.data(), nullptr,
                                  encrypt ? 1 : 0) != 1)
        return fail(std::string(name) + ": key set-up failed");
    return ctx;
}

} // namespace

Result<SFrameCipher> SFrameCipher::create(CipherSuite suite, ByteView key) {
    SFrameCipher c;
    c.m_info = cipherSuiteInfo(suite);
    if (key.size() != c.m_info.nk)
        return makeError(ErrorCode::InvalidArgument, "SFrame: " + std::string(c.m_info.name) +
                                                         " needs a " + std::to_string(c.m_info.nk) +
                                                         "-byte key, got " +
                                                         std::to_string(key.size()));
    if (c.m_info.aead == FrameAead::AesGcm) {
        auto enc = cipherCtx(cipherName(c.m_info), true, key);
        if (!enc)
            return enc.error();
        auto dec = cipherCtx(cipherName(c.m_info), false, key);
        if (!dec)
            return dec.error();
        c.m_enc = std::move(*enc);
        c.m_dec = std::move(*dec);
        return c;
    }
    ByteView authKey = key;
    if (c.m_info.aead == FrameAead::AesCtrHmac) {
        auto enc = cipherCtx(cipherName(c.m_info), true, key.first(c.m_info.nka));
        if (!enc)
            return enc.error();
        c.m_enc = std::move(*enc);
        authKey = key.subspan(c.m_info.nka);
    }
    std::unique_ptr<EVP_MAC, MacFree> mac(EVP_MAC_fetch(nullptr, OSSL_MAC_NAME_HMAC, nullptr));
    if (!mac)
        return fail("HMAC is not available");
    c.m_mac.reset(EVP_MAC_CTX_new(mac.get()));
    char digest[16];
    std::strcpy(digest, c.m_info.nh == 64 ? OSSL_DIGEST_NAME_SHA2_512 : OSSL_DIGEST_NAME_SHA2_256);
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                                 OSSL_PARAM_construct_end()};
    if (!c.m_mac || EVP_MAC_init(c.m_mac.get(), authKey.data(), authKey.size(), params) != 1)
        return fail("HMAC key set-up failed");
    return c;
}

Status SFrameCipher::ctrXor(ByteView nonce, ByteView in, std::uint8_t* out) {
    // RFC 9605 section 4.5.1: the initial counter block is the nonce followed by four zero bytes.
    std::array<std::uint8_t, 16> iv{};
    std::memcpy(iv.data(), nonce.data(), nonce.size());
    int outl = 0;
    if (!fitsInt(in.size()) ||
        EVP_EncryptInit_ex(m_enc.get(), nullptr, nullptr, nullptr, iv.data()) != 1 ||
        EVP_EncryptUpdate(m_enc.get(), out, &outl, in.data(), static_cast<int>(in.size())) != 1 ||
        static_cast<std::size_t>(outl) != in.size())
        return fail("AES-CTR failed");
    return {};
}

Status SFrameCipher::hmacTag(ByteView nonce, ByteView aadHead, ByteView aadTail,
                             ByteView ciphertext, std::uint8_t* tag) {
    // auth_data = len(aad) || len(ct) || Nt (8 bytes BE each) || nonce || aad || ct. Everything
    // before ct goes in one update when it fits a small buffer (fewer MAC calls per frame).
    std::array<std::uint8_t, 24 + 12 + 256> prefix;
    putBe64(prefix.data(), aadHead.size() + aadTail.size());
    putBe64(prefix.data() + 8, ciphertext.size());
    putBe64(prefix.data() + 16, m_info.nt);
    std::memcpy(prefix.data() + 24, nonce.data(), nonce.size());
    std::size_t used = 24 + nonce.size();
    const bool joined = aadHead.size() + aadTail.size() <= prefix.size() - used;
    if (joined) {
        std::memcpy(prefix.data() + used, aadHead.data(), aadHead.size());
        used += aadHead.size();
        if (!aadTail.empty())
            std::memcpy(prefix.data() + used, aadTail.data(), aadTail.size());
        used += aadTail.size();
    }
    std::array<std::uint8_t, kMaxHashSize> full;
    std::size_t len = 0;
    // A null key re-initialises the context with the key it already holds.
    const bool ok =
        EVP_MAC_init(m_mac.get(), nullptr, 0, nullptr) == 1 &&
        EVP_MAC_update(m_mac.get(), prefix.data(), used) == 1 &&
        (joined || (EVP_MAC_update(m_mac.get(), aadHead.data(), aadHead.size()) == 1 &&
                    EVP_MAC_update(m_mac.get(), aadTail.data(), aadTail.size()) == 1)) &&
        EVP_MAC_update(m_mac.get(), ciphertext.data(), ciphertext.size()) == 1 &&
        EVP_MAC_final(m_mac.get(), full.data(), &len, full.size()) == 1 && len == m_info.nh;
    if (!ok)
        return fail("HMAC failed");
    std::memcpy(tag, full.data(), m_info.nt);
    OPENSSL_cleanse(full.data(), len);
    return {};
}

Status SFrameCipher::seal(ByteView nonce, ByteView aadHead, ByteView aadTail, ByteView plaintext,
                          std::uint8_t* out) {
    if (nonce.size() != m_info.nn)
        return makeError(ErrorCode::InvalidArgument, "SFrame: the nonce must be 12 bytes");
    if (!fitsInt(plaintext.size()) || !fitsInt(aadHead.size()) || !fitsInt(aadTail.size()))
        return makeError(ErrorCode::InvalidArgument, "SFrame: frame too large");
    std::uint8_t* tag = out + plaintext.size();
    if (m_info.aead == FrameAead::AesGcm) {
        EVP_CIPHER_CTX* ctx = m_enc.get();
        int outl = 0;
        const bool ok = EVP_EncryptInit_ex(ctx, nullptr, nullptr, nullptr, nonce.data()) == 1 &&
                        gcmAad(ctx, aadHead, aadTail) &&
                        EVP_EncryptUpdate(ctx, out, &outl, plaintext.data(),
                                          static_cast<int>(plaintext.size())) == 1 &&
                        static_cast<std::size_t>(outl) == plaintext.size() &&
                        EVP_EncryptFinal_ex(ctx, out + plaintext.size(), &outl) == 1 && outl == 0 &&
                        gcmTag(ctx, false, tag, m_info.nt);
        if (!ok)
            return fail("AES-GCM seal failed");
        return {};
    }
    if (m_info.aead == FrameAead::AesCtrHmac) {
        TWINSEAL_TRY(ctrXor(nonce, plaintext, out));
    } else if (!plaintext.empty()) {
        std::memmove(out, plaintext.data(), plaintext.size());
    }
    return hmacTag(nonce, aadHead, aadTail, ByteView(out, plaintext.size()), tag);
}

Status SFrameCipher::open(ByteView nonce, ByteView aadHead, ByteView aadTail,
                          ByteView ciphertextAndTag, std::uint8_t* out) {
    if (nonce.size() != m_info.nn)
        return makeError(ErrorCode::InvalidArgument, "SFrame: the nonce must be 12 bytes");
    if (ciphertextAndTag.size() < m_info.nt)
        return makeError(ErrorCode::SFrameMalformed,
                         "SFrame: the frame is shorter than the " + std::to_string(m_info.nt) +
                             "-byte tag of " + std::string(m_info.name));
    if (!fitsInt(ciphertextAndTag.size()) || !fitsInt(aadHead.size()) || !fitsInt(aadTail.size()))
        return makeError(ErrorCode::InvalidArgument, "SFrame: frame too large");
    const ByteView ciphertext = ciphertextAndTag.first(ciphertextAndTag.size() - m_info.nt);
    const ByteView tag = ciphertextAndTag.last(m_info.nt);
    const auto refused = [this] {
        ERR_clear_error();
        return makeError(ErrorCode::SFrameAuthenticationFailed,
                         "SFrame: the " + std::string(m_info.name) +
                             " tag does not verify: the frame was altered or sealed under "
                             "another key");
    };
    if (m_info.aead == FrameAead::AesGcm) {
        EVP_CIPHER_CTX* ctx = m_dec.get();
        std::array<std::uint8_t, 16> tagCopy{};
        std::memcpy(tagCopy.data(), tag.data(), tag.size());
        int outl = 0;
        const bool ok = EVP_DecryptInit_ex(ctx, nullptr, nullptr, nullptr, nonce.data()) == 1 &&
                        gcmAad(ctx, aadHead, aadTail) &&
                        EVP_DecryptUpdate(ctx, out, &outl, ciphertext.data(),
                                          static_cast<int>(ciphertext.size())) == 1 &&
                        static_cast<std::size_t>(outl) == ciphertext.size() &&
                        gcmTag(ctx, true, tagCopy.data(), tagCopy.size());
        if (!ok)
            return fail("AES-GCM open failed");
        if (EVP_DecryptFinal_ex(ctx, out + ciphertext.size(), &outl) != 1) {
            OPENSSL_cleanse(out, ciphertext.size());
            return refused();
        }
        return {};
    }
    std::array<std::uint8_t, kMaxHashSize> expected{};
    TWINSEAL_TRY(hmacTag(nonce, aadHead, aadTail, ciphertext, expected.data()));
    if (CRYPTO_memcmp(expected.data(), tag.data(), m_info.nt) != 0)
        return refused();
    if (m_info.aead == FrameAead::AesCtrHmac)
        return ctrXor(nonce, ciphertext, out);
    if (!ciphertext.empty())
        std::memmove(out, ciphertext.data(), ciphertext.size());
    return {};
}

} // namespace twinseal::security::detail
