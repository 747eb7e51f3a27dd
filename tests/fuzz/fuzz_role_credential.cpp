// Third-party role credentials: parseRoleCredential on any bytes, and on any body inside a
// well-formed Signed envelope of the role-credential type.
#include <twinseal/security/role_credential.h>

#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace twinseal;
    auto parsed = security::parseRoleCredential(fuzz::bytesOf(data, size));
    if (parsed.ok()) {
        (void)parsed->label();
        (void)parsed->digest();
    }
    const security::Bytes wrapped =
        fuzz::signedByFixedKey(security::kRoleCredentialType, fuzz::bytesOf(data, size));
    (void)security::parseRoleCredential(wrapped);
    return 0;
}
