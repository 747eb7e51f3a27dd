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

#include <QObject>
#include <QString>
#include <QUrl>

#include <memory>
#include <optional>

#include "twinseal/viewmodels/fact_list_model.h"

namespace twinseal::core {
class HomenetClient;
}
namespace twinseal::security {
class SigningKey;
struct UsimProfileData;
struct Credential;
} // namespace twinseal::security

namespace twinseal::viewmodels {

class TwinController : public QObject {
    Q_OBJECT
    // "profile", "passphrase", "avatar", "ready"
    Q_PROPERTY(QString stage READ stage NOTIFY stageChanged)
    Q_PROPERTY(bool busy READ busy NOTIFY busyChanged)
    Q_PROPERTY(double progress READ progress NOTIFY progressChanged) // 0..1, or -1: unknown
    Q_PROPERTY(QString progressText READ progressText NOTIFY progressChanged)
    Q_PROPERTY(QString errorCode READ errorCode NOTIFY errorChanged)
    Q_PROPERTY(QString errorMessage READ errorMessage NOTIFY errorChanged)
    Q_PROPERTY(QString notice READ notice NOTIFY noticeChanged)
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
    Q_PROPERTY(twinseal::viewmodels::FactListModel* credential READ credentialModel CONSTANT)
    Q_PROPERTY(twinseal::viewmodels::FactListModel* manifest READ manifestModel CONSTANT)

public:
    struct Options {
        QString dataDir;
        QString sampleAvatarDir;
        QString demoProfilePath; // offered on the first page when set (local home network)
    };
    explicit TwinController(Options options, QObject* parent = nullptr);
    ~TwinController() override;

    [[nodiscard]] QString stage() const { return m_stage; }
    [[nodiscard]] bool busy() const { return m_busy; }
    [[nodiscard]] double progress() const { return m_progress; }
    [[nodiscard]] QString progressText() const { return m_progressText; }
    [[nodiscard]] QString errorCode() const { return m_errorCode; }
    [[nodiscard]] QString errorMessage() const { return m_errorMessage; }
    [[nodiscard]] QString notice() const { return m_notice; }
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
    [[nodiscard]] FactListModel* credentialModel() { return &m_credentialFacts; }
    [[nodiscard]] FactListModel* manifestModel() { return &m_manifestFacts; }

    // ---- first run
    Q_INVOKABLE void importProfile(const QUrl& file);
    Q_INVOKABLE void choosePassphrase(const QString& passphrase, const QString& repeated);
    Q_INVOKABLE void chooseAvatar(const QUrl& folder); // a GLB/glTF package folder
    Q_INVOKABLE void useSampleAvatar();
    Q_INVOKABLE void registerTwin(); // hash, sign, authenticate, register, upload
    // ---- My Twin
    Q_INVOKABLE void recertify(const QUrl& folder);
    Q_INVOKABLE void refreshStatus(); // status list and log inclusion, from the home network
    Q_INVOKABLE void lock();
    Q_INVOKABLE void unlock(const QString& passphrase);
    Q_INVOKABLE void dismissError();

    // For tests and the shell: the client (profile loaded) or nullptr.
    [[nodiscard]] core::HomenetClient* client() { return m_client.get(); }

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

private:
    void setStage(const QString& s);
    void setBusy(bool busy, const QString& text = {}, double progress = -1);
    void setProgress(double progress, const QString& text);
    void fail(const QString& code, const QString& message);
    void setNotice(const QString& text);
    [[nodiscard]] QString path(const char* name) const;
    void loadState();
    void saveState();
    [[nodiscard]] bool loadProfile(const QString& file, QString* code, QString* message);
    void showCredential();
    void showManifest();
    void reconcilePending();
    void withSession(std::function<void()> next);
    void signAndRegister(bool recertification, const QString& folder);
    void upload(const QString& folder);

    Options m_options;
    QString m_stage = QStringLiteral("profile");
    bool m_busy = false;
    double m_progress = -1;
    QString m_progressText;
    QString m_errorCode;
    QString m_errorMessage;
    QString m_notice;
    QString m_avatarDir;
    QString m_dtId;
    QString m_avatarId;
    QString m_pseudonym;
    QString m_twinStatus;
    std::unique_ptr<security::UsimProfileData> m_profile;
    std::unique_ptr<core::HomenetClient> m_client;
    std::unique_ptr<security::SigningKey> m_holder; // present only while unlocked
    FactListModel m_credentialFacts;
    FactListModel m_manifestFacts;
    quint64 m_generation = 0; // guards callbacks of superseded operations
};

} // namespace twinseal::viewmodels
