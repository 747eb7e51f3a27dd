// The activity log's sealed anchor: its file format (an HMAC-sealed AuditAnchorBody), the key
// that seals it (derived from the unlocked audit key) and the fail-closed check of the data
// directory's audit files against each other.
#include "twinseal/security/audit_anchor.h"

#include <openssl/evp.h>

#include "audit_internal.h"
#include "pkey_util.h"
#include "twinseal/proto/codec.h"
#include "twinseal/proto/twinseal.pb.h"
#include "twinseal/security/crypto.h"

namespace twinseal::security {

using namespace audit_detail;

namespace {

constexpr std::size_t kMaxAnchorFile = std::size_t{16} * 1024;
constexpr std::string_view kMacContext = "TwinSeal-Audit-Anchor-v1";
constexpr std::string_view kKdfInfo = "TwinSeal-Audit-Anchor-Key-v1";

Error invalid(std::string why) {
    return makeError(ErrorCode::AuditAnchorInvalid, "the activity log's anchor " + std::move(why));
}

Bytes macInput(ByteView body) {
    Bytes in(kMacContext.begin(), kMacContext.end());
    in.push_back(0);
    in.insert(in.end(), body.begin(), body.end());
    return in;
}

struct ParsedAnchor {
    AuditAnchor anchor;
    Bytes body;
    Bytes mac;
};

Result<ParsedAnchor> parse(ByteView file) {
    if (file.size() > kMaxAnchorFile)
        return invalid("is larger than an anchor can be");
    proto::AuditAnchorFile f;
    if (!proto::parseMessage(file, f) || f.type() != kAuditAnchorType)
        return invalid("is not a TwinSeal audit anchor (" + std::string(kAuditAnchorType) + ")");
    proto::AuditAnchorBody b;
    if (!proto::parseMessage(view(f.body()), b) || b.version() != kVersion)
        return invalid("has a body that does not decode");
    ParsedAnchor p;
    p.body.assign(f.body().begin(), f.body().end());
    p.mac.assign(f.mac().begin(), f.mac().end());
    AuditAnchor& a = p.anchor;
    a.logId = b.log_id();
    if (!isLogId(a.logId))
        return invalid("names no valid log id");
    auto key = detail::fromProto(b.audit_key());
    if (!key.ok())
        return invalid("holds no valid audit key: " + key.error().message());
    a.auditKey = std::move(*key);
    a.counter = b.counter();
    a.sealedAt = b.sealed_at();
    a.checkpoint.assign(b.checkpoint().begin(), b.checkpoint().end());
    if (a.counter == 0) {
        if (!a.checkpoint.empty())
            return invalid("holds a checkpoint but a counter of 0");
        return p;
    }
    auto cp = parseAuditCheckpoint(a.checkpoint, a.auditKey);
    if (!cp.ok())
        return invalid("holds a checkpoint that does not verify with its audit key: " +
                       cp.error().message());
    if (cp->logId != a.logId)
        return invalid("holds a checkpoint of log '" + cp->logId + "', not of '" + a.logId + "'");
    if (cp->number + 1 != a.counter)
        return invalid("counts " + std::to_string(a.counter) + " checkpoints but holds checkpoint #" +
                       std::to_string(cp->number));
    return p;
}

} // namespace

AuditAnchor AuditAnchor::of(const std::string& logId, const PublicKey& auditKey,
                            const Bytes& latestCheckpoint, std::uint64_t checkpointCount,
                            std::int64_t now) {
    AuditAnchor a;
    a.logId = logId;
    a.auditKey = auditKey;
    a.counter = checkpointCount;
    if (checkpointCount > 0)
        a.checkpoint = latestCheckpoint;
    a.sealedAt = now;
    return a;
}

Result<AuditAnchor> readAuditAnchor(ByteView file) {
    auto p = parse(file);
    TWINSEAL_TRY(p);
    return std::move(p->anchor);
}

Result<AuditAnchorKey> AuditAnchorKey::derive(const SigningKey& auditKey) {
    if (!auditKey.valid() || auditKey.algorithm() != KeyAlgorithm::Ed25519)
        return makeError(ErrorCode::InvalidArgument, "the audit key must be an Ed25519 key");
    SecureBytes seed(32);
    std::size_t len = seed.size();
    if (EVP_PKEY_get_raw_private_key(static_cast<EVP_PKEY*>(auditKey.nativeHandle()), seed.data(),
                                     &len) != 1 ||
        len != 32)
        return opensslError(ErrorCode::CryptoFailure, "cannot read the audit key");
    auto k = hkdfSha256(seed, view(std::string_view("TwinSeal audit anchor")), view(kKdfInfo), 32);
    TWINSEAL_TRY(k);
    AuditAnchorKey out;
    out.m_key = std::move(*k);
    out.m_public = auditKey.publicKey();
    return out;
}

Result<Bytes> AuditAnchorKey::seal(const AuditAnchor& anchor) const {
    if (!valid())
        return makeError(ErrorCode::InvalidArgument, "no anchor key");
    if (!(anchor.auditKey == m_public))
        return makeError(ErrorCode::KeyMismatch, "the anchor pins another audit key");
    proto::AuditAnchorBody b;
    b.set_version(kVersion);
    b.set_log_id(anchor.logId);
    detail::toProto(anchor.auditKey, b.mutable_audit_key());
    b.set_counter(anchor.counter);
    b.set_checkpoint(toString(anchor.checkpoint));
    b.set_sealed_at(anchor.sealedAt);
    const Bytes body = proto::serialize(b);
    auto mac = hmacSha256(m_key, macInput(body));
    TWINSEAL_TRY(mac);
    proto::AuditAnchorFile f;
    f.set_type(kAuditAnchorType);
    f.set_body(toString(body));
    f.set_mac(toString(*mac));
    const Bytes file = proto::serialize(f);
    // What is written must read back (a checkpoint that does not fit is a caller's bug).
    if (auto back = parse(file); !back.ok())
        return makeError(ErrorCode::InvalidArgument, back.error().detail);
    return file;
}

Result<AuditAnchor> AuditAnchorKey::open(ByteView file) const {
    if (!valid())
        return makeError(ErrorCode::InvalidArgument, "no anchor key");
    auto p = parse(file);
    TWINSEAL_TRY(p);
    if (p->mac.size() != 32 || !hmacSha256Verify(m_key, macInput(p->body), p->mac).ok())
        return invalid("was not sealed by this device's audit key (forged or replaced): its seal "
                       "does not verify");
    if (!(p->anchor.auditKey == m_public))
        return invalid("pins another audit key than this device's");
    return std::move(p->anchor);
}

Status checkAuditDirectory(const AuditDirectory& dir, AuditVerifyOptions& options) {
    options = {};
    if (!dir.keyFile) {
        if (dir.logExists || dir.anchor)
            return makeError(ErrorCode::AuditKeyMissing,
                             "audit.key is gone but the activity log" +
                                 std::string(dir.anchor ? " and its anchor remain" : " remains") +
                                 ": without the key the log cannot be continued and a replaced "
                                 "log cannot be told apart. Restore audit.key from a backup of "
                                 "the data directory");
        return {};
    }
    if (dir.anchor) {
        const AuditAnchor& a = *dir.anchor;
        if (!(a.auditKey == *dir.keyFile))
            return makeError(ErrorCode::AuditKeyReplaced,
                             "audit.key holds the key " +
                                 base64UrlEncode(dir.keyFile->thumbprint()) +
                                 " but the activity log's anchor pins " +
                                 base64UrlEncode(a.auditKey.thumbprint()) +
                                 ": the audit key was replaced. Restore the original audit.key "
                                 "from a backup");
        if (!dir.logExists)
            return makeError(ErrorCode::AuditLogTruncated,
                             "the activity log " + a.logId + " is gone but its anchor counts " +
                                 std::to_string(a.counter) +
                                 " signed checkpoints: it was deleted. Restore audit.log from a "
                                 "backup of the data directory");
        options.auditKey = &a.auditKey;
        options.expectedLogId = a.logId;
        options.anchor = a.checkpoint;
        options.pinnedByDevice = true;
        return {};
    }
    options.auditKey = &*dir.keyFile;
    options.requireAnchor = true;
    options.pinnedByDevice = true;
    return {};
}

} // namespace twinseal::security
