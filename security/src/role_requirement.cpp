// Whether the role credentials a peer presented prove the roles a room requires.
#include <optional>

#include "twinseal/security/role_credential.h"

namespace twinseal::security {

namespace {

// How far a credential got through verifyRoleCredential's checks: the failure of the one that
// got furthest is the most useful reason to give.
int progress(ErrorCode code) {
    switch (code) {
    case ErrorCode::RoleHolderMismatch: return 3;
    case ErrorCode::RoleExpired:
    case ErrorCode::RoleNotYetValid: return 2;
    case ErrorCode::RoleUntrustedIssuer: return 1;
    default: return 0;
    }
}

} // namespace

Result<std::vector<ProvenRole>> proveRoles(const RoleRequirement& requirement,
                                           const std::vector<Bytes>& presented,
                                           const Digest& holderThumbprint, std::int64_t now) {
    std::vector<RoleCredential> parsed;
    std::optional<Error> unreadable;
    for (const Bytes& encoded : presented) {
        auto rc = parseRoleCredential(encoded);
        if (rc.ok())
            parsed.push_back(std::move(*rc));
        else if (!unreadable)
            unreadable = rc.error();
    }
    std::vector<ProvenRole> proven;
    for (const RequiredRole& required : requirement.roles) {
        const std::string name = "role '" + required.role + "'";
        std::optional<Error> closest;
        bool found = false;
        for (const RoleCredential& rc : parsed) {
            if (rc.claims.role != required.role)
                continue;
            auto root = verifyRoleCredential(rc, required.enterpriseRoots, holderThumbprint, now);
            if (root.ok()) {
                proven.push_back({rc.claims.role, rc.claims.organisation, rc.claims.enterprise,
                                  *root, toHex(rc.claims.serial)});
                found = true;
                break;
            }
            if (!closest || progress(root.code()) > progress(closest->code))
                closest = root.error();
        }
        if (found)
            continue;
        if (closest)
            return makeError(closest->code, name + " not proven: " + closest->detail);
        if (unreadable)
            return makeError(ErrorCode::ThirdPartyCredentialInvalid,
                             name + " not proven: a presented role credential could not be "
                                    "read: " + unreadable->detail);
        return makeError(ErrorCode::RoleMissing,
                         name + " is required here, and no credential for it was presented");
    }
    return proven;
}

} // namespace twinseal::security
