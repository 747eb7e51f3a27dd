// Holder/issuer keys: signatures, JWK, encrypted storage and its failure modes.
#include <QTemporaryDir>
#include <QtTest>

#include <sys/stat.h>

#include <twinseal/security/keys.h>
#include <twinseal/security/passphrase_policy.h>

#include "testmain.h"

#include "key_algorithm_metatype.h"

namespace {
namespace test_keys {

using namespace twinseal::security;


namespace {
const ScryptParams kFast{1u << 10, 8, 1}; // keeps the byte-flip loops quick

Bytes b64(const char* s) {
    auto r = base64UrlDecode(s);
    if (!r.ok())
        qFatal("bad base64url in test");
    return *r;
}
} // namespace

class KeysTest : public QObject {
    Q_OBJECT
private slots:
    void algorithms_data() {
        QTest::addColumn<KeyAlgorithm>("alg");
        QTest::newRow("Ed25519") << KeyAlgorithm::Ed25519;
        QTest::newRow("P-256") << KeyAlgorithm::EcdsaP256;
    }

    void signVerify_data() { algorithms_data(); }
    void signVerify() {
        QFETCH(KeyAlgorithm, alg);
        auto key = SigningKey::generate(alg);
        QVERIFY(key.ok());
        QCOMPARE(key->algorithm(), alg);
        QCOMPARE(key->publicKey().raw().size(), alg == KeyAlgorithm::Ed25519 ? 32u : 65u);
        auto sig = key->sign(view("hello avatar"));
        QVERIFY(sig.ok());
        QCOMPARE(sig->size(), 64u);
        QVERIFY(key->publicKey().verify(view("hello avatar"), *sig).ok());
        QCOMPARE(key->publicKey().verify(view("hello avatar!"), *sig).code(),
                 ErrorCode::BadSignature);
        Bytes bad = *sig;
        bad[10] ^= 0x01;
        QCOMPARE(key->publicKey().verify(view("hello avatar"), bad).code(),
                 ErrorCode::BadSignature);
        auto other = SigningKey::generate(alg);
        QCOMPARE(other->publicKey().verify(view("hello avatar"), *sig).code(),
                 ErrorCode::BadSignature);
    }

    // RFC 8037 appendix A: Ed25519 key, JWK thumbprint and JWS signature.
    void rfc8037Vectors() {
        auto key = SigningKey::fromPrivateBytes(KeyAlgorithm::Ed25519,
                                                b64("nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"));
        QVERIFY(key.ok());
        QCOMPARE(key->publicKey().raw(), b64("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"));
        QCOMPARE(QString::fromStdString(base64UrlEncode(key->publicKey().thumbprint())),
                 QString("kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"));
        const std::string input = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc";
        auto sig = key->sign(view(input));
        QVERIFY(sig.ok());
        QCOMPARE(QString::fromStdString(base64UrlEncode(*sig)),
                 QString("hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg"));
    }

    void jwkRoundTrip_data() { algorithms_data(); }
    void jwkRoundTrip() {
        QFETCH(KeyAlgorithm, alg);
        auto key = SigningKey::generate(alg);
        const std::string jwk = key->publicKey().jwk();
        QVERIFY(jwk.find("\"d\"") == std::string::npos); // never the private part
        auto back = PublicKey::fromJwk(jwk);
        QVERIFY(back.ok());
        QVERIFY(*back == key->publicKey());
        auto spki = key->publicKey().spki();
        QVERIFY(spki.ok());
        QVERIFY(*PublicKey::fromSpki(*spki) == key->publicKey());
        QCOMPARE(PublicKey::fromJwk("{\"kty\":\"RSA\"}").code(), ErrorCode::UnsupportedAlgorithm);
        QCOMPARE(PublicKey::fromJwk("not json").code(), ErrorCode::MalformedInput);
    }

    void rejectsInvalidPublicKeys() {
        QCOMPARE(PublicKey::fromRaw(KeyAlgorithm::Ed25519, Bytes(31, 1)).code(),
                 ErrorCode::MalformedInput);
        Bytes notOnCurve(65, 0x01);
        notOnCurve[0] = 0x04;
        QCOMPARE(PublicKey::fromRaw(KeyAlgorithm::EcdsaP256, notOnCurve).code(),
                 ErrorCode::MalformedInput);
    }

    void encryptedRoundTrip_data() { algorithms_data(); }
    void encryptedRoundTrip() {
        QFETCH(KeyAlgorithm, alg);
        auto key = SigningKey::generate(alg);
        auto file = key->exportEncrypted("correct horse battery staple", kFast, "holder");
        QVERIFY(file.ok());
        // The private key does not appear in clear in the file.
        QVERIFY(SigningKey::peekPublicKey(*file).ok());
        QVERIFY(*SigningKey::peekPublicKey(*file) == key->publicKey());
        auto back = SigningKey::importEncrypted(*file, "correct horse battery staple");
        QVERIFY2(back.ok(), back.ok() ? "" : back.error().message().c_str());
        QVERIFY(back->publicKey() == key->publicKey());
        auto sig = back->sign(view("m"));
        QVERIFY(key->publicKey().verify(view("m"), *sig).ok());
    }

    void defaultScryptParameters() {
        auto key = SigningKey::generate(KeyAlgorithm::Ed25519);
        auto file = key->exportEncrypted("pass phrase");
        QVERIFY(file.ok());
        QVERIFY(SigningKey::importEncrypted(*file, "pass phrase").ok());
    }

    void wrongPassphrase() {
        auto key = SigningKey::generate(KeyAlgorithm::Ed25519);
        auto file = key->exportEncrypted("right", kFast);
        auto r = SigningKey::importEncrypted(*file, "wrong");
        QCOMPARE(r.code(), ErrorCode::WrongPassphrase);
        QCOMPARE(SigningKey::importEncrypted(*file, "").code(), ErrorCode::WrongPassphrase);
        QCOMPARE(key->exportEncrypted("", kFast).code(), ErrorCode::InvalidArgument);
    }

    // Every single-byte change to the file is reported as damage, never accepted, never taken
    // for a wrong passphrase.
    void corruptedFile_data() { algorithms_data(); }
    void corruptedFile() {
        QFETCH(KeyAlgorithm, alg);
        auto key = SigningKey::generate(alg);
        const Bytes file = *key->exportEncrypted("pw", kFast);
        for (std::size_t i = 0; i < file.size(); ++i) {
            Bytes f = file;
            f[i] ^= 0x5a;
            auto r = SigningKey::importEncrypted(f, "pw");
            QVERIFY2(!r.ok(), qPrintable(QString("byte %1 flipped, key accepted").arg(i)));
            QVERIFY2(r.code() == ErrorCode::KeyFileCorrupt,
                     qPrintable(QString("byte %1: %2").arg(i).arg(
                         QString::fromStdString(r.error().message()))));
        }
        for (std::size_t len : {std::size_t(0), std::size_t(1), file.size() / 2, file.size() - 1}) {
            auto r = SigningKey::importEncrypted(ByteView(file).first(len), "pw");
            QCOMPARE(r.code(), ErrorCode::KeyFileCorrupt);
        }
    }

    void savedFileIsPrivate() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("holder.key").toStdString();
        auto key = SigningKey::generate(KeyAlgorithm::Ed25519);
        QVERIFY(key->saveEncrypted(path, "pw", kFast).ok());
        struct stat st {};
        QCOMPARE(::stat(path.c_str(), &st), 0);
        QCOMPARE(st.st_mode & 0777, 0600u);
        QVERIFY(SigningKey::loadEncrypted(path, "pw").ok());
        QCOMPARE(SigningKey::loadEncrypted(path + ".missing", "pw").code(), ErrorCode::IoError);
    }

    void sealedSecret() {
        const Bytes secret(32, 0x42);
        auto sealed = sealSecret(secret, "pw", kFast, "binding key");
        QVERIFY(sealed.ok());
        auto back = openSealedSecret(*sealed, "pw");
        QVERIFY(back.ok());
        QVERIFY(std::equal(back->begin(), back->end(), secret.begin(), secret.end()));
        QCOMPARE(openSealedSecret(*sealed, "wrong").code(), ErrorCode::WrongPassphrase);
        Bytes damaged = *sealed;
        damaged[damaged.size() / 2] ^= 1;
        QCOMPARE(openSealedSecret(damaged, "pw").code(), ErrorCode::KeyFileCorrupt);
        // A key file is not a sealed secret and vice versa.
        auto key = SigningKey::generate(KeyAlgorithm::Ed25519);
        auto keyFile = key->exportEncrypted("pw", kFast);
        QCOMPARE(openSealedSecret(*keyFile, "pw").code(), ErrorCode::KeyFileCorrupt);
        QCOMPARE(SigningKey::importEncrypted(*sealed, "pw").code(), ErrorCode::KeyFileCorrupt);
    }

    void rejectsCostlyKdfParameters() {
        auto key = SigningKey::generate(KeyAlgorithm::Ed25519);
        QCOMPARE(key->exportEncrypted("pw", ScryptParams{1u << 22, 8, 1}).code(),
                 ErrorCode::InvalidArgument);
        QCOMPARE(key->exportEncrypted("pw", ScryptParams{1000, 8, 1}).code(),
                 ErrorCode::InvalidArgument);
    }

    // Review finding 7: keys at rest are derived with scrypt N >= 2^17 by default, and the
    // derivation really runs at that cost (OpenSSL's 32 MiB default memory limit would refuse it).
    void defaultKdfIsAtLeast2To17() {
        QVERIFY(ScryptParams{}.n >= (1u << 17));
        QCOMPARE(ScryptParams{}.r, 8u);
        auto key = SigningKey::generate(KeyAlgorithm::Ed25519);
        auto file = key->exportEncrypted("a passphrase of some length");
        QVERIFY(file.ok());
        auto params = sealedKdfParams(*file);
        QVERIFY(params.ok());
        QVERIFY(params->n >= (1u << 17));
        QVERIFY(SigningKey::importEncrypted(*file, "a passphrase of some length").ok());
        auto sealed = sealSecret(Bytes(16, 7), "a passphrase of some length");
        QVERIFY(sealed.ok());
        QVERIFY(sealedKdfParams(*sealed)->n >= (1u << 17));
    }

    // A key file written by an older TwinSeal (N = 2^15) still opens, and its next successful
    // unlock writes it again with the current parameters: same key, same label, same passphrase.
    void olderKdfUpgradedOnUnlock() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("holder.key").toStdString();
        auto key = SigningKey::generate(KeyAlgorithm::Ed25519);
        QVERIFY(key->saveEncrypted(path, "an older passphrase", ScryptParams{1u << 15, 8, 1}, "TwinSeal holder key").ok());
        QCOMPARE(sealedKdfParams(*readFile(path))->n, std::uint64_t{1u << 15});

        // A wrong passphrase changes nothing.
        bool upgraded = true;
        QCOMPARE(SigningKey::loadEncryptedAndUpgrade(path, "not it", {}, &upgraded).code(), ErrorCode::WrongPassphrase);
        QVERIFY(!upgraded);
        QCOMPARE(sealedKdfParams(*readFile(path))->n, std::uint64_t{1u << 15});

        auto opened = SigningKey::loadEncryptedAndUpgrade(path, "an older passphrase", {}, &upgraded);
        QVERIFY(opened.ok());
        QVERIFY(upgraded);
        QVERIFY(opened->publicKey() == key->publicKey());
        const Bytes after = *readFile(path);
        QCOMPARE(sealedKdfParams(after)->n, ScryptParams{}.n);
        struct stat st {};
        QCOMPARE(::stat(path.c_str(), &st), 0);
        QCOMPARE(st.st_mode & 0777, 0600u);
        auto reopened = SigningKey::importEncrypted(after, "an older passphrase");
        QVERIFY(reopened.ok());
        QVERIFY(reopened->publicKey() == key->publicKey());
        auto peek = SigningKey::peekPublicKey(after);
        QVERIFY(peek.ok() && *peek == key->publicKey());

        // Already at the current parameters: not written again.
        QVERIFY(SigningKey::loadEncryptedAndUpgrade(path, "an older passphrase", {}, &upgraded).ok());
        QVERIFY(!upgraded);
        QVERIFY(*readFile(path) == after);
    }

    void passphrasePolicy() {
        QCOMPARE(kMinPassphraseLength, std::size_t{12});
        QCOMPARE(assessPassphrase("eleven char").strength, PassphraseStrength::TooShort);
        QCOMPARE(assessPassphrase("test pass").strength, PassphraseStrength::TooShort);
        // Characters, not bytes: eleven two-byte characters are still too short.
        QCOMPARE(assessPassphrase("\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9").length, std::size_t{11});
        QCOMPARE(assessPassphrase("aaaaaaaaaaaaaaaa").strength, PassphraseStrength::Weak);
        QCOMPARE(assessPassphrase("abcdefghijklmnop").strength, PassphraseStrength::Weak);
        QCOMPARE(assessPassphrase("123412341234").strength, PassphraseStrength::Weak);
        QCOMPARE(assessPassphrase("twelve chars").strength, PassphraseStrength::Fair);
        QCOMPARE(assessPassphrase("correct horse battery staple").strength, PassphraseStrength::Strong);
        QVERIFY(passphraseStrengthName(PassphraseStrength::TooShort) == std::string_view("too-short"));
        QVERIFY(!passphraseHint(PassphraseStrength::Weak).empty());
    }
};

TWINSEAL_TEST(KeysTest, "keys")
} // namespace test_keys
} // namespace

#include "test_keys.moc"
