// A complete, freshly generated trust world for security tests: an operator root, an issuer,
// a holder, the sample avatar's signed manifest, a credential and a call assertion.
#pragma once

#include <QtTest>

#include <twinseal/security/assertion.h>
#include <twinseal/security/credential.h>
#include <twinseal/security/manifest.h>
#include <twinseal/security/verify.h>
#include <twinseal/security/x509.h>

namespace twinseal::test {

namespace sec = twinseal::security;

inline constexpr std::int64_t kNow = 1'800'000'000; // fixed test time
inline constexpr const char* kDest = "urn:twinseal:room:theatre-3";

template <typename T> T take(sec::Result<T>&& r, const char* what) {
    if (!r.ok())
        qFatal("fixture: %s failed: %s", what, r.error().message().c_str());
    return std::move(r).value();
}

inline QString sampleAvatarDir() { return QStringLiteral(TWINSEAL_SOURCE_DIR "/resources/avatar"); }

struct Issuer {
    sec::SigningKey rootKey;
    sec::Certificate root;
    sec::SigningKey issuerKey;
    sec::Certificate issuerCert;
    sec::TrustList trust;

    static Issuer make(sec::KeyAlgorithm alg = sec::KeyAlgorithm::Ed25519,
                       const char* name = "Test Operator") {
        Issuer i;
        i.rootKey = take(sec::SigningKey::generate(alg), "root key");
        sec::CertificateRequest rr{std::string(name) + " Root", name, kNow - 86400,
                                   kNow + 10L * 365 * 86400, true};
        i.root = take(sec::createRootCertificate(i.rootKey, rr), "root certificate");
        i.issuerKey = take(sec::SigningKey::generate(alg), "issuer key");
        sec::CertificateRequest ir{std::string(name) + " DT Issuer", name, kNow - 86400,
                                   kNow + 2L * 365 * 86400, false};
        i.issuerCert = take(sec::issueCertificate(i.rootKey, i.root, i.issuerKey.publicKey(), ir),
                            "issuer certificate");
        i.trust.add(i.root);
        return i;
    }
};

struct Holder {
    sec::SigningKey key;
    QByteArray manifest; // signed envelope
    sec::Manifest parsed;
    sec::Credential credential;
    std::vector<sec::AttributeDisclosure> disclosures;

    static Holder make(const Issuer& issuer, const QString& packagePath,
                       sec::KeyAlgorithm alg = sec::KeyAlgorithm::Ed25519,
                       std::int64_t notBefore = kNow - 3600, std::int64_t notAfter = kNow + 86400) {
        Holder h;
        h.key = take(sec::SigningKey::generate(alg), "holder key");
        sec::HashOptions opt;
        opt.chunkSize = 4096;
        auto m = take(sec::buildManifest(packagePath.toStdString(), opt), "build manifest");
        auto signedM = take(sec::signManifest(m, h.key), "sign manifest");
        h.manifest = QByteArray(reinterpret_cast<const char*>(signedM.data()),
                                static_cast<qsizetype>(signedM.size()));
        h.parsed = take(sec::parseSignedManifest(signedM), "parse manifest").manifest;

        sec::CredentialClaims c;
        c.dtId = "dt-0001";
        c.avatarId = "urn:twinseal:avatar:5f0c7c1e-0d5e-4d8e-9a51-1b7f3f6a2c01";
        c.holderKey = h.key.publicKey();
        c.subscriberBinding = take(
            sec::subscriberBinding(sec::Bytes(32, 7), "imsi-001010000000001", c.dtId, c.generation),
            "binding");
        c.pseudonym = "Quiet Heron";
        auto& rng = sec::SystemRandom::instance();
        for (auto [n, v] : {std::pair{"name", "Dr. Ada Moreau"}, std::pair{"role", "surgeon"},
                            std::pair{"licence_id", "GMC-7781234"}}) {
            auto d = take(sec::AttributeDisclosure::make(n, v, rng), "disclosure");
            c.attributes.push_back({d.name, d.digest()});
            h.disclosures.push_back(d);
        }
        c.mediaRoot = h.parsed.packageRoot;
        c.media = sec::describeMedia(h.parsed);
        c.notBefore = notBefore;
        c.notAfter = notAfter;
        c.issuedAt = kNow - 3600;
        c.statusListIndex = 17;
        c.logIndex = 42;
        c.issuer = "Test Operator DT Issuer";
        h.credential = take(sec::issueCredential(c, issuer.issuerKey, {issuer.issuerCert}),
                            "issue credential");
        return h;
    }

    sec::Assertion assertion(std::int64_t iat = kNow, std::vector<std::string> dest = {kDest}) const {
        auto& rng = sec::SystemRandom::instance();
        sec::Bytes epk(32, 0x11);
        auto claims = take(sec::claimsForCall(credential, std::move(dest), epk, iat, rng), "claims");
        return take(sec::createAssertion(claims, key), "assertion");
    }

    sec::ByteView manifestView() const {
        return {reinterpret_cast<const std::uint8_t*>(manifest.constData()),
                static_cast<std::size_t>(manifest.size())};
    }
};

} // namespace twinseal::test
