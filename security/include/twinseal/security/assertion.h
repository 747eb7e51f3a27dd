// Call assertion: a PASSporT-shaped (RFC 8225) compact JWS with `typ: passport`, `ppt: avatar`,
// `alg: EdDSA|ES256`, signed by the holder key. Any standard JOSE library verifies it with the
// holder's public JWK.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "twinseal/security/credential.h"

namespace twinseal::security {

inline constexpr std::int64_t kAssertionFreshnessSeconds = 60;

struct AssertionClaims {
    std::int64_t iat = 0;
    std::string orig;               // originating Avatar-ID (orig.uri)
    std::vector<std::string> dest;  // destination URIs (dest.uri)
    std::string origid;             // unique id of this assertion (UUID)
    Digest mediaRoot{};             // "avmd": certified media root
    Digest credentialDigest{};      // "crd": SHA-256 of the credential envelope
    Digest holderThumbprint{};      // "cnf": {"jkt": ...} RFC 7638 thumbprint of the holder key
    Bytes ephemeralKey;             // "epk": X25519 public key for the call's frame keys
};

struct Assertion {
    std::string compact;  // header.payload.signature
    std::string headerJson;
    std::string payloadJson;
    KeyAlgorithm algorithm = KeyAlgorithm::Ed25519;
    std::string kid;
    AssertionClaims claims;
    Bytes signingInput;   // ASCII(header "." payload)
    Bytes signature;      // JOSE form
};

// Fills claims from the credential (orig, avmd, crd, cnf) for a call to `dest`.
[[nodiscard]] Result<AssertionClaims> claimsForCall(const Credential& credential,
                                                    std::vector<std::string> dest,
                                                    ByteView ephemeralKey,
                                                    std::int64_t now, Random& rng);

[[nodiscard]] Result<Assertion> createAssertion(const AssertionClaims& claims,
                                                const SigningKey& holderKey);
// Parses and checks the shape (typ, ppt, alg, required claims). Does not check the signature.
[[nodiscard]] Result<Assertion> parseAssertion(std::string_view compact);
[[nodiscard]] Status verifyAssertionSignature(const Assertion& assertion, const PublicKey& key);

// SIP Identity header value (RFC 8224): compact form ;info=<urn>;alg=..;ppt=avatar
[[nodiscard]] std::string sipIdentityHeader(const Assertion& assertion,
                                            std::string_view infoUri);

} // namespace twinseal::security
