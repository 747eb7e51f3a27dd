#include "twinseal/twin/twin_session.h"

#include "twinseal/twin/twin_store.h"

#include <QFileInfo>
#include <QPointer>

#include <utility>

namespace twinseal::twin {

using namespace twinseal::security;

namespace {
netclient::ClientError lockedError() {
    return netclient::ClientError{"locked", "the holder key is locked: unlock it with its passphrase", 0};
}
} // namespace

TwinSession::TwinSession(UsimProfileData profile, QString profilePath, SessionOptions options,
                         QObject* parent)
    : QObject(parent), m_profilePath(std::move(profilePath)), m_options(std::move(options)) {
    makeClient(std::move(profile));
}

TwinSession::~TwinSession() = default;

Result<std::unique_ptr<TwinSession>> TwinSession::open(const TwinStore& store,
                                                       SessionOptions options, QObject* parent) {
    const QString profilePath = store.path(layout::kProfile);
    auto profile = UsimProfileData::load(profilePath.toStdString());
    TWINSEAL_TRY(profile);
    return std::make_unique<TwinSession>(std::move(*profile), profilePath, std::move(options), parent);
}

void TwinSession::makeClient(UsimProfileData profile) {
    netclient::ServiceClientOptions o;
    o.requestTimeout = m_options.requestTimeout;
    o.serviceUrlOverride = m_options.addressOverride.toStdString();
    o.statusListCachePath = m_options.statusListCachePath;
    o.clock = m_options.clock;
    m_client = std::make_unique<netclient::ServiceClient>(std::move(profile), m_profilePath, o);
    connect(m_client.get(), &netclient::ServiceClient::authenticatedChanged, this,
            &TwinSession::authenticatedChanged);
}

QString TwinSession::address() const {
    return m_options.addressOverride.isEmpty() ? QString::fromStdString(profile().serviceUrl)
                                               : m_options.addressOverride;
}

void TwinSession::setAddressOverride(const QString& url) {
    const QString before = address();
    if (url == m_options.addressOverride)
        return;
    m_options.addressOverride = url;
    // The client's profile in memory carries the USIM's latest SQN (it is also saved to disk).
    UsimProfileData profile = m_client->profile();
    makeClient(std::move(profile));
    if (address() != before)
        emit addressChanged();
}

Status TwinSession::unlock(const QString& keyFile, const std::string& passphrase) {
    auto key = SigningKey::loadEncryptedAndUpgrade(keyFile.toStdString(), passphrase);
    TWINSEAL_TRY(key);
    TWINSEAL_TRY(unlockProfile(passphrase));
    adoptKey(std::move(*key));
    return {};
}

Status TwinSession::unlockProfile(std::string_view passphrase) {
    if (m_profilePath.isEmpty()) {
        if (profileUnlocked())
            return {};
        UsimProfileData copy = profile();
        TWINSEAL_TRY(copy.unlock(passphrase));
        (void)adoptProfileSecrets(std::move(copy));
        return {};
    }
    auto opened = openProfileSecrets(m_profilePath, profile(), passphrase);
    TWINSEAL_TRY(opened);
    if (!adoptProfileSecrets(std::move(*opened)))
        return makeError(ErrorCode::UsimProfileInvalid,
                         "the profile file names another subscriber than this session's");
    return {};
}

Result<UsimProfileData> TwinSession::openProfileSecrets(const QString& path,
                                                        const UsimProfileData& current,
                                                        std::string_view passphrase) {
    if (!QFileInfo::exists(path) && current.hasSecrets()) {
        UsimProfileData imported = current;
        TWINSEAL_TRY(imported.seal(passphrase));
        TWINSEAL_TRY(imported.save(path.toStdString()));
        return imported;
    }
    return UsimProfileData::loadAndUnlock(path.toStdString(), passphrase);
}

bool TwinSession::adoptProfileSecrets(UsimProfileData&& unlocked) {
    if (!m_client->adoptSecrets(std::move(unlocked)))
        return false;
    // Written again from memory (the latest SQN, K and OPc sealed): an authentication that
    // saved the SQN while the passphrase was being checked may have written a profile in clear.
    if (!m_profilePath.isEmpty() && profile().sealed())
        (void)profile().save(m_profilePath.toStdString());
    emit lockedChanged();
    return true;
}

void TwinSession::adoptKey(SigningKey key) {
    m_holder = std::make_unique<SigningKey>(std::move(key));
    emit lockedChanged();
}

std::unique_ptr<SigningKey> TwinSession::takeKey() {
    auto key = std::move(m_holder);
    if (key)
        emit lockedChanged();
    return key;
}

void TwinSession::lock() {
    m_client->forgetSecrets();
    if (!m_holder)
        return;
    m_holder.reset();
    emit lockedChanged();
}

bool TwinSession::needKey(const std::function<void(netclient::ClientError)>& fail) const {
    if (m_holder)
        return true;
    fail(lockedError());
    return false;
}

void TwinSession::authenticated(std::function<void(netclient::ClientStatus)> next) {
    if (m_client->isAuthenticated())
        return next({});
    // Pages ask at once (after an unlock: the interrupted operation, the transfers list): one
    // authentication runs, and every page waiting goes on with its outcome.
    m_waitingForAuth.push_back(std::move(next));
    if (m_waitingForAuth.size() > 1)
        return;
    QPointer<TwinSession> self(this);
    m_client->authenticate([self](const netclient::ClientResult<netclient::AuthSession>& r) {
        if (!self)
            return;
        auto waiting = std::exchange(self->m_waitingForAuth, {});
        const netclient::ClientStatus outcome = r.ok() ? netclient::ClientStatus{} : netclient::ClientStatus{r.error()};
        for (auto& next : waiting)
            next(outcome);
    });
}

void TwinSession::registerTwin(Bytes signedManifest, netclient::ClientCallback<netclient::Registration> done) {
    if (!needKey([&](netclient::ClientError e) { done(std::move(e)); }))
        return;
    authenticated([this, m = std::move(signedManifest), done](const netclient::ClientStatus& st) mutable {
        if (!st.ok())
            return done(st.error());
        if (!needKey([&](netclient::ClientError e) { done(std::move(e)); }))
            return;
        m_client->registerDt(*m_holder, std::move(m), std::move(done));
    });
}

void TwinSession::recertify(const std::string& dtId, Bytes signedManifest,
                            netclient::ClientCallback<netclient::Registration> done) {
    if (!needKey([&](netclient::ClientError e) { done(std::move(e)); }))
        return;
    authenticated([this, dtId, m = std::move(signedManifest), done](const netclient::ClientStatus& st) mutable {
        if (!st.ok())
            return done(st.error());
        if (!needKey([&](netclient::ClientError e) { done(std::move(e)); }))
            return;
        m_client->recertify(dtId, *m_holder, std::move(m), std::move(done));
    });
}

void TwinSession::rotatePseudonym(const std::string& dtId, Bytes signedManifest,
                                  const std::string& previousPseudonym,
                                  netclient::ClientCallback<netclient::Registration> done) {
    if (!needKey([&](netclient::ClientError e) { done(std::move(e)); }))
        return;
    authenticated([this, dtId, m = std::move(signedManifest), previousPseudonym,
                   done](const netclient::ClientStatus& st) mutable {
        if (!st.ok())
            return done(st.error());
        if (!needKey([&](netclient::ClientError e) { done(std::move(e)); }))
            return;
        m_client->rotatePseudonym(dtId, *m_holder, std::move(m), previousPseudonym, std::move(done));
    });
}

void TwinSession::offerTransfer(const Bytes& credential, const std::string& recipientHandle,
                                std::chrono::seconds ttl,
                                netclient::ClientCallback<netclient::TransferInfo> done) {
    if (!needKey([&](netclient::ClientError e) { done(std::move(e)); }))
        return;
    authenticated([this, credential, recipientHandle, ttl, done](const netclient::ClientStatus& st) mutable {
        if (!st.ok())
            return done(st.error());
        if (!needKey([&](netclient::ClientError e) { done(std::move(e)); }))
            return;
        m_client->offerTransfer(credential, *m_holder, recipientHandle, ttl, std::move(done));
    });
}

void TwinSession::acceptTransfer(const netclient::TransferInfo& offer, const std::string& code,
                                 Bytes signedManifest,
                                 netclient::ClientCallback<netclient::AcceptedTransfer> done) {
    if (!needKey([&](netclient::ClientError e) { done(std::move(e)); }))
        return;
    authenticated([this, offer, code, m = std::move(signedManifest), done](const netclient::ClientStatus& st) mutable {
        if (!st.ok())
            return done(st.error());
        if (!needKey([&](netclient::ClientError e) { done(std::move(e)); }))
            return;
        m_client->acceptTransfer(offer, code, *m_holder, std::move(m), std::move(done));
    });
}

void TwinSession::declineTransfer(const std::string& transferId, const std::string& code,
                                  netclient::ClientCallback<netclient::TransferInfo> done) {
    authenticated([this, transferId, code, done](const netclient::ClientStatus& st) mutable {
        if (!st.ok())
            return done(st.error());
        m_client->declineTransfer(transferId, code, std::move(done));
    });
}

void TwinSession::withdrawTransfer(const std::string& transferId,
                                   netclient::ClientCallback<netclient::TransferInfo> done) {
    authenticated([this, transferId, done](const netclient::ClientStatus& st) mutable {
        if (!st.ok())
            return done(st.error());
        m_client->cancelTransfer(transferId, std::move(done));
    });
}

netclient::AvatarTransfer* TwinSession::uploadAvatar(const std::string& avatarId, const Manifest& manifest,
                                                     const QString& packagePath,
                                                     netclient::ClientCallback<netclient::AvatarRecord> done) {
    return m_client->uploadAvatar(avatarId, manifest, packagePath, std::move(done));
}

void TwinSession::fetchStatusList(netclient::ClientCallback<StatusList> done) {
    m_client->fetchStatusList(std::move(done));
}

void TwinSession::fetchTreeHead(netclient::ClientCallback<SignedTreeHead> done) {
    m_client->fetchTreeHead(std::move(done));
}

void TwinSession::checkConsistency(const SignedTreeHead& older, const SignedTreeHead& newer,
                                   netclient::ClientCallback<ConsistencyProof> done) {
    m_client->checkConsistency(older, newer, std::move(done));
}

void TwinSession::fetchPeerEvidence(const Credential& credential, std::function<void(PeerEvidence)> done) {
    PeerVerifier::fetchEvidence(*m_client, credential, std::move(done));
}

} // namespace twinseal::twin
