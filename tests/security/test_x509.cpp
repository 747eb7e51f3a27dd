// X.509: development root and issuer certificates, encodings, and chain validation.
#include <QFile>
#include <QTemporaryDir>

#include <optional>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "testmain.h"
#include "twinseal/security/x509.h"

#include "key_algorithm_metatype.h"

namespace {
namespace test_x509 {

using namespace twinseal::security;


namespace {

constexpr std::int64_t kT0 = 1'700'000'000; // 2023-11-14
constexpr std::int64_t kDay = 86'400;
constexpr std::int64_t kAt = kT0 + 30 * kDay; // inside every validity below

CertificateRequest request(const char* cn, std::int64_t from, std::int64_t to, bool isCa = false) {
    CertificateRequest r;
    r.commonName = cn;
    r.organisation = "TwinSeal Dev";
    r.notBefore = from;
    r.notAfter = to;
    r.isCa = isCa;
    return r;
}

template <typename T> std::optional<T> take(Result<T>&& r, const char* what) {
    if (!r.ok()) {
        qWarning("%s failed: %s", what, r.error().message().c_str());
        return std::nullopt;
    }
    return std::move(r).value();
}

// root (CA, pathlen 1) -> intermediate (CA, pathlen 0) -> leaf (end entity);
// root -> issuer (end entity, the DT issuer's certificate).
struct Pki {
    SigningKey rootKey, interKey, leafKey, issuerKey;
    Certificate root, inter, leaf, issuer;
};

bool makePki(KeyAlgorithm alg, Pki& p) {
    auto gen = [alg](SigningKey& k) {
        auto r = take(SigningKey::generate(alg), "SigningKey::generate");
        if (r)
            k = std::move(*r);
        return r.has_value();
    };
    if (!gen(p.rootKey) || !gen(p.interKey) || !gen(p.leafKey) || !gen(p.issuerKey))
        return false;
    auto root = take(createRootCertificate(p.rootKey, request("TwinSeal Dev Root", kT0,
                                                              kT0 + 3650 * kDay, true)),
                     "createRootCertificate");
    if (!root)
        return false;
    p.root = *root;
    auto inter = take(issueCertificate(p.rootKey, p.root, p.interKey.publicKey(),
                                       request("TwinSeal Dev Intermediate", kT0,
                                               kT0 + 1825 * kDay, true)),
                      "issueCertificate(intermediate)");
    if (!inter)
        return false;
    p.inter = *inter;
    auto leaf = take(issueCertificate(p.interKey, p.inter, p.leafKey.publicKey(),
                                      request("TwinSeal Dev Leaf", kT0 + kDay, kT0 + 365 * kDay)),
                     "issueCertificate(leaf)");
    if (!leaf)
        return false;
    p.leaf = *leaf;
    auto issuer = take(issueCertificate(p.rootKey, p.root, p.issuerKey.publicKey(),
                                        request("TwinSeal Dev Issuer", kT0, kT0 + 730 * kDay)),
                       "issueCertificate(issuer)");
    if (!issuer)
        return false;
    p.issuer = *issuer;
    return true;
}

X509* x509(const Certificate& c) { return static_cast<X509*>(c.nativeHandle()); }

QByteArray keyId(const ASN1_OCTET_STRING* s) {
    return s ? QByteArray(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                          ASN1_STRING_length(s))
             : QByteArray();
}

TrustList trustOf(std::initializer_list<Certificate> roots) {
    TrustList t;
    for (const auto& r : roots)
        t.add(r);
    return t;
}

const char* verifyString(int err) { return X509_verify_cert_error_string(err); }

void addAlgorithms() {
    QTest::addColumn<KeyAlgorithm>("alg");
    QTest::newRow("Ed25519") << KeyAlgorithm::Ed25519;
    QTest::newRow("P-256") << KeyAlgorithm::EcdsaP256;
}

} // namespace

class X509Test : public QObject {
    Q_OBJECT

private slots:
    void init() { ERR_clear_error(); }
    // Every public function leaves OpenSSL's error queue empty, whether it failed or not.
    void cleanup() { QCOMPARE(ERR_peek_error(), 0ul); }

    void rootCertificate_data() { addAlgorithms(); }
    void rootCertificate() {
        QFETCH(KeyAlgorithm, alg);
        Pki p;
        QVERIFY(makePki(alg, p));
        const Certificate& root = p.root;
        X509* x = x509(root);
        QVERIFY(x != nullptr);

        QCOMPARE(root.subject(), std::string("CN=TwinSeal Dev Root,O=TwinSeal Dev"));
        QCOMPARE(root.issuer(), root.subject());
        auto pub = root.publicKey();
        QVERIFY2(pub.ok(), pub.ok() ? "" : pub.error().message().c_str());
        QVERIFY(*pub == p.rootKey.publicKey());

        QCOMPARE(X509_get_version(x), long(X509_VERSION_3));
        QCOMPARE(X509_get_signature_nid(x),
                 alg == KeyAlgorithm::Ed25519 ? NID_ED25519 : NID_ecdsa_with_SHA256);
        QCOMPARE(X509_verify(x, X509_get0_pubkey(x)), 1); // self-signed with its own key
        const std::uint32_t flags = X509_get_extension_flags(x);
        QVERIFY(flags & EXFLAG_CA);
        QVERIFY(flags & EXFLAG_SS);
        QCOMPARE(X509_get_pathlen(x), 1L);
        QCOMPARE(X509_get_key_usage(x), std::uint32_t(KU_KEY_CERT_SIGN | KU_CRL_SIGN));
        int critical = -1;
        auto* bc = static_cast<BASIC_CONSTRAINTS*>(
            X509_get_ext_d2i(x, NID_basic_constraints, &critical, nullptr));
        QVERIFY(bc != nullptr);
        BASIC_CONSTRAINTS_free(bc);
        QCOMPARE(critical, 1);
        auto* ku = static_cast<ASN1_BIT_STRING*>(
            X509_get_ext_d2i(x, NID_key_usage, &critical, nullptr));
        QVERIFY(ku != nullptr);
        ASN1_BIT_STRING_free(ku);
        QCOMPARE(critical, 1);
        const QByteArray ski = keyId(X509_get0_subject_key_id(x));
        QCOMPARE(ski.size(), 20); // SHA-1 of the key ("hash")
        QCOMPARE(keyId(X509_get0_authority_key_id(x)), ski);

        // A positive serial of about 128 bits, different for every certificate.
        const ASN1_INTEGER* serial = X509_get0_serialNumber(x);
        QCOMPARE(ASN1_STRING_type(serial), V_ASN1_INTEGER); // not V_ASN1_NEG_INTEGER
        QVERIFY(ASN1_STRING_length(serial) >= 8 && ASN1_STRING_length(serial) <= 16);
        auto again = createRootCertificate(p.rootKey, request("TwinSeal Dev Root", kT0,
                                                              kT0 + 3650 * kDay, true));
        QVERIFY(again.ok());
        QVERIFY(ASN1_INTEGER_cmp(serial, X509_get0_serialNumber(x509(*again))) != 0);
        QVERIFY(again->fingerprint() != root.fingerprint());
    }

    void issuedCertificate_data() { addAlgorithms(); }
    void issuedCertificate() {
        QFETCH(KeyAlgorithm, alg);
        Pki p;
        QVERIFY(makePki(alg, p));

        // End entity: the DT issuer's certificate.
        X509* ee = x509(p.issuer);
        QCOMPARE(p.issuer.issuer(), p.root.subject());
        QVERIFY(p.issuer.subject().find("CN=TwinSeal Dev Issuer") != std::string::npos);
        auto pub = p.issuer.publicKey();
        QVERIFY(pub.ok());
        QVERIFY(*pub == p.issuerKey.publicKey());
        QVERIFY(!(*pub == p.rootKey.publicKey()));
        QCOMPARE(X509_verify(ee, X509_get0_pubkey(x509(p.root))), 1);
        QVERIFY(X509_verify(ee, X509_get0_pubkey(ee)) != 1); // not self-signed
        ERR_clear_error();
        QVERIFY(!(X509_get_extension_flags(ee) & EXFLAG_CA));
        QVERIFY(X509_get_extension_flags(ee) & EXFLAG_BCONS); // CA:FALSE is present, not absent
        QCOMPARE(X509_get_key_usage(ee), std::uint32_t(KU_DIGITAL_SIGNATURE));
        QCOMPARE(X509_check_ca(ee), 0);
        QCOMPARE(keyId(X509_get0_authority_key_id(ee)),
                 keyId(X509_get0_subject_key_id(x509(p.root))));
        QCOMPARE(keyId(X509_get0_subject_key_id(ee)).size(), 20);

        // Intermediate CA.
        X509* ca = x509(p.inter);
        QCOMPARE(X509_check_ca(ca), 1);
        QCOMPARE(X509_get_pathlen(ca), 0L);
        QCOMPARE(X509_get_key_usage(ca),
                 std::uint32_t(KU_DIGITAL_SIGNATURE | KU_KEY_CERT_SIGN | KU_CRL_SIGN));
        QCOMPARE(p.leaf.issuer(), p.inter.subject());
        QCOMPARE(X509_verify(x509(p.leaf), X509_get0_pubkey(ca)), 1);
    }

    // A CA of one algorithm certifies a key of the other.
    void mixedAlgorithms() {
        auto edKey = SigningKey::generate(KeyAlgorithm::Ed25519);
        auto ecKey = SigningKey::generate(KeyAlgorithm::EcdsaP256);
        QVERIFY(edKey.ok() && ecKey.ok());
        auto root = createRootCertificate(*ecKey, request("P-256 Root", kT0, kT0 + kDay * 100, true));
        QVERIFY(root.ok());
        auto ee = issueCertificate(*ecKey, *root, edKey->publicKey(),
                                   request("Ed25519 Issuer", kT0, kT0 + kDay * 50));
        QVERIFY2(ee.ok(), ee.ok() ? "" : ee.error().message().c_str());
        auto pub = ee->publicKey();
        QVERIFY(pub.ok());
        QCOMPARE(pub->algorithm(), KeyAlgorithm::Ed25519);
        QVERIFY(*pub == edKey->publicKey());
        QCOMPARE(X509_get_signature_nid(x509(*ee)), NID_ecdsa_with_SHA256);
        auto r = validateChain({*ee}, trustOf({*root}), kT0 + kDay);
        QVERIFY(r.ok());
        QCOMPARE(r->status, ChainStatus::Trusted);
    }

    void pemDerRoundTrip_data() { addAlgorithms(); }
    void pemDerRoundTrip() {
        QFETCH(KeyAlgorithm, alg);
        Pki p;
        QVERIFY(makePki(alg, p));
        for (const Certificate* c : {&p.root, &p.inter, &p.leaf, &p.issuer}) {
            const Bytes der = c->der();
            QVERIFY(der.size() > 100);
            auto fromDer = Certificate::fromDer(der);
            QVERIFY(fromDer.ok());
            QVERIFY(fromDer->der() == der);

            const std::string pem = c->pem();
            QVERIFY(pem.starts_with("-----BEGIN CERTIFICATE-----\n"));
            QVERIFY(pem.ends_with("-----END CERTIFICATE-----\n"));
            auto fromPem = Certificate::fromPem(pem);
            QVERIFY(fromPem.ok());
            QVERIFY(fromPem->der() == der);
            QCOMPARE(fromPem->pem(), pem);
            QCOMPARE(fromPem->subject(), c->subject());
            QCOMPARE(fromPem->notAfter(), c->notAfter());

            Digest expected{};
            unsigned int len = 0;
            QVERIFY(EVP_Digest(der.data(), der.size(), expected.data(), &len, EVP_sha256(),
                               nullptr) == 1);
            QVERIFY(c->fingerprint() == expected);
            QVERIFY(fromPem->fingerprint() == expected);
        }
        QVERIFY(p.root.fingerprint() != p.leaf.fingerprint());

        // Copies share the certificate; a moved-from certificate is empty.
        Certificate copy = p.leaf;
        QVERIFY(copy.der() == p.leaf.der());
        QCOMPARE(copy.nativeHandle(), p.leaf.nativeHandle());
        copy = p.root;
        QVERIFY(copy.der() == p.root.der());
        Certificate moved = std::move(copy);
        QVERIFY(moved.der() == p.root.der());
        QVERIFY(copy.nativeHandle() == nullptr); // NOLINT(bugprone-use-after-move)
        QVERIFY(copy.der().empty());
        QVERIFY(copy.subject().empty());
        QVERIFY(!copy.publicKey().ok());
        Certificate empty;
        QVERIFY(empty.pem().empty());
        QVERIFY(empty.fingerprint() == Digest{});
    }

    void validityRoundTrip_data() {
        QTest::addColumn<qint64>("from");
        QTest::addColumn<qint64>("to");
        QTest::newRow("2023, one day") << qint64(kT0) << qint64(kT0 + kDay);
        QTest::newRow("odd seconds") << qint64(kT0 + 12345) << qint64(kT0 + 9'876'543);
        QTest::newRow("epoch") << qint64(0) << qint64(1);
        QTest::newRow("UTCTime to GeneralizedTime") << qint64(2'524'607'999) // 2049-12-31T23:59:59
                                                    << qint64(4'102'444'800); // 2100-01-01
    }
    void validityRoundTrip() {
        QFETCH(qint64, from);
        QFETCH(qint64, to);
        auto key = SigningKey::generate(KeyAlgorithm::Ed25519);
        QVERIFY(key.ok());
        auto root = createRootCertificate(*key, request("Validity", from, to, true));
        QVERIFY2(root.ok(), root.ok() ? "" : root.error().message().c_str());
        QCOMPARE(root->notBefore(), std::int64_t(from));
        QCOMPARE(root->notAfter(), std::int64_t(to));
        auto parsed = Certificate::fromDer(root->der());
        QVERIFY(parsed.ok());
        QCOMPARE(parsed->notBefore(), std::int64_t(from));
        QCOMPARE(parsed->notAfter(), std::int64_t(to));
        auto ee = issueCertificate(*key, *root, key->publicKey(), request("EE", from, to));
        QVERIFY(ee.ok());
        QCOMPARE(ee->notBefore(), std::int64_t(from));
        QCOMPARE(ee->notAfter(), std::int64_t(to));
    }

    void invalidRequest() {
        auto key = SigningKey::generate(KeyAlgorithm::Ed25519);
        QVERIFY(key.ok());
        QCOMPARE(createRootCertificate(*key, request("", kT0, kT0 + kDay)).code(),
                 ErrorCode::InvalidArgument);
        QCOMPARE(createRootCertificate(*key, request("Backwards", kT0, kT0)).code(),
                 ErrorCode::InvalidArgument);
        QCOMPARE(createRootCertificate(SigningKey{}, request("No key", kT0, kT0 + kDay)).code(),
                 ErrorCode::InvalidArgument);
        auto root = createRootCertificate(*key, request("Root", kT0, kT0 + kDay, true));
        QVERIFY(root.ok());
        QCOMPARE(issueCertificate(*key, Certificate{}, key->publicKey(),
                                  request("EE", kT0, kT0 + kDay))
                     .code(),
                 ErrorCode::InvalidArgument);
        QCOMPARE(issueCertificate(*key, *root, PublicKey{}, request("EE", kT0, kT0 + kDay)).code(),
                 ErrorCode::InvalidArgument);
    }

    void chainTrusted_data() { addAlgorithms(); }
    void chainTrusted() {
        QFETCH(KeyAlgorithm, alg);
        Pki p;
        QVERIFY(makePki(alg, p));
        Pki other;
        QVERIFY(makePki(alg, other));
        const TrustList trust = trustOf({p.root});

        auto r = validateChain({p.leaf, p.inter}, trust, kAt);
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().message().c_str());
        QCOMPARE(r->status, ChainStatus::Trusted);
        QCOMPARE(r->rootSubject, p.root.subject());
        QVERIFY(r->detail.empty());

        // The root may be sent along; it is still the trust list's copy that anchors the chain.
        r = validateChain({p.leaf, p.inter, p.root}, trust, kAt);
        QVERIFY(r.ok());
        QCOMPARE(r->status, ChainStatus::Trusted);

        // The issuer's own certificate, directly under the root.
        r = validateChain({p.issuer}, trust, kAt);
        QVERIFY(r.ok());
        QCOMPARE(r->status, ChainStatus::Trusted);
        QCOMPARE(r->rootSubject, p.root.subject());

        // Among several roots, the right one is found.
        TrustList both = trustOf({other.root, p.root});
        r = validateChain({p.leaf, p.inter}, both, kAt);
        QVERIFY(r.ok());
        QCOMPARE(r->status, ChainStatus::Trusted);
        QVERIFY(!both.empty());
        QCOMPARE(both.roots().size(), std::size_t(2));
    }

    void chainUntrusted_data() { addAlgorithms(); }
    void chainUntrusted() {
        QFETCH(KeyAlgorithm, alg);
        Pki p;
        QVERIFY(makePki(alg, p));
        Pki other; // another development root with a different name
        QVERIFY(makePki(alg, other));
        auto otherRoot = createRootCertificate(other.rootKey, request("Another Dev Root", kT0,
                                                                      kT0 + 3650 * kDay, true));
        QVERIFY(otherRoot.ok());

        auto r = validateChain({p.leaf, p.inter}, trustOf({*otherRoot}), kAt);
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().message().c_str());
        QCOMPARE(r->status, ChainStatus::Untrusted);
        QCOMPARE(r->detail, std::string(verifyString(X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY)));
        QVERIFY(r->rootSubject.empty());

        r = validateChain({p.leaf, p.inter}, TrustList{}, kAt);
        QVERIFY(r.ok());
        QCOMPARE(r->status, ChainStatus::Untrusted);
        QVERIFY(!r->detail.empty());

        // The whole chain up to its (untrusted) root, and the root on its own.
        r = validateChain({p.leaf, p.inter, p.root}, TrustList{}, kAt);
        QVERIFY(r.ok());
        QCOMPARE(r->status, ChainStatus::Untrusted);
        QCOMPARE(r->detail, std::string(verifyString(X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN)));
        r = validateChain({p.root}, trustOf({*otherRoot}), kAt);
        QVERIFY(r.ok());
        QCOMPARE(r->status, ChainStatus::Untrusted);
        QCOMPARE(r->detail, std::string(verifyString(X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT)));

        // A root with the same name as the trusted one but a different key: the chain is sound
        // on its own, it just does not reach the trusted root (key identifiers differ).
        auto lookalike = createRootCertificate(other.rootKey, request("TwinSeal Dev Root", kT0,
                                                                      kT0 + 3650 * kDay, true));
        QVERIFY(lookalike.ok());
        QCOMPARE(lookalike->subject(), p.root.subject());
        auto fakeIssuer = issueCertificate(other.rootKey, *lookalike, p.issuerKey.publicKey(),
                                           request("TwinSeal Dev Issuer", kT0, kT0 + 730 * kDay));
        QVERIFY(fakeIssuer.ok());
        r = validateChain({*fakeIssuer}, trustOf({p.root}), kAt);
        QVERIFY(r.ok());
        QCOMPARE(r->status, ChainStatus::Untrusted);
    }

    void chainExpired_data() { addAlgorithms(); }
    void chainExpired() {
        QFETCH(KeyAlgorithm, alg);
        Pki p;
        QVERIFY(makePki(alg, p));
        const TrustList trust = trustOf({p.root});
        const std::vector<Certificate> chain{p.leaf, p.inter};

        // Sanity: the boundaries are inclusive of notBefore and valid just before notAfter.
        auto r = validateChain(chain, trust, p.leaf.notBefore());
        QVERIFY(r.ok());
        QCOMPARE(r->status, ChainStatus::Trusted);
        r = validateChain(chain, trust, p.leaf.notAfter() - 1);
        QVERIFY(r.ok());
        QCOMPARE(r->status, ChainStatus::Trusted);

        for (const TrustList& t : {trust, TrustList{}}) {
            r = validateChain(chain, t, p.leaf.notAfter() + 1);
            QVERIFY(!r.ok());
            QCOMPARE(r.code(), ErrorCode::CertificateInvalid);
            QVERIFY2(r.error().detail.find("expired") != std::string::npos,
                     r.error().detail.c_str());
            QVERIFY2(r.error().detail.find("TwinSeal Dev Leaf") != std::string::npos,
                     r.error().detail.c_str());

            r = validateChain(chain, t, p.leaf.notBefore() - 1);
            QVERIFY(!r.ok());
            QCOMPARE(r.code(), ErrorCode::CertificateInvalid);
            QVERIFY2(r.error().detail.find("not yet valid") != std::string::npos,
                     r.error().detail.c_str());
        }
        // The intermediate's expiry matters as well as the leaf's.
        auto longLeaf = issueCertificate(p.interKey, p.inter, p.leafKey.publicKey(),
                                         request("Long Leaf", kT0, kT0 + 3000 * kDay));
        QVERIFY(longLeaf.ok());
        r = validateChain({*longLeaf, p.inter}, trust, p.inter.notAfter() + kDay);
        QCOMPARE(r.code(), ErrorCode::CertificateInvalid);
        QVERIFY2(r.error().detail.find("TwinSeal Dev Intermediate") != std::string::npos,
                 r.error().detail.c_str());
    }

    // The intermediate names the trusted root as its issuer (subject and key identifier) but is
    // signed by another key: OpenSSL builds the chain to the root and then the signature check
    // fails, so this is a broken chain (CertificateInvalid), not merely an untrusted one.
    void forgedIntermediate_data() { addAlgorithms(); }
    void forgedIntermediate() {
        QFETCH(KeyAlgorithm, alg);
        Pki p;
        QVERIFY(makePki(alg, p));
        auto forger = SigningKey::generate(alg);
        QVERIFY(forger.ok());

        auto copy = Certificate::fromDer(p.inter.der());
        QVERIFY(copy.ok());
        auto* pkey = static_cast<EVP_PKEY*>(forger->nativeHandle());
        QVERIFY(X509_sign(x509(*copy), pkey,
                          alg == KeyAlgorithm::Ed25519 ? nullptr : EVP_sha256()) > 0);
        auto forged = Certificate::fromDer(copy->der());
        QVERIFY(forged.ok());
        QCOMPARE(forged->issuer(), p.root.subject());
        QVERIFY(forged->der() != p.inter.der());

        // A leaf re-issued under the forged intermediate (the intermediate key is unchanged).
        auto r = validateChain({p.leaf, *forged}, trustOf({p.root}), kAt);
        QVERIFY(!r.ok());
        QCOMPARE(r.code(), ErrorCode::CertificateInvalid);
        QVERIFY2(r.error().detail.find(verifyString(X509_V_ERR_CERT_SIGNATURE_FAILURE)) !=
                     std::string::npos,
                 r.error().detail.c_str());
        QVERIFY2(r.error().detail.find("depth 1") != std::string::npos, r.error().detail.c_str());

        // Including the root in the chain changes nothing.
        r = validateChain({p.leaf, *forged, p.root}, TrustList{}, kAt);
        QCOMPARE(r.code(), ErrorCode::CertificateInvalid);
    }

    void flippedSignatureByte_data() { addAlgorithms(); }
    void flippedSignatureByte() {
        QFETCH(KeyAlgorithm, alg);
        Pki p;
        QVERIFY(makePki(alg, p));
        Bytes der = p.leaf.der();
        // The signature BIT STRING ends the certificate; its last byte is signature material
        // (Ed25519: last byte of S; ECDSA: last byte of the DER INTEGER s).
        der.back() ^= 0x01;
        auto bad = Certificate::fromDer(der);
        QVERIFY(bad.ok()); // still well-formed DER
        for (const TrustList& t : {trustOf({p.root}), TrustList{}}) {
            auto r = validateChain({*bad, p.inter}, t, kAt);
            QVERIFY(!r.ok());
            QCOMPARE(r.code(), ErrorCode::CertificateInvalid);
        }
        QCOMPARE(X509_verify(x509(*bad), X509_get0_pubkey(x509(p.inter))) == 1, false);
        ERR_clear_error();
    }

    void malformedDer() {
        auto key = SigningKey::generate(KeyAlgorithm::Ed25519);
        QVERIFY(key.ok());
        auto root = createRootCertificate(*key, request("Root", kT0, kT0 + kDay, true));
        QVERIFY(root.ok());
        const Bytes der = root->der();

        Bytes trailing = der;
        trailing.push_back(0x00);
        QCOMPARE(Certificate::fromDer(trailing).code(), ErrorCode::MalformedInput);
        Bytes twice = der;
        twice.insert(twice.end(), der.begin(), der.end());
        QCOMPARE(Certificate::fromDer(twice).code(), ErrorCode::MalformedInput);
        const Bytes truncated(der.begin(), der.end() - 1);
        QCOMPARE(Certificate::fromDer(truncated).code(), ErrorCode::MalformedInput);
        QCOMPARE(Certificate::fromDer(Bytes{}).code(), ErrorCode::MalformedInput);
        QCOMPARE(Certificate::fromDer(toBytes("not a certificate")).code(),
                 ErrorCode::MalformedInput);
        QCOMPARE(Certificate::fromPem("not a certificate").code(), ErrorCode::MalformedInput);
        QCOMPARE(Certificate::fromPem("").code(), ErrorCode::MalformedInput);
        QVERIFY(Certificate::fromDer(der).ok());
    }

    void caKeyMismatch() {
        auto caKey = SigningKey::generate(KeyAlgorithm::Ed25519);
        auto wrong = SigningKey::generate(KeyAlgorithm::Ed25519);
        auto wrongEc = SigningKey::generate(KeyAlgorithm::EcdsaP256);
        QVERIFY(caKey.ok() && wrong.ok() && wrongEc.ok());
        auto root = createRootCertificate(*caKey, request("Root", kT0, kT0 + kDay, true));
        QVERIFY(root.ok());
        const auto req = request("EE", kT0, kT0 + kDay);
        auto r = issueCertificate(*wrong, *root, wrong->publicKey(), req);
        QCOMPARE(r.code(), ErrorCode::KeyMismatch);
        QCOMPARE(issueCertificate(*wrongEc, *root, wrong->publicKey(), req).code(),
                 ErrorCode::KeyMismatch);
        QVERIFY(issueCertificate(*caKey, *root, wrong->publicKey(), req).ok());
    }

    // An end-entity certificate (CA:FALSE, digitalSignature only) cannot act as a CA. Issuing
    // under it is not refused (it is only bytes), but such a chain never validates.
    void endEntityAsCa_data() { addAlgorithms(); }
    void endEntityAsCa() {
        QFETCH(KeyAlgorithm, alg);
        Pki p;
        QVERIFY(makePki(alg, p));
        auto below = issueCertificate(p.issuerKey, p.issuer, p.leafKey.publicKey(),
                                      request("Below EE", kT0, kT0 + 100 * kDay));
        QVERIFY(below.ok());
        QCOMPARE(below->issuer(), p.issuer.subject());
        QCOMPARE(X509_verify(x509(*below), X509_get0_pubkey(x509(p.issuer))), 1);
        for (const TrustList& t : {trustOf({p.root}), TrustList{}}) {
            auto r = validateChain({*below, p.issuer}, t, kAt);
            QVERIFY(!r.ok());
            QCOMPARE(r.code(), ErrorCode::CertificateInvalid);
        }
        auto r = validateChain({*below, p.issuer, p.root}, trustOf({p.root}), kAt);
        QCOMPARE(r.code(), ErrorCode::CertificateInvalid);
    }

    // The intermediate has pathlen:0, so a CA below it may not issue.
    void pathLengthExceeded() {
        Pki p;
        QVERIFY(makePki(KeyAlgorithm::Ed25519, p));
        auto subKey = SigningKey::generate(KeyAlgorithm::Ed25519);
        QVERIFY(subKey.ok());
        auto subCa = issueCertificate(p.interKey, p.inter, subKey->publicKey(),
                                      request("Sub CA", kT0, kT0 + 365 * kDay, true));
        QVERIFY(subCa.ok());
        auto leaf = issueCertificate(*subKey, *subCa, p.leafKey.publicKey(),
                                     request("Deep Leaf", kT0, kT0 + 100 * kDay));
        QVERIFY(leaf.ok());
        // The sub-CA itself is fine.
        auto r = validateChain({*subCa, p.inter}, trustOf({p.root}), kAt);
        QVERIFY(r.ok());
        QCOMPARE(r->status, ChainStatus::Trusted);
        for (const TrustList& t : {trustOf({p.root}), TrustList{}}) {
            r = validateChain({*leaf, *subCa, p.inter}, t, kAt);
            QVERIFY(!r.ok());
            QCOMPARE(r.code(), ErrorCode::CertificateInvalid);
        }
    }

    void emptyChain() {
        Pki p;
        QVERIFY(makePki(KeyAlgorithm::Ed25519, p));
        QCOMPARE(validateChain({}, trustOf({p.root}), kAt).code(), ErrorCode::CertificateInvalid);
        QCOMPARE(validateChain({Certificate{}}, trustOf({p.root}), kAt).code(),
                 ErrorCode::CertificateInvalid);
        QCOMPARE(validateChain({p.leaf, Certificate{}}, trustOf({p.root}), kAt).code(),
                 ErrorCode::CertificateInvalid);
    }

    void bundleAndTrustList() {
        Pki p;
        QVERIFY(makePki(KeyAlgorithm::EcdsaP256, p));
        const std::string bundle =
            "operator roots\n" + p.root.pem() + "\n# and one more\n" + p.inter.pem();
        auto certs = Certificate::bundleFromPem(bundle);
        QVERIFY2(certs.ok(), certs.ok() ? "" : certs.error().message().c_str());
        QCOMPARE(certs->size(), std::size_t(2));
        QVERIFY((*certs)[0].der() == p.root.der());
        QVERIFY((*certs)[1].der() == p.inter.der());

        QCOMPARE(Certificate::bundleFromPem("").code(), ErrorCode::MalformedInput);
        QCOMPARE(Certificate::bundleFromPem("no certificates here\n").code(),
                 ErrorCode::MalformedInput);
        const std::string broken = p.root.pem() +
                                   "-----BEGIN CERTIFICATE-----\nAAAA!!!!\n"
                                   "-----END CERTIFICATE-----\n";
        QCOMPARE(Certificate::bundleFromPem(broken).code(), ErrorCode::MalformedInput);

        auto trust = TrustList::fromPem(bundle);
        QVERIFY(trust.ok());
        QCOMPARE(trust->roots().size(), std::size_t(2));
        QCOMPARE(TrustList::fromPem("").code(), ErrorCode::MalformedInput);

        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const std::string good = dir.filePath("roots.pem").toStdString();
        QVERIFY(writeFileAtomic(good, view(bundle)).ok());
        auto loaded = TrustList::load(good);
        QVERIFY2(loaded.ok(), loaded.ok() ? "" : loaded.error().message().c_str());
        QCOMPARE(loaded->roots().size(), std::size_t(2));
        auto r = validateChain({p.leaf}, *loaded, kAt); // the intermediate comes from the list
        QVERIFY(r.ok());
        QCOMPARE(r->status, ChainStatus::Trusted);

        const std::string emptyFile = dir.filePath("empty.pem").toStdString();
        QVERIFY(writeFileAtomic(emptyFile, view("")).ok());
        auto empty = TrustList::load(emptyFile);
        QCOMPARE(empty.code(), ErrorCode::MalformedInput);
        QVERIFY2(empty.error().detail.find(emptyFile) != std::string::npos,
                 empty.error().detail.c_str());

        const std::string missing = dir.filePath("missing.pem").toStdString();
        auto none = TrustList::load(missing);
        QCOMPARE(none.code(), ErrorCode::IoError);
        QVERIFY(none.error().detail.find(missing) != std::string::npos);
    }
};

TWINSEAL_TEST(X509Test, "x509")

} // namespace test_x509
} // namespace

#include "test_x509.moc"
