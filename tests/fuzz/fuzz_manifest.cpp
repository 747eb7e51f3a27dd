// The avatar manifest: parseSignedManifest on any bytes, and on any body inside a Signed
// envelope of the manifest type signed by a fixed key.
#include <twinseal/security/manifest.h>

#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace twinseal;
    (void)security::parseSignedManifest(fuzz::bytesOf(data, size));
    const security::Bytes wrapped =
        fuzz::signedByFixedKey(security::kManifestType, fuzz::bytesOf(data, size));
    (void)security::parseSignedManifest(wrapped);
    return 0;
}
