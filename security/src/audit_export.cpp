// The activity log's JSON and CBOR exports: writing them from a log (or an export), and reading
// them back into records, every displayed member checked against the stored bytes.
#include "twinseal/security/audit_export.h"

#include <algorithm>
#include <exception>
#include <initializer_list>

#include "audit_internal.h"
#include "audit_json.h"

namespace twinseal::security {

using namespace audit_detail;

namespace {

// Nesting of an export document: object > entries array > entry object > fields object.
constexpr std::size_t kMaxExportDepth = 8;

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

} // namespace

namespace audit_detail {

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
        // A CBOR text string may hold invalid UTF-8: replaced, so the key then fails to match.
        auto shown = key && key->is_object()
                         ? PublicKey::fromJwk(
                               key->dump(-1, ' ', false, ojson::error_handler_t::replace))
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
        auto stored = ej.is_object() ? base64Member(ej, "stored") : std::nullopt;
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

} // namespace audit_detail

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

} // namespace twinseal::security
