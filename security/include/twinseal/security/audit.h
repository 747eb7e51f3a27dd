// The client-side tamper-evident activity log (DESIGN section 8): every DT operation the device
// performs (register, sign, call, verification result, transfer, disclosure, ...) as a
// hash-chained entry, with checkpoints signed by the device's audit key.
//
// Entries and checkpoints
//   An entry holds its sequence number (0, 1, 2, ...), a timestamp from the injected Clock, a
//   stable event type ("dt.register"), an outcome ("ok", or "failed" with a reason code), a few
//   key/value fields (never secrets) and the hash of the previous entry. Its hash is
//   SHA-256("TwinSeal-Audit-Entry-v1" 0x00 stored entry bytes): the stored Protobuf bytes, never a
//   re-serialization. Entry 0 links to a genesis hash over the log's stored header (log id, audit
//   public key, creation time), so the header is covered by the chain too.
//
//   A checkpoint is a "twinseal.audit-checkpoint.v1" Signed envelope over {log id, checkpoint
//   number, entry count, hash of the last entry, timestamp}, signed with the audit key (a
//   SigningKey; the app keeps it encrypted at rest like the holder key). Appending needs no key:
//   while the app is locked entries are only chained; checkpoint() signs the chain head as soon as
//   the key is available (on unlock, and after each append while unlocked: appendSigned()).
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
//
// What verification detects (with the audit public key, given or taken from the log):
//   - any change to any byte of the file (record checksums; for entries a checkpoint covers also
//     when the attacker recomputes the checksums and the chain: the signed head no longer
//     matches);
//   - deleting, inserting, swapping or replaying entries a checkpoint covers, deleting or moving
//     checkpoints (they are numbered and must sit right after the entries they cover), splicing
//     a checkpoint from another log (log id), a forged checkpoint (signature);
//   - a torn or cut last record;
//   - with an anchor (a signed checkpoint kept outside the log: an earlier export, the app's
//     settings, a peer): truncating or rolling back the log to before that checkpoint;
//   - with a pinned audit key: replacing the whole log by one under another key.
// What it cannot detect:
//   - changes to the unsigned tail (entries after the last checkpoint, e.g. appended while
//     locked) by someone who recomputes the chain and checksums: reported as "unsigned tail",
//     never as signed;
//   - without an anchor: cutting the file at a record boundary after a checkpoint (dropping
//     later entries and checkpoints), restoring an older copy of the file, or removing the last
//     checkpoints (any number of them, so that the entries they covered become an unsigned tail
//     that can then be rewritten). Each leaves a well-formed log; in the last case the report
//     shows those entries as unsigned. With a checkpoint after every append while unlocked, only
//     such suffix removals and edits of the unsigned tail remain. Keep latestCheckpoint() outside
//     the log (the app's settings, every export) and pass it as the anchor to close this gap;
//   - replacing the whole log (new key, new chain) when the verifier does not pin the audit key;
//   - anything done by someone holding the unlocked audit key (malware on the unlocked device),
//     and a wrong device clock (timestamps are the device's claim).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "twinseal/security/clock.h"
#include "twinseal/security/signed.h"

namespace twinseal::security {

inline constexpr const char* kAuditCheckpointType = "twinseal.audit-checkpoint.v1";
inline constexpr const char* kAuditExportFormat = "twinseal.audit-export.v1";

// Bounds. An entry is at most a few KiB; records beyond the payload bound are never written and
// never read.
inline constexpr std::size_t kMaxAuditRecordPayload = 64 * 1024;
inline constexpr std::size_t kMaxAuditFields = 32;
inline constexpr std::size_t kMaxAuditNameLength = 64;    // event types, reasons, field keys
inline constexpr std::size_t kMaxAuditValueLength = 1024; // field values (bytes of UTF-8)
inline constexpr std::size_t kMaxAuditLogIdLength = 128;
inline constexpr std::size_t kMaxAuditInput = 256u * 1024 * 1024; // file or export to verify

// Stable event types. Others may be used (lower-case [a-z0-9._-], starting with a letter).
namespace audit_event {
inline constexpr const char* kDtRegister = "dt.register";
inline constexpr const char* kDtRecertify = "dt.recertify";
inline constexpr const char* kDtRevoke = "dt.revoke";
inline constexpr const char* kDtStatus = "dt.status";
inline constexpr const char* kAssertionSign = "assertion.sign";
inline constexpr const char* kCallVerify = "call.verify";
inline constexpr const char* kTransferOffer = "transfer.offer";
inline constexpr const char* kTransferAccept = "transfer.accept";
inline constexpr const char* kTransferCancel = "transfer.cancel";
inline constexpr const char* kDisclosureChange = "disclosure.change";
inline constexpr const char* kLawfulDisclosure = "disclosure.lawful";
inline constexpr const char* kPseudonymRotate = "pseudonym.rotate";
inline constexpr const char* kAvatarUpload = "avatar.upload";
inline constexpr const char* kKeyUnlock = "key.unlock";
inline constexpr const char* kKeyLock = "key.lock";
inline constexpr const char* kAuditExport = "audit.export";
} // namespace audit_event

struct AuditEventInfo {
    const char* type;
    const char* description; // English, for a filter list or a tooltip
};
// The event types above with a description, in a stable order (for a GUI's filter list).
[[nodiscard]] const std::vector<AuditEventInfo>& knownAuditEvents();

enum class AuditOutcome { Ok, Failed };
[[nodiscard]] std::string_view auditOutcomeName(AuditOutcome o) noexcept; // "ok" / "failed"

struct AuditField {
    std::string key;
    std::string value;
    bool operator==(const AuditField&) const = default;
};

// What the caller appends.
struct AuditEvent {
    std::string type; // e.g. audit_event::kCallVerify
    AuditOutcome outcome = AuditOutcome::Ok;
    std::string reason;             // required when Failed (e.g. errorCodeName(code)),
                                    // empty when Ok
    std::vector<AuditField> fields; // distinct keys; values are never secrets

    [[nodiscard]] static AuditEvent ok(std::string type, std::vector<AuditField> fields = {});
    [[nodiscard]] static AuditEvent failed(std::string type, std::string reason,
                                           std::vector<AuditField> fields = {});
};

// One entry as stored.
struct AuditEntry {
    std::uint64_t sequence = 0;
    std::int64_t timestamp = 0;
    std::string type;
    AuditOutcome outcome = AuditOutcome::Ok;
    std::string reason;
    std::vector<AuditField> fields;
    Digest previousHash{};
    Digest hash{}; // SHA-256 over the domain-separated stored bytes
    Bytes stored;  // the serialized Protobuf AuditEntry, exactly as in the file

    // The value of a field, if present.
    [[nodiscard]] std::optional<std::string> field(std::string_view key) const;
};

// One checkpoint, parsed and (where it came from verification or the log) signature-checked.
struct AuditCheckpoint {
    std::uint64_t number = 0;
    std::uint64_t entryCount = 0; // covers sequences 0 .. entryCount - 1
    Digest headHash{};            // hash of entry entryCount - 1 (the genesis hash when 0)
    std::int64_t timestamp = 0;
    std::string logId;
    Bytes encoded; // the Signed envelope, exactly as stored

    // Sequence of the last covered entry; nullopt when the checkpoint covers no entry.
    [[nodiscard]] std::optional<std::uint64_t> lastSequence() const {
        return entryCount == 0 ? std::nullopt : std::optional<std::uint64_t>(entryCount - 1);
    }
};

// Parses a checkpoint envelope and verifies its signature: MalformedInput / WrongObjectType /
// UnsupportedVersion / AuditCheckpointInvalid.
[[nodiscard]] Result<AuditCheckpoint> parseAuditCheckpoint(ByteView envelope,
                                                           const PublicKey& auditKey);

// A fresh log id: "audit-" followed by 32 hex digits of randomness.
[[nodiscard]] Result<std::string> newAuditLogId(Random& random);

// ---- verification ----------------------------------------------------------------------------

enum class AuditFormat { LogFile, JsonExport, CborExport, Unknown };
[[nodiscard]] std::string_view auditFormatName(AuditFormat f) noexcept; // "log file", ...
// Tells a raw log file (magic), a JSON export ('{') and a CBOR export (a CBOR map) apart.
[[nodiscard]] AuditFormat detectAuditFormat(ByteView data) noexcept;

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

// ---- export ------------------------------------------------------------------------------

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

// ---- filtering, for a GUI ------------------------------------------------------------------

struct AuditFilter {
    std::string eventPrefix; // "dt." matches dt.register, dt.revoke, ...
    std::optional<AuditOutcome> outcome;
    std::optional<std::int64_t> from;    // timestamp >= from
    std::optional<std::int64_t> until;   // timestamp < until
    std::string text;                    // case-insensitive substring of type, reason or a value
    std::vector<AuditField> fieldEquals; // every one must match

    [[nodiscard]] bool matches(const AuditEntry& e) const;
};
[[nodiscard]] std::vector<AuditEntry> filterAuditEntries(const std::vector<AuditEntry>& entries,
                                                         const AuditFilter& filter);

// ---- the writer ------------------------------------------------------------------------------

struct AuditOpenInfo {
    std::uint64_t repairedBytes = 0; // size of a torn last record that open() truncated away
    std::uint64_t unsignedTail = 0;  // entries after the last checkpoint
};

// An open, exclusively locked (flock) log file. Not thread-safe: one owner (the app's audit
// service) serializes calls. Move-only.
class AuditLog {
  public:
    AuditLog();
    ~AuditLog();
    AuditLog(AuditLog&&) noexcept;
    AuditLog& operator=(AuditLog&&) noexcept;
    AuditLog(const AuditLog&) = delete;
    AuditLog& operator=(const AuditLog&) = delete;

    // Creates a new log file (mode 0600) for `auditKey` (InvalidArgument if it exists). The
    // clock must outlive the log.
    [[nodiscard]] static Result<AuditLog> create(const std::string& path, std::string logId,
                                                 const PublicKey& auditKey, const Clock& clock);
    // Opens an existing log: reads and fully verifies it (options as for verifyAuditLog), then
    // repairs a torn last record by truncating it. Any other problem is returned as its error
    // (AuditEntryModified, ...): the app should keep the file as evidence and start a new log.
    // IoError when another process has the log open.
    [[nodiscard]] static Result<AuditLog> open(const std::string& path, const Clock& clock,
                                               const AuditVerifyOptions& options = {},
                                               AuditOpenInfo* info = nullptr);

    // Appends a chained entry (no key needed): written and fsync'd before it returns. Field
    // values that are not valid UTF-8 are stored with U+FFFD replacement characters; an invalid
    // type, reason or key, duplicate keys, a key that names a secret (passphrase, password,
    // secret, private, ...) or an oversized entry is InvalidArgument.
    [[nodiscard]] Result<AuditEntry> append(const AuditEvent& event);
    // Signs a checkpoint over all entries so far and appends it. When the last checkpoint already
    // covers every entry, returns it without writing. KeyMismatch for another key.
    [[nodiscard]] Result<AuditCheckpoint> checkpoint(const SigningKey& auditKey);
    // append() then checkpoint(): for use while the key is unlocked. If the checkpoint fails the
    // entry stays appended (unsigned) and the error is returned.
    [[nodiscard]] Result<AuditEntry> appendSigned(const AuditEvent& event,
                                                  const SigningKey& auditKey);

    [[nodiscard]] const std::vector<AuditEntry>& entries() const noexcept;
    [[nodiscard]] const std::vector<AuditCheckpoint>& checkpoints() const noexcept;
    [[nodiscard]] std::uint64_t size() const noexcept { return entries().size(); }
    [[nodiscard]] std::uint64_t unsignedTail() const noexcept;
    // The latest checkpoint's envelope (empty when none): keep it outside the log as an anchor.
    [[nodiscard]] Bytes latestCheckpoint() const;
    [[nodiscard]] const std::string& logId() const noexcept;
    [[nodiscard]] const PublicKey& auditKey() const noexcept;
    [[nodiscard]] const std::string& path() const noexcept;
    [[nodiscard]] bool isOpen() const noexcept;

    // The exports of the current file contents.
    [[nodiscard]] Result<std::string> exportJson() const;
    [[nodiscard]] Result<Bytes> exportCbor() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

// ---- record framing (for tools and tests) ------------------------------------------------------

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

} // namespace twinseal::security
