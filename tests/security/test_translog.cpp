// Transparency log: RFC 9162 proofs against the RFC 6962 reference vectors, exhaustive proof
// properties for small trees, the in-memory log, entries, signed tree heads, receipts, and the
// LogInclusionChecker inside verifyPeer.
//
// Reference vectors: the eight-leaf tree used by Certificate Transparency implementations
// (google/certificate-transparency merkle_tree_test.cc; transparency-dev/merkle
// proof/verify_test.go, whose leaf numbers are 1-based: its {1, 8} is leaf index 0 here).
#include <QtTest>

#include <twinseal/security/translog.h>

#include "twinseal/proto/twinseal.pb.h"

#include "fixtures.h"
#include "rfc6962_vectors.h"
#include "testmain.h"

Q_DECLARE_METATYPE(std::vector<twinseal::security::Digest>)
#include "key_algorithm_metatype.h"

namespace {
namespace test_translog {

using namespace twinseal::security;
using namespace twinseal::test;


namespace {

Digest dh(const char* hex) {
    auto b = fromHex(hex);
    if (!b.ok() || b->size() != 32)
        qFatal("bad digest hex in test: %s", hex);
    Digest d;
    std::copy(b->begin(), b->end(), d.begin());
    return d;
}

std::vector<Digest> dhs(std::initializer_list<const char*> hexes) {
    std::vector<Digest> out;
    for (const char* h : hexes)
        out.push_back(dh(h));
    return out;
}

QByteArray hex(const Digest& d) {
    return QByteArray::fromStdString(toHex(d));
}

// The RFC 6962 reference leaves (data, before leaf hashing).
const std::vector<Bytes>& referenceLeaves() {
    static const std::vector<Bytes> leaves = [] {
        std::vector<Bytes> v;
        v.reserve(rfc6962::kLeaves.size());
        for (const char* h : rfc6962::kLeaves)
            v.push_back(*fromHex(h));
        return v;
    }();
    return leaves;
}

std::vector<Digest> referenceLeafHashes() {
    std::vector<Digest> v;
    for (const auto& l : referenceLeaves())
        v.push_back(merkle::leafHash(l));
    return v;
}

// MTH(D[0:n]) for n = 0..8.
const std::vector<Digest>& rfcRoots() {
    static const std::vector<Digest> roots = [] {
        std::vector<Digest> v;
        v.reserve(rfc6962::kRoots.size());
        for (const char* h : rfc6962::kRoots)
            v.push_back(dh(h));
        return v;
    }();
    return roots;
}

Digest flipBit(Digest d, std::size_t bit) {
    d[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
    return d;
}

// Which bits of a hash the property tests flip. Every one of the 256 for trees of up to 16 leaves
// (and for every tree when TWINSEAL_EXHAUSTIVE=1 is set); above that, every byte once with the
// flipped bit position rotating through 0..7, which still reaches every byte and every bit
// position (a truncated comparison or a masked bit would be caught) at an eighth of the cost.
std::vector<std::size_t> flipBits(std::uint64_t treeSize) {
    static const bool exhaustive = qEnvironmentVariableIntValue("TWINSEAL_EXHAUSTIVE") == 1;
    std::vector<std::size_t> bits;
    if (exhaustive || treeSize <= 16) {
        for (std::size_t b = 0; b < 256; ++b)
            bits.push_back(b);
    } else {
        for (std::size_t byte = 0; byte < 32; ++byte)
            bits.push_back(byte * 8 + (byte + treeSize) % 8);
    }
    return bits;
}

std::string str(std::uint64_t a, std::uint64_t b) {
    return "(" + std::to_string(a) + ", " + std::to_string(b) + ")";
}

// Every way of damaging a valid inclusion proof must be refused. Returns what was wrongly
// accepted, or an empty string.
// roots[k] is the root of the log's first k leaves, for every k up to the log's size.
std::vector<Digest> rootsOf(const MerkleLog& log) {
    std::vector<Digest> roots;
    for (std::uint64_t k = 0; k <= log.size(); ++k)
        roots.push_back(*log.root(k));
    return roots;
}

std::string inclusionProbes(std::uint64_t m, std::uint64_t n, const std::vector<Digest>& path,
                            const Digest& leaf, const std::vector<Digest>& roots) {
    const Digest root = roots[n];
    auto accepted = [&](std::uint64_t mi, std::uint64_t ni, const std::vector<Digest>& p,
                        const Digest& l, const Digest& r) {
        auto st = verifyInclusion(mi, ni, p, l, r);
        if (!st.ok() && st.code() != ErrorCode::InclusionProofInvalid)
            return true; // the wrong reason is as bad as acceptance here
        return st.ok();
    };
    const std::string at = str(m, n);
    // Single bits of every path entry, of the leaf hash and of the root (see flipBits()).
    const auto bits = flipBits(n);
    for (std::size_t i = 0; i < path.size(); ++i)
        for (std::size_t bit : bits) {
            auto p = path;
            p[i] = flipBit(p[i], bit);
            if (accepted(m, n, p, leaf, root))
                return at + ": bit " + std::to_string(bit) + " of path[" + std::to_string(i) + "]";
        }
    for (std::size_t bit : bits) {
        if (accepted(m, n, path, flipBit(leaf, bit), root))
            return at + ": bit " + std::to_string(bit) + " of the leaf hash";
        if (accepted(m, n, path, leaf, flipBit(root, bit)))
            return at + ": bit " + std::to_string(bit) + " of the root";
    }
    // Any other index in the same tree, and indices outside it.
    for (std::uint64_t mi = 0; mi < n + 2; ++mi)
        if (mi != m && accepted(mi, n, path, leaf, root))
            return at + ": as leaf " + std::to_string(mi);
    // Any other tree size, with that tree's own root; and twice / half the size with this root.
    for (std::uint64_t ni = 1; ni < roots.size(); ++ni)
        if (ni != n && accepted(m, ni, path, leaf, roots[ni]))
            return at + ": as tree size " + std::to_string(ni);
    if (accepted(m, n * 2, path, leaf, root) || (n > 1 && accepted(m, n / 2, path, leaf, root)))
        return at + ": as twice / half the tree size";
    accepted(m, 0, path, leaf, root); // never valid; must not crash
    // Entries removed, added, duplicated.
    if (!path.empty()) {
        auto p = path;
        p.pop_back();
        if (accepted(m, n, p, leaf, root))
            return at + ": last entry removed";
        p = path;
        p.erase(p.begin());
        if (accepted(m, n, p, leaf, root))
            return at + ": first entry removed";
        p = path;
        p.insert(p.begin(), path[0]);
        if (accepted(m, n, p, leaf, root))
            return at + ": first entry repeated";
    }
    for (const Digest& extra : {root, leaf, Digest{}}) {
        auto p = path;
        p.push_back(extra);
        if (accepted(m, n, p, leaf, root))
            return at + ": trailing entry";
        p = path;
        p.insert(p.begin(), extra);
        if (accepted(m, n, p, leaf, root))
            return at + ": preceding entry";
    }
    return {};
}

std::string consistencyProbes(std::uint64_t m, std::uint64_t n, const std::vector<Digest>& path,
                              const std::vector<Digest>& roots) {
    const Digest r1 = roots[m], r2 = roots[n];
    auto accepted = [&](std::uint64_t a, std::uint64_t b, const std::vector<Digest>& p,
                        const Digest& h1, const Digest& h2) {
        auto st = verifyConsistency(a, b, p, h1, h2);
        if (!st.ok() && st.code() != ErrorCode::ConsistencyProofInvalid)
            return true;
        return st.ok();
    };
    const std::string at = str(m, n);
    const auto bits = flipBits(n);
    for (std::size_t i = 0; i < path.size(); ++i)
        for (std::size_t bit : bits) {
            auto p = path;
            p[i] = flipBit(p[i], bit);
            if (accepted(m, n, p, r1, r2))
                return at + ": bit " + std::to_string(bit) + " of path[" + std::to_string(i) + "]";
        }
    for (std::size_t bit : bits) {
        if (accepted(m, n, path, flipBit(r1, bit), r2))
            return at + ": bit " + std::to_string(bit) + " of the first root";
        // (The empty tree is a prefix of every tree: for m == 0 any second root is consistent.)
        if (m != 0 && accepted(m, n, path, r1, flipBit(r2, bit)))
            return at + ": bit " + std::to_string(bit) + " of the second root";
    }
    // Other first sizes (with their own roots). An empty path rightly proves (0, n) and (n, n),
    // so those are only wrong sizes for a non-empty proof.
    for (std::uint64_t a = path.empty() ? 1 : 0; a < roots.size(); ++a)
        if (a != m && !(path.empty() && a == n) && accepted(a, n, path, roots[a], r2))
            return at + ": as first size " + std::to_string(a);
    // Other second sizes; the empty tree (m == 0) is a prefix of every tree.
    for (std::uint64_t b = 0; b < roots.size(); ++b)
        if (b != n && m != 0 && accepted(m, b, path, r1, roots[b]))
            return at + ": as second size " + std::to_string(b);
    if (m != n && accepted(m, n, path, r2, r1))
        return at + ": roots swapped";
    if (accepted(n, m, path, r2, r1) && m != n)
        return at + ": sizes and roots swapped";
    if (!path.empty()) {
        auto p = path;
        p.pop_back();
        if (accepted(m, n, p, r1, r2))
            return at + ": last entry removed";
        p = path;
        p.erase(p.begin());
        if (accepted(m, n, p, r1, r2))
            return at + ": first entry removed";
        if (accepted(m, n, {}, r1, r2))
            return at + ": empty proof";
    }
    for (const Digest& extra : {r1, r2, Digest{}}) {
        auto p = path;
        p.push_back(extra);
        if (accepted(m, n, p, r1, r2))
            return at + ": trailing entry";
        p = path;
        p.insert(p.begin(), extra);
        if (accepted(m, n, p, r1, r2))
            return at + ": preceding entry";
    }
    return {};
}

} // namespace

class TransLogTest : public QObject {
    Q_OBJECT

    static constexpr std::uint64_t kMaxN = 64;
    MerkleLog m_log;              // kMaxN leaves "leaf-<i>"
    std::vector<Digest> m_leaves; // their leaf hashes

    Issuer m_issuer;
    Holder m_holder;
    SigningKey m_logKey;
    FixedClock m_clock{kNow};

private slots:
    void initTestCase() {
        for (std::uint64_t i = 0; i < kMaxN; ++i) {
            const std::string data = "leaf-" + std::to_string(i);
            m_leaves.push_back(merkle::leafHash(view(data)));
            QCOMPARE(m_log.appendData(view(data)), i);
        }
        m_issuer = Issuer::make();
        m_holder = Holder::make(m_issuer, sampleAvatarDir());
        m_logKey = take(SigningKey::generate(KeyAlgorithm::Ed25519), "log key");
    }

    // ---- RFC 6962 reference vectors ---------------------------------------------------------

    void referenceRoots() {
        const auto leaves = referenceLeafHashes();
        MerkleLog log;
        QCOMPARE(hex(log.root()), hex(rfcRoots()[0]));
        for (const auto& l : referenceLeaves())
            log.appendData(l);
        for (std::uint64_t n = 0; n <= 8; ++n) {
            const std::vector<Digest> prefix(leaves.begin(), leaves.begin() + static_cast<long>(n));
            QCOMPARE(hex(*log.root(n)), hex(rfcRoots()[n]));
            QCOMPARE(hex(merkle::rootFromLeaves(prefix)), hex(rfcRoots()[n]));
        }
        QCOMPARE(log.root(9).code(), ErrorCode::InvalidArgument);
    }

    void referenceInclusionProofs_data() {
        QTest::addColumn<quint64>("index");
        QTest::addColumn<quint64>("size");
        QTest::addColumn<std::vector<Digest>>("path");
        QTest::newRow("leaf 0 of 1") << quint64(0) << quint64(1) << std::vector<Digest>{};
        QTest::newRow("leaf 0 of 8")
            << quint64(0) << quint64(8)
            << dhs({"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"});
        QTest::newRow("leaf 5 of 8")
            << quint64(5) << quint64(8)
            << dhs({"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"});
        QTest::newRow("leaf 2 of 3")
            << quint64(2) << quint64(3)
            << dhs({"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"});
        QTest::newRow("leaf 1 of 5")
            << quint64(1) << quint64(5)
            << dhs({"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"});
    }
    void referenceInclusionProofs() {
        QFETCH(quint64, index);
        QFETCH(quint64, size);
        QFETCH(std::vector<Digest>, path);
        const auto leaves = referenceLeafHashes();
        const std::vector<Digest> prefix(leaves.begin(), leaves.begin() + static_cast<long>(size));
        MerkleLog log;
        for (const auto& l : referenceLeaves())
            log.appendData(l);

        auto pure = inclusionPath(prefix, index);
        QVERIFY(pure.ok());
        QCOMPARE(*pure, path);
        auto fromLog = log.inclusionProof(index, size);
        QVERIFY(fromLog.ok());
        QCOMPARE(fromLog->path, path);
        QCOMPARE(fromLog->leafIndex, index);
        QCOMPARE(fromLog->treeSize, size);

        const Digest& root = rfcRoots()[size];
        QVERIFY(verifyInclusion(index, size, path, leaves[index], root).ok());
        QCOMPARE(hex(*rootFromInclusionPath(index, size, path, leaves[index])), hex(root));
        const std::string bad = inclusionProbes(index, size, path, leaves[index], rootsOf(log));
        QVERIFY2(bad.empty(), bad.c_str());
    }

    void referenceConsistencyProofs_data() {
        QTest::addColumn<quint64>("first");
        QTest::addColumn<quint64>("second");
        QTest::addColumn<std::vector<Digest>>("path");
        QTest::newRow("1 to 1") << quint64(1) << quint64(1) << std::vector<Digest>{};
        QTest::newRow("1 to 8")
            << quint64(1) << quint64(8)
            << dhs({"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"});
        QTest::newRow("6 to 8")
            << quint64(6) << quint64(8)
            << dhs({"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"});
        QTest::newRow("2 to 5")
            << quint64(2) << quint64(5)
            << dhs({"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"});
        QTest::newRow("6 to 7")
            << quint64(6) << quint64(7)
            << dhs({"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                    "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
                    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"});
    }
    void referenceConsistencyProofs() {
        QFETCH(quint64, first);
        QFETCH(quint64, second);
        QFETCH(std::vector<Digest>, path);
        const auto leaves = referenceLeafHashes();
        const std::vector<Digest> prefix(leaves.begin(),
                                         leaves.begin() + static_cast<long>(second));
        MerkleLog log;
        for (const auto& l : referenceLeaves())
            log.appendData(l);

        auto pure = consistencyPath(prefix, first);
        QVERIFY(pure.ok());
        QCOMPARE(*pure, path);
        auto fromLog = log.consistencyProof(first, second);
        QVERIFY(fromLog.ok());
        QCOMPARE(fromLog->path, path);

        const auto& roots = rfcRoots();
        QVERIFY(verifyConsistency(first, second, path, roots[first], roots[second]).ok());
        const std::string bad = consistencyProbes(first, second, path, rootsOf(log));
        QVERIFY2(bad.empty(), bad.c_str());
    }

    // ---- properties over every (m, n) up to n = 64 ---------------------------------------------

    void inclusionEveryProofUpTo64() {
        const auto roots = rootsOf(m_log);
        std::size_t proofs = 0;
        for (std::uint64_t n = 1; n <= kMaxN; ++n) {
            const std::span<const Digest> prefix(m_leaves.data(), n);
            const Digest root = *m_log.root(n);
            QCOMPARE(hex(root), hex(merkle::rootFromLeaves({prefix.begin(), prefix.end()})));
            for (std::uint64_t m = 0; m < n; ++m) {
                auto pure = inclusionPath(prefix, m);
                auto fromLog = m_log.inclusionProof(m, n);
                QVERIFY(pure.ok() && fromLog.ok());
                QVERIFY2(*pure == fromLog->path, str(m, n).c_str());
                QVERIFY2(pure->size() <= 7, str(m, n).c_str());
                auto st = verifyInclusion(m, n, *pure, m_leaves[m], root);
                QVERIFY2(st.ok(),
                         (str(m, n) + " " + (st.ok() ? "" : st.error().message())).c_str());
                const std::string bad = inclusionProbes(m, n, *pure, m_leaves[m], roots);
                QVERIFY2(bad.empty(), ("accepted a damaged proof " + bad).c_str());
                ++proofs;
            }
        }
        QCOMPARE(proofs, std::size_t(kMaxN * (kMaxN + 1) / 2));
        QCOMPARE(inclusionPath(m_leaves, kMaxN).code(), ErrorCode::InvalidArgument);
        QCOMPARE(inclusionPath({}, 0).code(), ErrorCode::InvalidArgument);
        QCOMPARE(m_log.inclusionProof(5, 5).code(), ErrorCode::InvalidArgument);
        QCOMPARE(m_log.inclusionProof(0, kMaxN + 1).code(), ErrorCode::InvalidArgument);
    }

    void consistencyEveryProofUpTo64() {
        const auto roots = rootsOf(m_log);
        std::size_t proofs = 0;
        for (std::uint64_t n = 0; n <= kMaxN; ++n) {
            const std::span<const Digest> prefix(m_leaves.data(), n);
            for (std::uint64_t m = 0; m <= n; ++m) {
                auto pure = consistencyPath(prefix, m);
                auto fromLog = m_log.consistencyProof(m, n);
                QVERIFY(pure.ok() && fromLog.ok());
                QVERIFY2(*pure == fromLog->path, str(m, n).c_str());
                QVERIFY2((m == 0 || m == n) == pure->empty(), str(m, n).c_str());
                auto st = verifyConsistency(m, n, *pure, *m_log.root(m), *m_log.root(n));
                QVERIFY2(st.ok(),
                         (str(m, n) + " " + (st.ok() ? "" : st.error().message())).c_str());
                const std::string bad = consistencyProbes(m, n, *pure, roots);
                QVERIFY2(bad.empty(), ("accepted a damaged proof " + bad).c_str());
                ++proofs;
            }
        }
        QCOMPARE(proofs, std::size_t((kMaxN + 1) * (kMaxN + 2) / 2));
        QCOMPARE(consistencyPath(std::span(m_leaves).first(3), 4).code(),
                 ErrorCode::InvalidArgument);
        QCOMPARE(m_log.consistencyProof(4, 3).code(), ErrorCode::InvalidArgument);
        QCOMPARE(m_log.consistencyProof(1, kMaxN + 1).code(), ErrorCode::InvalidArgument);
    }

    // Trivial sizes, as transparency-dev/merkle's TestVerifyConsistency pins them down.
    void consistencyEdgeCases() {
        const Digest empty = sha256({});
        const Digest a = m_leaves[0], b = m_leaves[1];
        QVERIFY(verifyConsistency(0, 0, {}, empty, empty).ok());
        QVERIFY(verifyConsistency(0, 5, {}, empty, a).ok());
        QVERIFY(verifyConsistency(3, 3, {}, a, a).ok());
        QCOMPARE(verifyConsistency(3, 3, {}, a, b).code(), ErrorCode::ConsistencyProofInvalid);
        QCOMPARE(verifyConsistency(0, 5, {}, a, b).code(), ErrorCode::ConsistencyProofInvalid);
        QCOMPARE(verifyConsistency(3, 3, std::vector{a}, a, a).code(),
                 ErrorCode::ConsistencyProofInvalid);
        QCOMPARE(verifyConsistency(0, 1, std::vector{empty}, empty, a).code(),
                 ErrorCode::ConsistencyProofInvalid);
        QCOMPARE(verifyConsistency(2, 1, {}, a, b).code(), ErrorCode::ConsistencyProofInvalid);
        QCOMPARE(verifyConsistency(1, 2, {}, a, b).code(), ErrorCode::ConsistencyProofInvalid);
        QCOMPARE(verifyInclusion(0, 0, {}, a, a).code(), ErrorCode::InclusionProofInvalid);
        QVERIFY(verifyInclusion(0, 1, {}, a, a).ok());
        QCOMPARE(verifyInclusion(1, 1, {}, a, a).code(), ErrorCode::InclusionProofInvalid);
    }

    // The efficient log agrees with the RFC's recursive definitions on a larger, irregular tree.
    void logMatchesDefinitionsOnLargerTree() {
        MerkleLog log;
        std::vector<Digest> leaves;
        for (int i = 0; i < 1000; ++i) {
            leaves.push_back(sha256(view("entry " + std::to_string(i))));
            log.append(leaves.back());
        }
        for (std::uint64_t n : {1u, 2u, 3u, 255u, 256u, 257u, 511u, 640u, 999u, 1000u}) {
            const std::span<const Digest> prefix(leaves.data(), n);
            QCOMPARE(hex(*log.root(n)),
                     hex(merkle::rootFromLeaves({prefix.begin(), prefix.end()})));
            for (std::uint64_t m :
                 std::initializer_list<std::uint64_t>{0, 1, n / 3, n / 2, n - 1}) {
                if (m >= n)
                    continue;
                QCOMPARE(log.inclusionProof(m, n)->path, *inclusionPath(prefix, m));
                QCOMPARE(log.consistencyProof(m + 1, n)->path, *consistencyPath(prefix, m + 1));
                QVERIFY(
                    verifyInclusion(m, n, log.inclusionProof(m, n)->path, leaves[m], *log.root(n))
                        .ok());
                QVERIFY(verifyConsistency(m + 1, n, log.consistencyProof(m + 1, n)->path,
                                          *log.root(m + 1), *log.root(n))
                            .ok());
            }
        }
        QCOMPARE(log.leafHash(999).value(), leaves[999]);
        QCOMPARE(log.leafHash(1000).code(), ErrorCode::InvalidArgument);
    }

    // A log of a quarter of a million entries: appending is cheap and proofs stay short.
    void largeLog() {
        MerkleLog log;
        const std::uint64_t n = (1u << 18) + 5;
        Digest h{};
        for (std::uint64_t i = 0; i < n; ++i) {
            h[0] = static_cast<std::uint8_t>(i);
            h[1] = static_cast<std::uint8_t>(i >> 8);
            h[2] = static_cast<std::uint8_t>(i >> 16);
            log.append(h);
        }
        QCOMPARE(log.size(), n);
        const Digest root = log.root();
        for (std::uint64_t i : {std::uint64_t{0}, std::uint64_t{12345}, n / 2, n - 6, n - 1}) {
            auto p = log.inclusionProof(i, n);
            QVERIFY(p.ok());
            QVERIFY(p->path.size() <= 19);
            QVERIFY(verifyInclusion(i, n, p->path, *log.leafHash(i), root).ok());
        }
        for (std::uint64_t m : {std::uint64_t{1}, std::uint64_t{1} << 17, n - 1}) {
            auto c = log.consistencyProof(m, n);
            QVERIFY(c.ok());
            QVERIFY(verifyConsistency(m, n, c->path, *log.root(m), root).ok());
        }
    }

    // ---- wire formats --------------------------------------------------------------------------

    void proofEncoding() {
        auto p = *m_log.inclusionProof(13, 40);
        auto back = InclusionProof::decode(p.encode());
        QVERIFY(back.ok());
        QCOMPARE(back->leafIndex, 13u);
        QCOMPARE(back->treeSize, 40u);
        QCOMPARE(back->path, p.path);

        auto c = *m_log.consistencyProof(13, 40);
        auto cback = ConsistencyProof::decode(c.encode());
        QVERIFY(cback.ok());
        QCOMPARE(cback->firstSize, 13u);
        QCOMPARE(cback->secondSize, 40u);
        QCOMPARE(cback->path, c.path);

        twinseal::proto::InclusionProof raw;
        raw.set_leaf_index(1);
        raw.set_tree_size(2);
        raw.add_path(std::string(31, 'x'));
        QCOMPARE(InclusionProof::decode(toBytes(raw.SerializeAsString())).code(),
                 ErrorCode::MalformedInput);
        raw.clear_path();
        for (int i = 0; i < 65; ++i)
            raw.add_path(std::string(32, 'x'));
        QCOMPARE(InclusionProof::decode(toBytes(raw.SerializeAsString())).code(),
                 ErrorCode::MalformedInput);
        raw.clear_path();
        raw.set_leaf_index(2);
        QCOMPARE(InclusionProof::decode(toBytes(raw.SerializeAsString())).code(),
                 ErrorCode::MalformedInput);
        QCOMPARE(InclusionProof::decode(toBytes("\xff\xff\xff")).code(), ErrorCode::MalformedInput);

        twinseal::proto::ConsistencyProof rawC;
        rawC.set_first_size(5);
        rawC.set_second_size(4);
        QCOMPARE(ConsistencyProof::decode(toBytes(rawC.SerializeAsString())).code(),
                 ErrorCode::MalformedInput);
    }

    void logEntryRoundTrip() {
        LogEntry e;
        e.type = LogEntryType::Transfer;
        e.timestamp = kNow;
        e.dtId = "dt-0001";
        e.credentialDigest = m_holder.credential.digest();
        e.subscriberBinding = m_holder.credential.claims.subscriberBinding;
        e.details = toBytes("offer+acceptance");
        const Bytes enc = e.encode();
        auto back = LogEntry::decode(enc);
        QVERIFY(back.ok());
        QCOMPARE(back->type, LogEntryType::Transfer);
        QCOMPARE(back->timestamp, kNow);
        QCOMPARE(back->dtId, e.dtId);
        QCOMPARE(back->credentialDigest, e.credentialDigest);
        QCOMPARE(back->subscriberBinding, e.subscriberBinding);
        QCOMPARE(back->details, e.details);
        QCOMPARE(back->encode(), enc);
        QCOMPARE(logLeafHash(enc), merkle::leafHash(enc));
        QCOMPARE(logEntryTypeName(LogEntryType::Revocation), std::string_view("revocation"));

        QCOMPARE(LogEntry::decode({}).code(), ErrorCode::MalformedInput);
        QCOMPARE(LogEntry::decode(toBytes("garbage!")).code(), ErrorCode::MalformedInput);
        twinseal::proto::LogEntry raw;
        raw.ParseFromArray(enc.data(), static_cast<int>(enc.size()));
        auto reencode = [](const twinseal::proto::LogEntry& r) {
            return LogEntry::decode(toBytes(r.SerializeAsString())).code();
        };
        QCOMPARE(reencode(raw), ErrorCode::Ok);
        auto r = raw;
        r.set_version(2);
        QCOMPARE(reencode(r), ErrorCode::UnsupportedVersion);
        r = raw;
        r.set_type(twinseal::proto::LOG_ENTRY_TYPE_UNSPECIFIED);
        QCOMPARE(reencode(r), ErrorCode::MalformedInput);
        r = raw;
        r.set_type(static_cast<twinseal::proto::LogEntryType>(9));
        QCOMPARE(reencode(r), ErrorCode::MalformedInput);
        r = raw;
        r.set_credential_digest(std::string(31, 'x'));
        QCOMPARE(reencode(r), ErrorCode::MalformedInput);
    }

    // ---- signed tree heads -------------------------------------------------------------------

    void signedTreeHead_data() {
        QTest::addColumn<KeyAlgorithm>("alg");
        QTest::newRow("Ed25519") << KeyAlgorithm::Ed25519;
        QTest::newRow("P-256") << KeyAlgorithm::EcdsaP256;
    }
    void signedTreeHead() {
        QFETCH(KeyAlgorithm, alg);
        auto key = take(SigningKey::generate(alg), "log key");
        auto sth = signTreeHead(m_log.size(), m_log.root(), kNow, key);
        QVERIFY(sth.ok());
        QCOMPARE(*envelopeType(sth->encoded), std::string(kTreeHeadType));
        auto back = parseSignedTreeHead(sth->encoded, key.publicKey());
        QVERIFY(back.ok());
        QCOMPARE(back->head.treeSize, m_log.size());
        QCOMPARE(back->head.rootHash, m_log.root());
        QCOMPARE(back->head.timestamp, kNow);
        QCOMPARE(back->head.logId, sha256(*key.publicKey().spki()));
        QCOMPARE(back->encoded, sth->encoded);

        auto other = take(SigningKey::generate(alg), "other key");
        QCOMPARE(parseSignedTreeHead(sth->encoded, other.publicKey()).code(),
                 ErrorCode::BadSignature);

        int bad = 0;
        for (std::size_t i = 0; i < sth->encoded.size(); ++i) {
            Bytes f = sth->encoded;
            f[i] ^= 0x01;
            auto r = parseSignedTreeHead(f, key.publicKey());
            QVERIFY2(!r.ok(), qPrintable(QString("flip at %1 accepted").arg(i)));
            bad += r.code() == ErrorCode::BadSignature;
        }
        QVERIFY(bad > 0);

        // Signed by the right key, but naming another log.
        twinseal::proto::TreeHead t;
        t.set_version(1);
        t.set_log_id(std::string(32, 'L'));
        t.set_tree_size(3);
        t.set_root_hash(std::string(32, 'R'));
        auto forged = signEnvelope(kTreeHeadType, toBytes(t.SerializeAsString()), key);
        QCOMPARE(parseSignedTreeHead(*forged, key.publicKey()).code(), ErrorCode::KeyMismatch);
        t.set_version(2);
        forged = signEnvelope(kTreeHeadType, toBytes(t.SerializeAsString()), key);
        QCOMPARE(parseSignedTreeHead(*forged, key.publicKey()).code(),
                 ErrorCode::UnsupportedVersion);
        t.set_version(1);
        t.set_root_hash("short");
        forged = signEnvelope(kTreeHeadType, toBytes(t.SerializeAsString()), key);
        QCOMPARE(parseSignedTreeHead(*forged, key.publicKey()).code(), ErrorCode::MalformedInput);
        // Another signed object is not a tree head.
        auto notHead = signEnvelope("twinseal.status-list.v1", toBytes(t.SerializeAsString()), key);
        QCOMPARE(parseSignedTreeHead(*notHead, key.publicKey()).code(), ErrorCode::WrongObjectType);
    }

    // A monitor's view: tree heads over time are consistent; a forked log is caught.
    void treeHeadConsistency() {
        MerkleLog log, fork;
        for (std::uint64_t i = 0; i < 20; ++i) {
            log.append(m_leaves[i]);
            fork.append(i == 11 ? m_leaves[63] : m_leaves[i]);
        }
        auto older = *signTreeHead(13, *log.root(13), kNow, m_logKey);
        auto newer = *signTreeHead(20, log.root(), kNow + 60, m_logKey);
        auto forked = *signTreeHead(20, fork.root(), kNow + 60, m_logKey);
        auto proof = *log.consistencyProof(13, 20);
        QVERIFY(verifyConsistency(older.head, newer.head, proof).ok());
        QCOMPARE(verifyConsistency(older.head, forked.head, proof).code(),
                 ErrorCode::ConsistencyProofInvalid);
        QCOMPARE(verifyConsistency(older.head, forked.head, *fork.consistencyProof(13, 20)).code(),
                 ErrorCode::ConsistencyProofInvalid);
        QCOMPARE(verifyConsistency(older.head, newer.head, *log.consistencyProof(12, 20)).code(),
                 ErrorCode::ConsistencyProofInvalid);
        auto otherKey = take(SigningKey::generate(KeyAlgorithm::Ed25519), "other log");
        auto otherLog = *signTreeHead(20, log.root(), kNow, otherKey);
        QCOMPARE(verifyConsistency(older.head, otherLog.head, proof).code(),
                 ErrorCode::ConsistencyProofInvalid);
        QCOMPARE(verifyConsistency(newer.head, older.head, proof).code(),
                 ErrorCode::ConsistencyProofInvalid);
    }

    void receipts() {
        MerkleLog log;
        for (std::uint64_t i = 0; i < 9; ++i)
            log.append(m_leaves[i]);
        LogEntry e;
        e.type = LogEntryType::Issuance;
        e.timestamp = kNow;
        e.dtId = "dt-0001";
        e.credentialDigest = m_holder.credential.digest();
        const Bytes entry = e.encode();
        const auto index = log.appendData(entry);
        log.append(m_leaves[10]);
        auto sth = *signTreeHead(log.size(), log.root(), kNow, m_logKey);

        auto receipt = makeLogReceipt(sth, entry, *log.inclusionProof(index, log.size()));
        QVERIFY(receipt.ok());
        const Bytes enc = receipt->encode();
        auto back = parseLogReceipt(enc, m_logKey.publicKey());
        QVERIFY(back.ok());
        QCOMPARE(back->proof.leafIndex, index);
        QCOMPARE(back->entry.credentialDigest, e.credentialDigest);
        QCOMPARE(back->entryBytes, entry);
        QCOMPARE(back->treeHead.head.rootHash, log.root());

        auto otherKey = take(SigningKey::generate(KeyAlgorithm::Ed25519), "other log");
        QCOMPARE(parseLogReceipt(enc, otherKey.publicKey()).code(), ErrorCode::BadSignature);
        // A receipt for an entry that is not the one proven.
        LogEntry e2 = e;
        e2.dtId = "dt-0002";
        QCOMPARE(makeLogReceipt(sth, e2.encode(), *log.inclusionProof(index, log.size())).code(),
                 ErrorCode::InclusionProofInvalid);
        // A proof for another tree size than the head's.
        QCOMPARE(makeLogReceipt(sth, entry, *log.inclusionProof(index, log.size() - 1)).code(),
                 ErrorCode::InclusionProofInvalid);
        auto relabelled = *log.inclusionProof(index, log.size());
        relabelled.treeSize = log.size() + 1; // still computes the head's root, see below
        QVERIFY(verifyInclusion(index, relabelled.treeSize, relabelled.path, logLeafHash(entry),
                                log.root())
                    .ok());
        QCOMPARE(verifyInclusion(sth.head, relabelled, entry).code(),
                 ErrorCode::InclusionProofInvalid);
        QCOMPARE(makeLogReceipt(sth, entry, relabelled).code(), ErrorCode::InclusionProofInvalid);
        QCOMPARE(parseLogReceipt(toBytes("nonsense"), m_logKey.publicKey()).code(),
                 ErrorCode::MalformedInput);
        int refused = 0;
        for (std::size_t i = 0; i < enc.size(); ++i) {
            Bytes f = enc;
            f[i] ^= 0x01;
            refused += !parseLogReceipt(f, m_logKey.publicKey()).ok();
        }
        QCOMPARE(refused, static_cast<int>(enc.size()));
    }

    // ---- the InclusionChecker inside verifyPeer
    // --------------------------------------------------

    void inclusionCheckerInVerifyPeer() {
        const Credential& cred = m_holder.credential;
        QCOMPARE(cred.claims.logIndex, 42u);
        // The home network's log: 42 other entries, then this credential's issuance, then more.
        MerkleLog log;
        for (std::uint64_t i = 0; i < 42; ++i)
            log.append(m_leaves[i]);
        LogEntry e;
        e.type = LogEntryType::Issuance;
        e.timestamp = kNow - 3600;
        e.dtId = cred.claims.dtId;
        e.credentialDigest = cred.digest();
        e.subscriberBinding = cred.claims.subscriberBinding;
        const Bytes entry = e.encode();
        QCOMPARE(log.appendData(entry), 42u);
        for (std::uint64_t i = 43; i < 50; ++i)
            log.append(m_leaves[i]);
        auto sth = take(signTreeHead(log.size(), log.root(), kNow, m_logKey), "sth");
        auto verifiedSth =
            take(parseSignedTreeHead(sth.encoded, m_logKey.publicKey()), "parse sth");
        const auto proof = *log.inclusionProof(42, log.size());

        auto run = [&](const InclusionChecker* inclusion) {
            const std::string a = m_holder.assertion().compact;
            VerificationInputs in;
            in.assertion = a;
            in.credential = cred.encoded;
            in.media.manifest = m_holder.manifestView(); // media bytes: not yet received
            in.trust = &m_issuer.trust;
            in.clock = &m_clock;
            in.expectedDestination = kDest;
            in.inclusion = inclusion;
            in.optOut({CheckId::Revocation, CheckId::Replay, CheckId::MediaContent, CheckId::PinnedKey});
            return verifyPeer(in);
        };
        auto explain = [](const VerificationReport& r) {
            return QByteArray::fromStdString(r.toJson());
        };

        {
            LogInclusionChecker checker(verifiedSth);
            QVERIFY(checker.add(entry, proof).ok());
            QVERIFY(checker.check(cred).ok());
            auto r = run(&checker);
            QVERIFY2(r.state == OverallState::Verified, explain(r));
            QCOMPARE(r.find(CheckId::LogInclusion)->state, CheckState::Passed);
        }
        { // Nothing for this credential.
            LogInclusionChecker checker(verifiedSth);
            auto r = run(&checker);
            QCOMPARE(r.state, OverallState::Failed);
            QCOMPARE(r.reason, ErrorCode::InclusionProofMissing);
            QCOMPARE(r.find(CheckId::LogInclusion)->code, ErrorCode::InclusionProofMissing);
            // Evidence for another credential does not count either.
            LogEntry other = e;
            other.credentialDigest = sha256(view("another credential"));
            QVERIFY(checker.add(other.encode(), proof).ok());
            QCOMPARE(run(&checker).reason, ErrorCode::InclusionProofMissing);
        }
        auto expectInvalid = [&](ByteView entryBytes, const InclusionProof& p, const char* what) {
            LogInclusionChecker checker(verifiedSth);
            QVERIFY(checker.add(entryBytes, p).ok());
            auto r = run(&checker);
            QVERIFY2(r.state == OverallState::Failed, what);
            QVERIFY2(r.reason == ErrorCode::InclusionProofInvalid, (what + explain(r)).constData());
            QCOMPARE(r.find(CheckId::LogInclusion)->state, CheckState::Failed);
        };
        for (std::size_t i = 0; i < proof.path.size(); ++i) {
            auto bad = proof;
            bad.path[i][i] ^= 0x40;
            expectInvalid(entry, bad, "a damaged path entry");
        }
        {
            auto bad = proof;
            bad.path.pop_back();
            expectInvalid(entry, bad, "a truncated path");
        }
        expectInvalid(entry, *log.inclusionProof(41, log.size()), "the proof of another index");
        {
            auto bad = proof;
            bad.leafIndex = 41;
            expectInvalid(entry, bad, "the right path under the wrong index");
        }
        expectInvalid(entry, *log.inclusionProof(42, log.size() - 1), "a proof for another size");
        { // Entries that are not the logged bytes.
            LogEntry later = e;
            later.timestamp += 1;
            expectInvalid(later.encode(), proof, "an entry that is not the logged one");
        }
        // Entries that name the credential and are honestly logged at its index, but say
        // something other than "this credential was issued to this DT and subscriber".
        auto loggedAt42 = [&](const LogEntry& other, const char* what) {
            MerkleLog l;
            for (std::uint64_t i = 0; i < 42; ++i)
                l.append(m_leaves[i]);
            const Bytes bytes = other.encode();
            l.appendData(bytes);
            l.append(m_leaves[43]);
            auto head = *signTreeHead(l.size(), l.root(), kNow, m_logKey);
            LogInclusionChecker checker(head);
            QVERIFY(checker.add(bytes, *l.inclusionProof(42, l.size())).ok());
            auto st = checker.check(cred);
            QVERIFY2(st.code() == ErrorCode::InclusionProofInvalid,
                     (std::string(what) + ": " + std::string(errorCodeName(st.code()))).c_str());
            auto r = run(&checker);
            QCOMPARE(r.reason, ErrorCode::InclusionProofInvalid);
        };
        {
            const LogEntry& same = e; // control: the real entry passes this way too
            MerkleLog l;
            for (std::uint64_t i = 0; i < 42; ++i)
                l.append(m_leaves[i]);
            l.appendData(same.encode());
            LogInclusionChecker checker(*signTreeHead(l.size(), l.root(), kNow, m_logKey));
            QVERIFY(checker.add(same.encode(), *l.inclusionProof(42, l.size())).ok());
            QVERIFY(checker.check(cred).ok());
        }
        {
            LogEntry revoked = e;
            revoked.type = LogEntryType::Revocation;
            loggedAt42(revoked, "a revocation entry");
            LogEntry otherDt = e;
            otherDt.dtId = "dt-9999";
            loggedAt42(otherDt, "an entry for another DT");
            LogEntry otherSub = e;
            otherSub.subscriberBinding = Bytes(32, 0x55);
            loggedAt42(otherSub, "an entry for another subscriber");
            LogEntry noSub = e; // the binding is optional in an entry
            noSub.subscriberBinding.clear();
            LogEntry recert = e;
            recert.type = LogEntryType::Recertification;
            for (const LogEntry& fine : {noSub, recert}) {
                MerkleLog l;
                for (std::uint64_t i = 0; i < 42; ++i)
                    l.append(m_leaves[i]);
                l.appendData(fine.encode());
                LogInclusionChecker checker(*signTreeHead(l.size(), l.root(), kNow, m_logKey));
                QVERIFY(checker.add(fine.encode(), *l.inclusionProof(42, l.size())).ok());
                QVERIFY(checker.check(cred).ok());
            }
        }
        { // The right path relabelled with a larger tree size still computes the head's root
            // (RFC 9162's verifier cannot tell): the proof must be for the head's size.
            auto relabelled = proof;
            relabelled.treeSize = log.size() + 1;
            QVERIFY(verifyInclusion(42, relabelled.treeSize, relabelled.path, logLeafHash(entry),
                                    log.root())
                        .ok());
            expectInvalid(entry, relabelled, "a proof relabelled with another tree size");
        }
        { // A log entry that is in the log, but at the wrong index for this credential.
            MerkleLog shifted;
            for (std::uint64_t i = 0; i < 41; ++i)
                shifted.append(m_leaves[i]);
            shifted.appendData(entry); // index 41
            auto shiftedSth = *signTreeHead(shifted.size(), shifted.root(), kNow, m_logKey);
            LogInclusionChecker checker(shiftedSth);
            QVERIFY(checker.add(entry, *shifted.inclusionProof(41, shifted.size())).ok());
            QCOMPARE(checker.check(cred).code(), ErrorCode::InclusionProofInvalid);
        }
        { // Receipts feed the checker; a receipt for another head is refused.
            LogInclusionChecker checker(verifiedSth);
            auto receipt = take(makeLogReceipt(sth, entry, proof), "receipt");
            QVERIFY(checker.add(receipt).ok());
            QVERIFY(checker.check(cred).ok());
            auto olderSth =
                *signTreeHead(log.size() - 1, *log.root(log.size() - 1), kNow, m_logKey);
            auto olderReceipt =
                take(makeLogReceipt(olderSth, entry, *log.inclusionProof(42, log.size() - 1)),
                     "receipt");
            QCOMPARE(checker.add(olderReceipt).code(), ErrorCode::InvalidArgument);
            QCOMPARE(checker.add(toBytes("junk"), proof).code(), ErrorCode::MalformedInput);
        }
    }
};

TWINSEAL_TEST(TransLogTest, "translog")
} // namespace test_translog
} // namespace

#include "test_translog.moc"
