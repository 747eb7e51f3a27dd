// The activity log's file format: record framing and checksums, decoding of the header, entries
// and checkpoint envelopes, and telling a log file from its exports.
#include "twinseal/security/audit_format.h"

#include <algorithm>
#include <array>
#include <cstring>

#include "audit_internal.h"
#include "pkey_util.h"
#include "twinseal/proto/codec.h"
#include "twinseal/proto/twinseal.pb.h"

namespace twinseal::security {

using namespace audit_detail;

namespace {

constexpr std::string_view kEntryContext = "TwinSeal-Audit-Entry-v1";
constexpr std::string_view kGenesisContext = "TwinSeal-Audit-Genesis-v1";
constexpr std::string_view kFrameContext = "TwinSeal-Audit-Frame-v1";
constexpr std::string_view kRecordContext = "TwinSeal-Audit-Record-v1";

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

bool toDigest(const std::string& s, Digest& out) {
    if (s.size() != out.size())
        return false;
    std::memcpy(out.data(), s.data(), out.size());
    return true;
}

bool allZero(ByteView b) {
    return std::all_of(b.begin(), b.end(), [](std::uint8_t c) { return c == 0; });
}

bool knownKind(std::uint8_t k) {
    return k == static_cast<std::uint8_t>(AuditRecordKind::Header) ||
           k == static_cast<std::uint8_t>(AuditRecordKind::Entry) ||
           k == static_cast<std::uint8_t>(AuditRecordKind::Checkpoint);
}

} // namespace

namespace audit_detail {

Digest genesisHash(ByteView header) {
    return contextHash(kGenesisContext, header);
}

std::string digestString(const Digest& d) {
    return std::string(reinterpret_cast<const char*>(d.data()), d.size());
}

bool isLogId(std::string_view s) {
    if (s.empty() || s.size() > kMaxAuditLogIdLength)
        return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '.' || c == '_' || c == '-' || c == ':';
    });
}

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

std::optional<AuditCheckpoint> decodeCheckpointUnverified(ByteView envelope,
                                                          SignedEnvelope* envOut) {
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

} // namespace audit_detail

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

} // namespace twinseal::security
