// Verifying an activity log (see audit.h for what it detects and what it cannot): a raw log file
// or a JSON/CBOR export, with an optional pinned audit key, expected log id and anchor.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "twinseal/security/audit_entry.h"
#include "twinseal/security/audit_format.h"

namespace twinseal::security {

struct AuditVerifyOptions {
    // The audit public key the verifier trusts. Null: the key recorded in the log is used, which
    // shows the log is consistent with itself but not who wrote it (keyPinned is false).
    const PublicKey* auditKey = nullptr;
    // When not empty, the log must have this id (AuditLogIdMismatch otherwise).
    std::string expectedLogId;
    // A signed checkpoint seen before and kept outside the log (Signed envelope bytes). The log
    // must still hold the entries it covers with the same head: AuditLogTruncated when they are
    // gone (truncation, rollback), AuditEntryModified when they differ.
    Bytes anchor;
    // The device's own log (audit_anchor.h): when `anchor` is empty and the log has signed
    // checkpoints, fail with AuditAnchorMissing instead of accepting it unanchored.
    bool requireAnchor = false;
    // The key and log id are the device's own (audit.key, its sealed anchor): a log under
    // another key or with another id is AuditLogReplaced (a wholesale replacement), not
    // KeyMismatch / AuditLogIdMismatch.
    bool pinnedByDevice = false;
};

// The outcome: ok, or the first problem in file order with its code and where it is.
struct AuditVerification {
    ErrorCode code = ErrorCode::Ok;
    std::string detail;                      // what is wrong, for a person
    std::optional<std::uint64_t> entryIndex; // the entry (sequence position) concerned
    std::optional<std::uint64_t> checkpointIndex;
    std::optional<std::uint64_t> offset; // byte offset in a log file, when known

    AuditFormat format = AuditFormat::Unknown;
    std::string logId;
    std::int64_t createdAt = 0;
    PublicKey auditKey;     // the key the checkpoints were verified with
    bool keyPinned = false; // true when the caller supplied it
    bool anchorChecked = false;
    // Entries and checkpoints verified before the first problem (all of them when ok()).
    std::vector<AuditEntry> entries;
    std::vector<AuditCheckpoint> checkpoints;
    std::uint64_t signedEntries = 0; // entries covered by the last valid checkpoint
    // A torn last record (a crash mid-append) ends the file at this offset; code is then
    // AuditLogTruncated. AuditLog::open repairs exactly this case.
    std::optional<std::uint64_t> tornTailOffset;

    [[nodiscard]] bool ok() const noexcept { return code == ErrorCode::Ok; }
    // Entries after the last checkpoint: chained but not signed (appended while locked).
    [[nodiscard]] std::uint64_t unsignedTail() const noexcept {
        return entries.size() - signedEntries;
    }
    // One line: "intact: 12 entries, 3 checkpoints, ..." or "audit-entry-modified at entry 3: ..".
    [[nodiscard]] std::string summary() const;
    // What the failure code means for a person (empty when ok).
    [[nodiscard]] std::string meaning() const;
    // The whole report as JSON (entries with fields and hashes, checkpoints, the problem).
    [[nodiscard]] std::string toJson() const;
};

// A raw log file.
[[nodiscard]] AuditVerification verifyAuditLog(ByteView file, const AuditVerifyOptions& options);
[[nodiscard]] AuditVerification verifyAuditLog(ByteView file, const PublicKey& auditKey);
// A JSON or CBOR export: every entry's hash is recomputed from its exported stored bytes, every
// displayed field is compared with those bytes (an edited field is AuditEntryModified), then the
// chain and checkpoints are checked exactly as for the file.
[[nodiscard]] AuditVerification verifyAuditExport(ByteView data, const AuditVerifyOptions& options);
// Any of the three, by detectAuditFormat (MalformedInput for anything else).
[[nodiscard]] AuditVerification verifyAuditData(ByteView data, const AuditVerifyOptions& options);

} // namespace twinseal::security
