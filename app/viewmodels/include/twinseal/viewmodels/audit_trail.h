// The device's tamper-evident activity log (DESIGN section 8), as the app keeps it: every DT
// operation the view-models perform is recorded here (security::AuditLog in the data directory).
//
// Files in the data directory:
//   audit.log         the hash-chained log (security/audit.h), mode 0600
//   audit.key         the device's Ed25519 audit key, encrypted with the owner's passphrase
//                     (created with the holder key, or on the first unlock of an older install)
//   audit-anchor.tsc  the latest signed checkpoint, kept outside the log: opening and verifying
//                     with it detects a log cut back or rolled back to before it
//
// While locked, entries are chained but not signed; the chain head is signed (a checkpoint) as
// soon as the key is unlocked and after every entry while unlocked. A log that fails
// verification when opened is never written to again: it is kept beside the new one as evidence
// (audit.log.damaged-<time>) and integrityProblem() says what was found.
#pragma once

#include <QtQml/qqmlregistration.h>

#include <QObject>
#include <QString>

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace twinseal::security {
class AuditLog;
class SigningKey;
struct AuditEntry;
} // namespace twinseal::security

namespace twinseal::viewmodels {

// Event types the client records beside security::audit_event's stable ones.
namespace client_event {
// The previous owner's side of a transfer the recipient accepted (the twin left this device).
inline constexpr const char* kTransferComplete = "transfer.complete";
// The recipient turned an offer down (the owner withdrawing one is transfer.cancel).
inline constexpr const char* kTransferDecline = "transfer.decline";
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
    void recordFailure(const char* type, const QString& reason, Fields fields = {});

    // With the passphrase (off the UI thread): creates audit.key when missing, or loads it.
    // Returns the loaded key; the caller hands it to unlocked() on the UI thread.
    [[nodiscard]] static std::unique_ptr<security::SigningKey>
    loadOrCreateKey(const QString& dataDir, const std::string& passphrase, QString* error);
    // The key is available: creates the log if needed, signs the chain head.
    void unlocked(std::unique_ptr<security::SigningKey> key);
    void locked();

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

    QString m_dataDir;
    std::unique_ptr<security::AuditLog> m_log;
    std::unique_ptr<security::SigningKey> m_key;
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
