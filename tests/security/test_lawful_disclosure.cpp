// A lawful disclosure as its owner checks it (issue 12, finding 16): the statement the home
// network hands out must be the one an opaque lawful-disclosure entry of the log commits to, and
// that entry must be proven included in a signed tree head. Real SHA-256, a real Merkle log of
// several entries, a really signed (Ed25519) tree head.
#include <QtTest>

#include <twinseal/security/lawful_disclosure.h>

#include "testmain.h"

namespace {
namespace test_lawful_disclosure {

using namespace twinseal::security;

namespace {

constexpr std::int64_t kNow = 1760000000;

DisclosureStatement statement() {
    DisclosureStatement s;
    s.disclosureId = "ld-1";
    s.dtId = "dt-1";
    s.supi = "imsi-001010000000001";
    s.authority = "National Crime Agency";
    s.caseRef = "NCA-7731";
    s.legalBasis = "Production order 2026/17";
    s.attributes = {"name", "role"};
    s.disclosedAt = kNow;
    s.visibleAt = kNow + 3600;
    auto salted = DisclosureStatement::salted(s, SystemRandom::instance());
    if (!salted.ok())
        qFatal("no salt");
    return std::move(salted).value();
}

LogEntry opaqueEntry(const Bytes& statementBytes) {
    LogEntry e;
    e.type = LogEntryType::LawfulDisclosure;
    e.timestamp = kNow;
    e.credentialDigest = disclosureCommitment(statementBytes);
    return e;
}

// A log of four entries with the disclosure's at index 2, its head signed.
struct Fixture {
    Bytes statementBytes;
    Bytes entryBytes;
    InclusionProof proof;
    SignedTreeHead head;
};

Fixture logged(const Bytes& statementBytes, const LogEntry& entry) {
    auto key = SigningKey::generate(KeyAlgorithm::Ed25519);
    if (!key.ok())
        qFatal("key generation failed");
    MerkleLog log;
    Fixture f;
    f.statementBytes = statementBytes;
    f.entryBytes = entry.encode();
    for (int i = 0; i < 4; ++i) {
        if (i == 2) {
            log.append(logLeafHash(f.entryBytes));
            continue;
        }
        LogEntry other;
        other.type = LogEntryType::Issuance;
        other.timestamp = kNow;
        other.dtId = "dt-other-" + std::to_string(i);
        other.credentialDigest = sha256(toBytes(other.dtId));
        log.append(logLeafHash(other.encode()));
    }
    auto proof = log.inclusionProof(2, log.size());
    auto head = signTreeHead(log.size(), log.root(), kNow, *key);
    if (!proof.ok() || !head.ok())
        qFatal("cannot build the log");
    f.proof = std::move(proof).value();
    f.head = std::move(head).value();
    return f;
}

Result<DisclosureStatement> check(const Fixture& f) {
    return verifyDisclosureEvidence(f.statementBytes, f.entryBytes, f.proof, f.head.head);
}

} // namespace

class LawfulDisclosureTest : public QObject {
    Q_OBJECT

private slots:
    void aLoggedDisclosureVerifies() {
        const Bytes bytes = statement().encode();
        auto ok = check(logged(bytes, opaqueEntry(bytes)));
        QVERIFY2(ok.ok(), ok.ok() ? "" : ok.error().message().c_str());
        QCOMPARE(ok->caseRef, std::string("NCA-7731"));
        QCOMPARE(ok->visibleAt, kNow + 3600);
        QCOMPARE(ok->salt.size(), kDisclosureSaltSize);
    }

    // The commitment hides the statement: the same record with fresh salt commits differently,
    // and the commitment is domain-separated (not the plain SHA-256 of the statement).
    void theCommitmentIsSaltedAndDomainSeparated() {
        DisclosureStatement s = statement();
        const Bytes a = s.encode();
        auto resalted = DisclosureStatement::salted(s, SystemRandom::instance());
        QVERIFY(resalted.ok());
        QVERIFY(disclosureCommitment(a) != disclosureCommitment(resalted->encode()));
        QVERIFY(disclosureCommitment(a) != sha256(a));
        const std::string context = std::string(kDisclosureCommitmentContext) + '\0';
        Bytes input(context.begin(), context.end());
        input.insert(input.end(), a.begin(), a.end());
        QVERIFY(disclosureCommitment(a) == sha256(input));
    }

    void anAlteredStatementIsACommitmentMismatch() {
        DisclosureStatement s = statement();
        const Bytes original = s.encode();
        Fixture f = logged(original, opaqueEntry(original));
        s.authority = "Parish Council";
        f.statementBytes = s.encode();
        QCOMPARE(check(f).code(), ErrorCode::DisclosureCommitmentMismatch);
        // Delayed further than committed to.
        s = *DisclosureStatement::decode(original);
        s.visibleAt += 86400;
        f.statementBytes = s.encode();
        QCOMPARE(check(f).code(), ErrorCode::DisclosureCommitmentMismatch);
        // Not a statement at all.
        f.statementBytes = toBytes("not a statement");
        QCOMPARE(check(f).code(), ErrorCode::DisclosureCommitmentMismatch);
    }

    void anEntryThatIsNotAnOpaqueDisclosureIsACommitmentMismatch() {
        const Bytes bytes = statement().encode();
        LogEntry issuance = opaqueEntry(bytes);
        issuance.type = LogEntryType::Issuance;
        QCOMPARE(check(logged(bytes, issuance)).code(), ErrorCode::DisclosureCommitmentMismatch);
        LogEntry named = opaqueEntry(bytes);
        named.dtId = "dt-1"; // would tell everyone which DT was disclosed
        QCOMPARE(check(logged(bytes, named)).code(), ErrorCode::DisclosureCommitmentMismatch);
    }

    void aProofThatDoesNotLeadToTheHeadIsInvalid() {
        const Bytes bytes = statement().encode();
        Fixture f = logged(bytes, opaqueEntry(bytes));
        Fixture bad = f;
        bad.proof.path[0][0] ^= 0x01;
        QCOMPARE(check(bad).code(), ErrorCode::DisclosureProofInvalid);
        bad = f;
        bad.proof.leafIndex = 1;
        QCOMPARE(check(bad).code(), ErrorCode::DisclosureProofInvalid);
        bad = f;
        bad.head.head.rootHash[0] ^= 0x01;
        QCOMPARE(check(bad).code(), ErrorCode::DisclosureProofInvalid);
        bad = f;
        bad.head.head.treeSize = 5;
        QCOMPARE(check(bad).code(), ErrorCode::DisclosureProofInvalid);
    }

    void aStatementVisibleBeforeItWasMadeDoesNotDecode() {
        DisclosureStatement s = statement();
        s.visibleAt = s.disclosedAt - 1;
        QCOMPARE(DisclosureStatement::decode(s.encode()).code(), ErrorCode::MalformedInput);
        s = statement();
        s.salt.resize(8);
        QCOMPARE(DisclosureStatement::decode(s.encode()).code(), ErrorCode::MalformedInput);
    }
};

TWINSEAL_TEST(LawfulDisclosureTest, "lawful-disclosure")
} // namespace test_lawful_disclosure
} // namespace

#include "test_lawful_disclosure.moc"
