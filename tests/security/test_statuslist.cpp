// Revocation status list: bit layout (draft-ietf-oauth-status-list section 4.1), signing and
// verification, freshness, tampering, and the StatusListRevocationChecker inside verifyPeer.
#include <QtTest>

#include <set>

#include <twinseal/security/statuslist.h>

#include "twinseal/proto/twinseal.pb.h"

#include "fixtures.h"
#include "testmain.h"

#include "key_algorithm_metatype.h"

namespace {
namespace test_statuslist {

using namespace twinseal::security;
using namespace twinseal::test;


namespace {

constexpr const char* kUri = "https://homenet.example/status/1";

StatusListPublication publication(std::uint64_t sequence = 1, std::int64_t issuedAt = kNow - 60,
                                  std::int64_t expiresAt = kNow + 86400, std::uint64_t ttl = 3600) {
    return StatusListPublication{issuedAt, expiresAt, ttl, sequence};
}

} // namespace

class StatusListTest : public QObject {
    Q_OBJECT

    Issuer m_issuer;
    Holder m_holder;
    FixedClock m_clock{kNow};

    // A list for the fixture's issuer with the given indices revoked.
    Bytes issuerList(std::initializer_list<std::uint64_t> revoked, std::uint64_t size = 1000,
                     StatusListPublication pub = publication(), const char* uri = kUri) {
        StatusListBuilder b("Test Operator DT Issuer", uri, size);
        for (auto i : revoked)
            if (!b.setRevoked(i).ok())
                qFatal("setRevoked");
        return take(b.sign(m_issuer.issuerKey, pub), "sign status list");
    }
    StatusList parsed(const Bytes& enc) {
        return take(parseSignedStatusList(enc, m_issuer.issuerKey.publicKey(), kNow), "parse");
    }

    VerificationReport runVerify(const RevocationChecker* revocation, const Holder& holder) {
        const std::string a = holder.assertion(m_clock.now()).compact;
        VerificationInputs in;
        in.assertion = a;
        in.credential = holder.credential.encoded;
        in.media.manifest = holder.manifestView(); // media bytes: not yet received
        in.trust = &m_issuer.trust;
        in.clock = &m_clock;
        in.expectedDestination = kDest;
        in.revocation = revocation;
        in.optOut({CheckId::LogInclusion, CheckId::Replay, CheckId::MediaContent, CheckId::PinnedKey});
        return verifyPeer(in);
    }
    static QByteArray explain(const VerificationReport& r) {
        return QByteArray::fromStdString(r.toJson());
    }

private slots:
    void initTestCase() {
        m_issuer = Issuer::make();
        m_holder = Holder::make(m_issuer, sampleAvatarDir());
    }
    void init() { m_clock.set(kNow); }

    // The draft's example (section 4.1): 16 statuses, bits = 1 -> byte array [0xB9, 0xA3].
    void draftBitLayout() {
        const int status[16] = {1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1};
        StatusListBuilder b("issuer", kUri, 16);
        for (int i = 0; i < 16; ++i)
            QVERIFY(b.setRevoked(static_cast<std::uint64_t>(i), status[i] != 0).ok());
        QCOMPARE(b.bits(), (Bytes{0xB9, 0xA3}));
        const auto list = parsed(take(b.sign(m_issuer.issuerKey, publication()), "sign"));
        QCOMPARE(list.bits(), (Bytes{0xB9, 0xA3}));
        for (int i = 0; i < 16; ++i)
            QCOMPARE(*list.isRevoked(static_cast<std::uint64_t>(i)), status[i] != 0);
        QCOMPARE(list.revokedCount(), 9u);
    }

    void roundTrip_data() {
        QTest::addColumn<KeyAlgorithm>("alg");
        QTest::newRow("Ed25519") << KeyAlgorithm::Ed25519;
        QTest::newRow("P-256") << KeyAlgorithm::EcdsaP256;
    }
    void roundTrip() {
        QFETCH(KeyAlgorithm, alg);
        auto key = take(SigningKey::generate(alg), "key");
        StatusListBuilder b("Test Operator DT Issuer", kUri, 1003);
        const std::set<std::uint64_t> revoked{0, 7, 8, 17, 500, 1001, 1002};
        for (auto i : revoked)
            QVERIFY(b.setRevoked(i).ok());
        QVERIFY(b.setRevoked(8, false).ok()); // un-revoking (e.g. a mistaken revocation)
        const Bytes enc = take(b.sign(key, publication(5)), "sign");
        QCOMPARE(*envelopeType(enc), std::string(kStatusListType));

        auto list = parseSignedStatusList(enc, key.publicKey(), m_clock);
        QVERIFY(list.ok());
        QCOMPARE(list->info().issuer, std::string("Test Operator DT Issuer"));
        QCOMPARE(list->info().uri, std::string(kUri));
        QCOMPARE(list->info().size, 1003u);
        QCOMPARE(list->info().issuedAt, kNow - 60);
        QCOMPARE(list->info().expiresAt, kNow + 86400);
        QCOMPARE(list->info().ttl, 3600u);
        QCOMPARE(list->info().sequence, 5u);
        QVERIFY(list->signer() == key.publicKey());
        QCOMPARE(list->encoded(), enc);
        QCOMPARE(list->bits().size(), 126u);
        for (std::uint64_t i = 0; i < 1003; ++i)
            QCOMPARE(*list->isRevoked(i), revoked.count(i) == 1 && i != 8);
        QCOMPARE(list->revokedCount(), 6u);
        QCOMPARE(list->isRevoked(1003).code(), ErrorCode::StatusIndexOutOfRange);
        QCOMPARE(list->isRevoked(~std::uint64_t{0}).code(), ErrorCode::StatusIndexOutOfRange);
    }

    void builder() {
        StatusListBuilder b("issuer", kUri, 10);
        QCOMPARE(b.setRevoked(10).code(), ErrorCode::StatusIndexOutOfRange);
        QCOMPARE(b.isRevoked(10).code(), ErrorCode::StatusIndexOutOfRange);
        QVERIFY(b.setRevoked(9).ok());
        QVERIFY(*b.isRevoked(9));
        QVERIFY(b.resize(20).ok());
        QCOMPARE(b.size(), 20u);
        QVERIFY(*b.isRevoked(9));
        QVERIFY(!*b.isRevoked(19));
        QCOMPARE(b.resize(19).code(), ErrorCode::InvalidArgument);
        QCOMPARE(b.resize(kMaxStatusListSize + 1).code(), ErrorCode::InvalidArgument);
        QCOMPARE(b.sign(m_issuer.issuerKey, publication(1, kNow, kNow)).code(),
                 ErrorCode::InvalidArgument);

        // Continuing from the published list keeps every status.
        const auto list = parsed(take(b.sign(m_issuer.issuerKey, publication()), "sign"));
        auto next = StatusListBuilder::from(list);
        QCOMPARE(next.size(), 20u);
        QCOMPARE(next.uri(), std::string(kUri));
        QCOMPARE(next.bits(), b.bits());
        QVERIFY(next.setRevoked(3).ok());
        const auto list2 = parsed(take(next.sign(m_issuer.issuerKey, publication(2)), "sign"));
        QVERIFY(*list2.isRevoked(3) && *list2.isRevoked(9));
        QCOMPARE(list2.info().sequence, 2u);

        StatusListBuilder empty("issuer", kUri, 0);
        const auto e = parsed(take(empty.sign(m_issuer.issuerKey, publication()), "sign"));
        QCOMPARE(e.info().size, 0u);
        QCOMPARE(e.isRevoked(0).code(), ErrorCode::StatusIndexOutOfRange);
    }

    // Any single-byte change is unreadable or fails the issuer's signature.
    void everyByteFlipRefused() {
        const Bytes enc = issuerList({1, 17, 40}, 64);
        int bad = 0;
        for (std::size_t i = 0; i < enc.size(); ++i) {
            for (std::uint8_t mask : {std::uint8_t{0x01}, std::uint8_t{0x80}}) {
                Bytes f = enc;
                f[i] ^= mask;
                auto r = parseSignedStatusList(f, m_issuer.issuerKey.publicKey(), kNow);
                QVERIFY2(!r.ok(), qPrintable(QString("flip %1 at %2 accepted").arg(mask).arg(i)));
                const auto code = r.code();
                QVERIFY2(code == ErrorCode::BadSignature || code == ErrorCode::MalformedInput ||
                             code == ErrorCode::WrongObjectType ||
                             code == ErrorCode::UnsupportedAlgorithm,
                         qPrintable(QString("flip at %1: %2")
                                        .arg(i)
                                        .arg(QString::fromStdString(r.error().message()))));
                bad += code == ErrorCode::BadSignature;
            }
        }
        QVERIFY(bad > 0);
        QCOMPARE(parseSignedStatusList({}, m_issuer.issuerKey.publicKey(), kNow).code(),
                 ErrorCode::MalformedInput);
    }

    void freshness() {
        const Bytes enc = issuerList({17}, 100, publication(1, kNow - 60, kNow + 3600, 600));
        const auto key = m_issuer.issuerKey.publicKey();
        QVERIFY(parseSignedStatusList(enc, key, kNow + 3599).ok());
        QCOMPARE(parseSignedStatusList(enc, key, kNow + 3600).code(), ErrorCode::StatusListExpired);
        QCOMPARE(parseSignedStatusList(enc, key, kNow + 86400).code(),
                 ErrorCode::StatusListExpired);
        // Issued in the future beyond the allowed clock skew.
        QVERIFY(parseSignedStatusList(enc, key, kNow - 60 - kStatusListMaxClockSkew).ok());
        QCOMPARE(parseSignedStatusList(enc, key, kNow - 61 - kStatusListMaxClockSkew).code(),
                 ErrorCode::StatusListExpired);
        // Still readable for inspection once expired.
        auto old = parseSignedStatusListAnyTime(enc, key);
        QVERIFY(old.ok());
        QCOMPARE(old->checkFresh(kNow + 3600).code(), ErrorCode::StatusListExpired);
        // The ttl says when to fetch a new one; the list stays usable until it expires.
        QVERIFY(!old->refreshDue(kNow));
        QVERIFY(!old->refreshDue(kNow + 539));
        QVERIFY(old->refreshDue(kNow + 540));
        QVERIFY(old->checkFresh(kNow + 540).ok());
    }

    void wrongKeyOrType() {
        const Bytes enc = issuerList({17});
        auto other = Issuer::make();
        QCOMPARE(parseSignedStatusList(enc, other.issuerKey.publicKey(), kNow).code(),
                 ErrorCode::BadSignature);
        auto p256 = take(SigningKey::generate(KeyAlgorithm::EcdsaP256), "p256");
        QCOMPARE(parseSignedStatusList(enc, p256.publicKey(), kNow).code(),
                 ErrorCode::BadSignature);
        QCOMPARE(
            parseSignedStatusList(m_holder.credential.encoded, m_issuer.issuerKey.publicKey(), kNow)
                .code(),
            ErrorCode::WrongObjectType);
    }

    // Correctly signed, but not a list this code accepts.
    void malformedBodies() {
        twinseal::proto::StatusList good;
        good.set_version(1);
        good.set_issuer("issuer");
        good.set_uri(kUri);
        good.set_bits(1);
        good.set_size(12);
        good.set_lst(std::string("\x01\x08", 2));
        good.set_issued_at(kNow - 60);
        good.set_expires_at(kNow + 60);
        auto code = [&](const twinseal::proto::StatusList& s) {
            auto enc = take(
                signEnvelope(kStatusListType, toBytes(s.SerializeAsString()), m_issuer.issuerKey),
                "sign");
            return parseSignedStatusList(enc, m_issuer.issuerKey.publicKey(), kNow).code();
        };
        QCOMPARE(code(good), ErrorCode::Ok);
        auto s = good;
        s.set_version(2);
        QCOMPARE(code(s), ErrorCode::UnsupportedVersion);
        s = good;
        s.set_bits(2);
        QCOMPARE(code(s), ErrorCode::MalformedInput);
        s = good;
        s.set_size(17); // needs 3 bytes
        QCOMPARE(code(s), ErrorCode::MalformedInput);
        s = good;
        s.set_size(8); // needs 1 byte
        QCOMPARE(code(s), ErrorCode::MalformedInput);
        s = good;
        s.set_lst(std::string("\x01\x10", 2)); // bit 12 is past the end of a 12-entry list
        QCOMPARE(code(s), ErrorCode::MalformedInput);
        s = good;
        s.set_expires_at(kNow - 60);
        QCOMPARE(code(s), ErrorCode::MalformedInput);
        s = good;
        s.set_size(kMaxStatusListSize + 8);
        QCOMPARE(code(s), ErrorCode::MalformedInput);
    }

    void checkerUpdates() {
        StatusListRevocationChecker checker(parsed(issuerList({1}, 100, publication(5))));
        QVERIFY(checker.update(parsed(issuerList({1, 2}, 100, publication(6)))).ok());
        QCOMPARE(checker.current().info().sequence, 6u);
        QVERIFY(*checker.current().isRevoked(2));
        // The same publication again is fine; an older one is a rollback.
        QVERIFY(checker.update(parsed(issuerList({1, 2}, 100, publication(6)))).ok());
        QCOMPARE(checker.update(parsed(issuerList({1}, 100, publication(5)))).code(),
                 ErrorCode::StatusListRollback);
        QVERIFY(*checker.current().isRevoked(2));
        // Different contents under one sequence number.
        QCOMPARE(checker.update(parsed(issuerList({1}, 100, publication(6)))).code(),
                 ErrorCode::StatusListMismatch);
        // Another list, or the same uri from another signer.
        QCOMPARE(checker.update(parsed(issuerList({}, 100, publication(7), "urn:other"))).code(),
                 ErrorCode::StatusListMismatch);
        auto other = Issuer::make();
        StatusListBuilder b("Test Operator DT Issuer", kUri, 100);
        auto foreign =
            take(parseSignedStatusList(take(b.sign(other.issuerKey, publication(9)), "s"),
                                       other.issuerKey.publicKey(), kNow),
                 "parse");
        QCOMPARE(checker.update(foreign).code(), ErrorCode::StatusListMismatch);
        QCOMPARE(checker.current().info().sequence, 6u);
    }

    // ---- the RevocationChecker inside verifyPeer
    // -------------------------------------------------

    void checkerInVerifyPeer() {
        QCOMPARE(m_holder.credential.claims.statusListIndex, 17u);
        { // Index 17 revoked.
            StatusListRevocationChecker checker(parsed(issuerList({3, 17, 200})));
            QCOMPARE(checker.check(m_holder.credential, kNow).code(), ErrorCode::CredentialRevoked);
            auto r = runVerify(&checker, m_holder);
            QCOMPARE(r.state, OverallState::Failed);
            QCOMPARE(r.reason, ErrorCode::CredentialRevoked);
            QCOMPARE(r.find(CheckId::Revocation)->state, CheckState::Failed);
            QCOMPARE(r.find(CheckId::Revocation)->code, ErrorCode::CredentialRevoked);
        }
        { // Neighbours revoked, 17 not.
            StatusListRevocationChecker checker(parsed(issuerList({16, 18, 999})));
            auto r = runVerify(&checker, m_holder);
            QVERIFY2(r.state == OverallState::Verified, explain(r));
            QCOMPARE(r.find(CheckId::Revocation)->state, CheckState::Passed);
        }
        { // The list has expired by the time of the call (the credential has not).
            StatusListRevocationChecker checker(
                parsed(issuerList({}, 1000, publication(1, kNow - 60, kNow + 3600))));
            m_clock.set(kNow + 7200);
            auto r = runVerify(&checker, m_holder);
            QCOMPARE(r.state, OverallState::Failed);
            QCOMPARE(r.reason, ErrorCode::StatusListExpired);
            m_clock.set(kNow);
        }
        { // The index is not in the list.
            StatusListRevocationChecker checker(parsed(issuerList({}, 17)));
            QCOMPARE(runVerify(&checker, m_holder).reason, ErrorCode::StatusIndexOutOfRange);
        }
        { // Another issuer's list says nothing about this credential.
            auto other = Issuer::make();
            StatusListBuilder b("Test Operator DT Issuer", kUri, 1000);
            auto foreign =
                take(parseSignedStatusList(take(b.sign(other.issuerKey, publication()), "s"),
                                           other.issuerKey.publicKey(), kNow),
                     "parse");
            StatusListRevocationChecker checker(foreign);
            QCOMPARE(runVerify(&checker, m_holder).reason, ErrorCode::StatusListMismatch);
        }
        { // A credential that names its list: the right list is used, another is refused.
            Holder named = holderWithUri(kUri);
            StatusListRevocationChecker right(parsed(issuerList({17})));
            QCOMPARE(runVerify(&right, named).reason, ErrorCode::CredentialRevoked);
            StatusListRevocationChecker notRevoked(parsed(issuerList({})));
            auto ok = runVerify(&notRevoked, named);
            QVERIFY2(ok.state == OverallState::Verified, explain(ok));
            StatusListRevocationChecker wrong(
                parsed(issuerList({}, 1000, publication(), "urn:other")));
            QCOMPARE(runVerify(&wrong, named).reason, ErrorCode::StatusListMismatch);
        }
    }

private:
    // The fixture's holder, re-issued with a statusListUri.
    Holder holderWithUri(const char* uri) {
        Holder h = Holder::make(m_issuer, sampleAvatarDir());
        CredentialClaims c = h.credential.claims;
        c.statusListUri = uri;
        h.credential = take(issueCredential(c, m_issuer.issuerKey, {m_issuer.issuerCert}), "issue");
        return h;
    }
};

TWINSEAL_TEST(StatusListTest, "statuslist")
} // namespace test_statuslist
} // namespace

#include "test_statuslist.moc"
