#include "twinseal/viewmodels/twin_controller.h"

#include <twinseal/twin/data_layout.h>
#include <twinseal/twin/pending_journal.h>
#include <twinseal/twin/sample_avatar.h>
#include <twinseal/twin/twin_session.h>
#include <twinseal/twin/twin_store.h>

#include <QDateTime>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>
#include <QThreadPool>
#include <QTimer>

#include <algorithm>

#include <twinseal/netclient/avatar_transfer.h>
#include <twinseal/security/audit.h>
#include <twinseal/netclient/service_client.h>
#include <twinseal/security/credential.h>
#include <twinseal/security/keys.h>
#include <twinseal/security/manifest.h>
#include <twinseal/security/passphrase_policy.h>
#include <twinseal/security/statuslist.h>
#include <twinseal/security/subscriber.h>
#include <twinseal/security/translog.h>
#include <twinseal/twin/twin_backup.h>

#include "worker.h"

#include "twinseal/viewmodels/audit_controller.h"
#include "twinseal/viewmodels/audit_trail.h"
#include "twinseal/viewmodels/ownership_controller.h"
#include "twinseal/viewmodels/peer_verification_controller.h"
#include "twinseal/viewmodels/privacy_controller.h"
#include "twinseal/viewmodels/calls_controller.h"
#include "twinseal/viewmodels/roles_controller.h"
#include "twinseal/viewmodels/settings_controller.h"
#include "kill_point.h"

namespace twinseal::viewmodels {

using namespace twinseal::security;

namespace {

constexpr std::size_t kMinPassphrase = kMinPassphraseLength;

// The keys a passphrase opens: the holder key and the audit key.
struct Keys {
    Result<SigningKey> holder = makeError(ErrorCode::InvalidArgument, "not opened");
    std::unique_ptr<SigningKey> audit;
    QString auditError;
    // The profile's K and OPc opened (or sealed) with the same passphrase.
    Result<UsimProfileData> profile = makeError(ErrorCode::InvalidArgument, "not opened");
};

PassphraseStrength strengthOf(const QString& passphrase) {
    const Secret secret(passphrase);
    return assessPassphrase(secret.text).strength;
}

QString shortHex(ByteView b, int n = 16) {
    const QString hex = QString::fromStdString(toHex(b));
    return hex.size() > n ? hex.left(n) + QStringLiteral("…") : hex;
}

QString when(std::int64_t t) {
    return QDateTime::fromSecsSinceEpoch(t, Qt::UTC).toString(QStringLiteral("yyyy-MM-dd HH:mm 'UTC'"));
}

QString humanSize(std::uint64_t bytes) {
    if (bytes < 1024)
        return QStringLiteral("%1 bytes").arg(bytes);
    if (bytes < std::uint64_t{1024} * 1024)
        return QStringLiteral("%1 KiB").arg(double(bytes) / 1024.0, 0, 'f', 1);
    return QStringLiteral("%1 MiB").arg(double(bytes) / (1024.0 * 1024.0), 0, 'f', 1);
}

QString findModel(const QString& dir) {
    QDirIterator it(dir, {QStringLiteral("*.glb"), QStringLiteral("*.gltf")}, QDir::Files,
                    QDirIterator::Subdirectories);
    return it.hasNext() ? it.next() : QString();
}

Status writeBytes(const QString& file, ByteView bytes, bool privateMode = false) {
    return writeFileAtomic(file.toStdString(), bytes, privateMode);
}

} // namespace

TwinController::TwinController(Options options, QObject* parent)
    : QObject(parent), m_options(std::move(options)) {
    m_state.setParent(this); // a child: QML never takes it for its own
    connect(&m_state, &OperationState::busyChanged, this, &TwinController::busyChanged);
    connect(&m_state, &OperationState::progressChanged, this, &TwinController::progressChanged);
    connect(&m_state, &OperationState::errorChanged, this, &TwinController::errorChanged);
    connect(&m_state, &OperationState::noticeChanged, this, &TwinController::noticeChanged);
    QDir().mkpath(m_options.dataDir);
    m_store = std::make_unique<twin::TwinStore>(m_options.dataDir);
    QFile::setPermissions(m_options.dataDir,
                          QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    m_auditTrail = std::make_unique<AuditTrail>(m_options.dataDir, this);
    m_settings = std::make_unique<SettingsController>(*m_store, *m_auditTrail, this);
    m_audit = std::make_unique<AuditController>(*m_store, *m_auditTrail, this);
    // The Settings page shows the profile's address and trust list.
    connect(this, &TwinController::profileChanged, this,
            [this] { m_settings->setProfile(profileServiceUrl(), profileTrustListPem()); });
    // The session holds the address: a changed setting goes there (no profile re-read).
    connect(m_settings.get(), &SettingsController::homeNetworkChanged, this, [this] {
        if (!m_session)
            return;
        m_session->setAddressOverride(m_settings->addressOverride());
        emit profileChanged();
    });
    loadState();
    m_settings->setProfile(profileServiceUrl(), profileTrustListPem());
    // The pages' view-models work on the store and the session; what they change of the twin
    // shown everywhere they announce, and this root view-model shows it.
    m_ownership = std::make_unique<OwnershipController>(*m_store, *m_auditTrail, this);
    connect(m_ownership.get(), &OwnershipController::twinReceived, this, &TwinController::adoptTwin);
    connect(m_ownership.get(), &OwnershipController::avatarReceived, this, [this](const QString& message) {
        emit avatarChanged();
        setNotice(message);
        refreshStatus();
    });
    connect(m_ownership.get(), &OwnershipController::logForkDetected, this, &TwinController::showLogFork);
    connect(m_ownership.get(), &OwnershipController::twinHandedOver, this, [this](const QString& message) {
        forgetTwin(QStringLiteral("transferred"));
        setNotice(message);
    });
    m_privacy = std::make_unique<PrivacyController>(*m_store, *m_auditTrail, this);
    connect(m_privacy.get(), &PrivacyController::credentialReplaced, this, [this] {
        saveState();
        showCredential();
    });
    connect(m_privacy.get(), &PrivacyController::logForkDetected, this, &TwinController::showLogFork);
    m_calls = std::make_unique<CallsController>(*m_store, *m_auditTrail, this);
    m_calls->setDisclosureChooser([this](const QString& room) { return m_privacy->disclosuresFor(room); });
    connect(this, &TwinController::avatarChanged, this, [this] { m_calls->setOwnModel(modelUrl()); });
    m_roles = std::make_unique<RolesController>(*m_store, *m_auditTrail, this);
    connect(m_roles.get(), &RolesController::rolesChanged, m_calls.get(), &CallsController::refreshRoles);
    for (auto signal : {&TwinController::stageChanged, &TwinController::lockedChanged, &TwinController::twinChanged,
                        &TwinController::profileChanged})
        connect(this, signal, this, &TwinController::updatePages);
    updatePages();
    PeerVerificationController::Sources peers;
    peers.dataDir = m_options.dataDir;
    peers.trustedRootsPem = [this] { return m_settings->trustedRootsPem(); };
    peers.homeNetwork = [this] { return client(); };
    m_peerVerification = std::make_unique<PeerVerificationController>(std::move(peers));
}

TwinController::~TwinController() = default;

void TwinController::updatePages() {
    if (!m_ownership || !m_privacy)
        return;
    TwinSummary twin;
    twin.holdsTwin = m_stage == Stage::Ready;
    twin.mayReceive = m_stage == Stage::Avatar;
    twin.dtId = m_dtId;
    twin.avatarId = m_avatarId;
    twin.status = m_twinStatus;
    twin.operatorName = operatorName();
    m_ownership->setSession(m_session.get());
    m_privacy->setSession(m_session.get());
    m_ownership->setTwin(twin);
    m_privacy->setTwin(twin);
    if (m_calls) {
        m_calls->setHomeNetwork(m_profile.get(), serviceUrl());
        m_calls->setOwnModel(modelUrl());
        m_calls->setSession(m_session.get());
        m_calls->setTwin(twin);
    }
    if (m_roles) {
        m_roles->setSession(m_session.get());
        m_roles->setTwin(twin);
    }
}


QString TwinController::dataFile(const QString& name) const { return QDir(m_options.dataDir).filePath(name); }

QString TwinController::profileServiceUrl() const {
    return m_profile ? QString::fromStdString(m_profile->serviceUrl) : QString();
}

QString TwinController::profileTrustListPem() const {
    return m_profile ? QString::fromStdString(m_profile->trustListPem) : QString();
}

void TwinController::recordFailure(const char* type, const QString& code,
                                   std::vector<std::pair<std::string, std::string>> fields) {
    m_auditTrail->recordFailure(type, code, std::move(fields));
}

void TwinController::witnessTreeHead(const SignedTreeHead& head) {
    if (!m_session)
        return;
    QPointer<TwinController> self(this);
    m_store->treeHeadWitness().check(
        *m_session, head, [this, self](const netclient::ClientResult<twin::TreeHeadWitness::Decision>& r) {
            if (!self)
                return;
            if (r.ok() || r.error().code != errorCodeName(ErrorCode::LogFork)) {
                // Not decided (no proof could be fetched) or the kept head is unreadable: said
                // in the activity log; the next refresh tries again.
                if (!r.ok())
                    recordFailure(audit_event::kLogHead, QString::fromStdString(r.error().code));
                return;
            }
            showLogFork();
        });
}

void TwinController::showLogFork() {
    if (!m_profile)
        return;
    auto fork = m_store->treeHeadWitness().fork(m_profile->logKey);
    QString message;
    std::vector<std::pair<std::string, std::string>> fields;
    if (!fork.ok()) {
        // The fork record itself is damaged: that is no reason to stop warning.
        message = tr("The record of a fork of your home network's transparency log cannot be "
                     "read (%1). Do not trust new credentials from your home network until you "
                     "have checked it with your operator.")
                      .arg(QString::fromStdString(fork.error().message()));
    } else if (*fork) {
        const twin::LogFork& f = **fork;
        message = QString::fromStdString(f.message());
        fields = {{"kept-tree-size", std::to_string(f.kept.head.treeSize)},
                  {"kept-root", toHex(f.kept.head.rootHash)},
                  {"other-tree-size", std::to_string(f.other.head.treeSize)},
                  {"other-root", toHex(f.other.head.rootHash)}};
    }
    if (message == m_logForkMessage)
        return;
    const bool first = m_logForkMessage.isEmpty();
    m_logForkMessage = message;
    if (first && !message.isEmpty())
        recordFailure(audit_event::kLogHead, QString::fromUtf8(errorCodeName(ErrorCode::LogFork).data()),
                      std::move(fields));
    emit logForkChanged();
}

QString TwinController::path(const char* name) const {
    return QDir(m_options.dataDir).filePath(QString::fromLatin1(name));
}

bool TwinController::locked() const {
    return !holderKey() && QFileInfo::exists(path(twin::layout::kHolderKey));
}

bool TwinController::authenticated() const { return m_session && m_session->client().isAuthenticated(); }

netclient::ServiceClient* TwinController::client() { return m_session ? &m_session->client() : nullptr; }

const SigningKey* TwinController::holderKey() const { return m_session ? m_session->holderKey() : nullptr; }

bool TwinController::keepKey(SigningKey key) {
    if (!m_session)
        return false;
    m_session->adoptKey(std::move(key));
    return true;
}

QString TwinController::operatorName() const {
    return m_profile ? QString::fromStdString(m_profile->operatorName) : QString();
}

QString TwinController::serviceUrl() const {
    return m_settings ? m_settings->homeNetworkAddress() : profileServiceUrl();
}

QString TwinController::subscriberHint() const {
    if (!m_profile)
        return {};
    // Enough for the owner to recognise the subscription, not the whole SUPI.
    const QString msin = QString::fromStdString(m_profile->supi.msin);
    return QStringLiteral("MCC %1 · MNC %2 · subscriber …%3")
        .arg(QString::fromStdString(m_profile->supi.mcc), QString::fromStdString(m_profile->supi.mnc),
             msin.right(4));
}

QUrl TwinController::modelUrl() const {
    const QString model = m_avatarDir.isEmpty() ? QString() : findModel(m_avatarDir);
    return model.isEmpty() ? QUrl() : QUrl::fromLocalFile(model);
}

void TwinController::setStage(Stage s) {
    if (m_stage == s)
        return;
    m_stage = s;
    emit stageChanged();
}

void TwinController::setNotice(const QString& text) { m_state.showNotice(text); }

void TwinController::dismissError() { m_state.dismissError(); }

// ---- persistent state --------------------------------------------------------------------------

void TwinController::forgetTwin(const QString& status) {
    m_dtId.clear();
    m_avatarId.clear();
    m_pseudonym.clear();
    m_avatarDir.clear();
    m_twinStatus = status;
    // The credential's files were moved away: forget the copy in memory, not the files.
    m_store->unloadCredential();
    saveState();
    m_credentialFacts.setFacts({});
    m_manifestFacts.setFacts({});
    setStage(Stage::Avatar);
    emit avatarChanged();
    emit twinChanged();
}

void TwinController::adoptTwin(const QString& dtId, const QString& avatarId, const QString& avatarDir) {
    if (!dtId.isEmpty())
        m_dtId = dtId;
    if (!avatarId.isEmpty())
        m_avatarId = avatarId;
    m_avatarDir = avatarDir;
    m_twinStatus.clear();
    saveState();
    setStage(Stage::Ready);
    showCredential();
    showManifest();
    emit avatarChanged();
    emit twinChanged();
}

void TwinController::saveState() {
    QJsonObject o{{QStringLiteral("avatarDir"), m_avatarDir},
                  {QStringLiteral("dtId"), m_dtId},
                  {QStringLiteral("avatarId"), m_avatarId}};
    const QByteArray json = QJsonDocument(o).toJson();
    (void)writeBytes(path(twin::layout::kState), ByteView(reinterpret_cast<const std::uint8_t*>(json.constData()),
                                                  static_cast<std::size_t>(json.size())));
}

const Credential* TwinController::heldCredential() {
    return m_store->loadCredential().ok() ? m_store->credential() : nullptr;
}

bool TwinController::writePending(const QString& op, const QString& folder) {
    (void)heldCredential(); // the journal names the generation held now
    return m_store
        ->writePending(twin::pendingOpFromName(op).value_or(twin::PendingOp::Register), folder,
                       QDateTime::currentSecsSinceEpoch())
        .ok();
}

bool TwinController::loadProfile(const QString& file, QString* code, QString* message) {
    auto p = UsimProfileData::load(file.toStdString());
    return useProfile(std::move(p), file, code, message);
}

bool TwinController::useProfile(Result<UsimProfileData> p, const QString& file, QString* code,
                                QString* message) {
    if (!p.ok()) {
        *code = QString::fromUtf8(errorCodeName(p.code()).data());
        *message = p.code() == ErrorCode::IoError
                       ? QStringLiteral("The profile file cannot be read: %1").arg(file)
                       : QStringLiteral("This is not a valid TwinSeal USIM profile (%1). Ask your "
                                        "operator for the profile file of your subscription.")
                             .arg(QString::fromStdString(p.error().detail));
        return false;
    }
    m_profile = std::make_unique<UsimProfileData>(std::move(p).value());
    twin::SessionOptions options;
    if (m_settings)
        options.addressOverride = m_settings->addressOverride();
    // The session gets the profile as read: a sealed one is locked until the passphrase opens
    // it, an operator's profile just imported holds K and OPc until they are sealed. The copy
    // kept here for the pages needs only the public parts.
    std::unique_ptr<SigningKey> unlocked =
        m_session && m_session->profileUnlocked() ? m_session->takeKey() : nullptr;
    m_session = std::make_unique<twin::TwinSession>(*m_profile, path(twin::layout::kProfile), options);
    m_profile->forgetSecrets();
    if (unlocked)
        m_session->adoptKey(std::move(*unlocked));
    connect(m_session.get(), &twin::TwinSession::authenticatedChanged, this,
            &TwinController::authenticatedChanged);
    emit profileChanged();
    showLogFork(); // a fork recorded before (a restart does not make it go away)
    return true;
}

void TwinController::loadState() {
    QString code, message;
    if (QFileInfo::exists(path(twin::layout::kProfile)) && !loadProfile(path(twin::layout::kProfile), &code, &message)) {
        fail(code, message);
        return;
    }
    QFile twin(path(twin::layout::kState));
    if (twin.open(QIODevice::ReadOnly)) {
        const QJsonObject o = QJsonDocument::fromJson(twin.readAll()).object();
        m_avatarDir = o.value(QStringLiteral("avatarDir")).toString();
        m_dtId = o.value(QStringLiteral("dtId")).toString();
        m_avatarId = o.value(QStringLiteral("avatarId")).toString();
    }
    if (!m_profile)
        setStage(Stage::Profile);
    else if (!QFileInfo::exists(path(twin::layout::kHolderKey)))
        setStage(Stage::Passphrase);
    else if (!QFileInfo::exists(path(twin::layout::kCredential)))
        setStage(Stage::Avatar);
    else
        setStage(Stage::Ready);
    if (m_stage == Stage::Ready) {
        showCredential();
        showManifest();
    }
    emit avatarChanged();
    emit twinChanged();
    emit lockedChanged();
    // Asking the home network about an interrupted operation needs an authentication, which
    // needs K and OPc: sealed under the passphrase, so after unlock().
    m_reconcileOnUnlock = m_profile && QFileInfo::exists(path(twin::layout::kPending)) &&
                          !m_session->profileUnlocked();
    if (m_profile && QFileInfo::exists(path(twin::layout::kPending)) && !m_reconcileOnUnlock)
        reconcilePending();
    else if (m_stage == Stage::Ready)
        QTimer::singleShot(0, this, &TwinController::refreshStatus); // status list, log proof
}

// An operation that changes the credential (registration, re-certification, pseudonym rotation)
// was in flight when the client stopped: ask the home network what happened and adopt the
// credential it holds for this device's key, so nothing is lost or registered twice.
void TwinController::reconcilePending() {
    const twin::PendingJournal journal =
        twin::TwinStore(m_options.dataDir).pending().value_or(twin::PendingJournal{});
    Pending pending;
    pending.op = twin::pendingOpName(journal.op);
    pending.folder = journal.folder;
    pending.generation = journal.generation;
    auto file = readFile(path(twin::layout::kHolderKey).toStdString());
    if (!file.ok())
        return;
    auto holder = SigningKey::peekPublicKey(*file);
    if (!holder.ok())
        return;
    setBusy(true, pending.op == QLatin1String("recertify")
                      ? tr("Checking an interrupted re-certification with your home network…")
                  : pending.op == QLatin1String("rotate-pseudonym")
                      ? tr("Checking an interrupted pseudonym rotation with your home network…")
                      : tr("Checking an interrupted registration with your home network…"));
    const PublicKey key = *holder;
    withSession([this, key, pending] {
        m_session->client().listDts([this, key, pending](netclient::ClientResult<std::vector<netclient::DtRecord>> r) {
            if (!r.ok()) // the journal stays: the next start asks again
                return fail(QString::fromStdString(r.error().code), QString::fromStdString(r.error().message));
            twin::PendingJournal journal;
            journal.op = twin::pendingOpFromName(pending.op).value_or(twin::PendingOp::Register);
            journal.generation = pending.generation;
            const twin::Reconciliation decision = twin::reconcile(journal, *r, key);
            const std::optional<netclient::DtRecord>& held = decision.held;
            const bool completed = decision.completed;
            if (completed && !adoptHeld(held->credential, pending.folder))
                return; // the failure is shown; the journal stays
            QFile::remove(path(twin::layout::kPending));
            setBusy(false);
            if (decision.tell)
                setNotice(pendingOutcome(pending.op, completed));
            if (completed && !QFileInfo::exists(path(twin::layout::kManifest)) && holderKey())
                restoreManifest();
            else if (m_stage == Stage::Ready)
                refreshStatus();
        });
    });
}

QString TwinController::pendingOutcome(const QString& op, bool completed) const {
    const bool needsUpload = !QFileInfo::exists(path(twin::layout::kManifest));
    const QString unlock = needsUpload && !holderKey()
                               ? tr(" Unlock it to finish storing its avatar with your home network.")
                               : QString();
    if (op == QLatin1String("recertify"))
        return completed ? tr("Your interrupted re-certification had completed; your twin is "
                              "certified with the avatar in %1.")
                                   .arg(m_avatarDir) +
                               unlock
                         : tr("Your interrupted re-certification did not reach your home network; "
                              "your twin is unchanged. Re-certify it again if you still want to.");
    if (op == QLatin1String("rotate-pseudonym"))
        return completed ? tr("Your interrupted pseudonym rotation had completed; peers now see you "
                              "as %1.")
                               .arg(m_pseudonym)
                         : tr("Your interrupted pseudonym rotation did not reach your home network; "
                              "peers still see you as %1. Rotate it again if you still want to.")
                               .arg(m_pseudonym);
    return completed ? tr("Your interrupted registration had completed; your twin is restored.") + unlock
                     : tr("Your interrupted registration did not reach your home network; "
                          "register your twin again.");
}

// The home network's current credential for this device's key becomes the twin shown here.
// Files of the credential it replaces that do not fit it are dropped: the receipt (it proves the
// old credential's log entry), a manifest of other media, disclosures of other commitments.
bool TwinController::adoptHeld(const Bytes& credential, const QString& folder) {
    auto c = parseCredential(credential);
    if (!c.ok())
        return false;
    if (!heldCredential() || m_store->credentialBytes() != credential) {
        if (!m_store->storeCredential(credential).ok()) {
            fail(QStringLiteral("io-error"),
                 tr("Your twin cannot be stored in %1. Free some space or fix the folder's "
                    "permissions, then start TwinSeal again.")
                     .arg(m_options.dataDir));
            return false;
        }
        QFile::remove(path(twin::layout::kReceipt));
    }
    auto manifest = readFile(path(twin::layout::kManifest).toStdString());
    auto parsed = manifest.ok() ? parseSignedManifest(*manifest) : Result<SignedManifest>(manifest.error());
    if (!parsed.ok() || parsed->manifest.packageRoot != c->claims.mediaRoot)
        QFile::remove(path(twin::layout::kManifest)); // unlocking rebuilds it from the certified folder
    if (!disclosuresMatch(c->claims))
        QFile::remove(path(twin::layout::kDisclosures));
    m_dtId = QString::fromStdString(c->claims.dtId);
    m_avatarId = QString::fromStdString(c->claims.avatarId);
    if (!folder.isEmpty())
        m_avatarDir = folder;
    saveState();
    setStage(Stage::Ready);
    showCredential();
    showManifest();
    emit avatarChanged();
    emit twinChanged();
    return true;
}

bool TwinController::disclosuresMatch(const CredentialClaims& claims) const {
    QFile file(path(twin::layout::kDisclosures));
    if (!file.open(QIODevice::ReadOnly))
        return true; // none kept: nothing to drop
    for (const auto& v : QJsonDocument::fromJson(file.readAll()).array()) {
        auto d = AttributeDisclosure::decode(v.toObject().value(QStringLiteral("disclosure")).toString().toStdString());
        if (!d.ok())
            return false;
        const auto digest = d->digest();
        if (std::none_of(claims.attributes.begin(), claims.attributes.end(),
                         [&](const auto& a) { return a.name == d->name && a.digest == digest; }))
            return false;
    }
    return true;
}

// ---- first run -------------------------------------------------------------------------------

void TwinController::restoreTwin(const QUrl& file, const QString& backupPassphrase) {
    dismissError();
    if (m_stage != Stage::Profile || m_profile || m_state.busy())
        return fail(QStringLiteral("restore-target-not-empty"),
                    tr("A twin is restored onto a device that holds none yet, and this one has "
                       "a profile. Choose another data directory in Settings to restore beside it."));
    if (backupPassphrase.isEmpty())
        return fail(QStringLiteral("wrong-passphrase"),
                    tr("Type the passphrase chosen when the backup was made."));
    const QString local = file.isLocalFile() ? file.toLocalFile() : file.toString();
    auto secret = std::make_shared<Secret>(backupPassphrase);
    const QString dataDir = m_options.dataDir;
    setBusy(true, tr("Opening the backup and restoring your twin…"));
    offThread<Result<twin::TwinBackupSummary>>(
        this, [secret, local, dataDir]() { return twin::restoreTwinBackup(local, secret->text, dataDir); },
        [this, local](Result<twin::TwinBackupSummary> r) {
            setBusy(false);
            if (!r.ok()) {
                const QString code = QString::fromUtf8(errorCodeName(r.code()).data());
                switch (r.code()) {
                case ErrorCode::WrongPassphrase:
                    return fail(code, tr("The passphrase does not open this backup. Type the "
                                         "passphrase chosen when the backup was made."));
                case ErrorCode::BackupTruncated:
                    return fail(code, tr("This backup is incomplete (%1). Copy it again from "
                                         "where you saved it.")
                                          .arg(QString::fromStdString(r.error().detail)));
                case ErrorCode::BackupCorrupted:
                    return fail(code, tr("This backup is damaged or was altered, so it cannot be "
                                         "trusted. Use another copy."));
                case ErrorCode::NotABackup:
                    return fail(code, tr("%1 is not a TwinSeal twin backup.").arg(local));
                default:
                    return fail(code, tr("The twin was not restored: %1")
                                          .arg(QString::fromStdString(r.error().detail)));
                }
            }
            m_auditTrail->reopen();
            m_auditTrail->record(audit_event::kTwinRestore,
                           {{"file", QFileInfo(local).fileName().toStdString()},
                            {"files", std::to_string(r->files)}});
            m_settings->reload();
            loadState();
            emit profileChanged();
            setNotice(tr("Your twin is restored from %1. Unlock it with your own passphrase, the "
                         "one that protects its key; its activity log is checked as it opens.")
                          .arg(QFileInfo(local).fileName()));
        });
}

void TwinController::importProfile(const QUrl& file) {
    dismissError();
    const QString local = file.isLocalFile() ? file.toLocalFile() : file.toString();
    QString code, message;
    auto p = UsimProfileData::load(local.toStdString());
    if (!p.ok()) {
        (void)useProfile(std::move(p), local, &code, &message);
        return fail(code, message);
    }
    if (!p->hasSecrets())
        return fail(QStringLiteral("usim-profile-invalid"),
                    tr("This profile's keys are sealed with a passphrase (it comes from a TwinSeal "
                       "data directory). Import the profile file your operator gave you."));
    // K and OPc stay in memory until the passphrase seals them (choosePassphrase, or unlock
    // when a holder key exists already): the data directory never holds them in clear. A
    // profile there (damaged, or another subscription) is replaced.
    if (QFileInfo::exists(path(twin::layout::kProfile)) && !QFile::remove(path(twin::layout::kProfile)))
        return fail(QStringLiteral("io-error"),
                    tr("The old profile in %1 cannot be replaced.").arg(m_options.dataDir));
    if (m_session)
        m_session->lock(); // the passphrase seals the new profile when the key is unlocked again
    if (!useProfile(std::move(p), local, &code, &message))
        return fail(code, message);
    emit lockedChanged();
    setStage(QFileInfo::exists(path(twin::layout::kHolderKey)) ? Stage::Avatar
                                                   : Stage::Passphrase);
}

QString TwinController::passphraseStrength(const QString& passphrase) const {
    return QString::fromLatin1(passphraseStrengthName(strengthOf(passphrase)).data());
}

QString TwinController::passphraseHint(const QString& passphrase) const {
    switch (strengthOf(passphrase)) {
    case PassphraseStrength::TooShort:
        return tr("Too short: use at least %1 characters, for example four or five unrelated words.")
            .arg(kMinPassphrase);
    case PassphraseStrength::Weak:
        return tr("Weak: it repeats characters or follows a run. Add unrelated words.");
    case PassphraseStrength::Fair:
        return tr("Fair: one more unrelated word would make it much harder to guess.");
    case PassphraseStrength::Strong:
        return tr("Strong.");
    }
    return {};
}

void TwinController::choosePassphrase(const QString& passphrase, const QString& repeated) {
    dismissError();
    if (passphrase != repeated)
        return fail(QStringLiteral("passphrases-differ"),
                    tr("The two passphrases are not the same. Type them again."));
    if (strengthOf(passphrase) == PassphraseStrength::TooShort)
        return fail(QStringLiteral("passphrase-too-short"),
                    tr("Use at least %1 characters: the passphrase is what protects your twin's "
                       "key on this device.")
                        .arg(kMinPassphrase));
    if (!m_session)
        return fail(QStringLiteral("no-profile"), tr("Import your USIM profile before creating your key."));
    setBusy(true, tr("Creating your holder key and protecting it with the passphrase…"));
    auto secret = std::make_shared<Secret>(passphrase);
    const std::string keyPath = path(twin::layout::kHolderKey).toStdString();
    const QString dataDir = m_options.dataDir;
    const QString profilePath = path(twin::layout::kProfile);
    auto profile = std::make_shared<UsimProfileData>(m_session->profile());
    offThread<Keys>(
        this,
        [secret, keyPath, dataDir, profilePath, profile]() -> Keys {
            Keys out;
            // The profile first: its K and OPc are sealed under the passphrase and written.
            out.profile = twin::TwinSession::openProfileSecrets(profilePath, *profile, secret->text);
            profile->forgetSecrets();
            if (!out.profile.ok()) {
                out.holder = out.profile.error();
                return out;
            }
            out.holder = SigningKey::generate(KeyAlgorithm::Ed25519);
            if (!out.holder.ok())
                return out;
            if (auto st = out.holder->saveEncrypted(keyPath, secret->text, {}, "TwinSeal holder key");
                !st.ok()) {
                out.holder = st.error();
                return out;
            }
            out.audit = AuditTrail::loadOrCreateKey(dataDir, secret->text, &out.auditError);
            return out;
        },
        [this](Keys keys) {
            if (!keys.holder.ok())
                return fail(QString::fromUtf8(errorCodeName(keys.holder.code()).data()),
                            tr("Your key could not be created: %1")
                                .arg(QString::fromStdString(keys.holder.error().detail)));
            if (!m_session || !m_session->adoptProfileSecrets(std::move(keys.profile).value()) ||
                !keepKey(std::move(keys.holder).value()))
                return fail(QStringLiteral("no-profile"),
                            tr("Import your USIM profile before creating your key."));
            m_auditTrail->unlocked(std::move(keys.audit));
            m_auditTrail->record(audit_event::kKeyUnlock, {{"holder-key", "created"}});
            m_auditTrail->confirmWithHomeNetwork(*m_session);
            setBusy(false);
            emit lockedChanged();
            setStage(Stage::Avatar);
        });
}

void TwinController::chooseAvatar(const QUrl& folder) {
    dismissError();
    const QString dir = folder.isLocalFile() ? folder.toLocalFile() : folder.toString();
    if (!QFileInfo(dir).isDir())
        return fail(QStringLiteral("avatar-not-a-folder"),
                    tr("Choose the folder that holds your avatar (a .glb or .gltf model and its "
                       "files)."));
    if (findModel(dir).isEmpty())
        return fail(QStringLiteral("avatar-package-invalid"),
                    tr("%1 has no .glb or .gltf model. Choose the folder of a glTF 2.0 avatar.")
                        .arg(dir));
    m_avatarDir = QDir(dir).absolutePath();
    saveState();
    emit avatarChanged();
}

// A copy of the sample of this twin's own (twin/sample_avatar.h): the home network certifies an
// avatar to one subscriber's active twin, and the sample is everybody's.
void TwinController::useSampleAvatar() {
    dismissError();
    auto own = twin::ownSampleAvatar(*m_store, m_options.sampleAvatarDir);
    if (!own.ok())
        return fail(QStringLiteral("io-error"),
                    tr("The sample avatar cannot be copied into %1: %2. Check that the folder is "
                       "writable and has free space.")
                        .arg(m_options.dataDir, QString::fromStdString(own.error().detail)));
    chooseAvatar(QUrl::fromLocalFile(*own));
}

void TwinController::registerTwin() {
    dismissError();
    if (!m_profile)
        return fail(QStringLiteral("no-profile"), tr("Import your USIM profile first."));
    if (!holderKey())
        return fail(QStringLiteral("locked"), tr("Unlock your twin with your passphrase first."));
    if (m_avatarDir.isEmpty())
        return fail(QStringLiteral("no-avatar"), tr("Choose an avatar first."));
    signAndRegister(false, m_avatarDir);
}

void TwinController::recertify(const QUrl& folder) {
    dismissError();
    if (!holderKey())
        return fail(QStringLiteral("locked"), tr("Unlock your twin with your passphrase first."));
    const QString dir = folder.isEmpty() ? m_avatarDir
                                         : (folder.isLocalFile() ? folder.toLocalFile() : folder.toString());
    if (findModel(dir).isEmpty())
        return fail(QStringLiteral("avatar-package-invalid"),
                    tr("%1 has no .glb or .gltf model.").arg(dir));
    signAndRegister(true, QDir(dir).absolutePath());
}

void TwinController::signAndRegister(bool recertification, const QString& folder) {
    const quint64 generation = ++m_generation;
    setBusy(true, tr("Hashing your avatar…"), 0);
    QPointer<TwinController> self(this);
    const std::string dir = folder.toStdString();
    offThread<Result<Manifest>>(
        this,
        [dir, self]() {
            HashOptions o;
            o.progress = [self](std::uint64_t done, std::uint64_t total) {
                if (total == 0)
                    return;
                QMetaObject::invokeMethod(
                    self.data(),
                    [self, done, total] {
                        if (self)
                            self->setProgress(double(done) / double(total),
                                              tr("Hashing your avatar… %1 of %2")
                                                  .arg(humanSize(done), humanSize(total)));
                    },
                    Qt::QueuedConnection);
            };
            return buildManifest(dir, o);
        },
        [this, generation, recertification, folder](Result<Manifest> manifest) {
            if (generation != m_generation)
                return;
            if (!manifest.ok())
                return fail(QString::fromUtf8(errorCodeName(manifest.code()).data()),
                            tr("This avatar cannot be used: %1")
                                .arg(QString::fromStdString(manifest.error().detail)));
            if (!holderKey())
                return fail(QStringLiteral("locked"), tr("Unlock your twin first."));
            auto signedManifest = signManifest(*manifest, *holderKey());
            if (!signedManifest.ok())
                return fail(QStringLiteral("signing-failed"),
                            QString::fromStdString(signedManifest.error().message()));
            const Bytes manifestBytes = *signedManifest;
            const Manifest parsed = *manifest;
            withSession([this, recertification, folder, manifestBytes, parsed, generation] {
                if (generation != m_generation)
                    return;
                setProgress(-1, recertification ? tr("Asking %1 to re-certify your twin…").arg(operatorName())
                                                : tr("Registering your twin with %1…").arg(operatorName()));
                const char* op = recertification ? "recertify" : "register";
                if (!writePending(QString::fromLatin1(op), folder))
                    return fail(QStringLiteral("io-error"),
                                tr("The registration cannot be recorded in %1. Check that the folder "
                                   "is writable and has free space.")
                                    .arg(m_options.dataDir));
                killPoint(op, "journaled");
                auto done = [this, op, folder, manifestBytes, parsed,
                             recertification](netclient::ClientResult<netclient::Registration> r) {
                    const char* event = recertification ? audit_event::kDtRecertify : audit_event::kDtRegister;
                    if (!r.ok()) {
                        // Refused: nothing changed at the service. Without an answer it may have
                        // registered: the journal stays and the next start asks.
                        if (r.error().httpStatus >= 400)
                            QFile::remove(path(twin::layout::kPending));
                        if (!recertification && r.error().code == "duplicate-dt")
                            return resolveDuplicate(folder);
                        recordFailure(event, QString::fromStdString(r.error().code),
                                      {{"media-root", toHex(parsed.packageRoot)}});
                        return fail(QString::fromStdString(r.error().code),
                                    QString::fromStdString(r.error().message));
                    }
                    killPoint(op, "answered");
                    const auto& claims = r->credential.claims;
                    m_auditTrail->record(event, {{"dt", claims.dtId},
                                                 {"avatar-id", claims.avatarId},
                                                 {"generation", std::to_string(claims.generation)},
                                                 {"log-index", std::to_string(claims.logIndex)},
                                                 {"media-root", toHex(claims.mediaRoot)}});
                    // Everything is stored before the journal goes: a kill in between leaves
                    // the journal, and the next start picks the twin up from the home network.
                    if (!m_store->storeIssued(*r, &manifestBytes).ok())
                        return fail(QStringLiteral("io-error"),
                                    tr("Your twin is certified, but it cannot be stored in %1. Free some "
                                       "space or fix the folder's permissions, then start TwinSeal "
                                       "again: it picks your twin up from your home network.")
                                        .arg(m_options.dataDir));
                    m_dtId = QString::fromStdString(r->credential.claims.dtId);
                    m_avatarId = QString::fromStdString(r->credential.claims.avatarId);
                    m_avatarDir = folder;
                    saveState();
                    QFile::remove(path(twin::layout::kPending));
                    witnessTreeHead(r->receipt.treeHead);
                    setStage(Stage::Ready);
                    showCredential();
                    showManifest();
                    emit avatarChanged();
                    emit twinChanged();
                    upload(folder);
                };
                if (recertification)
                    m_session->recertify(m_dtId.toStdString(), manifestBytes, done);
                else
                    m_session->registerTwin(manifestBytes, done);
            });
        });
}

// The subscription already has an active twin. Held with this device's key (its registration
// answer was lost), it is this device's twin: adopt it. Held by another device, say what the
// owner can actually do: this client can neither re-certify it (the key is elsewhere) nor move
// it here (a twin is not transferred within one subscription).
void TwinController::resolveDuplicate(const QString& folder) {
    m_session->client().me([this, folder](netclient::ClientResult<netclient::SubscriberInfo> me) {
        if (!me.ok())
            return fail(QString::fromStdString(me.error().code), QString::fromStdString(me.error().message));
        const auto& active = me->activeDt;
        std::optional<Credential> held;
        if (active)
            if (auto c = parseCredential(active->credential); c.ok())
                held = std::move(c).value();
        if (held && holderKey() && held->claims.holderKey == holderKey()->publicKey()) {
            if (!adoptHeld(active->credential, folder))
                return;
            m_auditTrail->record(audit_event::kDtRegister, {{"dt", held->claims.dtId},
                                                            {"avatar-id", held->claims.avatarId},
                                                            {"reconciled", "true"}});
            setBusy(false);
            setNotice(tr("Your twin was already registered with this device's key; it is restored."));
            return restoreManifest();
        }
        const QString dt = active ? QString::fromStdString(active->dtId) : tr("unknown");
        recordFailure(audit_event::kDtRegister, QStringLiteral("twin-held-by-another-device"), {{"dt", dt.toStdString()}});
        fail(QStringLiteral("twin-held-by-another-device"),
             tr("This subscription already has a digital twin (%1), and another device holds it: its "
                "credential names a different holder key. Use TwinSeal on that device (a twin cannot "
                "be moved between devices of one subscription). If that device is lost, ask %2 to "
                "revoke the twin, then register again here.")
                 .arg(dt, operatorName()));
    });
}

void TwinController::upload(const QString& folder) {
    auto bytes = readFile(path(twin::layout::kManifest).toStdString());
    auto manifest = bytes.ok() ? parseSignedManifest(*bytes) : Result<SignedManifest>(bytes.error());
    if (!manifest.ok())
        return fail(QStringLiteral("manifest-invalid"), tr("The stored manifest cannot be read."));
    setProgress(0, tr("Uploading your avatar to the home network…"));
    auto* transfer = m_session->client().uploadAvatar(
        m_avatarId.toStdString(), manifest->manifest, folder,
        [this](const netclient::ClientResult<netclient::AvatarRecord>& r) {
            if (!r.ok()) {
                recordFailure(audit_event::kAvatarUpload, QString::fromStdString(r.error().code),
                              {{"avatar-id", m_avatarId.toStdString()}});
                return fail(QString::fromStdString(r.error().code),
                            tr("Your twin is certified, but the avatar upload failed: %1 Try "
                               "re-certifying later.")
                                .arg(QString::fromStdString(r.error().message)));
            }
            m_auditTrail->record(audit_event::kAvatarUpload, {{"avatar-id", m_avatarId.toStdString()}});
            setBusy(false);
            setNotice(tr("Your twin is certified and its avatar is stored with %1.").arg(operatorName()));
            refreshStatus();
        });
    if (transfer)
        connect(transfer, &netclient::AvatarTransfer::progress, this, [this](quint64 done, quint64 total) {
            if (total > 0)
                setProgress(double(done) / double(total),
                            tr("Uploading your avatar… %1 of %2").arg(humanSize(done), humanSize(total)));
        });
}

// ---- My Twin ----------------------------------------------------------------------------------

void TwinController::showCredential() {
    const auto loaded = m_store->loadCredential();
    const Credential* c = loaded.ok() ? m_store->credential() : nullptr;
    if (!c) {
        m_credentialFacts.setFacts({{tr("Credential"), tr("cannot be read"), QStringLiteral("failed"),
                                     loaded.ok() ? QString() : QString::fromStdString(loaded.error().detail)}});
        return;
    }
    const auto& k = c->claims;
    m_dtId = QString::fromStdString(k.dtId);
    m_avatarId = QString::fromStdString(k.avatarId);
    m_pseudonym = QString::fromStdString(k.pseudonym);
    QStringList attrs;
    for (const auto& a : k.attributes)
        attrs << QString::fromStdString(a.name);
    const std::int64_t now = QDateTime::currentSecsSinceEpoch();
    const bool valid = checkValidity(k, now).ok();
    QString statusValue = m_twinStatus.isEmpty() ? tr("not checked yet") : m_twinStatus;
    QString statusState = m_twinStatus == QLatin1String("active")    ? QStringLiteral("passed")
                          : m_twinStatus == QLatin1String("revoked") ? QStringLiteral("failed")
                                                                     : QStringLiteral("skipped");
    m_credentialFacts.setFacts({
        {tr("Avatar-ID"), m_avatarId, {}, {}},
        {tr("Pseudonym shown to peers"), m_pseudonym, {}, {}},
        {tr("Issuer"), QString::fromStdString(k.issuer), {}, {}},
        {tr("Valid"), tr("%1 to %2").arg(when(k.notBefore), when(k.notAfter)),
         valid ? QStringLiteral("passed") : QStringLiteral("failed"),
         valid ? tr("within its validity period") : tr("outside its validity period")},
        {tr("Status"), statusValue, statusState, {}},
        {tr("Transparency log"), tr("entry %1").arg(k.logIndex), QStringLiteral("skipped"),
         tr("inclusion not checked yet")},
        {tr("Generation"), QString::number(k.generation), {}, {}},
        {tr("Identity attributes (hidden unless you disclose them)"),
         attrs.isEmpty() ? tr("none") : attrs.join(QStringLiteral(", ")),
         // A twin restored after an interrupted registration or transfer has no disclosures on
         // this device (the home network does not keep them): say how to get new ones.
         attrs.isEmpty() || QFileInfo::exists(path(twin::layout::kDisclosures)) ? QString() : QStringLiteral("warning"),
         attrs.isEmpty() || QFileInfo::exists(path(twin::layout::kDisclosures))
             ? QString()
             : tr("not disclosable from this device: rotate your pseudonym (Privacy) to receive "
                  "new disclosures")},
        {tr("Certified media root"), shortHex(k.mediaRoot, 24), {}, QString::fromStdString(toHex(k.mediaRoot))},
        {tr("Holder key"), tr("Ed25519 · %1").arg(shortHex(k.holderKey.thumbprint(), 16)), {}, {}},
        {tr("Digital twin"), m_dtId, {}, {}},
    });
    emit twinChanged();
}

void TwinController::showManifest() {
    auto bytes = readFile(path(twin::layout::kManifest).toStdString());
    auto m = bytes.ok() ? parseSignedManifest(*bytes) : Result<SignedManifest>(bytes.error());
    if (!m.ok()) {
        m_manifestFacts.setFacts({});
        return;
    }
    QVector<Fact> facts;
    facts.push_back({tr("Package root"), shortHex(m->manifest.packageRoot, 24), QStringLiteral("passed"),
                     tr("signed with your holder key")});
    for (const auto& f : m->manifest.files)
        facts.push_back({QString::fromStdString(f.path),
                         tr("%1 · %2 chunk(s) · root %3")
                             .arg(humanSize(f.size))
                             .arg(f.chunkHashes.size())
                             .arg(shortHex(f.root, 12)),
                         {}, QString::fromStdString(toHex(f.root))});
    if (!m->manifest.metadata.licence.empty())
        facts.push_back({tr("Licence"), QString::fromStdString(m->manifest.metadata.licence), {}, {}});
    m_manifestFacts.setFacts(std::move(facts));
}

void TwinController::restoreManifest() {
    if (!holderKey() || m_avatarDir.isEmpty())
        return;
    const Credential* c = heldCredential();
    if (!c)
        return;
    const Digest certified = c->claims.mediaRoot;
    const quint64 generation = ++m_generation;
    setBusy(true, tr("Restoring your avatar's signed manifest…"), -1);
    const std::string dir = m_avatarDir.toStdString();
    offThread<Result<Manifest>>(
        this, [dir]() { return buildManifest(dir, {}); },
        [this, generation, certified](Result<Manifest> manifest) {
            if (generation != m_generation)
                return;
            if (!manifest.ok())
                return fail(QString::fromUtf8(errorCodeName(manifest.code()).data()),
                            tr("Your avatar in %1 cannot be read: %2 Re-certify your twin with its "
                               "avatar folder.")
                                .arg(m_avatarDir, QString::fromStdString(manifest.error().detail)));
            if (manifest->packageRoot != certified)
                return fail(QStringLiteral("media-mismatch"),
                            tr("The avatar in %1 is not the one your twin was certified with. "
                               "Re-certify your twin with the avatar you want to use.")
                                .arg(m_avatarDir));
            if (!holderKey())
                return fail(QStringLiteral("locked"), tr("Unlock your twin first."));
            auto signedManifest = signManifest(*manifest, *holderKey());
            if (!signedManifest.ok())
                return fail(QStringLiteral("signing-failed"),
                            QString::fromStdString(signedManifest.error().message()));
            (void)writeBytes(path(twin::layout::kManifest), *signedManifest);
            showManifest();
            withSession([this] { upload(m_avatarDir); });
        });
}

void TwinController::refreshStatus() {
    if (!m_session)
        return;
    const Credential* c = heldCredential();
    if (!c)
        return;
    const Credential credential = *c;
    m_session->client().fetchStatusList([this, credential](netclient::ClientResult<StatusList> list) {
        if (!list.ok()) {
            m_twinStatus = tr("unknown (%1)").arg(QString::fromStdString(list.error().code));
            recordFailure(audit_event::kDtStatus, QString::fromStdString(list.error().code),
                          {{"dt", credential.claims.dtId}});
        } else {
            auto revoked = list->isRevoked(credential.claims.statusListIndex);
            m_twinStatus = !revoked.ok() ? tr("unknown") : (*revoked ? QStringLiteral("revoked")
                                                                     : QStringLiteral("active"));
            m_auditTrail->record(audit_event::kDtStatus, {{"dt", credential.claims.dtId},
                                                          {"status", m_twinStatus.toStdString()}});
        }
        showCredential();
        m_session->client().fetchInclusionByCredential(
            credential.digest(), 0, [this](netclient::ClientResult<LogReceipt> receipt) {
                QVector<Fact> facts = m_credentialFacts.facts();
                for (Fact& f : facts) {
                    if (f.label != tr("Transparency log"))
                        continue;
                    if (receipt.ok()) {
                        f.state = QStringLiteral("passed");
                        f.detail = tr("inclusion proof verified against the signed tree head "
                                      "(tree size %1)")
                                       .arg(receipt->treeHead.head.treeSize);
                    } else {
                        f.state = QStringLiteral("failed");
                        f.detail = QString::fromStdString(receipt.error().message);
                    }
                }
                m_credentialFacts.setFacts(std::move(facts));
                if (receipt.ok())
                    witnessTreeHead(receipt->treeHead);
            });
    });
}

void TwinController::lock() {
    m_auditTrail->record(audit_event::kKeyLock);
    m_auditTrail->locked();
    if (m_session)
        m_session->lock(); // SigningKey cleanses its key material
    emit lockedChanged();
    setNotice(tr("Locked. Your passphrase is needed to use your twin again."));
}

void TwinController::unlock(const QString& passphrase) {
    dismissError();
    setBusy(true, tr("Unlocking…"));
    auto secret = std::make_shared<Secret>(passphrase);
    const std::string keyPath = path(twin::layout::kHolderKey).toStdString();
    const QString dataDir = m_options.dataDir;
    const QString profilePath = path(twin::layout::kProfile);
    auto profile = m_session ? std::make_shared<UsimProfileData>(m_session->profile()) : nullptr;
    offThread<Keys>(
        this,
        [secret, keyPath, dataDir, profilePath, profile]() -> Keys {
            Keys out;
            // A key sealed with an older, weaker KDF is sealed again with the current one.
            out.holder = SigningKey::loadEncryptedAndUpgrade(keyPath, secret->text);
            if (!out.holder.ok())
                return out;
            // The passphrase is right: it opens the profile's K and OPc (a profile a TwinSeal
            // before sealing wrote in clear is sealed now and written back).
            if (profile) {
                out.profile = twin::TwinSession::openProfileSecrets(profilePath, *profile, secret->text);
                profile->forgetSecrets();
            }
            out.audit = AuditTrail::loadOrCreateKey(dataDir, secret->text, &out.auditError);
            return out;
        },
        [this](Keys keys) {
            auto& key = keys.holder;
            if (!key.ok()) {
                recordFailure(audit_event::kKeyUnlock, QString::fromUtf8(errorCodeName(key.code()).data()));
                if (key.code() == ErrorCode::WrongPassphrase)
                    return fail(QStringLiteral("wrong-passphrase"),
                                tr("That passphrase does not unlock your holder key. Try again."));
                return fail(QString::fromUtf8(errorCodeName(key.code()).data()),
                            tr("Your holder key cannot be opened: %1")
                                .arg(QString::fromStdString(key.error().detail)));
            }
            if (m_session && !keys.profile.ok()) {
                recordFailure(audit_event::kKeyUnlock, QString::fromUtf8(errorCodeName(keys.profile.code()).data()));
                if (keys.profile.code() == ErrorCode::WrongPassphrase)
                    return fail(QStringLiteral("profile-wrong-passphrase"),
                                tr("That passphrase opens your holder key but not your USIM "
                                   "profile's keys, which were sealed with another one. Import "
                                   "the profile your operator gave you again."));
                return fail(QString::fromUtf8(errorCodeName(keys.profile.code()).data()),
                            tr("Your USIM profile cannot be opened (%1), so your twin cannot be "
                               "used; import the profile your operator gave you again.")
                                .arg(QString::fromStdString(keys.profile.error().detail)));
            }
            if (!m_session || !m_session->adoptProfileSecrets(std::move(keys.profile).value()) ||
                !keepKey(std::move(key).value()))
                return fail(QStringLiteral("no-profile"),
                            tr("Your USIM profile cannot be read, so your twin cannot be used; "
                               "import the profile your operator gave you again."));
            m_auditTrail->unlocked(std::move(keys.audit));
            m_auditTrail->record(audit_event::kKeyUnlock);
            m_auditTrail->confirmWithHomeNetwork(*m_session); // rollback check (audit_trail.h)
            setBusy(false);
            setNotice({});
            emit lockedChanged();
            if (m_reconcileOnUnlock && QFileInfo::exists(path(twin::layout::kPending))) {
                m_reconcileOnUnlock = false;
                reconcilePending(); // it restores the manifest when it needs to
            } else if (m_stage == Stage::Ready && !QFileInfo::exists(path(twin::layout::kManifest))) {
                QTimer::singleShot(0, this, &TwinController::restoreManifest);
            }
        });
}

} // namespace twinseal::viewmodels
