// security/-internal: the JSON shapes of entries, checkpoints and keys, and the reading of an
// export document, shared by the exports, their verification and the JSON report. Not installed.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "audit_internal.h"

namespace twinseal::security::audit_detail {

using ojson = nlohmann::ordered_json;

[[nodiscard]] ojson entryJson(const AuditEntry& e, bool withStored);
[[nodiscard]] ojson checkpointJson(const AuditCheckpoint& c, bool withSigned);
// The key as a JWK object; null for an empty key.
[[nodiscard]] ojson keyJson(const PublicKey& key);
[[nodiscard]] std::string dumpJson(const ojson& j, int indent);

// An export document (JSON or CBOR) with bounded nesting and sizes; nullopt when malformed.
[[nodiscard]] std::optional<ojson> parseDocument(ByteView data, AuditFormat format);
// Rebuilds the record sequence of an export (header, then entries and checkpoints interleaved as
// in the file: a checkpoint follows the entries it covers), checking every displayed member
// against the stored bytes.
// nullopt when it is consistent, else the first problem.
[[nodiscard]] std::optional<Failure> recordsFromExport(const ojson& doc,
                                                       std::vector<AuditRecord>& records);

} // namespace twinseal::security::audit_detail
