// ServiceClient: the home network's mirror of the device's activity-log anchor
// (security/audit_anchor.h): PUT and GET /v1/audit/anchors/{log id}.
#include <twinseal/security/audit.h>

#include "client_common.h"
#include "transport.h"
#include "twinseal/netclient/service_client.h"
#include "wire.h"

namespace twinseal::netclient {

namespace sec = twinseal::security;
using detail::AuthKind;
using detail::callProto;
using detail::deliverLater;
using detail::getRequest;

namespace {

QByteArray anchorPath(const std::string& logId) {
    return "/v1/audit/anchors/" + QByteArray::fromStdString(logId).toPercentEncoding();
}

// The answer, checked: a checkpoint of this log signed by its audit key, with its counter.
ClientResult<AuditAnchorMirror> mirrorFromProto(const proto::AuditAnchorMirror& m,
                                                const std::string& logId,
                                                const sec::PublicKey& auditKey) {
    const std::string what = "the home network's activity-log anchor";
    if (m.log_id() != logId)
        return detail::malformed(what, "it is for another log");
    auto cp = sec::parseAuditCheckpoint(sec::view(m.checkpoint()), auditKey);
    if (!cp.ok())
        return detail::malformed(what, "its checkpoint does not verify with the audit key: " +
                                           cp.error().message());
    if (cp->logId != logId || cp->number + 1 != m.counter())
        return detail::malformed(what, "its checkpoint does not match its counter");
    AuditAnchorMirror out;
    out.logId = m.log_id();
    out.counter = m.counter();
    out.checkpoint.assign(m.checkpoint().begin(), m.checkpoint().end());
    out.entryCount = cp->entryCount;
    out.updatedAt = m.updated_at();
    return out;
}

} // namespace

void ServiceClient::mirrorAuditAnchor(const sec::AuditAnchor& anchor,
                                      ClientCallback<AuditAnchorMirror> done) {
    if (anchor.counter == 0 || anchor.checkpoint.empty() || anchor.auditKey.empty())
        return deliverLater<AuditAnchorMirror>(
            this, std::move(done),
            clientError(reason::kInvalidArgument,
                        "The activity log has no signed checkpoint to hand the home network yet."));
    proto::AuditAnchorMirror m;
    m.set_log_id(anchor.logId);
    m.set_counter(anchor.counter);
    m.set_checkpoint(sec::toString(anchor.checkpoint));
    m.mutable_audit_key()->set_algorithm(anchor.auditKey.algorithm() == sec::KeyAlgorithm::Ed25519
                                             ? proto::ED25519
                                             : proto::ECDSA_P256);
    m.mutable_audit_key()->set_raw(sec::toString(anchor.auditKey.raw()));
    detail::HttpRequest request =
        detail::postRequest(anchorPath(anchor.logId), QByteArray::fromStdString(m.SerializeAsString()),
                            AuthKind::Akma);
    request.method = "PUT";
    callProto<proto::AuditAnchorMirror, AuditAnchorMirror>(
        *m_transport, this, request, "the home network's activity-log anchor", std::move(done),
        [logId = anchor.logId, key = anchor.auditKey](const proto::AuditAnchorMirror& answer) {
            return mirrorFromProto(answer, logId, key);
        });
}

void ServiceClient::fetchAuditAnchor(const std::string& logId, const sec::PublicKey& auditKey,
                                     ClientCallback<std::optional<AuditAnchorMirror>> done) {
    callProto<proto::AuditAnchorMirror, std::optional<AuditAnchorMirror>>(
        *m_transport, this, getRequest(anchorPath(logId), AuthKind::Akma),
        "the home network's activity-log anchor",
        [done = std::move(done)](ClientResult<std::optional<AuditAnchorMirror>> r) {
            if (!r.ok() && r.error().code == "unknown-audit-log")
                return done(std::optional<AuditAnchorMirror>{});
            done(std::move(r));
        },
        [logId, auditKey](const proto::AuditAnchorMirror& answer)
            -> ClientResult<std::optional<AuditAnchorMirror>> {
            auto m = mirrorFromProto(answer, logId, auditKey);
            if (!m.ok())
                return m.error();
            return std::optional<AuditAnchorMirror>(std::move(*m));
        });
}

} // namespace twinseal::netclient
