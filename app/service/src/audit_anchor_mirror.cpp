#include "twinseal/service/audit_anchor_mirror.h"

#include <twinseal/security/audit.h>

#include "service_util.h"
#include "twinseal/service/service_log.h"

namespace twinseal::service {

using namespace twinseal::security;
using namespace util;

namespace {

bool isLogId(const QString& s) {
    if (s.isEmpty() || s.size() > qsizetype(kMaxAuditLogIdLength))
        return false;
    for (QChar c : s) {
        const char16_t u = c.unicode();
        if (!((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') ||
              u == '.' || u == '_' || u == ':' || u == '-'))
            return false;
    }
    return true;
}

Result<PublicKey> auditKeyOf(const proto::PublicKey& key) {
    switch (key.algorithm()) {
    case proto::ED25519: return PublicKey::fromRaw(KeyAlgorithm::Ed25519, view(key.raw()));
    case proto::ECDSA_P256: return PublicKey::fromRaw(KeyAlgorithm::EcdsaP256, view(key.raw()));
    default: return makeError(ErrorCode::MalformedInput, "unknown key algorithm");
    }
}

proto::AuditAnchorMirror toProto(const AuditAnchorRecord& r) {
    proto::AuditAnchorMirror out;
    out.set_log_id(r.logId.toStdString());
    out.set_counter(r.counter);
    out.set_checkpoint(str(r.checkpoint));
    (void)out.mutable_audit_key()->ParseFromArray(r.auditKey.constData(), int(r.auditKey.size()));
    out.set_updated_at(r.updatedAt);
    return out;
}

ServiceError invalid(std::string why) {
    return badRequest("audit-anchor-invalid", "the activity-log anchor " + std::move(why));
}

} // namespace

ServiceResult<proto::AuditAnchorMirror>
AuditAnchorMirrors::put(const Caller& caller, const QString& logId,
                        const proto::AuditAnchorMirror& r) {
    if (!caller.subscriber())
        return notAuthenticated("mirroring an activity-log anchor");
    if (!isLogId(logId))
        return badRequest("malformed-request",
                          "an activity-log id is 1-128 characters of [A-Za-z0-9._:-]");
    if (!r.log_id().empty() && r.log_id() != logId.toStdString())
        return invalid("names log '" + r.log_id() + "' but was sent for '" + logId.toStdString() +
                       "'");
    auto key = auditKeyOf(r.audit_key());
    if (!key.ok())
        return invalid("has no valid audit key: " + key.error().detail);
    if (r.counter() == 0)
        return invalid("covers no checkpoint (counter 0): send it after the first checkpoint");
    auto cp = parseAuditCheckpoint(view(r.checkpoint()), *key);
    if (!cp.ok())
        return invalid("holds a checkpoint that does not verify with its audit key: " +
                       cp.error().message());
    if (cp->logId != logId.toStdString() || cp->number + 1 != r.counter())
        return invalid("holds checkpoint #" + std::to_string(cp->number) + " of log '" +
                       cp->logId + "', which is not checkpoint #" +
                       std::to_string(r.counter() - 1) + " of this log");
    const QByteArray keyBytes = qb(r.audit_key().SerializeAsString());

    auto tx = m_ctx.store.begin(true);
    if (!tx.ok())
        return m_ctx.storageError(tx.error());
    auto held = m_ctx.store.auditAnchors().anchor(caller.supi, logId);
    if (!held.ok())
        return m_ctx.storageError(held.error());
    if (*held) {
        const AuditAnchorRecord& h = **held;
        auto heldKey = [&]() -> Result<PublicKey> {
            proto::PublicKey p;
            if (!p.ParseFromArray(h.auditKey.constData(), int(h.auditKey.size())))
                return makeError(ErrorCode::MalformedInput, "stored key");
            return auditKeyOf(p);
        }();
        if (!heldKey.ok() || !(*heldKey == *key))
            return serviceError(409, "audit-anchor-mismatch",
                                "log '" + logId.toStdString() +
                                    "' was mirrored with another audit key: this is not the "
                                    "device's log, or it was replaced as a whole");
        if (r.counter() < h.counter)
            return serviceError(409, "audit-anchor-rollback",
                                "the home network holds checkpoint #" +
                                    std::to_string(h.counter - 1) + " of log '" +
                                    logId.toStdString() + "', later than the #" +
                                    std::to_string(r.counter() - 1) +
                                    " sent: an older copy of the activity log was restored");
        if (r.counter() == h.counter) {
            if (h.checkpoint != qb(r.checkpoint()))
                return serviceError(409, "audit-anchor-mismatch",
                                    "the home network holds another checkpoint #" +
                                        std::to_string(h.counter - 1) + " of log '" +
                                        logId.toStdString() +
                                        "': the log was rewritten after it was mirrored");
            return toProto(h);
        }
    } else {
        auto n = m_ctx.store.auditAnchors().countFor(caller.supi);
        if (!n.ok())
            return m_ctx.storageError(n.error());
        if (*n >= kMaxLogsPerSubscriber)
            return serviceError(409, "audit-anchor-limit",
                                "the home network already mirrors " +
                                    std::to_string(kMaxLogsPerSubscriber) +
                                    " activity logs of this subscriber");
    }
    AuditAnchorRecord rec;
    rec.supi = caller.supi;
    rec.logId = logId;
    rec.counter = r.counter();
    rec.checkpoint = qb(r.checkpoint());
    rec.auditKey = keyBytes;
    rec.updatedAt = m_ctx.clock.now();
    if (auto st = m_ctx.store.auditAnchors().put(rec); !st.ok())
        return m_ctx.storageError(st.error());
    if (auto st = tx->commit(); !st.ok())
        return m_ctx.storageError(st.error());
    return toProto(rec);
}

ServiceResult<proto::AuditAnchorMirror> AuditAnchorMirrors::get(const Caller& caller,
                                                                const QString& logId) {
    if (!caller.subscriber())
        return notAuthenticated("reading an activity-log anchor");
    if (!isLogId(logId))
        return badRequest("malformed-request",
                          "an activity-log id is 1-128 characters of [A-Za-z0-9._:-]");
    auto held = m_ctx.store.auditAnchors().anchor(caller.supi, logId);
    if (!held.ok())
        return m_ctx.storageError(held.error());
    if (!*held)
        return serviceError(404, "unknown-audit-log",
                            "the home network holds no checkpoint of activity log '" +
                                logId.toStdString() + "' for this subscriber");
    return toProto(**held);
}

} // namespace twinseal::service
