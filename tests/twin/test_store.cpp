// TwinStore and the files it owns: layout, atomic writes, the credential parsed once, the
// pending journal and its reconciliation, the pin and replay-cache formats, and one assertion
// checked from many threads at once against one replay file; the twin's own copy of the sample
// avatar.
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QtTest>

#include <atomic>
#include <thread>

#include <twinseal/netclient/client_types.h>
#include <twinseal/security/avatar_package.h>
#include <twinseal/twin/peer_verifier.h>
#include <twinseal/security/translog.h>
#include <twinseal/twin/sample_avatar.h>
#include <twinseal/twin/tree_head_witness.h>
#include <twinseal/twin/twin_store.h>

#include "fixtures.h"
#include "testmain.h"

namespace {
namespace test_store {

using namespace twinseal::security;
using namespace twinseal::test;
using namespace twinseal::twin;

namespace {

void writeAll(const QString& file, ByteView data) {
    QFile f(file);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        qFatal("cannot write %s", qPrintable(file));
    f.write(reinterpret_cast<const char*>(data.data()), static_cast<qint64>(data.size()));
}

// A transparency log the test writes itself: `entries` leaves named "<history>-<i>".
MerkleLog history(const std::string& name, int entries) {
    MerkleLog log;
    for (int i = 0; i < entries; ++i)
        log.appendData(view(name + "-" + std::to_string(i)));
    return log;
}

SignedTreeHead headOf(const MerkleLog& log, std::uint64_t size, const SigningKey& logKey,
                      std::int64_t at) {
    auto root = log.root(size);
    auto head = signTreeHead(size, *root, at, logKey);
    if (!head.ok())
        qFatal("cannot sign a tree head: %s", head.error().message().c_str());
    return *head;
}

// What the home network would answer: the proof from the given log (honest or not).
TreeHeadWitness::ProofSource proofsFrom(const MerkleLog& log, int* asked = nullptr) {
    return [&log, asked](std::uint64_t first, std::uint64_t second,
                         const twinseal::netclient::ClientCallback<ConsistencyProof>& done) {
        if (asked)
            ++*asked;
        auto p = log.consistencyProof(first, second);
        if (!p.ok())
            return done(twinseal::netclient::clientError("invalid-argument", p.error().message()));
        done(*p);
    };
}

twinseal::netclient::ClientResult<TreeHeadWitness::Decision>
witness(TreeHeadWitness& w, const SigningKey& logKey, const SignedTreeHead& head,
        const TreeHeadWitness::ProofSource& proofs) {
    std::optional<twinseal::netclient::ClientResult<TreeHeadWitness::Decision>> r;
    w.check(logKey.publicKey(), head, 1'900'000'000, proofs, [&](auto result) { r = std::move(result); });
    if (!r)
        qFatal("the witness did not answer");
    return std::move(*r);
}

twinseal::netclient::DtRecord record(const Credential& c, const char* state, std::uint32_t generation) {
    twinseal::netclient::DtRecord r;
    r.dtId = c.claims.dtId;
    r.state = state;
    r.credential = c.encoded;
    r.generation = generation;
    return r;
}

} // namespace

class StoreTest : public QObject {
    Q_OBJECT
    Issuer m_issuer;
    Holder m_holder;

private slots:
    void initTestCase() {
        m_issuer = Issuer::make();
        m_holder = Holder::make(m_issuer, sampleAvatarDir());
    }

    void layoutNamesEachFileOnce() {
        QTemporaryDir dir;
        TwinStore store(dir.path());
        QCOMPARE(store.path(layout::kCredential), dir.filePath("credential.tsc"));
        QCOMPARE(store.path(layout::kProfile), dir.filePath("profile.usim"));
        QCOMPARE(store.pinsPath(), dir.filePath("pins.txt"));
        QCOMPARE(store.replayFile().path(), dir.filePath("replay.txt"));
        QSet<QString> names;
        for (const char* n : {layout::kProfile, layout::kHolderKey, layout::kCredential, layout::kReceipt,
                              layout::kManifest, layout::kDisclosures, layout::kPending, layout::kState,
                              layout::kPrivacy, layout::kSettings, layout::kTrustDir, layout::kPins,
                              layout::kReplay, layout::kAuditLog, layout::kAuditKey, layout::kAuditAnchor})
            names.insert(QString::fromUtf8(n));
        QCOMPARE(names.size(), 16);
    }

    // The sample is a template: each data directory gets a copy of its own, with its own media
    // root (one active twin per media root at a home network), the same model and metadata,
    // made once and then kept.
    void sampleAvatarCopiedPerTwin() {
        QTemporaryDir a, b;
        TwinStore storeA(a.path()), storeB(b.path());
        auto ownA = ownSampleAvatar(storeA, sampleAvatarDir());
        auto ownB = ownSampleAvatar(storeB, sampleAvatarDir());
        QVERIFY(ownA.ok() && ownB.ok());
        QCOMPARE(*ownA, storeA.path(layout::kSampleAvatarDir));
        QVERIFY(!QFileInfo::exists(*ownA + QStringLiteral(".partial")));
        auto manifestA = buildManifest(ownA->toStdString());
        auto manifestB = buildManifest(ownB->toStdString());
        auto sample = buildManifest(sampleAvatarDir().toStdString());
        QVERIFY(manifestA.ok() && manifestB.ok() && sample.ok());
        QVERIFY(manifestA->packageRoot != manifestB->packageRoot);
        QVERIFY(manifestA->packageRoot != sample->packageRoot);
        QCOMPARE(manifestA->modelPath, sample->modelPath);
        QVERIFY(manifestA->metadata == sample->metadata);
        auto again = ownSampleAvatar(storeA, sampleAvatarDir());
        QVERIFY(again.ok());
        QCOMPARE(*again, *ownA);
        QVERIFY(buildManifest(again->toStdString())->packageRoot == manifestA->packageRoot);
    }

    void atomicWritesLeaveNoTemporaries() {
        QTemporaryDir dir;
        TwinStore store(dir.filePath("nested/data"));
        QVERIFY(store.write(layout::kState, QByteArray("{\"a\":1}")).ok());
        QVERIFY(store.write(layout::kState, QByteArray("{\"a\":2}")).ok());
        QCOMPARE(QDir(store.dataDir()).entryList(QDir::Files | QDir::Hidden), QStringList{"twin.json"});
        auto back = store.read(layout::kState);
        QVERIFY(back.ok());
        QCOMPARE(std::string(back->begin(), back->end()), std::string("{\"a\":2}"));
        QVERIFY(store.write(layout::kDisclosures, QByteArray("[]"), true).ok());
        QCOMPARE(QFile(store.path(layout::kDisclosures)).permissions() &
                     (QFileDevice::ReadGroup | QFileDevice::ReadOther),
                 QFileDevice::Permissions());
        QVERIFY(store.remove(layout::kState).ok());
        QVERIFY(!store.exists(layout::kState));
        QVERIFY(store.remove(layout::kState).ok()); // already gone
    }

    void credentialParsedOnceAndKept() {
        QTemporaryDir dir;
        TwinStore store(dir.path());
        QVERIFY(!store.loadCredential().ok());
        QVERIFY(store.credential() == nullptr);
        Bytes bad = m_holder.credential.encoded;
        bad[bad.size() / 2] ^= 1;
        QVERIFY(!store.storeCredential(bad).ok());
        QVERIFY(!store.exists(layout::kCredential)); // nothing written for a bad credential
        QVERIFY(store.storeCredential(m_holder.credential.encoded).ok());
        QVERIFY(store.credential() != nullptr);
        QCOMPARE(store.credential()->claims.avatarId, m_holder.credential.claims.avatarId);
        // Kept in memory: the file is not read again.
        writeAll(store.path(layout::kCredential), bad);
        QVERIFY(store.loadCredential().ok());
        QCOMPARE(store.credentialBytes(), m_holder.credential.encoded);
        TwinStore fresh(dir.path());
        QVERIFY(!fresh.loadCredential().ok()); // a new store reads the (damaged) file
        QVERIFY(store.forgetCredential().ok());
        QVERIFY(store.credential() == nullptr && !store.exists(layout::kCredential));
    }

    // What the home network issued is stored in one step: the credential (kept in memory), its
    // receipt, the signed manifest and the disclosures (owner-only, each named by its attribute).
    void issuedTwinStoredAndDisclosuresRead() {
        QTemporaryDir dir;
        TwinStore store(dir.path());
        QVERIFY(store.disclosures().empty());
        twinseal::netclient::Registration issued;
        issued.credential = m_holder.credential;
        issued.credentialBytes = m_holder.credential.encoded;
        issued.receiptBytes = Bytes{1, 2, 3};
        for (const auto& d : m_holder.disclosures)
            issued.disclosures.push_back(d.encoded());
        const Bytes manifest(m_holder.manifest.begin(), m_holder.manifest.end());
        QVERIFY(store.storeIssued(issued, &manifest).ok());
        QCOMPARE(store.credentialBytes(), m_holder.credential.encoded);
        QCOMPARE(*store.read(layout::kReceipt), issued.receiptBytes);
        QCOMPARE(*store.read(layout::kManifest), manifest);
        QCOMPARE(QFile::permissions(store.path(layout::kDisclosures)) & (QFile::ReadOther | QFile::ReadGroup),
                 QFile::Permissions());
        const auto read = store.disclosures();
        QCOMPARE(read.size(), m_holder.disclosures.size());
        for (std::size_t i = 0; i < read.size(); ++i) {
            QCOMPARE(read[i].name, m_holder.disclosures[i].name);
            QCOMPARE(read[i].encoded, m_holder.disclosures[i].encoded());
        }
        // Forgotten in memory only: the files stay (they were moved away by their owner).
        store.unloadCredential();
        QVERIFY(store.credential() == nullptr);
        QVERIFY(store.exists(layout::kCredential));
        // A credential that does not parse stores nothing else either.
        QTemporaryDir other;
        TwinStore refused(other.path());
        issued.credentialBytes[issued.credentialBytes.size() / 2] ^= 1;
        QVERIFY(!refused.storeIssued(issued, &manifest).ok());
        QVERIFY(!refused.exists(layout::kCredential) && !refused.exists(layout::kReceipt) &&
                !refused.exists(layout::kDisclosures));
    }

    void journalRoundTrip() {
        QTemporaryDir dir;
        TwinStore store(dir.path());
        QVERIFY(!store.pending());
        QVERIFY(store.storeCredential(m_holder.credential.encoded).ok());
        QVERIFY(store.writePending(PendingOp::Recertify, "/avatars/new", 1234).ok());
        auto j = store.pending();
        QVERIFY(j.has_value());
        QCOMPARE(j->op, PendingOp::Recertify);
        QCOMPARE(j->generation, m_holder.credential.claims.generation);
        QCOMPARE(j->folder, QStringLiteral("/avatars/new"));
        QCOMPARE(j->at, std::int64_t(1234));
        // A torn journal still reconciles, as a registration.
        writeAll(store.path(layout::kPending), view("{\"op\":"));
        QCOMPARE(store.pending()->op, PendingOp::Register);
        QVERIFY(store.clearPending().ok());
        QVERIFY(!store.hasPending());
    }

    void reconciliationDecisions() {
        const PublicKey mine = m_holder.key.publicKey();
        const Holder other = Holder::make(m_issuer, sampleAvatarDir());
        const Credential& c = m_holder.credential;
        PendingJournal reg{PendingOp::Register, 0, 0, {}};
        PendingJournal recert{PendingOp::Recertify, 3, 0, {}};
        PendingJournal rotate{PendingOp::RotatePseudonym, 3, 0, {}};

        // Registration reached the network: adopt it.
        auto r = reconcile(reg, {record(c, "active", 1)}, mine);
        QVERIFY(r.completed && r.tell && r.held);
        // It did not: nothing held for this key; tell the owner to register again.
        r = reconcile(reg, {record(other.credential, "active", 1)}, mine);
        QVERIFY(!r.completed && r.tell && !r.held);
        // A revoked DT is not held.
        r = reconcile(reg, {record(c, "revoked", 1)}, mine);
        QVERIFY(!r.completed && !r.held);
        // Re-certification: a newer generation completed it; the same one did not.
        r = reconcile(recert, {record(c, "active", 4)}, mine);
        QVERIFY(r.completed && r.tell);
        r = reconcile(recert, {record(c, "active", 3)}, mine);
        QVERIFY(!r.completed && r.tell);
        // Rotation of a twin no longer held here: nothing to say.
        r = reconcile(rotate, {}, mine);
        QVERIFY(!r.completed && !r.tell);
    }

    // The trust list: the profile's roots, then every root the owner added (trust/*.pem).
    void trustListMergesAddedRoots() {
        QTemporaryDir dir;
        TwinStore store(dir.path());
        const Issuer other = Issuer::make(KeyAlgorithm::Ed25519, "Other Operator");
        const std::string profilePem = m_issuer.root.pem();
        auto onlyProfile = store.trustList(profilePem);
        QVERIFY(onlyProfile.ok());
        QCOMPARE(onlyProfile->roots().size(), 1u);
        QVERIFY(QDir().mkpath(store.trustDir()));
        writeAll(QDir(store.trustDir()).filePath("other.pem"), view(other.root.pem()));
        writeAll(QDir(store.trustDir()).filePath("notes.txt"), view("not a certificate"));
        auto both = store.trustList(profilePem);
        QVERIFY(both.ok());
        QCOMPARE(both->roots().size(), 2u);
        QCOMPARE(both->roots()[1].subject(), other.root.subject());
    }

    void pinFormat() {
        QTemporaryDir dir;
        const QString file = dir.filePath("pins.txt");
        auto empty = PinFile::load(file);
        QVERIFY(empty.ok() && empty->all().empty());
        const Digest tp = m_holder.key.publicKey().thumbprint();
        empty->pin("urn:twinseal:avatar:1", tp);
        QVERIFY(empty->save().ok());
        auto back = PinFile::load(file);
        QVERIFY(back.ok());
        QCOMPARE(*back->pinned("urn:twinseal:avatar:1"), tp);
        QCOMPARE(PinFile::encode(back->all()),
                 "urn:twinseal:avatar:1 " + base64UrlEncode(tp) + "\n");
        for (const char* bad : {"urn:x notbase64!\n", "urn:x AAAA\n", "urn:x " /* no key */,
                                "urn:x a b c\n"}) {
            auto d = PinFile::decode(bad);
            QVERIFY2(!d.ok(), bad);
            QCOMPARE(d.code(), ErrorCode::MalformedInput);
        }
        writeAll(file, view("urn:y garbage\n"));
        auto broken = PinFile::load(file);
        QVERIFY(!broken.ok());
        QVERIFY(broken.error().detail.find("line 1") != std::string::npos);
    }

    void replayFormat() {
        ReplayCache cache;
        QVERIFY(ReplayFile::decode("a 200\nb 100\n\nc 300\n", 150, cache).ok());
        QCOMPARE(cache.size(), 2u); // b expired
        QVERIFY(cache.seen("a", 150) && !cache.seen("b", 150));
        const std::string text = ReplayFile::encode(cache);
        QVERIFY(text.find("a 200\n") != std::string::npos && text.find("c 300\n") != std::string::npos);
        ReplayCache other;
        QCOMPARE(ReplayFile::decode("a\n", 0, other).code(), ErrorCode::MalformedInput);
        QCOMPARE(ReplayFile::decode("a 1 2\n", 0, other).code(), ErrorCode::MalformedInput);

        QTemporaryDir dir;
        ReplayFile file(dir.filePath("replay.txt"));
        bool first = false;
        QVERIFY(file.withCache(kNow, [&](ReplayCache& c) { first = c.insertIfNew("x", kNow, kNow); }).ok());
        QVERIFY(first);
        bool second = true;
        QVERIFY(file.withCache(kNow + 1, [&](ReplayCache& c) { second = c.insertIfNew("x", kNow, kNow + 1); }).ok());
        QVERIFY(!second);
    }

    // One assertion presented from many threads at once: exactly one verification passes the
    // replay check, every other one is refused as replayed.
    void concurrentReplayCheckOfOneAssertion() {
        QTemporaryDir dir;
        const std::string a = m_holder.assertion().compact;
        writeAll(dir.filePath("call.jws"), view(a));
        writeAll(dir.filePath("credential.tsc"), m_holder.credential.encoded);
        writeAll(dir.filePath("manifest.tsm"), m_holder.manifestView());
        PeerStores stores;
        stores.trust = m_issuer.trust;
        stores.replayFile = dir.filePath("replay.txt");
        stores.pinsFile = dir.filePath("pins.txt");
        const PeerVerifier verifier(stores);
        PeerPresentation peer;
        peer.assertionFile = dir.filePath("call.jws");
        peer.credentialFile = dir.filePath("credential.tsc");
        peer.manifestFile = dir.filePath("manifest.tsm");
        peer.packagePath = sampleAvatarDir();
        peer.destination = kDest;

        constexpr int kThreads = 8;
        std::atomic<int> passed{0}, replayed{0}, other{0};
        std::vector<std::thread> threads;
        threads.reserve(kThreads);
        for (int i = 0; i < kThreads; ++i)
            threads.emplace_back([&] {
                auto r = verifier.verify(peer, {}, kNow);
                const CheckResult* c = r.ok() ? r->find(CheckId::Replay) : nullptr;
                if (c && c->state == CheckState::Passed)
                    ++passed;
                else if (c && c->code == ErrorCode::AssertionReplayed)
                    ++replayed;
                else
                    ++other;
            });
        for (auto& t : threads)
            t.join();
        QCOMPARE(passed.load(), 1);
        QCOMPARE(replayed.load(), kThreads - 1);
        QCOMPARE(other.load(), 0);
        // And the file remembers it for the next process.
        auto again = verifier.verify(peer, {}, kNow + 1);
        QVERIFY(again.ok());
        QCOMPARE(again->reason, ErrorCode::AssertionReplayed);
    }

    // Evidence is required: without it the report is Incomplete, never Verified.
    // Split-view detection: two signed heads of one log key over different histories.
    void treeHeadWitnessAdvancesOnAVerifiedConsistencyProof() {
        QTemporaryDir dir;
        TwinStore store(dir.path());
        auto logKey = SigningKey::generate(KeyAlgorithm::Ed25519);
        QVERIFY(logKey.ok());
        const MerkleLog log = history("honest", 9);
        TreeHeadWitness w = store.treeHeadWitness();
        int asked = 0;

        auto first = witness(w, *logKey, headOf(log, 3, *logKey, 100), proofsFrom(log, &asked));
        QVERIFY(first.ok());
        QCOMPARE(*first, TreeHeadWitness::Decision::First);
        QVERIFY(QFileInfo::exists(w.headPath(headOf(log, 3, *logKey, 100).head.logId)));
        QCOMPARE(asked, 0);

        auto same = witness(w, *logKey, headOf(log, 3, *logKey, 200), proofsFrom(log, &asked));
        QVERIFY(same.ok());
        QCOMPARE(*same, TreeHeadWitness::Decision::Unchanged);

        auto grown = witness(w, *logKey, headOf(log, 9, *logKey, 300), proofsFrom(log, &asked));
        QVERIFY2(grown.ok(), grown.ok() ? "" : grown.error().describe().c_str());
        QCOMPARE(*grown, TreeHeadWitness::Decision::Advanced);
        QCOMPARE(asked, 1);
        // The kept head advanced, on disk: a new witness over the same folder reads it.
        auto kept = store.treeHeadWitness().kept(logKey->publicKey());
        QVERIFY(kept.ok() && kept->has_value());
        QCOMPARE((*kept)->head.treeSize, std::uint64_t(9));
        QVERIFY((*kept)->head.rootHash == log.root());

        // An older head of the same history is consistent; the larger one stays kept.
        auto older = witness(w, *logKey, headOf(log, 5, *logKey, 400), proofsFrom(log, &asked));
        QVERIFY(older.ok());
        QCOMPARE(*older, TreeHeadWitness::Decision::Older);
        QCOMPARE(asked, 2);
        QCOMPARE((*store.treeHeadWitness().kept(logKey->publicKey()))->head.treeSize, std::uint64_t(9));
        QVERIFY(!store.treeHeadWitness().fork(logKey->publicKey())->has_value());
    }

    void treeHeadWitnessRecordsAForkOfTheSameSize() {
        QTemporaryDir dir;
        TwinStore store(dir.path());
        auto logKey = SigningKey::generate(KeyAlgorithm::Ed25519);
        QVERIFY(logKey.ok());
        const MerkleLog a = history("seen-by-us", 5);
        const MerkleLog b = history("seen-by-others", 5);
        const SignedTreeHead headA = headOf(a, 5, *logKey, 100);
        const SignedTreeHead headB = headOf(b, 5, *logKey, 100);
        {
            TreeHeadWitness w = store.treeHeadWitness();
            QCOMPARE(*witness(w, *logKey, headA, proofsFrom(a)), TreeHeadWitness::Decision::First);
            auto forked = witness(w, *logKey, headB, proofsFrom(b));
            QVERIFY(!forked.ok());
            QCOMPARE(QString::fromStdString(forked.error().code), QStringLiteral("log-fork"));
            const QString m = QString::fromStdString(forked.error().message);
            QVERIFY2(m.contains(QString::fromStdString(toHex(headA.head.rootHash))) &&
                         m.contains(QString::fromStdString(toHex(headB.head.rootHash))) &&
                         m.contains("5 entries") && m.contains("operator"),
                     qPrintable(m));
        }
        // Reopened (a restart): the fork is still there with both heads, and every head of
        // this log, even the one kept before, answers log-fork.
        TreeHeadWitness reopened = store.treeHeadWitness();
        auto fork = reopened.fork(logKey->publicKey());
        QVERIFY(fork.ok() && fork->has_value());
        QVERIFY((*fork)->kept.encoded == headA.encoded);
        QVERIFY((*fork)->other.encoded == headB.encoded);
        auto again = witness(reopened, *logKey, headA, proofsFrom(a));
        QVERIFY(!again.ok());
        QCOMPARE(QString::fromStdString(again.error().code), QStringLiteral("log-fork"));
        QVERIFY((*reopened.kept(logKey->publicKey()))->encoded == headA.encoded);
    }

    void treeHeadWitnessRecordsAForkWhenTheProofFails() {
        QTemporaryDir dir;
        TwinStore store(dir.path());
        auto logKey = SigningKey::generate(KeyAlgorithm::Ed25519);
        QVERIFY(logKey.ok());
        const MerkleLog a = history("seen-by-us", 3);
        const MerkleLog b = history("seen-by-others", 7);
        TreeHeadWitness w = store.treeHeadWitness();
        QCOMPARE(*witness(w, *logKey, headOf(a, 3, *logKey, 100), proofsFrom(a)),
                 TreeHeadWitness::Decision::First);
        // A larger head of another history: the best proof its log can give does not join it to
        // the head kept here.
        auto larger = witness(w, *logKey, headOf(b, 7, *logKey, 200), proofsFrom(b));
        QVERIFY(!larger.ok());
        QCOMPARE(QString::fromStdString(larger.error().code), QStringLiteral("log-fork"));
        QCOMPARE((*w.kept(logKey->publicKey()))->head.treeSize, std::uint64_t(3));
        auto fork = TwinStore(dir.path()).treeHeadWitness().fork(logKey->publicKey());
        QVERIFY(fork.ok() && fork->has_value());
        QCOMPARE((*fork)->other.head.treeSize, std::uint64_t(7));

        // A smaller head of another history (in a fresh folder): no proof joins it either.
        QTemporaryDir dir2;
        TreeHeadWitness w2(dir2.path());
        QCOMPARE(*witness(w2, *logKey, headOf(b, 7, *logKey, 100), proofsFrom(b)),
                 TreeHeadWitness::Decision::First);
        auto smaller = witness(w2, *logKey, headOf(a, 3, *logKey, 200), proofsFrom(b));
        QVERIFY(!smaller.ok());
        QCOMPARE(QString::fromStdString(smaller.error().code), QStringLiteral("log-fork"));

        // A proof that cannot be fetched decides nothing: an error, no fork, the head kept.
        QTemporaryDir dir3;
        TreeHeadWitness w3(dir3.path());
        QCOMPARE(*witness(w3, *logKey, headOf(a, 2, *logKey, 100), proofsFrom(a)),
                 TreeHeadWitness::Decision::First);
        auto offline = witness(w3, *logKey, headOf(a, 3, *logKey, 200),
                               [](std::uint64_t, std::uint64_t, auto done) {
                                   done(twinseal::netclient::clientError("service-unreachable", "offline"));
                               });
        QVERIFY(!offline.ok());
        QCOMPARE(QString::fromStdString(offline.error().code), QStringLiteral("service-unreachable"));
        QVERIFY(!w3.fork(logKey->publicKey())->has_value());
        QCOMPARE((*w3.kept(logKey->publicKey()))->head.treeSize, std::uint64_t(2));
    }

    void treeHeadWitnessRefusesACorruptStore() {
        QTemporaryDir dir;
        auto logKey = SigningKey::generate(KeyAlgorithm::Ed25519);
        auto otherKey = SigningKey::generate(KeyAlgorithm::Ed25519);
        QVERIFY(logKey.ok() && otherKey.ok());
        const MerkleLog a = history("a", 4);
        TreeHeadWitness w(dir.path());
        const SignedTreeHead head = headOf(a, 4, *logKey, 100);
        QCOMPARE(*witness(w, *logKey, headOf(a, 2, *logKey, 100), proofsFrom(a)),
                 TreeHeadWitness::Decision::First);
        const QString path = w.headPath(head.head.logId);
        // Garbage, then a head signed by another key: each is refused, and the file stays.
        for (const Bytes& bad : {Bytes{'x', 'y', 'z'}, headOf(a, 4, *otherKey, 100).encoded}) {
            writeAll(path, bad);
            auto r = witness(w, *logKey, head, proofsFrom(a));
            QVERIFY(!r.ok());
            QCOMPARE(QString::fromStdString(r.error().code), QStringLiteral("log-head-store-corrupt"));
            QVERIFY(*readFile(path.toStdString()) == bad);
        }
        writeAll(w.forkPath(head.head.logId), view("{not json"));
        auto r = witness(w, *logKey, head, proofsFrom(a));
        QCOMPARE(QString::fromStdString(r.error().code), QStringLiteral("log-head-store-corrupt"));
    }

    void missingEvidenceIsIncomplete() {
        QTemporaryDir dir;
        const std::string a = m_holder.assertion().compact;
        writeAll(dir.filePath("credential.tsc"), m_holder.credential.encoded);
        writeAll(dir.filePath("manifest.tsm"), m_holder.manifestView());
        PeerStores stores;
        stores.trust = m_issuer.trust;
        stores.replayFile = dir.filePath("replay.txt");
        stores.pinsFile = dir.filePath("pins.txt");
        PeerPresentation peer;
        peer.assertionText = a;
        peer.credentialFile = dir.filePath("credential.tsc");
        peer.manifestFile = dir.filePath("manifest.tsm");
        peer.packagePath = sampleAvatarDir();
        peer.destination = kDest;
        PeerEvidence ev;
        ev.statusListUnavailable = "no status list from the home network: service-unreachable";
        auto r = PeerVerifier(stores).verify(peer, ev, kNow);
        QVERIFY(r.ok());
        QCOMPARE(r->state, OverallState::Incomplete);
        QCOMPARE(r->find(CheckId::Revocation)->detail, ev.statusListUnavailable);
        QCOMPARE(r->find(CheckId::LogInclusion)->state, CheckState::Skipped);
        // A tree head without the log's key is a caller error, not a verdict.
        ev.inclusion = Bytes{1, 2, 3};
        QCOMPARE(PeerVerifier(stores).verify(peer, ev, kNow).code(), ErrorCode::InvalidArgument);
    }
};

TWINSEAL_TEST(StoreTest, "store")
} // namespace test_store
} // namespace

#include "test_store.moc"
