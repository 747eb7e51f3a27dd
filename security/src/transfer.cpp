#include "twinseal/security/transfer.h"

#include "time_arith.h"

#include <climits>
#include <cstring>

#include "pkey_util.h"
#include "twinseal/proto/homenet.pb.h"
#include "twinseal/security/signed.h"
#include "twinseal/proto/codec.h"

namespace twinseal::security {
namespace {

constexpr std::uint32_t kVersion = 1;
constexpr std::size_t kMinNonce = 16;
constexpr std::size_t kMaxNonce = 64;
constexpr std::size_t kMaxDtIdLength = 128;
constexpr std::size_t kMaxAkidLength = 512;
constexpr std::size_t kMaxTransferIdLength = 128;

std::string fromDigest(const Digest& d) {
    return std::string(reinterpret_cast<const char*>(d.data()), d.size());
}

bool toDigest(const std::string& s, Digest& out) {
    if (s.size() != out.size())
        return false;
    std::memcpy(out.data(), s.data(), out.size());
    return true;
}

Error malformed(const char* what, std::string detail) {
    return makeError(ErrorCode::MalformedInput, std::string(what) + ": " + std::move(detail));
}

Status checkNonce(const Bytes& nonce, ErrorCode code) {
    if (nonce.size() < kMinNonce || nonce.size() > kMaxNonce)
        return makeError(code, "the nonce must be 16-64 bytes");
    return {};
}

} // namespace

bool isTransferHandle(std::string_view handle) noexcept {
    if (handle.size() != kTransferHandleLength || handle.substr(0, 3) != "tw-")
        return false;
    for (char c : handle.substr(3))
        if (!((c >= 'a' && c <= 'z') || (c >= '2' && c <= '7')))
            return false;
    return true;
}

// ---- offer --------------------------------------------------------------------------------------

Digest ParsedTransferOffer::digest() const {
    return sha256(encoded);
}

Result<Bytes> signTransferOffer(const TransferOffer& offer, const SigningKey& holderKey) {
    if (!holderKey.valid() || !(holderKey.publicKey() == offer.holderKey))
        return makeError(ErrorCode::KeyMismatch,
                         "a transfer offer must be signed by the holder key it names");
    TWINSEAL_TRY(checkNonce(offer.nonce, ErrorCode::InvalidArgument));
    if (offer.dtId.empty() || offer.aKid.empty())
        return makeError(ErrorCode::InvalidArgument, "a transfer offer names a DT and a session");
    if (!offer.recipientHandle.empty() && !isTransferHandle(offer.recipientHandle))
        return makeError(ErrorCode::InvalidArgument,
                         "\"" + offer.recipientHandle + "\" is not a transfer handle");
    proto::TransferOfferBody body;
    body.set_version(kVersion);
    body.set_dt_id(offer.dtId);
    body.set_credential_digest(fromDigest(offer.credentialDigest));
    detail::toProto(offer.holderKey, body.mutable_holder_key());
    body.set_recipient_handle(offer.recipientHandle);
    body.set_expires_at(offer.expiresAt);
    body.set_a_kid(offer.aKid);
    body.set_timestamp(offer.timestamp);
    body.set_nonce(toString(offer.nonce));
    std::string bytes;
    if (!serializeTo(body, bytes))
        return makeError(ErrorCode::Internal, "cannot serialize the transfer offer");
    return signEnvelope(kTransferOfferType, view(bytes), holderKey);
}

Result<ParsedTransferOffer> parseTransferOffer(ByteView encoded) {
    auto envelope = parseEnvelope(encoded, kTransferOfferType);
    TWINSEAL_TRY(envelope);
    proto::TransferOfferBody body;
    if (!parseMessage(envelope->body, body))
        return malformed("transfer offer", "the body is not a TransferOfferBody");
    if (body.version() != kVersion)
        return makeError(ErrorCode::UnsupportedVersion,
                         "transfer offer version " + std::to_string(body.version()));
    if (body.dt_id().empty() || body.dt_id().size() > kMaxDtIdLength)
        return malformed("transfer offer", "it names no DT");
    if (body.a_kid().empty() || body.a_kid().size() > kMaxAkidLength)
        return malformed("transfer offer", "it names no A-KID");
    if (!body.recipient_handle().empty() && !isTransferHandle(body.recipient_handle()))
        return malformed("transfer offer", "the recipient is not a transfer handle");
    ParsedTransferOffer out;
    TransferOffer& o = out.offer;
    if (!toDigest(body.credential_digest(), o.credentialDigest))
        return malformed("transfer offer", "the credential digest is not SHA-256");
    o.nonce = toBytes(body.nonce());
    if (auto st = checkNonce(o.nonce, ErrorCode::MalformedInput); !st.ok())
        return malformed("transfer offer", st.error().detail);
    const std::int64_t ttl = body.expires_at() - body.timestamp();
    if (body.expires_at() < body.timestamp() || ttl < kMinTransferTtl || ttl > kMaxTransferTtl)
        return malformed("transfer offer", "it must be valid for 1 minute to 7 days");
    auto holder = detail::fromProto(body.holder_key());
    if (!holder.ok())
        return malformed("transfer offer", "the holder key is invalid: " + holder.error().detail);
    o.holderKey = std::move(holder).value();
    if (auto st = verifyEnvelope(*envelope, o.holderKey); !st.ok())
        return makeError(ErrorCode::BadSignature,
                         "the transfer offer is not signed by the holder key it names");
    o.dtId = body.dt_id();
    o.recipientHandle = body.recipient_handle();
    o.expiresAt = body.expires_at();
    o.aKid = body.a_kid();
    o.timestamp = body.timestamp();
    out.encoded.assign(encoded.begin(), encoded.end());
    return out;
}

// ---- acceptance ---------------------------------------------------------------------------------

Digest ParsedTransferAcceptance::digest() const {
    return sha256(encoded);
}

Result<Bytes> signTransferAcceptance(const TransferAcceptance& a, const SigningKey& holderKey) {
    if (!holderKey.valid() || !(holderKey.publicKey() == a.holderKey))
        return makeError(ErrorCode::KeyMismatch,
                         "a transfer acceptance must be signed by the new holder key it names");
    TWINSEAL_TRY(checkNonce(a.nonce, ErrorCode::InvalidArgument));
    if (a.transferId.empty() || a.aKid.empty())
        return makeError(ErrorCode::InvalidArgument,
                         "a transfer acceptance names a transfer and a session");
    proto::TransferAcceptanceBody body;
    body.set_version(kVersion);
    body.set_transfer_id(a.transferId);
    body.set_offer_digest(fromDigest(a.offerDigest));
    detail::toProto(a.holderKey, body.mutable_holder_key());
    body.set_manifest_digest(fromDigest(a.manifestDigest));
    body.set_media_root(fromDigest(a.mediaRoot));
    body.set_a_kid(a.aKid);
    body.set_timestamp(a.timestamp);
    body.set_nonce(toString(a.nonce));
    std::string bytes;
    if (!serializeTo(body, bytes))
        return makeError(ErrorCode::Internal, "cannot serialize the transfer acceptance");
    return signEnvelope(kTransferAcceptanceType, view(bytes), holderKey);
}

Result<ParsedTransferAcceptance> parseTransferAcceptance(ByteView encoded) {
    auto envelope = parseEnvelope(encoded, kTransferAcceptanceType);
    TWINSEAL_TRY(envelope);
    proto::TransferAcceptanceBody body;
    if (!parseMessage(envelope->body, body))
        return malformed("transfer acceptance", "the body is not a TransferAcceptanceBody");
    if (body.version() != kVersion)
        return makeError(ErrorCode::UnsupportedVersion,
                         "transfer acceptance version " + std::to_string(body.version()));
    if (body.transfer_id().empty() || body.transfer_id().size() > kMaxTransferIdLength)
        return malformed("transfer acceptance", "it names no transfer");
    if (body.a_kid().empty() || body.a_kid().size() > kMaxAkidLength)
        return malformed("transfer acceptance", "it names no A-KID");
    ParsedTransferAcceptance out;
    TransferAcceptance& a = out.acceptance;
    if (!toDigest(body.offer_digest(), a.offerDigest) ||
        !toDigest(body.manifest_digest(), a.manifestDigest) ||
        !toDigest(body.media_root(), a.mediaRoot))
        return malformed("transfer acceptance", "a digest is not SHA-256");
    a.nonce = toBytes(body.nonce());
    if (auto st = checkNonce(a.nonce, ErrorCode::MalformedInput); !st.ok())
        return malformed("transfer acceptance", st.error().detail);
    auto holder = detail::fromProto(body.holder_key());
    if (!holder.ok())
        return malformed("transfer acceptance",
                         "the holder key is invalid: " + holder.error().detail);
    a.holderKey = std::move(holder).value();
    if (auto st = verifyEnvelope(*envelope, a.holderKey); !st.ok())
        return makeError(ErrorCode::BadSignature,
                         "proof of possession failed: the transfer acceptance is not signed by "
                         "the holder key it names");
    a.transferId = body.transfer_id();
    a.aKid = body.a_kid();
    a.timestamp = body.timestamp();
    out.encoded.assign(encoded.begin(), encoded.end());
    return out;
}

Result<SignedManifest> checkAcceptanceManifest(const TransferAcceptance& acceptance,
                                               ByteView signedManifest) {
    if (sha256(signedManifest) != acceptance.manifestDigest)
        return makeError(ErrorCode::MalformedInput,
                         "the manifest sent is not the one the acceptance names");
    auto manifest = parseSignedManifest(signedManifest);
    TWINSEAL_TRY(manifest);
    if (!(manifest->manifest.holderKey == acceptance.holderKey))
        return makeError(ErrorCode::KeyMismatch,
                         "the avatar manifest is signed by another key than the new holder key");
    if (manifest->manifest.packageRoot != acceptance.mediaRoot)
        return makeError(ErrorCode::MediaRootMismatch,
                         "the avatar manifest is for other media than the acceptance names");
    return manifest;
}

Status checkTransferTime(std::int64_t timestamp, std::int64_t now) {
    const std::int64_t skew = timeDistance(now, timestamp);
    if (skew > kTransferWindow)
        return makeError(ErrorCode::RequestAuthStale,
                         "signed " + std::to_string(skew) +
                             " s away from the service's clock (allowed: 60 s)");
    return {};
}

Status checkOfferNotExpired(const TransferOffer& offer, std::int64_t now) {
    if (now >= offer.expiresAt)
        return makeError(ErrorCode::OfferExpired,
                         "the transfer offer expired at " + std::to_string(offer.expiresAt));
    return {};
}

// ---- the log record -----------------------------------------------------------------------------

Bytes TransferRecord::encode() const {
    proto::TransferRecord r;
    r.set_version(kVersion);
    r.set_transfer_id(transferId);
    r.set_offer(toString(offer));
    r.set_acceptance(toString(acceptance));
    return serialize(r);
}

Result<TransferRecord> TransferRecord::decode(ByteView encoded) {
    proto::TransferRecord r;
    if (encoded.empty() || encoded.size() > static_cast<std::size_t>(INT_MAX) ||
        !parseMessage(encoded, r))
        return malformed("transfer record", "it cannot be parsed");
    if (r.version() != kVersion)
        return makeError(ErrorCode::UnsupportedVersion,
                         "transfer record version " + std::to_string(r.version()));
    if (r.transfer_id().empty() || r.offer().empty() || r.acceptance().empty())
        return malformed("transfer record", "it lacks the transfer id, offer or acceptance");
    return TransferRecord{r.transfer_id(), toBytes(r.offer()), toBytes(r.acceptance())};
}

Result<VerifiedTransfer> verifyTransferEntry(const LogEntry& entry) {
    if (entry.type != LogEntryType::Transfer)
        return makeError(ErrorCode::InvalidArgument, "the log entry is a " +
                                                         std::string(logEntryTypeName(entry.type)) +
                                                         ", not a transfer");
    auto record = TransferRecord::decode(entry.details);
    TWINSEAL_TRY(record);
    auto offer = parseTransferOffer(record->offer);
    TWINSEAL_TRY(offer);
    auto acceptance = parseTransferAcceptance(record->acceptance);
    TWINSEAL_TRY(acceptance);
    if (offer->offer.dtId != entry.dtId)
        return malformed("transfer record", "the offer is for DT " + offer->offer.dtId +
                                                ", the log entry for " + entry.dtId);
    if (acceptance->acceptance.offerDigest != offer->digest())
        return malformed("transfer record", "the acceptance names another offer");
    if (acceptance->acceptance.transferId != record->transferId)
        return malformed("transfer record", "the acceptance names another transfer");
    return VerifiedTransfer{record->transferId, std::move(offer).value(),
                            std::move(acceptance).value()};
}

Result<VerifiedTransfer> verifyTransferEntry(const LogEntry& entry,
                                             const PublicKey& transferredHolderKey) {
    auto verified = verifyTransferEntry(entry);
    TWINSEAL_TRY(verified);
    if (transferredHolderKey.empty() || !(verified->offer.offer.holderKey == transferredHolderKey))
        return makeError(ErrorCode::TransferSignerMismatch,
                         "transfer " + verified->transferId +
                             ": the offer is not signed by the holder key of the credential it "
                             "transfers");
    if (!entry.holderKey.empty() && !(entry.holderKey == verified->acceptance.acceptance.holderKey))
        return makeError(ErrorCode::KeyMismatch,
                         "transfer " + verified->transferId +
                             ": the entry's holder key is not the key that accepted");
    return verified;
}

} // namespace twinseal::security
