// Third-party role credentials: an enterprise attests a role for a holder key; a room that
// requires the role accepts only a credential bound to the peer's holder key, within its validity,
// chained to an enterprise root the room trusts for that role. Each refusal has its own reason.
#include <QtTest>

#include <twinseal/security/role_credential.h>
#include <twinseal/security/signed.h>

#include "fixtures.h"
#include "testmain.h"

namespace {
namespace test_role_credential {

using namespace twinseal::security;
using namespace twinseal::test;

namespace {

// An enterprise (a hospital): its root, its issuing key and certificate, and a trust list holding
// only its root.
struct Enterprise {
    std::string name;
    SigningKey rootKey;
    Certificate root;
    SigningKey issuingKey;
    Certificate issuingCert;
    TrustList roots;

    static Enterprise make(const std::string& name,
                           KeyAlgorithm alg = KeyAlgorithm::Ed25519) {
        Enterprise e;
        e.name = name;
        e.rootKey = take(SigningKey::generate(alg), "enterprise root key");
        e.root = take(createRootCertificate(e.rootKey, {name + " Root", name, kNow - 86400,
                                                        kNow + 10L * 365 * 86400, true}),
                      "enterprise root");
        e.issuingKey = take(SigningKey::generate(alg), "enterprise issuing key");
        e.issuingCert = take(issueCertificate(e.rootKey, e.root, e.issuingKey.publicKey(),
                                              {name + " Role Issuer", name, kNow - 86400,
                                               kNow + 365L * 86400, false}),
                             "enterprise issuing certificate");
        e.roots.add(e.root);
        return e;
    }

    RoleCredential issue(const PublicKey& holder, const std::string& role = "surgeon",
                         std::int64_t notBefore = kNow - 3600,
                         std::int64_t notAfter = kNow + 86400) const {
        RoleClaims c;
        c.enterprise = name;
        c.role = role;
        c.organisation = "St. Mary's";
        c.holderThumbprint = holder.thumbprint();
        c.notBefore = notBefore;
        c.notAfter = notAfter;
        c.issuedAt = kNow - 3600;
        return take(issueRoleCredential(c, issuingKey, {issuingCert}, SystemRandom::instance()),
                    "issue role credential");
    }
};

class NotRevoked final : public RevocationChecker {
public:
    Status check(const Credential&, std::int64_t) const override { return {}; }
};
class Included final : public InclusionChecker {
public:
    Status check(const Credential&) const override { return {}; }
};

QByteArray explain(const VerificationReport& r) { return QByteArray::fromStdString(r.toJson()); }

// Replaces the first occurrence of `from` by `to` (same length) in the encoded bytes.
Bytes patched(const Bytes& encoded, std::string_view from, std::string_view to) {
    Bytes out = encoded;
    const auto it = std::search(out.begin(), out.end(), from.begin(), from.end());
    if (it == out.end() || from.size() != to.size())
        qFatal("patched: '%s' not found", std::string(from).c_str());
    std::copy(to.begin(), to.end(), it);
    return out;
}

} // namespace

class RoleCredentialTest : public QObject {
    Q_OBJECT
    Issuer m_operator;
    Holder m_holder;
    Enterprise m_stMarys;
    FixedClock m_clock{kNow};
    NotRevoked m_notRevoked;
    Included m_included;
    MemoryPinStore m_pins;
    std::string m_assertion;

    // A peer verification with every evidence at hand and the room requiring `roles` (each
    // vouched for by St. Mary's root).
    VerificationInputs inputs(std::vector<std::string> roles, std::vector<Bytes> presented) {
        m_assertion = m_holder.assertion().compact;
        VerificationInputs in;
        in.assertion = m_assertion;
        in.credential = m_holder.credential.encoded;
        in.media.manifest = m_holder.manifestView();
        in.media.packagePath = sampleAvatarDir().toStdString();
        in.trust = &m_operator.trust;
        in.clock = &m_clock;
        in.expectedDestination = kDest;
        in.revocation = &m_notRevoked;
        in.inclusion = &m_included;
        in.pins = &m_pins;
        in.optOut({CheckId::Replay});
        for (auto& role : roles)
            in.requiredRoles.roles.push_back({std::move(role), m_stMarys.roots});
        in.roleCredentials = std::move(presented);
        return in;
    }

    void expectRoleFailure(const VerificationInputs& in, ErrorCode code, const char* needle) {
        const auto r = verifyPeer(in);
        QVERIFY2(r.state == OverallState::Failed, explain(r));
        QCOMPARE(r.reason, code);
        const CheckResult* check = r.find(CheckId::RoleCredential);
        QVERIFY(check);
        QCOMPARE(check->state, CheckState::Failed);
        QCOMPARE(check->code, code);
        QVERIFY2(check->detail.find(needle) != std::string::npos, check->detail.c_str());
        QVERIFY2(check->detail.find("role 'surgeon'") != std::string::npos, check->detail.c_str());
        QVERIFY(r.provenRoles.empty());
        const std::string json = r.toJson();
        QVERIFY2(json.find("\"reason\": \"" + std::string(errorCodeName(code)) + "\"") !=
                     std::string::npos,
                 json.c_str());
        QVERIFY(json.find("\"check\": \"role-credential\"") != std::string::npos);
        // Every other check still passed: the role is the only reason.
        for (const auto& c : r.checks)
            if (c.id != CheckId::RoleCredential)
                QVERIFY2(c.state != CheckState::Failed, checkIdName(c.id).data());
    }

private slots:
    void initTestCase() {
        m_operator = Issuer::make();
        m_holder = Holder::make(m_operator, sampleAvatarDir());
        m_stMarys = Enterprise::make("St. Mary's Hospital");
    }
    void init() { m_clock.set(kNow); }

    void issueParseVerify() {
        const auto rc = m_stMarys.issue(m_holder.key.publicKey());
        QCOMPARE(rc.claims.role, std::string("surgeon"));
        QCOMPARE(rc.claims.organisation, std::string("St. Mary's"));
        QCOMPARE(rc.claims.serial.size(), kRoleSerialSize);
        QCOMPARE(rc.label(), std::string("surgeon, St. Mary's"));
        QCOMPARE(envelopeType(rc.encoded).value(), std::string(kRoleCredentialType));

        auto back = parseRoleCredential(rc.encoded);
        QVERIFY2(back.ok(), back.ok() ? "" : back.error().message().c_str());
        QCOMPARE(back->claims.enterprise, std::string("St. Mary's Hospital"));
        QCOMPARE(back->claims.role, std::string("surgeon"));
        QVERIFY(back->claims.holderThumbprint == m_holder.key.publicKey().thumbprint());
        QCOMPARE(back->claims.notAfter, kNow + 86400);
        QVERIFY(back->claims.serial == rc.claims.serial);
        QVERIFY(back->body == rc.body);
        QVERIFY(back->digest() == sha256(rc.encoded));
        QCOMPARE(back->issuerChain.size(), 1u);
        QCOMPARE(back->issuerChain.front().fingerprint(), m_stMarys.issuingCert.fingerprint());

        auto root = verifyRoleCredential(*back, m_stMarys.roots,
                                         m_holder.key.publicKey().thumbprint(), kNow);
        QVERIFY2(root.ok(), root.ok() ? "" : root.error().message().c_str());
        QCOMPARE(*root, m_stMarys.root.subject());

        // Two credentials for one holder and role differ by their serial.
        const auto other = m_stMarys.issue(m_holder.key.publicKey());
        QVERIFY(other.claims.serial != rc.claims.serial);

        // P-256 enterprise keys work the same way.
        const auto p256 = Enterprise::make("General Hospital", KeyAlgorithm::EcdsaP256);
        auto viaP256 = parseRoleCredential(p256.issue(m_holder.key.publicKey()).encoded);
        QVERIFY(viaP256.ok());
        QVERIFY(verifyRoleCredential(*viaP256, p256.roots, m_holder.key.publicKey().thumbprint(),
                                     kNow)
                    .ok());
    }

    void issueRefusesBadInput() {
        RoleClaims c;
        c.enterprise = m_stMarys.name;
        c.role = "surgeon";
        c.holderThumbprint = m_holder.key.publicKey().thumbprint();
        c.notBefore = kNow;
        c.notAfter = kNow + 10;
        auto& rng = SystemRandom::instance();
        QCOMPARE(issueRoleCredential(c, m_stMarys.rootKey, {m_stMarys.issuingCert}, rng).code(),
                 ErrorCode::KeyMismatch);
        QCOMPARE(issueRoleCredential(c, m_stMarys.issuingKey, {}, rng).code(),
                 ErrorCode::InvalidArgument);
        auto noRole = c;
        noRole.role.clear();
        QCOMPARE(issueRoleCredential(noRole, m_stMarys.issuingKey, {m_stMarys.issuingCert}, rng)
                     .code(),
                 ErrorCode::InvalidArgument);
        auto noHolder = c;
        noHolder.holderThumbprint = {};
        QCOMPARE(issueRoleCredential(noHolder, m_stMarys.issuingKey, {m_stMarys.issuingCert}, rng)
                     .code(),
                 ErrorCode::InvalidArgument);
        auto empty = c;
        empty.notAfter = empty.notBefore;
        QCOMPARE(issueRoleCredential(empty, m_stMarys.issuingKey, {m_stMarys.issuingCert}, rng)
                     .code(),
                 ErrorCode::InvalidArgument);
    }

    // The signature covers the stored body bytes under the role credential's own type tag.
    void tamperedOrForgedIsInvalid() {
        const auto rc = m_stMarys.issue(m_holder.key.publicKey(), "nurse");
        // "nurse" -> "surge": a promotion by editing the bytes.
        auto edited = parseRoleCredential(patched(rc.encoded, "nurse", "surge"));
        QCOMPARE(edited.code(), ErrorCode::ThirdPartyCredentialInvalid);
        QVERIFY2(edited.error().detail.find("not signed by its enterprise certificate") !=
                     std::string::npos,
                 edited.error().detail.c_str());

        // Signed by someone else's key while naming St. Mary's certificate.
        const auto mallory = take(SigningKey::generate(KeyAlgorithm::Ed25519), "mallory");
        const auto forged = take(signEnvelope(kRoleCredentialType, rc.body, mallory), "forge");
        QCOMPARE(parseRoleCredential(forged).code(), ErrorCode::ThirdPartyCredentialInvalid);

        // The same body signed under another type tag is not a role credential, and a role
        // credential is not a DT credential (domain separation).
        const auto retyped = take(signEnvelope(kCredentialType, rc.body, m_stMarys.issuingKey),
                                  "retype");
        QCOMPARE(parseRoleCredential(retyped).code(), ErrorCode::WrongObjectType);
        QCOMPARE(parseCredential(rc.encoded).code(), ErrorCode::WrongObjectType);
        QCOMPARE(parseRoleCredential(m_holder.credential.encoded).code(),
                 ErrorCode::WrongObjectType);

        for (const Bytes& junk : {Bytes{}, Bytes{1, 2, 3}, Bytes(rc.encoded.begin(),
                                                                  rc.encoded.end() - 5)})
            QCOMPARE(parseRoleCredential(junk).code(), ErrorCode::ThirdPartyCredentialInvalid);
    }

    void wrongHolder() {
        const auto other = take(SigningKey::generate(KeyAlgorithm::Ed25519), "other holder");
        const auto rc = m_stMarys.issue(other.publicKey());
        auto r = verifyRoleCredential(rc, m_stMarys.roots, m_holder.key.publicKey().thumbprint(),
                                      kNow);
        QCOMPARE(r.code(), ErrorCode::RoleHolderMismatch);
        QVERIFY(verifyRoleCredential(rc, m_stMarys.roots, other.publicKey().thumbprint(), kNow)
                    .ok());
    }

    void validityWindow() {
        const auto rc =
            m_stMarys.issue(m_holder.key.publicKey(), "surgeon", kNow - 100, kNow + 100);
        const auto holder = m_holder.key.publicKey().thumbprint();
        QVERIFY(verifyRoleCredential(rc, m_stMarys.roots, holder, kNow + 99).ok());
        auto expired = verifyRoleCredential(rc, m_stMarys.roots, holder, kNow + 100);
        QCOMPARE(expired.code(), ErrorCode::RoleExpired);
        QVERIFY(expired.error().detail.find("expired at") != std::string::npos);
        QCOMPARE(verifyRoleCredential(rc, m_stMarys.roots, holder, kNow - 101).code(),
                 ErrorCode::RoleNotYetValid);
    }

    void untrustedEnterpriseRoot() {
        const auto rc = m_stMarys.issue(m_holder.key.publicKey());
        const auto holder = m_holder.key.publicKey().thumbprint();
        const auto elsewhere = Enterprise::make("Elsewhere Clinic");
        auto r = verifyRoleCredential(rc, elsewhere.roots, holder, kNow);
        QCOMPARE(r.code(), ErrorCode::RoleUntrustedIssuer);
        // The operator's root vouches for DT credentials, not for roles.
        QCOMPARE(verifyRoleCredential(rc, m_operator.trust, holder, kNow).code(),
                 ErrorCode::RoleUntrustedIssuer);
        QCOMPARE(verifyRoleCredential(rc, TrustList{}, holder, kNow).code(),
                 ErrorCode::RoleUntrustedIssuer);
        // An impostor with a self-made "St. Mary's" root is not St. Mary's.
        const auto impostor = Enterprise::make("St. Mary's Hospital");
        QCOMPARE(verifyRoleCredential(impostor.issue(m_holder.key.publicKey()), m_stMarys.roots,
                                      holder, kNow)
                     .code(),
                 ErrorCode::RoleUntrustedIssuer);
    }

    // ---- in the peer verification --------------------------------------------------------

    void peerWithRequiredRoleIsVerified() {
        const auto rc = m_stMarys.issue(m_holder.key.publicKey());
        const auto r = verifyPeer(inputs({"surgeon"}, {rc.encoded}));
        QVERIFY2(r.state == OverallState::Verified, explain(r));
        const CheckResult* check = r.find(CheckId::RoleCredential);
        QVERIFY(check);
        QCOMPARE(check->state, CheckState::Passed);
        QVERIFY2(check->detail.find("surgeon, St. Mary's") != std::string::npos,
                 check->detail.c_str());
        QCOMPARE(r.provenRoles.size(), 1u);
        QCOMPARE(r.provenRoles[0].role, std::string("surgeon"));
        QCOMPARE(r.provenRoles[0].organisation, std::string("St. Mary's"));
        QCOMPARE(r.provenRoles[0].rootSubject, m_stMarys.root.subject());
        QCOMPARE(r.provenRoles[0].serial, toHex(rc.claims.serial));
        QVERIFY2(r.summary().find("surgeon, St. Mary's (vouched for by St. Mary's Hospital)") !=
                     std::string::npos,
                 r.summary().c_str());
        const std::string json = r.toJson();
        QVERIFY2(json.find("\"roles\"") != std::string::npos, json.c_str());
        QVERIFY(json.find("\"role\": \"surgeon\"") != std::string::npos);
        QVERIFY(json.find("\"organisation\": \"St. Mary's\"") != std::string::npos);
    }

    void noRoleRequiredPasses() {
        const auto r = verifyPeer(inputs({}, {}));
        QVERIFY2(r.state == OverallState::Verified, explain(r));
        QCOMPARE(r.find(CheckId::RoleCredential)->state, CheckState::Passed);
        QCOMPARE(r.find(CheckId::RoleCredential)->detail, std::string("no role required"));
        QVERIFY(r.provenRoles.empty());
        QVERIFY(r.toJson().find("\"roles\"") == std::string::npos);
        QVERIFY(r.summary().find("vouched") == std::string::npos);
    }

    void missingRole() {
        expectRoleFailure(inputs({"surgeon"}, {}), ErrorCode::RoleMissing,
                          "no credential for it was presented");
        // A credential for another role does not stand in for it.
        expectRoleFailure(inputs({"surgeon"}, {m_stMarys.issue(m_holder.key.publicKey(), "nurse")
                                                   .encoded}),
                          ErrorCode::RoleMissing, "no credential for it was presented");
        // Two roles required, one proven: the other is named.
        auto in = inputs({"surgeon", "anaesthetist"},
                         {m_stMarys.issue(m_holder.key.publicKey()).encoded});
        const auto r = verifyPeer(in);
        QCOMPARE(r.reason, ErrorCode::RoleMissing);
        QVERIFY2(r.reasonDetail.find("role 'anaesthetist'") != std::string::npos,
                 r.reasonDetail.c_str());
    }

    void peerWithTamperedRoleCredential() {
        const auto rc = m_stMarys.issue(m_holder.key.publicKey(), "nurse");
        expectRoleFailure(inputs({"surgeon"}, {patched(rc.encoded, "nurse", "surge")}),
                          ErrorCode::ThirdPartyCredentialInvalid, "could not be read");
    }

    void peerWithSomeoneElsesRoleCredential() {
        const auto other = take(SigningKey::generate(KeyAlgorithm::Ed25519), "other holder");
        expectRoleFailure(inputs({"surgeon"}, {m_stMarys.issue(other.publicKey()).encoded}),
                          ErrorCode::RoleHolderMismatch, "issued for another holder key");
    }

    void peerWithExpiredRoleCredential() {
        const auto rc =
            m_stMarys.issue(m_holder.key.publicKey(), "surgeon", kNow - 7200, kNow - 60);
        expectRoleFailure(inputs({"surgeon"}, {rc.encoded}), ErrorCode::RoleExpired, "expired at");
    }

    void peerWithUntrustedEnterprise() {
        const auto elsewhere = Enterprise::make("Elsewhere Clinic");
        expectRoleFailure(inputs({"surgeon"}, {elsewhere.issue(m_holder.key.publicKey()).encoded}),
                          ErrorCode::RoleUntrustedIssuer, "Elsewhere Clinic");
        // The room trusts Elsewhere for nurses only: its surgeon credential still does not count.
        auto in = inputs({"surgeon"}, {elsewhere.issue(m_holder.key.publicKey()).encoded});
        in.requiredRoles.roles.push_back({"nurse", elsewhere.roots});
        QCOMPARE(verifyPeer(in).reason, ErrorCode::RoleUntrustedIssuer);
    }

    // Among several credentials for the role, a valid one wins; otherwise the one that got
    // furthest explains the refusal.
    void bestCandidateDecides() {
        const auto other = take(SigningKey::generate(KeyAlgorithm::Ed25519), "other holder");
        const auto elsewhere = Enterprise::make("Elsewhere Clinic");
        const Bytes untrusted = elsewhere.issue(m_holder.key.publicKey()).encoded;
        const Bytes wrongHolder = m_stMarys.issue(other.publicKey()).encoded;
        const Bytes good = m_stMarys.issue(m_holder.key.publicKey()).encoded;
        const Bytes junk{1, 2, 3};
        auto ok = verifyPeer(inputs({"surgeon"}, {junk, untrusted, wrongHolder, good}));
        QVERIFY2(ok.state == OverallState::Verified, explain(ok));
        QCOMPARE(ok.provenRoles.size(), 1u);
        auto refused = verifyPeer(inputs({"surgeon"}, {untrusted, wrongHolder}));
        QCOMPARE(refused.reason, ErrorCode::RoleHolderMismatch);
    }

    // A role is checked against the holder key of the peer's DT credential; without a readable
    // credential there is no holder to bind it to.
    void noCredentialNoRole() {
        auto in = inputs({"surgeon"}, {m_stMarys.issue(m_holder.key.publicKey()).encoded});
        const Bytes broken{9, 9, 9};
        in.credential = broken;
        const auto r = verifyPeer(in);
        QCOMPARE(r.state, OverallState::Failed);
        QCOMPARE(r.find(CheckId::RoleCredential)->state, CheckState::Skipped);
    }
};

TWINSEAL_TEST(RoleCredentialTest, "role-credential")
} // namespace test_role_credential
} // namespace

#include "test_role_credential.moc"
