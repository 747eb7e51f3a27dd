// How an activity log's verification reads: a one-line summary, what a failure means for a
// person, the whole report as JSON, and the time and count wording they share.
#include "twinseal/security/audit_verify.h"

#include <ctime>

#include "audit_internal.h"
#include "audit_json.h"

namespace twinseal::security {

using namespace audit_detail;

namespace audit_detail {

std::string utcTime(std::int64_t t) {
    if (t < -62135596800LL || t > 253402300799LL) // years 1..9999
        return {};
    const std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    if (!gmtime_r(&tt, &tm))
        return {};
    char buf[32];
    const std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return std::string(buf, n);
}

std::string plural(std::uint64_t n, const char* one, const char* many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
}

std::string range(std::uint64_t first, std::uint64_t last) {
    return first == last ? "entry " + std::to_string(first)
                         : "entries " + std::to_string(first) + ".." + std::to_string(last);
}

} // namespace audit_detail

std::string AuditVerification::summary() const {
    if (ok()) {
        std::string s = "intact: " + plural(entries.size(), "entry", "entries") + ", " +
                        plural(checkpoints.size(), "checkpoint", "checkpoints");
        if (entries.empty())
            return s;
        if (unsignedTail() == 0)
            return s + "; every entry is covered by a signed checkpoint";
        if (signedEntries == 0)
            return s + "; no entry is signed yet: " + range(0, entries.size() - 1) +
                   " are chained only (unsigned tail)";
        return s + "; " + range(signedEntries, entries.size() - 1) +
               (unsignedTail() == 1 ? " is" : " are") +
               " after the last checkpoint: chained, not signed yet (unsigned tail)";
    }
    std::string s(errorCodeName(code));
    // Problems with entries name the entry; problems with checkpoints the checkpoint.
    const bool aboutEntries =
        code == ErrorCode::AuditEntryModified || code == ErrorCode::AuditEntryMissing ||
        code == ErrorCode::AuditEntriesReordered || code == ErrorCode::AuditLogTruncated;
    if (entryIndex && (aboutEntries || !checkpointIndex))
        s += " at entry " + std::to_string(*entryIndex);
    else if (checkpointIndex)
        s += " at checkpoint #" + std::to_string(*checkpointIndex);
    return s + ": " + detail;
}

std::string AuditVerification::meaning() const {
    switch (code) {
    case ErrorCode::Ok:
        return {};
    case ErrorCode::AuditEntryModified:
        return "an entry was changed after it was written (or its bytes were damaged): the log no "
               "longer shows exactly what happened";
    case ErrorCode::AuditEntryMissing:
        return "entries were deleted from the log";
    case ErrorCode::AuditEntriesReordered:
        return "entries were moved, swapped or copied: the log is not in the order it was "
               "written in";
    case ErrorCode::AuditCheckpointInvalid:
        return "a signed checkpoint is forged or damaged: its signature does not verify with the "
               "audit key";
    case ErrorCode::AuditCheckpointMismatch:
        return "a genuine checkpoint does not fit the log: checkpoints were removed or moved, or "
               "entries were inserted before one";
    case ErrorCode::AuditLogTruncated:
        return "the log ends early: its last record is incomplete (a crash while writing - the "
               "app removes it when it next opens the log) or entries were cut off its end";
    case ErrorCode::AuditLogIdMismatch:
        return "the log, or a checkpoint in it, belongs to another activity log";
    case ErrorCode::AuditRecordCorrupt:
        return "the file is damaged: a record's framing or the log header does not check out";
    case ErrorCode::KeyMismatch:
        return "the log was written for another audit key than the one given: it is not this "
               "device's log, or it was replaced as a whole";
    case ErrorCode::MalformedInput:
        return "this is not a TwinSeal audit log or export";
    case ErrorCode::AuditAnchorMissing:
        return "the log's sealed anchor (audit-anchor.tsc) was removed: someone who can write the "
               "data directory may have cut the log back; restore the anchor from a backup";
    case ErrorCode::AuditAnchorInvalid:
        return "the log's anchor is not one this device sealed: it was forged, damaged or "
               "replaced";
    case ErrorCode::AuditKeyMissing:
        return "the audit key (audit.key) was removed while its log remains: restore it from a "
               "backup";
    case ErrorCode::AuditKeyReplaced:
        return "the audit key (audit.key) is not the key this device's anchor pins: it was "
               "replaced";
    case ErrorCode::AuditLogReplaced:
        return "the log is not the one this device's anchor pins (another log id or audit key): "
               "it was replaced as a whole";
    case ErrorCode::AuditLogRolledBack:
        return "the home network holds a later checkpoint of this log than the device: an older "
               "copy of the log and its anchor was restored";
    default:
        return std::string(errorCodeName(code));
    }
}

std::string AuditVerification::toJson() const {
    ojson entriesJson = ojson::array(), checkpointsJson = ojson::array();
    for (const auto& e : entries)
        entriesJson.push_back(entryJson(e, false));
    for (const auto& c : checkpoints)
        checkpointsJson.push_back(checkpointJson(c, false));
    auto opt = [](const std::optional<std::uint64_t>& v) { return v ? ojson(*v) : ojson(nullptr); };
    ojson j = {{"intact", ok()},
               {"code", std::string(errorCodeName(code))},
               {"summary", summary()},
               {"problem", ok() ? ojson(nullptr) : ojson(detail)},
               {"meaning", ok() ? ojson(nullptr) : ojson(meaning())},
               {"entryIndex", opt(entryIndex)},
               {"checkpointIndex", opt(checkpointIndex)},
               {"offset", opt(offset)},
               {"format", std::string(auditFormatName(format))},
               {"logId", logId},
               {"createdAt", createdAt},
               {"auditKey", keyJson(auditKey)},
               {"auditKeyThumbprint",
                auditKey.empty() ? ojson(nullptr) : ojson(base64UrlEncode(auditKey.thumbprint()))},
               {"keyPinned", keyPinned},
               {"anchorChecked", anchorChecked},
               {"entryCount", entries.size()},
               {"checkpointCount", checkpoints.size()},
               {"signedEntries", signedEntries},
               {"unsignedTail", unsignedTail()},
               {"tornTailOffset", opt(tornTailOffset)},
               {"entries", std::move(entriesJson)},
               {"checkpoints", std::move(checkpointsJson)}};
    return dumpJson(j, 2);
}

} // namespace twinseal::security
