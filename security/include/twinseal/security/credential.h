// DT credential: issued by the home network's issuer key, bound to a holder key, a subscriber
// commitment, the root digest of the certified avatar media and which of its files are the
// model and the metadata.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "twinseal/security/manifest.h"
#include "twinseal/security/x509.h"

namespace twinseal::security {

inline constexpr const char* kCredentialType = "twinseal.dt-credential.v1";

struct AttributeCommitmentInfo {
    std::string name;
    Digest digest{};
};

// A selectively revealed attribute (SD-JWT style): the disclosure string is
// base64url(JSON array [salt, name, value]); its commitment is SHA-256 over that string.
struct AttributeDisclosure {
    std::string salt;
    std::string name;
    std::string value;

    [[nodiscard]] std::string encoded() const;
    [[nodiscard]] Digest digest() const;
    [[nodiscard]] static Result<AttributeDisclosure> decode(std::string_view encoded);
    // Fresh disclosure with a 128-bit random salt.
    [[nodiscard]] static Result<AttributeDisclosure> make(std::string name, std::string value,
                                                          Random& rng);
};

struct CredentialClaims {
    std::string dtId;
    std::string avatarId;
    PublicKey holderKey;
    Bytes subscriberBinding;
    std::string pseudonym;
    std::vector<AttributeCommitmentInfo> attributes;
    Digest mediaRoot{};
    // The model and metadata of the certified media (describeMedia of its manifest); nothing in
    // a credential issued before they were certified.
    std::optional<MediaDescription> media;
    std::int64_t notBefore = 0;
    std::int64_t notAfter = 0;
    std::int64_t issuedAt = 0;
    std::uint64_t statusListIndex = 0;
    std::string statusListUri;
    std::uint64_t logIndex = 0;
    std::uint32_t generation = 1;
    std::string issuer;
};

struct Credential {
    CredentialClaims claims;
    std::vector<Certificate> issuerChain; // issuer first
    Bytes body;     // signed bytes
    Bytes encoded;  // the whole envelope
    // SHA-256 of the encoded envelope: the credential digest that assertions carry.
    [[nodiscard]] Digest digest() const;
};

// The subscriber binding of one credential: a keyed commitment (HMAC-SHA256 under the home
// network's binding key) to the SUPI, the DT and the credential's generation. The home network
// recomputes it from its records; peers cannot link two credentials of one subscriber by it,
// since every credential (a re-certification, a pseudonym rotation, a new DT) has its own.
[[nodiscard]] Result<Bytes> subscriberBinding(ByteView bindingKey, std::string_view supi,
                                              std::string_view dtId, std::uint32_t generation);

// Issues a credential: the issuer chain (issuer certificate first) is embedded.
[[nodiscard]] Result<Credential> issueCredential(const CredentialClaims& claims,
                                                 const SigningKey& issuerKey,
                                                 const std::vector<Certificate>& issuerChain);

// Parses a credential and checks the issuer's signature over the stored body bytes with the
// key of the first certificate in the embedded chain (no trust decision; see validateChain).
[[nodiscard]] Result<Credential> parseCredential(ByteView encoded);

// Validity window at `now`: CredentialNotYetValid / CredentialExpired.
[[nodiscard]] Status checkValidity(const CredentialClaims& claims, std::int64_t now);

} // namespace twinseal::security
