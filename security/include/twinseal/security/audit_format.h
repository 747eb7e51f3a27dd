// The activity log's file format (see audit.h):
//
// File format (append-only; every append is one write() followed by fsync()):
//   file    := "TSAUDIT" 0x01  record*              (the first record is the header)
//   record  := kind:u8  length:u32be  frameCheck:u32be  payload[length]  checksum[8]
//     kind        'H' header (Protobuf AuditLogHeader), 'E' entry (AuditEntry),
//                 'C' checkpoint (Signed envelope)
//     length      <= kMaxAuditRecordPayload
//     frameCheck  first 4 bytes of SHA-256("TwinSeal-Audit-Frame-v1" 0x00 kind length)
//     checksum    first 8 bytes of SHA-256("TwinSeal-Audit-Record-v1" 0x00 kind length payload)
//   The checksums catch accidental damage and tell a torn write from a damaged record; they are
//   not what makes the log tamper-evident (anyone can recompute them) - the chain and the signed
//   checkpoints are. A torn last record (a crash mid-append) is: fewer bytes than a frame header,
//   a valid frame header whose record runs past the end of the file, or an all-zero tail. The
//   reader reports it (AuditLogTruncated, tornTailOffset); AuditLog::open repairs it by
//   truncating it away. A record with a complete frame is never dropped: damage there is an
//   error.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "twinseal/security/audit_entry.h"

namespace twinseal::security {

enum class AuditRecordKind : std::uint8_t { Header = 'H', Entry = 'E', Checkpoint = 'C' };

struct AuditRecord {
    AuditRecordKind kind = AuditRecordKind::Entry;
    Bytes payload;
    std::uint64_t offset = 0; // of the record's first byte in the file
    std::uint64_t size = 0;   // of the whole framed record
};

// The framed form of one record (frame header, payload, checksum).
[[nodiscard]] Bytes encodeAuditRecord(AuditRecordKind kind, ByteView payload);
// The file magic followed by the given records: for tests and tools that rebuild a file.
[[nodiscard]] Bytes encodeAuditFile(const std::vector<AuditRecord>& records);
// Splits a log file into its records (header included) without verifying anything else.
// MalformedInput without the magic; AuditRecordCorrupt / AuditEntryModified /
// AuditCheckpointInvalid for a damaged record; AuditLogTruncated for a torn last record.
[[nodiscard]] Result<std::vector<AuditRecord>> readAuditRecords(ByteView file);

enum class AuditFormat { LogFile, JsonExport, CborExport, Unknown };
[[nodiscard]] std::string_view auditFormatName(AuditFormat f) noexcept; // "log file", ...
// Tells a raw log file (magic), a JSON export ('{') and a CBOR export (a CBOR map) apart.
[[nodiscard]] AuditFormat detectAuditFormat(ByteView data) noexcept;

// Parses a checkpoint envelope and verifies its signature: MalformedInput / WrongObjectType /
// UnsupportedVersion / AuditCheckpointInvalid.
[[nodiscard]] Result<AuditCheckpoint> parseAuditCheckpoint(ByteView envelope,
                                                           const PublicKey& auditKey);

} // namespace twinseal::security
