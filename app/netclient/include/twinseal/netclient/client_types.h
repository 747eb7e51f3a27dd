// Values the home-network client hands back: plain structs over the security library's types
// (no Protobuf, no OpenSSL), so the UI can include them.
#pragma once

#include <QString>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <twinseal/security/credential.h>
#include <twinseal/security/manifest.h>
#include <twinseal/security/transfer.h>
#include <twinseal/security/translog.h>
#include <twinseal/security/x509.h>

namespace twinseal::netclient {

// The AKMA session after a successful authentication. K_AF stays inside the client.
struct AuthSession {
    std::string aKid;
    std::int64_t expiresAt = 0; // Unix seconds; 0 when the service did not say
};

// A verified registration or re-certification: the credential chains to a root of the profile's
// trust list, names the holder key and the manifest's media, and its log entry is proven
// included in a tree head signed with the profile's log key.
struct Registration {
    security::Credential credential;
    security::Bytes credentialBytes;      // the issuer-signed envelope, as received
    std::vector<std::string> disclosures; // each matches one of the credential's commitments
    security::LogReceipt receipt;         // verified
    security::Bytes receiptBytes;         // twinseal.proto.LogReceipt bytes
    security::ChainResult chain;          // Trusted, with the root's subject
};

// One of the subscriber's DTs as the service describes it.
struct DtRecord {
    std::string dtId;
    std::string avatarId;
    std::string state; // "active", "revoked", "superseded"
    security::Bytes credential;
    std::uint64_t statusListIndex = 0;
    std::uint64_t logIndex = 0;
    std::int64_t createdAt = 0;
    std::int64_t updatedAt = 0;
    security::Bytes mediaRoot;
    std::uint32_t generation = 0;
    std::string revocationReason;
};

// A lawful disclosure recorded by the home network (DESIGN §7): which attributes of which DT
// went to which authority, on what basis, when. Only the DT's owner receives these, once the
// operator's delay has passed, each checked against the transparency log (issue 12, finding 16).
struct LawfulDisclosure {
    std::string disclosureId;
    std::string dtId;
    std::string authority;
    std::string caseRef;
    std::string legalBasis;
    std::vector<std::string> attributes; // "name", "role", "organisation", "licence_id", "pseudonym"
    std::int64_t disclosedAt = 0;        // Unix seconds
    std::int64_t visibleAt = 0;          // from when the owner is shown it; 0 when not logged
    std::optional<std::uint64_t> logIndex; // its opaque transparency-log entry

    // Verified: the disclosure as listed is the statement committed to in an opaque log entry
    // proven included in a tree head signed with the profile's log key. Otherwise
    // verificationCode says why not: "disclosure-not-logged" (no commitment),
    // "disclosure-commitment-mismatch" (altered since it was logged, or another subscriber's),
    // "disclosure-proof-invalid" (the entry is not proven in a valid signed tree head).
    bool verified = false;
    std::string verificationCode;
    std::string verificationMessage; // what a person reads, verified or not
};

// The owner's lawful disclosures (newest first) and the signed tree head their proofs lead to
// (verified with the profile's log key; nullopt when it did not verify), for the caller's
// split-view check (twin/tree_head_witness.h).
struct LawfulDisclosureList {
    std::vector<LawfulDisclosure> disclosures;
    std::optional<security::SignedTreeHead> treeHead;
};

// The home network's mirror of one of the subscriber's activity logs (security/audit_anchor.h):
// the highest checkpoint it has seen, its signature checked with the log's audit key.
struct AuditAnchorMirror {
    std::string logId;
    std::uint64_t counter = 0; // checkpoints covered (the checkpoint's number + 1)
    security::Bytes checkpoint;
    std::uint64_t entryCount = 0; // entries the checkpoint covers
    std::int64_t updatedAt = 0;   // Unix seconds, the home network's clock
};

struct ServiceInfo {
    std::string operatorName;
    std::string issuer;
    std::string statusListUri;
    security::PublicKey logKey; // empty when the service did not send one
    std::string trustListPem;
    std::uint64_t logSize = 0;
    std::string version;
};

// A bearer capability for one avatar: peers present it as "TwinSeal-Grant <token>".
struct AccessGrant {
    std::string token;
    std::string avatarId;
    std::int64_t expiresAt = 0;
};

struct AvatarFileRecord {
    std::string name;
    std::uint64_t size = 0;
    std::uint64_t chunks = 0;
    std::uint64_t chunksStored = 0;
};

// The repository's view of an avatar (unverified: the manifest is checked by the operations
// that use it).
struct AvatarRecord {
    std::string avatarId;
    std::string dtId;
    security::Digest mediaRoot{};
    security::Bytes signedManifest;
    bool complete = false;
    std::vector<AvatarFileRecord> files;
};

// What to fetch from the repository and what it must match.
struct AvatarFetchRequest {
    std::string avatarId;                      // fetch by Avatar-ID (URN), or else
    std::optional<security::Digest> mediaRoot; // by media root (GET /v1/avatars/by-root/{hex})
    // The media root the credential certifies: the manifest's package root must equal it, and
    // every fetched chunk is verified against that manifest. Required by fetchAvatar (a fetch
    // without it is refused with "invalid-argument"); fetchAvatarInfo does not need it.
    std::optional<security::Digest> expectedMediaRoot;
    // The credential's holder key: the manifest must be signed by it.
    std::optional<security::PublicKey> expectedHolderKey;
    // A peer's grant token; empty to fetch as the owner with the AKMA session.
    std::string grantToken;
    // Where to write the files (created if needed), under the manifest's relative paths.
    QString destination;
};

struct FetchedAvatar {
    std::string avatarId;
    std::string dtId;
    security::SignedManifest manifest; // verified signature; every chunk written was checked
    QString directory;
    std::uint64_t bytes = 0;
};

// ---- ownership transfer ------------------------------------------------------------------------

// What a subscriber tells others so that they can offer them a DT (GET /v1/me).
struct SubscriberInfo {
    std::string transferHandle;       // "tw-..." (never the SUPI)
    std::optional<DtRecord> activeDt; // the subscriber's active DT, if any
};

// An ownership-transfer offer as the service describes it. The client checked the owner's
// signature on the offer envelope and that the description matches it (DT, recipient, expiry).
struct TransferInfo {
    std::string transferId;
    // "pending", "accepted", "declined", "cancelled", "expired", or "stale" (still open, but the
    // DT changed since the offer: it can no longer be accepted)
    std::string state;
    std::string dtId;
    std::string avatarId;
    std::string fromHandle;
    std::string toHandle;  // empty for a code-based offer until it is answered
    bool outgoing = false; // the caller made the offer
    bool codeBased = false;
    std::string code; // the one-time code: only in offerTransfer's answer, shown once
    std::int64_t createdAt = 0;
    std::int64_t expiresAt = 0;
    std::int64_t finishedAt = 0;
    std::optional<std::uint64_t> logIndex; // the transfer's log entry, once accepted
    security::Digest mediaRoot{};          // the media the offered credential certifies
    security::ParsedTransferOffer offer;   // verified signature
    // The offered avatar's current manifest (owner-signed), while pending, from fetchTransfer
    // and lookupTransferCode: the recipient re-signs it with their new key to accept.
    security::Bytes signedManifest;
};

// A verified transfer receipt: the log entry is a transfer, proven included in a tree head
// signed with the profile's log key, and both parties' signatures in it verify.
struct TransferReceipt {
    security::LogReceipt receipt;
    security::VerifiedTransfer transfer;
};

// An accepted transfer, for the recipient: the new credential verified like a registration
// (chain, holder key, media root, disclosures, log receipt of the Transfer entry), and the log
// entry records this offer and this acceptance.
struct AcceptedTransfer {
    TransferInfo transfer;
    Registration registration;
    security::VerifiedTransfer record;
};

// One entry of a DT's ownership history.
struct DtHistoryEntry {
    security::LogEntry entry;
    security::Bytes entryBytes;
    security::InclusionProof proof;
    std::optional<security::VerifiedTransfer> transfer; // for transfer entries
};

// Every log entry of one DT, oldest first, each proven included in one signed tree head; the
// entries form one chain (each re-certification, transfer or revocation concerns the credential
// the previous entry issued).
struct DtHistory {
    std::string dtId;
    security::SignedTreeHead treeHead;
    std::vector<DtHistoryEntry> entries;
};

} // namespace twinseal::netclient
