// The mirror of the clients' activity-log anchors (security/audit_anchor.h): per subscriber and
// log id, the highest signed checkpoint the client has shown, which only moves forward. A client
// that finds the home network holding a later checkpoint than its own log knows that an older
// copy of its log and anchor was restored (audit-log-rolled-back). The service checks each
// checkpoint's signature with the log's audit key (pinned by the first upload), so the mirror
// holds only checkpoints the device signed; it never sees an entry of the log.
#pragma once

#include <twinseal/proto/homenet.pb.h>

#include "twinseal/service/service_context.h"

namespace twinseal::service {

class AuditAnchorMirrors {
  public:
    // A subscriber's mirrors are bounded (one per activity log the subscriber's devices kept).
    static constexpr qint64 kMaxLogsPerSubscriber = 64;

    explicit AuditAnchorMirrors(ServiceContext& context) : m_ctx(context) {}

    // Stores the checkpoint when it is later than the one held: 409 "audit-anchor-rollback"
    // for an earlier one, 409 "audit-anchor-mismatch" for another checkpoint with the same
    // counter or another audit key, 400 "audit-anchor-invalid" for one that does not verify.
    [[nodiscard]] ServiceResult<proto::AuditAnchorMirror>
    put(const Caller& caller, const QString& logId, const proto::AuditAnchorMirror& r);
    // The held checkpoint, or 404 "unknown-audit-log".
    [[nodiscard]] ServiceResult<proto::AuditAnchorMirror> get(const Caller& caller,
                                                              const QString& logId);

  private:
    ServiceContext& m_ctx;
};

} // namespace twinseal::service
