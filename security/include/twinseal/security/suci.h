// Subscription identifiers: SUPI (IMSI type) and its concealed form SUCI, with the null
// scheme and ECIES protection scheme Profile A (TS 33.501 Annex C.3.2 / C.3.4.1; test data in
// Annex C.4).
//
// Profile A:
//   - ephemeral X25519 key pair (RFC 7748); shared key Z = X25519(eph private, HN public);
//   - ANSI X9.63 KDF with SHA-256 over Z, SharedInfo = the ephemeral public key, 64 bytes out:
//     encryption key (16) || ICB (16) || MAC key (32);
//   - AES-128-CTR over the scheme input with the ICB as the initial counter block;
//   - MAC tag = the first 8 bytes of HMAC-SHA-256(MAC key, ciphertext);
//   - scheme output = ephemeral public key (32) || ciphertext || MAC tag (8).
// For an IMSI-type SUPI the scheme input is the MSIN in BCD (TS 24.501 9.11.3.4: two digits an
// octet, the first digit in the low nibble, an odd count padded with 'f' in the last high
// nibble), e.g. MSIN 001002086 -> 00 01 20 80 f6.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "twinseal/security/bytes.h"
#include "twinseal/security/clock.h"

namespace twinseal::security {

inline constexpr std::size_t kSuciX25519KeySize = 32; // X25519 private and public keys
inline constexpr std::size_t kSuciMacTagSize = 8;     // Profile A MAC tag
inline constexpr std::size_t kSuciProfileAOverhead = kSuciX25519KeySize + kSuciMacTagSize;

// ---- BCD ---------------------------------------------------------------------------------------

// Digits "0".."9" (1 to 32 of them) to swapped-nibble BCD with an 'f' filler. Anything else is
// ErrorCode::SuciInvalid.
[[nodiscard]] Result<Bytes> encodeBcdDigits(std::string_view digits);
// The inverse: accepts only decimal nibbles, with 'f' allowed solely as the final high nibble.
[[nodiscard]] Result<std::string> decodeBcdDigits(ByteView bcd);

// ---- Profile A (ECIES over X25519) --------------------------------------------------------------

// Conceals a scheme input for the home network public key (32-byte X25519) with a fresh
// ephemeral key from rng. Returns the scheme output.
[[nodiscard]] Result<Bytes> profileAConceal(ByteView schemeInput, ByteView homeNetworkPublicKey,
                                            Random& rng);
// The same with an explicit ephemeral private key (32 bytes): for published test vectors only.
// Never reuse an ephemeral key.
[[nodiscard]] Result<Bytes> profileAConcealWithEphemeral(ByteView schemeInput,
                                                         ByteView homeNetworkPublicKey,
                                                         ByteView ephemeralPrivateKey);
// Recovers the scheme input. The tag is checked in constant time before anything is decrypted;
// a mismatch (tampering, or the wrong home network key) is ErrorCode::SuciMacFailure; an
// output too short to hold key and tag, or an unusable ephemeral key, is ErrorCode::SuciInvalid.
[[nodiscard]] Result<SecureBytes> profileADeconceal(ByteView schemeOutput,
                                                    ByteView homeNetworkPrivateKey);

// A home network key pair for Profile A. The private key is cleansed when freed.
struct SuciHomeNetworkKeyPair {
    SecureBytes privateKey; // 32 bytes
    Bytes publicKey;        // 32 bytes
};
[[nodiscard]] Result<SuciHomeNetworkKeyPair> generateSuciHomeNetworkKeyPair(Random& rng);
[[nodiscard]] Result<SuciHomeNetworkKeyPair> suciHomeNetworkKeyPairFromPrivate(ByteView priv);

// ---- SUPI and SUCI ----------------------------------------------------------------------------

// An IMSI-type SUPI: "imsi-<mcc><mnc><msin>" (TS 23.003 clause 2.2 and 28.7.2).
struct Supi {
    std::string mcc;  // 3 digits
    std::string mnc;  // 2 or 3 digits
    std::string msin; // 1 to 10 digits; the whole IMSI is at most 15 digits

    // The MNC length is not recoverable from the digits alone, so the caller states it (2 or 3).
    [[nodiscard]] static Result<Supi> parse(std::string_view text, std::size_t mncLength);
    [[nodiscard]] static Result<Supi> make(std::string_view mcc, std::string_view mnc,
                                           std::string_view msin);
    // "imsi-<digits>"
    [[nodiscard]] std::string toString() const;
    // "<mcc><mnc><msin>": the IMSI digits (also the SUPI form used as a KDF input, TS 33.501
    // Annex A.7.0).
    [[nodiscard]] std::string imsi() const { return mcc + mnc + msin; }
    bool operator==(const Supi&) const = default;
};

enum class SuciProtectionScheme : std::uint8_t { Null = 0, ProfileA = 1 };

// An IMSI-type SUCI (TS 23.003 clause 2.2B):
//   "suci-0-<mcc>-<mnc>-<routing indicator>-<scheme>-<HN public key id>-<scheme output>"
// The scheme output is lower-case hex for Profile A. For the null scheme the string carries the
// MSIN digits themselves (e.g. "suci-0-208-93-0-0-0-00007487"), while schemeOutput holds the
// BCD octets the null scheme outputs (TS 33.501 C.4.2.1).
struct Suci {
    std::string mcc;              // 3 digits
    std::string mnc;              // 2 or 3 digits
    std::string routingIndicator; // 1 to 4 digits ("0" when none is provisioned)
    SuciProtectionScheme scheme = SuciProtectionScheme::Null;
    std::uint8_t homeNetworkPublicKeyId = 0; // 0 for the null scheme
    Bytes schemeOutput;

    [[nodiscard]] std::string toString() const;
    // Strict: lower- or upper-case hex accepted, nothing else; unknown schemes, non-digit fields,
    // wrong field counts and (for Profile A) outputs shorter than key + tag are
    // ErrorCode::SuciInvalid.
    [[nodiscard]] static Result<Suci> parse(std::string_view text);
    bool operator==(const Suci&) const = default;
};

// UE side: conceals a SUPI. For the null scheme the key arguments are ignored (key id 0).
[[nodiscard]] Result<Suci> concealSupi(const Supi& supi, std::string_view routingIndicator,
                                       SuciProtectionScheme scheme,
                                       std::uint8_t homeNetworkPublicKeyId,
                                       ByteView homeNetworkPublicKey, Random& rng);
// Home network side: recovers the SUPI with the private key that belongs to
// suci.homeNetworkPublicKeyId (ignored for the null scheme).
[[nodiscard]] Result<Supi> deconcealSuci(const Suci& suci, ByteView homeNetworkPrivateKey);

} // namespace twinseal::security
