// Third-party role credential: an enterprise (a hospital) attests a role ("surgeon, St. Mary's")
// for a holder key. It is signed by the enterprise's issuing key, whose certificate chains to the
// enterprise's root, and it is trusted separately from the operator: a room names, per required
// role, the enterprise roots that may vouch for it (RoleRequirement).
#pragma once

#include <string>
#include <vector>

#include "twinseal/security/clock.h"
#include "twinseal/security/x509.h"

namespace twinseal::security {

inline constexpr const char* kRoleCredentialType = "twinseal.role-credential.v1";
inline constexpr std::size_t kRoleSerialSize = 16;

struct RoleClaims {
    std::string enterprise;    // the enterprise's display name
    std::string role;          // e.g. "surgeon"
    std::string organisation;  // e.g. "St. Mary's"
    Digest holderThumbprint{}; // RFC 7638 thumbprint of the holder key it is issued for
    std::int64_t notBefore = 0;
    std::int64_t notAfter = 0;
    std::int64_t issuedAt = 0;
    Bytes serial;              // kRoleSerialSize random bytes; issueRoleCredential makes one
};

struct RoleCredential {
    RoleClaims claims;
    std::vector<Certificate> issuerChain; // the enterprise's issuing certificate first
    Bytes body;    // the signed bytes
    Bytes encoded; // the whole envelope (what is stored and presented)
    [[nodiscard]] Digest digest() const;    // SHA-256 of the envelope
    [[nodiscard]] std::string label() const; // "surgeon, St. Mary's"
};

// Issues a role credential signed with `enterpriseKey`, whose certificate is the first of
// `issuerChain` (root excluded). A fresh random serial is drawn from `rng` when the claims carry
// none. InvalidArgument for an empty role, enterprise or holder thumbprint, or an empty validity
// window; KeyMismatch when the key is not the certificate's.
[[nodiscard]] Result<RoleCredential>
issueRoleCredential(const RoleClaims& claims, const SigningKey& enterpriseKey,
                    const std::vector<Certificate>& issuerChain, Random& rng);

// Parses a role credential and checks the enterprise's signature over the stored body bytes with
// the key of the first certificate of its chain (no trust decision). ThirdPartyCredentialInvalid
// for anything malformed or a signature that does not verify; WrongObjectType for another object.
[[nodiscard]] Result<RoleCredential> parseRoleCredential(ByteView encoded);

// The checks on a parsed role credential, in this order, each with its own code:
//   the chain to one of `enterpriseRoots` at `now`  RoleUntrustedIssuer (well-formed but not
//                                                   vouched for by these roots), or
//                                                   ThirdPartyCredentialInvalid (broken chain)
//   the validity window                             RoleNotYetValid / RoleExpired
//   the holder binding                              RoleHolderMismatch (issued for another key)
// On success, the subject of the root it chains to.
[[nodiscard]] Result<std::string> verifyRoleCredential(const RoleCredential& credential,
                                                       const TrustList& enterpriseRoots,
                                                       const Digest& holderThumbprint,
                                                       std::int64_t now);

// ---- what a room requires ------------------------------------------------------------------

// One role a room requires, and the enterprise roots that may vouch for it.
struct RequiredRole {
    std::string role;
    TrustList enterpriseRoots;
};

struct RoleRequirement {
    std::vector<RequiredRole> roles;
    [[nodiscard]] bool empty() const noexcept { return roles.empty(); }
};

// A required role proven by a presented credential.
struct ProvenRole {
    std::string role;
    std::string organisation;
    std::string enterprise;
    std::string rootSubject; // the enterprise root that vouched for it
    std::string serial;      // hex
};

// Proves every role of `requirement` with the `presented` credentials (encoded envelopes) for
// the holder key `holderThumbprint` at `now`. Fails with the first role that is not proven:
// RoleMissing when no presented credential claims it, else the reason of the credential that
// came closest (see verifyRoleCredential; ThirdPartyCredentialInvalid when a presented
// credential could not be read at all). Every message names the role.
[[nodiscard]] Result<std::vector<ProvenRole>> proveRoles(const RoleRequirement& requirement,
                                                         const std::vector<Bytes>& presented,
                                                         const Digest& holderThumbprint,
                                                         std::int64_t now);

} // namespace twinseal::security
