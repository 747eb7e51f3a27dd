#pragma once

// Ownership transfer of a digital twin. Two signed statements, both recorded in the
// transparency log:
//
//   - the offer ("twinseal.transfer-offer.v1"), signed by the DT's current holder key: which DT
//     (and which of its credentials) is offered, to whom (a transfer handle, or nobody in
//     particular: then the home network hands the owner a one-time code), until when;
//   - the acceptance ("twinseal.transfer-acceptance.v1"), signed by the recipient's NEW holder
//     key (proof of possession): which transfer and which offer (by digest) is accepted, and the
//     recipient-signed manifest (by digest) of the same avatar media.
//
// The home network writes both envelopes, as received, into the details of the
// LOG_ENTRY_TRANSFER entry (a TransferRecord), so anyone holding that entry can check both
// signatures with verifyTransferEntry().

#include <cstdint>
#include <string>

#include "twinseal/security/keys.h"
#include "twinseal/security/manifest.h"
#include "twinseal/security/translog.h"

namespace twinseal::security {

inline constexpr const char* kTransferOfferType = "twinseal.transfer-offer.v1";
inline constexpr const char* kTransferAcceptanceType = "twinseal.transfer-acceptance.v1";
// Signed requests must be within this many seconds of the service's clock.
inline constexpr std::int64_t kTransferWindow = 60;
// An offer lasts at least a minute and at most a week (expires_at - timestamp).
inline constexpr std::int64_t kMinTransferTtl = 60;
inline constexpr std::int64_t kMaxTransferTtl = std::int64_t{7} * 86400;
// "tw-" followed by 10 characters of lower-case RFC 4648 base32 (a-z, 2-7).
inline constexpr std::size_t kTransferHandleLength = 13;

// True for a well-formed transfer handle.
[[nodiscard]] bool isTransferHandle(std::string_view handle) noexcept;

struct TransferOffer {
    std::string dtId;
    Digest credentialDigest{};   // Credential::digest() of the DT's current credential
    PublicKey holderKey;         // the DT's current holder key: the signer
    std::string recipientHandle; // empty: a code-based offer
    std::int64_t expiresAt = 0;
    std::string aKid; // the owner's AKMA session
    std::int64_t timestamp = 0;
    Bytes nonce; // 16-64 bytes
};

struct ParsedTransferOffer {
    TransferOffer offer;
    Bytes encoded; // the whole envelope as received
    // SHA-256 of the envelope: what an acceptance names.
    [[nodiscard]] Digest digest() const;
};

// Signs `offer` with `holderKey` (whose public key must be offer.holderKey: KeyMismatch).
[[nodiscard]] Result<Bytes> signTransferOffer(const TransferOffer& offer,
                                              const SigningKey& holderKey);
// Parses the envelope and verifies its signature with the holder key it carries. Errors:
// MalformedInput / WrongObjectType / UnsupportedVersion (shape, including a validity outside
// kMinTransferTtl..kMaxTransferTtl or a malformed recipient handle), BadSignature.
// No clock: see checkTransferTime.
[[nodiscard]] Result<ParsedTransferOffer> parseTransferOffer(ByteView encoded);

struct TransferAcceptance {
    std::string transferId;
    Digest offerDigest{};    // ParsedTransferOffer::digest() of the offer accepted
    PublicKey holderKey;     // the recipient's new holder key: the signer
    Digest manifestDigest{}; // SHA-256 of the recipient-signed manifest envelope
    Digest mediaRoot{};      // that manifest's package root
    std::string aKid;        // the recipient's AKMA session
    std::int64_t timestamp = 0;
    Bytes nonce; // 16-64 bytes
};

struct ParsedTransferAcceptance {
    TransferAcceptance acceptance;
    Bytes encoded;
    [[nodiscard]] Digest digest() const;
};

// Signs `acceptance` with the recipient's new holder key (KeyMismatch unless it is
// acceptance.holderKey).
[[nodiscard]] Result<Bytes> signTransferAcceptance(const TransferAcceptance& acceptance,
                                                   const SigningKey& holderKey);
// Parses the envelope and verifies its signature with the holder key it carries (MalformedInput /
// WrongObjectType / UnsupportedVersion / BadSignature).
[[nodiscard]] Result<ParsedTransferAcceptance> parseTransferAcceptance(ByteView encoded);

// The signed manifest an acceptance names: parsed and verified (manifest errors), signed by the
// acceptance's holder key (KeyMismatch), the very envelope it names (MalformedInput) and for the
// media root it names (MediaRootMismatch).
[[nodiscard]] Result<SignedManifest> checkAcceptanceManifest(const TransferAcceptance& acceptance,
                                                             ByteView signedManifest);

// A signed request's timestamp against the service's clock: RequestAuthStale outside
// kTransferWindow.
[[nodiscard]] Status checkTransferTime(std::int64_t timestamp, std::int64_t now);
// OfferExpired once now >= offer.expiresAt.
[[nodiscard]] Status checkOfferNotExpired(const TransferOffer& offer, std::int64_t now);

// ---- the log record ---------------------------------------------------------------------------

struct TransferRecord {
    std::string transferId;
    Bytes offer;      // the offer envelope
    Bytes acceptance; // the acceptance envelope

    [[nodiscard]] Bytes encode() const; // Protobuf twinseal.proto.TransferRecord
    [[nodiscard]] static Result<TransferRecord> decode(ByteView encoded);
};

struct VerifiedTransfer {
    std::string transferId;
    ParsedTransferOffer offer;
    ParsedTransferAcceptance acceptance;
};

// Checks a LOG_ENTRY_TRANSFER entry: its details decode as a TransferRecord, both envelopes
// verify, the offer is for the entry's DT, the acceptance names this offer (digest) and this
// transfer. InvalidArgument for an entry of another type; MalformedInput / BadSignature.
[[nodiscard]] Result<VerifiedTransfer> verifyTransferEntry(const LogEntry& entry);
// The same, for the credential it transfers, whose holder key is `transferredHolderKey` (from
// that credential, or the log entry that issued it): the offer must be signed by that key, not
// merely by the key it carries itself (TransferSignerMismatch). The entry's own holder key, when
// recorded, must be the acceptance's signer, the recipient's new key (KeyMismatch).
[[nodiscard]] Result<VerifiedTransfer> verifyTransferEntry(const LogEntry& entry,
                                                           const PublicKey& transferredHolderKey);

} // namespace twinseal::security
