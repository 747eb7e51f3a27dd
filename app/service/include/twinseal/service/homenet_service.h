// The home-network DT service's behaviour, independent of HTTP: subscriber authentication
// (SUCI, 5G-AKA, AKMA), DT registration / re-certification / revocation, the signed status
// list, the transparency log and the avatar repository. Every method validates its input and
// refuses with a ServiceError (HTTP status, reason code, message); state changes are atomic.
#pragma once

#include <QByteArray>
#include <QHash>
#include <QString>

#include <cstdint>
#include <memory>
#include <optional>

#include <twinseal/proto/homenet.pb.h>
#include <twinseal/security/clock.h>
#include <twinseal/security/keys.h>
#include <twinseal/security/milenage.h>
#include <twinseal/security/registration.h>
#include <twinseal/security/subscriber.h>
#include <twinseal/security/translog.h>

#include "twinseal/service/config.h"
#include "twinseal/service/operator_keys.h"
#include "twinseal/service/service_error.h"
#include "twinseal/service/store.h"

namespace twinseal::service {

// Who a request comes from, once its Authorization header has been checked.
struct Caller {
    QString supi;     // set for an AKMA-authenticated subscriber
    QString aKid;
    QString grantAvatarId; // set for a bearer of an avatar access grant
    [[nodiscard]] bool subscriber() const { return !supi.isEmpty(); }
};

struct SubscriberProfileRequest {
    QString supi;       // imsi-...
    int mncLength = 2;
    QString name, role, organisation, licenceId;
    QString routingIndicator = QStringLiteral("0");
    QString serviceUrl; // written into the profile
};

class HomenetService {
public:
    HomenetService(ServiceConfig config, Store& store, const OperatorKeys& keys,
                   const security::Clock& clock, security::Random& rng);
    ~HomenetService();

    // Loads the log into memory and checks it; call once before serving.
    [[nodiscard]] ServiceStatus start();
    [[nodiscard]] const ServiceConfig& config() const noexcept { return m_config; }

    // ---- administration (twinseal-homenet subscriber add / dt revoke)
    [[nodiscard]] ServiceResult<security::UsimProfileData> addSubscriber(
        const SubscriberProfileRequest& request);
    [[nodiscard]] ServiceResult<proto::DtInfo> adminRevoke(const QString& dtId,
                                                           const QString& reason);
    [[nodiscard]] ServiceResult<proto::DtList> adminList();
    // Records that the home network disclosed identity attributes of DT `dtId` to an authority
    // (twinseal-homenet disclosure record; homenet_privacy.cpp). Only the DT's owner sees it.
    [[nodiscard]] ServiceResult<proto::LawfulDisclosure>
    recordLawfulDisclosure(const proto::LawfulDisclosure& request);
    // Operator-side: the SUCI key and TLS CA written into every profile.
    void setPublicUrl(const QString& url) { m_config.publicUrl = url; }

    // ---- authentication
    [[nodiscard]] ServiceResult<proto::AuthChallenge> authStart(const proto::AuthStartRequest& r);
    [[nodiscard]] ServiceResult<proto::AuthChallenge> authResync(const proto::AuthResyncRequest& r);
    [[nodiscard]] ServiceResult<proto::AuthResult> authFinish(const proto::AuthFinishRequest& r);
    // Checks an Authorization header for the request (AKMA MAC, window, nonce; or a grant).
    [[nodiscard]] ServiceResult<Caller> authenticate(const QByteArray& authorization,
                                                     const QByteArray& method,
                                                     const QByteArray& pathAndQuery,
                                                     const QByteArray& body);

    // ---- digital twins
    [[nodiscard]] ServiceResult<proto::RegistrationResponse> registerDt(const Caller& caller,
                                                                        const QByteArray& body);
    [[nodiscard]] ServiceResult<proto::RegistrationResponse> recertify(const Caller& caller,
                                                                       const QByteArray& body);
    // A fresh credential with a new pseudonym for the same DT, holder key and media (the
    // request is a RegistrationBody with purpose "rotate-pseudonym" signed by the current
    // holder key); the old credential is superseded and the issuance logged.
    [[nodiscard]] ServiceResult<proto::RegistrationResponse> rotatePseudonym(const Caller& caller,
                                                                             const QByteArray& body);
    // The lawful disclosures about the caller's DTs (homenet_privacy.cpp).
    [[nodiscard]] ServiceResult<proto::LawfulDisclosureList> lawfulDisclosures(const Caller& caller);
    [[nodiscard]] ServiceResult<proto::DtInfo> revoke(const Caller& caller,
                                                      const proto::RevokeRequest& r);
    [[nodiscard]] ServiceResult<proto::DtList> listDts(const Caller& caller);
    // Every log entry of a DT with inclusion proofs in one signed tree head: for its current
    // owner and for every subscriber who owned it before (and transferred it away).
    [[nodiscard]] ServiceResult<proto::DtHistory> dtHistory(const Caller& caller,
                                                            const QString& dtId);
    // The caller's transfer handle and active DT.
    [[nodiscard]] ServiceResult<proto::SubscriberInfo> me(const Caller& caller);

    // ---- ownership transfer (security/transfer.h)
    // body: a Signed TransferOfferBody envelope from the DT's owner.
    [[nodiscard]] ServiceResult<proto::TransferInfo> offerTransfer(const Caller& caller,
                                                                   const QByteArray& body);
    [[nodiscard]] ServiceResult<proto::TransferList> listTransfers(const Caller& caller);
    [[nodiscard]] ServiceResult<proto::TransferInfo> transferInfo(const Caller& caller,
                                                                  const QString& transferId);
    [[nodiscard]] ServiceResult<proto::TransferInfo>
    transferByCode(const Caller& caller, const proto::TransferCodeRequest& r);
    [[nodiscard]] ServiceResult<proto::TransferResult>
    acceptTransfer(const Caller& caller, const QString& transferId,
                   const proto::TransferAcceptRequest& r);
    [[nodiscard]] ServiceResult<proto::TransferInfo>
    declineTransfer(const Caller& caller, const QString& transferId,
                    const proto::TransferCodeRequest& r);
    [[nodiscard]] ServiceResult<proto::TransferInfo> cancelTransfer(const Caller& caller,
                                                                    const QString& transferId);
    // The accepted transfer's log entry with its inclusion proof in the current tree: for both
    // parties.
    [[nodiscard]] ServiceResult<proto::LogInclusionResponse>
    transferReceipt(const Caller& caller, const QString& transferId);

    // ---- status list and log (public)
    [[nodiscard]] ServiceResult<QByteArray> statusList();
    // Seconds a verifier (or an HTTP cache) may keep the list statusList() last returned before
    // it is due for a refresh: what is left of its TTL.
    [[nodiscard]] qint64 statusListMaxAge() const;
    [[nodiscard]] ServiceResult<QByteArray> treeHead();
    [[nodiscard]] ServiceResult<proto::LogInclusionResponse> inclusion(quint64 index, quint64 size);
    [[nodiscard]] ServiceResult<proto::LogInclusionResponse>
    inclusionByCredential(const QByteArray& digest, quint64 size);
    [[nodiscard]] ServiceResult<proto::ConsistencyProof> consistency(quint64 first, quint64 second);
    [[nodiscard]] ServiceResult<proto::ServiceInfo> info();

    // ---- avatar repository
    [[nodiscard]] ServiceResult<proto::AvatarInfo> putChunk(const Caller& caller,
                                                            const QString& avatarId, int file,
                                                            quint64 chunk, const QByteArray& data);
    [[nodiscard]] ServiceResult<proto::AvatarInfo> avatarInfo(const Caller& caller,
                                                              const QString& avatarId);
    [[nodiscard]] ServiceResult<proto::AvatarInfo> avatarInfoByRoot(const Caller& caller,
                                                                    const QByteArray& root);
    struct FileStream {
        QByteArray mediaRoot;
        int fileIndex = 0;
        quint64 size = 0;
        quint64 chunks = 0;
        QString path;
    };
    // Checks access and completeness; the bytes are then read chunk by chunk with readChunk.
    [[nodiscard]] ServiceResult<FileStream> openFile(const Caller& caller, const QString& avatarId,
                                                     int file);
    [[nodiscard]] ServiceResult<QByteArray> readChunk(const FileStream& f, quint64 chunk);
    [[nodiscard]] ServiceResult<proto::AccessGrant> createGrant(const Caller& caller,
                                                                const QString& avatarId,
                                                                const proto::GrantRequest& r);

    [[nodiscard]] quint64 logSizeInMemory() const;

private:
    struct LogAppend {
        quint64 index = 0;
        QByteArray entry;
    };
    struct Issued; // a freshly issued credential (homenet_service.cpp)
    [[nodiscard]] ServiceStatus syncLog();
    // Public log entries name the DT and the credential digest, never the subscriber: no
    // binding, nothing derived from the SUPI, no free text.
    [[nodiscard]] ServiceResult<LogAppend> appendLog(security::LogEntryType type,
                                                     const QString& dtId,
                                                     const QByteArray& credentialDigest,
                                                     const QByteArray& details);
    [[nodiscard]] ServiceResult<proto::RegistrationResponse>
    issue(const Caller& caller, const QByteArray& body, security::RegistrationPurpose purpose);
    // Inside a write transaction: allocates a status index and issues a credential to
    // subscriber `s`, to be logged at the next log index.
    [[nodiscard]] ServiceResult<Issued> issueFor(const SubscriberRecord& s, const std::string& dtId,
                                                 const std::string& avatarId,
                                                 const security::PublicKey& holderKey,
                                                 const security::Digest& mediaRoot,
                                                 std::uint32_t generation, qint64 now);
    // After the commit: a receipt for an appended entry in the current tree.
    [[nodiscard]] ServiceResult<proto::LogReceipt> receiptFor(const LogAppend& appended);
    [[nodiscard]] ServiceStatus bumpStatusRevision();
    // Signs and caches a new publication of the status list under the next persisted sequence.
    [[nodiscard]] ServiceResult<QByteArray> publishStatusList(qint64 now);
    // Inside a write transaction: the subscriber's transfer handle, created if missing.
    [[nodiscard]] ServiceResult<QString> handleFor(const QString& supi);
    // Inside a write transaction, for a transfer the caller acts on as its recipient (accept,
    // decline): the caller is the addressee or presents the offer's code.
    [[nodiscard]] ServiceStatus checkRecipient(const Caller& caller, const TransferOfferRecord& t,
                                               const std::string& code);
    // Inside a write transaction: refuses a transfer that is no longer pending (an expired one
    // is marked so, and committed).
    [[nodiscard]] ServiceStatus checkPending(TransferOfferRecord& t, Store::Transaction& tx);
    [[nodiscard]] ServiceResult<proto::TransferInfo>
    describeTransfer(const TransferOfferRecord& t, const QString& callerSupi, bool withManifest);
    [[nodiscard]] ServiceStatus backfill();
    [[nodiscard]] ServiceResult<proto::DtInfo> revokeRecord(security::LogEntryType type,
                                                            const QString& dtId,
                                                            const QString& reason,
                                                            const QString& requiredSupi);
    [[nodiscard]] ServiceResult<proto::AuthChallenge> challengeFor(const SubscriberRecord& s,
                                                                   quint64 sqn,
                                                                   const QString& routingIndicator);
    [[nodiscard]] ServiceResult<security::SignedTreeHead> signedHead(quint64 size);
    [[nodiscard]] ServiceResult<security::Milenage> milenageFor(const SubscriberRecord& s) const;
    // An authentication session that can still be answered, with its subscriber.
    [[nodiscard]] ServiceResult<std::pair<AuthSessionRecord, SubscriberRecord>>
    pendingSession(const std::string& authId);
    [[nodiscard]] ServiceResult<proto::AvatarInfo> describeAvatar(const DtRecord& dt);
    [[nodiscard]] ServiceStatus checkAvatarAccess(const Caller& caller, const DtRecord& dt);
    [[nodiscard]] ServiceError storageError(const security::Error& e) const;
    [[nodiscard]] QString statusListUri() const;
    void maybePurge();

    ServiceConfig m_config;
    Store& m_store;
    const OperatorKeys& m_keys;
    const security::Clock& m_clock;
    security::Random& m_rng;
    security::MerkleLog m_log;
    std::vector<security::Certificate> m_issuerChain;
    // cached publications
    qint64 m_statusRevision = -1;
    qint64 m_statusSize = -1;
    qint64 m_statusIssuedAt = 0;
    QByteArray m_statusBytes;
    quint64 m_headSize = ~quint64{0};
    qint64 m_headAt = 0;
    QByteArray m_headBytes;
    qint64 m_lastPurge = 0;
};

} // namespace twinseal::service
