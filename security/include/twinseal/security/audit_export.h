// The activity log's exports (see audit.h): JSON for people and tools, CBOR for compact storage.
// Both carry every entry's stored bytes, so verifyAuditExport (audit_verify.h) can check them.
#pragma once

#include <string>

#include "twinseal/security/bytes.h"

namespace twinseal::security {

inline constexpr const char* kAuditExportFormat = "twinseal.audit-export.v1";

// A log file (or an export, re-exported) as the export document: an object with "format",
// "logId", "createdAt", "auditKey" (JWK), "auditKeyThumbprint", "header" (stored header,
// base64url), "entries" (each with sequence, timestamp, time (UTC ISO 8601), event, outcome,
// reason, fields, previousHash and hash in hex, and its stored bytes in base64url) and
// "checkpoints" (number, entryCount, lastSequence, headHash, timestamp, time, logId and the
// signed envelope in base64url). It needs no key and does not verify; it refuses a file whose
// framing is damaged (a torn last record is left out), so no record is silently dropped.
[[nodiscard]] Result<std::string> exportAuditJson(ByteView data);
// nlohmann::json::to_cbor of the same document.
[[nodiscard]] Result<Bytes> exportAuditCbor(ByteView data);

} // namespace twinseal::security
