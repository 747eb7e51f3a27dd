// Transparency log: RFC 9162 section 2.1 proofs, log entries, signed tree heads, receipts.
#include "twinseal/security/translog.h"

#include <algorithm>
#include <bit>
#include <cassert>
#include <climits>
#include <cstring>

#include "pkey_util.h"
#include "twinseal/proto/twinseal.pb.h"
#include "twinseal/proto/codec.h"

namespace twinseal::security {

namespace {

constexpr std::uint32_t kVersion = 1;

const Digest& emptyTreeHash() {
    static const Digest h = sha256({});
    return h;
}

// The largest power of two strictly smaller than n (n >= 2): the RFC's split point k.
std::uint64_t splitPoint(std::uint64_t n) {
    assert(n >= 2);
    return std::bit_floor(n - 1);
}

bool toDigest(const std::string& s, Digest& out) {
    if (s.size() != out.size())
        return false;
    std::memcpy(out.data(), s.data(), out.size());
    return true;
}

std::string fromDigest(const Digest& d) {
    return std::string(reinterpret_cast<const char*>(d.data()), d.size());
}

Result<std::vector<Digest>>
pathFromProto(const google::protobuf::RepeatedPtrField<std::string>& in) {
    if (static_cast<std::size_t>(in.size()) > kMaxProofLength)
        return makeError(ErrorCode::MalformedInput, "proof path has " + std::to_string(in.size()) +
                                                        " entries, more than a tree has levels");
    std::vector<Digest> path(static_cast<std::size_t>(in.size()));
    for (int i = 0; i < in.size(); ++i)
        if (!toDigest(in.Get(i), path[static_cast<std::size_t>(i)]))
            return makeError(ErrorCode::MalformedInput,
                             "proof path entry " + std::to_string(i) + " is not a SHA-256 hash");
    return path;
}

void pathToProto(const std::vector<Digest>& path,
                 google::protobuf::RepeatedPtrField<std::string>* out) {
    for (const auto& d : path)
        out->Add(fromDigest(d));
}

Result<InclusionProof> inclusionFromProto(const proto::InclusionProof& p) {
    auto path = pathFromProto(p.path());
    TWINSEAL_TRY(path);
    if (p.leaf_index() >= p.tree_size())
        return makeError(ErrorCode::MalformedInput,
                         "inclusion proof: leaf index " + std::to_string(p.leaf_index()) +
                             " is not inside a tree of " + std::to_string(p.tree_size()));
    return InclusionProof{p.leaf_index(), p.tree_size(), std::move(*path)};
}

void inclusionToProto(const InclusionProof& in, proto::InclusionProof* out) {
    out->set_leaf_index(in.leafIndex);
    out->set_tree_size(in.treeSize);
    pathToProto(in.path, out->mutable_path());
}

// ---- the RFC's recursive definitions, over a span of leaf hashes ----------------------------

// MTH(D[n]) (RFC 9162 2.1.1).
Digest mth(std::span<const Digest> d) {
    if (d.empty())
        return emptyTreeHash();
    if (d.size() == 1)
        return d[0];
    const std::size_t k = splitPoint(d.size());
    return merkle::nodeHash(mth(d.first(k)), mth(d.subspan(k)));
}

// PATH(m, D[n]) (RFC 9162 2.1.3.1), appended to out.
void path(std::uint64_t m, std::span<const Digest> d, std::vector<Digest>& out) {
    if (d.size() <= 1)
        return;
    const std::size_t k = splitPoint(d.size());
    if (m < k) {
        path(m, d.first(k), out);
        out.push_back(mth(d.subspan(k)));
    } else {
        path(m - k, d.subspan(k), out);
        out.push_back(mth(d.first(k)));
    }
}

// SUBPROOF(m, D[n], b) (RFC 9162 2.1.4.1), appended to out.
void subproof(std::uint64_t m, std::span<const Digest> d, bool b, std::vector<Digest>& out) {
    if (m == d.size()) {
        if (!b)
            out.push_back(mth(d));
        return;
    }
    const std::size_t k = splitPoint(d.size());
    if (m <= k) {
        subproof(m, d.first(k), b, out);
        out.push_back(mth(d.subspan(k)));
    } else {
        subproof(m - k, d.subspan(k), false, out);
        out.push_back(mth(d.first(k)));
    }
}

Error inclusionInvalid(std::string why) {
    return makeError(ErrorCode::InclusionProofInvalid, std::move(why));
}
Error consistencyInvalid(std::string why) {
    return makeError(ErrorCode::ConsistencyProofInvalid, std::move(why));
}

} // namespace

// ---- pure proof generation --------------------------------------------------------------------

Result<std::vector<Digest>> inclusionPath(std::span<const Digest> leaves, std::uint64_t index) {
    if (index >= leaves.size())
        return makeError(ErrorCode::InvalidArgument, "leaf " + std::to_string(index) +
                                                         " is not in a tree of " +
                                                         std::to_string(leaves.size()));
    std::vector<Digest> out;
    path(index, leaves, out);
    return out;
}

Result<std::vector<Digest>> consistencyPath(std::span<const Digest> leaves, std::uint64_t first) {
    if (first > leaves.size())
        return makeError(ErrorCode::InvalidArgument, "a tree of " + std::to_string(first) +
                                                         " is not a prefix of a tree of " +
                                                         std::to_string(leaves.size()));
    std::vector<Digest> out;
    if (first == 0)
        return out;
    subproof(first, leaves, true, out);
    return out;
}

// ---- verification -----------------------------------------------------------------------------

Result<Digest> rootFromInclusionPath(std::uint64_t leafIndex, std::uint64_t treeSize,
                                     std::span<const Digest> auditPath, const Digest& leafHash) {
    // RFC 9162 2.1.3.2, step by step.
    // 1. leaf_index must be inside the tree.
    if (leafIndex >= treeSize)
        return inclusionInvalid("leaf index " + std::to_string(leafIndex) +
                                " is not inside a tree of " + std::to_string(treeSize));
    // 2. fn = leaf_index, sn = tree_size - 1.  3. r = hash.
    std::uint64_t fn = leafIndex;
    std::uint64_t sn = treeSize - 1;
    Digest r = leafHash;
    // 4. For each value p in the inclusion_path array:
    for (const Digest& p : auditPath) {
        // a. If sn is 0, stop and fail.
        if (sn == 0)
            return inclusionInvalid("the inclusion path is longer than the tree is high");
        // b. If LSB(fn) is set, or fn == sn:
        if ((fn & 1) != 0 || fn == sn) {
            // i. r = HASH(0x01 || p || r)
            r = merkle::nodeHash(p, r);
            // ii. If LSB(fn) is not set, right-shift fn and sn until LSB(fn) is set or fn is 0.
            if ((fn & 1) == 0) {
                while ((fn & 1) == 0 && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
        } else {
            // Otherwise r = HASH(0x01 || r || p).
            r = merkle::nodeHash(r, p);
        }
        // c. Right-shift both fn and sn once.
        fn >>= 1;
        sn >>= 1;
    }
    // 5. sn must be 0 (the path reached the root).
    if (sn != 0)
        return inclusionInvalid("the inclusion path is shorter than the tree is high");
    return r;
}

Status verifyInclusion(std::uint64_t leafIndex, std::uint64_t treeSize,
                       std::span<const Digest> auditPath, const Digest& leafHash,
                       const Digest& root) {
    auto r = rootFromInclusionPath(leafIndex, treeSize, auditPath, leafHash);
    TWINSEAL_TRY(r);
    // 5. r must equal root_hash.
    if (*r != root)
        return inclusionInvalid("the inclusion path for leaf " + std::to_string(leafIndex) +
                                " does not lead to the root of the tree of " +
                                std::to_string(treeSize));
    return {};
}

Status verifyConsistency(std::uint64_t first, std::uint64_t second,
                         std::span<const Digest> proofPath, const Digest& firstHash,
                         const Digest& secondHash) {
    if (first > second)
        return consistencyInvalid("the first tree (" + std::to_string(first) +
                                  ") is larger than the second (" + std::to_string(second) + ")");
    if (first == second) {
        if (!proofPath.empty())
            return consistencyInvalid("equal tree sizes need an empty proof");
        if (firstHash != secondHash)
            return consistencyInvalid("two different roots for a tree of " + std::to_string(first));
        return {};
    }
    if (first == 0) {
        if (!proofPath.empty())
            return consistencyInvalid("the empty tree needs an empty proof");
        if (firstHash != emptyTreeHash())
            return consistencyInvalid("the root of the empty tree is not SHA-256(\"\")");
        return {};
    }

    // RFC 9162 2.1.4.2, step by step, for 0 < first < second.
    // 1. An empty consistency_path fails.
    if (proofPath.empty())
        return consistencyInvalid("empty consistency proof");
    // 2. If first is an exact power of 2, prepend first_hash to the consistency_path.
    std::vector<Digest> path;
    path.reserve(proofPath.size() + 1);
    if (std::has_single_bit(first))
        path.push_back(firstHash);
    path.insert(path.end(), proofPath.begin(), proofPath.end());
    // 3. fn = first - 1, sn = second - 1.
    std::uint64_t fn = first - 1;
    std::uint64_t sn = second - 1;
    // 4. If LSB(fn) is set, right-shift fn and sn equally until LSB(fn) is not set.
    while ((fn & 1) != 0) {
        fn >>= 1;
        sn >>= 1;
    }
    // 5. fr = sr = the first value in the consistency_path.
    Digest fr = path[0];
    Digest sr = path[0];
    // 6. For each subsequent value c in the consistency_path:
    for (std::size_t i = 1; i < path.size(); ++i) {
        const Digest& c = path[i];
        // a. If sn is 0, stop and fail.
        if (sn == 0)
            return consistencyInvalid("the consistency path is longer than the tree is high");
        // b. If LSB(fn) is set, or fn == sn:
        if ((fn & 1) != 0 || fn == sn) {
            // i. fr = HASH(0x01 || c || fr); ii. sr = HASH(0x01 || c || sr)
            fr = merkle::nodeHash(c, fr);
            sr = merkle::nodeHash(c, sr);
            // iii. If LSB(fn) is not set, right-shift fn and sn until LSB(fn) is set or fn is 0.
            if ((fn & 1) == 0) {
                while ((fn & 1) == 0 && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
        } else {
            // Otherwise sr = HASH(0x01 || sr || c).
            sr = merkle::nodeHash(sr, c);
        }
        // c. Right-shift both fn and sn once.
        fn >>= 1;
        sn >>= 1;
    }
    // 7. fr == first_hash, sr == second_hash, sn == 0.
    if (sn != 0)
        return consistencyInvalid("the consistency path is shorter than the tree is high");
    if (fr != firstHash)
        return consistencyInvalid("the proof does not lead to the first tree's root");
    if (sr != secondHash)
        return consistencyInvalid("the proof does not lead to the second tree's root");
    return {};
}

// ---- proofs on the wire -------------------------------------------------------------------

Bytes InclusionProof::encode() const {
    proto::InclusionProof p;
    inclusionToProto(*this, &p);
    return serialize(p);
}

Result<InclusionProof> InclusionProof::decode(ByteView encoded) {
    proto::InclusionProof p;
    if (!parseMessage(encoded, p))
        return makeError(ErrorCode::MalformedInput, "not an inclusion proof");
    return inclusionFromProto(p);
}

Bytes ConsistencyProof::encode() const {
    proto::ConsistencyProof p;
    p.set_first_size(firstSize);
    p.set_second_size(secondSize);
    pathToProto(path, p.mutable_path());
    return serialize(p);
}

Result<ConsistencyProof> ConsistencyProof::decode(ByteView encoded) {
    proto::ConsistencyProof p;
    if (!parseMessage(encoded, p))
        return makeError(ErrorCode::MalformedInput, "not a consistency proof");
    auto path = pathFromProto(p.path());
    TWINSEAL_TRY(path);
    if (p.first_size() > p.second_size())
        return makeError(ErrorCode::MalformedInput,
                         "consistency proof: first size " + std::to_string(p.first_size()) +
                             " exceeds second size " + std::to_string(p.second_size()));
    return ConsistencyProof{p.first_size(), p.second_size(), std::move(*path)};
}

// ---- MerkleLog ----------------------------------------------------------------------------

std::uint64_t MerkleLog::append(const Digest& leafHash) {
    if (m_levels.empty())
        m_levels.emplace_back();
    m_levels[0].push_back(leafHash);
    // Each time a level gains its second node of a pair, the pair completes a subtree one level up.
    for (std::size_t level = 0; m_levels[level].size() % 2 == 0; ++level) {
        const auto& nodes = m_levels[level];
        const Digest parent = merkle::nodeHash(nodes[nodes.size() - 2], nodes[nodes.size() - 1]);
        if (m_levels.size() == level + 1)
            m_levels.emplace_back();
        m_levels[level + 1].push_back(parent);
    }
    return m_levels[0].size() - 1;
}

std::uint64_t MerkleLog::appendData(ByteView data) {
    return append(merkle::leafHash(data));
}

Result<Digest> MerkleLog::leafHash(std::uint64_t index) const {
    if (index >= size())
        return makeError(ErrorCode::InvalidArgument, "leaf " + std::to_string(index) +
                                                         " is not in a log of " +
                                                         std::to_string(size()));
    return m_levels[0][index];
}

Digest MerkleLog::rangeHash(std::uint64_t start, std::uint64_t count) const {
    assert(count >= 1 && start + count <= size());
    if (std::has_single_bit(count)) {
        // A complete subtree; the RFC's recursion only produces aligned ones.
        const int level = std::countr_zero(count);
        assert(start % count == 0);
        return m_levels[static_cast<std::size_t>(level)][start >> level];
    }
    // Not complete: the left part (the largest power of two below count) is, the right recurses.
    const std::uint64_t k = std::bit_floor(count);
    return merkle::nodeHash(rangeHash(start, k), rangeHash(start + k, count - k));
}

Digest MerkleLog::root() const {
    return size() == 0 ? emptyTreeHash() : rangeHash(0, size());
}

Result<Digest> MerkleLog::root(std::uint64_t treeSize) const {
    if (treeSize > size())
        return makeError(ErrorCode::InvalidArgument, "the log has only " + std::to_string(size()) +
                                                         " entries, not " +
                                                         std::to_string(treeSize));
    return treeSize == 0 ? emptyTreeHash() : rangeHash(0, treeSize);
}

Result<InclusionProof> MerkleLog::inclusionProof(std::uint64_t index,
                                                 std::uint64_t treeSize) const {
    if (treeSize > size() || index >= treeSize)
        return makeError(ErrorCode::InvalidArgument, "no leaf " + std::to_string(index) +
                                                         " in a tree of " +
                                                         std::to_string(treeSize) + " (log size " +
                                                         std::to_string(size()) + ")");
    // PATH(m, D[start:start+count]) unrolled from the top; the RFC lists the siblings from the
    // bottom up, so they are collected top-down and reversed.
    InclusionProof proof{index, treeSize, {}};
    std::uint64_t start = 0, count = treeSize, m = index;
    while (count > 1) {
        const std::uint64_t k = splitPoint(count);
        if (m < k) {
            proof.path.push_back(rangeHash(start + k, count - k));
            count = k;
        } else {
            proof.path.push_back(rangeHash(start, k));
            start += k;
            m -= k;
            count -= k;
        }
    }
    std::reverse(proof.path.begin(), proof.path.end());
    return proof;
}

Result<ConsistencyProof> MerkleLog::consistencyProof(std::uint64_t first,
                                                     std::uint64_t second) const {
    if (second > size() || first > second)
        return makeError(ErrorCode::InvalidArgument,
                         "no consistency proof from " + std::to_string(first) + " to " +
                             std::to_string(second) + " (log size " + std::to_string(size()) + ")");
    ConsistencyProof proof{first, second, {}};
    if (first == 0 || first == second)
        return proof;
    // SUBPROOF(m, D[start:start+count], b) unrolled from the top (see inclusionProof).
    std::uint64_t start = 0, count = second, m = first;
    bool b = true;
    while (m != count) {
        const std::uint64_t k = splitPoint(count);
        if (m <= k) {
            proof.path.push_back(rangeHash(start + k, count - k));
            count = k;
        } else {
            proof.path.push_back(rangeHash(start, k));
            start += k;
            m -= k;
            count -= k;
            b = false;
        }
    }
    if (!b)
        proof.path.push_back(rangeHash(start, count));
    std::reverse(proof.path.begin(), proof.path.end());
    return proof;
}

// ---- log entries ----------------------------------------------------------------------------

std::string_view logEntryTypeName(LogEntryType t) noexcept {
    switch (t) {
    case LogEntryType::Issuance:
        return "issuance";
    case LogEntryType::Recertification:
        return "recertification";
    case LogEntryType::Revocation:
        return "revocation";
    case LogEntryType::Transfer:
        return "transfer";
    case LogEntryType::LawfulDisclosure:
        return "lawful-disclosure";
    }
    return "unknown";
}

Bytes LogEntry::encode() const {
    proto::LogEntry e;
    e.set_version(kVersion);
    e.set_type(static_cast<proto::LogEntryType>(static_cast<int>(type)));
    e.set_timestamp(timestamp);
    e.set_dt_id(dtId);
    e.set_credential_digest(fromDigest(credentialDigest));
    e.set_subscriber_binding(subscriberBinding.data(), subscriberBinding.size());
    e.set_details(details.data(), details.size());
    if (!holderKey.empty())
        detail::toProto(holderKey, e.mutable_holder_key());
    return serialize(e);
}

Result<LogEntry> LogEntry::decode(ByteView encoded) {
    proto::LogEntry e;
    if (encoded.empty() || !parseMessage(encoded, e))
        return makeError(ErrorCode::MalformedInput, "not a transparency log entry");
    if (e.version() != kVersion)
        return makeError(ErrorCode::UnsupportedVersion,
                         "log entry version " + std::to_string(e.version()) + " is not supported");
    LogEntry out;
    switch (e.type()) {
    case proto::LOG_ENTRY_ISSUANCE:
        out.type = LogEntryType::Issuance;
        break;
    case proto::LOG_ENTRY_RECERTIFICATION:
        out.type = LogEntryType::Recertification;
        break;
    case proto::LOG_ENTRY_REVOCATION:
        out.type = LogEntryType::Revocation;
        break;
    case proto::LOG_ENTRY_TRANSFER:
        out.type = LogEntryType::Transfer;
        break;
    case proto::LOG_ENTRY_LAWFUL_DISCLOSURE:
        out.type = LogEntryType::LawfulDisclosure;
        break;
    default:
        return makeError(ErrorCode::MalformedInput,
                         "log entry type " + std::to_string(e.type()) + " is not known");
    }
    if (!toDigest(e.credential_digest(), out.credentialDigest))
        return makeError(ErrorCode::MalformedInput, "log entry: credential digest is not SHA-256");
    out.timestamp = e.timestamp();
    out.dtId = e.dt_id();
    out.subscriberBinding = toBytes(e.subscriber_binding());
    out.details = toBytes(e.details());
    if (e.has_holder_key()) {
        auto holder = detail::fromProto(e.holder_key());
        if (!holder.ok())
            return makeError(ErrorCode::MalformedInput,
                             "log entry: holder key: " + holder.error().detail);
        out.holderKey = std::move(holder).value();
    }
    return out;
}

// ---- signed tree heads ----------------------------------------------------------------------

Result<Digest> logIdOf(const PublicKey& logKey) {
    auto spki = logKey.spki();
    TWINSEAL_TRY(spki);
    return sha256(*spki);
}

Result<SignedTreeHead> signTreeHead(std::uint64_t treeSize, const Digest& rootHash,
                                    std::int64_t timestamp, const SigningKey& logKey) {
    auto id = logIdOf(logKey.publicKey());
    TWINSEAL_TRY(id);
    proto::TreeHead t;
    t.set_version(kVersion);
    t.set_log_id(fromDigest(*id));
    t.set_tree_size(treeSize);
    t.set_root_hash(fromDigest(rootHash));
    t.set_timestamp(timestamp);
    auto env = signEnvelope(kTreeHeadType, serialize(t), logKey);
    TWINSEAL_TRY(env);
    return SignedTreeHead{TreeHead{*id, treeSize, rootHash, timestamp}, std::move(*env)};
}

Result<SignedTreeHead> parseSignedTreeHead(ByteView encoded, const PublicKey& logKey) {
    auto env = parseEnvelope(encoded, kTreeHeadType);
    TWINSEAL_TRY(env);
    TWINSEAL_TRY(verifyEnvelope(*env, logKey));
    proto::TreeHead t;
    if (!parseMessage(env->body, t))
        return makeError(ErrorCode::MalformedInput, "not a tree head");
    if (t.version() != kVersion)
        return makeError(ErrorCode::UnsupportedVersion,
                         "tree head version " + std::to_string(t.version()) + " is not supported");
    SignedTreeHead out;
    if (!toDigest(t.log_id(), out.head.logId) || !toDigest(t.root_hash(), out.head.rootHash))
        return makeError(ErrorCode::MalformedInput, "tree head: log id or root is not SHA-256");
    auto id = logIdOf(logKey);
    TWINSEAL_TRY(id);
    if (out.head.logId != *id)
        return makeError(ErrorCode::KeyMismatch, "the tree head names a different log");
    out.head.treeSize = t.tree_size();
    out.head.timestamp = t.timestamp();
    out.encoded.assign(encoded.begin(), encoded.end());
    return out;
}

Status verifyInclusion(const TreeHead& head, const InclusionProof& proof, ByteView entryBytes) {
    if (proof.treeSize != head.treeSize)
        return inclusionInvalid("the proof is for a tree of " + std::to_string(proof.treeSize) +
                                ", the signed tree head has " + std::to_string(head.treeSize));
    return verifyInclusion(proof.leafIndex, proof.treeSize, proof.path, logLeafHash(entryBytes),
                           head.rootHash);
}

Status verifyConsistency(const TreeHead& older, const TreeHead& newer,
                         const ConsistencyProof& proof) {
    if (older.logId != newer.logId)
        return consistencyInvalid("the tree heads are from different logs");
    if (proof.firstSize != older.treeSize || proof.secondSize != newer.treeSize)
        return consistencyInvalid("the proof is from " + std::to_string(proof.firstSize) + " to " +
                                  std::to_string(proof.secondSize) + ", the tree heads are " +
                                  std::to_string(older.treeSize) + " and " +
                                  std::to_string(newer.treeSize));
    return verifyConsistency(older.treeSize, newer.treeSize, proof.path, older.rootHash,
                             newer.rootHash);
}

// ---- receipts -------------------------------------------------------------------------------

Bytes LogReceipt::encode() const {
    proto::LogReceipt r;
    r.set_tree_head(treeHead.encoded.data(), treeHead.encoded.size());
    r.set_entry(entryBytes.data(), entryBytes.size());
    inclusionToProto(proof, r.mutable_proof());
    return serialize(r);
}

Result<LogReceipt> makeLogReceipt(SignedTreeHead treeHead, Bytes entryBytes, InclusionProof proof) {
    auto entry = LogEntry::decode(entryBytes);
    TWINSEAL_TRY(entry);
    TWINSEAL_TRY(verifyInclusion(treeHead.head, proof, entryBytes));
    return LogReceipt{std::move(treeHead), std::move(entryBytes), std::move(*entry),
                      std::move(proof)};
}

Result<LogReceipt> parseLogReceipt(ByteView encoded, const PublicKey& logKey) {
    proto::LogReceipt r;
    if (encoded.empty() || !parseMessage(encoded, r) || !r.has_proof())
        return makeError(ErrorCode::MalformedInput, "not a transparency log receipt");
    auto head = parseSignedTreeHead(view(r.tree_head()), logKey);
    TWINSEAL_TRY(head);
    auto proof = inclusionFromProto(r.proof());
    TWINSEAL_TRY(proof);
    return makeLogReceipt(std::move(*head), toBytes(r.entry()), std::move(*proof));
}

// ---- LogInclusionChecker --------------------------------------------------------------------

LogInclusionChecker::LogInclusionChecker(SignedTreeHead treeHead) : m_head(std::move(treeHead)) {}

Status LogInclusionChecker::add(ByteView entryBytes, InclusionProof proof) {
    auto entry = LogEntry::decode(entryBytes);
    TWINSEAL_TRY(entry);
    const Digest key = entry->credentialDigest;
    m_evidence.insert_or_assign(key, Evidence{Bytes(entryBytes.begin(), entryBytes.end()),
                                              std::move(*entry), std::move(proof)});
    return {};
}

Status LogInclusionChecker::add(const LogReceipt& receipt) {
    if (receipt.treeHead.head.logId != m_head.head.logId ||
        receipt.treeHead.head.treeSize != m_head.head.treeSize ||
        receipt.treeHead.head.rootHash != m_head.head.rootHash)
        return makeError(ErrorCode::InvalidArgument,
                         "the receipt is for a different signed tree head");
    return add(receipt.entryBytes, receipt.proof);
}

Status LogInclusionChecker::check(const Credential& credential) const {
    const auto it = m_evidence.find(credential.digest());
    if (it == m_evidence.end())
        return makeError(ErrorCode::InclusionProofMissing,
                         "no transparency-log entry and proof for this credential");
    const Evidence& ev = it->second;
    const auto& claims = credential.claims;
    if (ev.entry.type == LogEntryType::Revocation)
        return inclusionInvalid("the log entry for this credential records its revocation, "
                                "not its issuance");
    if (ev.entry.dtId != claims.dtId)
        return inclusionInvalid("the log entry is for DT '" + ev.entry.dtId +
                                "', the credential for '" + claims.dtId + "'");
    if (!ev.entry.subscriberBinding.empty() &&
        !constantTimeEqual(ev.entry.subscriberBinding, claims.subscriberBinding))
        return inclusionInvalid("the log entry names a different subscriber");
    if (ev.proof.leafIndex != claims.logIndex)
        return inclusionInvalid("the proof is for log index " + std::to_string(ev.proof.leafIndex) +
                                ", the credential says " + std::to_string(claims.logIndex));
    auto st = verifyInclusion(m_head.head, ev.proof, ev.entryBytes);
    if (!st.ok())
        return inclusionInvalid(st.error().detail);
    return {};
}

} // namespace twinseal::security
