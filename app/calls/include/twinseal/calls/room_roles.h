// The roles a room's policy requires, as the peer check needs them: each required role with the
// enterprise roots that may vouch for it. Every participant checks every peer against them
// itself (the room host checks too, but is not trusted to).
#pragma once

#include <twinseal/proto/call.pb.h>
#include <twinseal/security/role_credential.h>

namespace twinseal::calls {

// A root that is not a readable PEM certificate is left out, so a role whose roots are all
// unreadable can be proven by no one: a peer is then refused (role-untrusted-issuer), never
// admitted because the policy could not be read.
[[nodiscard]] security::RoleRequirement roomRoleRequirement(const proto::RoomPolicy& policy);

} // namespace twinseal::calls
