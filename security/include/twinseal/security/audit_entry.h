// The client-side activity log's values (see audit.h): what the app appends (AuditEvent), the
// entries and checkpoints as stored, the stable event types, the bounds, and filtering for a GUI.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "twinseal/security/keys.h"

namespace twinseal::security {

inline constexpr const char* kAuditCheckpointType = "twinseal.audit-checkpoint.v1";

// Bounds. An entry is at most a few KiB; records beyond the payload bound are never written and
// never read.
inline constexpr std::size_t kMaxAuditRecordPayload = std::size_t{64} * 1024;
inline constexpr std::size_t kMaxAuditFields = 32;
inline constexpr std::size_t kMaxAuditNameLength = 64;    // event types, reasons, field keys
inline constexpr std::size_t kMaxAuditValueLength = 1024; // field values (bytes of UTF-8)
inline constexpr std::size_t kMaxAuditLogIdLength = 128;
inline constexpr std::size_t kMaxAuditInput = std::size_t{256} * 1024 * 1024; // file or export to verify

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
// the home network's transparency log checked against the tree head kept (split-view detection)
inline constexpr const char* kLogHead = "log.head";
// the twin's data directory backed up to a file, or restored from one (twin_backup.h)
inline constexpr const char* kTwinBackup = "twin.backup";
inline constexpr const char* kTwinRestore = "twin.restore";
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

} // namespace twinseal::security
