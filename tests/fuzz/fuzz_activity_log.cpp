// The activity log: verifyAuditData on any bytes (a raw log file, a JSON export or a CBOR
// export, by its detected format), and the JSON export of whatever it accepts as a log file.
#include <twinseal/security/audit_export.h>
#include <twinseal/security/audit_verify.h>

#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace twinseal;
    const security::ByteView input = fuzz::bytesOf(data, size);
    security::AuditVerifyOptions options;
    const security::AuditVerification v = security::verifyAuditData(input, options);
    (void)v.summary();
    (void)v.meaning();
    (void)v.toJson();
    fuzz::require(v.signedEntries <= v.entries.size(), "signed entries are among the entries");
    if (v.format == security::AuditFormat::LogFile) {
        (void)security::exportAuditJson(input);
        (void)security::exportAuditCbor(input);
    }
    return 0;
}
