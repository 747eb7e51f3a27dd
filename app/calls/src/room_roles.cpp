#include "twinseal/calls/room_roles.h"

namespace twinseal::calls {

security::RoleRequirement roomRoleRequirement(const proto::RoomPolicy& policy) {
    security::RoleRequirement requirement;
    for (const proto::RoleRequirement& required : policy.required_roles()) {
        security::RequiredRole role{required.role(), {}};
        for (const std::string& pem : required.enterprise_roots_pem()) {
            auto roots = security::TrustList::fromPem(pem);
            if (!roots.ok())
                continue;
            for (const security::Certificate& root : roots->roots())
                role.enterpriseRoots.add(root);
        }
        requirement.roles.push_back(std::move(role));
    }
    return requirement;
}

} // namespace twinseal::calls
