// The desktop client's main view-model: first run (import the USIM profile, choose the
// passphrase that protects the holder key, authenticate, pick an avatar, sign and register it)
// and My Twin (the credential in plain words, the media manifest, re-certification, lock and
// unlock). Slow work (hashing, scrypt, network) runs off the UI thread or asynchronously and
// reports progress; every failure has a reason code and a message a person can act on.
//
// State lives in the data directory: the profile (0600), the encrypted holder key, the
// credential, receipt, manifest and disclosures, and twin.json (no secrets). A registration in
// flight is journaled in pending.json so a client killed mid-way reconciles with the home
// network on the next start.
#pragma once

#include <QtQml/qqmlregistration.h>

#include <QObject>
#include <QString>
#include <QUrl>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <twinseal/security/bytes.h>

#include "twinseal/viewmodels/fact_list_model.h"
#include "twinseal/viewmodels/operation_state.h"
#include "twinseal/viewmodels/twin_summary.h"

namespace twinseal::twin {
class TwinSession;
class TwinStore;
} // namespace twinseal::twin

namespace twinseal::netclient {
class ServiceClient;
struct Registration;
} // namespace twinseal::netclient
namespace twinseal::security {
class SigningKey;
struct UsimProfileData;
struct Credential;
struct CredentialClaims;
struct SignedTreeHead;
} // namespace twinseal::security

namespace twinseal::viewmodels {

class AuditTrail;
class AuditController;
class CallsController;
class OwnershipController;
class PeerVerificationController;
class PrivacyController;
class RolesController;
class SettingsController;

class TwinController : public QObject {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("TwinController is created by the client, not by QML")
    // Where first run stands: Profile, Passphrase, Avatar, then Ready (a registered twin).
    Q_PROPERTY(Stage stage READ stage NOTIFY stageChanged)
    Q_PROPERTY(bool locked READ locked NOTIFY lockedChanged)
    Q_PROPERTY(bool authenticated READ authenticated NOTIFY authenticatedChanged)
    Q_PROPERTY(QString operatorName READ operatorName NOTIFY profileChanged)
    Q_PROPERTY(QString serviceUrl READ serviceUrl NOTIFY profileChanged)
    Q_PROPERTY(QString subscriberHint READ subscriberHint NOTIFY profileChanged)
    Q_PROPERTY(QString demoProfilePath READ demoProfilePath CONSTANT)
    Q_PROPERTY(QString avatarDir READ avatarDir NOTIFY avatarChanged)
    Q_PROPERTY(QUrl modelUrl READ modelUrl NOTIFY avatarChanged)
    Q_PROPERTY(QString sampleAvatarDir READ sampleAvatarDir CONSTANT)
    Q_PROPERTY(QString dtId READ dtId NOTIFY twinChanged)
    Q_PROPERTY(QString avatarId READ avatarId NOTIFY twinChanged)
    Q_PROPERTY(QString pseudonym READ pseudonym NOTIFY twinChanged)
    Q_PROPERTY(QString twinStatus READ twinStatus NOTIFY twinChanged) // active / revoked / unknown
    // Split-view detection (twin::TreeHeadWitness): the home network showed two histories of its
    // transparency log. Recorded in the data directory; stays until the record is removed.
    Q_PROPERTY(bool logFork READ logFork NOTIFY logForkChanged)
    Q_PROPERTY(QString logForkMessage READ logForkMessage NOTIFY logForkChanged)
    Q_PROPERTY(twinseal::viewmodels::FactListModel* credential READ credentialModel CONSTANT)
    Q_PROPERTY(twinseal::viewmodels::FactListModel* manifest READ manifestModel CONSTANT)
    // My Twin's and first run's busy state, progress, failure and notice.
    Q_PROPERTY(twinseal::viewmodels::OperationState* operation READ operation CONSTANT)
    // The pages' own view-models (owned by this controller; only moc needs their headers).
    Q_PROPERTY(twinseal::viewmodels::OwnershipController* ownership READ ownership CONSTANT)
    Q_PROPERTY(twinseal::viewmodels::PrivacyController* privacy READ privacy CONSTANT)
    Q_PROPERTY(twinseal::viewmodels::AuditController* audit READ auditController CONSTANT)
    Q_PROPERTY(twinseal::viewmodels::SettingsController* settings READ settings CONSTANT)
    Q_PROPERTY(twinseal::viewmodels::CallsController* calls READ calls CONSTANT)
    // My Twin's Roles card: the enterprise role credentials held.
    Q_PROPERTY(twinseal::viewmodels::RolesController* roles READ roles CONSTANT)
    // The "Verify a peer" dialog's view-model.
    Q_PROPERTY(twinseal::viewmodels::PeerVerificationController* peerVerification READ
                   peerVerification CONSTANT)
    Q_MOC_INCLUDE("twinseal/viewmodels/audit_controller.h")
    Q_MOC_INCLUDE("twinseal/viewmodels/calls_controller.h")
    Q_MOC_INCLUDE("twinseal/viewmodels/ownership_controller.h")
    Q_MOC_INCLUDE("twinseal/viewmodels/peer_verification_controller.h")
    Q_MOC_INCLUDE("twinseal/viewmodels/privacy_controller.h")
    Q_MOC_INCLUDE("twinseal/viewmodels/roles_controller.h")
    Q_MOC_INCLUDE("twinseal/viewmodels/settings_controller.h")

public:
    enum class Stage { Profile, Passphrase, Avatar, Ready };
    Q_ENUM(Stage)

    struct Options {
        QString dataDir;
        QString sampleAvatarDir;
        QString demoProfilePath; // offered on the first page when set (local home network)
    };
    explicit TwinController(Options options, QObject* parent = nullptr);
    ~TwinController() override;

    [[nodiscard]] Stage stage() const { return m_stage; }
    // The operation state's, for C++ callers.
    [[nodiscard]] bool busy() const { return m_state.busy(); }
    [[nodiscard]] double progress() const { return m_state.progress(); }
    [[nodiscard]] QString progressText() const { return m_state.progressText(); }
    [[nodiscard]] QString errorCode() const { return m_state.errorCode(); }
    [[nodiscard]] QString errorMessage() const { return m_state.errorMessage(); }
    [[nodiscard]] QString notice() const { return m_state.notice(); }
    [[nodiscard]] OperationState* operation() { return &m_state; }
    [[nodiscard]] bool locked() const;
    [[nodiscard]] bool authenticated() const;
    [[nodiscard]] QString operatorName() const;
    [[nodiscard]] QString serviceUrl() const;
    [[nodiscard]] QString subscriberHint() const;
    [[nodiscard]] QString demoProfilePath() const { return m_options.demoProfilePath; }
    [[nodiscard]] QString avatarDir() const { return m_avatarDir; }
    [[nodiscard]] QUrl modelUrl() const;
    [[nodiscard]] QString sampleAvatarDir() const { return m_options.sampleAvatarDir; }
    [[nodiscard]] QString dtId() const { return m_dtId; }
    [[nodiscard]] QString avatarId() const { return m_avatarId; }
    [[nodiscard]] QString pseudonym() const { return m_pseudonym; }
    [[nodiscard]] QString twinStatus() const { return m_twinStatus; }
    [[nodiscard]] bool logFork() const { return !m_logForkMessage.isEmpty(); }
    [[nodiscard]] QString logForkMessage() const { return m_logForkMessage; }
    [[nodiscard]] FactListModel* credentialModel() { return &m_credentialFacts; }
    [[nodiscard]] FactListModel* manifestModel() { return &m_manifestFacts; }

    // ---- first run
    Q_INVOKABLE void importProfile(const QUrl& file);
    // Instead of a new profile: a twin backed up on another device (Settings, or `twinsealctl
    // backup`), opened with its backup passphrase into this empty data directory; it then asks
    // for the owner's own passphrase, and its activity log is verified as it opens.
    Q_INVOKABLE void restoreTwin(const QUrl& file, const QString& backupPassphrase);
    Q_INVOKABLE void choosePassphrase(const QString& passphrase, const QString& repeated);
    // How strong a passphrase being typed looks: "too-short" (refused), "weak", "fair" or
    // "strong", and one sentence saying what would make it stronger. Nothing is kept.
    Q_INVOKABLE QString passphraseStrength(const QString& passphrase) const;
    Q_INVOKABLE QString passphraseHint(const QString& passphrase) const;
    Q_INVOKABLE void chooseAvatar(const QUrl& folder); // a GLB/glTF package folder
    Q_INVOKABLE void useSampleAvatar();
    Q_INVOKABLE void registerTwin(); // hash, sign, authenticate, register, upload
    // ---- My Twin
    Q_INVOKABLE void recertify(const QUrl& folder);
    Q_INVOKABLE void refreshStatus(); // status list and log inclusion, from the home network
    Q_INVOKABLE void lock();
    Q_INVOKABLE void unlock(const QString& passphrase);
    void dismissError();

    // For tests and the shell: the client (profile loaded) or nullptr.
    [[nodiscard]] netclient::ServiceClient* client();
    // The session with the home network (its client and its one address), or nullptr.
    [[nodiscard]] twin::TwinSession* session() { return m_session.get(); }

    // ---- for the sibling view-models (C++ only)
    [[nodiscard]] PeerVerificationController* peerVerification() const { return m_peerVerification.get(); }
    [[nodiscard]] OwnershipController* ownership() const { return m_ownership.get(); }
    [[nodiscard]] PrivacyController* privacy() const { return m_privacy.get(); }
    [[nodiscard]] AuditController* auditController() const { return m_audit.get(); }
    [[nodiscard]] SettingsController* settings() const { return m_settings.get(); }
    [[nodiscard]] CallsController* calls() const { return m_calls.get(); }
    [[nodiscard]] RolesController* roles() const { return m_roles.get(); }
    // The device's tamper-evident activity log: every DT operation is recorded there.
    [[nodiscard]] AuditTrail& auditTrail() const { return *m_auditTrail; }
    // The credential held (parsed once and kept in memory by the twin store), or nullptr.
    [[nodiscard]] const security::Credential* heldCredential();
    // The data directory's store (the credential in memory, every file name).
    [[nodiscard]] twin::TwinStore& store() { return *m_store; }
    // The holder key while unlocked, else nullptr.
    [[nodiscard]] const security::SigningKey* holderKey() const;
    [[nodiscard]] const QString& dataDir() const { return m_options.dataDir; }
    // A file in the data directory.
    [[nodiscard]] QString dataFile(const QString& name) const;
    // What the imported profile says (empty without a profile).
    [[nodiscard]] QString profileServiceUrl() const;
    [[nodiscard]] QString profileTrustListPem() const;

signals:
    void stageChanged();
    void busyChanged();
    void progressChanged();
    void errorChanged();
    void noticeChanged();
    void lockedChanged();
    void authenticatedChanged();
    void profileChanged();
    void avatarChanged();
    void twinChanged();
    void logForkChanged();

private:
    void setBusy(bool busy, const QString& text = {}, double progress = -1) { m_state.setBusy(busy, text, progress); }
    void setProgress(double progress, const QString& text) { m_state.setProgress(progress, text); }
    void fail(const QString& code, const QString& message) { m_state.fail(code, message); }
    // Runs `next` with an AKMA session (authenticating first when needed); failures are shown.
    void withSession(std::function<void()> next) { m_state.withSession(m_session.get(), this, std::move(next)); }
    [[nodiscard]] QString path(const char* name) const;
    void saveState();
    void showCredential();
    void showManifest();
    // The twin left this device (transferred to someone else): back to choosing an avatar, with
    // `status` as the twin's status.
    void forgetTwin(const QString& status);
    // A twin whose files were just stored (an accepted transfer): shown as ready.
    void adoptTwin(const QString& dtId, const QString& avatarId, const QString& avatarDir);
    // Journals an operation that changes the twin's credential at the home network in
    // pending.json; false when it cannot be written.
    [[nodiscard]] bool writePending(const QString& op, const QString& folder = {});
    // Tells the page view-models what the twin is now, and hands them the session.
    void updatePages();

    void setStage(Stage s);
    void setNotice(const QString& text);
    void loadState();
    [[nodiscard]] bool loadProfile(const QString& file, QString* code, QString* message);
    // The profile read from `file` becomes the twin's (a new session); else code and message.
    [[nodiscard]] bool useProfile(security::Result<security::UsimProfileData> profile,
                                  const QString& file, QString* code, QString* message);
    void reconcilePending();
    // What pending.json says was in flight.
    struct Pending {
        QString op;         // "register", "recertify", "rotate-pseudonym"
        QString folder;     // the avatar folder certified (register, recertify)
        quint32 generation; // of the credential held when it was sent (0: none)
    };
    [[nodiscard]] QString pendingOutcome(const QString& op, bool completed) const;
    [[nodiscard]] bool adoptHeld(const security::Bytes& credential, const QString& folder);
    [[nodiscard]] bool disclosuresMatch(const security::CredentialClaims& claims) const;
    void connectClient();
    // Keeps the unlocked holder key in the session; false (and the key cleansed) without one.
    bool keepKey(security::SigningKey key);
    void recordFailure(const char* type, const QString& code, std::vector<std::pair<std::string, std::string>> fields = {});
    // A newly verified tree head of the home network's log, checked against the one kept
    // (twin::TreeHeadWitness); a fork is shown (logFork) and recorded in the activity log.
    void witnessTreeHead(const security::SignedTreeHead& head);
    // Shows the fork recorded in the data directory for the profile's log, if any.
    void showLogFork();
    void signAndRegister(bool recertification, const QString& folder);
    void upload(const QString& folder);
    // A registration refused as duplicate-dt: adopt the subscription's twin when this device's key
    // holds it, else explain what to do (twin-held-by-another-device).
    void resolveDuplicate(const QString& folder);
    // A twin restored after a kill has its credential but maybe not its signed manifest (and so
    // no uploaded avatar): rebuild it from the avatar folder, check it is the certified media,
    // sign it and upload. Needs the unlocked holder key.
    void restoreManifest();

    Options m_options;
    Stage m_stage = Stage::Profile;
    OperationState m_state;
    QString m_avatarDir;
    QString m_dtId;
    QString m_avatarId;
    QString m_pseudonym;
    QString m_twinStatus;
    QString m_logForkMessage;
    std::unique_ptr<security::UsimProfileData> m_profile; // public parts (K and OPc forgotten)
    // An interrupted operation waits for the unlock: asking the home network needs K and OPc.
    bool m_reconcileOnUnlock = false;
    // The home-network client and address, and the holder key while unlocked.
    std::unique_ptr<twin::TwinSession> m_session;
    std::unique_ptr<twin::TwinStore> m_store; // the credential in memory
    FactListModel m_credentialFacts;
    FactListModel m_manifestFacts;
    std::unique_ptr<AuditTrail> m_auditTrail;
    std::unique_ptr<SettingsController> m_settings;
    std::unique_ptr<AuditController> m_audit;
    std::unique_ptr<OwnershipController> m_ownership;
    std::unique_ptr<PrivacyController> m_privacy;
    std::unique_ptr<PeerVerificationController> m_peerVerification;
    std::unique_ptr<CallsController> m_calls; // refers to the store, the log and the session
    std::unique_ptr<RolesController> m_roles;
    quint64 m_generation = 0; // guards callbacks of superseded operations
};

} // namespace twinseal::viewmodels
