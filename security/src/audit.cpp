// The client-side tamper-evident activity log: framing, hash chain, signed checkpoints,
// verification of log files and of their JSON/CBOR exports, and the append-only writer.
#include "twinseal/security/audit.h"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <map>
#include <set>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "pkey_util.h"
#include "twinseal/proto/twinseal.pb.h"
#include "twinseal/proto/codec.h"

namespace twinseal::security {

namespace {

using ojson = nlohmann::ordered_json;

constexpr std::uint8_t kMagic[8] = {'T', 'S', 'A', 'U', 'D', 'I', 'T', 0x01};
constexpr std::size_t kFrameHeaderSize = 9; // kind, length, frame check
constexpr std::size_t kChecksumSize = 8;
constexpr std::uint32_t kVersion = 1;
constexpr std::string_view kEntryContext = "TwinSeal-Audit-Entry-v1";
constexpr std::string_view kGenesisContext = "TwinSeal-Audit-Genesis-v1";
constexpr std::string_view kFrameContext = "TwinSeal-Audit-Frame-v1";
constexpr std::string_view kRecordContext = "TwinSeal-Audit-Record-v1";
// Nesting of an export document: object > entries array > entry object > fields object.
constexpr std::size_t kMaxExportDepth = 8;

// ---- small helpers ---------------------------------------------------------------------------

Digest contextHash(std::string_view context, ByteView a, ByteView b = {}, ByteView c = {}) {
    Sha256 h;
    h.update(view(context));
    const std::uint8_t zero = 0;
    h.update(ByteView(&zero, 1));
    h.update(a);
    h.update(b);
    h.update(c);
    return h.finish();
}

std::array<std::uint8_t, 4> be32(std::uint32_t v) {
    return {static_cast<std::uint8_t>(v >> 24), static_cast<std::uint8_t>(v >> 16),
            static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)};
}

std::uint32_t readBe32(const std::uint8_t* p) {
    return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 |
           std::uint32_t{p[3]};
}

std::uint32_t frameCheck(std::uint8_t kind, std::uint32_t length) {
    const auto len = be32(length);
    const Digest d = contextHash(kFrameContext, ByteView(&kind, 1), len);
    return readBe32(d.data());
}

std::array<std::uint8_t, kChecksumSize> recordChecksum(std::uint8_t kind, ByteView payload) {
    const auto len = be32(static_cast<std::uint32_t>(payload.size()));
    const Digest d = contextHash(kRecordContext, ByteView(&kind, 1), len, payload);
    std::array<std::uint8_t, kChecksumSize> out{};
    std::copy_n(d.begin(), kChecksumSize, out.begin());
    return out;
}

Digest entryHash(ByteView stored) {
    return contextHash(kEntryContext, stored);
}
Digest genesisHash(ByteView header) {
    return contextHash(kGenesisContext, header);
}

std::string digestString(const Digest& d) {
    return std::string(reinterpret_cast<const char*>(d.data()), d.size());
}

bool toDigest(const std::string& s, Digest& out) {
    if (s.size() != out.size())
        return false;
    std::memcpy(out.data(), s.data(), out.size());
    return true;
}

bool allZero(ByteView b) {
    return std::all_of(b.begin(), b.end(), [](std::uint8_t c) { return c == 0; });
}

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

// Lower-case names: a letter, then [a-z0-9._-].
bool isName(std::string_view s) {
    if (s.empty() || s.size() > kMaxAuditNameLength || s[0] < 'a' || s[0] > 'z')
        return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    });
}

bool isLogId(std::string_view s) {
    if (s.empty() || s.size() > kMaxAuditLogIdLength)
        return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '.' || c == '_' || c == '-' || c == ':';
    });
}

// Field keys that name secret material: refused, so a careless caller cannot log one.
bool namesSecret(std::string_view key) {
    for (std::string_view bad : {"passphrase", "password", "secret", "private", "k_af", "kaf"})
        if (key.find(bad) != std::string_view::npos)
            return true;
    return false;
}

// Valid UTF-8 (RFC 3629: no overlong forms, no surrogates, <= U+10FFFF); every byte of an
// invalid sequence becomes U+FFFD.
std::string sanitizeUtf8(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const std::size_t n = s.size();
    std::size_t i = 0;
    while (i < n) {
        const unsigned char c = p[i];
        if (c < 0x80) {
            out.push_back(static_cast<char>(c));
            ++i;
            continue;
        }
        std::size_t len = 0;
        std::uint32_t cp = 0, min = 0;
        if ((c & 0xE0) == 0xC0) {
            len = 2, cp = c & 0x1F, min = 0x80;
        } else if ((c & 0xF0) == 0xE0) {
            len = 3, cp = c & 0x0F, min = 0x800;
        } else if ((c & 0xF8) == 0xF0) {
            len = 4, cp = c & 0x07, min = 0x10000;
        }
        bool good = len != 0 && i + len <= n;
        for (std::size_t k = 1; good && k < len; ++k) {
            if ((p[i + k] & 0xC0) != 0x80)
                good = false;
            else
                cp = cp << 6 | (p[i + k] & 0x3F);
        }
        if (good && (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)))
            good = false;
        if (good) {
            out.append(s.substr(i, len));
            i += len;
        } else {
            out.append("\xEF\xBF\xBD");
            ++i;
        }
    }
    return out;
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
    return out;
}

// ---- decoding ----------------------------------------------------------------------------------

struct DecodedHeader {
    std::string logId;
    PublicKey key;
    std::int64_t createdAt = 0;
};

std::optional<DecodedHeader> decodeHeader(ByteView payload) {
    proto::AuditLogHeader h;
    if (payload.empty() || !parseMessage(payload, h) || h.version() != kVersion ||
        !isLogId(h.log_id()) || !h.has_audit_key())
        return std::nullopt;
    auto key = detail::fromProto(h.audit_key());
    if (!key.ok())
        return std::nullopt;
    return DecodedHeader{h.log_id(), std::move(*key), h.created_at()};
}

std::optional<AuditEntry> decodeEntry(ByteView stored) {
    proto::AuditEntry e;
    if (stored.empty() || !parseMessage(stored, e) || e.version() != kVersion)
        return std::nullopt;
    AuditEntry out;
    switch (e.outcome()) {
    case proto::AUDIT_OUTCOME_OK:
        out.outcome = AuditOutcome::Ok;
        break;
    case proto::AUDIT_OUTCOME_FAILED:
        out.outcome = AuditOutcome::Failed;
        break;
    default:
        return std::nullopt;
    }
    if (!toDigest(e.previous_hash(), out.previousHash))
        return std::nullopt;
    out.sequence = e.sequence();
    out.timestamp = e.timestamp();
    out.type = e.event();
    out.reason = e.reason();
    for (const auto& f : e.fields())
        out.fields.push_back({f.key(), f.value()});
    out.stored.assign(stored.begin(), stored.end());
    out.hash = entryHash(stored);
    return out;
}

// A checkpoint's body, without looking at the signature.
std::optional<AuditCheckpoint> decodeCheckpointUnverified(ByteView envelope,
                                                          SignedEnvelope* envOut = nullptr) {
    auto env = parseEnvelope(envelope, kAuditCheckpointType);
    if (!env.ok())
        return std::nullopt;
    proto::AuditCheckpoint c;
    if (!parseMessage(env->body, c) || c.version() != kVersion)
        return std::nullopt;
    AuditCheckpoint out;
    if (!toDigest(c.head_hash(), out.headHash))
        return std::nullopt;
    out.number = c.number();
    out.entryCount = c.entry_count();
    out.timestamp = c.timestamp();
    out.logId = c.log_id();
    out.encoded.assign(envelope.begin(), envelope.end());
    if (envOut)
        *envOut = std::move(*env);
    return out;
}

// ---- framing -----------------------------------------------------------------------------------

struct Failure {
    ErrorCode code = ErrorCode::Ok;
    std::string detail;
    std::optional<std::uint64_t> entryIndex;
    std::optional<std::uint64_t> checkpointIndex;
    std::optional<std::uint64_t> offset;
};

struct Framing {
    std::vector<AuditRecord> records;
    std::optional<Failure> problem;      // the first framing problem (records stop before it)
    std::optional<std::uint64_t> tornAt; // set when the problem is a torn last record
};

bool knownKind(std::uint8_t k) {
    return k == static_cast<std::uint8_t>(AuditRecordKind::Header) ||
           k == static_cast<std::uint8_t>(AuditRecordKind::Entry) ||
           k == static_cast<std::uint8_t>(AuditRecordKind::Checkpoint);
}

Framing frame(ByteView file) {
    Framing f;
    auto problem = [&](ErrorCode code, std::string detail, std::uint64_t offset) {
        f.problem = Failure{code, std::move(detail), std::nullopt, std::nullopt, offset};
    };
    if (file.size() > kMaxAuditInput) {
        problem(ErrorCode::MalformedInput, "the file is larger than an audit log may be", 0);
        return f;
    }
    if (file.size() < sizeof kMagic || std::memcmp(file.data(), kMagic, sizeof kMagic) != 0) {
        problem(ErrorCode::MalformedInput, "not a TwinSeal audit log (no TSAUDIT magic)", 0);
        return f;
    }
    std::size_t pos = sizeof kMagic;
    while (pos < file.size()) {
        const ByteView rest = file.subspan(pos);
        const auto torn = [&](const std::string& why) {
            problem(ErrorCode::AuditLogTruncated,
                    "the last record (offset " + std::to_string(pos) + ", " +
                        plural(rest.size(), "byte", "bytes") + ") is incomplete: " + why,
                    pos);
            f.tornAt = pos;
        };
        if (allZero(rest)) {
            torn("only zero bytes follow (a crash after the file grew but before the data "
                 "reached the disk)");
            break;
        }
        if (rest.size() < kFrameHeaderSize) {
            torn("shorter than a record header");
            break;
        }
        const std::uint8_t kind = rest[0];
        const std::uint32_t length = readBe32(rest.data() + 1);
        if (readBe32(rest.data() + 5) != frameCheck(kind, length)) {
            problem(ErrorCode::AuditRecordCorrupt,
                    "the record frame at offset " + std::to_string(pos) +
                        " is damaged (its frame check does not match)",
                    pos);
            break;
        }
        if (!knownKind(kind) || length > kMaxAuditRecordPayload) {
            problem(ErrorCode::AuditRecordCorrupt,
                    "the record at offset " + std::to_string(pos) +
                        (knownKind(kind) ? " is larger than any audit record"
                                         : " is of an unknown kind"),
                    pos);
            break;
        }
        const std::size_t total = kFrameHeaderSize + length + kChecksumSize;
        if (total > rest.size()) {
            torn("it needs " + std::to_string(total) + " bytes (interrupted write or cut file)");
            break;
        }
        const ByteView payload = rest.subspan(kFrameHeaderSize, length);
        const auto sum = recordChecksum(kind, payload);
        if (!constantTimeEqual(sum, rest.subspan(kFrameHeaderSize + length, kChecksumSize))) {
            const auto k = static_cast<AuditRecordKind>(kind);
            const ErrorCode code = k == AuditRecordKind::Entry ? ErrorCode::AuditEntryModified
                                   : k == AuditRecordKind::Checkpoint
                                       ? ErrorCode::AuditCheckpointInvalid
                                       : ErrorCode::AuditRecordCorrupt;
            const char* what = k == AuditRecordKind::Entry        ? "entry"
                               : k == AuditRecordKind::Checkpoint ? "checkpoint"
                                                                  : "header";
            problem(code,
                    std::string("the ") + what + " record at offset " + std::to_string(pos) +
                        " does not match its checksum: it was changed or damaged",
                    pos);
            break;
        }
        f.records.push_back(AuditRecord{static_cast<AuditRecordKind>(kind),
                                        Bytes(payload.begin(), payload.end()), pos, total});
        pos += total;
    }
    return f;
}

// ---- the walk: header, chain, checkpoints --------------------------------------------------

struct WalkState {
    Bytes headerPayload;
    Digest genesis{};
    PublicKey recordedKey;
    bool headerOk = false;
};

void setFailure(AuditVerification& r, Failure f) {
    r.code = f.code;
    r.detail = std::move(f.detail);
    r.entryIndex = f.entryIndex;
    r.checkpointIndex = f.checkpointIndex;
    r.offset = f.offset;
}

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
        return fail(ErrorCode::AuditLogIdMismatch,
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
    if (options.anchor.empty())
        return true;
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

AuditVerification verifyRecords(const std::vector<AuditRecord>& records, bool haveOffsets,
                                const std::optional<Failure>& framingProblem,
                                std::optional<std::uint64_t> tornAt,
                                const AuditVerifyOptions& options, AuditFormat format,
                                WalkState* stateOut = nullptr) {
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

// ---- exports -----------------------------------------------------------------------------------

ojson entryJson(const AuditEntry& e, bool withStored) {
    ojson fields = ojson::object();
    for (const auto& f : e.fields)
        fields[f.key] = f.value;
    ojson j = {{"sequence", e.sequence},
               {"timestamp", e.timestamp},
               {"time", utcTime(e.timestamp)},
               {"event", e.type},
               {"outcome", std::string(auditOutcomeName(e.outcome))},
               {"reason", e.reason},
               {"fields", std::move(fields)},
               {"previousHash", toHex(e.previousHash)},
               {"hash", toHex(e.hash)}};
    if (withStored)
        j["stored"] = base64UrlEncode(e.stored);
    return j;
}

ojson checkpointJson(const AuditCheckpoint& c, bool withSigned) {
    ojson j = {{"number", c.number},
               {"entryCount", c.entryCount},
               {"lastSequence", c.lastSequence() ? ojson(*c.lastSequence()) : ojson(nullptr)},
               {"headHash", toHex(c.headHash)},
               {"timestamp", c.timestamp},
               {"time", utcTime(c.timestamp)},
               {"logId", c.logId}};
    if (withSigned)
        j["signed"] = base64UrlEncode(c.encoded);
    return j;
}

ojson keyJson(const PublicKey& key) {
    if (key.empty())
        return nullptr;
    return ojson::parse(key.jwk(), nullptr, false);
}

std::string dumpJson(const ojson& j, int indent) {
    return j.dump(indent, ' ', false, ojson::error_handler_t::replace);
}

// Rejects deep nesting and absurd declared sizes before a document is built (nlohmann's CBOR
// reader recurses once per nesting level).
class Bounds final : public nlohmann::json_sax<ojson> {
  public:
    explicit Bounds(std::size_t inputSize) : m_inputSize(inputSize) {}
    bool null() override { return true; }
    bool boolean(bool) override { return true; }
    bool number_integer(number_integer_t) override { return true; }
    bool number_unsigned(number_unsigned_t) override { return true; }
    bool number_float(number_float_t, const string_t&) override { return true; }
    bool string(string_t&) override { return true; }
    bool binary(binary_t&) override { return true; }
    bool start_object(std::size_t n) override { return open(n); }
    bool key(string_t&) override { return true; }
    bool end_object() override { return close(); }
    bool start_array(std::size_t n) override { return open(n); }
    bool end_array() override { return close(); }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
        return false;
    }

  private:
    bool open(std::size_t n) {
        if (n != static_cast<std::size_t>(-1) && n > m_inputSize)
            return false;
        return ++m_depth <= kMaxExportDepth;
    }
    bool close() {
        --m_depth;
        return true;
    }
    std::size_t m_inputSize;
    std::size_t m_depth = 0;
};

std::optional<ojson> parseDocument(ByteView data, AuditFormat format) {
    if (data.size() > kMaxAuditInput)
        return std::nullopt;
    try {
        Bounds bounds(data.size());
        const bool fine = format == AuditFormat::JsonExport
                              ? ojson::sax_parse(data.begin(), data.end(), &bounds)
                              : ojson::sax_parse(data.begin(), data.end(), &bounds,
                                                 ojson::input_format_t::cbor, true);
        if (!fine)
            return std::nullopt;
        ojson doc = format == AuditFormat::JsonExport
                        ? ojson::parse(data.begin(), data.end(), nullptr, false)
                        : ojson::from_cbor(data.begin(), data.end(), true, false);
        if (doc.is_discarded() || !doc.is_object())
            return std::nullopt;
        return doc;
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

const ojson* member(const ojson& o, const std::string& name) {
    if (!o.is_object())
        return nullptr;
    auto it = o.find(name);
    return it == o.end() ? nullptr : &*it;
}

bool isString(const ojson* j, const std::string& expected) {
    return j && j->is_string() && j->get_ref<const std::string&>() == expected;
}
bool isUnsigned(const ojson* j, std::uint64_t expected) {
    return j && j->is_number_unsigned() && j->get<std::uint64_t>() == expected;
}
bool isInteger(const ojson* j, std::int64_t expected) {
    if (!j || !j->is_number_integer())
        return false;
    if (j->is_number_unsigned())
        return expected >= 0 && j->get<std::uint64_t>() == static_cast<std::uint64_t>(expected);
    return j->get<std::int64_t>() == expected;
}
std::optional<Bytes> base64Member(const ojson& o, const char* name) {
    const ojson* j = member(o, name);
    if (!j || !j->is_string())
        return std::nullopt;
    auto b = base64UrlDecode(j->get_ref<const std::string&>());
    if (!b.ok())
        return std::nullopt;
    return std::move(*b);
}
// The first member of `o` that is not in `allowed`, if any.
std::optional<std::string> unexpectedMember(const ojson& o,
                                            std::initializer_list<const char*> allowed) {
    for (auto it = o.begin(); it != o.end(); ++it) {
        const bool known = std::any_of(allowed.begin(), allowed.end(),
                                       [&](const char* a) { return it.key() == a; });
        if (!known)
            return it.key();
    }
    return std::nullopt;
}

// The first displayed member of an exported entry that differs from its stored bytes.
std::optional<std::string> entryMismatch(const ojson& j, const AuditEntry& e) {
    if (auto extra = unexpectedMember(j, {"sequence", "timestamp", "time", "event", "outcome",
                                          "reason", "fields", "previousHash", "hash", "stored"}))
        return "an unexpected member '" + *extra + "' was added";
    if (!isUnsigned(member(j, "sequence"), e.sequence))
        return "sequence";
    if (!isInteger(member(j, "timestamp"), e.timestamp))
        return "timestamp";
    if (!isString(member(j, "time"), utcTime(e.timestamp)))
        return "time";
    if (!isString(member(j, "event"), e.type))
        return "event";
    if (!isString(member(j, "outcome"), std::string(auditOutcomeName(e.outcome))))
        return "outcome";
    if (!isString(member(j, "reason"), e.reason))
        return "reason";
    if (!isString(member(j, "previousHash"), toHex(e.previousHash)))
        return "previousHash";
    if (!isString(member(j, "hash"), toHex(e.hash)))
        return "hash";
    const ojson* fields = member(j, "fields");
    if (!fields || !fields->is_object() || fields->size() != e.fields.size())
        return "fields";
    for (const auto& f : e.fields)
        if (!isString(member(*fields, f.key), f.value))
            return "fields." + f.key;
    return std::nullopt;
}

std::optional<std::string> checkpointMismatch(const ojson& j, const AuditCheckpoint& c) {
    if (auto extra = unexpectedMember(j, {"number", "entryCount", "lastSequence", "headHash",
                                          "timestamp", "time", "logId", "signed"}))
        return "an unexpected member '" + *extra + "' was added";
    if (!isUnsigned(member(j, "number"), c.number))
        return "number";
    if (!isUnsigned(member(j, "entryCount"), c.entryCount))
        return "entryCount";
    const ojson* last = member(j, "lastSequence");
    if (!last || (c.lastSequence() ? !isUnsigned(last, *c.lastSequence()) : !last->is_null()))
        return "lastSequence";
    if (!isString(member(j, "headHash"), toHex(c.headHash)))
        return "headHash";
    if (!isInteger(member(j, "timestamp"), c.timestamp))
        return "timestamp";
    if (!isString(member(j, "time"), utcTime(c.timestamp)))
        return "time";
    if (!isString(member(j, "logId"), c.logId))
        return "logId";
    return std::nullopt;
}

// Rebuilds the record sequence of an export (header, then entries and checkpoints interleaved as
// in the file: a checkpoint follows the entries it covers), checking every displayed member
// against the stored bytes.
std::optional<Failure> recordsFromExport(const ojson& doc, std::vector<AuditRecord>& records) {
    auto failure = [](ErrorCode code, std::string detail,
                      std::optional<std::uint64_t> entry = std::nullopt,
                      std::optional<std::uint64_t> cp = std::nullopt) {
        return Failure{code, std::move(detail), entry, cp, std::nullopt};
    };
    if (!isString(member(doc, "format"), kAuditExportFormat))
        return failure(ErrorCode::MalformedInput,
                       std::string("not a TwinSeal audit export (format is not ") +
                           kAuditExportFormat + ")");
    if (auto extra =
            unexpectedMember(doc, {"format", "logId", "createdAt", "auditKey", "auditKeyThumbprint",
                                   "header", "entries", "checkpoints"}))
        return failure(ErrorCode::AuditRecordCorrupt,
                       "the export has an unexpected member '" + *extra + "'");
    const auto headerBytes = base64Member(doc, "header");
    const auto header = headerBytes ? decodeHeader(*headerBytes) : std::nullopt;
    if (!header)
        return failure(ErrorCode::AuditRecordCorrupt,
                       "the export's stored header does not decode (it was changed or damaged)");
    {
        const ojson* key = member(doc, "auditKey");
        auto shown = key && key->is_object()
                         ? PublicKey::fromJwk(key->dump())
                         : Result<PublicKey>(makeError(ErrorCode::MalformedInput, ""));
        std::string what;
        if (!isString(member(doc, "logId"), header->logId))
            what = "logId";
        else if (!isInteger(member(doc, "createdAt"), header->createdAt))
            what = "createdAt";
        else if (!shown.ok() || !(*shown == header->key))
            what = "auditKey";
        else if (!isString(member(doc, "auditKeyThumbprint"),
                           base64UrlEncode(header->key.thumbprint())))
            what = "auditKeyThumbprint";
        if (!what.empty())
            return failure(ErrorCode::AuditRecordCorrupt,
                           "the export's '" + what + "' does not match its stored header");
    }
    const ojson* entries = member(doc, "entries");
    const ojson* checkpoints = member(doc, "checkpoints");
    if (!entries || !entries->is_array() || !checkpoints || !checkpoints->is_array())
        return failure(ErrorCode::MalformedInput, "the export has no entries or checkpoints list");

    records.clear();
    records.push_back(AuditRecord{AuditRecordKind::Header, *headerBytes, 0, 0});
    std::vector<AuditRecord> cps;
    std::vector<std::uint64_t> cpCounts;
    for (std::size_t j = 0; j < checkpoints->size(); ++j) {
        const ojson& c = (*checkpoints)[j];
        const auto env = c.is_object() ? base64Member(c, "signed") : std::nullopt;
        const auto cp = env ? decodeCheckpointUnverified(*env) : std::nullopt;
        if (!cp)
            return failure(ErrorCode::AuditCheckpointInvalid,
                           "exported checkpoint " + std::to_string(j) +
                               " does not hold a signed checkpoint",
                           std::nullopt, j);
        if (auto bad = checkpointMismatch(c, *cp))
            return failure(ErrorCode::AuditCheckpointInvalid,
                           "exported checkpoint " + std::to_string(j) + ": '" + *bad +
                               "' does not match its signed bytes (the export was edited)",
                           std::nullopt, j);
        cps.push_back(AuditRecord{AuditRecordKind::Checkpoint, *env, 0, 0});
        cpCounts.push_back(cp->entryCount);
    }
    std::size_t next = 0;
    for (std::size_t i = 0; i < entries->size(); ++i) {
        while (next < cps.size() && cpCounts[next] <= i)
            records.push_back(std::move(cps[next++]));
        const ojson& ej = (*entries)[i];
        const auto stored = ej.is_object() ? base64Member(ej, "stored") : std::nullopt;
        const auto e = stored ? decodeEntry(*stored) : std::nullopt;
        if (!e)
            return failure(ErrorCode::AuditEntryModified,
                           "exported entry at position " + std::to_string(i) +
                               " has no stored bytes that decode (the export was edited)",
                           i);
        if (auto bad = entryMismatch(ej, *e))
            return failure(ErrorCode::AuditEntryModified,
                           "exported entry at position " + std::to_string(i) + ": '" + *bad +
                               "' does not match its stored bytes (the export was edited)",
                           i);
        records.push_back(AuditRecord{AuditRecordKind::Entry, std::move(*stored), 0, 0});
    }
    while (next < cps.size())
        records.push_back(std::move(cps[next++]));
    return std::nullopt;
}

// The records of any of the three formats, for export. Refuses damaged framing.
Result<std::vector<AuditRecord>> recordsForExport(ByteView data) {
    const AuditFormat format = detectAuditFormat(data);
    if (format == AuditFormat::LogFile) {
        Framing f = frame(data);
        if (f.problem && !f.tornAt)
            return makeError(f.problem->code, f.problem->detail);
        return std::move(f.records);
    }
    if (format == AuditFormat::JsonExport || format == AuditFormat::CborExport) {
        auto doc = parseDocument(data, format);
        if (!doc)
            return makeError(ErrorCode::MalformedInput,
                             std::string("not a well-formed ") +
                                 (format == AuditFormat::JsonExport ? "JSON" : "CBOR") +
                                 " document");
        std::vector<AuditRecord> records;
        if (auto f = recordsFromExport(*doc, records))
            return makeError(f->code, f->detail);
        return records;
    }
    return makeError(ErrorCode::MalformedInput,
                     "not a TwinSeal audit log or an export of one (JSON or CBOR)");
}

Result<ojson> exportDocument(const std::vector<AuditRecord>& records) {
    if (records.empty() || records[0].kind != AuditRecordKind::Header)
        return makeError(ErrorCode::AuditRecordCorrupt, "the log has no header record");
    const auto header = decodeHeader(records[0].payload);
    if (!header)
        return makeError(ErrorCode::AuditRecordCorrupt, "the log header does not decode");
    ojson entries = ojson::array(), checkpoints = ojson::array();
    for (std::size_t i = 1; i < records.size(); ++i) {
        const AuditRecord& rec = records[i];
        if (rec.kind == AuditRecordKind::Entry) {
            const auto e = decodeEntry(rec.payload);
            if (!e)
                return makeError(ErrorCode::AuditEntryModified, "the entry at position " +
                                                                    std::to_string(entries.size()) +
                                                                    " does not decode");
            entries.push_back(entryJson(*e, true));
        } else if (rec.kind == AuditRecordKind::Checkpoint) {
            const auto c = decodeCheckpointUnverified(rec.payload);
            if (!c)
                return makeError(ErrorCode::AuditCheckpointInvalid,
                                 "checkpoint #" + std::to_string(checkpoints.size()) +
                                     " does not decode");
            checkpoints.push_back(checkpointJson(*c, true));
        } else {
            return makeError(ErrorCode::AuditRecordCorrupt, "a second header record in the log");
        }
    }
    return ojson{{"format", kAuditExportFormat},
                 {"logId", header->logId},
                 {"createdAt", header->createdAt},
                 {"auditKey", keyJson(header->key)},
                 {"auditKeyThumbprint", base64UrlEncode(header->key.thumbprint())},
                 {"header", base64UrlEncode(records[0].payload)},
                 {"entries", std::move(entries)},
                 {"checkpoints", std::move(checkpoints)}};
}

// ---- validation of what is appended --------------------------------------------------------

Result<AuditEvent> validated(const AuditEvent& in) {
    auto bad = [](std::string what) {
        return makeError(ErrorCode::InvalidArgument, "audit event: " + std::move(what));
    };
    if (!isName(in.type))
        return bad("the event type '" + sanitizeUtf8(in.type) +
                   "' is not a lower-case name ([a-z][a-z0-9._-]*, at most 64 characters)");
    if (in.outcome == AuditOutcome::Failed && !isName(in.reason))
        return bad("a failed event needs a reason code ([a-z][a-z0-9._-]*)");
    if (in.outcome == AuditOutcome::Ok && !in.reason.empty())
        return bad("a successful event has no failure reason");
    if (in.fields.size() > kMaxAuditFields)
        return bad("more than " + std::to_string(kMaxAuditFields) + " fields");
    AuditEvent out;
    out.type = in.type;
    out.outcome = in.outcome;
    out.reason = in.reason;
    std::set<std::string> keys;
    for (const auto& f : in.fields) {
        if (!isName(f.key))
            return bad("the field key '" + sanitizeUtf8(f.key) + "' is not a lower-case name");
        if (namesSecret(f.key))
            return bad("the field key '" + f.key + "' names secret material; never log secrets");
        if (!keys.insert(f.key).second)
            return bad("the field key '" + f.key + "' appears twice");
        std::string value = sanitizeUtf8(f.value);
        if (value.size() > kMaxAuditValueLength)
            return bad("the value of '" + f.key + "' is longer than " +
                       std::to_string(kMaxAuditValueLength) + " bytes");
        out.fields.push_back({f.key, std::move(value)});
    }
    return out;
}

Error ioError(const std::string& what, const std::string& path, int err) {
    return makeError(ErrorCode::IoError, what + " " + path + ": " + std::strerror(err));
}

Status writeAll(int fd, ByteView data) {
    std::size_t done = 0;
    while (done < data.size()) {
        const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return makeError(ErrorCode::IoError, std::strerror(errno));
        }
        done += static_cast<std::size_t>(n);
    }
    return {};
}

void syncDirectoryOf(const std::string& path) {
    std::filesystem::path dir = std::filesystem::path(path).parent_path();
    if (dir.empty())
        dir = ".";
    const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        ::fsync(dfd);
        ::close(dfd);
    }
}

} // namespace

// ---- public helpers --------------------------------------------------------------------------

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

Result<AuditCheckpoint> parseAuditCheckpoint(ByteView envelope, const PublicKey& auditKey) {
    auto env = parseEnvelope(envelope, kAuditCheckpointType);
    TWINSEAL_TRY(env);
    if (!verifyEnvelope(*env, auditKey).ok())
        return makeError(ErrorCode::AuditCheckpointInvalid,
                         "the checkpoint's signature does not verify with the audit key");
    proto::AuditCheckpoint c;
    if (!parseMessage(env->body, c))
        return makeError(ErrorCode::MalformedInput, "not an audit checkpoint");
    if (c.version() != kVersion)
        return makeError(ErrorCode::UnsupportedVersion, "audit checkpoint version " +
                                                            std::to_string(c.version()) +
                                                            " is not supported");
    auto cp = decodeCheckpointUnverified(envelope);
    if (!cp)
        return makeError(ErrorCode::MalformedInput, "audit checkpoint: head hash is not SHA-256");
    return std::move(*cp);
}

Result<std::string> newAuditLogId(Random& random) {
    auto b = random.bytes(16);
    TWINSEAL_TRY(b);
    return "audit-" + toHex(*b);
}

std::string_view auditFormatName(AuditFormat f) noexcept {
    switch (f) {
    case AuditFormat::LogFile:
        return "log file";
    case AuditFormat::JsonExport:
        return "JSON export";
    case AuditFormat::CborExport:
        return "CBOR export";
    case AuditFormat::Unknown:
        break;
    }
    return "unknown";
}

AuditFormat detectAuditFormat(ByteView data) noexcept {
    if (data.size() >= sizeof kMagic && std::memcmp(data.data(), kMagic, sizeof kMagic) == 0)
        return AuditFormat::LogFile;
    std::size_t i = 0;
    if (data.size() >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF)
        i = 3; // UTF-8 byte order mark
    while (i < data.size() &&
           (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n'))
        ++i;
    if (i < data.size() && data[i] == '{')
        return AuditFormat::JsonExport;
    if (!data.empty() && (data[0] & 0xE0) == 0xA0) // CBOR major type 5: a map
        return AuditFormat::CborExport;
    return AuditFormat::Unknown;
}

// ---- framing (public) ------------------------------------------------------------------------

Bytes encodeAuditRecord(AuditRecordKind kind, ByteView payload) {
    const auto k = static_cast<std::uint8_t>(kind);
    const auto length = static_cast<std::uint32_t>(payload.size());
    Bytes out;
    out.reserve(kFrameHeaderSize + payload.size() + kChecksumSize);
    out.push_back(k);
    const auto len = be32(length);
    out.insert(out.end(), len.begin(), len.end());
    const auto fc = be32(frameCheck(k, length));
    out.insert(out.end(), fc.begin(), fc.end());
    out.insert(out.end(), payload.begin(), payload.end());
    const auto sum = recordChecksum(k, payload);
    out.insert(out.end(), sum.begin(), sum.end());
    return out;
}

Bytes encodeAuditFile(const std::vector<AuditRecord>& records) {
    Bytes out(std::begin(kMagic), std::end(kMagic));
    for (const auto& r : records) {
        const Bytes rec = encodeAuditRecord(r.kind, r.payload);
        out.insert(out.end(), rec.begin(), rec.end());
    }
    return out;
}

Result<std::vector<AuditRecord>> readAuditRecords(ByteView file) {
    Framing f = frame(file);
    if (f.problem)
        return makeError(f.problem->code, f.problem->detail);
    return std::move(f.records);
}

// ---- verification (public) -----------------------------------------------------------------

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

// ---- export (public) -------------------------------------------------------------------------

Result<std::string> exportAuditJson(ByteView data) {
    auto records = recordsForExport(data);
    TWINSEAL_TRY(records);
    auto doc = exportDocument(*records);
    TWINSEAL_TRY(doc);
    return dumpJson(*doc, 2) + "\n";
}

Result<Bytes> exportAuditCbor(ByteView data) {
    auto records = recordsForExport(data);
    TWINSEAL_TRY(records);
    auto doc = exportDocument(*records);
    TWINSEAL_TRY(doc);
    try {
        return ojson::to_cbor(*doc);
    } catch (const std::exception& e) {
        return makeError(ErrorCode::Internal, std::string("CBOR encoding failed: ") + e.what());
    }
}

// ---- filtering -------------------------------------------------------------------------------

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

// ---- AuditLog ----------------------------------------------------------------------------------

struct AuditLog::Impl {
    std::string path;
    int fd = -1;
    const Clock* clock = nullptr;
    std::string logId;
    PublicKey key;
    Digest genesis{};
    std::vector<AuditEntry> entries;
    std::vector<AuditCheckpoint> checkpoints;
    std::uint64_t fileSize = 0;

    ~Impl() {
        if (fd >= 0)
            ::close(fd); // releases the flock
    }

    Digest head() const { return entries.empty() ? genesis : entries.back().hash; }

    // Appends one framed record and makes it durable; on failure the file is cut back to its
    // previous size so no torn record stays behind.
    Status writeRecord(AuditRecordKind kind, ByteView payload) {
        if (fd < 0)
            return makeError(ErrorCode::InvalidArgument, "the audit log is not open");
        if (payload.size() > kMaxAuditRecordPayload)
            return makeError(ErrorCode::InvalidArgument, "the audit record is too large");
        const Bytes rec = encodeAuditRecord(kind, payload);
        auto st = writeAll(fd, rec);
        if (st.ok() && ::fsync(fd) != 0)
            st = makeError(ErrorCode::IoError, std::strerror(errno));
        if (!st.ok()) {
            if (::ftruncate(fd, static_cast<off_t>(fileSize)) == 0)
                (void)::fsync(fd);
            return makeError(ErrorCode::IoError,
                             "cannot append to the audit log " + path + ": " + st.error().detail);
        }
        fileSize += rec.size();
        return {};
    }
};

AuditLog::AuditLog() = default;
AuditLog::~AuditLog() = default;
AuditLog::AuditLog(AuditLog&&) noexcept = default;
AuditLog& AuditLog::operator=(AuditLog&&) noexcept = default;

Result<AuditLog> AuditLog::create(const std::string& path, std::string logId,
                                  const PublicKey& auditKey, const Clock& clock) {
    if (!isLogId(logId))
        return makeError(ErrorCode::InvalidArgument,
                         "an audit log id is 1-128 characters of [A-Za-z0-9._:-]");
    if (auditKey.empty())
        return makeError(ErrorCode::InvalidArgument, "an audit log needs an audit public key");
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0)
        return makeError(ErrorCode::InvalidArgument,
                         path + " exists already; refusing to replace an audit log");
    proto::AuditLogHeader h;
    h.set_version(kVersion);
    h.set_log_id(logId);
    detail::toProto(auditKey, h.mutable_audit_key());
    h.set_created_at(clock.now());
    Bytes file(std::begin(kMagic), std::end(kMagic));
    const Bytes rec = encodeAuditRecord(AuditRecordKind::Header, serialize(h));
    file.insert(file.end(), rec.begin(), rec.end());

    // Written beside the target, made durable, then linked into place: the log appears complete
    // or not at all, and an existing file is never replaced (link fails with EEXIST).
    namespace fs = std::filesystem;
    const fs::path target(path);
    fs::path dir = target.parent_path();
    if (dir.empty())
        dir = ".";
    auto rnd = SystemRandom::instance().bytes(8);
    TWINSEAL_TRY(rnd);
    const std::string tmp =
        (dir / ("." + target.filename().string() + ".tmp-" + toHex(*rnd))).string();
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return ioError("cannot create", tmp, errno);
    Status w = writeAll(fd, file);
    if (w.ok() && ::fsync(fd) != 0)
        w = ioError("cannot flush", tmp, errno);
    ::close(fd);
    if (!w.ok()) {
        ::unlink(tmp.c_str());
        return makeError(ErrorCode::IoError, "cannot write " + tmp + ": " + w.error().detail);
    }
    if (::link(tmp.c_str(), path.c_str()) != 0) {
        const int e = errno;
        ::unlink(tmp.c_str());
        if (e == EEXIST)
            return makeError(ErrorCode::InvalidArgument,
                             path + " exists already; refusing to replace an audit log");
        return ioError("cannot create", path, e);
    }
    ::unlink(tmp.c_str());
    syncDirectoryOf(path);
    AuditVerifyOptions o;
    o.auditKey = &auditKey;
    return open(path, clock, o);
}

Result<AuditLog> AuditLog::open(const std::string& path, const Clock& clock,
                                const AuditVerifyOptions& options, AuditOpenInfo* info) {
    auto impl = std::make_unique<Impl>();
    impl->path = path;
    impl->clock = &clock;
    impl->fd = ::open(path.c_str(), O_RDWR | O_APPEND | O_CLOEXEC);
    if (impl->fd < 0)
        return ioError("cannot open", path, errno);
    if (::flock(impl->fd, LOCK_EX | LOCK_NB) != 0) {
        const int e = errno;
        if (e == EWOULDBLOCK)
            return makeError(ErrorCode::IoError,
                             "the audit log " + path + " is in use by another process");
        return ioError("cannot lock", path, e);
    }
    Bytes data;
    {
        struct stat st {};
        if (::fstat(impl->fd, &st) != 0)
            return ioError("cannot read", path, errno);
        if (static_cast<std::uint64_t>(st.st_size) > kMaxAuditInput)
            return makeError(ErrorCode::MalformedInput,
                             path + " is larger than an audit log may be");
        data.resize(static_cast<std::size_t>(st.st_size));
        std::size_t done = 0;
        while (done < data.size()) {
            const ssize_t n =
                ::pread(impl->fd, data.data() + done, data.size() - done, static_cast<off_t>(done));
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0)
                return ioError("cannot read", path, errno);
            if (n == 0)
                break;
            done += static_cast<std::size_t>(n);
        }
        data.resize(done);
    }
    WalkState state;
    Framing f = frame(data);
    AuditVerification r;
    if (f.problem && f.records.empty() && !f.tornAt) {
        setFailure(r, *f.problem);
    } else {
        r = verifyRecords(f.records, true, f.problem, f.tornAt, options, AuditFormat::LogFile,
                          &state);
    }
    std::uint64_t size = data.size();
    AuditOpenInfo local;
    if (!r.ok() && r.tornTailOffset && state.headerOk) {
        // A torn last record: everything before it checked out. Cut it off, then check the rest
        // again (with the anchor, which was not reached).
        const std::uint64_t cut = *r.tornTailOffset;
        if (::ftruncate(impl->fd, static_cast<off_t>(cut)) != 0 || ::fsync(impl->fd) != 0)
            return ioError("cannot repair", path, errno);
        local.repairedBytes = size - cut;
        size = cut;
        r = verifyRecords(f.records, true, std::nullopt, std::nullopt, options,
                          AuditFormat::LogFile, &state);
    }
    if (!r.ok())
        return makeError(r.code, path + ": " + r.summary());
    impl->logId = r.logId;
    impl->key = state.recordedKey;
    impl->genesis = state.genesis;
    impl->entries = std::move(r.entries);
    impl->checkpoints = std::move(r.checkpoints);
    impl->fileSize = size;
    local.unsignedTail = impl->entries.size() -
                         (impl->checkpoints.empty() ? 0 : impl->checkpoints.back().entryCount);
    if (info)
        *info = local;
    AuditLog log;
    log.m_impl = std::move(impl);
    return log;
}

Result<AuditEntry> AuditLog::append(const AuditEvent& event) {
    if (!m_impl)
        return makeError(ErrorCode::InvalidArgument, "the audit log is not open");
    auto ev = validated(event);
    TWINSEAL_TRY(ev);
    proto::AuditEntry e;
    e.set_version(kVersion);
    e.set_sequence(m_impl->entries.size());
    e.set_timestamp(m_impl->clock->now());
    e.set_event(ev->type);
    e.set_outcome(ev->outcome == AuditOutcome::Ok ? proto::AUDIT_OUTCOME_OK
                                                  : proto::AUDIT_OUTCOME_FAILED);
    e.set_reason(ev->reason);
    for (const auto& f : ev->fields) {
        auto* pf = e.add_fields();
        pf->set_key(f.key);
        pf->set_value(f.value);
    }
    e.set_previous_hash(digestString(m_impl->head()));
    const Bytes stored = serialize(e);
    if (stored.size() > kMaxAuditRecordPayload)
        return makeError(ErrorCode::InvalidArgument, "audit event: the entry is too large");
    auto entry = decodeEntry(stored);
    if (!entry)
        return makeError(ErrorCode::Internal, "audit entry does not decode after encoding");
    TWINSEAL_TRY(m_impl->writeRecord(AuditRecordKind::Entry, stored));
    m_impl->entries.push_back(*entry);
    return std::move(*entry);
}

Result<AuditCheckpoint> AuditLog::checkpoint(const SigningKey& auditKey) {
    if (!m_impl)
        return makeError(ErrorCode::InvalidArgument, "the audit log is not open");
    if (!auditKey.valid() || !(auditKey.publicKey() == m_impl->key))
        return makeError(ErrorCode::KeyMismatch, "this is not the audit key of the log");
    if (!m_impl->checkpoints.empty() &&
        m_impl->checkpoints.back().entryCount == m_impl->entries.size())
        return m_impl->checkpoints.back();
    proto::AuditCheckpoint c;
    c.set_version(kVersion);
    c.set_log_id(m_impl->logId);
    c.set_number(m_impl->checkpoints.size());
    c.set_entry_count(m_impl->entries.size());
    c.set_head_hash(digestString(m_impl->head()));
    c.set_timestamp(m_impl->clock->now());
    auto env = signEnvelope(kAuditCheckpointType, serialize(c), auditKey);
    TWINSEAL_TRY(env);
    auto parsed = decodeCheckpointUnverified(*env);
    if (!parsed)
        return makeError(ErrorCode::Internal, "audit checkpoint does not decode after signing");
    TWINSEAL_TRY(m_impl->writeRecord(AuditRecordKind::Checkpoint, *env));
    m_impl->checkpoints.push_back(*parsed);
    return std::move(*parsed);
}

Result<AuditEntry> AuditLog::appendSigned(const AuditEvent& event, const SigningKey& auditKey) {
    auto e = append(event);
    TWINSEAL_TRY(e);
    TWINSEAL_TRY(checkpoint(auditKey));
    return e;
}

const std::vector<AuditEntry>& AuditLog::entries() const noexcept {
    static const std::vector<AuditEntry> none;
    return m_impl ? m_impl->entries : none;
}

const std::vector<AuditCheckpoint>& AuditLog::checkpoints() const noexcept {
    static const std::vector<AuditCheckpoint> none;
    return m_impl ? m_impl->checkpoints : none;
}

std::uint64_t AuditLog::unsignedTail() const noexcept {
    if (!m_impl)
        return 0;
    return m_impl->entries.size() -
           (m_impl->checkpoints.empty() ? 0 : m_impl->checkpoints.back().entryCount);
}

Bytes AuditLog::latestCheckpoint() const {
    if (!m_impl || m_impl->checkpoints.empty())
        return {};
    return m_impl->checkpoints.back().encoded;
}

const std::string& AuditLog::logId() const noexcept {
    static const std::string none;
    return m_impl ? m_impl->logId : none;
}

const PublicKey& AuditLog::auditKey() const noexcept {
    static const PublicKey none;
    return m_impl ? m_impl->key : none;
}

const std::string& AuditLog::path() const noexcept {
    static const std::string none;
    return m_impl ? m_impl->path : none;
}

bool AuditLog::isOpen() const noexcept {
    return m_impl && m_impl->fd >= 0;
}

Result<std::string> AuditLog::exportJson() const {
    if (!m_impl)
        return makeError(ErrorCode::InvalidArgument, "the audit log is not open");
    auto data = readFile(m_impl->path);
    TWINSEAL_TRY(data);
    return exportAuditJson(*data);
}

Result<Bytes> AuditLog::exportCbor() const {
    if (!m_impl)
        return makeError(ErrorCode::InvalidArgument, "the audit log is not open");
    auto data = readFile(m_impl->path);
    TWINSEAL_TRY(data);
    return exportAuditCbor(*data);
}

} // namespace twinseal::security
