// The client-side tamper-evident activity log: appending and verifying, every single-byte change
// of the file, deletions, reorderings, insertions, checkpoint tampering, truncation (with and
// without an anchor), torn-record repair, appends while locked, JSON/CBOR exports and edits of
// them, and garbage of every kind.
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <functional>
#include <random>
#include <set>

#include <nlohmann/json.hpp>

#include <twinseal/security/audit.h>

#include "twinseal/proto/twinseal.pb.h"

#include "testmain.h"

namespace {
namespace test_audit {

using namespace twinseal::security;
using ojson = nlohmann::ordered_json;

namespace {

constexpr std::int64_t kT0 = 1800000000;
constexpr const char* kLogId = "audit-test";

template <typename T> T take(Result<T>&& r, const char* what = "operation") {
    if (!r.ok())
        qFatal("%s failed: %s", what, r.error().message().c_str());
    return std::move(r).value();
}

QByteArray why(const AuditVerification& r) {
    return QByteArray::fromStdString(r.summary());
}

Digest contextHash(const char* context, ByteView data) {
    Sha256 h;
    h.update(view(context));
    const std::uint8_t zero = 0;
    h.update(ByteView(&zero, 1));
    h.update(data);
    return h.finish();
}

std::string digestBytes(const Digest& d) {
    return std::string(d.begin(), d.end());
}

Bytes readAll(const std::string& path) {
    return take(readFile(path), "read");
}

void writeAll(const std::string& path, const Bytes& data) {
    QFile f(QString::fromStdString(path));
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        qFatal("cannot write %s", path.c_str());
    f.write(reinterpret_cast<const char*>(data.data()), static_cast<qint64>(data.size()));
}

std::vector<AuditRecord> recordsOf(const Bytes& file) {
    return take(readAuditRecords(file), "read records");
}

std::vector<std::size_t> entryRecords(const std::vector<AuditRecord>& recs) {
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < recs.size(); ++i)
        if (recs[i].kind == AuditRecordKind::Entry)
            out.push_back(i);
    return out;
}

std::vector<std::size_t> checkpointRecords(const std::vector<AuditRecord>& recs) {
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < recs.size(); ++i)
        if (recs[i].kind == AuditRecordKind::Checkpoint)
            out.push_back(i);
    return out;
}

Bytes editEntry(const Bytes& stored, const std::function<void(twinseal::proto::AuditEntry&)>& f) {
    twinseal::proto::AuditEntry e;
    if (!e.ParseFromArray(stored.data(), static_cast<int>(stored.size())))
        qFatal("entry does not parse");
    f(e);
    return toBytes(e.SerializeAsString());
}

// What an attacker without the audit key can do: recompute every previous_hash (and, with
// `renumber`, every sequence) so the chain links again. Checkpoints cannot be re-signed.
void rechain(std::vector<AuditRecord>& recs, bool renumber) {
    Digest prev = contextHash("TwinSeal-Audit-Genesis-v1", recs[0].payload);
    std::uint64_t seq = 0;
    for (auto& r : recs) {
        if (r.kind != AuditRecordKind::Entry)
            continue;
        r.payload = editEntry(r.payload, [&](twinseal::proto::AuditEntry& e) {
            if (renumber)
                e.set_sequence(seq);
            e.set_previous_hash(digestBytes(prev));
        });
        prev = contextHash("TwinSeal-Audit-Entry-v1", r.payload);
        ++seq;
    }
}

AuditEvent sampleEvent(int i) {
    switch (i % 5) {
    case 0:
        return AuditEvent::ok(audit_event::kDtRegister, {{"dt_id", "dt-" + std::to_string(i)},
                                                         {"avatar_id", "urn:twinseal:avatar:1"}});
    case 1:
        return AuditEvent::ok(audit_event::kAssertionSign, {{"dest", "urn:twinseal:room:3"}});
    case 2:
        return AuditEvent::failed(audit_event::kCallVerify, "media-mismatch",
                                  {{"peer", "Quiet Heron"}, {"file", "model.glb"}, {"chunk", "1"}});
    case 3:
        return AuditEvent::ok(audit_event::kDisclosureChange,
                              {{"room", "theatre-3"}, {"attributes", "role"}});
    default:
        return AuditEvent::ok(audit_event::kTransferOffer);
    }
}

} // namespace

class AuditTest : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    FixedClock m_clock{kT0};
    SigningKey m_key;
    SigningKey m_otherKey;
    int m_files = 0;

    std::string newPath() {
        return m_dir.filePath(QString("log-%1.tsa").arg(++m_files)).toStdString();
    }

    // A log: `covered` entries (each followed by a checkpoint when checkpointEach, else one
    // checkpoint after all of them), then `tail` entries appended while locked.
    Bytes build(const std::string& path, int covered, int tail, bool checkpointEach = true,
                const SigningKey* key = nullptr, const char* logId = kLogId) {
        const SigningKey& k = key ? *key : m_key;
        auto log = take(AuditLog::create(path, logId, k.publicKey(), m_clock), "create");
        for (int i = 0; i < covered; ++i) {
            m_clock.advance(7);
            if (checkpointEach)
                take(log.appendSigned(sampleEvent(i), k), "append signed");
            else
                take(log.append(sampleEvent(i)), "append");
        }
        if (!checkpointEach && covered > 0)
            take(log.checkpoint(k), "checkpoint");
        for (int i = 0; i < tail; ++i) {
            m_clock.advance(3);
            take(log.append(sampleEvent(covered + i)), "append locked");
        }
        return readAll(path);
    }
    Bytes build(int covered, int tail, bool checkpointEach = true) {
        return build(newPath(), covered, tail, checkpointEach);
    }

    AuditVerification verify(const Bytes& data) {
        return verifyAuditData(data, AuditVerifyOptions{&m_key.publicKey(), {}, {}});
    }
    AuditVerification verifyWithAnchor(const Bytes& data, const Bytes& anchor) {
        return verifyAuditData(data, AuditVerifyOptions{&m_key.publicKey(), {}, anchor});
    }

  private slots:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        m_key = take(SigningKey::generate(KeyAlgorithm::Ed25519), "key");
        m_otherKey = take(SigningKey::generate(KeyAlgorithm::Ed25519), "other key");
    }
    void init() { m_clock.set(kT0); }

    void appendAndVerify() {
        const std::string path = newPath();
        {
            auto log = take(AuditLog::create(path, kLogId, m_key.publicKey(), m_clock));
            QCOMPARE(log.logId(), std::string(kLogId));
            QVERIFY(log.auditKey() == m_key.publicKey());
            QCOMPARE(log.size(), 0u);
            for (int i = 0; i < 3; ++i) {
                m_clock.advance(10);
                const AuditEntry e = take(log.appendSigned(sampleEvent(i), m_key));
                QCOMPARE(e.sequence, std::uint64_t(i));
                QCOMPARE(e.timestamp, kT0 + 10L * (i + 1));
            }
            for (int i = 3; i < 5; ++i)
                QVERIFY(log.append(sampleEvent(i)).ok());
            QCOMPARE(log.size(), 5u);
            QCOMPARE(log.checkpoints().size(), 3u);
            QCOMPARE(log.unsignedTail(), 2u);
            QCOMPARE(AuditLog::create(path, kLogId, m_key.publicKey(), m_clock).code(),
                     ErrorCode::InvalidArgument);
        }
        const Bytes file = readAll(path);
        QVERIFY(file.size() > 8);
        QCOMPARE(std::string(file.begin(), file.begin() + 7), std::string("TSAUDIT"));
        QCOMPARE(file[7], std::uint8_t(1));

        const auto r = verify(file);
        QVERIFY2(r.ok(), why(r));
        QCOMPARE(r.format, AuditFormat::LogFile);
        QCOMPARE(r.logId, std::string(kLogId));
        QCOMPARE(r.createdAt, kT0);
        QVERIFY(r.keyPinned);
        QCOMPARE(r.entries.size(), 5u);
        QCOMPARE(r.checkpoints.size(), 3u);
        QCOMPARE(r.signedEntries, 3u);
        QCOMPARE(r.unsignedTail(), 2u);
        QVERIFY2(r.summary().find("unsigned tail") != std::string::npos, why(r));

        // The documented hashes: the genesis over the stored header, each entry over its stored
        // bytes, each previous hash the hash of the entry before.
        const auto recs = recordsOf(file);
        QCOMPARE(recs[0].kind, AuditRecordKind::Header);
        Digest prev = contextHash("TwinSeal-Audit-Genesis-v1", recs[0].payload);
        for (std::size_t i = 0; i < r.entries.size(); ++i) {
            const AuditEntry& e = r.entries[i];
            QCOMPARE(e.sequence, std::uint64_t(i));
            QVERIFY(e.previousHash == prev);
            QVERIFY(e.hash == contextHash("TwinSeal-Audit-Entry-v1", e.stored));
            prev = e.hash;
        }
        const AuditEntry& failed = r.entries[2];
        QCOMPARE(failed.type, std::string("call.verify"));
        QCOMPARE(failed.outcome, AuditOutcome::Failed);
        QCOMPARE(failed.reason, std::string("media-mismatch"));
        QCOMPARE(failed.field("peer").value_or(""), std::string("Quiet Heron"));
        QVERIFY(!failed.field("nothing"));
        QCOMPARE(r.entries[0].field("dt_id").value_or(""), std::string("dt-0"));

        // Checkpoints: typed, signed envelopes over the head at the time.
        const AuditCheckpoint& cp = r.checkpoints[2];
        QCOMPARE(cp.number, 2u);
        QCOMPARE(cp.entryCount, 3u);
        QCOMPARE(cp.lastSequence().value_or(99), 2u);
        QVERIFY(cp.headHash == r.entries[2].hash);
        QCOMPARE(cp.logId, std::string(kLogId));
        QCOMPARE(take(envelopeType(cp.encoded)), std::string(kAuditCheckpointType));
        QVERIFY(parseAuditCheckpoint(cp.encoded, m_key.publicKey()).ok());
        QCOMPARE(parseAuditCheckpoint(cp.encoded, m_otherKey.publicKey()).code(),
                 ErrorCode::AuditCheckpointInvalid);

        // Without a pinned key the log's own key is used, and the report says so.
        const auto unpinned = verifyAuditLog(file, AuditVerifyOptions{});
        QVERIFY2(unpinned.ok(), why(unpinned));
        QVERIFY(!unpinned.keyPinned);
        QVERIFY(unpinned.auditKey == m_key.publicKey());
        QCOMPARE(verifyAuditLog(file, m_otherKey.publicKey()).code, ErrorCode::KeyMismatch);
        QCOMPARE(
            verifyAuditLog(file, AuditVerifyOptions{&m_key.publicKey(), "audit-other", {}}).code,
            ErrorCode::AuditLogIdMismatch);
        QVERIFY(verifyAuditLog(file, AuditVerifyOptions{&m_key.publicKey(), kLogId, {}}).ok());

        // Reopening continues the chain.
        AuditOpenInfo info;
        auto log = take(AuditLog::open(path, m_clock, {}, &info));
        QCOMPARE(info.repairedBytes, 0u);
        QCOMPARE(info.unsignedTail, 2u);
        QCOMPARE(log.size(), 5u);
        for (std::size_t i = 0; i < 5; ++i)
            QCOMPARE(log.entries()[i].stored, r.entries[i].stored);
        const AuditEntry next = take(log.append(AuditEvent::ok(audit_event::kKeyLock)));
        QCOMPARE(next.sequence, 5u);
        QVERIFY(next.previousHash == r.entries[4].hash);
        QVERIFY(verify(readAll(path)).ok());
    }

    void invalidEventsAreRefused() {
        const std::string path = newPath();
        auto log = take(AuditLog::create(path, kLogId, m_key.publicKey(), m_clock));
        const std::uint64_t before = readAll(path).size();
        const std::vector<AuditEvent> bad = {
            AuditEvent::ok(""),
            AuditEvent::ok("DT.Register"),
            AuditEvent::ok("dt register"),
            AuditEvent::ok("1dt"),
            AuditEvent::ok(std::string(65, 'a')),
            AuditEvent{"dt.register", AuditOutcome::Failed, "", {}},
            AuditEvent{"dt.register", AuditOutcome::Failed, "Bad Reason", {}},
            AuditEvent{"dt.register", AuditOutcome::Ok, "media-mismatch", {}},
            AuditEvent::ok("dt.register", {{"a", "1"}, {"a", "2"}}),
            AuditEvent::ok("dt.register", {{"passphrase", "x"}}),
            AuditEvent::ok("dt.register", {{"holder_private_key", "x"}}),
            AuditEvent::ok("dt.register", {{"k_af", "x"}}),
            AuditEvent::ok("dt.register", {{"client_secret", "x"}}),
            AuditEvent::ok("dt.register", {{"Bad Key", "x"}}),
            AuditEvent::ok("dt.register", {{"", "x"}}),
            AuditEvent::ok("dt.register", {{"v", std::string(1025, 'x')}}),
        };
        for (const auto& e : bad)
            QCOMPARE(log.append(e).code(), ErrorCode::InvalidArgument);
        std::vector<AuditField> many;
        many.reserve(33);
        for (int i = 0; i < 33; ++i)
            many.push_back({"f" + std::to_string(i), "v"});
        QCOMPARE(log.append(AuditEvent::ok("dt.register", many)).code(),
                 ErrorCode::InvalidArgument);
        QCOMPARE(readAll(path).size(), before);
        QCOMPARE(log.size(), 0u);

        // Values are stored as valid UTF-8: invalid bytes become U+FFFD, valid text is kept.
        const std::string replacement = "\xEF\xBF\xBD";
        const auto e = take(log.append(
            AuditEvent::ok("call.verify", {{"bad", std::string("\xFF\xFE") + "abc"},
                                           {"overlong", "\xC0\xAF"},
                                           {"surrogate", "\xED\xA0\x80"},
                                           {"cut", "ab\xE2\x82"},
                                           {"good", "\xC3\x9C"
                                                    "ber \xE2\x9C\x93 \xF0\x9F\x98\x80"}})));
        QCOMPARE(*e.field("bad"), replacement + replacement + "abc");
        QCOMPARE(*e.field("overlong"), replacement + replacement);
        QCOMPARE(*e.field("surrogate"), replacement + replacement + replacement);
        QCOMPARE(*e.field("cut"), "ab" + replacement + replacement);
        QCOMPARE(*e.field("good"), std::string("\xC3\x9C"
                                               "ber \xE2\x9C\x93 \xF0\x9F\x98\x80"));
        // Every known event type is a valid name.
        std::set<std::string> types;
        for (const auto& info : knownAuditEvents()) {
            QVERIFY(types.insert(info.type).second);
            QVERIFY2(log.append(AuditEvent::ok(info.type)).ok(), info.type);
        }
        QVERIFY(take(log.checkpoint(m_key)).entryCount == log.size());
        QVERIFY(verify(readAll(path)).ok());
    }

    // Accidental damage: every byte of the file, changed in three ways, is caught - including the
    // unsigned tail (record checksums) - and never taken for a torn write that open() would cut.
    void everySingleByteChangeIsDetected() {
        const std::string path = newPath();
        Bytes file = build(path, 4, 0, true);
        {
            auto log = take(AuditLog::open(path, m_clock));
            for (int i = 0; i < 2; ++i)
                QVERIFY(log.append(sampleEvent(i + 2)).ok());
            QVERIFY(log.checkpoint(m_key).ok());
            for (int i = 0; i < 2; ++i)
                QVERIFY(log.append(sampleEvent(i)).ok()); // the unsigned tail
        }
        file = readAll(path);
        QVERIFY(verify(file).ok());
        const auto recs = recordsOf(file);

        const std::string copy = newPath();
        int entryHits = 0;
        for (std::size_t at = 0; at < file.size(); ++at) {
            for (std::uint8_t x : {std::uint8_t(0x01), std::uint8_t(0x80), std::uint8_t(0xFF)}) {
                Bytes bad = file;
                bad[at] ^= x;
                const auto r = verify(bad);
                const QByteArray where = QByteArray::number(qulonglong(at)) + " ^ " +
                                         QByteArray::number(x) + ": " + why(r);
                QVERIFY2(!r.ok(), where);
                QVERIFY2(!r.tornTailOffset, where);
                // A change inside an entry's payload or checksum names that entry.
                for (std::size_t k = 0; k < recs.size(); ++k) {
                    const AuditRecord& rec = recs[k];
                    if (rec.kind != AuditRecordKind::Entry || at < rec.offset + 9 ||
                        at >= rec.offset + rec.size)
                        continue;
                    std::uint64_t index = 0;
                    for (std::size_t j = 0; j < k; ++j)
                        index += recs[j].kind == AuditRecordKind::Entry ? 1 : 0;
                    QVERIFY2(r.code == ErrorCode::AuditEntryModified, where);
                    QVERIFY2(r.entryIndex == index, where);
                    ++entryHits;
                }
            }
            // The writer refuses the damaged file and leaves it as it is.
            Bytes bad = file;
            bad[at] ^= 0x01;
            writeAll(copy, bad);
            const auto opened = AuditLog::open(copy, m_clock);
            QVERIFY2(!opened.ok(), QByteArray::number(qulonglong(at)));
            QCOMPARE(readAll(copy), bad);
        }
        QVERIFY(entryHits > 0);
    }

    // Deliberate changes by someone without the key, who recomputes every record checksum: each
    // byte of each signed record's payload, and meaningful edits of single entries.
    void rewrittenRecordsAreDetected() {
        const Bytes file = build(newPath(), 6, 0, false);
        const auto recs = recordsOf(file);
        for (std::size_t k = 0; k < recs.size(); ++k) {
            for (std::size_t b = 0; b < recs[k].payload.size(); ++b) {
                auto changed = recs;
                changed[k].payload[b] ^= 0x01;
                const auto r = verify(encodeAuditFile(changed));
                QVERIFY2(!r.ok(), QByteArray::number(qulonglong(k)) + "/" +
                                      QByteArray::number(qulonglong(b)) + ": " + why(r));
            }
        }
        const auto entries = entryRecords(recs);
        for (std::size_t target : {std::size_t(0), std::size_t(2), std::size_t(5)}) {
            auto changed = recs;
            changed[entries[target]].payload =
                editEntry(changed[entries[target]].payload, [](twinseal::proto::AuditEntry& e) {
                    e.set_outcome(twinseal::proto::AUDIT_OUTCOME_OK);
                    e.clear_reason();
                    e.set_event("dt.revoke");
                });
            const auto r = verify(encodeAuditFile(changed));
            QCOMPARE(r.code, ErrorCode::AuditEntryModified);
            QCOMPARE(r.entryIndex.value_or(99), target);
            // Rewriting the chain after the edit does not help: the checkpoint signed the head.
            rechain(changed, false);
            const auto r2 = verify(encodeAuditFile(changed));
            QCOMPARE(r2.code, ErrorCode::AuditEntryModified);
            QVERIFY2(r2.checkpointIndex == 0u, why(r2));
        }
        // The limit: an unsigned tail can be rewritten consistently without the key. It stays
        // reported as unsigned.
        const Bytes tailed = build(newPath(), 3, 3, true);
        auto t = recordsOf(tailed);
        const auto te = entryRecords(t);
        t[te[4]].payload = editEntry(
            t[te[4]].payload, [](twinseal::proto::AuditEntry& e) { e.set_event("dt.revoke"); });
        rechain(t, false);
        const auto rt = verify(encodeAuditFile(t));
        QVERIFY2(rt.ok(), why(rt));
        QCOMPARE(rt.unsignedTail(), 3u);
        QCOMPARE(rt.entries[4].type, std::string("dt.revoke"));
    }

    void deletingAnyEntryIsDetected() {
        for (bool each : {true, false}) {
            const Bytes file = build(newPath(), 6, 0, each);
            const auto recs = recordsOf(file);
            const auto entries = entryRecords(recs);
            for (std::size_t k = 0; k < entries.size(); ++k) {
                auto changed = recs;
                changed.erase(changed.begin() + static_cast<std::ptrdiff_t>(entries[k]));
                const auto r = verify(encodeAuditFile(changed));
                QVERIFY2(r.code == ErrorCode::AuditEntryMissing, why(r));
                QCOMPARE(r.entryIndex.value_or(99), k);
                // Renumbering and re-chaining the rest is caught by the signed entry count.
                rechain(changed, true);
                const auto r2 = verify(encodeAuditFile(changed));
                QVERIFY2(r2.code == ErrorCode::AuditEntryMissing, why(r2));
            }
        }
        // In the unsigned tail: a gap is seen; the very last entry can go unnoticed (documented).
        const Bytes tailed = build(newPath(), 3, 3, true);
        const auto t = recordsOf(tailed);
        const auto te = entryRecords(t);
        auto gap = t;
        gap.erase(gap.begin() + static_cast<std::ptrdiff_t>(te[4]));
        QCOMPARE(verify(encodeAuditFile(gap)).code, ErrorCode::AuditEntryMissing);
        auto last = t;
        last.pop_back();
        const auto r = verify(encodeAuditFile(last));
        QVERIFY2(r.ok(), why(r));
        QCOMPARE(r.entries.size(), 5u);
    }

    void swappingAnyTwoEntriesIsDetected() {
        for (bool each : {true, false}) {
            const Bytes file = build(newPath(), 5, 2, each);
            const auto recs = recordsOf(file);
            const auto entries = entryRecords(recs);
            for (std::size_t i = 0; i < entries.size(); ++i) {
                for (std::size_t j = i + 1; j < entries.size(); ++j) {
                    auto changed = recs;
                    std::swap(changed[entries[i]], changed[entries[j]]);
                    const auto r = verify(encodeAuditFile(changed));
                    QVERIFY2(r.code == ErrorCode::AuditEntriesReordered, why(r));
                    QCOMPARE(r.entryIndex.value_or(99), i);
                }
            }
            // A copied (replayed) entry.
            auto copied = recs;
            copied.insert(copied.begin() + static_cast<std::ptrdiff_t>(entries[3]),
                          recs[entries[1]]);
            QCOMPARE(verify(encodeAuditFile(copied)).code, ErrorCode::AuditEntriesReordered);
        }
        // An entry moved behind the checkpoint that covers it.
        const Bytes file = build(newPath(), 3, 0, true);
        auto recs = recordsOf(file); // H E0 C0 E1 C1 E2 C2
        std::swap(recs[3], recs[4]);
        const auto r = verify(encodeAuditFile(recs));
        QVERIFY2(r.code == ErrorCode::AuditEntriesReordered, why(r));
        QCOMPARE(r.entryIndex.value_or(99), 1u);
    }

    void checkpointTamperingIsDetected() {
        const Bytes file = build(newPath(), 4, 0, true);
        const auto recs = recordsOf(file);
        const auto cps = checkpointRecords(recs);
        QCOMPARE(cps.size(), 4u);

        auto removed = recs;
        removed.erase(removed.begin() + static_cast<std::ptrdiff_t>(cps[1]));
        auto r = verify(encodeAuditFile(removed));
        QVERIFY2(r.code == ErrorCode::AuditCheckpointMismatch, why(r));
        QCOMPARE(r.checkpointIndex.value_or(99), 1u);

        auto swapped = recs;
        std::swap(swapped[cps[0]], swapped[cps[1]]);
        QCOMPARE(verify(encodeAuditFile(swapped)).code, ErrorCode::AuditCheckpointMismatch);

        // Forged: the same body signed with another key.
        auto forged = recs;
        const auto env = take(parseEnvelope(recs[cps[2]].payload, kAuditCheckpointType));
        forged[cps[2]].payload = take(signEnvelope(kAuditCheckpointType, env.body, m_otherKey));
        r = verify(encodeAuditFile(forged));
        QVERIFY2(r.code == ErrorCode::AuditCheckpointInvalid, why(r));
        QCOMPARE(r.checkpointIndex.value_or(99), 2u);
        // Not a checkpoint at all.
        auto wrongType = recs;
        wrongType[cps[2]].payload = take(signEnvelope("twinseal.tree-head.v1", env.body, m_key));
        QCOMPARE(verify(encodeAuditFile(wrongType)).code, ErrorCode::AuditCheckpointInvalid);

        // Spliced from another log under the same key.
        m_clock.set(kT0);
        const Bytes other = build(newPath(), 4, 0, true, &m_key, "audit-other");
        const auto orecs = recordsOf(other);
        auto spliced = recs;
        spliced[cps[3]] = orecs[checkpointRecords(orecs)[3]];
        QCOMPARE(verify(encodeAuditFile(spliced)).code, ErrorCode::AuditLogIdMismatch);

        // A forged entry inserted before a checkpoint, the rest renumbered and re-chained.
        auto inserted = recs;
        inserted.insert(inserted.begin() + 3, recs[1]);
        rechain(inserted, true);
        r = verify(encodeAuditFile(inserted));
        QVERIFY2(r.code == ErrorCode::AuditCheckpointMismatch, why(r));

        // A second header.
        auto twoHeaders = recs;
        twoHeaders.insert(twoHeaders.begin() + 2, recs[0]);
        QCOMPARE(verify(encodeAuditFile(twoHeaders)).code, ErrorCode::AuditRecordCorrupt);
    }

    void truncationAndRollback() {
        const std::string path = newPath();
        const Bytes file = build(path, 5, 0, true);
        const auto recs = recordsOf(file);
        const auto cps = checkpointRecords(recs);
        const Bytes anchor = recs[cps.back()].payload;
        const Bytes early = recs[cps[1]].payload;
        QVERIFY(verifyWithAnchor(file, anchor).ok());
        QVERIFY(verifyWithAnchor(file, anchor).anchorChecked);

        // Cut at the record boundary after checkpoint #2: a well-formed shorter log. Alone it
        // verifies (nothing in the file says more existed); against an anchor it does not.
        const Bytes cut(file.begin(), file.begin() + static_cast<std::ptrdiff_t>(
                                                         recs[cps[2]].offset + recs[cps[2]].size));
        const auto alone = verify(cut);
        QVERIFY2(alone.ok(), why(alone));
        QCOMPARE(alone.entries.size(), 3u);
        auto r = verifyWithAnchor(cut, anchor);
        QVERIFY2(r.code == ErrorCode::AuditLogTruncated, why(r));
        QCOMPARE(r.entryIndex.value_or(99), 3u);
        QVERIFY(verifyWithAnchor(cut, early).ok());

        // Only the last checkpoint removed: the last entry becomes an unsigned tail.
        const Bytes noLastCp(file.begin(),
                             file.begin() + static_cast<std::ptrdiff_t>(recs[cps.back()].offset));
        const auto tail = verify(noLastCp);
        QVERIFY2(tail.ok(), why(tail));
        QCOMPARE(tail.unsignedTail(), 1u);
        QCOMPARE(verifyWithAnchor(noLastCp, anchor).code, ErrorCode::AuditLogTruncated);

        // A whole other log with the same id and key (a rewrite) does not match the anchor.
        m_clock.set(kT0 + 5000);
        const Bytes rewritten = build(newPath(), 6, 0, false);
        QVERIFY(verify(rewritten).ok());
        QCOMPARE(verifyWithAnchor(rewritten, anchor).code, ErrorCode::AuditEntryModified);
        // Anchors that are not this log's.
        const Bytes other = build(newPath(), 5, 0, true, &m_key, "audit-other");
        const auto orecs = recordsOf(other);
        QCOMPARE(verifyWithAnchor(file, orecs[checkpointRecords(orecs).back()].payload).code,
                 ErrorCode::AuditLogIdMismatch);
        const auto env = take(parseEnvelope(anchor, kAuditCheckpointType));
        QCOMPARE(
            verifyWithAnchor(file, take(signEnvelope(kAuditCheckpointType, env.body, m_otherKey)))
                .code,
            ErrorCode::AuditCheckpointInvalid);
        QCOMPARE(verifyWithAnchor(file, toBytes("not a checkpoint")).code,
                 ErrorCode::AuditCheckpointInvalid);

        // Open with the anchor refuses the truncated log.
        writeAll(path, cut);
        QCOMPARE(AuditLog::open(path, m_clock, AuditVerifyOptions{nullptr, {}, anchor}).code(),
                 ErrorCode::AuditLogTruncated);

        // Cutting inside the last record, at every length: a torn record, the rest intact.
        const AuditRecord& lastRec = recs.back();
        for (std::uint64_t len = lastRec.offset + 1; len < file.size(); ++len) {
            const Bytes torn(file.begin(), file.begin() + static_cast<std::ptrdiff_t>(len));
            const auto t = verify(torn);
            QVERIFY2(t.code == ErrorCode::AuditLogTruncated, why(t));
            QCOMPARE(t.tornTailOffset.value_or(0), lastRec.offset);
            QCOMPARE(t.entries.size(), 5u);
            QCOMPARE(t.checkpoints.size(), 4u);
        }
        // Cutting inside the header: truncated, nothing to repair.
        const Bytes headerCut(file.begin(), file.begin() + 12);
        const auto h = verify(headerCut);
        QCOMPARE(h.code, ErrorCode::AuditLogTruncated);
        QVERIFY(!h.tornTailOffset);
    }

    void tornLastRecordIsRepairedOnOpen() {
        const std::string path = newPath();
        const Bytes file = build(path, 3, 1, true);
        // What the next append would have written.
        const std::string spare = newPath();
        {
            writeAll(spare, file);
            auto log = take(AuditLog::open(spare, m_clock));
            QVERIFY(log.append(sampleEvent(7)).ok());
        }
        const Bytes longer = readAll(spare);
        const Bytes nextRecord(longer.begin() + static_cast<std::ptrdiff_t>(file.size()),
                               longer.end());

        auto crashWith = [&](const Bytes& tail) {
            Bytes b = file;
            b.insert(b.end(), tail.begin(), tail.end());
            writeAll(path, b);
        };
        const std::vector<Bytes> tails = {
            Bytes(nextRecord.begin(), nextRecord.begin() + 5),  // part of a frame header
            Bytes(nextRecord.begin(), nextRecord.begin() + 20), // header and some payload
            Bytes(nextRecord.begin(), nextRecord.end() - 1),    // all but the last byte
            Bytes(100, 0),                                      // zero-filled after a crash
        };
        for (const Bytes& tail : tails) {
            crashWith(tail);
            const auto r = verify(readAll(path));
            QVERIFY2(r.code == ErrorCode::AuditLogTruncated, why(r));
            QCOMPARE(r.tornTailOffset.value_or(0), file.size());
            AuditOpenInfo info;
            {
                auto log = take(AuditLog::open(path, m_clock, {}, &info));
                QCOMPARE(info.repairedBytes, std::uint64_t(tail.size()));
                QCOMPARE(log.size(), 4u);
                QCOMPARE(readAll(path), file);
                QVERIFY(log.appendSigned(sampleEvent(9), m_key).ok());
            }
            const auto after = verify(readAll(path));
            QVERIFY2(after.ok(), why(after));
            QCOMPARE(after.entries.size(), 5u);
        }

        // A complete last record that is damaged is not a torn write: open refuses and keeps it.
        Bytes damaged = longer;
        damaged[damaged.size() - 12] ^= 0x40;
        writeAll(path, damaged);
        QCOMPARE(AuditLog::open(path, m_clock).code(), ErrorCode::AuditEntryModified);
        QCOMPARE(readAll(path), damaged);
        // Neither is garbage after the last record that does not look like a record.
        Bytes garbage = file;
        for (std::uint8_t c : toBytes("this is not a record at all"))
            garbage.push_back(c);
        writeAll(path, garbage);
        QCOMPARE(AuditLog::open(path, m_clock).code(), ErrorCode::AuditRecordCorrupt);
        QCOMPARE(readAll(path), garbage);
    }

    void lockedAppendsThenCheckpointOnUnlock() {
        const std::string path = newPath();
        {
            auto log = take(AuditLog::create(path, kLogId, m_key.publicKey(), m_clock));
            // An empty log can be checkpointed (it binds the header).
            const auto empty = take(log.checkpoint(m_key));
            QCOMPARE(empty.entryCount, 0u);
            QVERIFY(!empty.lastSequence());
            QVERIFY(log.appendSigned(AuditEvent::ok(audit_event::kKeyUnlock), m_key).ok());
            QVERIFY(log.appendSigned(sampleEvent(0), m_key).ok());
            // Locked: the key is gone from memory; appends are chained only.
            QVERIFY(log.append(AuditEvent::ok(audit_event::kKeyLock)).ok());
            m_clock.advance(60);
            QVERIFY(log.append(sampleEvent(2)).ok());
            QVERIFY(log.append(sampleEvent(3)).ok());
            QCOMPARE(log.unsignedTail(), 3u);
        }
        auto r = verify(readAll(path));
        QVERIFY2(r.ok(), why(r));
        QCOMPARE(r.unsignedTail(), 3u);
        QCOMPARE(r.signedEntries, 2u);
        QVERIFY2(r.summary().find("entries 2..4") != std::string::npos, why(r));

        // The app restarts while locked, appends, and later the owner unlocks.
        AuditOpenInfo info;
        auto log = take(AuditLog::open(path, m_clock, {}, &info));
        QCOMPARE(info.unsignedTail, 3u);
        QVERIFY(log.append(sampleEvent(4)).ok());
        QCOMPARE(log.checkpoint(m_otherKey).code(), ErrorCode::KeyMismatch);
        QCOMPARE(log.unsignedTail(), 4u);
        const auto unlocked =
            take(log.appendSigned(AuditEvent::ok(audit_event::kKeyUnlock), m_key));
        QCOMPARE(unlocked.sequence, 6u);
        QCOMPARE(log.unsignedTail(), 0u);
        const auto cp = log.checkpoints().back();
        QCOMPARE(cp.entryCount, 7u);
        // Nothing new: no second checkpoint is written.
        const auto size = readAll(path).size();
        const auto again = take(log.checkpoint(m_key));
        QCOMPARE(again.number, cp.number);
        QCOMPARE(readAll(path).size(), size);
        QCOMPARE(log.latestCheckpoint(), cp.encoded);

        r = verify(readAll(path));
        QVERIFY2(r.ok(), why(r));
        QCOMPARE(r.unsignedTail(), 0u);
        QCOMPARE(r.checkpoints.size(), 4u);
        QVERIFY(verifyWithAnchor(readAll(path), log.latestCheckpoint()).ok());
    }

    void onlyOneWriter() {
        const std::string path = newPath();
        auto first = take(AuditLog::create(path, kLogId, m_key.publicKey(), m_clock));
        QCOMPARE(AuditLog::open(path, m_clock).code(), ErrorCode::IoError);
        AuditLog moved = std::move(first);
        QVERIFY(moved.isOpen());
        QVERIFY(moved.append(sampleEvent(1)).ok());
        moved = AuditLog();
        QVERIFY(!moved.isOpen());
        QCOMPARE(moved.append(sampleEvent(1)).code(), ErrorCode::InvalidArgument);
        QVERIFY(AuditLog::open(path, m_clock).ok());
        QCOMPARE(AuditLog::open(newPath(), m_clock).code(), ErrorCode::IoError);
        QCOMPARE(AuditLog::create(newPath(), "bad id!", m_key.publicKey(), m_clock).code(),
                 ErrorCode::InvalidArgument);
    }

    void exportsVerify() {
        const std::string path = newPath();
        const Bytes file = build(path, 4, 2, true);
        const auto log = take(AuditLog::open(path, m_clock));
        const std::string json = take(log.exportJson());
        const Bytes cbor = take(log.exportCbor());
        QCOMPARE(detectAuditFormat(file), AuditFormat::LogFile);
        QCOMPARE(detectAuditFormat(view(json)), AuditFormat::JsonExport);
        QCOMPARE(detectAuditFormat(cbor), AuditFormat::CborExport);
        QCOMPARE(take(exportAuditJson(file)), json);

        const auto fromFile = verify(file);
        for (const auto& [data, format] :
             {std::pair<Bytes, AuditFormat>{toBytes(json), AuditFormat::JsonExport},
              std::pair<Bytes, AuditFormat>{cbor, AuditFormat::CborExport}}) {
            const auto r = verify(data);
            QVERIFY2(r.ok(), why(r));
            QCOMPARE(r.format, format);
            QCOMPARE(r.entries.size(), fromFile.entries.size());
            for (std::size_t i = 0; i < r.entries.size(); ++i) {
                QCOMPARE(r.entries[i].stored, fromFile.entries[i].stored);
                QVERIFY(r.entries[i].hash == fromFile.entries[i].hash);
            }
            QCOMPARE(r.checkpoints.size(), fromFile.checkpoints.size());
            QCOMPARE(r.unsignedTail(), 2u);
            QCOMPARE(
                verifyAuditExport(data, AuditVerifyOptions{&m_otherKey.publicKey(), {}, {}}).code,
                ErrorCode::KeyMismatch);
            // Re-exporting an export gives the same documents.
            QCOMPARE(take(exportAuditJson(data)), json);
            QCOMPARE(take(exportAuditCbor(data)), cbor);
        }
        QCOMPARE(verifyAuditExport(file, {}).code, ErrorCode::MalformedInput);

        // The document.
        const ojson doc = ojson::parse(json);
        QCOMPARE(doc["format"].get<std::string>(), std::string(kAuditExportFormat));
        QCOMPARE(doc["logId"].get<std::string>(), std::string(kLogId));
        QCOMPARE(doc["auditKey"]["kty"].get<std::string>(), std::string("OKP"));
        QCOMPARE(take(PublicKey::fromJwk(doc["auditKey"].dump())), m_key.publicKey());
        QCOMPARE(doc["entries"].size(), 6u);
        const ojson& e2 = doc["entries"][2];
        QCOMPARE(e2["sequence"].get<int>(), 2);
        QCOMPARE(e2["event"].get<std::string>(), std::string("call.verify"));
        QCOMPARE(e2["outcome"].get<std::string>(), std::string("failed"));
        QCOMPARE(e2["reason"].get<std::string>(), std::string("media-mismatch"));
        QCOMPARE(e2["fields"]["peer"].get<std::string>(), std::string("Quiet Heron"));
        QCOMPARE(e2["time"].get<std::string>(), std::string("2027-01-15T08:00:21Z"));
        QCOMPARE(e2["hash"].get<std::string>(), toHex(fromFile.entries[2].hash));
        QCOMPARE(e2["previousHash"].get<std::string>(), toHex(fromFile.entries[1].hash));
        QCOMPARE(e2["stored"].get<std::string>(), base64UrlEncode(fromFile.entries[2].stored));
        QCOMPARE(doc["checkpoints"].size(), 4u);
        QCOMPARE(doc["checkpoints"][3]["entryCount"].get<int>(), 4);
        QCOMPARE(doc["checkpoints"][3]["lastSequence"].get<int>(), 3);
        QCOMPARE(doc["checkpoints"][3]["signed"].get<std::string>(),
                 base64UrlEncode(fromFile.checkpoints[3].encoded));
        QCOMPARE(ojson::from_cbor(cbor), doc);
    }

    void editedExportsFail() {
        const std::string path = newPath();
        build(path, 4, 2, true);
        const auto log = take(AuditLog::open(path, m_clock));
        const ojson doc = ojson::parse(take(log.exportJson()));
        struct Edit {
            const char* name;
            std::function<void(ojson&)> apply;
            ErrorCode code;
            std::optional<std::uint64_t> entry;
        };
        const std::vector<Edit> edits = {
            {"event", [](ojson& d) { d["entries"][1]["event"] = "dt.revoke"; },
             ErrorCode::AuditEntryModified, 1},
            {"outcome", [](ojson& d) { d["entries"][2]["outcome"] = "ok"; },
             ErrorCode::AuditEntryModified, 2},
            {"reason", [](ojson& d) { d["entries"][2]["reason"] = ""; },
             ErrorCode::AuditEntryModified, 2},
            {"field value", [](ojson& d) { d["entries"][0]["fields"]["dt_id"] = "dt-x"; },
             ErrorCode::AuditEntryModified, 0},
            {"field added", [](ojson& d) { d["entries"][0]["fields"]["extra"] = "x"; },
             ErrorCode::AuditEntryModified, 0},
            {"field removed", [](ojson& d) { d["entries"][0]["fields"].erase("dt_id"); },
             ErrorCode::AuditEntryModified, 0},
            {"timestamp",
             [](ojson& d) {
                 d["entries"][3]["timestamp"] =
                     d["entries"][3]["timestamp"].get<std::int64_t>() + 1;
             },
             ErrorCode::AuditEntryModified, 3},
            {"time", [](ojson& d) { d["entries"][3]["time"] = "2020-01-01T00:00:00Z"; },
             ErrorCode::AuditEntryModified, 3},
            {"sequence", [](ojson& d) { d["entries"][1]["sequence"] = 7; },
             ErrorCode::AuditEntryModified, 1},
            {"hash", [](ojson& d) { d["entries"][1]["hash"] = std::string(64, '0'); },
             ErrorCode::AuditEntryModified, 1},
            {"previousHash",
             [](ojson& d) { d["entries"][1]["previousHash"] = std::string(64, 'a'); },
             ErrorCode::AuditEntryModified, 1},
            {"member added", [](ojson& d) { d["entries"][1]["note"] = "hello"; },
             ErrorCode::AuditEntryModified, 1},
            {"stored", [](ojson& d) { d["entries"][1]["stored"] = "AAAA"; },
             ErrorCode::AuditEntryModified, 1},
            {"entry removed", [](ojson& d) { d["entries"].erase(1); }, ErrorCode::AuditEntryMissing,
             1},
            {"entries swapped", [](ojson& d) { std::swap(d["entries"][1], d["entries"][2]); },
             ErrorCode::AuditEntriesReordered, 1},
            {"checkpoint removed", [](ojson& d) { d["checkpoints"].erase(1); },
             ErrorCode::AuditCheckpointMismatch, std::nullopt},
            {"checkpoint entryCount", [](ojson& d) { d["checkpoints"][1]["entryCount"] = 5; },
             ErrorCode::AuditCheckpointInvalid, std::nullopt},
            {"checkpoint headHash",
             [](ojson& d) { d["checkpoints"][0]["headHash"] = std::string(64, '0'); },
             ErrorCode::AuditCheckpointInvalid, std::nullopt},
            {"header logId", [](ojson& d) { d["logId"] = "audit-other"; },
             ErrorCode::AuditRecordCorrupt, std::nullopt},
            {"header createdAt", [](ojson& d) { d["createdAt"] = 5; },
             ErrorCode::AuditRecordCorrupt, std::nullopt},
            {"member added to the document", [](ojson& d) { d["signedBy"] = "me"; },
             ErrorCode::AuditRecordCorrupt, std::nullopt},
            {"format", [](ojson& d) { d["format"] = "something.else"; }, ErrorCode::MalformedInput,
             std::nullopt},
            {"entries not a list", [](ojson& d) { d["entries"] = "none"; },
             ErrorCode::MalformedInput, std::nullopt},
        };
        for (const Edit& e : edits) {
            ojson changed = doc;
            e.apply(changed);
            for (const Bytes& data : {toBytes(changed.dump(2)), ojson::to_cbor(changed)}) {
                const auto r = verify(data);
                QVERIFY2(r.code == e.code, QByteArray(e.name) + ": " + why(r));
                if (e.entry)
                    QVERIFY2(r.entryIndex == e.entry, QByteArray(e.name) + ": " + why(r));
                QVERIFY2(!exportAuditJson(data).ok() || r.code == ErrorCode::AuditEntryMissing ||
                             r.code == ErrorCode::AuditEntriesReordered ||
                             r.code == ErrorCode::AuditCheckpointMismatch,
                         e.name);
            }
        }
        // All checkpoints dropped: a wholly unsigned log, which only an anchor exposes.
        ojson unsignedDoc = doc;
        unsignedDoc["checkpoints"] = ojson::array();
        const auto u = verify(toBytes(unsignedDoc.dump()));
        QVERIFY2(u.ok(), why(u));
        QCOMPARE(u.unsignedTail(), 6u);
        QCOMPARE(verifyWithAnchor(toBytes(unsignedDoc.dump()), log.latestCheckpoint()).code,
                 ErrorCode::AuditLogTruncated);

        // The audit key swapped for another: the export no longer matches its stored header.
        ojson otherKey = doc;
        otherKey["auditKey"] = ojson::parse(m_otherKey.publicKey().jwk());
        QCOMPARE(verify(toBytes(otherKey.dump())).code, ErrorCode::AuditRecordCorrupt);

        // An attacker who edits the stored bytes and the displayed fields consistently is caught
        // by the chain.
        ojson forged = doc;
        const Bytes stored = take(base64UrlDecode(doc["entries"][2]["stored"].get<std::string>()));
        const Bytes edited = editEntry(stored, [](twinseal::proto::AuditEntry& e) {
            e.set_outcome(twinseal::proto::AUDIT_OUTCOME_OK);
            e.clear_reason();
        });
        forged["entries"][2]["stored"] = base64UrlEncode(edited);
        forged["entries"][2]["outcome"] = "ok";
        forged["entries"][2]["reason"] = "";
        forged["entries"][2]["hash"] = toHex(contextHash("TwinSeal-Audit-Entry-v1", edited));
        const auto r = verify(toBytes(forged.dump()));
        QVERIFY2(r.code == ErrorCode::AuditEntryModified, why(r));
        QCOMPARE(r.entryIndex.value_or(99), 2u);
    }

    // CBOR text strings are not checked for UTF-8 when read: a CBOR export whose members hold
    // invalid UTF-8 is refused with its reason, never an exception (found by fuzzing).
    void cborExportWithInvalidUtf8IsRefused() {
        const std::string path = newPath();
        build(path, 2, 1, true);
        const auto log = take(AuditLog::open(path, m_clock));
        const ojson doc = ojson::parse(take(log.exportJson()));
        const std::string notUtf8 = "\x91\xbb\x94";
        ojson key = doc;
        key["auditKey"]["x"] = key["auditKey"]["x"].get<std::string>() + notUtf8;
        const auto r = verify(ojson::to_cbor(key));
        QVERIFY2(r.code == ErrorCode::AuditRecordCorrupt, why(r));
        QVERIFY(!exportAuditJson(ojson::to_cbor(key)).ok());
        for (const char* member : {"logId", "auditKeyThumbprint", "header"}) {
            ojson changed = doc;
            changed[member] = changed[member].get<std::string>() + notUtf8;
            QVERIFY2(!verify(ojson::to_cbor(changed)).ok(), member);
            QVERIFY2(!exportAuditJson(ojson::to_cbor(changed)).ok(), member);
        }
        ojson event = doc;
        event["entries"][0]["event"] = notUtf8;
        const auto e = verify(ojson::to_cbor(event));
        QVERIFY2(e.code == ErrorCode::AuditEntryModified, why(e));
        (void)e.toJson();
    }

    void garbageIsNeverAccepted() {
        const Bytes file = build(newPath(), 3, 1, true);
        const std::string json = take(exportAuditJson(file));
        std::vector<Bytes> inputs = {
            {},
            toBytes("x"),
            toBytes("TSAUDIT"),
            Bytes(file.begin(), file.begin() + 8),
            toBytes("{"),
            toBytes("{}"),
            toBytes("[]"),
            toBytes("null"),
            toBytes("{\"format\": \"twinseal.audit-export.v1\"}"),
            toBytes("{\"format\": \"twinseal.audit-export.v1\", \"header\": 5, \"entries\": [], "
                    "\"checkpoints\": []}"),
            Bytes{0xA0},
            Bytes{0xBB, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF},
            Bytes{0xA1, 0x61, 'a', 0x9B, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF},
        };
        // Deep nesting, in JSON and CBOR.
        std::string deep = "{\"a\":";
        deep.append(200000, '[');
        inputs.push_back(toBytes(deep));
        Bytes deepCbor{0xA1, 0x61, 'a'};
        deepCbor.insert(deepCbor.end(), 200000, 0x81);
        deepCbor.push_back(0x00);
        inputs.push_back(deepCbor);
        // An oversized record with a valid frame check is refused before it is read.
        {
            Bytes big(file.begin(), file.begin() + 8);
            const Bytes rec = encodeAuditRecord(AuditRecordKind::Entry, Bytes(70000, 1));
            big.insert(big.end(), rec.begin(), rec.end());
            inputs.push_back(big);
        }
        // Every member of a valid export replaced by values of every type.
        const ojson doc = ojson::parse(json);
        const std::vector<ojson> values = {nullptr, ojson::array(), ojson::object(), -1, 1.5, "x",
                                           true};
        std::function<void(ojson&, ojson&)> mutateAll = [&](ojson& root, ojson& node) {
            if (node.is_object() || node.is_array()) {
                for (auto it = node.begin(); it != node.end(); ++it) {
                    for (const ojson& v : values) {
                        // Dropping every checkpoint leaves a valid, wholly unsigned log (only an
                        // anchor catches that: editedExportsFail).
                        if (*it == v ||
                            (&node == &root && it.key() == "checkpoints" && v.is_array()))
                            continue;
                        ojson saved = *it;
                        *it = v;
                        inputs.push_back(toBytes(root.dump()));
                        inputs.push_back(ojson::to_cbor(root));
                        *it = saved;
                    }
                    mutateAll(root, *it);
                }
            }
        };
        ojson work = doc;
        mutateAll(work, work);
        // Random changes to the log file: replaced, inserted and deleted bytes.
        // NOLINTNEXTLINE(cert-msc32-c,cert-msc51-cpp): a fixed seed: reproducible input
        std::mt19937 rng(20270115);
        for (int i = 0; i < 3000; ++i) {
            Bytes b = file;
            const int edits = 1 + static_cast<int>(rng() % 3);
            for (int k = 0; k < edits; ++k) {
                const std::size_t at = rng() % b.size();
                switch (rng() % 3) {
                case 0:
                    b[at] = static_cast<std::uint8_t>(rng());
                    break;
                case 1:
                    b.insert(b.begin() + static_cast<std::ptrdiff_t>(at),
                             static_cast<std::uint8_t>(rng()));
                    break;
                default:
                    b.erase(b.begin() + static_cast<std::ptrdiff_t>(at));
                    break;
                }
            }
            if (b != file)
                inputs.push_back(std::move(b));
        }
        // Random bytes after the magic.
        for (int i = 0; i < 300; ++i) {
            Bytes b(file.begin(), file.begin() + 8);
            const std::size_t n = rng() % 200;
            for (std::size_t k = 0; k < n; ++k)
                b.push_back(static_cast<std::uint8_t>(rng()));
            inputs.push_back(std::move(b));
        }
        int n = 0;
        for (const Bytes& in : inputs) {
            const auto r = verify(in);
            QVERIFY2(!r.ok(), QByteArray::number(n) + ": " + why(r));
            (void)r.toJson();
            (void)exportAuditJson(in);
            (void)exportAuditCbor(in);
            (void)readAuditRecords(in);
            ++n;
        }
    }

    void filterForTheGui() {
        const Bytes file = build(newPath(), 10, 0, true);
        const auto r = verify(file);
        QVERIFY(r.ok());
        AuditFilter f;
        QCOMPARE(filterAuditEntries(r.entries, f).size(), 10u);
        f.eventPrefix = "dt.";
        QCOMPARE(filterAuditEntries(r.entries, f).size(), 2u);
        f = {};
        f.outcome = AuditOutcome::Failed;
        const auto failed = filterAuditEntries(r.entries, f);
        QCOMPARE(failed.size(), 2u);
        QCOMPARE(failed[0].sequence, 2u);
        f = {};
        f.text = "HERON";
        QCOMPARE(filterAuditEntries(r.entries, f).size(), 2u);
        f.text = "theatre";
        QCOMPARE(filterAuditEntries(r.entries, f).size(), 2u);
        f = {};
        f.from = kT0 + 14;
        f.until = kT0 + 28;
        QCOMPARE(filterAuditEntries(r.entries, f).size(), 2u); // entries 1 and 2
        f = {};
        f.fieldEquals = {{"dt_id", "dt-5"}};
        QCOMPARE(filterAuditEntries(r.entries, f).size(), 1u);
        QVERIFY(!knownAuditEvents().empty());
        QCOMPARE(auditOutcomeName(AuditOutcome::Failed), std::string_view("failed"));
    }

    void p256AuditKey() {
        const auto key = take(SigningKey::generate(KeyAlgorithm::EcdsaP256));
        const Bytes file = build(newPath(), 3, 1, true, &key);
        const auto r = verifyAuditLog(file, key.publicKey());
        QVERIFY2(r.ok(), why(r));
        const std::string json = take(exportAuditJson(file));
        QVERIFY(
            verifyAuditExport(toBytes(json), AuditVerifyOptions{&key.publicKey(), {}, {}}).ok());
        QCOMPARE(verifyAuditLog(file, m_key.publicKey()).code, ErrorCode::KeyMismatch);
    }

    // The sealed anchor (audit_anchor.h): only the unlocked audit key seals one; a copy with any
    // byte changed, or sealed by another key, does not open.
    void sealedAnchorOpensOnlyWithItsKey() {
        const std::string path = newPath();
        build(path, 3, 0, true);
        auto log = take(AuditLog::open(path, m_clock));
        const AuditAnchorKey key = take(AuditAnchorKey::derive(m_key), "derive");
        const AuditAnchor anchor = AuditAnchor::of(log.logId(), log.auditKey(),
                                                   log.latestCheckpoint(),
                                                   log.checkpoints().size(), kT0);
        QCOMPARE(anchor.counter, 3u);
        const Bytes sealed = take(key.seal(anchor), "seal");
        const AuditAnchor back = take(key.open(sealed), "open");
        QCOMPARE(back.logId, std::string(kLogId));
        QCOMPARE(back.counter, 3u);
        QVERIFY(back.checkpoint == log.latestCheckpoint());
        QVERIFY(back.auditKey == m_key.publicKey());
        // The same key derives the same sealing key (a later unlock opens it).
        QVERIFY(take(AuditAnchorKey::derive(m_key)).open(sealed).ok());

        // Another audit key's anchor key: not this device's seal.
        const AuditAnchorKey other = take(AuditAnchorKey::derive(m_otherKey));
        QCOMPARE(other.open(sealed).code(), ErrorCode::AuditAnchorInvalid);
        QCOMPARE(other.seal(anchor).code(), ErrorCode::KeyMismatch);
        // Every single-byte change: unreadable, or a seal that does not verify.
        for (std::size_t i = 0; i < sealed.size(); ++i) {
            Bytes edited = sealed;
            edited[i] ^= 0x01;
            QCOMPARE(key.open(edited).code(), ErrorCode::AuditAnchorInvalid);
        }
        // A forged counter (the body rewritten, the old MAC kept) reads but does not open.
        twinseal::proto::AuditAnchorFile f;
        QVERIFY(f.ParseFromArray(sealed.data(), int(sealed.size())));
        twinseal::proto::AuditAnchorBody b;
        QVERIFY(b.ParseFromString(f.body()));
        b.set_counter(2);
        b.set_checkpoint(toString(recordsOf(readAll(path))[checkpointRecords(recordsOf(readAll(path)))[1]].payload));
        f.set_body(b.SerializeAsString());
        const Bytes forged = toBytes(f.SerializeAsString());
        QVERIFY(readAuditAnchor(forged).ok());
        QCOMPARE(key.open(forged).code(), ErrorCode::AuditAnchorInvalid);
        // A counter that does not match its checkpoint is refused even unsealed.
        b.set_counter(7);
        f.set_body(b.SerializeAsString());
        QCOMPARE(readAuditAnchor(toBytes(f.SerializeAsString())).code(),
                 ErrorCode::AuditAnchorInvalid);
        QCOMPARE(readAuditAnchor(toBytes("not an anchor")).code(), ErrorCode::AuditAnchorInvalid);
    }

    // The data directory's writer against the device's log: each attack fails closed with its
    // own reason, and nothing is deleted by verifying.
    void anchoredLogFailsClosed() {
        const std::string path = newPath();
        build(path, 4, 0, true);
        const Bytes file = readAll(path);
        const auto recs = recordsOf(file);
        const auto cps = checkpointRecords(recs);
        const AuditAnchorKey sealer = take(AuditAnchorKey::derive(m_key));
        const AuditAnchor anchor = take(readAuditAnchor(take(sealer.seal(AuditAnchor::of(
            kLogId, m_key.publicKey(), recs[cps.back()].payload, cps.size(), kT0)))));

        auto check = [&](const AuditDirectory& dir, const Bytes& log) {
            AuditVerifyOptions o;
            if (auto st = checkAuditDirectory(dir, o); !st.ok())
                return st.code();
            return verifyAuditLog(log, o).code;
        };
        AuditDirectory intact{true, m_key.publicKey(), anchor};
        QCOMPARE(check(intact, file), ErrorCode::Ok);

        // Missing anchor while the log has checkpoints: refused, not accepted unanchored.
        AuditDirectory noAnchor{true, m_key.publicKey(), std::nullopt};
        QCOMPARE(check(noAnchor, file), ErrorCode::AuditAnchorMissing);
        AuditVerifyOptions o;
        QVERIFY(checkAuditDirectory(noAnchor, o).ok());
        QCOMPARE(AuditLog::open(path, m_clock, o).code(), ErrorCode::AuditAnchorMissing);
        QVERIFY(readAll(path) == file); // nothing was changed by refusing
        // ... but a log never signed yet (a crash before its first anchor) has nothing to lose.
        const std::string fresh = newPath();
        const Bytes unsignedLog = build(fresh, 0, 2, false);
        QCOMPARE(check(noAnchor, unsignedLog), ErrorCode::Ok);

        // Missing audit.key: the log and its anchor are not accepted unpinned.
        QCOMPARE(check(AuditDirectory{true, std::nullopt, anchor}, file),
                 ErrorCode::AuditKeyMissing);
        QCOMPARE(check(AuditDirectory{true, std::nullopt, std::nullopt}, file),
                 ErrorCode::AuditKeyMissing);
        QCOMPARE(check(AuditDirectory{false, std::nullopt, anchor}, file),
                 ErrorCode::AuditKeyMissing);
        // Replaced audit.key: not the key the anchor pins.
        QCOMPARE(check(AuditDirectory{true, m_otherKey.publicKey(), anchor}, file),
                 ErrorCode::AuditKeyReplaced);

        // Truncation: cut back to two entries (fewer than the anchor's counter covers), at a
        // record boundary, so the shorter log is well formed on its own; or deleted.
        const Bytes cut(file.begin(), file.begin() + static_cast<std::ptrdiff_t>(
                                                         recs[cps[1]].offset + recs[cps[1]].size));
        QVERIFY(verify(cut).ok());
        QCOMPARE(check(intact, cut), ErrorCode::AuditLogTruncated);
        QCOMPARE(check(AuditDirectory{false, m_key.publicKey(), anchor}, cut),
                 ErrorCode::AuditLogTruncated);
        // Only the last checkpoint cut off: its entries would become a rewritable unsigned tail.
        const Bytes noLastCp(file.begin(),
                             file.begin() + static_cast<std::ptrdiff_t>(recs[cps.back()].offset));
        QCOMPARE(check(intact, noLastCp), ErrorCode::AuditLogTruncated);

        // Wholesale replacement: another log (its own key and id) put in place of the device's.
        const Bytes foreign = build(newPath(), 6, 0, true, &m_otherKey, "audit-foreign");
        QVERIFY(verifyAuditLog(foreign, AuditVerifyOptions{}).ok()); // consistent with itself
        QCOMPARE(check(intact, foreign), ErrorCode::AuditLogReplaced);
        QCOMPARE(check(noAnchor, foreign), ErrorCode::AuditLogReplaced); // audit.key pins it
        // ... under the same key but another id (a second log of this device).
        const Bytes sibling = build(newPath(), 6, 0, true, &m_key, "audit-sibling");
        QCOMPARE(check(intact, sibling), ErrorCode::AuditLogReplaced);
        // ... the whole set replaced (log, anchor and audit.key, all the attacker's): consistent
        // until the owner's passphrase unlocks; the owner's anchor key does not open that anchor.
        const AuditAnchorKey attacker = take(AuditAnchorKey::derive(m_otherKey));
        const auto frecs = recordsOf(foreign);
        const Bytes foreignAnchor = take(attacker.seal(AuditAnchor::of(
            "audit-foreign", m_otherKey.publicKey(),
            frecs[checkpointRecords(frecs).back()].payload, 6, kT0)));
        QCOMPARE(check(AuditDirectory{true, m_otherKey.publicKey(),
                                      take(readAuditAnchor(foreignAnchor))},
                       foreign),
                 ErrorCode::Ok);
        QCOMPARE(sealer.open(foreignAnchor).code(), ErrorCode::AuditAnchorInvalid);
    }

    void reportForPeople() {
        const Bytes file = build(newPath(), 3, 0, true);
        const auto good = verify(file);
        const ojson j = ojson::parse(good.toJson());
        QCOMPARE(j["intact"].get<bool>(), true);
        QCOMPARE(j["code"].get<std::string>(), std::string("ok"));
        QCOMPARE(j["entries"].size(), 3u);
        QCOMPARE(j["entries"][1]["hash"].get<std::string>(), toHex(good.entries[1].hash));
        QVERIFY(good.meaning().empty());

        auto recs = recordsOf(file);
        recs.erase(recs.begin() + static_cast<std::ptrdiff_t>(entryRecords(recs)[1]));
        const auto bad = verify(encodeAuditFile(recs));
        QCOMPARE(bad.code, ErrorCode::AuditEntryMissing);
        const ojson b = ojson::parse(bad.toJson());
        QCOMPARE(b["intact"].get<bool>(), false);
        QCOMPARE(b["code"].get<std::string>(), std::string("audit-entry-missing"));
        QCOMPARE(b["entryIndex"].get<int>(), 1);
        QVERIFY(!b["meaning"].get<std::string>().empty());
        QVERIFY2(bad.summary().find("at entry 1") != std::string::npos, why(bad));

        // Every audit reason has its own name (and with it its own twinsealctl exit code).
        std::set<std::string_view> names;
        for (ErrorCode c : {ErrorCode::AuditEntryModified, ErrorCode::AuditEntryMissing,
                            ErrorCode::AuditEntriesReordered, ErrorCode::AuditCheckpointInvalid,
                            ErrorCode::AuditCheckpointMismatch, ErrorCode::AuditLogTruncated,
                            ErrorCode::AuditLogIdMismatch, ErrorCode::AuditRecordCorrupt}) {
            QVERIFY(errorCodeName(c) != "unknown-error");
            QVERIFY(names.insert(errorCodeName(c)).second);
            AuditVerification v;
            v.code = c;
            QVERIFY(!v.meaning().empty());
        }
        QCOMPARE(errorCodeName(static_cast<ErrorCode>(
                     static_cast<int>(ErrorCode::AuditRecordCorrupt) + 1000)),
                 std::string_view("unknown-error"));
    }
};

TWINSEAL_TEST(AuditTest, "audit")
} // namespace test_audit
} // namespace

#include "test_audit.moc"
