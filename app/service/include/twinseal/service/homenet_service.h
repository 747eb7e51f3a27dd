// The home-network DT service's behaviour, independent of HTTP: a thin facade that wires its
// parts together and keeps one API for the HTTPS front end, the runner and the administration
// commands. Each part has one job (its own header): subscriber authentication (SUCI, 5G-AKA,
// AKMA, request authentication), the transparency log, the status-list publisher, the twin
// registry, the avatar repository, ownership transfers and lawful disclosures. Every method
// validates its input and refuses with a ServiceError (HTTP status, reason code, message);
// state changes are atomic.
#pragma once

#include <QByteArray>
#include <QString>

#include <optional>
#include <vector>

#include <twinseal/proto/homenet.pb.h>
#include <twinseal/security/clock.h>

#include "twinseal/service/anomaly_monitor.h"
#include "twinseal/service/audit_anchor_mirror.h"
#include "twinseal/service/avatar_repository.h"
#include "twinseal/service/call_admission.h"
#include "twinseal/service/call_rooms.h"
#include "twinseal/service/config.h"
#include "twinseal/service/credential_issuer.h"
#include "twinseal/service/lawful_disclosures.h"
#include "twinseal/service/operator_keys.h"
#include "twinseal/service/ownership_transfers.h"
#include "twinseal/service/request_outcomes.h"
#include "twinseal/service/service_context.h"
#include "twinseal/service/service_error.h"
#include "twinseal/service/status_list_publisher.h"
#include "twinseal/service/store.h"
#include "twinseal/service/subscriber_auth.h"
#include "twinseal/service/transfer_handles.h"
#include "twinseal/service/transparency_log.h"
#include "twinseal/service/twin_registry.h"

namespace twinseal::service {

class HomenetService {
public:
    HomenetService(ServiceConfig config, Store& store, const OperatorKeys& keys,
                   const security::Clock& clock, security::Random& rng);
    HomenetService(const HomenetService&) = delete;
    HomenetService& operator=(const HomenetService&) = delete;

    // Loads the log into memory and checks it; call once before serving.
    [[nodiscard]] ServiceStatus start();
    [[nodiscard]] const ServiceConfig& config() const noexcept { return m_ctx.config; }
    [[nodiscard]] qint64 now() const { return m_ctx.clock.now(); }
    // The URL written into new profiles when a request names none.
    void setPublicUrl(const QString& url) { m_ctx.config.publicUrl = url; }

    // The parts, for callers that need only one job.
    [[nodiscard]] SubscriberAuth& subscribers() { return m_auth; }
    [[nodiscard]] TransparencyLog& log() { return m_log; }
    [[nodiscard]] StatusListPublisher& statusLists() { return m_status; }
    [[nodiscard]] TwinRegistry& registry() { return m_registry; }
    [[nodiscard]] AvatarRepository& avatars() { return m_avatars; }
    [[nodiscard]] OwnershipTransfers& transfers() { return m_transfers; }
    [[nodiscard]] LawfulDisclosures& disclosures() { return m_disclosures; }
    [[nodiscard]] CallRooms& calls() { return m_calls; }

    // ---- administration (twinseal-homenet subscriber add / dt revoke / disclosure record)
    [[nodiscard]] ServiceResult<security::UsimProfileData>
    addSubscriber(const SubscriberProfileRequest& request) {
        return m_auth.addSubscriber(request);
    }
    [[nodiscard]] ServiceResult<proto::DtInfo> adminRevoke(const QString& dtId,
                                                           const QString& reason) {
        return m_registry.adminRevoke(dtId, reason);
    }
    [[nodiscard]] ServiceResult<proto::DtList> adminList() { return m_registry.adminList(); }
    [[nodiscard]] ServiceResult<proto::LawfulDisclosure>
    recordLawfulDisclosure(const proto::LawfulDisclosure& request,
                           std::optional<qint64> delay = std::nullopt) {
        return m_disclosures.record(request, delay);
    }

    // ---- authentication
    // `source`: the client's address (its own start limit); empty in process.
    [[nodiscard]] ServiceResult<proto::AuthChallenge> authStart(const proto::AuthStartRequest& r,
                                                                const QByteArray& source = {}) {
        return m_auth.authStart(r, source);
    }
    [[nodiscard]] ServiceResult<proto::AuthChallenge>
    authResync(const proto::AuthResyncRequest& r) {
        return m_auth.authResync(r);
    }
    [[nodiscard]] ServiceResult<proto::AuthResult> authFinish(const proto::AuthFinishRequest& r) {
        return m_auth.authFinish(r);
    }
    [[nodiscard]] ServiceResult<Caller> authenticate(const QByteArray& authorization,
                                                     const QByteArray& method,
                                                     const QByteArray& pathAndQuery,
                                                     const QByteArray& body,
                                                     bool recordOutcome = false) {
        return m_auth.authenticate(authorization, method, pathAndQuery, body, recordOutcome);
    }
    [[nodiscard]] RequestOutcomes& outcomes() { return m_outcomes; }

    // ---- digital twins
    [[nodiscard]] ServiceResult<proto::RegistrationResponse> registerDt(const Caller& caller,
                                                                        const QByteArray& body) {
        return m_registry.registerDt(caller, body);
    }
    [[nodiscard]] ServiceResult<proto::RegistrationResponse> recertify(const Caller& caller,
                                                                       const QByteArray& body) {
        return m_registry.recertify(caller, body);
    }
    [[nodiscard]] ServiceResult<proto::RegistrationResponse>
    rotatePseudonym(const Caller& caller, const QByteArray& body) {
        return m_registry.rotatePseudonym(caller, body);
    }
    [[nodiscard]] ServiceResult<proto::LawfulDisclosureList>
    lawfulDisclosures(const Caller& caller) {
        return m_disclosures.of(caller);
    }
    [[nodiscard]] ServiceResult<proto::DtInfo> revoke(const Caller& caller,
                                                      const proto::RevokeRequest& r) {
        return m_registry.revoke(caller, r);
    }
    [[nodiscard]] ServiceResult<proto::DtList> listDts(const Caller& caller) {
        return m_registry.listDts(caller);
    }
    [[nodiscard]] ServiceResult<proto::DtHistory> dtHistory(const Caller& caller,
                                                            const QString& dtId) {
        return m_registry.dtHistory(caller, dtId);
    }
    [[nodiscard]] ServiceResult<proto::SubscriberInfo> me(const Caller& caller) {
        return m_registry.me(caller);
    }

    // ---- the activity logs' anchor mirror
    [[nodiscard]] ServiceResult<proto::AuditAnchorMirror>
    putAuditAnchor(const Caller& caller, const QString& logId, const proto::AuditAnchorMirror& r) {
        return m_auditAnchors.put(caller, logId, r);
    }
    [[nodiscard]] ServiceResult<proto::AuditAnchorMirror> auditAnchor(const Caller& caller,
                                                                      const QString& logId) {
        return m_auditAnchors.get(caller, logId);
    }

    // ---- ownership transfer
    [[nodiscard]] ServiceResult<proto::TransferInfo> offerTransfer(const Caller& caller,
                                                                   const QByteArray& body) {
        return m_transfers.offerTransfer(caller, body);
    }
    [[nodiscard]] ServiceResult<proto::TransferList> listTransfers(const Caller& caller) {
        return m_transfers.listTransfers(caller);
    }
    [[nodiscard]] ServiceResult<proto::TransferInfo> transferInfo(const Caller& caller,
                                                                  const QString& transferId) {
        return m_transfers.transferInfo(caller, transferId);
    }
    [[nodiscard]] ServiceResult<proto::TransferInfo>
    transferByCode(const Caller& caller, const proto::TransferCodeRequest& r) {
        return m_transfers.transferByCode(caller, r);
    }
    [[nodiscard]] ServiceResult<proto::TransferResult>
    acceptTransfer(const Caller& caller, const QString& transferId,
                   const proto::TransferAcceptRequest& r) {
        return m_transfers.acceptTransfer(caller, transferId, r);
    }
    [[nodiscard]] ServiceResult<proto::TransferInfo>
    declineTransfer(const Caller& caller, const QString& transferId,
                    const proto::TransferCodeRequest& r) {
        return m_transfers.declineTransfer(caller, transferId, r);
    }
    [[nodiscard]] ServiceResult<proto::TransferInfo> cancelTransfer(const Caller& caller,
                                                                    const QString& transferId) {
        return m_transfers.cancelTransfer(caller, transferId);
    }
    [[nodiscard]] ServiceResult<proto::LogInclusionResponse>
    transferReceipt(const Caller& caller, const QString& transferId) {
        return m_transfers.transferReceipt(caller, transferId);
    }

    // ---- status list and log (public)
    [[nodiscard]] ServiceResult<QByteArray> statusList() { return m_status.statusList(); }
    [[nodiscard]] qint64 statusListMaxAge() const { return m_status.maxAge(); }
    [[nodiscard]] ServiceResult<QByteArray> treeHead() { return m_log.treeHead(); }
    [[nodiscard]] ServiceResult<proto::LogInclusionResponse> inclusion(quint64 index,
                                                                       quint64 size) {
        return m_log.inclusion(index, size);
    }
    [[nodiscard]] ServiceResult<proto::LogInclusionResponse>
    inclusionByCredential(const QByteArray& digest, quint64 size) {
        return m_log.inclusionByCredential(digest, size);
    }
    [[nodiscard]] ServiceResult<proto::ConsistencyProof> consistency(quint64 first,
                                                                     quint64 second) {
        return m_log.consistency(first, second);
    }
    [[nodiscard]] ServiceResult<proto::ServiceInfo> info();

    // ---- avatar repository
    using FileStream = AvatarRepository::FileStream;
    [[nodiscard]] ServiceResult<proto::AvatarInfo> putChunk(const Caller& caller,
                                                            const QString& avatarId, int file,
                                                            quint64 chunk, const QByteArray& data) {
        return m_avatars.putChunk(caller, avatarId, file, chunk, data);
    }
    [[nodiscard]] ServiceResult<proto::AvatarInfo> avatarInfo(const Caller& caller,
                                                              const QString& avatarId) {
        return m_avatars.avatarInfo(caller, avatarId);
    }
    [[nodiscard]] ServiceResult<proto::AvatarInfo> avatarInfoByRoot(const Caller& caller,
                                                                    const QByteArray& root) {
        return m_avatars.avatarInfoByRoot(caller, root);
    }
    [[nodiscard]] ServiceResult<FileStream> openFile(const Caller& caller, const QString& avatarId,
                                                     int file) {
        return m_avatars.openFile(caller, avatarId, file);
    }
    [[nodiscard]] ServiceResult<QByteArray> readChunk(const FileStream& f, quint64 chunk) {
        return m_avatars.readChunk(f, chunk);
    }
    [[nodiscard]] ServiceResult<proto::AccessGrant>
    createGrant(const Caller& caller, const QString& avatarId, const proto::GrantRequest& r) {
        return m_avatars.createGrant(caller, avatarId, r);
    }

    [[nodiscard]] quint64 logSizeInMemory() const { return m_log.size(); }

    // The operator keys' ages and expiries (seconds), by key name (root, issuer, log, tls-ca,
    // tls, suci, storage, binding); expiry only for keys with a certificate.
    struct KeyAge {
        const char* key;
        qint64 age;
        std::optional<qint64> expiresIn;
    };
    [[nodiscard]] std::vector<KeyAge> keyAges() const;
    // Logs a `key-expiring` warning for every certificate expiring within `warnDays` days.
    void warnAboutKeyAges(int warnDays = 30) const;

    // The service's metrics (rendered on the metrics listener) and anomaly detection.
    [[nodiscard]] MetricsRegistry& metrics() { return m_metrics; }
    [[nodiscard]] AnomalyMonitor& anomalies() { return m_anomalies; }

  private:
    // Declared before m_ctx, which refers to them.
    MetricsRegistry m_metrics;
    AnomalyMonitor m_anomalies;
    ServiceContext m_ctx;
    TransparencyLog m_log;
    StatusListPublisher m_status;
    TransferHandles m_handles;
    CredentialIssuer m_issuer;
    SubscriberAuth m_auth;
    TwinRegistry m_registry;
    AvatarRepository m_avatars;
    OwnershipTransfers m_transfers;
    LawfulDisclosures m_disclosures;
    AuditAnchorMirrors m_auditAnchors;
    CallAdmission m_callAdmission;
    CallRooms m_calls;
    RequestOutcomes m_outcomes{m_ctx};
};

} // namespace twinseal::service
