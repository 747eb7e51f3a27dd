// SUPI/SUCI and ECIES Profile A (see suci.h).
#include "twinseal/security/suci.h"

#include <algorithm>
#include <climits>
#include <memory>
#include <vector>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "twinseal/security/crypto.h"

namespace twinseal::security {

namespace {

constexpr std::size_t kEncKeySize = 16;
constexpr std::size_t kIcbSize = 16;
constexpr std::size_t kMacKeySize = 32;
constexpr std::size_t kKdfOutSize = kEncKeySize + kIcbSize + kMacKeySize;
// Generous bound on a scheme input (an MSIN is 5 octets of BCD; an NAI username a few dozen).
constexpr std::size_t kMaxSchemeInput = 1024;
constexpr std::size_t kMaxBcdDigits = 32;

template <typename T, void (*Free)(T*)> struct Deleter {
    void operator()(T* p) const noexcept { Free(p); }
};
using KdfPtr = std::unique_ptr<EVP_KDF, Deleter<EVP_KDF, EVP_KDF_free>>;
using KdfCtxPtr = std::unique_ptr<EVP_KDF_CTX, Deleter<EVP_KDF_CTX, EVP_KDF_CTX_free>>;
using CipherCtxPtr = std::unique_ptr<EVP_CIPHER_CTX, Deleter<EVP_CIPHER_CTX, EVP_CIPHER_CTX_free>>;

Error suciError(std::string detail) {
    return makeError(ErrorCode::SuciInvalid, std::move(detail));
}

bool allDigits(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Value of 1 to 3 decimal digits (already checked by the caller).
int smallDecimal(std::string_view digits) {
    int v = 0;
    for (char c : digits)
        v = v * 10 + (c - '0');
    return v;
}

// ANSI X9.63 KDF with SHA-256 (OpenSSL's X963KDF): Z is the ECDH shared secret, SharedInfo the
// ephemeral public key (TS 33.501 C.3.4.1).
Result<SecureBytes> x963Kdf(ByteView z, ByteView sharedInfo, std::size_t length) {
    KdfPtr kdf(EVP_KDF_fetch(nullptr, OSSL_KDF_NAME_X963KDF, nullptr));
    if (!kdf)
        return opensslError(ErrorCode::CryptoFailure, "X9.63 KDF: not available");
    KdfCtxPtr ctx(EVP_KDF_CTX_new(kdf.get()));
    if (!ctx)
        return opensslError(ErrorCode::CryptoFailure, "X9.63 KDF: context");
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, const_cast<std::uint8_t*>(z.data()),
                                          z.size()),
        OSSL_PARAM_construct_octet_string(
            OSSL_KDF_PARAM_INFO, const_cast<std::uint8_t*>(sharedInfo.data()), sharedInfo.size()),
        OSSL_PARAM_construct_end()};
    SecureBytes out(length);
    if (EVP_KDF_derive(ctx.get(), out.data(), out.size(), params) != 1)
        return opensslError(ErrorCode::CryptoFailure, "X9.63 KDF: derive");
    return out;
}

// AES-128-CTR with the ICB as the initial counter block (encryption and decryption alike).
Result<SecureBytes> aes128Ctr(ByteView key, ByteView icb, ByteView in) {
    if (in.size() > std::size_t(INT_MAX))
        return makeError(ErrorCode::InvalidArgument, "AES-CTR: input too long");
    CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
    if (!ctx)
        return opensslError(ErrorCode::CryptoFailure, "AES-CTR: context");
    SecureBytes out(in.size());
    int len = 0, fin = 0;
    static const std::uint8_t empty = 0;
    if (EVP_EncryptInit_ex(ctx.get(), EVP_aes_128_ctr(), nullptr, key.data(), icb.data()) != 1 ||
        EVP_EncryptUpdate(ctx.get(), out.data(), &len, in.empty() ? &empty : in.data(),
                          int(in.size())) != 1 ||
        EVP_EncryptFinal_ex(ctx.get(), out.data() + len, &fin) != 1 ||
        std::size_t(len) + std::size_t(fin) != in.size())
        return opensslError(ErrorCode::CryptoFailure, "AES-128-CTR");
    return out;
}

struct ProfileAKeys {
    SecureBytes material; // encKey || ICB || macKey
    ByteView encKey() const { return ByteView(material).first(kEncKeySize); }
    ByteView icb() const { return ByteView(material).subspan(kEncKeySize, kIcbSize); }
    ByteView macKey() const { return ByteView(material).subspan(kEncKeySize + kIcbSize); }
};

Result<ProfileAKeys> deriveKeys(ByteView sharedKey, ByteView ephemeralPublicKey) {
    auto material = x963Kdf(sharedKey, ephemeralPublicKey, kKdfOutSize);
    if (!material)
        return material.error();
    return ProfileAKeys{std::move(*material)};
}

} // namespace

// ---- BCD ---------------------------------------------------------------------------------------

Result<Bytes> encodeBcdDigits(std::string_view digits) {
    if (digits.empty() || digits.size() > kMaxBcdDigits || !allDigits(digits))
        return suciError("BCD: expected 1.." + std::to_string(kMaxBcdDigits) + " decimal digits");
    Bytes out((digits.size() + 1) / 2, 0);
    for (std::size_t i = 0; i < digits.size(); ++i) {
        const auto d = static_cast<std::uint8_t>(digits[i] - '0');
        out[i / 2] |= (i % 2 == 0) ? d : static_cast<std::uint8_t>(d << 4);
    }
    if (digits.size() % 2 != 0)
        out.back() |= 0xf0;
    return out;
}

Result<std::string> decodeBcdDigits(ByteView bcd) {
    if (bcd.empty() || bcd.size() > (kMaxBcdDigits + 1) / 2)
        return suciError("BCD: wrong length");
    std::string out;
    out.reserve(bcd.size() * 2);
    for (std::size_t i = 0; i < bcd.size(); ++i) {
        const int lo = bcd[i] & 0x0f, hi = bcd[i] >> 4;
        if (lo > 9)
            return suciError("BCD: non-decimal nibble");
        out.push_back(char('0' + lo));
        if (hi == 0x0f && i + 1 == bcd.size())
            break; // filler of an odd digit count
        if (hi > 9)
            return suciError("BCD: non-decimal nibble");
        out.push_back(char('0' + hi));
    }
    return out;
}

// ---- Profile A
// -------------------------------------------------------------------------------------

Result<Bytes> profileAConcealWithEphemeral(ByteView schemeInput, ByteView homeNetworkPublicKey,
                                           ByteView ephemeralPrivateKey) {
    if (schemeInput.empty() || schemeInput.size() > kMaxSchemeInput)
        return makeError(ErrorCode::InvalidArgument, "SUCI Profile A: scheme input must be 1.." +
                                                         std::to_string(kMaxSchemeInput) +
                                                         " bytes");
    if (homeNetworkPublicKey.size() != kSuciX25519KeySize)
        return makeError(ErrorCode::InvalidArgument,
                         "SUCI Profile A: home network public key must be 32 bytes");
    if (ephemeralPrivateKey.size() != kSuciX25519KeySize)
        return makeError(ErrorCode::InvalidArgument,
                         "SUCI Profile A: ephemeral private key must be 32 bytes");
    auto ephPublic = x25519PublicFromPrivate(ephemeralPrivateKey);
    if (!ephPublic)
        return ephPublic.error();
    auto shared = x25519(ephemeralPrivateKey, homeNetworkPublicKey);
    if (!shared)
        return suciError("SUCI Profile A: unusable home network public key (" +
                         shared.error().message() + ")");
    auto keys = deriveKeys(*shared, *ephPublic);
    if (!keys)
        return keys.error();
    auto ciphertext = aes128Ctr(keys->encKey(), keys->icb(), schemeInput);
    if (!ciphertext)
        return ciphertext.error();
    auto tag = hmacSha256(keys->macKey(), *ciphertext);
    if (!tag)
        return tag.error();

    Bytes out;
    out.reserve(ephPublic->size() + ciphertext->size() + kSuciMacTagSize);
    out.insert(out.end(), ephPublic->begin(), ephPublic->end());
    out.insert(out.end(), ciphertext->begin(), ciphertext->end());
    out.insert(out.end(), tag->begin(), tag->begin() + kSuciMacTagSize);
    return out;
}

Result<Bytes> profileAConceal(ByteView schemeInput, ByteView homeNetworkPublicKey, Random& rng) {
    SecureBytes ephemeral(kSuciX25519KeySize);
    TWINSEAL_TRY(rng.fill(ephemeral.data(), ephemeral.size()));
    return profileAConcealWithEphemeral(schemeInput, homeNetworkPublicKey, ephemeral);
}

Result<SecureBytes> profileADeconceal(ByteView schemeOutput, ByteView homeNetworkPrivateKey) {
    if (homeNetworkPrivateKey.size() != kSuciX25519KeySize)
        return makeError(ErrorCode::InvalidArgument,
                         "SUCI Profile A: home network private key must be 32 bytes");
    if (schemeOutput.size() <= kSuciProfileAOverhead ||
        schemeOutput.size() > kSuciProfileAOverhead + kMaxSchemeInput)
        return suciError("SUCI Profile A: scheme output has the wrong length (" +
                         std::to_string(schemeOutput.size()) + " bytes)");
    const ByteView ephPublic = schemeOutput.first(kSuciX25519KeySize);
    const ByteView ciphertext =
        schemeOutput.subspan(kSuciX25519KeySize, schemeOutput.size() - kSuciProfileAOverhead);
    const ByteView tag = schemeOutput.last(kSuciMacTagSize);

    auto shared = x25519(homeNetworkPrivateKey, ephPublic);
    if (!shared)
        return suciError("SUCI Profile A: unusable ephemeral public key (" +
                         shared.error().message() + ")");
    auto keys = deriveKeys(*shared, ephPublic);
    if (!keys)
        return keys.error();
    // Constant-time tag check (CRYPTO_memcmp) before decrypting anything.
    auto verified = hmacSha256Verify(keys->macKey(), ciphertext, tag);
    if (!verified) {
        if (verified.code() == ErrorCode::BadSignature)
            return makeError(ErrorCode::SuciMacFailure,
                             "SUCI Profile A: MAC tag does not verify (tampered output or the "
                             "wrong home network key)");
        return verified.error();
    }
    return aes128Ctr(keys->encKey(), keys->icb(), ciphertext);
}

Result<SuciHomeNetworkKeyPair> suciHomeNetworkKeyPairFromPrivate(ByteView priv) {
    if (priv.size() != kSuciX25519KeySize)
        return makeError(ErrorCode::InvalidArgument,
                         "SUCI: home network private key must be 32 bytes");
    auto pub = x25519PublicFromPrivate(priv);
    if (!pub)
        return pub.error();
    return SuciHomeNetworkKeyPair{SecureBytes(priv.begin(), priv.end()), std::move(*pub)};
}

Result<SuciHomeNetworkKeyPair> generateSuciHomeNetworkKeyPair(Random& rng) {
    SecureBytes priv(kSuciX25519KeySize);
    TWINSEAL_TRY(rng.fill(priv.data(), priv.size()));
    return suciHomeNetworkKeyPairFromPrivate(priv);
}

// ---- SUPI
// ----------------------------------------------------------------------------------------

Result<Supi> Supi::make(std::string_view mcc, std::string_view mnc, std::string_view msin) {
    if (mcc.size() != 3 || !allDigits(mcc))
        return suciError("SUPI: MCC must be 3 digits");
    if ((mnc.size() != 2 && mnc.size() != 3) || !allDigits(mnc))
        return suciError("SUPI: MNC must be 2 or 3 digits");
    if (msin.empty() || !allDigits(msin) || mcc.size() + mnc.size() + msin.size() > 15)
        return suciError("SUPI: MSIN must be digits and the IMSI at most 15 digits");
    return Supi{std::string(mcc), std::string(mnc), std::string(msin)};
}

Result<Supi> Supi::parse(std::string_view text, std::size_t mncLength) {
    constexpr std::string_view prefix = "imsi-";
    if (mncLength != 2 && mncLength != 3)
        return makeError(ErrorCode::InvalidArgument, "SUPI: MNC length must be 2 or 3");
    if (text.substr(0, prefix.size()) != prefix)
        return suciError("SUPI: expected \"imsi-<digits>\"");
    const std::string_view digits = text.substr(prefix.size());
    if (!allDigits(digits) || digits.size() < 3 + mncLength + 1)
        return suciError("SUPI: expected \"imsi-<digits>\"");
    return make(digits.substr(0, 3), digits.substr(3, mncLength), digits.substr(3 + mncLength));
}

std::string Supi::toString() const {
    return "imsi-" + imsi();
}

// ---- SUCI
// ----------------------------------------------------------------------------------------

std::string Suci::toString() const {
    std::string out = "suci-0-" + mcc + "-" + mnc + "-" + routingIndicator + "-" +
                      std::to_string(unsigned(scheme)) + "-" +
                      std::to_string(unsigned(homeNetworkPublicKeyId)) + "-";
    if (scheme == SuciProtectionScheme::Null) {
        if (auto digits = decodeBcdDigits(schemeOutput); digits.ok())
            return out + *digits;
    }
    return out + toHex(schemeOutput);
}

Result<Suci> Suci::parse(std::string_view text) {
    std::vector<std::string_view> f;
    std::size_t start = 0;
    while (true) {
        const std::size_t dash = text.find('-', start);
        f.push_back(text.substr(start, dash == std::string_view::npos ? dash : dash - start));
        if (dash == std::string_view::npos)
            break;
        start = dash + 1;
    }
    if (f.size() != 8 || f[0] != "suci")
        return suciError("SUCI: expected suci-0-<mcc>-<mnc>-<routing>-<scheme>-<key id>-<output>");
    if (f[1] != "0")
        return makeError(ErrorCode::UnsupportedAlgorithm,
                         "SUCI: only the IMSI SUPI type (0) is supported");
    Suci s;
    if (f[2].size() != 3 || !allDigits(f[2]))
        return suciError("SUCI: MCC must be 3 digits");
    if ((f[3].size() != 2 && f[3].size() != 3) || !allDigits(f[3]))
        return suciError("SUCI: MNC must be 2 or 3 digits");
    if (f[4].empty() || f[4].size() > 4 || !allDigits(f[4]))
        return suciError("SUCI: routing indicator must be 1 to 4 digits");
    if (f[5].empty() || f[5].size() > 2 || !allDigits(f[5]) || f[6].empty() || f[6].size() > 3 ||
        !allDigits(f[6]))
        return suciError("SUCI: scheme and key identifier must be decimal numbers");
    const int scheme = smallDecimal(f[5]);
    const int keyId = smallDecimal(f[6]);
    if (scheme > 15 || keyId > 255)
        return suciError("SUCI: scheme or key identifier out of range");
    s.mcc = f[2];
    s.mnc = f[3];
    s.routingIndicator = f[4];
    s.homeNetworkPublicKeyId = static_cast<std::uint8_t>(keyId);
    if (scheme == int(SuciProtectionScheme::Null)) {
        if (keyId != 0)
            return suciError("SUCI: the null scheme takes home network public key id 0");
        auto bcd = encodeBcdDigits(f[7]);
        if (!bcd)
            return suciError("SUCI: null-scheme output must be the MSIN digits");
        s.scheme = SuciProtectionScheme::Null;
        s.schemeOutput = std::move(*bcd);
    } else if (scheme == int(SuciProtectionScheme::ProfileA)) {
        auto out = fromHex(f[7]);
        if (!out)
            return suciError("SUCI: Profile A output must be hex");
        if (out->size() <= kSuciProfileAOverhead)
            return suciError("SUCI: Profile A output too short");
        s.scheme = SuciProtectionScheme::ProfileA;
        s.schemeOutput = std::move(*out);
    } else {
        return makeError(ErrorCode::UnsupportedAlgorithm,
                         "SUCI: protection scheme " + std::to_string(scheme) + " not supported");
    }
    return s;
}

Result<Suci> concealSupi(const Supi& supi, std::string_view routingIndicator,
                         SuciProtectionScheme scheme, std::uint8_t homeNetworkPublicKeyId,
                         ByteView homeNetworkPublicKey, Random& rng) {
    auto checked = Supi::make(supi.mcc, supi.mnc, supi.msin);
    if (!checked)
        return checked.error();
    if (routingIndicator.empty() || routingIndicator.size() > 4 || !allDigits(routingIndicator))
        return suciError("SUCI: routing indicator must be 1 to 4 digits");
    auto input = encodeBcdDigits(supi.msin);
    if (!input)
        return input.error();
    Suci s{supi.mcc, supi.mnc, std::string(routingIndicator), scheme, 0, {}};
    switch (scheme) {
    case SuciProtectionScheme::Null:
        s.schemeOutput = std::move(*input);
        return s;
    case SuciProtectionScheme::ProfileA: {
        auto out = profileAConceal(*input, homeNetworkPublicKey, rng);
        if (!out)
            return out.error();
        s.homeNetworkPublicKeyId = homeNetworkPublicKeyId;
        s.schemeOutput = std::move(*out);
        return s;
    }
    }
    return makeError(ErrorCode::UnsupportedAlgorithm, "SUCI: unknown protection scheme");
}

Result<Supi> deconcealSuci(const Suci& suci, ByteView homeNetworkPrivateKey) {
    switch (suci.scheme) {
    case SuciProtectionScheme::Null: {
        auto msin = decodeBcdDigits(suci.schemeOutput);
        if (!msin)
            return msin.error();
        return Supi::make(suci.mcc, suci.mnc, *msin);
    }
    case SuciProtectionScheme::ProfileA: {
        auto plain = profileADeconceal(suci.schemeOutput, homeNetworkPrivateKey);
        if (!plain)
            return plain.error();
        auto msin = decodeBcdDigits(*plain);
        if (!msin)
            return msin.error();
        return Supi::make(suci.mcc, suci.mnc, *msin);
    }
    }
    return makeError(ErrorCode::UnsupportedAlgorithm, "SUCI: unknown protection scheme");
}

} // namespace twinseal::security
