// Asynchronous client of the home-network DT service (twinseal-homenet; the protocol is
// security/proto/homenet.proto): subscriber authentication (SUCI, 5G-AKA, AKMA), DT
// registration and re-certification, revocation, the transparency log, the status list and the
// avatar repository.
//
// Everything runs on the thread that owns the client, through QNetworkAccessManager: nothing
// blocks the event loop. Transport is HTTPS with TLS 1.3 only, trusting only the CA certificate
// of the USIM profile. Each operation takes a callback that is called exactly once, later, on
// the client's thread (dropped if the client is destroyed before).
//
// Secrets: K and OPc stay in the profile's SecureBytes, K_AF in the client's session; none of
// them is ever put into a QString, a QSettings or a log line.
#pragma once

#include <QByteArray>
#include <QObject>
#include <QString>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <twinseal/netclient/client_error.h>
#include <twinseal/netclient/client_types.h>
#include <twinseal/security/audit_anchor.h>
#include <twinseal/security/clock.h>
#include <twinseal/security/keys.h>
#include <twinseal/security/manifest.h>
#include <twinseal/security/registration.h>
#include <twinseal/security/statuslist.h>
#include <twinseal/security/subscriber.h>
#include <twinseal/security/translog.h>

namespace twinseal::netclient {

class AvatarTransfer;
namespace detail {
class StatusListCache;
class Transport;
} // namespace detail

// How fetchStatusList() treats a cached list.
enum class StatusListFetch {
    WhenDue,   // from the cache while it is fresh and not due for a refresh
    Refresh,   // always from the home network
    // Asked of the home network every time, conditionally: while the list it publishes is the
    // one already held (its entity tag), it answers 304 Not Modified without a body and the
    // held list is answered. Cheap enough to poll every few seconds during a call.
    IfChanged,
};

struct ServiceClientOptions {
    // A request fails with "timeout" when nothing is sent or received for this long.
    std::chrono::milliseconds requestTimeout{15000};
    // Avatar upload: chunk requests in flight at once.
    int maxChunksInFlight = 3;
    // The home network's address when it differs from the profile's (the owner's setting);
    // the profile, which is saved with the USIM's SQN, is left as it is.
    std::string serviceUrlOverride;
    // Where the verified revocation status list is kept between runs (e.g. a file in the data
    // folder). When set, fetchStatusList() answers from it until the list is due for a refresh
    // (its TTL) and this file survives restarts, so an older list is refused even after one.
    // Empty: the list is fetched on every call (an older one than this client saw is still
    // refused).
    QString statusListCachePath;
    // Injected time and randomness (tests); null for the system clock and OpenSSL's CSPRNG.
    // Both must outlive the client.
    const security::Clock* clock = nullptr;
    security::Random* random = nullptr;
};

class ServiceClient : public QObject {
    Q_OBJECT

public:
    // `profilePath` is where the profile was loaded from: the USIM's highest accepted SQN is
    // saved there (atomically) every time an AUTN is accepted, before RES* is sent. An empty
    // path keeps the SQN in memory only (tests).
    ServiceClient(security::UsimProfileData profile, QString profilePath,
                  QObject* parent = nullptr);
    ServiceClient(security::UsimProfileData profile, QString profilePath,
                  ServiceClientOptions options, QObject* parent = nullptr);
    ~ServiceClient() override;

    ServiceClient(const ServiceClient&) = delete;
    ServiceClient& operator=(const ServiceClient&) = delete;

    [[nodiscard]] const security::UsimProfileData& profile() const noexcept { return m_profile; }
    [[nodiscard]] const QString& profilePath() const noexcept { return m_profilePath; }
    // K and OPc of a sealed profile, opened with the owner's passphrase (UsimProfileData::
    // loadAndUnlock): taken from `unlocked` (same SUPI) with its sealed form, so the SQN is saved
    // sealed from now on. Until then authenticate() fails with "profile-locked".
    [[nodiscard]] bool adoptSecrets(security::UsimProfileData&& unlocked);
    // Cleanses K and OPc (a held session stays until it expires or signOut()).
    void forgetSecrets() noexcept { m_profile.forgetSecrets(); }

    // True while an AKMA session is held and has not expired.
    [[nodiscard]] bool isAuthenticated() const;
    // The session's A-KID (empty when not authenticated).
    [[nodiscard]] std::string aKid() const;
    // Forgets the session (K_AF is cleansed).
    void signOut();

    void setRequestTimeout(std::chrono::milliseconds timeout);
    [[nodiscard]] std::chrono::milliseconds requestTimeout() const;

    // ---- subscriber authentication ----------------------------------------------------------

    // SUCI -> AuthChallenge -> USIM checks (resynchronises once if its SQN is stale) -> RES* ->
    // A-KID, checked against the locally derived AKMA session. Errors: "serving-network-mismatch",
    // "aka-mac-failure" (the network failed to authenticate itself), "aka-sync-failure",
    // "akma-mismatch", "profile-save-failed", "auth-in-progress" and the service's codes.
    void authenticate(ClientCallback<AuthSession> done);

    // ---- DTs (AKMA-authenticated) ----------------------------------------------------------

    // Registers a DT for the holder key and the holder-signed manifest envelope. The request is
    // signed with `holderKey` before this returns (the key need not outlive the call). The
    // result is verified (see Registration); errors: "not-authenticated", "manifest-invalid",
    // "key-mismatch", "credential-invalid", "credential-untrusted", "log-proof-invalid", and
    // the service's codes (e.g. "duplicate-dt").
    void registerDt(const security::SigningKey& holderKey, security::Bytes signedManifest,
                    ClientCallback<Registration> done);
    // Re-certifies DT `dtId` with new media (and possibly a new holder key).
    void recertify(const std::string& dtId, const security::SigningKey& holderKey,
                   security::Bytes signedManifest, ClientCallback<Registration> done);
    void revoke(const std::string& dtId, const std::string& reason, ClientCallback<DtRecord> done);

    // ---- privacy (AKMA-authenticated; homenet_privacy.cpp) ------------------------------------

    // A fresh credential with a new pseudonym for DT `dtId` (DESIGN §7): signed with the DT's
    // current `holderKey` (proof of possession) over its current holder-signed manifest
    // envelope. Verified like a re-certification, and the pseudonym must differ from
    // `previousPseudonym` (when given). Errors: those of recertify, "pseudonym-not-rotated",
    // and the service's ("holder-key-mismatch", "media-changed", "unknown-dt", ...).
    void rotatePseudonym(const std::string& dtId, const security::SigningKey& holderKey,
                         security::Bytes signedManifest, const std::string& previousPseudonym,
                         ClientCallback<Registration> done);
    // The lawful disclosures the home network recorded about the caller's DTs, newest first.
    // Each is checked against the transparency log (LawfulDisclosure::verified); every one is
    // listed, verified or not.
    void listLawfulDisclosures(ClientCallback<LawfulDisclosureList> done);
    void listDts(ClientCallback<std::vector<DtRecord>> done);
    // Every log entry of DT `dtId` (for its current owner and its previous owners), each proven
    // included in one signed tree head of the profile's log, forming one chain from the issuance
    // (see DtHistory). Errors: "log-proof-invalid", "tree-head-invalid", "unknown-dt", ...
    void dtHistory(const std::string& dtId, ClientCallback<DtHistory> done);

    // ---- the activity log's anchor mirror (AKMA-authenticated; service_client_audit.cpp) ------

    // Hands the home network the anchor's checkpoint (counter >= 1), which it keeps when later
    // than the one it holds. The answer (what it now holds) is checked with the anchor's audit
    // key. Errors: "invalid-argument", "response-malformed", and the service's
    // ("audit-anchor-rollback" when it holds a later checkpoint of this log,
    // "audit-anchor-mismatch" for another checkpoint under the same counter or another key).
    void mirrorAuditAnchor(const security::AuditAnchor& anchor,
                           ClientCallback<AuditAnchorMirror> done);
    // What the home network holds of activity log `logId` (its checkpoint verified with
    // `auditKey`); nullopt when it holds nothing for it.
    void fetchAuditAnchor(const std::string& logId, const security::PublicKey& auditKey,
                          ClientCallback<std::optional<AuditAnchorMirror>> done);

    // ---- ownership transfer (AKMA-authenticated; homenet_transfers.cpp) ------------------------

    // The caller's transfer handle (what others need to offer them a DT) and active DT.
    void me(ClientCallback<SubscriberInfo> done);
    // Offers the DT whose current credential is `credential` (Registration::credentialBytes or
    // DtRecord::credential) to the subscriber with transfer handle `recipientHandle`; when that
    // is empty, to whoever presents the one-time transfer code in the answer (shown only there).
    // The offer is signed with `holderKey`, the credential's holder key, before this returns.
    // It can be accepted for `ttl` (1 minute to 7 days). Errors: "not-authenticated",
    // "invalid-argument", "key-mismatch", and the service's ("recipient-unknown",
    // "cannot-transfer-to-self", "offer-stale", "transfer-already-pending", "dt-not-active", ...).
    void offerTransfer(const security::Bytes& credential, const security::SigningKey& holderKey,
                       const std::string& recipientHandle, std::chrono::seconds ttl,
                       ClientCallback<TransferInfo> done);
    // The caller's outgoing and incoming offers: all open ones and those finished in the last 30
    // days, newest first.
    void listTransfers(ClientCallback<std::vector<TransferInfo>> done);
    // One offer the caller made or that is addressed to the caller (with the offered manifest
    // while it is open).
    void fetchTransfer(const std::string& transferId, ClientCallback<TransferInfo> done);
    // The offer a one-time transfer code stands for (with the offered manifest while open).
    void lookupTransferCode(const std::string& code, ClientCallback<TransferInfo> done);
    // Accepts `offer` (from fetchTransfer, lookupTransferCode or listTransfers) with a new holder
    // key and a manifest of the offered avatar signed with it (e.g. the offered manifest
    // re-signed: security::signManifest). `code`: the transfer code of a code-based offer. The
    // acceptance is signed before this returns. The answer is verified like a registration, and
    // its log entry must record this offer and this acceptance. Errors: "not-authenticated",
    // "manifest-invalid", "key-mismatch", "media-mismatch", "credential-invalid",
    // "log-proof-invalid", and the service's ("duplicate-dt", "offer-expired", "offer-stale",
    // "not-offer-recipient", "transfer-code-invalid", "transfer-not-pending", ...).
    void acceptTransfer(const TransferInfo& offer, const std::string& code,
                        const security::SigningKey& newHolderKey,
                        security::Bytes recipientSignedManifest,
                        ClientCallback<AcceptedTransfer> done);
    // The recipient declines (`code` for a code-based offer), the owner cancels; only while the
    // offer is open.
    void declineTransfer(const std::string& transferId, const std::string& code,
                         ClientCallback<TransferInfo> done);
    void cancelTransfer(const std::string& transferId, ClientCallback<TransferInfo> done);
    // The receipt of an accepted transfer, for either party: its log entry proven included in the
    // current tree, both signatures verified.
    void transferReceipt(const std::string& transferId, ClientCallback<TransferReceipt> done);

    // ---- public, verified information ------------------------------------------------------

    // The signed status list, verified with the profile's status-list key and fresh now. With a
    // status-list cache (ServiceClientOptions::statusListCachePath) a cached list is answered
    // until it is due for a refresh, unless `fetch` is Refresh; revocations and re-certifications
    // made through this client refresh it too. A fetched list older than the one seen before
    // is refused ("status-list-rollback"), so is a second, different list under one sequence
    // ("status-list-mismatch"); errors also "status-list-invalid" and transport failures.
    void fetchStatusList(ClientCallback<security::StatusList> done);
    void fetchStatusList(StatusListFetch fetch, ClientCallback<security::StatusList> done);
    // The current signed tree head, verified with the profile's log key.
    void fetchTreeHead(ClientCallback<security::SignedTreeHead> done);
    // Entry `index` with its inclusion proof in the tree of `treeSize` entries; the tree head's
    // signature and the proof are verified. treeSize 0: the current tree (fetched first).
    void fetchInclusion(std::uint64_t index, std::uint64_t treeSize,
                        ClientCallback<security::LogReceipt> done);
    // The same, found by the credential digest (Credential::digest()).
    void fetchInclusionByCredential(const security::Digest& credentialDigest,
                                    std::uint64_t treeSize,
                                    ClientCallback<security::LogReceipt> done);
    // The consistency proof between tree sizes `first` and `second` (shape checked only).
    void fetchConsistency(std::uint64_t first, std::uint64_t second,
                          ClientCallback<security::ConsistencyProof> done);
    // Proves that `newer` extends `older` (both verified tree heads of the profile's log):
    // fetches the proof when needed and verifies it. "consistency-proof-invalid" otherwise.
    void checkConsistency(const security::SignedTreeHead& older,
                          const security::SignedTreeHead& newer,
                          ClientCallback<security::ConsistencyProof> done);
    void fetchInfo(ClientCallback<ServiceInfo> done);

    // ---- avatar repository (avatar_transfer.cpp) -------------------------------------------

    // Uploads the package's chunks (AKMA, owner): each chunk is read from disk when it is sent
    // and checked against the manifest first, a few requests in flight; then confirms the
    // repository holds the complete avatar. `packagePath` is the folder (or the single .glb)
    // the manifest was built from. The returned transfer reports progress and can be
    // cancelled; it deletes itself after `done` ran (keep it in a QPointer).
    AvatarTransfer* uploadAvatar(const std::string& avatarId, const security::Manifest& manifest,
                                 const QString& packagePath, ClientCallback<AvatarRecord> done);
    // A grant for a peer to fetch the avatar (AKMA, owner).
    void createGrant(const std::string& avatarId, std::uint64_t ttlSeconds,
                     ClientCallback<AccessGrant> done);
    // The repository's record of an avatar (by request.avatarId or request.mediaRoot), without
    // downloading the files.
    void fetchAvatarInfo(const AvatarFetchRequest& request, ClientCallback<AvatarRecord> done);
    // Downloads and verifies an avatar as it streams in: the manifest's signature, the expected
    // media root (required) and holder key (when given), then every chunk of every file against
    // it; the first bad chunk stops the transfer with "media-mismatch" naming file and chunk.
    // Files are written under request.destination (only completely verified files are kept).
    AvatarTransfer* fetchAvatar(const AvatarFetchRequest& request,
                                ClientCallback<FetchedAvatar> done);

signals:
    void authenticatedChanged(bool authenticated);

private:
    friend class AvatarTransfer;
    struct AuthFlow; // the authentication exchange (homenet_client.cpp)

    void startRegistration(security::RegistrationPurpose purpose, const std::string& dtId,
                           const security::SigningKey& holderKey, security::Bytes signedManifest,
                           ClientCallback<Registration> done);
    // POST /v1/transfers/{id}/{action} (decline, cancel): the transfer as it now is, which must
    // be this one in `state`.
    void answerTransfer(const std::string& transferId, const char* action, QByteArray body,
                        const std::string& what, const std::string& state,
                        ClientCallback<TransferInfo> done);
    void fetchInclusionAt(const std::string& pathPrefix, std::uint64_t treeSize,
                          std::function<ClientStatus(const security::LogReceipt&)> check,
                          ClientCallback<security::LogReceipt> done);
    void sessionRejected();
    [[nodiscard]] std::int64_t now() const;

    security::UsimProfileData m_profile;
    QString m_profilePath;
    ServiceClientOptions m_options;
    std::unique_ptr<detail::Transport> m_transport;
    std::unique_ptr<detail::StatusListCache> m_statusLists;
    QByteArray m_statusListTag; // the entity tag of the list m_statusLists holds (IfChanged)
    bool m_authInProgress = false;
};

} // namespace twinseal::netclient
