// The activity log's values: the catalogue of event types, events and entries, and filtering
// entries for a GUI.
#include "twinseal/security/audit_entry.h"

#include <algorithm>
#include <iterator>

namespace twinseal::security {

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
    return out;
}

} // namespace

const std::vector<AuditEventInfo>& knownAuditEvents() {
    static const std::vector<AuditEventInfo> events{
        {audit_event::kDtRegister, "registered a digital twin with the home network"},
        {audit_event::kDtRecertify, "re-certified the digital twin (new avatar or key)"},
        {audit_event::kDtRevoke, "revoked the digital twin"},
        {audit_event::kDtStatus, "checked the revocation status"},
        {audit_event::kAssertionSign, "signed a call assertion"},
        {audit_event::kCallVerify, "verified a peer's avatar in a call"},
        {audit_event::kTransferOffer, "offered the digital twin's ownership to someone"},
        {audit_event::kTransferAccept, "accepted an ownership transfer"},
        {audit_event::kTransferCancel, "cancelled an ownership transfer"},
        {audit_event::kDisclosureChange, "changed what is disclosed, to whom"},
        {audit_event::kLawfulDisclosure, "the home network disclosed identity lawfully"},
        {audit_event::kPseudonymRotate, "rotated the pseudonym"},
        {audit_event::kAvatarUpload, "uploaded the avatar to the repository"},
        {audit_event::kKeyUnlock, "unlocked the holder key"},
        {audit_event::kKeyLock, "locked the holder key"},
        {audit_event::kAuditExport, "exported this activity log"},
        {audit_event::kLogHead, "checked the home network's transparency log against the tree head kept"},
        {audit_event::kTwinBackup, "backed up the digital twin to a file"},
        {audit_event::kTwinRestore, "restored the digital twin from a backup"},
    };
    return events;
}

std::string_view auditOutcomeName(AuditOutcome o) noexcept {
    return o == AuditOutcome::Ok ? "ok" : "failed";
}

AuditEvent AuditEvent::ok(std::string type, std::vector<AuditField> fields) {
    return AuditEvent{std::move(type), AuditOutcome::Ok, {}, std::move(fields)};
}

AuditEvent AuditEvent::failed(std::string type, std::string reason,
                              std::vector<AuditField> fields) {
    return AuditEvent{std::move(type), AuditOutcome::Failed, std::move(reason), std::move(fields)};
}

std::optional<std::string> AuditEntry::field(std::string_view key) const {
    for (const auto& f : fields)
        if (f.key == key)
            return f.value;
    return std::nullopt;
}

bool AuditFilter::matches(const AuditEntry& e) const {
    if (!eventPrefix.empty() && e.type.compare(0, eventPrefix.size(), eventPrefix) != 0)
        return false;
    if (outcome && e.outcome != *outcome)
        return false;
    if (from && e.timestamp < *from)
        return false;
    if (until && e.timestamp >= *until)
        return false;
    for (const auto& want : fieldEquals) {
        const auto v = e.field(want.key);
        if (!v || *v != want.value)
            return false;
    }
    if (!text.empty()) {
        const std::string needle = lower(text);
        auto has = [&](const std::string& s) { return lower(s).find(needle) != std::string::npos; };
        bool found = has(e.type) || has(e.reason);
        for (const auto& f : e.fields)
            found = found || has(f.key) || has(f.value);
        if (!found)
            return false;
    }
    return true;
}

std::vector<AuditEntry> filterAuditEntries(const std::vector<AuditEntry>& entries,
                                           const AuditFilter& filter) {
    std::vector<AuditEntry> out;
    std::copy_if(entries.begin(), entries.end(), std::back_inserter(out),
                 [&](const AuditEntry& e) { return filter.matches(e); });
    return out;
}

} // namespace twinseal::security
