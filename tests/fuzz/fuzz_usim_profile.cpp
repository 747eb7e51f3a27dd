// The USIM profile (the operator's file a subscriber imports, or the data directory's with K and
// OPc sealed): UsimProfileData::decode on any bytes. A profile that decodes re-encodes, in the
// same form (sealed or not, the sealed bytes unchanged), and that encoding decodes again.
#include <twinseal/security/subscriber.h>

#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace twinseal;
    auto profile = security::UsimProfileData::decode(fuzz::bytesOf(data, size));
    if (!profile.ok())
        return 0;
    auto encoded = profile->encode();
    fuzz::require(encoded.ok(), "a decoded USIM profile encodes");
    auto again = security::UsimProfileData::decode(*encoded);
    fuzz::require(again.ok(), "an encoded USIM profile decodes");
    fuzz::require(again->sealed() == profile->sealed() &&
                      again->sealedSecrets == profile->sealedSecrets,
                  "a USIM profile keeps its sealed K and OPc as they were");
    (void)profile->servingNetworkName();
    return 0;
}
