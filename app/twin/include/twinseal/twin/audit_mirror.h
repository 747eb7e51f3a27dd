// AuditMirror: rollback detection for the device's activity log through the home network.
//
// The sealed anchor (security/audit_anchor.h) stops a writer of the data directory from cutting
// the log back or replacing it, but not from restoring an older copy of both the log and its
// (genuine, older) anchor. The home network keeps, per subscriber and log id, the highest
// checkpoint the device has shown it (PUT /v1/audit/anchors/{log id}; it never goes back).
// check() compares the device's anchor as the log was opened with what the home network holds:
//   nothing held                       -> the current checkpoint is handed over (First)
//   a lower counter held               -> the current checkpoint is handed over (Advanced)
//   the same checkpoint held           -> Unchanged (or Advanced when the log moved on since)
//   a higher counter held              -> "audit-log-rolled-back": an older log was restored
//   another checkpoint, same counter   -> "audit-log-replaced": the log was rewritten
// Any other failure (offline, the service refusing) decides nothing: the caller says that the
// log could not be confirmed and checks again next time. The mirror sees checkpoints only (log
// id, counts, head hash, time), never an entry.
#pragma once

#include <functional>
#include <string_view>

#include <twinseal/netclient/service_client.h>
#include <twinseal/security/audit_anchor.h>

namespace twinseal::twin {

class AuditMirror {
  public:
    enum class Decision { First, Unchanged, Advanced };

    // `opened` is the device's anchor as the log was opened (its seal checked with
    // AuditAnchorKey::open), which the home network's checkpoint is judged against; `current`
    // (the same log, counter >= opened's) is what is handed over. `done` gets the decision or a
    // ClientError: "audit-log-rolled-back", "audit-log-replaced" (security's reason names), or
    // the client's error. The client must be authenticated (AKMA).
    static void check(netclient::ServiceClient& client, const security::AuditAnchor& opened,
                      const security::AuditAnchor& current,
                      std::function<void(netclient::ClientResult<Decision>)> done);

    [[nodiscard]] static std::string_view decisionName(Decision d) noexcept;
};

} // namespace twinseal::twin
