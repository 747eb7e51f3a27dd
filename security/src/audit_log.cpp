// The activity log's writer: validates what is appended, creates and opens the log file (locked,
// verified, a torn last record repaired) and appends records durably.
#include "twinseal/security/audit_log.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <set>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit_internal.h"
#include "fd_io.h"
#include "pkey_util.h"
#include "twinseal/proto/codec.h"
#include "twinseal/proto/twinseal.pb.h"

namespace twinseal::security {

using namespace audit_detail;

namespace {

// Lower-case names: a letter, then [a-z0-9._-].
bool isName(std::string_view s) {
    if (s.empty() || s.size() > kMaxAuditNameLength || s[0] < 'a' || s[0] > 'z')
        return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
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
    return makeError(ErrorCode::IoError, what + " " + path + ": " + systemErrorText(err));
}

void syncDirectoryOf(const std::string& path) {
    std::filesystem::path dir = std::filesystem::path(path).parent_path();
    if (dir.empty())
        dir = ".";
    detail::syncDirectory(dir);
}

} // namespace

Result<std::string> newAuditLogId(Random& random) {
    auto b = random.bytes(16);
    TWINSEAL_TRY(b);
    return "audit-" + toHex(*b);
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
        auto st = detail::writeAll(fd, rec);
        if (st.ok() && ::fsync(fd) != 0)
            st = makeError(ErrorCode::IoError, systemErrorText(errno));
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
    Status w = detail::writeAll(fd, file);
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
