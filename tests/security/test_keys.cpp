// Holder/issuer keys: signatures, JWK, encrypted storage and its failure modes.
#include <QTemporaryDir>
#include <QtTest>

#include <sys/stat.h>

#include <openssl/crypto.h>

#include <twinseal/security/keys.h>
#include <twinseal/security/openssl_memory.h>
#include <twinseal/security/passphrase_policy.h>

#include "hexutil.h"
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

    // RFC 7914 section 12, the first three vectors (the fourth needs 1 GiB).
    void scryptRfc7914Vectors_data() {
        QTest::addColumn<QByteArray>("passphrase");
        QTest::addColumn<QByteArray>("salt");
        QTest::addColumn<quint64>("n");
        QTest::addColumn<quint32>("r");
        QTest::addColumn<quint32>("p");
        QTest::addColumn<QString>("expected");
        QTest::newRow("empty") << QByteArray() << QByteArray() << quint64(16) << 1u << 1u
                               << QStringLiteral("77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442"
                                                 "fcd0069ded0948f8326a753a0fc81f17e8d3e0fb2e0d3628cf35e20c38d18906");
        QTest::newRow("password/NaCl") << QByteArray("password") << QByteArray("NaCl") << quint64(1024) << 8u << 16u
                                       << QStringLiteral("fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b373162"
                                                         "2eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640");
        QTest::newRow("pleaseletmein/SodiumChloride")
            << QByteArray("pleaseletmein") << QByteArray("SodiumChloride") << quint64(16384) << 8u << 1u
            << QStringLiteral("7023bdcb3afd7348461c06cd81fd38ebfda8fbba904f8e3ea9b543f6545da1f2"
                              "d5432955613f0fcf62d49705242a9af9e61e85dc0d651e40dfcf017b45575887");
    }
    void scryptRfc7914Vectors() {
        QFETCH(QByteArray, passphrase);
        QFETCH(QByteArray, salt);
        QFETCH(quint64, n);
        QFETCH(quint32, r);
        QFETCH(quint32, p);
        QFETCH(QString, expected);
        auto out = scrypt(std::string_view(passphrase.constData(), std::size_t(passphrase.size())),
                          view(std::string_view(salt.constData(), std::size_t(salt.size()))),
                          ScryptParams{n, r, p}, 64);
        QVERIFY(out.ok());
        QCOMPARE(twinseal::test::hexOf(*out), expected);
    }
    void scryptRefusesParametersOutOfRange() {
        QCOMPARE(scrypt("pw", view("salt"), ScryptParams{1000, 8, 1}, 32).code(), ErrorCode::InvalidArgument);
        QCOMPARE(scrypt("pw", view("salt"), ScryptParams{1u << 21, 8, 1}, 32).code(), ErrorCode::InvalidArgument);
        QCOMPARE(scrypt("pw", view("salt"), ScryptParams{1024, 0, 1}, 32).code(), ErrorCode::InvalidArgument);
        QCOMPARE(scrypt("pw", view("salt"), ScryptParams{1024, 8, 1}, 0).code(), ErrorCode::InvalidArgument);
    }

    // scrypt's working memory (16 MiB at N = 2^14, r = 8) is a huge-page-advised mapping of its
    // own, and the derivation is the same as through malloc'd memory (the RFC vector above).
    void scryptWorkingMemoryIsAMappingOfItsOwn() {
        QVERIFY(openSslMemoryStats().installed);
        const auto before = openSslMemoryStats().largeAllocations;
        QVERIFY(scrypt("pleaseletmein", view("SodiumChloride"), ScryptParams{16384, 8, 1}, 64).ok());
        QCOMPARE(openSslMemoryStats().largeAllocations, before + 1);
        // Below the threshold: malloc.
        QVERIFY(scrypt("pw", view("salt"), ScryptParams{1024, 8, 1}, 64).ok());
        QCOMPARE(openSslMemoryStats().largeAllocations, before + 1);
    }

    // OpenSSL's allocator contract on a large block: realloc keeps the contents while growing
    // and shrinking (into malloc'd memory), free takes it back.
    void largeOpenSslAllocationsReallocAndFree() {
        constexpr std::size_t kBig = std::size_t{20} << 20;
        const auto before = openSslMemoryStats().largeAllocations;
        auto* block = static_cast<unsigned char*>(OPENSSL_malloc(kBig));
        QVERIFY(block);
        QCOMPARE(openSslMemoryStats().largeAllocations, before + 1);
        for (std::size_t i = 0; i < kBig; i += 4096)
            block[i] = static_cast<unsigned char>(i >> 12);
        block[kBig - 1] = 0xA5;
        auto* bigger = static_cast<unsigned char*>(OPENSSL_realloc(block, kBig * 2));
        QVERIFY(bigger);
        QCOMPARE(openSslMemoryStats().largeAllocations, before + 2);
        bool same = bigger[kBig - 1] == 0xA5;
        for (std::size_t i = 0; i < kBig; i += 4096)
            same = same && bigger[i] == static_cast<unsigned char>(i >> 12);
        QVERIFY(same);
        auto* smaller = static_cast<unsigned char*>(OPENSSL_realloc(bigger, 8192));
        QVERIFY(smaller);
        QCOMPARE(smaller[4096], static_cast<unsigned char>(1));
        QCOMPARE(openSslMemoryStats().largeAllocations, before + 2);
        OPENSSL_clear_free(smaller, 8192);
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
