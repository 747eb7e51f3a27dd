// The device's tamper-evident activity log (DESIGN section 8), as the app keeps it: every DT
// operation the view-models perform is recorded here (security::AuditLog in the data directory).
//
// Files in the data directory:
//   audit.log         the hash-chained log (security/audit.h), mode 0600
//   audit.key         the device's Ed25519 audit key, encrypted with the owner's passphrase
//                     (created with the holder key, or on the first unlock of an older install)
//   audit-anchor.tsc  the sealed anchor (security/audit_anchor.h): the latest checkpoint, the
//                     checkpoint counter and the pinned log id and audit key, sealed under a key
//                     derived from the unlocked audit key; written at creation and after every
//                     checkpoint
//
// While locked, entries are chained but not signed; the chain head is signed (a checkpoint) as
// soon as the key is unlocked and after every entry while unlocked. The log is opened failing
// closed: a log with checkpoints but no anchor (audit-anchor-missing), a log or anchor without
// audit.key (audit-key-missing), an audit.key that is not the anchor's (audit-key-replaced), a log
// cut back (audit-log-truncated), another log in its place (audit-log-replaced), an anchor whose
// seal does not verify at unlock (audit-anchor-invalid), or - once the home network is reached
// after an unlock - a log older than the checkpoint it holds (audit-log-rolled-back). Such a log
// is never written to again: it and its anchor are kept beside the new ones as evidence
// (audit.log.damaged-<time>, audit-anchor.tsc.damaged-<time>), integrityProblem() says what was
// found, and the new log's first entry records it (audit.integrity, failed, with the reason).
#pragma once

#include <QtQml/qqmlregistration.h>

#include <QObject>
#include <QPointer>
#include <QString>

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace twinseal::security {
class AuditLog;
class AuditAnchorKey;
class SigningKey;
struct AuditAnchor;
struct Error;
struct AuditEntry;
struct AuditVerification;
} // namespace twinseal::security

namespace twinseal::twin {
class TwinSession;
} // namespace twinseal::twin

namespace twinseal::viewmodels {

// Event types the client records beside security::audit_event's stable ones.
namespace client_event {
// The previous owner's side of a transfer the recipient accepted (the twin left this device).
inline constexpr const char* kTransferComplete = "transfer.complete";
// The recipient turned an offer down (the owner withdrawing one is transfer.cancel).
inline constexpr const char* kTransferDecline = "transfer.decline";
// The previous activity log failed verification and was kept as evidence (reason: its code).
inline constexpr const char* kAuditIntegrity = "audit.integrity";
} // namespace client_event

class AuditTrail : public QObject {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("AuditTrail is created by the client, not by QML")
public:
    explicit AuditTrail(QString dataDir, QObject* parent = nullptr);
    ~AuditTrail() override;

    using Fields = std::vector<std::pair<std::string, std::string>>;
    // Appends an entry ("dt.register", ...). Never fails loudly: a log that cannot be written is
    // reported through integrityProblem(). Entries recorded before the log exists (before the
    // first passphrase) are kept in memory and written when it is created.
    void record(const char* type, Fields fields = {});
    // The data directory's files were replaced while nothing was open (a twin restored on the
    // first page): opens its log as a start does.
    void reopen();
    void recordFailure(const char* type, const QString& reason, Fields fields = {});

    // With the passphrase (off the UI thread): creates audit.key when missing (never while a log
    // or an anchor is still there: audit-key-missing), or loads it. Returns the loaded key; the
    // caller hands it to unlocked() on the UI thread.
    [[nodiscard]] static std::unique_ptr<security::SigningKey>
    loadOrCreateKey(const QString& dataDir, const std::string& passphrase, QString* error);
    // The key is available: checks the anchor's seal, creates the log if needed, signs the chain
    // head and seals the anchor again.
    void unlocked(std::unique_ptr<security::SigningKey> key);
    void locked();
    // After an unlock: authenticates `session` and compares the anchor as it was at unlock with
    // the home network's mirror (twin/audit_mirror.h), then hands it the current checkpoint. A
    // rollback or rewrite fails the log closed; the home network being unreachable only leaves
    // mirrorState() "unconfirmed" (checked again at the next unlock). While the session stays
    // authenticated, every new checkpoint is handed over too.
    void confirmWithHomeNetwork(twin::TwinSession& session);
    // "", "confirmed", "unconfirmed: <why>" (offline, refused), or the failure's reason code.
    [[nodiscard]] QString mirrorState() const { return m_mirrorState; }

    // Verifies the device's own log file as the app opens it (pinned key, sealed anchor).
    [[nodiscard]] security::AuditVerification verifyOwnLog() const;

    [[nodiscard]] bool isOpen() const;
    [[nodiscard]] bool isUnlocked() const { return m_key != nullptr; }
    [[nodiscard]] const std::vector<security::AuditEntry>& entries() const;
    [[nodiscard]] std::uint64_t unsignedTail() const;
    [[nodiscard]] QString logPath() const;
    [[nodiscard]] QString anchorPath() const;
    [[nodiscard]] QString keyPath() const;
    [[nodiscard]] QString integrityProblem() const { return m_problem; }
    [[nodiscard]] security::AuditLog* log() const { return m_log.get(); }

signals:
    void changed(); // an entry or a checkpoint was added, or the log was (re)opened

private:
    void openExisting();
    void createLog();
    void write(bool failed, std::string type, std::string reason, Fields fields);
    void saveAnchor();
    // The log failed closed: closes it, keeps the log and its anchor as evidence (never deleted),
    // says why, and records it for the next log.
    void failClosed(const QString& code, const QString& detail);
    void failClosed(const security::Error& error);
    void mirrorCurrent();

    QString m_dataDir;
    std::unique_ptr<security::AuditLog> m_log;
    std::unique_ptr<security::SigningKey> m_key;
    std::unique_ptr<security::AuditAnchorKey> m_anchorKey; // derived at unlock, cleansed on lock
    // The anchor as the log was opened (before this run's checkpoints): what the home network's
    // mirror is compared with.
    std::unique_ptr<security::AuditAnchor> m_openedAnchor;
    bool m_legacyAnchor = false; // an unsealed anchor of an older TwinSeal, sealed at unlock
    QPointer<twin::TwinSession> m_mirrorSession;
    QString m_mirrorState;
    struct Pending {
        bool failed;
        std::string type;
        std::string reason;
        Fields fields;
    };
    std::vector<Pending> m_pending;
    QString m_problem;
};

} // namespace twinseal::viewmodels
