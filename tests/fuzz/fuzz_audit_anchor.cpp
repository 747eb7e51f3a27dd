// The activity log's sealed anchor (DATA/audit-anchor.tsc, audit_anchor.h): readAuditAnchor on any
// bytes, and the seal opened with the key of fixedKey() as the audit key. An anchor that opens
// re-seals to bytes that open again to the same contents.
#include <twinseal/security/audit_anchor.h>

#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace twinseal;
    const security::ByteView input = fuzz::bytesOf(data, size);
    (void)security::readAuditAnchor(input);
    static const security::AuditAnchorKey key = [] {
        auto k = security::AuditAnchorKey::derive(fuzz::fixedKey());
        fuzz::require(k.ok(), "the anchor key derives from the fixed key");
        return std::move(k).value();
    }();
    auto opened = key.open(input);
    if (!opened.ok())
        return 0;
    auto again = key.seal(*opened);
    fuzz::require(again.ok(), "an anchor that opens seals again");
    auto reopened = key.open(*again);
    fuzz::require(reopened.ok(), "a re-sealed anchor opens");
    fuzz::require(reopened->logId == opened->logId && reopened->counter == opened->counter &&
                      reopened->checkpoint == opened->checkpoint,
                  "a re-sealed anchor keeps its log id, counter and checkpoint");
    return 0;
}
