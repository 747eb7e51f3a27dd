#include "twinseal/twin/audit_mirror.h"

#include <QPointer>

namespace twinseal::twin {

using namespace twinseal::security;
using netclient::AuditAnchorMirror;
using netclient::ClientError;
using netclient::ClientResult;

namespace {

std::string checkpointName(std::uint64_t counter) {
    return "checkpoint #" + std::to_string(counter - 1);
}

ClientError rolledBack(const AuditAnchor& local, const AuditAnchorMirror& held) {
    return netclient::clientError(
        std::string(errorCodeName(ErrorCode::AuditLogRolledBack)),
        "The home network holds " + checkpointName(held.counter) + " of this device's activity log " +
            local.logId + " (" + std::to_string(held.entryCount) + " entries), but the log here " +
            (local.counter == 0 ? std::string("has no checkpoint")
                                : "ends at " + checkpointName(local.counter)) +
            ": an older copy of the log and its anchor was restored, and the later entries are "
            "gone. The files were kept as evidence; restore the newest backup of the data "
            "directory, or report this if you did not restore one.");
}

ClientError replaced(const AuditAnchor& local, const AuditAnchorMirror& held) {
    return netclient::clientError(
        std::string(errorCodeName(ErrorCode::AuditLogReplaced)),
        "The home network holds another " + checkpointName(held.counter) +
            " of this device's activity log " + local.logId +
            " than the log here: the log was rewritten after that checkpoint was signed. The "
            "files were kept as evidence; restore the newest backup of the data directory.");
}

void upload(netclient::ServiceClient& client, const AuditAnchor& anchor, AuditMirror::Decision d,
            std::function<void(ClientResult<AuditMirror::Decision>)> done) {
    client.mirrorAuditAnchor(
        anchor, [anchor, d, done = std::move(done)](const ClientResult<AuditAnchorMirror>& r) {
            if (r.ok())
                return done(d);
            // Another device state moved it forward meanwhile: the same judgement as on reading.
            if (r.error().code == "audit-anchor-rollback") {
                return done(netclient::clientError(
                    std::string(errorCodeName(ErrorCode::AuditLogRolledBack)),
                    "The home network holds a later checkpoint of this device's activity log " +
                        anchor.logId + " than " + checkpointName(anchor.counter) +
                        ": an older copy of the log and its anchor was restored (" +
                        r.error().message + ")."));
            }
            if (r.error().code == "audit-anchor-mismatch")
                return done(netclient::clientError(
                    std::string(errorCodeName(ErrorCode::AuditLogReplaced)),
                    "The home network holds another history of this device's activity log " +
                        anchor.logId + ": " + r.error().message));
            done(r.error());
        });
}

} // namespace

std::string_view AuditMirror::decisionName(Decision d) noexcept {
    switch (d) {
    case Decision::First: return "first";
    case Decision::Unchanged: return "unchanged";
    case Decision::Advanced: return "advanced";
    }
    return "unknown";
}

void AuditMirror::check(netclient::ServiceClient& client, const AuditAnchor& opened,
                        const AuditAnchor& current,
                        std::function<void(ClientResult<Decision>)> done) {
    QPointer<netclient::ServiceClient> c(&client);
    client.fetchAuditAnchor(
        opened.logId, opened.auditKey,
        [c, opened, current,
         done = std::move(done)](const ClientResult<std::optional<AuditAnchorMirror>>& r) mutable {
            if (!r.ok())
                return done(r.error());
            const std::optional<AuditAnchorMirror>& held = *r;
            if (held && held->counter > opened.counter)
                return done(rolledBack(opened, *held));
            if (held && held->counter == opened.counter && held->checkpoint != opened.checkpoint)
                return done(replaced(opened, *held));
            const std::uint64_t heldCounter = held ? held->counter : 0;
            if (current.logId != opened.logId || current.counter <= heldCounter)
                return done(Decision::Unchanged); // nothing newer to hand over
            if (!c)
                return done(netclient::clientError(netclient::reason::kCancelled,
                                                   "The session with the home network closed."));
            upload(*c, current, held ? Decision::Advanced : Decision::First, std::move(done));
        });
}

} // namespace twinseal::twin
