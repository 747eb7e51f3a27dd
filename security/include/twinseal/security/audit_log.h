// The activity log's writer (see audit.h): an append-only log file, exclusively locked, every
// append made durable before it returns.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "twinseal/security/audit_entry.h"
#include "twinseal/security/audit_verify.h"
#include "twinseal/security/clock.h"
#include "twinseal/security/signed.h"

namespace twinseal::security {

// A fresh log id: "audit-" followed by 32 hex digits of randomness.
[[nodiscard]] Result<std::string> newAuditLogId(Random& random);

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

} // namespace twinseal::security
