// TwinSession: the twin's connection to its home network. It holds the home-network client, the
// unlocked holder key (inside a security::SigningKey, never copied out) and the home network's
// address: one source of truth for it (the owner's override, else the profile's), read by
// whoever needs it instead of being passed around and re-read from profile.usim.
//
// Operations return their results through callbacks on the session's thread. Those that sign
// need the holder key (unlock first: "locked" otherwise); those that change what the home
// network holds authenticate first when no session is held.
#pragma once

#include <QObject>
#include <QString>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include <twinseal/netclient/avatar_transfer.h>
#include <twinseal/netclient/service_client.h>
#include <twinseal/security/manifest.h>
#include <twinseal/security/keys.h>
#include <twinseal/security/subscriber.h>
#include <twinseal/twin/peer_verifier.h>

namespace twinseal::twin {

class TwinStore;

struct SessionOptions {
    QString addressOverride; // the owner's setting; empty: the profile's service URL
    QString statusListCachePath;
    std::chrono::milliseconds requestTimeout{15000};
    const security::Clock* clock = nullptr;
};

class TwinSession : public QObject {
    Q_OBJECT

public:
    TwinSession(security::UsimProfileData profile, QString profilePath, SessionOptions options = {},
                QObject* parent = nullptr);
    ~TwinSession() override;

    // A session for the profile of `store` (profile.usim; the USIM's SQN is saved there).
    [[nodiscard]] static security::Result<std::unique_ptr<TwinSession>>
    open(const TwinStore& store, SessionOptions options = {}, QObject* parent = nullptr);

    [[nodiscard]] netclient::ServiceClient& client() noexcept { return *m_client; }
    [[nodiscard]] const security::UsimProfileData& profile() const noexcept { return m_client->profile(); }

    // ---- the home network's address ----------------------------------------------------------

    [[nodiscard]] QString address() const;
    [[nodiscard]] const QString& addressOverride() const noexcept { return m_options.addressOverride; }
    // Changes the address (empty: back to the profile's). The client is replaced, so the
    // authentication is dropped; addressChanged is emitted when the address differs.
    void setAddressOverride(const QString& url);

    // ---- the holder key --------------------------------------------------------------------

    [[nodiscard]] bool unlocked() const noexcept { return m_holder != nullptr; }
    [[nodiscard]] const security::SigningKey* holderKey() const noexcept { return m_holder.get(); }
    // Opens the encrypted key file: WrongPassphrase, KeyFileCorrupt, IoError. The same
    // passphrase then opens the profile's K and OPc (unlockProfile).
    [[nodiscard]] security::Status unlock(const QString& keyFile, const std::string& passphrase);

    // ---- the USIM profile's K and OPc (sealed under the same passphrase) ----------------------

    // K and OPc are in memory: the session can authenticate.
    [[nodiscard]] bool profileUnlocked() const noexcept { return profile().hasSecrets(); }
    // Opens the profile file's K and OPc with the passphrase (UsimProfileData::loadAndUnlock: one
    // still in clear is sealed and written back). Check the passphrase first (the holder key):
    // a profile in clear accepts any. WrongPassphrase, KeyFileCorrupt, UsimProfileInvalid,
    // IoError. Without a profile file (tests), a profile held in clear is kept as it is.
    [[nodiscard]] security::Status unlockProfile(std::string_view passphrase);
    // What unlockProfile does, without the session (safe off the GUI thread): `current` is the
    // session's profile. The file at `path` is opened (and sealed when in clear); when there is
    // none yet, `current`'s K and OPc (an operator's profile just imported) are sealed and
    // written there. The result holds K and OPc for adoptProfileSecrets.
    [[nodiscard]] static security::Result<security::UsimProfileData>
    openProfileSecrets(const QString& path, const security::UsimProfileData& current,
                       std::string_view passphrase);
    // Takes K and OPc opened elsewhere (off the GUI thread) from a profile of the same SUPI.
    [[nodiscard]] bool adoptProfileSecrets(security::UsimProfileData&& unlocked);
    // Takes a key opened elsewhere (e.g. just generated).
    void adoptKey(security::SigningKey key);
    // Hands the unlocked key to another session (a new profile); this one is then locked.
    [[nodiscard]] std::unique_ptr<security::SigningKey> takeKey();
    // Forgets the holder key and the profile's K and OPc.
    void lock();

    // ---- operations --------------------------------------------------------------------------

    // Runs `next` once authenticated (at once when a session is held); callers asking while an
    // authentication runs wait for it.
    void authenticated(std::function<void(netclient::ClientStatus)> next);
    void registerTwin(security::Bytes signedManifest, netclient::ClientCallback<netclient::Registration> done);
    void recertify(const std::string& dtId, security::Bytes signedManifest,
                   netclient::ClientCallback<netclient::Registration> done);
    void rotatePseudonym(const std::string& dtId, security::Bytes signedManifest,
                         const std::string& previousPseudonym,
                         netclient::ClientCallback<netclient::Registration> done);
    void offerTransfer(const security::Bytes& credential, const std::string& recipientHandle,
                       std::chrono::seconds ttl, netclient::ClientCallback<netclient::TransferInfo> done);
    void acceptTransfer(const netclient::TransferInfo& offer, const std::string& code,
                        security::Bytes signedManifest, netclient::ClientCallback<netclient::AcceptedTransfer> done);
    void declineTransfer(const std::string& transferId, const std::string& code,
                         netclient::ClientCallback<netclient::TransferInfo> done);
    void withdrawTransfer(const std::string& transferId, netclient::ClientCallback<netclient::TransferInfo> done);
    // The certified avatar in `packagePath` (folder or .glb) to the home network's repository
    // (authenticated); the transfer reports progress, or is null when it could not start.
    netclient::AvatarTransfer* uploadAvatar(const std::string& avatarId, const security::Manifest& manifest,
                                            const QString& packagePath,
                                            netclient::ClientCallback<netclient::AvatarRecord> done);
    // The revocation and log evidence of a peer's credential from this home network.
    void fetchPeerEvidence(const security::Credential& credential, std::function<void(PeerEvidence)> done);

    // ---- the home network's public evidence (no authentication; verified with the profile) ----

    // The revocation status list, verified with the profile's issuer key.
    void fetchStatusList(netclient::ClientCallback<security::StatusList> done);
    // The current signed tree head, verified with the profile's log key.
    void fetchTreeHead(netclient::ClientCallback<security::SignedTreeHead> done);
    // The consistency proof between two verified tree heads, checked.
    void checkConsistency(const security::SignedTreeHead& older, const security::SignedTreeHead& newer,
                          netclient::ClientCallback<security::ConsistencyProof> done);

signals:
    void addressChanged();
    void lockedChanged();
    void authenticatedChanged(bool authenticated);

private:
    void makeClient(security::UsimProfileData profile);
    [[nodiscard]] bool needKey(const std::function<void(netclient::ClientError)>& fail) const;

    QString m_profilePath;
    SessionOptions m_options;
    std::unique_ptr<netclient::ServiceClient> m_client;
    std::unique_ptr<security::SigningKey> m_holder;
    std::vector<std::function<void(netclient::ClientStatus)>> m_waitingForAuth;
};

} // namespace twinseal::twin
