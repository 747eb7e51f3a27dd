// Verifying an activity log: the walk over header, hash chain and checkpoints, the anchor check,
// and the entry points for log files and exports.
#include "twinseal/security/audit_verify.h"

#include "audit_internal.h"
#include "audit_json.h"

namespace twinseal::security {

using namespace audit_detail;

namespace {

// Checks records (header first) in file order; fills r and returns false at the first problem.
bool walk(const std::vector<AuditRecord>& records, bool haveOffsets,
          const AuditVerifyOptions& options, AuditVerification& r, WalkState& state) {
    auto at = [&](const AuditRecord& rec) {
        return haveOffsets ? std::optional<std::uint64_t>(rec.offset) : std::nullopt;
    };
    auto fail = [&](ErrorCode code, std::string detail, std::optional<std::uint64_t> entry,
                    std::optional<std::uint64_t> checkpoint, std::optional<std::uint64_t> off) {
        setFailure(r, Failure{code, std::move(detail), entry, checkpoint, off});
        return false;
    };

    if (records.empty() || records[0].kind != AuditRecordKind::Header)
        return fail(ErrorCode::AuditRecordCorrupt, "the log has no header record", std::nullopt,
                    std::nullopt, haveOffsets ? std::optional<std::uint64_t>(8) : std::nullopt);
    const auto header = decodeHeader(records[0].payload);
    if (!header)
        return fail(ErrorCode::AuditRecordCorrupt,
                    "the log header does not decode (it was changed or damaged)", std::nullopt,
                    std::nullopt, at(records[0]));
    state.headerPayload = records[0].payload;
    state.genesis = genesisHash(state.headerPayload);
    state.recordedKey = header->key;
    state.headerOk = true;
    r.logId = header->logId;
    r.createdAt = header->createdAt;
    if (options.auditKey) {
        r.auditKey = *options.auditKey;
        r.keyPinned = true;
        if (!(*options.auditKey == header->key) && options.pinnedByDevice)
            return fail(ErrorCode::AuditLogReplaced,
                        "the log was created for the audit key " +
                            base64UrlEncode(header->key.thumbprint()) +
                            ", but this device's anchor pins " +
                            base64UrlEncode(options.auditKey->thumbprint()) +
                            ": the whole log was replaced by another one",
                        std::nullopt, std::nullopt, at(records[0]));
        if (!(*options.auditKey == header->key))
            return fail(ErrorCode::KeyMismatch,
                        "the log was created for another audit key (thumbprint " +
                            base64UrlEncode(header->key.thumbprint()) + ") than the one given (" +
                            base64UrlEncode(options.auditKey->thumbprint()) + ")",
                        std::nullopt, std::nullopt, at(records[0]));
    } else {
        r.auditKey = header->key;
    }
    if (!options.expectedLogId.empty() && options.expectedLogId != header->logId)
        return fail(options.pinnedByDevice ? ErrorCode::AuditLogReplaced
                                           : ErrorCode::AuditLogIdMismatch,
                    "this is log '" + header->logId + "', not the expected '" +
                        options.expectedLogId + "'",
                    std::nullopt, std::nullopt, at(records[0]));

    // Decode every entry up front: reorder detection looks ahead.
    std::vector<std::optional<AuditEntry>> decoded(records.size());
    for (std::size_t i = 1; i < records.size(); ++i)
        if (records[i].kind == AuditRecordKind::Entry)
            decoded[i] = decodeEntry(records[i].payload);
    auto laterHas = [&](std::size_t from, std::uint64_t seq) {
        for (std::size_t k = from + 1; k < records.size(); ++k)
            if (decoded[k] && decoded[k]->sequence == seq)
                return true;
        return false;
    };
    auto laterHasHash = [&](std::size_t from, const Digest& hash) {
        for (std::size_t k = from + 1; k < records.size(); ++k)
            if (decoded[k] && decoded[k]->hash == hash)
                return true;
        return false;
    };
    std::size_t lastEntryRecord = 0;

    Digest head = state.genesis;
    for (std::size_t i = 1; i < records.size(); ++i) {
        const AuditRecord& rec = records[i];
        const std::uint64_t have = r.entries.size();
        const std::uint64_t cpIndex = r.checkpoints.size();
        if (rec.kind == AuditRecordKind::Header)
            return fail(ErrorCode::AuditRecordCorrupt, "a second header record inside the log",
                        have, std::nullopt, at(rec));
        if (rec.kind == AuditRecordKind::Entry) {
            if (!decoded[i])
                return fail(ErrorCode::AuditEntryModified,
                            "the entry at position " + std::to_string(have) +
                                " does not decode: its stored bytes were changed",
                            have, std::nullopt, at(rec));
            AuditEntry& e = *decoded[i];
            if (e.sequence != have) {
                if (e.sequence < have)
                    return fail(ErrorCode::AuditEntriesReordered,
                                "entry " + std::to_string(e.sequence) +
                                    " appears again at position " + std::to_string(have) +
                                    " (copied or moved)",
                                have, std::nullopt, at(rec));
                if (laterHas(i, have))
                    return fail(ErrorCode::AuditEntriesReordered,
                                "position " + std::to_string(have) + " holds entry " +
                                    std::to_string(e.sequence) + "; entry " + std::to_string(have) +
                                    " comes later in the file",
                                have, std::nullopt, at(rec));
                return fail(ErrorCode::AuditEntryMissing,
                            range(have, e.sequence - 1) +
                                (e.sequence - have == 1 ? " is" : " are") +
                                " missing: the log jumps from " +
                                (have == 0 ? std::string("its start")
                                           : "entry " + std::to_string(have - 1)) +
                                " to entry " + std::to_string(e.sequence),
                            have, std::nullopt, at(rec));
            }
            if (e.previousHash != head) {
                if (have == 0)
                    return fail(ErrorCode::AuditEntryModified,
                                "entry 0 does not link to this log's header: the header or entry "
                                "0 was changed, or the entry comes from another log",
                                0, std::nullopt, at(rec));
                return fail(ErrorCode::AuditEntryModified,
                            "entry " + std::to_string(have - 1) +
                                " no longer has the hash that entry " + std::to_string(have) +
                                " recorded for it: it was changed after it was written (or entries "
                                "between them were removed and the rest renumbered)",
                            have - 1, std::nullopt, at(records[lastEntryRecord]));
            }
            head = e.hash;
            lastEntryRecord = i;
            r.entries.push_back(std::move(e));
            continue;
        }
        // A checkpoint.
        const std::string name = "checkpoint #" + std::to_string(cpIndex);
        SignedEnvelope env;
        auto cp = decodeCheckpointUnverified(rec.payload, &env);
        if (!cp)
            return fail(ErrorCode::AuditCheckpointInvalid,
                        "the " + name + " record does not decode as a signed checkpoint", have,
                        cpIndex, at(rec));
        if (!verifyEnvelope(env, r.auditKey).ok())
            return fail(ErrorCode::AuditCheckpointInvalid,
                        "the signature of " + name + " does not verify with the audit key " +
                            base64UrlEncode(r.auditKey.thumbprint()) +
                            " (forged, damaged or signed by another key)",
                        have, cpIndex, at(rec));
        if (cp->logId != r.logId)
            return fail(ErrorCode::AuditLogIdMismatch,
                        name + " was signed for log '" + cp->logId + "', this is log '" + r.logId +
                            "' (it was copied in from another log)",
                        have, cpIndex, at(rec));
        if (cp->number != cpIndex)
            return fail(ErrorCode::AuditCheckpointMismatch,
                        cp->number > cpIndex
                            ? "the next checkpoint is #" + std::to_string(cp->number) +
                                  ": checkpoints #" + std::to_string(cpIndex) + ".." +
                                  std::to_string(cp->number - 1) + " were removed"
                            : "checkpoint #" + std::to_string(cp->number) +
                                  " appears at the place of " + name + " (copied or moved)",
                        have, cpIndex, at(rec));
        if (cp->entryCount > have) {
            // The entry it signed as head further down the file: entries were moved behind it.
            if (laterHasHash(i, cp->headHash))
                return fail(ErrorCode::AuditEntriesReordered,
                            name + " covers " + plural(cp->entryCount, "entry", "entries") +
                                " but only " + std::to_string(have) +
                                " precede it: entries it covers were moved behind it",
                            have, cpIndex, at(rec));
            return fail(ErrorCode::AuditEntryMissing,
                        name + " was signed over " + plural(cp->entryCount, "entry", "entries") +
                            " but only " + std::to_string(have) +
                            " precede it: " + range(have, cp->entryCount - 1) +
                            (cp->entryCount - have == 1 ? " was" : " were") + " deleted",
                        have, cpIndex, at(rec));
        }
        if (cp->entryCount < have)
            return fail(ErrorCode::AuditCheckpointMismatch,
                        name + " was signed over " + plural(cp->entryCount, "entry", "entries") +
                            " but " + std::to_string(have) +
                            " precede it: entries were inserted before it, or it was moved",
                        cp->entryCount, cpIndex, at(rec));
        if (cp->headHash != head) {
            if (have == 0)
                return fail(ErrorCode::AuditRecordCorrupt,
                            "the log header is not the one " + name + " was signed over", 0,
                            cpIndex, at(rec));
            const std::uint64_t first = r.signedEntries;
            return fail(ErrorCode::AuditEntryModified,
                        "the entries before " + name +
                            " do not hash to the head it signed: entry " +
                            std::to_string(have - 1) +
                            (first < have - 1 ? " (or, if the chain was rewritten, any of " +
                                                    range(first, have - 1) + ")"
                                              : std::string()) +
                            " was changed, replaced or reordered",
                        have - 1, cpIndex, at(rec));
        }
        r.signedEntries = cp->entryCount;
        r.checkpoints.push_back(std::move(*cp));
    }
    return true;
}

bool checkAnchor(const AuditVerifyOptions& options, const WalkState& state, AuditVerification& r) {
    if (options.anchor.empty()) {
        if (!options.requireAnchor || r.checkpoints.empty())
            return true;
        setFailure(r, Failure{ErrorCode::AuditAnchorMissing,
                              "the log has " +
                                  plural(r.checkpoints.size(), "signed checkpoint",
                                         "signed checkpoints") +
                                  " but its sealed anchor is gone: without it a cut-back or "
                                  "rolled-back log cannot be told from the real one",
                              std::nullopt, std::nullopt, std::nullopt});
        return false;
    }
    r.anchorChecked = true;
    auto fail = [&](ErrorCode code, std::string detail, std::optional<std::uint64_t> entry) {
        setFailure(
            r, Failure{code, "anchor: " + std::move(detail), entry, std::nullopt, std::nullopt});
        return false;
    };
    auto anchor = parseAuditCheckpoint(options.anchor, r.auditKey);
    if (!anchor.ok())
        return fail(ErrorCode::AuditCheckpointInvalid,
                    "the anchor checkpoint is not valid for this audit key: " +
                        anchor.error().message(),
                    std::nullopt);
    if (anchor->logId != r.logId)
        return fail(ErrorCode::AuditLogIdMismatch,
                    "the anchor is a checkpoint of log '" + anchor->logId + "', this is log '" +
                        r.logId + "'",
                    std::nullopt);
    const std::uint64_t have = r.entries.size();
    const std::string when = utcTime(anchor->timestamp);
    const std::string name = "checkpoint #" + std::to_string(anchor->number) +
                             (when.empty() ? std::string() : " (signed " + when + ")");
    if (anchor->entryCount > have)
        return fail(ErrorCode::AuditLogTruncated,
                    name + " covers " + plural(anchor->entryCount, "entry", "entries") +
                        " but the log has only " + std::to_string(have) +
                        ": entries were removed from its end, or an older copy was restored",
                    have);
    const Digest at =
        anchor->entryCount == 0 ? state.genesis : r.entries[anchor->entryCount - 1].hash;
    if (at != anchor->headHash)
        return fail(ErrorCode::AuditEntryModified,
                    "the log's first " + plural(anchor->entryCount, "entry", "entries") +
                        " are not the ones " + name + " signed: the log was rewritten",
                    anchor->entryCount == 0 ? 0 : anchor->entryCount - 1);
    if (anchor->number >= r.checkpoints.size())
        return fail(ErrorCode::AuditLogTruncated,
                    name + " is missing from the log, which has only " +
                        plural(r.checkpoints.size(), "checkpoint", "checkpoints") +
                        ": checkpoints were removed from its end",
                    have);
    return true;
}

} // namespace

namespace audit_detail {

void setFailure(AuditVerification& r, Failure f) {
    r.code = f.code;
    r.detail = std::move(f.detail);
    r.entryIndex = f.entryIndex;
    r.checkpointIndex = f.checkpointIndex;
    r.offset = f.offset;
}

AuditVerification verifyRecords(const std::vector<AuditRecord>& records, bool haveOffsets,
                                const std::optional<Failure>& framingProblem,
                                std::optional<std::uint64_t> tornAt,
                                const AuditVerifyOptions& options, AuditFormat format,
                                WalkState* stateOut) {
    AuditVerification r;
    r.format = format;
    WalkState state;
    const bool walked = walk(records, haveOffsets, options, r, state);
    if (walked && framingProblem) {
        Failure f = *framingProblem;
        // A damaged checkpoint record is the next checkpoint; anything else the next entry.
        if (f.code == ErrorCode::AuditCheckpointInvalid)
            f.checkpointIndex = r.checkpoints.size();
        else
            f.entryIndex = r.entries.size();
        setFailure(r, std::move(f));
        if (tornAt)
            r.tornTailOffset = tornAt;
    } else if (!walked && records.empty() && framingProblem && tornAt) {
        // The header itself is torn: nothing to repair.
        r.code = ErrorCode::AuditLogTruncated;
        r.detail = framingProblem->detail;
    } else if (walked) {
        checkAnchor(options, state, r);
    }
    if (stateOut)
        *stateOut = std::move(state);
    return r;
}

} // namespace audit_detail

AuditVerification verifyAuditLog(ByteView file, const AuditVerifyOptions& options) {
    Framing f = frame(file);
    if (f.problem && f.records.empty() && !f.tornAt) {
        AuditVerification r;
        r.format = AuditFormat::LogFile;
        setFailure(r, *f.problem);
        return r;
    }
    return verifyRecords(f.records, true, f.problem, f.tornAt, options, AuditFormat::LogFile);
}

AuditVerification verifyAuditLog(ByteView file, const PublicKey& auditKey) {
    AuditVerifyOptions o;
    o.auditKey = &auditKey;
    return verifyAuditLog(file, o);
}

AuditVerification verifyAuditExport(ByteView data, const AuditVerifyOptions& options) {
    AuditVerification r;
    r.format = detectAuditFormat(data);
    if (r.format != AuditFormat::JsonExport && r.format != AuditFormat::CborExport) {
        setFailure(r, Failure{ErrorCode::MalformedInput,
                              "not a JSON or CBOR export of a TwinSeal audit log",
                              {},
                              {},
                              {}});
        return r;
    }
    const auto doc = parseDocument(data, r.format);
    if (!doc) {
        setFailure(r, Failure{ErrorCode::MalformedInput,
                              std::string("not a well-formed ") +
                                  (r.format == AuditFormat::JsonExport ? "JSON" : "CBOR") +
                                  " document (or nested too deeply)",
                              {},
                              {},
                              {}});
        return r;
    }
    std::vector<AuditRecord> records;
    if (auto f = recordsFromExport(*doc, records)) {
        setFailure(r, std::move(*f));
        return r;
    }
    return verifyRecords(records, false, std::nullopt, std::nullopt, options, r.format);
}

AuditVerification verifyAuditData(ByteView data, const AuditVerifyOptions& options) {
    switch (detectAuditFormat(data)) {
    case AuditFormat::LogFile:
        return verifyAuditLog(data, options);
    case AuditFormat::JsonExport:
    case AuditFormat::CborExport:
        return verifyAuditExport(data, options);
    case AuditFormat::Unknown:
        break;
    }
    AuditVerification r;
    setFailure(r, Failure{ErrorCode::MalformedInput,
                          "not a TwinSeal audit log or an export of one (JSON or CBOR)",
                          {},
                          {},
                          {}});
    return r;
}

} // namespace twinseal::security
