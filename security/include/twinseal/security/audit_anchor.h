// The activity log's sealed anchor (see audit.h): what the device last knew about its own log,
// kept outside the log so that a writer of the data directory cannot cut the log back, delete its
// checkpoints or replace it without the next verification failing.
//
// An anchor holds the log id, the pinned audit public key, a monotonic checkpoint counter (the
// number of checkpoints covered: the latest checkpoint's number + 1, 0 before the first one) and
// that checkpoint's signed envelope. It is sealed with HMAC-SHA256 under an AuditAnchorKey, which
// is derived (HKDF-SHA256) from the audit key's private half: only someone who unlocked audit.key
// with the owner's passphrase can write one. The seal is checked when the key is unlocked; while
// locked, readAuditAnchor() gives the (unauthenticated) contents, whose checkpoint is still signed
// by the audit key.
//
// What a sealed anchor cannot stop on its own: restoring an older anchor together with the older
// log it describes (both genuine). The home network's mirror of the counter (homenet.proto,
// /v1/audit/anchors) closes that when it is reachable.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "twinseal/security/audit_verify.h"
#include "twinseal/security/keys.h"

namespace twinseal::security {

inline constexpr const char* kAuditAnchorType = "twinseal.audit-anchor.v1";

struct AuditAnchor {
    std::string logId;
    PublicKey auditKey;
    std::uint64_t counter = 0; // checkpoints covered; 0 before the first checkpoint
    Bytes checkpoint;          // the latest checkpoint's envelope (empty when counter is 0)
    std::int64_t sealedAt = 0;

    // The anchor of a log's current state (the latest checkpoint, or none yet).
    [[nodiscard]] static AuditAnchor of(const std::string& logId, const PublicKey& auditKey,
                                        const Bytes& latestCheckpoint,
                                        std::uint64_t checkpointCount, std::int64_t now);
};

// The anchor's contents, checked for shape and for the checkpoint's signature with the anchor's
// own audit key and its log id and number, but not for the seal: AuditAnchorInvalid.
[[nodiscard]] Result<AuditAnchor> readAuditAnchor(ByteView file);

// The key that seals anchors, derived from the unlocked audit key; cleansed when destroyed.
// Move-only.
class AuditAnchorKey {
  public:
    AuditAnchorKey() = default;
    AuditAnchorKey(AuditAnchorKey&&) noexcept = default;
    AuditAnchorKey& operator=(AuditAnchorKey&&) noexcept = default;
    AuditAnchorKey(const AuditAnchorKey&) = delete;
    AuditAnchorKey& operator=(const AuditAnchorKey&) = delete;

    // From an Ed25519 audit key (InvalidArgument for another algorithm).
    [[nodiscard]] static Result<AuditAnchorKey> derive(const SigningKey& auditKey);

    [[nodiscard]] bool valid() const noexcept { return !m_key.empty(); }
    [[nodiscard]] const PublicKey& auditKey() const noexcept { return m_public; }

    // The anchor file's bytes. KeyMismatch when the anchor pins another audit key.
    [[nodiscard]] Result<Bytes> seal(const AuditAnchor& anchor) const;
    // Reads and checks the seal (constant-time): AuditAnchorInvalid when it does not verify
    // (written without this key: forged, or the anchor of another audit key).
    [[nodiscard]] Result<AuditAnchor> open(ByteView file) const;

  private:
    SecureBytes m_key;
    PublicKey m_public;
};

// What the data directory holds of the device's own log, before it is verified.
struct AuditDirectory {
    bool logExists = false;
    std::optional<PublicKey> keyFile;   // audit.key's public key; nullopt when the file is gone
    std::optional<AuditAnchor> anchor;  // the anchor read (readAuditAnchor); nullopt when gone
};

// Fails closed on what needs no log reading: AuditKeyMissing (a log or an anchor without
// audit.key), AuditKeyReplaced (audit.key is not the key the anchor pins), AuditLogTruncated (an
// anchor without its log). Otherwise fills `options` to verify the log: the key pinned (the
// anchor's, which is audit.key's), the anchor's log id and checkpoint, and the anchor required
// when missing (see AuditVerifyOptions::requireAnchor, pinnedByDevice). `options` points into
// `dir`, which must outlive it.
[[nodiscard]] Status checkAuditDirectory(const AuditDirectory& dir, AuditVerifyOptions& options);

} // namespace twinseal::security
