// Status lists: parseSignedStatusListAnyTime on any bytes (checked against a fixed key), and on
// any body inside a status-list envelope that key signed, so the body parser and the bit-array
// decompression are reached. A parsed list answers every index query within its size.
#include <twinseal/security/statuslist.h>

#include "fuzz_support.h"

namespace {

void exercise(const twinseal::security::StatusList& list) {
    using namespace twinseal;
    const std::uint64_t size = list.info().size;
    fuzz::require(list.bits().size() * 8 >= size, "the bit array covers every index");
    (void)list.revokedCount();
    (void)list.checkFresh(1'800'000'000);
    (void)list.refreshDue(1'800'000'000);
    for (std::uint64_t i : {std::uint64_t{0}, size / 2, size == 0 ? 0 : size - 1})
        fuzz::require(size == 0 || list.isRevoked(i).ok(), "an index within the list answers");
    fuzz::require(!list.isRevoked(size).ok(), "the index after the list is refused");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace twinseal;
    const security::PublicKey& key = fuzz::fixedKey().publicKey();
    auto raw = security::parseSignedStatusListAnyTime(fuzz::bytesOf(data, size), key);
    if (raw.ok())
        exercise(*raw);
    const security::Bytes wrapped =
        fuzz::signedByFixedKey(security::kStatusListType, fuzz::bytesOf(data, size));
    auto list = security::parseSignedStatusListAnyTime(wrapped, key);
    if (list.ok())
        exercise(*list);
    return 0;
}
