// Call assertions (PASSporT-shaped JWS): shape, signature, tamper detection, and verification
// by an independent JOSE implementation.
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include "fixtures.h"
#include "testmain.h"

namespace {
namespace test_assertion {

using namespace twinseal::security;
using namespace twinseal::test;

namespace {
std::string part(const std::string& compact, int i) {
    const auto d1 = compact.find('.'), d2 = compact.find('.', d1 + 1);
    if (i == 0) return compact.substr(0, d1);
    if (i == 1) return compact.substr(d1 + 1, d2 - d1 - 1);
    return compact.substr(d2 + 1);
}
std::string json64(const nlohmann::json& j) { return base64UrlEncode(view(j.dump())); }
} // namespace

class AssertionTest : public QObject {
    Q_OBJECT
    Issuer m_issuer;
    Holder m_ed;
    Holder m_p256;

private slots:
    void initTestCase() {
        m_issuer = Issuer::make();
        m_ed = Holder::make(m_issuer, sampleAvatarDir(), KeyAlgorithm::Ed25519);
        m_p256 = Holder::make(m_issuer, sampleAvatarDir(), KeyAlgorithm::EcdsaP256);
    }

    void shape() {
        const Assertion a = m_ed.assertion();
        const auto header = nlohmann::json::parse(a.headerJson);
        QCOMPARE(header["typ"].get<std::string>(), std::string("passport"));
        QCOMPARE(header["ppt"].get<std::string>(), std::string("avatar"));
        QCOMPARE(header["alg"].get<std::string>(), std::string("EdDSA"));
        const auto p = nlohmann::json::parse(a.payloadJson);
        for (const char* claim : {"iat", "orig", "dest", "origid", "avmd", "crd", "cnf", "epk"})
            QVERIFY2(p.contains(claim), claim);
        QCOMPARE(p["iat"].get<std::int64_t>(), kNow);
        QCOMPARE(p["orig"]["uri"].get<std::string>(), m_ed.credential.claims.avatarId);
        QCOMPARE(p["dest"]["uri"][0].get<std::string>(), std::string(kDest));
        QCOMPARE(a.claims.credentialDigest, m_ed.credential.digest());
        QCOMPARE(a.claims.mediaRoot, m_ed.credential.claims.mediaRoot);
        QVERIFY(verifyAssertionSignature(a, m_ed.key.publicKey()).ok());
        QCOMPARE(m_p256.assertion().algorithm, KeyAlgorithm::EcdsaP256);
        QVERIFY(verifyAssertionSignature(m_p256.assertion(), m_p256.key.publicKey()).ok());
        // Each assertion has its own origid.
        QVERIFY(m_ed.assertion().claims.origid != m_ed.assertion().claims.origid);
        const std::string sip = sipIdentityHeader(a, "urn:twinseal:credential:dt-0001");
        QVERIFY(sip.rfind(a.compact + ";info=<urn:twinseal:credential:dt-0001>;alg=EdDSA;ppt=avatar", 0) == 0);
    }

    void signingWithAnotherKeyRefused() {
        auto other = SigningKey::generate(KeyAlgorithm::Ed25519);
        auto claims = claimsForCall(m_ed.credential, {kDest}, Bytes(32, 1), kNow,
                                    SystemRandom::instance());
        QCOMPARE(createAssertion(*claims, *other).code(), ErrorCode::KeyMismatch);
    }

    // Every single-character change of the compact form is refused: unreadable or bad signature.
    void everyCharacterChangeDetected() {
        const std::string c = m_ed.assertion().compact;
        for (std::size_t i = 0; i < c.size(); ++i) {
            std::string t = c;
            t[i] = t[i] == 'A' ? 'B' : 'A';
            auto a = parseAssertion(t);
            if (!a.ok())
                continue; // refused as malformed
            QVERIFY2(!verifyAssertionSignature(*a, m_ed.key.publicKey()).ok(),
                     qPrintable(QString("change at %1 still verifies").arg(i)));
        }
    }

    void malformed_data() {
        QTest::addColumn<QString>("token");
        QTest::addColumn<int>("code");
        const std::string c = m_ed.assertion().compact;
        const std::string h = part(c, 0), p = part(c, 1), s = part(c, 2);
        auto header = nlohmann::json::parse(toString(*base64UrlDecode(h)));
        auto payload = nlohmann::json::parse(toString(*base64UrlDecode(p)));
        const int mal = int(ErrorCode::AssertionMalformed);
        auto withHeader = [&](const char* k, const nlohmann::json& v) {
            auto x = header;
            if (v.is_null()) x.erase(k); else x[k] = v;
            return QString::fromStdString(json64(x) + "." + p + "." + s);
        };
        auto withClaim = [&](const char* k, const nlohmann::json& v) {
            auto x = payload;
            if (v.is_null()) x.erase(k); else x[k] = v;
            return QString::fromStdString(h + "." + json64(x) + "." + s);
        };
        QTest::newRow("empty") << QString() << mal;
        QTest::newRow("two parts") << QString::fromStdString(h + "." + p) << mal;
        QTest::newRow("four parts") << QString::fromStdString(c + ".x") << mal;
        QTest::newRow("not base64url") << QString::fromStdString(h + ".*." + s) << mal;
        QTest::newRow("typ JWT") << withHeader("typ", "JWT") << mal;
        QTest::newRow("no ppt") << withHeader("ppt", nullptr) << mal;
        QTest::newRow("ppt shaken") << withHeader("ppt", "shaken") << mal;
        QTest::newRow("alg none") << withHeader("alg", "none") << int(ErrorCode::UnsupportedAlgorithm);
        QTest::newRow("alg HS256") << withHeader("alg", "HS256") << int(ErrorCode::UnsupportedAlgorithm);
        QTest::newRow("crit") << withHeader("crit", nlohmann::json::array({"x"})) << mal;
        QTest::newRow("iat string") << withClaim("iat", "1800000000") << mal;
        QTest::newRow("no orig") << withClaim("orig", nullptr) << mal;
        QTest::newRow("dest empty") << withClaim("dest", {{"uri", nlohmann::json::array()}}) << mal;
        QTest::newRow("no origid") << withClaim("origid", nullptr) << mal;
        QTest::newRow("avmd short") << withClaim("avmd", "AAAA") << mal;
        QTest::newRow("no crd") << withClaim("crd", nullptr) << mal;
        QTest::newRow("no cnf") << withClaim("cnf", nullptr) << mal;
        QTest::newRow("epk P-256") << withClaim("epk", {{"kty", "EC"}, {"crv", "P-256"}}) << mal;
        QTest::newRow("payload array") << QString::fromStdString(h + "." + json64(nlohmann::json::array()) + "." + s) << mal;
        QTest::newRow("short signature") << QString::fromStdString(h + "." + p + ".AAAA") << mal;
    }
    void malformed() {
        QFETCH(QString, token);
        QFETCH(int, code);
        auto r = parseAssertion(token.toStdString());
        QVERIFY(!r.ok());
        QCOMPARE(int(r.code()), code);
    }

    // An independent JOSE library (Python jwcrypto) verifies the assertion with the public JWK,
    // and refuses it with another holder's JWK.
    void independentJoseLibraryVerifies_data() {
        QTest::addColumn<QString>("alg");
        QTest::newRow("EdDSA") << "EdDSA";
        QTest::newRow("ES256") << "ES256";
    }
    void independentJoseLibraryVerifies() {
        QFETCH(QString, alg);
        const Holder& h = alg == "EdDSA" ? m_ed : m_p256;
        const Holder& other = alg == "EdDSA" ? m_p256 : m_ed;
        QTemporaryDir dir;
        auto write = [&](const QString& name, const std::string& text) {
            QFile f(dir.filePath(name));
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(text.data(), qint64(text.size()));
        };
        const Assertion a = h.assertion();
        write("key.jwk", h.key.publicKey().jwk());
        write("other.jwk", other.key.publicKey().jwk());
        write("token.jws", a.compact);
        const QString script = QStringLiteral(TWINSEAL_SOURCE_DIR "/tests/security/jose_verify.py");
        QProcess py;
        py.start(QStringLiteral(TWINSEAL_PYTHON3), {script, dir.filePath("key.jwk"), dir.filePath("token.jws")});
        QVERIFY(py.waitForFinished(60000));
        const QByteArray out = py.readAllStandardOutput();
        QVERIFY2(py.exitStatus() == QProcess::NormalExit && py.exitCode() == 0,
                 py.readAllStandardError().constData());
        const auto j = nlohmann::json::parse(out.toStdString());
        QCOMPARE(j["header"]["alg"].get<std::string>(), alg.toStdString());
        QCOMPARE(j["claims"]["origid"].get<std::string>(), a.claims.origid);

        py.start(QStringLiteral(TWINSEAL_PYTHON3), {script, dir.filePath("other.jwk"), dir.filePath("token.jws")});
        QVERIFY(py.waitForFinished(60000));
        QVERIFY2(py.exitCode() != 0, "jwcrypto accepted the assertion with the wrong key");
    }
};

TWINSEAL_TEST(AssertionTest, "assertion")
} // namespace test_assertion
} // namespace

#include "test_assertion.moc"
