// The call assertion (compact JWS): parseAssertion on any text, and the signature check of
// whatever parses (with a fixed key: it must fail cleanly, never crash).
#include <twinseal/security/assertion.h>

#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace twinseal;
    auto assertion = security::parseAssertion(fuzz::textOf(data, size));
    if (!assertion.ok())
        return 0;
    (void)security::verifyAssertionSignature(*assertion, fuzz::fixedKey().publicKey());
    (void)security::sipIdentityHeader(*assertion, "urn:twinseal:fuzz");
    return 0;
}
