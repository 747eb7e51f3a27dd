// The USIM profile (the file a subscriber imports): UsimProfileData::decode on any bytes. A
// profile that decodes re-encodes, and that encoding decodes again.
#include <twinseal/security/subscriber.h>

#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace twinseal;
    auto profile = security::UsimProfileData::decode(fuzz::bytesOf(data, size));
    if (!profile.ok())
        return 0;
    auto encoded = profile->encode();
    fuzz::require(encoded.ok(), "a decoded USIM profile encodes");
    fuzz::require(security::UsimProfileData::decode(*encoded).ok(),
                  "an encoded USIM profile decodes");
    (void)profile->servingNetworkName();
    return 0;
}
