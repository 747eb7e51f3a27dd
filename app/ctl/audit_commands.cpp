// twinsealctl audit verify / audit export: the client-side tamper-evident activity log
// (twinseal/security/audit.h), as a raw log file or a JSON or CBOR export of one.
#include <QCommandLineParser>

#include <ctime>
#include <optional>

#include <twinseal/security/audit.h>

#include "cli.h"
#include "commands.h"

namespace twinseal::ctl {

using namespace twinseal::security;

namespace {

// Text from the log (field values may come from peers) with control characters escaped, so it
// cannot drive the terminal.
std::string printable(std::string_view s) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        const bool c1 = c == 0xC2 && i + 1 < s.size() &&
                        static_cast<unsigned char>(s[i + 1]) >= 0x80 &&
                        static_cast<unsigned char>(s[i + 1]) <= 0x9F;
        if (c < 0x20 || c == 0x7F) {
            out += "\\x";
            out += digits[c >> 4];
            out += digits[c & 0x0F];
        } else if (c1) {
            const auto d = static_cast<unsigned char>(s[++i]);
            out += "\\u00";
            out += digits[d >> 4];
            out += digits[d & 0x0F];
        } else {
            out.push_back(static_cast<char>(c));
        }
    }
    return out;
}

std::string quoted(std::string_view s) {
    std::string p = printable(s);
    if (!p.empty() && p.find_first_of(" \"=") == std::string::npos)
        return p;
    std::string out = "\"";
    for (char c : p) {
        if (c == '"' || c == '\\')
            out.push_back('\\');
        out.push_back(c);
    }
    return out + "\"";
}

std::string utc(std::int64_t t) {
    const std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    char buf[32];
    if (!gmtime_r(&tt, &tm) || !std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%SZ", &tm))
        return std::to_string(t);
    return buf;
}

std::string pad(std::string s, std::size_t width) {
    if (s.size() < width)
        s.append(width - s.size(), ' ');
    return s;
}

std::string entryLine(const AuditEntry& e) {
    std::string s = "  " + pad("#" + std::to_string(e.sequence), 6) + " " + utc(e.timestamp) +
                    "  " + pad(e.outcome == AuditOutcome::Ok ? "ok" : "FAILED", 6) + "  " +
                    printable(e.type);
    if (e.outcome == AuditOutcome::Failed)
        s += " [" + printable(e.reason) + "]";
    for (const auto& f : e.fields)
        s += "  " + printable(f.key) + "=" + quoted(f.value);
    return s;
}

std::string checkpointLine(const AuditCheckpoint& c) {
    std::string covers = c.entryCount == 0   ? std::string("the empty log")
                         : c.entryCount == 1 ? std::string("entry 0")
                                             : "entries 0.." + std::to_string(c.entryCount - 1);
    return "  -- checkpoint #" + std::to_string(c.number) + " signed " + utc(c.timestamp) +
           ": covers " + covers + " (head " + toHex(c.headHash).substr(0, 16) + "...)";
}

// --key: a JWK (inline or in a file) or a TwinSeal key file (its public half; no passphrase).
Result<PublicKey> loadAuditKey(const QString& value) {
    auto trimmed = [](const std::string& s) {
        const auto b = s.find_first_not_of(" \t\r\n");
        return b == std::string::npos ? std::string() : s.substr(b);
    };
    const std::string inline_ = trimmed(value.toStdString());
    if (!inline_.empty() && inline_.front() == '{')
        return PublicKey::fromJwk(inline_);
    auto data = readBinary(value);
    TWINSEAL_TRY(data);
    const std::string text = trimmed(std::string(data->begin(), data->end()));
    if (!text.empty() && text.front() == '{')
        return PublicKey::fromJwk(text);
    auto pub = SigningKey::peekPublicKey(*data);
    if (pub.ok())
        return pub;
    return makeError(ErrorCode::MalformedInput, value.toStdString() +
                                                    " is neither a public JWK nor a TwinSeal "
                                                    "key file");
}

// --anchor: a checkpoint envelope, or an earlier copy or export of the log (its last
// checkpoint is used).
Result<Bytes> loadAnchor(const QString& path, const PublicKey* key) {
    auto data = readBinary(path);
    TWINSEAL_TRY(data);
    auto type = envelopeType(*data);
    if (type.ok() && *type == kAuditCheckpointType)
        return std::move(*data);
    // The app's sealed anchor (audit-anchor.tsc): its checkpoint, which the audit key signed (the
    // seal needs the passphrase and is the app's to check).
    if (auto sealed = readAuditAnchor(*data); sealed.ok()) {
        if (sealed->counter == 0)
            return makeError(ErrorCode::InvalidArgument,
                             "the anchor " + path.toStdString() +
                                 " holds no signed checkpoint yet (the log was never unlocked)");
        if (key && !(sealed->auditKey == *key))
            return makeError(ErrorCode::AuditKeyReplaced,
                             "the anchor " + path.toStdString() +
                                 " pins another audit key than the one given with --key");
        return std::move(sealed->checkpoint);
    }
    AuditVerifyOptions o;
    o.auditKey = key;
    const AuditVerification r = verifyAuditData(*data, o);
    if (!r.ok())
        return makeError(r.code,
                         "the anchor " + path.toStdString() + " does not verify: " + r.summary());
    if (r.checkpoints.empty())
        return makeError(ErrorCode::InvalidArgument,
                         "the anchor " + path.toStdString() + " holds no signed checkpoint");
    return r.checkpoints.back().encoded;
}

} // namespace

int cmdAuditVerify(const QStringList& args) {
    QCommandLineParser p;
    p.addPositionalArgument("file", "The activity log: the log file, or a JSON or CBOR export.");
    p.addOptions(
        {{"key",
          "The device's audit public key: a JWK (inline or a file) or the audit key file. "
          "Without it the key recorded in the log is used, which only shows the log is "
          "consistent with itself.",
          "jwk-or-file"},
         {"anchor",
          "A checkpoint seen before: the app's anchor (audit-anchor.tsc), an earlier export or "
          "copy of the log, or a saved checkpoint. The log must still hold everything it signed (detects a log cut back or "
          "rolled back to an earlier state).",
          "file"},
         {"log-id", "The log must have this id.", "id"},
         {"json", "Print the report as JSON."}});
    if (auto rc = parseCommand(
            p, args,
            "Verify a tamper-evident activity log: the hash chain of its entries and the "
            "signatures of its checkpoints. Detects any edited, deleted, inserted or reordered "
            "entry, forged or moved checkpoints and a torn last record. Entries after the last "
            "checkpoint (appended while the key was locked) are reported as an unsigned tail. "
            "Exit 0 intact, otherwise the exit code of the first problem (twinsealctl "
            "exit-codes)."))
        return *rc;
    if (p.positionalArguments().size() != 1)
        return usage(p, "give exactly one log file or export");
    const QString file = p.positionalArguments().first();
    std::optional<PublicKey> key;
    if (p.isSet("key")) {
        auto k = loadAuditKey(p.value("key"));
        if (!k.ok())
            return fail(k.error());
        key = std::move(*k);
    }
    AuditVerifyOptions options;
    options.auditKey = key ? &*key : nullptr;
    options.expectedLogId = p.value("log-id").toStdString();
    if (p.isSet("anchor")) {
        auto anchor = loadAnchor(p.value("anchor"), options.auditKey);
        if (!anchor.ok())
            return fail(anchor.error());
        options.anchor = std::move(*anchor);
    }
    auto data = readBinary(file);
    if (!data.ok())
        return fail(data.error());
    const AuditVerification r = verifyAuditData(*data, options);
    if (p.isSet("json")) {
        out(r.toJson());
        return exitCodeFor(r.code);
    }

    out("audit log: " + file.toStdString() + " (" + std::string(auditFormatName(r.format)) + ")");
    if (!r.logId.empty()) {
        out("log id:    " + printable(r.logId));
        out("created:   " + utc(r.createdAt));
    }
    if (!r.auditKey.empty())
        out("audit key: " + std::string(keyAlgorithmName(r.auditKey.algorithm())) +
            ", thumbprint " + base64UrlEncode(r.auditKey.thumbprint()) +
            (r.keyPinned ? " (given with --key)" : " (recorded in the log itself)"));
    out("entries:   " + std::to_string(r.entries.size()) +
        (r.ok() ? "" : " verified before the problem") +
        ", checkpoints: " + std::to_string(r.checkpoints.size()));
    std::size_t c = 0;
    for (std::size_t i = 0; i < r.entries.size(); ++i) {
        while (c < r.checkpoints.size() && r.checkpoints[c].entryCount <= i)
            out(checkpointLine(r.checkpoints[c++]));
        out(entryLine(r.entries[i]));
    }
    while (c < r.checkpoints.size())
        out(checkpointLine(r.checkpoints[c++]));

    if (!r.ok()) {
        out("[FAILED] " + printable(r.summary()));
        out("  what it means: " + r.meaning());
        if (r.offset)
            out("  at byte offset " + std::to_string(*r.offset) + " of the file");
        if (r.tornTailOffset)
            out("  the app removes an incomplete last record when it next opens the log");
        return exitCodeFor(r.code);
    }
    std::string summary = r.summary(); // "intact: ..."
    if (summary.rfind("intact: ", 0) == 0)
        summary.erase(0, 8);
    out("[INTACT] " + summary);
    if (r.anchorChecked)
        out("  the log still holds everything the anchor checkpoint signed");
    if (!r.keyPinned)
        out("  note: the audit key was taken from the log itself - this shows the log is "
            "consistent, not that your device wrote it; pass --key with your audit public key");
    return kExitOk;
}

int cmdAuditExport(const QStringList& args) {
    QCommandLineParser p;
    p.addPositionalArgument("file", "The activity log file (or an export, to convert it).");
    p.addOptions({{"format", "json or cbor.", "format", "json"},
                  {"out", "Write the export to <file>.", "file"}});
    if (auto rc = parseCommand(
            p, args,
            "Export an activity log as JSON or CBOR: the log id, the audit public key (JWK), "
            "every entry with its fields, hashes and stored bytes, and every signed checkpoint. "
            "`twinsealctl audit verify` checks an export exactly like the log."))
        return *rc;
    if (p.positionalArguments().size() != 1)
        return usage(p, "give exactly one log file");
    if (auto rc = require(p, {"out"}))
        return *rc;
    const QString format = p.value("format").toLower();
    if (format != "json" && format != "cbor")
        return usage(p, "--format is json or cbor");
    auto data = readBinary(p.positionalArguments().first());
    if (!data.ok())
        return fail(data.error());
    Bytes exported;
    if (format == "json") {
        auto j = exportAuditJson(*data);
        if (!j.ok())
            return fail(j.error());
        exported = toBytes(*j);
    } else {
        auto c = exportAuditCbor(*data);
        if (!c.ok())
            return fail(c.error());
        exported = std::move(*c);
    }
    if (auto st = writeBinary(p.value("out"), exported); !st.ok())
        return fail(st.error());
    const AuditVerification r = verifyAuditData(*data, {});
    const std::string to =
        " to " + p.value("out").toStdString() + " (" + format.toStdString() + ")";
    if (r.ok() || r.tornTailOffset)
        out("exported " + std::to_string(r.entries.size()) + " entries and " +
            std::to_string(r.checkpoints.size()) + " checkpoints of log " + printable(r.logId) +
            to);
    else
        out("exported log " + printable(r.logId) + to);
    if (r.tornTailOffset)
        info("note: the incomplete last record (an interrupted write) was left out");
    else if (!r.ok())
        info("warning: this log does not verify (" + printable(r.summary()) +
             "); the export carries the same evidence: twinsealctl audit verify " +
             p.value("out").toStdString());
    return kExitOk;
}

} // namespace twinseal::ctl
