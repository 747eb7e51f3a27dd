// security/-internal: one sframe_key's AEAD with its OpenSSL contexts kept between frames, so a
// frame costs an IV reset and the cipher work, not a cipher fetch and a key schedule.
// Not thread-safe: one SFrameCipher per thread.
#pragma once

#include <cstdint>
#include <memory>

#include <openssl/evp.h>

#include "twinseal/security/sframe_suite.h"

namespace twinseal::security::detail {

struct CipherCtxFree {
    void operator()(EVP_CIPHER_CTX* p) const noexcept { EVP_CIPHER_CTX_free(p); }
};
struct MacCtxFree {
    void operator()(EVP_MAC_CTX* p) const noexcept { EVP_MAC_CTX_free(p); }
};

class SFrameCipher {
  public:
    // key: sframe_key (Nk bytes). The key is copied into OpenSSL's contexts (cleansed by
    // OpenSSL when they are freed).
    [[nodiscard]] static Result<SFrameCipher> create(CipherSuite suite, ByteView key);

    [[nodiscard]] const CipherSuiteInfo& info() const noexcept { return m_info; }

    // The AAD is header || metadata, given as its two parts. `out` receives plaintext.size() +
    // Nt bytes: ciphertext (or, integrity-only, the plaintext) then the tag.
    [[nodiscard]] Status seal(ByteView nonce, ByteView aadHead, ByteView aadTail,
                              ByteView plaintext, std::uint8_t* out);
    // `out` receives ciphertextAndTag.size() - Nt bytes. Nothing is decrypted unless the tag
    // verifies (CTR+HMAC, integrity-only); for GCM a failed tag leaves `out` to be discarded.
    [[nodiscard]] Status open(ByteView nonce, ByteView aadHead, ByteView aadTail,
                              ByteView ciphertextAndTag, std::uint8_t* out);

  private:
    [[nodiscard]] Status hmacTag(ByteView nonce, ByteView aadHead, ByteView aadTail,
                                 ByteView ciphertext, std::uint8_t* tag);
    [[nodiscard]] Status ctrXor(ByteView nonce, ByteView in, std::uint8_t* out);

    CipherSuiteInfo m_info{};
    std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree> m_enc; // GCM encrypt, or AES-CTR
    std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree> m_dec; // GCM decrypt
    std::unique_ptr<EVP_MAC_CTX, MacCtxFree> m_mac;       // HMAC under auth_key
};

} // namespace twinseal::security::detail
