// DT credentials: issuance, parsing of the stored bytes, tamper detection, validity,
// selective disclosure commitments and the subscriber binding.
#include <QtTest>

#include "fixtures.h"
#include "testmain.h"

namespace {
namespace test_credential {

using namespace twinseal::security;
using namespace twinseal::test;

class CredentialTest : public QObject {
    Q_OBJECT
    Issuer m_issuer;
    Holder m_holder;

private slots:
    void initTestCase() {
        m_issuer = Issuer::make();
        m_holder = Holder::make(m_issuer, sampleAvatarDir());
    }

    void roundTrip() {
        const Credential& c = m_holder.credential;
        auto back = parseCredential(c.encoded);
        QVERIFY(back.ok());
        QCOMPARE(back->claims.dtId, std::string("dt-0001"));
        QVERIFY(back->claims.holderKey == m_holder.key.publicKey());
        QCOMPARE(back->claims.mediaRoot, m_holder.parsed.packageRoot);
        QCOMPARE(back->claims.attributes.size(), 3u);
        QCOMPARE(back->claims.statusListIndex, 17u);
        QCOMPARE(back->claims.logIndex, 42u);
        QCOMPARE(back->issuerChain.size(), 1u);
        QCOMPARE(back->digest(), sha256(c.encoded));
        QCOMPARE(back->body, c.body);
    }

    // Any single-byte change is either unparseable or fails the issuer signature.
    void everyByteFlipDetected() {
        const Bytes& enc = m_holder.credential.encoded;
        int bad = 0, malformed = 0;
        for (std::size_t i = 0; i < enc.size(); ++i) {
            Bytes f = enc;
            f[i] ^= 0x01;
            auto r = parseCredential(f);
            QVERIFY2(!r.ok(), qPrintable(QString("flip at %1 accepted").arg(i)));
            const auto code = r.code();
            QVERIFY2(code == ErrorCode::BadSignature || code == ErrorCode::MalformedInput ||
                         code == ErrorCode::WrongObjectType || code == ErrorCode::UnsupportedVersion ||
                         code == ErrorCode::UnsupportedAlgorithm,
                     qPrintable(QString("flip at %1: %2").arg(i).arg(
                         QString::fromStdString(r.error().message()))));
            bad += code == ErrorCode::BadSignature;
            malformed += code != ErrorCode::BadSignature;
        }
        qInfo("credential of %zu bytes: %d flips failed the signature, %d were unreadable",
              enc.size(), bad, malformed);
        QVERIFY(bad > 0);
    }

    void wrongIssuerKey() {
        auto other = Issuer::make();
        CredentialClaims c = m_holder.credential.claims;
        // Signing with a key that is not the certificate's is refused up front.
        auto r = issueCredential(c, other.issuerKey, {m_issuer.issuerCert});
        QCOMPARE(r.code(), ErrorCode::KeyMismatch);
    }

    void wrongType() {
        // A manifest envelope is not a credential.
        QCOMPARE(parseCredential(m_holder.manifestView()).code(), ErrorCode::WrongObjectType);
        QCOMPARE(parseCredential(Bytes{}).code(), ErrorCode::MalformedInput);
        QCOMPARE(parseCredential(Bytes{0xff, 0xff, 0xff}).code(), ErrorCode::MalformedInput);
    }

    void validity() {
        const auto& cl = m_holder.credential.claims;
        QVERIFY(checkValidity(cl, kNow).ok());
        QCOMPARE(checkValidity(cl, cl.notBefore - 1).code(), ErrorCode::CredentialNotYetValid);
        QVERIFY(checkValidity(cl, cl.notBefore).ok());
        QCOMPARE(checkValidity(cl, cl.notAfter).code(), ErrorCode::CredentialExpired);
        QVERIFY(checkValidity(cl, cl.notAfter - 1).ok());
    }

    void disclosures() {
        for (const auto& d : m_holder.disclosures) {
            auto back = AttributeDisclosure::decode(d.encoded());
            QVERIFY(back.ok());
            QCOMPARE(back->value, d.value);
            QCOMPARE(back->digest(), d.digest());
        }
        // SD-JWT disclosure shape: base64url of ["salt","name","value"].
        AttributeDisclosure d{"_26bc4LT-ac6q2KI6cBW5es", "family_name", "Möbius"};
        auto raw = base64UrlDecode(d.encoded());
        QCOMPARE(toString(*raw), std::string("[\"_26bc4LT-ac6q2KI6cBW5es\",\"family_name\",\"Möbius\"]"));
        QCOMPARE(AttributeDisclosure::decode("W10").code(), ErrorCode::MalformedInput); // []
        QCOMPARE(AttributeDisclosure::decode("!!").code(), ErrorCode::MalformedInput);
    }

    // The home network recomputes a credential's binding from its records; every credential
    // of a subscriber (another DT, another generation) has a different one.
    void subscriberBindingIsKeyedAndPerCredential() {
        const Bytes k1(32, 1), k2(32, 2);
        const char* supi = "imsi-001010000000001";
        auto a = subscriberBinding(k1, supi, "dt-1", 1);
        QVERIFY(a.ok());
        QCOMPARE(*subscriberBinding(k1, supi, "dt-1", 1), *a);
        QVERIFY(*subscriberBinding(k1, supi, "dt-1", 2) != *a);
        QVERIFY(*subscriberBinding(k1, supi, "dt-2", 1) != *a);
        QVERIFY(*subscriberBinding(k1, "imsi-001010000000002", "dt-1", 1) != *a);
        QVERIFY(*subscriberBinding(k2, supi, "dt-1", 1) != *a);
        // The fields are separated: moving a character from one to the next changes it.
        QVERIFY(*subscriberBinding(k1, "imsi-00101000000000", "1dt-1", 1) != *a);
        QCOMPARE(subscriberBinding(Bytes(8, 1), supi, "dt-1", 1).code(), ErrorCode::InvalidArgument);
        QCOMPARE(subscriberBinding(k1, supi, "", 1).code(), ErrorCode::InvalidArgument);
        QCOMPARE(subscriberBinding(k1, std::string_view("imsi\0x", 6), "dt-1", 1).code(),
                 ErrorCode::InvalidArgument);
    }

    void p256Issuer() {
        auto issuer = Issuer::make(KeyAlgorithm::EcdsaP256, "P-256 Operator");
        auto holder = Holder::make(issuer, sampleAvatarDir(), KeyAlgorithm::EcdsaP256);
        auto back = parseCredential(holder.credential.encoded);
        QVERIFY(back.ok());
        QCOMPARE(back->claims.holderKey.algorithm(), KeyAlgorithm::EcdsaP256);
    }
};

TWINSEAL_TEST(CredentialTest, "credential")
} // namespace test_credential
} // namespace

#include "test_credential.moc"
