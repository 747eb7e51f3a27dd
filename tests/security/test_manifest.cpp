// Avatar media manifests: RFC 9162 Merkle hashing, package validation, signing, and detection of
// every kind of media or manifest tampering, on disk and streaming.
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <set>
#include <thread>

#include <sys/stat.h>
#include <unistd.h>

#include <twinseal/security/manifest.h>
#include <twinseal/security/merkle.h>
#include <twinseal/security/signed.h>

#include "rfc6962_vectors.h"
#include "testmain.h"
#include "twinseal/proto/twinseal.pb.h"

namespace {
namespace test_manifest {

using namespace twinseal::security;

namespace {

constexpr std::uint32_t kChunk = 4096;
const char* const kSampleGlb = TWINSEAL_SOURCE_DIR "/resources/avatar/sample-avatar.glb";
const char* const kTexture = "textures/skin.png";
const char* const kEmpty = "notes/empty.txt";
const char* const kAvatarJson = "{\n"
    "  \"name\": \"Test Avatar\",\n"
    "  \"authors\": [\"Ada\", \"Grace\"],\n"
    "  \"version\": \"2.1\",\n"
    "  \"licence\": \"CC0-1.0\",\n"
    "  \"allowedUsers\": \"everyone\",\n"
    "  \"violentUsage\": false,\n"
    "  \"sexualUsage\": false,\n"
    "  \"commercialUsage\": true,\n"
    "  \"contact\": \"mailto:avatar@example.org\",\n"
    "  \"reference\": \"https://example.org/avatar\"\n"
    "}";

std::string hex(const Digest& d) { return toHex(d); }

QByteArray qsha256(const QByteArray& data) {
    return QCryptographicHash::hash(data, QCryptographicHash::Sha256);
}
QByteArray fromDigest(const Digest& d) {
    return QByteArray(reinterpret_cast<const char*>(d.data()), static_cast<qsizetype>(d.size()));
}

// Reference MTH straight from RFC 9162 section 2.1.1, on Qt's SHA-256 (independent of the code
// under test): leaves are already leaf hashes.
QByteArray referenceMth(const std::vector<QByteArray>& leaves, std::size_t begin, std::size_t end) {
    const std::size_t n = end - begin;
    if (n == 0)
        return qsha256({});
    if (n == 1)
        return leaves[begin];
    std::size_t k = 1;
    while (k * 2 < n)
        k *= 2;
    return qsha256(QByteArray(1, '\x01') + referenceMth(leaves, begin, begin + k) +
                   referenceMth(leaves, begin + k, end));
}
QByteArray referenceLeaf(const QByteArray& data) { return qsha256(QByteArray(1, '\0') + data); }

// Deterministic non-compressible bytes.
QByteArray pseudoRandom(qsizetype size, std::uint64_t seed) {
    QByteArray out(size, Qt::Uninitialized);
    std::uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
    for (qsizetype i = 0; i < size; ++i) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out[i] = static_cast<char>(x >> 24);
    }
    return out;
}

bool writeFile(const QString& path, const QByteArray& data) {
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(data) == data.size();
}
QByteArray readFile(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}
bool flipByte(const QString& path, qint64 offset) {
    QFile f(path);
    if (!f.open(QIODevice::ReadWrite) || !f.seek(offset))
        return false;
    char c = 0;
    if (!f.getChar(&c) || !f.seek(offset))
        return false;
    return f.putChar(static_cast<char>(c ^ 0x01));
}

// A package with the sample GLB, a texture of 3.5 chunks, an empty file and avatar.json.
void makePackage(const QString& dir) {
    QVERIFY(QFile::copy(QString::fromUtf8(kSampleGlb), dir + "/sample-avatar.glb"));
    QFile::setPermissions(dir + "/sample-avatar.glb", QFileDevice::ReadOwner |
                                                          QFileDevice::WriteOwner);
    QByteArray png = QByteArray("\x89PNG\r\n\x1a\n", 8) + pseudoRandom(3 * kChunk + 2040, 7);
    QVERIFY(writeFile(dir + "/" + kTexture, png));
    QVERIFY(writeFile(dir + "/" + kEmpty, {}));
    QVERIFY(writeFile(dir + "/avatar.json", kAvatarJson));
}

HashOptions smallChunks(unsigned threads = 1, std::uint64_t parallelThreshold = 8u << 20) {
    HashOptions o;
    o.chunkSize = kChunk;
    o.threads = threads;
    o.parallelThreshold = parallelThreshold;
    return o;
}

ByteView bview(const QByteArray& b) {
    return {reinterpret_cast<const std::uint8_t*>(b.constData()), static_cast<std::size_t>(b.size())};
}

const ManifestFile* findFile(const Manifest& m, const std::string& path) {
    for (const auto& f : m.files)
        if (f.path == path)
            return &f;
    return nullptr;
}

bool sameFiles(const Manifest& a, const Manifest& b) {
    if (a.files.size() != b.files.size() || a.packageRoot != b.packageRoot)
        return false;
    for (std::size_t i = 0; i < a.files.size(); ++i) {
        const auto &x = a.files[i], &y = b.files[i];
        if (x.path != y.path || x.size != y.size || x.mediaType != y.mediaType ||
            x.root != y.root || x.chunkHashes != y.chunkHashes)
            return false;
    }
    return true;
}

SigningKey newKey(KeyAlgorithm alg = KeyAlgorithm::Ed25519) {
    auto k = SigningKey::generate(alg);
    if (!k.ok())
        qFatal("key generation failed: %s", k.error().message().c_str());
    return std::move(k).value();
}

// Signs an arbitrary manifest body (for crafted, internally inconsistent manifests).
Bytes signBody(const twinseal::proto::ManifestBody& body, const SigningKey& key) {
    std::string s;
    body.SerializeToString(&s);
    auto env = signEnvelope(kManifestType, view(s), key);
    if (!env.ok())
        qFatal("signEnvelope failed");
    return *env;
}

} // namespace

class ManifestTest : public QObject {
    Q_OBJECT

private slots:
    // ---- Merkle tree (RFC 9162) ----------------------------------------------------------

    void merkleEmptyTree() {
        QCOMPARE(QString::fromStdString(hex(merkle::rootFromLeaves({}))),
                 QStringLiteral("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
    }

    void merkleLeafAndNode() {
        // SHA-256(0x00): the leaf hash of the empty entry.
        QCOMPARE(QString::fromStdString(hex(merkle::leafHash({}))),
                 QStringLiteral("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"));
        const Digest leaf = merkle::leafHash(view("avatar"));
        QCOMPARE(fromDigest(leaf), referenceLeaf("avatar"));
        QCOMPARE(merkle::rootFromLeaves({leaf}), leaf); // a single leaf is its own root
        const Digest other = merkle::leafHash(view("twin"));
        QCOMPARE(fromDigest(merkle::nodeHash(leaf, other)),
                 qsha256(QByteArray(1, '\x01') + fromDigest(leaf) + fromDigest(other)));
        QVERIFY(merkle::nodeHash(leaf, other) != merkle::nodeHash(other, leaf));
    }

    // The Certificate Transparency reference vectors (RFC 6962/9162 tree shape).
    void merkleKnownRoots() {
        std::vector<Digest> leaves;
        for (std::size_t n = 1; n <= twinseal::test::rfc6962::kLeaves.size(); ++n) {
            const QByteArray input = QByteArray::fromHex(twinseal::test::rfc6962::kLeaves[n - 1]);
            leaves.push_back(merkle::leafHash(bview(input)));
            QCOMPARE(QString::fromStdString(hex(merkle::rootFromLeaves(leaves))),
                     QString::fromLatin1(twinseal::test::rfc6962::kRoots[n]));
        }
    }

    void merkleMatchesReference() {
        std::vector<std::size_t> sizes;
        for (std::size_t n = 1; n <= 20; ++n)
            sizes.push_back(n);
        for (std::size_t n : {31u, 32u, 33u, 63u, 64u, 65u, 100u, 257u})
            sizes.push_back(n);
        for (std::size_t n : sizes) {
            std::vector<Digest> leaves;
            std::vector<QByteArray> ref;
            for (std::size_t i = 0; i < n; ++i) {
                const QByteArray data = pseudoRandom(static_cast<qsizetype>(i % 7 * 5), i + 1);
                leaves.push_back(merkle::leafHash(bview(data)));
                ref.push_back(referenceLeaf(data));
                QCOMPARE(fromDigest(leaves.back()), ref.back());
            }
            QVERIFY2(fromDigest(merkle::rootFromLeaves(leaves)) == referenceMth(ref, 0, n),
                     qPrintable(QStringLiteral("tree of %1 leaves").arg(n)));
        }
    }

    // ---- building ------------------------------------------------------------------------

    void buildDescribesPackage() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        makePackage(dir.path());
        auto m = buildManifest(dir.path().toStdString(), smallChunks());
        QVERIFY2(m.ok(), m.ok() ? "" : m.error().message().c_str());
        QCOMPARE(m->chunkSize, kChunk);
        QCOMPARE(m->files.size(), 4u);
        QCOMPARE(m->files[0].path, std::string("avatar.json"));
        QCOMPARE(m->files[1].path, std::string(kEmpty));
        QCOMPARE(m->files[2].path, std::string("sample-avatar.glb"));
        QCOMPARE(m->files[3].path, std::string(kTexture));
        QCOMPARE(m->files[0].mediaType, std::string("application/json"));
        QCOMPARE(m->files[2].mediaType, std::string("model/gltf-binary"));
        QCOMPARE(m->files[3].mediaType, std::string("image/png"));
        QCOMPARE(m->modelPath, std::string("sample-avatar.glb"));
        QCOMPARE(m->metadataPath, std::string("avatar.json"));
        QCOMPARE(m->metadata.name, std::string("Test Avatar"));
        QCOMPARE(m->metadata.authors, (std::vector<std::string>{"Ada", "Grace"}));
        QCOMPARE(m->metadata.version, std::string("2.1"));
        QCOMPARE(m->metadata.licence, std::string("CC0-1.0"));
        QCOMPARE(m->metadata.allowedUsers, std::string("everyone"));
        QVERIFY(m->metadata.commercialUsage);
        QVERIFY(!m->metadata.violentUsage);
        QCOMPARE(m->metadata.contact, std::string("mailto:avatar@example.org"));
        QVERIFY(m->createdAt > 1600000000);

        // Every file's leaves and root, recomputed independently from the bytes on disk.
        for (const ManifestFile& f : m->files) {
            const QByteArray data = readFile(dir.path() + "/" + QString::fromStdString(f.path));
            QCOMPARE(f.size, static_cast<std::uint64_t>(data.size()));
            QCOMPARE(f.chunkHashes.size(), static_cast<std::size_t>((data.size() + kChunk - 1) / kChunk));
            std::vector<QByteArray> ref;
            for (qsizetype off = 0; off < data.size(); off += kChunk)
                ref.push_back(referenceLeaf(data.mid(off, kChunk)));
            for (std::size_t i = 0; i < ref.size(); ++i)
                QCOMPARE(fromDigest(f.chunkHashes[i]), ref[i]);
            QCOMPARE(fromDigest(f.root), referenceMth(ref, 0, ref.size()));
        }
        // The empty file has no chunks; its root is the empty tree.
        QVERIFY(m->files[1].chunkHashes.empty());
        QCOMPARE(QString::fromStdString(hex(m->files[1].root)),
                 QStringLiteral("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));

        // The package root binds path, size, chunk size and file root of each entry.
        std::vector<QByteArray> entryLeaves;
        for (const ManifestFile& f : m->files) {
            QByteArray e("twinseal.media-file.v1", 22);
            e.append('\0');
            auto be = [&](std::uint64_t v, int bytes) {
                for (int s = (bytes - 1) * 8; s >= 0; s -= 8)
                    e.append(static_cast<char>(v >> s));
            };
            be(f.path.size(), 4);
            e.append(f.path.data(), static_cast<qsizetype>(f.path.size()));
            be(f.size, 8);
            be(kChunk, 4);
            e.append(fromDigest(f.root));
            entryLeaves.push_back(referenceLeaf(e));
        }
        QCOMPARE(fromDigest(m->packageRoot), referenceMth(entryLeaves, 0, entryLeaves.size()));
        QCOMPARE(computePackageRoot(m->files, kChunk), m->packageRoot);
        // Any change to an entry changes the package root.
        auto files = m->files;
        files[3].path = "textures/skin2.png";
        QVERIFY(computePackageRoot(files, kChunk) != m->packageRoot);
        QVERIFY(computePackageRoot(m->files, 2 * kChunk) != m->packageRoot);
    }

    void sampleAvatarPackageBuilds() {
        auto m = buildManifest(TWINSEAL_SOURCE_DIR "/resources/avatar");
        QVERIFY2(m.ok(), m.ok() ? "" : m.error().message().c_str());
        QCOMPARE(m->modelPath, std::string("sample-avatar.glb"));
        QCOMPARE(m->metadata.name, std::string("TwinSeal Sample Avatar"));
        QCOMPARE(m->metadata.licence, std::string("CC0-1.0"));
        QCOMPARE(m->metadata.allowedUsers, std::string("everyone"));
        QVERIFY(findFile(*m, "LICENSE.txt"));
        QVERIFY(findFile(*m, "sample-avatar.glb")->size < 200UL * 1024);
    }

    void chunkSizeValidated() {
        QTemporaryDir dir;
        makePackage(dir.path());
        for (std::uint32_t bad : {0u, 1000u, 2048u, 4097u, 6144u, 32u << 20}) {
            HashOptions o;
            o.chunkSize = bad;
            QCOMPARE(buildManifest(dir.path().toStdString(), o).code(), ErrorCode::InvalidArgument);
        }
        for (std::uint32_t good : {4096u, 65536u, 16u << 20}) {
            HashOptions o;
            o.chunkSize = good;
            auto m = buildManifest(dir.path().toStdString(), o);
            QVERIFY(m.ok());
            QCOMPARE(m->chunkSize, good);
        }
    }

    void hashSingleFile() {
        QTemporaryDir dir;
        QVERIFY(writeFile(dir.filePath("e.bin"), {}));
        auto empty = hashMediaFile(dir.filePath("e.bin").toStdString(), "e.bin", smallChunks());
        QVERIFY(empty.ok());
        QVERIFY(empty->chunkHashes.empty());
        QCOMPARE(empty->root, sha256({}));
        const QByteArray data = pseudoRandom(2LL * kChunk, 3); // exactly two full chunks
        QVERIFY(writeFile(dir.filePath("two.ktx2"), data));
        auto two = hashMediaFile(dir.filePath("two.ktx2").toStdString(), "t/two.ktx2", smallChunks());
        QVERIFY(two.ok());
        QCOMPARE(two->path, std::string("t/two.ktx2"));
        QCOMPARE(two->mediaType, std::string("image/ktx2"));
        QCOMPARE(two->chunkHashes.size(), 2u);
        QCOMPARE(fromDigest(two->root),
                 referenceMth({referenceLeaf(data.left(kChunk)), referenceLeaf(data.mid(kChunk))}, 0, 2));
        QCOMPARE(hashMediaFile(dir.filePath("missing").toStdString(), "missing", smallChunks()).code(),
                 ErrorCode::IoError);
    }

    void multithreadedHashingIsIdentical() {
        QTemporaryDir dir;
        makePackage(dir.path());
        // A bigger file so that several workers split it into ranges (odd chunk count).
        QVERIFY(writeFile(dir.filePath("textures/big.bin"), pseudoRandom(97 * kChunk + 5, 11)));
        auto one = buildManifest(dir.path().toStdString(), smallChunks(1));
        QVERIFY(one.ok());
        for (unsigned threads : {2u, 3u, 8u, 0u}) {
            std::mutex mutex;
            std::vector<std::uint64_t> seen;
            std::uint64_t totalSeen = 0;
            std::set<std::thread::id> callers;
            std::atomic<int> concurrent{0}, maxConcurrent{0};
            HashOptions o = smallChunks(threads, 4096);
            o.progress = [&](std::uint64_t done, std::uint64_t total) {
                const int c = ++concurrent;
                maxConcurrent = std::max(maxConcurrent.load(), c);
                {
                    std::lock_guard lock(mutex);
                    seen.push_back(done);
                    totalSeen = total;
                    callers.insert(std::this_thread::get_id());
                }
                --concurrent;
            };
            auto many = buildManifest(dir.path().toStdString(), o);
            QVERIFY(many.ok());
            QVERIFY2(sameFiles(*one, *many), qPrintable(QStringLiteral("threads=%1").arg(threads)));
            std::uint64_t total = 0;
            for (const auto& f : one->files)
                total += f.size;
            QVERIFY(!seen.empty());
            QCOMPARE(seen.back(), total); // the last report is the whole package
            QCOMPARE(totalSeen, total);
            QVERIFY(std::is_sorted(seen.begin(), seen.end()));
            QCOMPARE(maxConcurrent.load(), 1); // never entered concurrently
            // and verification on several threads accepts it
            QVERIFY(verifyMedia(*many, dir.path().toStdString(), o).ok());
        }
    }

    // A slow progress callback on many threads: never entered concurrently, increasing values,
    // the last one is the total.
    void progressReportsAreSerialised() {
        QTemporaryDir dir;
        makePackage(dir.path());
        QVERIFY(writeFile(dir.filePath("textures/big.bin"), pseudoRandom(40 << 20, 13)));
        std::uint64_t total = 0;
        for (const QString& f : {QStringLiteral("sample-avatar.glb"), QStringLiteral("textures/big.bin"),
                                 QStringLiteral("avatar.json"), QString::fromLatin1(kTexture)})
            total += static_cast<std::uint64_t>(QFileInfo(dir.path() + "/" + f).size());
        std::atomic<int> inside{0}, maxInside{0};
        std::atomic<bool> beyondTotal{false};
        std::vector<std::uint64_t> seen; // guarded by the library's serialisation
        HashOptions o = smallChunks(4, 1 << 20);
        o.progress = [&](std::uint64_t done, std::uint64_t t) {
            const int now = ++inside;
            if (now > maxInside)
                maxInside = now;
            seen.push_back(done);
            if (done > t)
                beyondTotal = true;
            std::this_thread::sleep_for(std::chrono::milliseconds(3));
            --inside;
        };
        auto m = buildManifest(dir.path().toStdString(), o);
        QVERIFY(m.ok());
        QCOMPARE(maxInside.load(), 1);
        QVERIFY(seen.size() >= 2);
        QVERIFY(std::adjacent_find(seen.begin(), seen.end(), std::greater_equal<>()) == seen.end());
        QCOMPARE(seen.back(), total);
        QVERIFY(!beyondTotal);
        seen.clear();
        QVERIFY(verifyMedia(*m, dir.path().toStdString(), o).ok());
        QCOMPARE(maxInside.load(), 1);
        QCOMPARE(seen.back(), total);
    }

    // ---- signing and parsing -------------------------------------------------------------

    void signParseRoundTrip_data() {
        QTest::addColumn<int>("alg");
        QTest::newRow("Ed25519") << static_cast<int>(KeyAlgorithm::Ed25519);
        QTest::newRow("P-256") << static_cast<int>(KeyAlgorithm::EcdsaP256);
    }
    void signParseRoundTrip() {
        QFETCH(int, alg);
        QTemporaryDir dir;
        makePackage(dir.path());
        auto m = buildManifest(dir.path().toStdString(), smallChunks());
        QVERIFY(m.ok());
        m->createdAt = 1800000000;
        const SigningKey key = newKey(static_cast<KeyAlgorithm>(alg));
        auto encoded = signManifest(*m, key);
        QVERIFY2(encoded.ok(), encoded.ok() ? "" : encoded.error().message().c_str());
        QCOMPARE(envelopeType(*encoded).value(), std::string(kManifestType));

        auto parsed = parseSignedManifest(*encoded);
        QVERIFY2(parsed.ok(), parsed.ok() ? "" : parsed.error().message().c_str());
        const Manifest& p = parsed->manifest;
        QVERIFY(sameFiles(*m, p));
        QCOMPARE(p.chunkSize, kChunk);
        QCOMPARE(p.modelPath, m->modelPath);
        QCOMPARE(p.metadataPath, m->metadataPath);
        QCOMPARE(p.metadata.name, m->metadata.name);
        QCOMPARE(p.metadata.authors, m->metadata.authors);
        QCOMPARE(p.metadata.licence, m->metadata.licence);
        QCOMPARE(p.metadata.reference, m->metadata.reference);
        QCOMPARE(p.metadata.commercialUsage, true);
        QCOMPARE(p.createdAt, std::int64_t(1800000000));
        QVERIFY(p.holderKey == key.publicKey());
        QVERIFY(parsed->encoded == *encoded);
        QVERIFY(!parsed->body.empty());
        // The signature is over the stored body bytes.
        QVERIFY(key.publicKey().verify(signingInput(kManifestType, parsed->body), parsed->signature).ok());
        // The parsed manifest verifies the media it was built from.
        QVERIFY(verifyMedia(p, dir.path().toStdString(), smallChunks()).ok());
    }

    void signRefusesInconsistentManifest() {
        QTemporaryDir dir;
        makePackage(dir.path());
        auto m = buildManifest(dir.path().toStdString(), smallChunks());
        QVERIFY(m.ok());
        const SigningKey key = newKey();
        Manifest bad = *m;
        bad.files[2].chunkHashes[1][0] ^= 1;
        QCOMPARE(signManifest(bad, key).code(), ErrorCode::InvalidArgument);
        bad = *m;
        bad.packageRoot[5] ^= 1;
        QCOMPARE(signManifest(bad, key).code(), ErrorCode::InvalidArgument);
        bad = *m;
        bad.modelPath = "other.glb";
        QCOMPARE(signManifest(bad, key).code(), ErrorCode::InvalidArgument);
        QCOMPARE(signManifest(*m, SigningKey()).code(), ErrorCode::InvalidArgument);
    }

    // Every single-byte change of the signed envelope is detected.
    void envelopeByteFlipsDetected() {
        QTemporaryDir dir;
        makePackage(dir.path());
        auto m = buildManifest(dir.path().toStdString(), smallChunks());
        QVERIFY(m.ok());
        const SigningKey key = newKey();
        auto encoded = signManifest(*m, key);
        QVERIFY(encoded.ok());
        QVERIFY(parseSignedManifest(*encoded).ok());
        std::map<ErrorCode, int> codes;
#if GOOGLE_PROTOBUF_VERSION < 3022000
        const google::protobuf::LogSilencer quiet; // invalid UTF-8 from flips would be logged
#endif
        for (std::size_t i = 0; i < encoded->size(); ++i) {
            for (std::uint8_t mask : {std::uint8_t(0x01), std::uint8_t(0x80)}) {
                Bytes tampered = *encoded;
                tampered[i] ^= mask;
                auto r = parseSignedManifest(tampered);
                QVERIFY2(!r.ok(), qPrintable(QStringLiteral("flip 0x%1 at byte %2 of %3 accepted")
                                                 .arg(mask, 0, 16).arg(i).arg(encoded->size())));
                ++codes[r.code()];
            }
        }
        // Tampering inside the signed body is reported as a bad signature.
        QVERIFY(codes[ErrorCode::BadSignature] > static_cast<int>(encoded->size()));
        // Truncation too.
        for (std::size_t len : {std::size_t(0), std::size_t(1), encoded->size() / 2, encoded->size() - 1})
            QVERIFY(!parseSignedManifest(ByteView(encoded->data(), len)).ok());
    }

    void signedButInconsistentManifestsRejected() {
        QTemporaryDir dir;
        makePackage(dir.path());
        auto m = buildManifest(dir.path().toStdString(), smallChunks());
        QVERIFY(m.ok());
        const SigningKey key = newKey();
        auto encoded = signManifest(*m, key);
        QVERIFY(encoded.ok());
        auto env = parseEnvelope(*encoded, kManifestType);
        QVERIFY(env.ok());
        twinseal::proto::ManifestBody body;
        QVERIFY(body.ParseFromArray(env->body.data(), static_cast<int>(env->body.size())));
        QVERIFY(parseSignedManifest(signBody(body, key)).ok()); // re-signing as is: fine

        auto expect = [&](const twinseal::proto::ManifestBody& b, ErrorCode code) {
            auto r = parseSignedManifest(signBody(b, key));
            return r.code() == code;
        };
        auto b = body;
        b.mutable_files(2)->mutable_chunk_hashes(3)->at(0) ^= 1; // leaf no longer matches root
        QVERIFY(expect(b, ErrorCode::MediaRootMismatch));
        b = body;
        b.mutable_files(3)->mutable_root()->at(0) ^= 1; // file root differs from its leaves
        QVERIFY(expect(b, ErrorCode::MediaRootMismatch));
        b = body;
        b.mutable_files(3)->clear_chunk_hashes(); // chunk count inconsistent with the size
        QVERIFY(expect(b, ErrorCode::MalformedInput));
        b = body;
        b.mutable_files(3)->mutable_chunk_hashes(0)->pop_back(); // not a 32-byte digest
        QVERIFY(expect(b, ErrorCode::MalformedInput));
        b = body;
        b.mutable_package_root()->at(31) ^= 1;
        QVERIFY(expect(b, ErrorCode::MediaRootMismatch));
        b = body;
        b.mutable_files(2)->set_size(b.files(2).size() + kChunk); // one chunk hash short
        QVERIFY(expect(b, ErrorCode::MalformedInput));
        b = body;
        b.set_version(2);
        QVERIFY(expect(b, ErrorCode::UnsupportedVersion));
        b = body;
        b.set_hash_algorithm("sha-1");
        QVERIFY(expect(b, ErrorCode::UnsupportedAlgorithm));
        b = body;
        b.set_chunk_size(1000);
        QVERIFY(expect(b, ErrorCode::MalformedInput));
        b = body;
        b.mutable_files(1)->set_path("../escape.txt");
        QVERIFY(expect(b, ErrorCode::MalformedInput));
        b = body;
        b.mutable_files(1)->set_path("/etc/passwd");
        QVERIFY(expect(b, ErrorCode::MalformedInput));
        b = body;
        std::swap(*b.mutable_files(0), *b.mutable_files(1)); // not sorted
        QVERIFY(expect(b, ErrorCode::MalformedInput));
        b = body;
        b.set_model_path("missing.glb");
        QVERIFY(expect(b, ErrorCode::MalformedInput));
        // Signed by another key than the holder key it names.
        const SigningKey other = newKey();
        QCOMPARE(parseSignedManifest(signBody(body, other)).code(), ErrorCode::BadSignature);
        // Another object type.
        std::string s;
        body.SerializeToString(&s);
        QCOMPARE(parseSignedManifest(*signEnvelope("twinseal.dt-credential.v1", view(s), key)).code(),
                 ErrorCode::WrongObjectType);
    }

    // ---- verifying media on disk ---------------------------------------------------------

    void verifyMediaSucceeds() {
        QTemporaryDir dir;
        makePackage(dir.path());
        auto m = buildManifest(dir.path().toStdString(), smallChunks());
        QVERIFY(m.ok());
        MediaFailure failure{"stale", 99};
        QVERIFY(verifyMedia(*m, dir.path().toStdString(), smallChunks(), &failure).ok());
        QVERIFY(failure.file.empty());
        QVERIFY(!failure.chunkIndex);
        // A trailing slash on the package path makes no difference.
        QVERIFY(verifyMedia(*m, dir.path().toStdString() + "/", smallChunks(2, 4096)).ok());
    }

    void everyByteFlipIsLocated() {
        QTemporaryDir dir;
        makePackage(dir.path());
        auto m = buildManifest(dir.path().toStdString(), smallChunks());
        QVERIFY(m.ok());
        int checked = 0;
        for (const ManifestFile& f : m->files) {
            if (f.size == 0)
                continue;
            const std::uint64_t last = f.size - 1;
            std::set<std::uint64_t> offsets = {0, last, last / 2};
            for (std::uint64_t b = kChunk; b < f.size; b += kChunk) {
                offsets.insert(b - 1); // last byte of a chunk
                offsets.insert(b);     // first byte of the next
            }
            const QString path = dir.path() + "/" + QString::fromStdString(f.path);
            for (std::uint64_t off : offsets) {
                QVERIFY(flipByte(path, static_cast<qint64>(off)));
                // alternate sequential and parallel hashing
                const HashOptions o = checked % 2 ? smallChunks(2, 4096) : smallChunks(1);
                MediaFailure failure;
                const Status st = verifyMedia(*m, dir.path().toStdString(), o, &failure);
                QVERIFY(flipByte(path, static_cast<qint64>(off))); // restore
                const QString where = QStringLiteral("%1 @%2").arg(QString::fromStdString(f.path)).arg(off);
                QVERIFY2(!st.ok(), qPrintable(where));
                QCOMPARE(st.code(), ErrorCode::MediaMismatch);
                QCOMPARE(failure.file, f.path);
                QVERIFY2(failure.chunkIndex.has_value(), qPrintable(where));
                QCOMPARE(*failure.chunkIndex, off / kChunk);
                const std::string expected = f.path + ": chunk " + std::to_string(off / kChunk) +
                                             " (bytes " + std::to_string(off / kChunk * kChunk) + "-" +
                                             std::to_string(std::min<std::uint64_t>(f.size, (off / kChunk + 1) * kChunk) - 1) +
                                             ") does not match the signed manifest";
                QCOMPARE(QString::fromStdString(st.error().detail), QString::fromStdString(expected));
                ++checked;
            }
        }
        QVERIFY(checked > 30);
        QVERIFY(verifyMedia(*m, dir.path().toStdString(), smallChunks()).ok()); // all restored
    }

    void firstBadChunkIsReported() {
        // Several bad chunks in a file hashed by several threads: the lowest index wins.
        QTemporaryDir dir;
        makePackage(dir.path());
        QVERIFY(writeFile(dir.filePath("textures/big.bin"), pseudoRandom(64LL * kChunk, 5)));
        auto m = buildManifest(dir.path().toStdString(), smallChunks());
        QVERIFY(m.ok());
        for (std::uint64_t chunk : {60u, 40u, 33u, 17u}) {
            QVERIFY(flipByte(dir.filePath("textures/big.bin"), static_cast<qint64>(chunk * kChunk + 9)));
            MediaFailure failure;
            QCOMPARE(verifyMedia(*m, dir.path().toStdString(), smallChunks(4, 4096), &failure).code(),
                     ErrorCode::MediaMismatch);
            QCOMPARE(failure.file, std::string("textures/big.bin"));
            QCOMPARE(*failure.chunkIndex, chunk);
        }
    }

    void truncationAndGrowthAreSizeMismatches() {
        QTemporaryDir dir;
        makePackage(dir.path());
        auto m = buildManifest(dir.path().toStdString(), smallChunks());
        QVERIFY(m.ok());
        const QString tex = dir.filePath(kTexture);
        const QByteArray original = readFile(tex);
        QVERIFY(QFile::resize(tex, original.size() - 1));
        MediaFailure failure;
        Status st = verifyMedia(*m, dir.path().toStdString(), smallChunks(), &failure);
        QCOMPARE(st.code(), ErrorCode::MediaSizeMismatch);
        QCOMPARE(failure.file, std::string(kTexture));
        QVERIFY(!failure.chunkIndex);
        QVERIFY(QString::fromStdString(st.error().detail).contains(kTexture));
        QVERIFY(writeFile(tex, original + "x"));
        QCOMPARE(verifyMedia(*m, dir.path().toStdString(), smallChunks(), &failure).code(),
                 ErrorCode::MediaSizeMismatch);
        QVERIFY(writeFile(dir.filePath(kEmpty), "not empty"));
        QVERIFY(writeFile(tex, original));
        QCOMPARE(verifyMedia(*m, dir.path().toStdString(), smallChunks(), &failure).code(),
                 ErrorCode::MediaSizeMismatch);
        QCOMPARE(failure.file, std::string(kEmpty));
    }

    void missingFileReported() {
        QTemporaryDir dir;
        makePackage(dir.path());
        auto m = buildManifest(dir.path().toStdString(), smallChunks());
        QVERIFY(m.ok());
        QVERIFY(QFile::remove(dir.filePath(kTexture)));
        MediaFailure failure;
        const Status st = verifyMedia(*m, dir.path().toStdString(), smallChunks(), &failure);
        QCOMPARE(st.code(), ErrorCode::MediaMissingFile);
        QCOMPARE(failure.file, std::string(kTexture));
        QVERIFY(QString::fromStdString(st.error().detail).contains(kTexture));
        QCOMPARE(verifyMedia(*m, dir.filePath("nope").toStdString(), smallChunks()).code(),
                 ErrorCode::IoError);
    }

    void unexpectedFileReported() {
        QTemporaryDir dir;
        makePackage(dir.path());
        auto m = buildManifest(dir.path().toStdString(), smallChunks());
        QVERIFY(m.ok());
        QVERIFY(writeFile(dir.filePath("textures/extra.png"), "surprise"));
        MediaFailure failure;
        const Status st = verifyMedia(*m, dir.path().toStdString(), smallChunks(), &failure);
        QCOMPARE(st.code(), ErrorCode::MediaUnexpectedFile);
        QCOMPARE(failure.file, std::string("textures/extra.png"));
        QVERIFY(QString::fromStdString(st.error().detail).contains("textures/extra.png"));
        QVERIFY(QFile::remove(dir.filePath("textures/extra.png")));
        QVERIFY(QDir(dir.path()).mkpath("empty/dirs/are/fine"));
        QVERIFY(verifyMedia(*m, dir.path().toStdString(), smallChunks()).ok());
    }

    void singleGlbPackage() {
        QTemporaryDir dir;
        const QString glb = dir.filePath("avatar.glb");
        QVERIFY(QFile::copy(QString::fromUtf8(kSampleGlb), glb));
        QFile::setPermissions(glb, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        auto m = buildManifest(glb.toStdString(), smallChunks());
        QVERIFY2(m.ok(), m.ok() ? "" : m.error().message().c_str());
        QCOMPARE(m->files.size(), 1u);
        QCOMPARE(m->files[0].path, std::string("avatar.glb"));
        QCOMPARE(m->modelPath, std::string("avatar.glb"));
        QVERIFY(m->metadataPath.empty());
        QVERIFY(verifyMedia(*m, glb.toStdString(), smallChunks()).ok());
        QVERIFY(flipByte(glb, 5 * kChunk + 1));
        MediaFailure failure;
        QCOMPARE(verifyMedia(*m, glb.toStdString(), smallChunks(), &failure).code(),
                 ErrorCode::MediaMismatch);
        QCOMPARE(failure.file, std::string("avatar.glb"));
        QCOMPARE(*failure.chunkIndex, 5u);
        // A single file that is not a GLB is not a package.
        QVERIFY(writeFile(dir.filePath("avatar.json"), kAvatarJson));
        QCOMPARE(buildManifest(dir.filePath("avatar.json").toStdString()).code(),
                 ErrorCode::AvatarPackageInvalid);
    }

    // ---- package validation --------------------------------------------------------------

    void invalidPackagesRefused() {
        auto expectInvalid = [](const QString& path, const QString& mention) {
            auto m = buildManifest(path.toStdString(), smallChunks());
            if (m.ok()) {
                qWarning("accepted: %s", qPrintable(path));
                return false;
            }
            const QString detail = QString::fromStdString(m.error().detail);
            if (m.code() != ErrorCode::AvatarPackageInvalid || !detail.contains(mention)) {
                qWarning("wrong error: %s", m.error().message().c_str());
                return false;
            }
            return true;
        };
        const QByteArray glb = readFile(QString::fromUtf8(kSampleGlb));
        QVERIFY(glb.size() > 100);
        {
            QTemporaryDir dir;
            QVERIFY(writeFile(dir.filePath("avatar.json"), kAvatarJson));
            QVERIFY(writeFile(dir.filePath("tex.png"), "png"));
            QVERIFY(expectInvalid(dir.path(), "no glTF model"));
        }
        {
            QTemporaryDir dir;
            QVERIFY(expectInvalid(dir.path(), "empty"));
        }
        {
            QTemporaryDir dir;
            QVERIFY(writeFile(dir.filePath("a.glb"), glb));
            QVERIFY(writeFile(dir.filePath("lod/b.gltf"), "{\"asset\":{\"version\":\"2.0\"}}"));
            QVERIFY(expectInvalid(dir.path(), "a.glb, lod/b.gltf"));
        }
        {
            QTemporaryDir dir;
            QByteArray bad = glb;
            bad[0] = 'X';
            QVERIFY(writeFile(dir.filePath("m.glb"), bad));
            QVERIFY(expectInvalid(dir.path(), "m.glb: not a glTF binary"));
        }
        {
            QTemporaryDir dir;
            QByteArray bad = glb;
            bad[4] = 1; // container version 1
            QVERIFY(writeFile(dir.filePath("m.glb"), bad));
            QVERIFY(expectInvalid(dir.path(), "m.glb: GLB container version 1"));
        }
        {
            QTemporaryDir dir;
            QVERIFY(writeFile(dir.filePath("m.glb"), glb.left(glb.size() - 4))); // truncated
            QVERIFY(expectInvalid(dir.path(), "m.glb: the GLB header declares"));
        }
        {
            QTemporaryDir dir;
            QVERIFY(writeFile(dir.filePath("m.glb"), "glTF"));
            QVERIFY(expectInvalid(dir.path(), "m.glb: only 4 bytes"));
        }
        {
            QTemporaryDir dir;
            QVERIFY(writeFile(dir.filePath("m.gltf"), "{\"asset\":{\"version\":\"1.0\"}}"));
            QVERIFY(expectInvalid(dir.path(), "m.gltf: glTF asset.version is '1.0'"));
            QVERIFY(writeFile(dir.filePath("m.gltf"), "{ not json"));
            QVERIFY(expectInvalid(dir.path(), "m.gltf"));
            QVERIFY(writeFile(dir.filePath("m.gltf"), "{\"asset\":{\"version\":\"2.0\"},\"scenes\":[]}"));
            auto ok = buildManifest(dir.path().toStdString(), smallChunks());
            QVERIFY(ok.ok());
            QCOMPARE(ok->files[0].mediaType, std::string("model/gltf+json"));
        }
        // Metadata
        auto withMetadata = [&](const QByteArray& json, const QString& mention) {
            QTemporaryDir dir;
            if (!writeFile(dir.filePath("m.glb"), glb) || !writeFile(dir.filePath("avatar.json"), json))
                return false;
            return expectInvalid(dir.path(), mention);
        };
        QVERIFY(withMetadata("{\"name\":\"A\"}", "avatar.json: the required field 'licence' is missing"));
        QVERIFY(withMetadata("{\"name\":\"A\",\"license\":\"MIT\"}", "'licence' is missing (found 'license'"));
        QVERIFY(withMetadata("{\"licence\":\"CC0-1.0\"}", "avatar.json: the required field 'name' is missing"));
        QVERIFY(withMetadata("{\"name\":\"\",\"licence\":\"CC0-1.0\"}", "'name' is empty"));
        QVERIFY(withMetadata("{\"name\":\"A\",\"licence\":7}", "'licence' must be a string"));
        QVERIFY(withMetadata("{\"name\":\"A\",\"licence\":\"x\",\"authors\":\"me\"}", "'authors' must be an array"));
        QVERIFY(withMetadata("{\"name\":\"A\",\"licence\":\"x\",\"sexualUsage\":\"no\"}", "'sexualUsage' must be true or false"));
        QVERIFY(withMetadata("{\"name\":\"A\",\"licence\":\"x\",\"allowedUsers\":\"anyone\"}", "'allowedUsers' is 'anyone'"));
        QVERIFY(withMetadata("[1,2]", "avatar.json: not a valid JSON object"));
        QVERIFY(withMetadata("{\"name\":\"A\",", "avatar.json: not a valid JSON object"));
    }

    void symlinksAndSpecialFilesRefused() {
        QTemporaryDir dir;
        makePackage(dir.path());
        auto m = buildManifest(dir.path().toStdString(), smallChunks());
        QVERIFY(m.ok());
        QTemporaryDir outside;
        QVERIFY(writeFile(outside.filePath("secret.txt"), "outside the package"));
        QVERIFY(QFile::link(outside.filePath("secret.txt"), dir.filePath("textures/link.png")));
        auto r = buildManifest(dir.path().toStdString(), smallChunks());
        QCOMPARE(r.code(), ErrorCode::AvatarPackageInvalid);
        QVERIFY(QString::fromStdString(r.error().detail).contains("textures/link.png"));
        QVERIFY(QString::fromStdString(r.error().detail).contains("symbolic link"));
        MediaFailure failure;
        QCOMPARE(verifyMedia(*m, dir.path().toStdString(), smallChunks(), &failure).code(),
                 ErrorCode::MediaUnexpectedFile);
        QCOMPARE(failure.file, std::string("textures/link.png"));
        QVERIFY(QFile::remove(dir.filePath("textures/link.png")));

        // A directory symlink is refused as well (and not followed).
        QVERIFY(QFile::link(outside.path(), dir.filePath("linked-dir")));
        r = buildManifest(dir.path().toStdString(), smallChunks());
        QCOMPARE(r.code(), ErrorCode::AvatarPackageInvalid);
        QVERIFY(QString::fromStdString(r.error().detail).contains("linked-dir"));
        QVERIFY(QFile::remove(dir.filePath("linked-dir")));

        // A symlink in place of a manifest file.
        const QString tex = dir.filePath(kTexture);
        QVERIFY(QFile::rename(tex, outside.filePath("skin.png")));
        QVERIFY(QFile::link(outside.filePath("skin.png"), tex));
        QVERIFY(!verifyMedia(*m, dir.path().toStdString(), smallChunks()).ok());
        QVERIFY(QFile::remove(tex));
        QVERIFY(QFile::rename(outside.filePath("skin.png"), tex));

        QVERIFY(::mkfifo(QFile::encodeName(dir.filePath("pipe")).constData(), 0600) == 0);
        r = buildManifest(dir.path().toStdString(), smallChunks());
        QCOMPARE(r.code(), ErrorCode::AvatarPackageInvalid);
        QVERIFY(QString::fromStdString(r.error().detail).contains("pipe"));
        QVERIFY(QFile::remove(dir.filePath("pipe")));
        QVERIFY(verifyMedia(*m, dir.path().toStdString(), smallChunks()).ok());
    }

    // ---- streaming verification ----------------------------------------------------------

    void streamingVerifierAcceptsPackage() {
        QTemporaryDir dir;
        makePackage(dir.path());
        auto m = buildManifest(dir.path().toStdString(), smallChunks());
        QVERIFY(m.ok());
        for (std::size_t piece : {std::size_t(1), std::size_t(1000), std::size_t(kChunk),
                                  std::size_t(7777), std::size_t(1) << 20}) {
            StreamingMediaVerifier v(*m);
            for (const ManifestFile& f : m->files) {
                QVERIFY(v.beginFile(f.path).ok());
                const QByteArray data = readFile(dir.path() + "/" + QString::fromStdString(f.path));
                for (qsizetype off = 0; off < data.size(); off += static_cast<qsizetype>(piece))
                    QVERIFY(v.update(bview(data.mid(off, static_cast<qsizetype>(piece)))).ok());
                QVERIFY(v.update({}).ok());
                QVERIFY(v.endFile().ok());
            }
            QVERIFY(v.finish().ok());
            QVERIFY(v.failure().file.empty());
        }
    }

    void streamingVerifierNamesFirstBadChunk() {
        QTemporaryDir dir;
        makePackage(dir.path());
        auto m = buildManifest(dir.path().toStdString(), smallChunks());
        QVERIFY(m.ok());
        const ManifestFile& glb = *findFile(*m, "sample-avatar.glb");
        QByteArray data = readFile(dir.filePath("sample-avatar.glb"));
        data[3 * kChunk + 100] = static_cast<char>(data[3 * kChunk + 100] ^ 0x40);
        data[9LL * kChunk] = static_cast<char>(data[9LL * kChunk] ^ 0x40);
        StreamingMediaVerifier v(*m);
        QVERIFY(v.beginFile("avatar.json").ok());
        QVERIFY(v.update(bview(readFile(dir.filePath("avatar.json")))).ok());
        QVERIFY(v.endFile().ok());
        QVERIFY(v.beginFile(kEmpty).ok());
        QVERIFY(v.endFile().ok());
        QVERIFY(v.beginFile(glb.path).ok());
        // Chunks 0-2 are fine; the update that completes chunk 3 fails at once.
        QVERIFY(v.update(bview(data.left(3 * kChunk + 200))).ok());
        const Status st = v.update(bview(data.mid(3 * kChunk + 200, kChunk)));
        QCOMPARE(st.code(), ErrorCode::MediaMismatch);
        QCOMPARE(v.failure().file, glb.path);
        QCOMPARE(*v.failure().chunkIndex, 3u);
        QVERIFY(QString::fromStdString(st.error().detail)
                    .contains("sample-avatar.glb: chunk 3 (bytes 12288-16383) does not match"));
        // Once failed, it stays failed.
        QVERIFY(!v.update(bview(data.mid(4 * kChunk + 200))).ok());
        QVERIFY(!v.endFile().ok());
        QVERIFY(!v.finish().ok());
        QCOMPARE(*v.failure().chunkIndex, 3u);
    }

    void streamingVerifierChecksLastPartialChunk() {
        QTemporaryDir dir;
        makePackage(dir.path());
        auto m = buildManifest(dir.path().toStdString(), smallChunks());
        QVERIFY(m.ok());
        StreamingMediaVerifier v(*m);
        for (const ManifestFile& f : m->files) {
            QVERIFY(v.beginFile(f.path).ok());
            QByteArray data = readFile(dir.path() + "/" + QString::fromStdString(f.path));
            if (f.path == kTexture)
                data[data.size() - 1] = static_cast<char>(data[data.size() - 1] ^ 1);
            QVERIFY(v.update(bview(data)).ok());
            const Status st = v.endFile();
            if (f.path == kTexture) {
                QCOMPARE(st.code(), ErrorCode::MediaMismatch);
                QCOMPARE(*v.failure().chunkIndex, f.chunkHashes.size() - 1);
                return;
            }
            QVERIFY(st.ok());
        }
        QFAIL("corruption in the last partial chunk was not detected");
    }

    void streamingVerifierOrderAndSize() {
        QTemporaryDir dir;
        makePackage(dir.path());
        auto m = buildManifest(dir.path().toStdString(), smallChunks());
        QVERIFY(m.ok());
        const QByteArray json = readFile(dir.filePath("avatar.json"));
        {
            StreamingMediaVerifier v(*m);
            QCOMPARE(v.beginFile("sample-avatar.glb").code(), ErrorCode::MediaMissingFile);
            QCOMPARE(v.failure().file, std::string("avatar.json"));
        }
        {
            StreamingMediaVerifier v(*m);
            QCOMPARE(v.beginFile("evil.bin").code(), ErrorCode::MediaUnexpectedFile);
            QCOMPARE(v.failure().file, std::string("evil.bin"));
        }
        {
            StreamingMediaVerifier v(*m);
            QVERIFY(v.beginFile("avatar.json").ok());
            QVERIFY(v.update(bview(json)).ok());
            QCOMPARE(v.update(bview(QByteArray("x"))).code(), ErrorCode::MediaSizeMismatch);
        }
        {
            StreamingMediaVerifier v(*m);
            QVERIFY(v.beginFile("avatar.json").ok());
            QVERIFY(v.update(bview(json.left(json.size() - 1))).ok());
            QCOMPARE(v.endFile().code(), ErrorCode::MediaSizeMismatch);
            QCOMPARE(v.failure().file, std::string("avatar.json"));
        }
        {
            StreamingMediaVerifier v(*m);
            QVERIFY(v.beginFile("avatar.json").ok());
            QVERIFY(v.update(bview(json)).ok());
            QVERIFY(v.endFile().ok());
            QCOMPARE(v.beginFile("avatar.json").code(), ErrorCode::MediaUnexpectedFile);
        }
        {
            StreamingMediaVerifier v(*m);
            QVERIFY(v.beginFile("avatar.json").ok());
            QVERIFY(v.update(bview(json)).ok());
            QVERIFY(v.endFile().ok());
            QCOMPARE(v.finish().code(), ErrorCode::MediaMissingFile);
            QCOMPARE(v.failure().file, std::string(kEmpty));
        }
        {
            StreamingMediaVerifier v(*m);
            QVERIFY(!v.update(bview(json)).ok()); // no file begun
            QVERIFY(!v.endFile().ok());
        }
    }
};

TWINSEAL_TEST(ManifestTest, "manifest")
} // namespace test_manifest
} // namespace

#include "test_manifest.moc"
