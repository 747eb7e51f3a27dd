// Transparency log (RFC 9162 section 2): Merkle inclusion and consistency proofs, the log entries
// the home network appends (issuances, re-certifications, revocations, transfers), signed tree
// heads, and an InclusionChecker for verifyPeer.
//
// Hashing is merkle.h's (SHA-256, 0x00 leaf / 0x01 node prefixes). A leaf is the serialized
// `LogEntry` exactly as stored; its leaf hash is merkle::leafHash(entry bytes).
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "twinseal/security/merkle.h"
#include "twinseal/security/signed.h"
#include "twinseal/security/verify.h"

namespace twinseal::security {

inline constexpr const char* kTreeHeadType = "twinseal.tree-head.v1";

// An inclusion or consistency path never has more entries than the tree has levels.
inline constexpr std::size_t kMaxProofLength = 64;

// ---- proofs over a list of leaf hashes (the RFC's definitions, literally) ---------------------
//
// Reference implementations of RFC 9162 2.1.3.1 PATH(m, D[n]) and 2.1.4.1 PROOF(m, D[n]) where
// n = leaves.size(). They recompute subtree hashes, so each call costs O(n) hashing; MerkleLog
// below answers the same questions with O(log n) work.

// PATH(index, D[n]). InvalidArgument unless index < n.
[[nodiscard]] Result<std::vector<Digest>> inclusionPath(std::span<const Digest> leaves,
                                                        std::uint64_t index);
// PROOF(first, D[n]). Empty for first == n and (outside the RFC's 0 < m < n) for first == 0;
// InvalidArgument when first > n.
[[nodiscard]] Result<std::vector<Digest>> consistencyPath(std::span<const Digest> leaves,
                                                          std::uint64_t first);

// ---- verification (RFC 9162 2.1.3.2 and 2.1.4.2) -------------------------------------------

// OK when `path` proves that `leafHash` is leaf `leafIndex` of the tree of `treeSize` leaves whose
// root is `root`; InclusionProofInvalid otherwise.
[[nodiscard]] Status verifyInclusion(std::uint64_t leafIndex, std::uint64_t treeSize,
                                     std::span<const Digest> path, const Digest& leafHash,
                                     const Digest& root);
// The root that `path` implies for `leafHash` at (leafIndex, treeSize), for callers that compare
// it against a signed tree head themselves. InclusionProofInvalid when the path has the wrong
// shape for (leafIndex, treeSize).
[[nodiscard]] Result<Digest> rootFromInclusionPath(std::uint64_t leafIndex, std::uint64_t treeSize,
                                                   std::span<const Digest> path,
                                                   const Digest& leafHash);

// OK when `path` proves that the tree of `second` leaves with root `secondHash` extends the tree
// of `first` leaves with root `firstHash`; ConsistencyProofInvalid otherwise. For 0 < first <
// second this is the RFC's algorithm. Outside it: first == second needs an empty path and equal
// hashes; first == 0 needs an empty path and firstHash == SHA-256("") (the empty tree is a prefix
// of every tree); first > second always fails.
[[nodiscard]] Status verifyConsistency(std::uint64_t first, std::uint64_t second,
                                       std::span<const Digest> path, const Digest& firstHash,
                                       const Digest& secondHash);

// ---- proofs on the wire ---------------------------------------------------------------------

struct InclusionProof {
    std::uint64_t leafIndex = 0;
    std::uint64_t treeSize = 0;
    std::vector<Digest> path;

    [[nodiscard]] Bytes encode() const; // Protobuf twinseal.proto.InclusionProof
    // MalformedInput for anything that is not a well-formed proof (path entries of 32 bytes, at
    // most kMaxProofLength of them, leafIndex < treeSize).
    [[nodiscard]] static Result<InclusionProof> decode(ByteView encoded);
};

struct ConsistencyProof {
    std::uint64_t firstSize = 0;
    std::uint64_t secondSize = 0;
    std::vector<Digest> path;

    [[nodiscard]] Bytes encode() const; // Protobuf twinseal.proto.ConsistencyProof
    [[nodiscard]] static Result<ConsistencyProof> decode(ByteView encoded);
};

// ---- the log itself -------------------------------------------------------------------------

// An append-only, in-memory Merkle log over leaf hashes. It keeps the hash of every complete
// (perfect, aligned) subtree: level 0 holds the leaf hashes, level k the hashes of the subtrees of
// 2^k leaves, so about 2n digests in all. Every subtree an RFC 9162 proof needs is either one of
// those or splits into O(log n) of them, so roots and proofs for any earlier size cost O(log n)
// look-ups and hashes. Not thread-safe: guard it if it is shared.
class MerkleLog {
public:
    MerkleLog() = default;
    // Appends a leaf hash; returns its index.
    std::uint64_t append(const Digest& leafHash);
    // Appends merkle::leafHash(data); returns its index.
    std::uint64_t appendData(ByteView data);

    [[nodiscard]] std::uint64_t size() const noexcept {
        return m_levels.empty() ? 0 : m_levels[0].size();
    }
    // InvalidArgument when index >= size().
    [[nodiscard]] Result<Digest> leafHash(std::uint64_t index) const;

    // MTH of the current tree (SHA-256("") when empty).
    [[nodiscard]] Digest root() const;
    // MTH of the first `size` leaves; InvalidArgument when size > size().
    [[nodiscard]] Result<Digest> root(std::uint64_t size) const;
    // PATH(index, D[treeSize]); InvalidArgument unless index < treeSize <= size().
    [[nodiscard]] Result<InclusionProof> inclusionProof(std::uint64_t index,
                                                        std::uint64_t treeSize) const;
    // PROOF(first, D[second]); InvalidArgument unless first <= second <= size().
    [[nodiscard]] Result<ConsistencyProof> consistencyProof(std::uint64_t first,
                                                            std::uint64_t second) const;

private:
    // MTH(D[start:start+count]) for a range the RFC's recursion can produce (start a multiple of
    // the largest power of two <= count, or of count itself when count is one).
    [[nodiscard]] Digest rangeHash(std::uint64_t start, std::uint64_t count) const;
    std::vector<std::vector<Digest>> m_levels;
};

// ---- log entries ----------------------------------------------------------------------------

// LawfulDisclosure: an opaque entry (no DT, a commitment in credentialDigest; lawful_disclosure.h).
enum class LogEntryType {
    Issuance = 1,
    Recertification = 2,
    Revocation = 3,
    Transfer = 4,
    LawfulDisclosure = 5
};
[[nodiscard]] std::string_view logEntryTypeName(LogEntryType t) noexcept; // "issuance", ...

struct LogEntry {
    LogEntryType type = LogEntryType::Issuance;
    std::int64_t timestamp = 0;
    std::string dtId;
    Digest credentialDigest{}; // Credential::digest() of the credential concerned (a lawful
                               // disclosure: the commitment to its statement)
    Bytes subscriberBinding;   // optional: the credential's subscriber binding
    Bytes details;             // optional, type-specific (e.g. a serialized transfer record)
    PublicKey holderKey;       // the credential's holder key; empty for a revocation (and in
                               // entries logged before it was recorded)

    // The serialized Protobuf twinseal.proto.LogEntry: the leaf data.
    [[nodiscard]] Bytes encode() const;
    // MalformedInput / UnsupportedVersion for anything else.
    [[nodiscard]] static Result<LogEntry> decode(ByteView encoded);
};

// merkle::leafHash over the stored entry bytes.
[[nodiscard]] inline Digest logLeafHash(ByteView entryBytes) {
    return merkle::leafHash(entryBytes);
}

// ---- signed tree heads ----------------------------------------------------------------------

struct TreeHead {
    Digest logId{}; // SHA-256 of the log key's DER SubjectPublicKeyInfo (RFC 6962 3.2)
    std::uint64_t treeSize = 0;
    Digest rootHash{};
    std::int64_t timestamp = 0;
};

struct SignedTreeHead {
    TreeHead head;
    Bytes encoded; // the Signed envelope ("twinseal.tree-head.v1")
};

[[nodiscard]] Result<Digest> logIdOf(const PublicKey& logKey);

// Signs {logIdOf(logKey), treeSize, rootHash, timestamp}.
[[nodiscard]] Result<SignedTreeHead> signTreeHead(std::uint64_t treeSize, const Digest& rootHash,
                                                  std::int64_t timestamp, const SigningKey& logKey);
// Parses the envelope and verifies it with the log's key: MalformedInput / WrongObjectType /
// UnsupportedVersion / BadSignature, and KeyMismatch when the head names another log.
[[nodiscard]] Result<SignedTreeHead> parseSignedTreeHead(ByteView encoded, const PublicKey& logKey);

// Inclusion of a stored entry in a (verified) tree head: the proof's tree size must be the head's.
[[nodiscard]] Status verifyInclusion(const TreeHead& head, const InclusionProof& proof,
                                     ByteView entryBytes);
// Consistency of two (verified) tree heads of the same log, older first.
[[nodiscard]] Status verifyConsistency(const TreeHead& older, const TreeHead& newer,
                                       const ConsistencyProof& proof);

// ---- receipts ---------------------------------------------------------------------------------

// What the home network hands out after appending an entry (issuance, transfer, ...): a signed
// tree head, the entry as stored, and its inclusion proof in that head.
struct LogReceipt {
    SignedTreeHead treeHead;
    Bytes entryBytes;
    LogEntry entry;
    InclusionProof proof;

    [[nodiscard]] Bytes encode() const; // Protobuf twinseal.proto.LogReceipt
};
[[nodiscard]] Result<LogReceipt> makeLogReceipt(SignedTreeHead treeHead, Bytes entryBytes,
                                                InclusionProof proof);
// Parses a receipt, verifies the tree head with the log's key, and verifies the inclusion proof.
[[nodiscard]] Result<LogReceipt> parseLogReceipt(ByteView encoded, const PublicKey& logKey);

// ---- the InclusionChecker for verifyPeer --------------------------------------------------

// Holds one verified signed tree head and, per credential, the log entry and its inclusion proof
// in that head. check(credential) finds the evidence by credential.digest():
//   none                                          -> InclusionProofMissing
//   entry is a revocation, names another DT or subscriber, proof is not at
//   credential.claims.logIndex, proof is for another tree size, or the path does not lead to the
//   head's root                                   -> InclusionProofInvalid
class LogInclusionChecker final : public InclusionChecker {
public:
    explicit LogInclusionChecker(SignedTreeHead treeHead);

    // Stores the evidence for the credential the entry names (replacing earlier evidence for it).
    // MalformedInput when the entry does not decode. The proof is checked by check(), not here.
    [[nodiscard]] Status add(ByteView entryBytes, InclusionProof proof);
    // Stores a receipt's entry and proof; InvalidArgument when the receipt is for another head.
    [[nodiscard]] Status add(const LogReceipt& receipt);

    [[nodiscard]] Status check(const Credential& credential) const override;
    [[nodiscard]] const SignedTreeHead& treeHead() const noexcept { return m_head; }

private:
    struct Evidence {
        Bytes entryBytes;
        LogEntry entry;
        InclusionProof proof;
    };
    SignedTreeHead m_head;
    std::map<Digest, Evidence> m_evidence; // by credential digest
};

} // namespace twinseal::security
