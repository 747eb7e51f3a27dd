// Project Wycheproof suites (tests/data/wycheproof, Apache-2.0) driven through the project's own
// crypto wrappers (twinseal/security/crypto.h), plus a few known-answer sanity checks.
//
// Rules (see tests/data/wycheproof/README.md): every `valid` case must succeed, every `invalid`
// case must fail; `acceptable` cases may go either way, but a success must give the expected
// output. X25519's `acceptable` ZeroSharedSecret cases must be rejected. Every slot counts what
// it ran and checks it against the file's "numberOfTests", so it cannot pass by reading nothing.
#include <QFile>
#include <QObject>
#include <QStringList>
#include <QtTest>

#include <nlohmann/json.hpp>

// Only to check that the wrappers leave OpenSSL's error queue empty; all crypto goes through
// twinseal::security.
#include <openssl/err.h>
// Only to build a signature's high-S twin (r, n - s) independently of the library under test.
#include <openssl/bn.h>

#include <algorithm>
#include <exception>
#include <stdexcept>
#include <string>
#include <utility>

#include "testmain.h"
#include "twinseal/security/bytes.h"
#include "twinseal/security/crypto.h"
#include "twinseal/security/keys.h"

namespace {
namespace test_wycheproof {

using namespace twinseal::security;
using nlohmann::json;

namespace {

Bytes hex(const json& v) {
    auto r = fromHex(v.get<std::string>());
    if (!r)
        throw std::runtime_error("bad hex in test vector: " + r.error().message());
    return std::move(r).value();
}

template <typename A, typename B> bool sameBytes(const A& a, const B& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end());
}

bool hasFlag(const json& test, std::string_view flag) {
    for (const auto& f : test.value("flags", json::array()))
        if (f.get<std::string>() == flag)
            return true;
    return false;
}

template <typename R> QString why(const R& r) {
    return r.ok() ? QStringLiteral("ok") : QString::fromStdString(r.error().message());
}

// Per-file counters and the list of mismatching cases.
struct Tally {
    explicit Tally(QString n) : name(std::move(n)) {}

    QString name;
    int executed = 0;
    int skipped = 0;
    int acceptableAccepted = 0;
    int acceptableRejected = 0;
    QStringList mismatches;

    void mismatch(const json& test, const QString& detail) {
        mismatches << QStringLiteral("tcId %1 (%2): %3")
                          .arg(test.value("tcId", -1))
                          .arg(QString::fromStdString(test.value("comment", std::string())))
                          .arg(detail);
    }
    // The wrappers must leave no stale OpenSSL errors behind, whatever the outcome.
    void checkErrorQueue(const json& test) {
        if (ERR_peek_error() != 0) {
            mismatch(test, QStringLiteral("OpenSSL error queue left non-empty"));
            ERR_clear_error();
        }
    }
    // Records a case whose expected result is valid/invalid/acceptable and whose outcome was
    // `succeeded` (with `outputOk` telling whether a successful output matched).
    void judge(const json& test, bool succeeded, bool outputOk, const QString& detail) {
        const std::string result = test.at("result").get<std::string>();
        if (result == "valid") {
            if (!succeeded)
                mismatch(test, QStringLiteral("valid case failed: ") + detail);
            else if (!outputOk)
                mismatch(test, QStringLiteral("valid case gave a wrong output"));
        } else if (result == "invalid") {
            if (succeeded)
                mismatch(test, QStringLiteral("invalid case succeeded"));
        } else if (result == "acceptable") {
            if (succeeded) {
                ++acceptableAccepted;
                if (!outputOk)
                    mismatch(test, QStringLiteral("acceptable case gave a wrong output"));
            } else {
                ++acceptableRejected;
            }
        } else {
            mismatch(test, QStringLiteral("unknown result ") + QString::fromStdString(result));
        }
    }
};

// Runs `body(group, test)` for every test of every group for which `runGroup(group)` holds, with
// exceptions (bad JSON, bad hex) turned into mismatches.
template <typename GroupFilter, typename Body>
void forEachTest(const json& doc, Tally& tally, GroupFilter runGroup, Body body) {
    for (const auto& group : doc.at("testGroups")) {
        const auto& tests = group.at("tests");
        if (!runGroup(group)) {
            tally.skipped += static_cast<int>(tests.size());
            continue;
        }
        for (const auto& test : tests) {
            ++tally.executed;
            try {
                body(group, test);
            } catch (const std::exception& e) {
                tally.mismatch(test, QStringLiteral("exception: ") + QString::fromUtf8(e.what()));
            }
            tally.checkErrorQueue(test);
        }
    }
}

const auto allGroups = [](const json&) { return true; };

// (n - 1) / 2 for the P-256 group order n: an s above it is the malleable high-S form.
const Bytes& p256HalfOrder() {
    static const Bytes half =
        fromHex("7fffffff800000007fffffffffffffffde737d56d38bcf4279dce5617e3192a8").value();
    return half;
}
// The P-256 order as a BIGNUM, and n - s for an r||s signature.
struct BnPtrs {
    BIGNUM* order = nullptr;
    BnPtrs() {
        BN_hex2bn(&order, "FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551");
    }
    ~BnPtrs() { BN_free(order); }
    BnPtrs(const BnPtrs&) = delete;
    BnPtrs& operator=(const BnPtrs&) = delete;
    Bytes negateS(const Bytes& rs) const {
        BIGNUM* s = BN_bin2bn(rs.data() + 32, 32, nullptr);
        BN_sub(s, order, s);
        Bytes out(rs.begin(), rs.begin() + 32);
        out.resize(64);
        BN_bn2binpad(s, out.data() + 32, 32);
        BN_free(s);
        return out;
    }
};

// Whether r||s has s > n/2 (compared here, independently of the library's own check).
bool highS(ByteView rs) {
    if (rs.size() != 64)
        return false;
    const Bytes& half = p256HalfOrder();
    return std::lexicographical_compare(half.begin(), half.end(), rs.begin() + 32, rs.end());
}

} // namespace

class WycheproofTest : public QObject {
    Q_OBJECT

private:
    // Loads tests/data/wycheproof/<file>; QVERIFYs that it parsed and has the expected size.
    void load(const char* file, int expectedTests, json& doc) {
        QFile f(twinseal::test::dataPath(QStringLiteral("wycheproof/") + QLatin1String(file)));
        QVERIFY2(f.open(QIODevice::ReadOnly), qPrintable(f.fileName() + ": " + f.errorString()));
        const QByteArray raw = f.readAll();
        doc = json::parse(raw.constData(), raw.constData() + raw.size(), nullptr, false);
        QVERIFY2(!doc.is_discarded(), file);
        QVERIFY2(doc.contains("testGroups") && doc.contains("numberOfTests"), file);
        // Pins the vector files: a truncated or swapped file fails here.
        QCOMPARE(doc.at("numberOfTests").get<int>(), expectedTests);
    }

    void finish(const Tally& t, const json& doc, int expectedSkipped = 0) {
        QString line = QStringLiteral("%1: %2 tests, %3 mismatches")
                           .arg(t.name)
                           .arg(t.executed)
                           .arg(t.mismatches.size());
        if (t.skipped)
            line += QStringLiteral(", %1 skipped").arg(t.skipped);
        if (t.acceptableAccepted || t.acceptableRejected)
            line += QStringLiteral(" (acceptable: %1 accepted, %2 rejected)")
                        .arg(t.acceptableAccepted)
                        .arg(t.acceptableRejected);
        qInfo().noquote() << line;
        QVERIFY(t.executed > 0);
        QCOMPARE(t.skipped, expectedSkipped);
        QCOMPARE(t.executed, doc.at("numberOfTests").get<int>() - t.skipped);
        QVERIFY2(t.mismatches.isEmpty(),
                 qPrintable(QStringLiteral("%1: %2 mismatching tests:\n  ")
                                .arg(t.name)
                                .arg(t.mismatches.size()) +
                            t.mismatches.join(QStringLiteral("\n  "))));
    }

    // Shared by both ECDSA files: verify with the uncompressed point and with the DER SPKI; the
    // two must agree. `verify` is ecdsaP256VerifyDer or ecdsaP256VerifyP1363. Only low-S
    // signatures are accepted: Wycheproof's `valid` cases whose s is above n/2 (its
    // signature-malleability edge cases among them) are refused with signature-high-s instead,
    // `expectedHighS` of them.
    template <typename Verify>
    void ecdsaFile(const char* file, const char* name, int expectedTests, Verify verify,
                   bool derSignatures, int expectedHighS) {
        json doc;
        load(file, expectedTests, doc);
        if (QTest::currentTestFailed())
            return;
        Tally t(QString::fromLatin1(name));
        int highSRefused = 0;
        forEachTest(doc, t, allGroups, [&](const json& group, const json& test) {
            const Bytes point = hex(group.at("publicKey").at("uncompressed"));
            const Bytes spki = hex(group.at("publicKeyDer"));
            const Bytes msg = hex(test.at("msg"));
            const Bytes sig = hex(test.at("sig"));
            const Status a = verify(point, msg, sig);
            const Status b = verify(spki, msg, sig);
            if (a.ok() != b.ok())
                t.mismatch(test, QStringLiteral("point and SPKI keys disagree: ") + why(a) +
                                     " vs " + why(b));
            const Result<Bytes> rs = derSignatures ? ecdsaDerToP1363(sig) : Result<Bytes>(sig);
            const bool malleable = rs.ok() && highS(*rs);
            if (!a.ok() && a.code() != ErrorCode::BadSignature &&
                !(malleable && a.code() == ErrorCode::SignatureHighS))
                t.mismatch(test, QStringLiteral("failure is not bad-signature: ") + why(a));
            if (malleable && test.at("result").get<std::string>() != "invalid") {
                ++highSRefused;
                if (a.ok() || a.code() != ErrorCode::SignatureHighS)
                    t.mismatch(test, QStringLiteral("high-S case not refused as such: ") + why(a));
                return;
            }
            t.judge(test, a.ok(), true, why(a));
            if (a.ok() && derSignatures) {
                // A verifying DER signature converts to r||s that verifies, and back to itself.
                auto rs = ecdsaDerToP1363(sig);
                if (!rs)
                    t.mismatch(test, QStringLiteral("DER -> r||s failed: ") + why(rs));
                else {
                    if (auto v = ecdsaP256VerifyP1363(point, msg, *rs); !v)
                        t.mismatch(test, QStringLiteral("r||s form does not verify: ") + why(v));
                    auto der = ecdsaP1363ToDer(*rs);
                    if (!der || *der != sig)
                        t.mismatch(test, QStringLiteral("r||s -> DER does not round-trip"));
                }
            }
        });
        QCOMPARE(highSRefused, expectedHighS);
        finish(t, doc);
    }

    // Shared by both AEAD files. `pick` maps the key to the Aead variant.
    template <typename Pick>
    void aeadFile(const char* file, const char* name, int expectedTests, int expectedSkipped,
                  Pick pick) {
        json doc;
        load(file, expectedTests, doc);
        if (QTest::currentTestFailed())
            return;
        Tally t(QString::fromLatin1(name));
        const auto iv96 = [](const json& group) { return group.at("ivSize").get<int>() == 96; };
        forEachTest(doc, t, iv96, [&](const json& group, const json& test) {
            if (group.at("tagSize").get<int>() != 128)
                throw std::runtime_error("only 128-bit tags are supported");
            const Bytes key = hex(test.at("key"));
            const Bytes iv = hex(test.at("iv"));
            const Bytes aad = hex(test.at("aad"));
            const Bytes msg = hex(test.at("msg"));
            Bytes sealed = hex(test.at("ct"));
            const Bytes tag = hex(test.at("tag"));
            sealed.insert(sealed.end(), tag.begin(), tag.end());
            const Result<Aead> aead = pick(key);
            if (!aead) {
                t.judge(test, false, false, why(aead));
                return;
            }
            const std::string result = test.at("result").get<std::string>();
            if (result == "valid") {
                auto ct = aeadSeal(*aead, key, iv, aad, msg);
                if (!ct)
                    t.mismatch(test, QStringLiteral("seal failed: ") + why(ct));
                else if (*ct != sealed)
                    t.mismatch(test, QStringLiteral("seal gave a wrong ct||tag"));
            }
            auto pt = aeadOpen(*aead, key, iv, aad, sealed);
            if (!pt.ok() && pt.code() != ErrorCode::BadSignature &&
                pt.code() != ErrorCode::MalformedInput)
                t.mismatch(test, QStringLiteral("open failed with an unexpected code: ") + why(pt));
            t.judge(test, pt.ok(), pt.ok() && sameBytes(*pt, msg), why(pt));
        });
        finish(t, doc, expectedSkipped);
    }

private slots:
    void initTestCase() { ERR_clear_error(); }

    // ---- sanity checks ----------------------------------------------------------------------

    void sha256Abc() {
        // FIPS 180-2, appendix B.1.
        const Digest d = sha256(view("abc"));
        QCOMPARE(toHex(d),
                 std::string("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
        // Empty input.
        QCOMPARE(toHex(sha256({})),
                 std::string("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
    }

    void sha256Incremental() {
        Bytes data(1000);
        for (std::size_t i = 0; i < data.size(); ++i)
            data[i] = static_cast<std::uint8_t>(i * 131 + 7);
        const Digest expected = sha256(data);
        Sha256 h;
        // Odd split points, including empty updates and block-boundary straddles.
        const std::size_t cuts[] = {0, 1, 1, 4, 63, 64, 65, 127, 333, 512, 999, 1000};
        std::size_t prev = 0;
        for (std::size_t c : cuts) {
            h.update(ByteView(data).subspan(prev, c - prev));
            prev = c;
        }
        QCOMPARE(h.finish(), expected);
        // finish() resets: the object can hash a new message.
        h.update(view("ab"));
        h.update(view("c"));
        QCOMPARE(h.finish(), sha256(view("abc")));
        QCOMPARE(h.finish(), sha256({}));
    }

    void hkdfRfc5869Case1() {
        const Bytes ikm(22, 0x0b);
        const Bytes salt = *fromHex("000102030405060708090a0b0c");
        const Bytes info = *fromHex("f0f1f2f3f4f5f6f7f8f9");
        auto okm = hkdfSha256(ikm, salt, info, 42);
        QVERIFY2(okm.ok(), qPrintable(why(okm)));
        QCOMPARE(toHex(*okm), std::string("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56"
                                          "ecc4c5bf34007208d5b887185865"));
        // RFC 5869 test case 3: empty salt and info.
        auto okm3 = hkdfSha256(ikm, {}, {}, 42);
        QVERIFY2(okm3.ok(), qPrintable(why(okm3)));
        QCOMPARE(toHex(*okm3), std::string("8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f"
                                           "3c738d2d9d201395faa4b61a96c8"));
        // Empty IKM, salt and info: HMAC(HMAC(0^32, ""), 0x01).
        auto okmEmpty = hkdfSha256({}, {}, {}, 32);
        QVERIFY2(okmEmpty.ok(), qPrintable(why(okmEmpty)));
        QCOMPARE(toHex(*okmEmpty),
                 std::string("eb70f01dede9afafa449eee1b1286504e1f62388b3f7dd4f956697b0e828fe18"));
        QCOMPARE(hkdfSha256(ikm, salt, info, 0).code(), ErrorCode::InvalidArgument);
        QCOMPARE(hkdfSha256(ikm, salt, info, 255 * 32 + 1).code(), ErrorCode::InvalidArgument);
        QVERIFY(hkdfSha256(ikm, salt, info, 255UL * 32).ok());
        QCOMPARE(ERR_peek_error(), 0ul);
    }

    void hmacRfc4231Case2() {
        // RFC 4231 test case 2 ("Jefe"), full and truncated tags.
        auto tag = hmacSha256(view("Jefe"), view("what do ya want for nothing?"));
        QVERIFY2(tag.ok(), qPrintable(why(tag)));
        QCOMPARE(toHex(*tag), std::string("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b9"
                                          "64ec3843"));
        const ByteView full(*tag);
        QVERIFY(hmacSha256Verify(view("Jefe"), view("what do ya want for nothing?"), full).ok());
        QVERIFY(hmacSha256Verify(view("Jefe"), view("what do ya want for nothing?"),
                                 full.first(8)).ok());
        QCOMPARE(hmacSha256Verify(view("Jefe"), view("what do ya want for nothing?"),
                                  full.first(7)).code(),
                 ErrorCode::InvalidArgument);
        QCOMPARE(hmacSha256Verify(view("Jefe"), view("what do ya want for nothing"), full).code(),
                 ErrorCode::BadSignature);
        // Empty key and message (HMAC_SHA256("", "")).
        auto empty = hmacSha256({}, {});
        QVERIFY2(empty.ok(), qPrintable(why(empty)));
        QCOMPARE(toHex(*empty), std::string("b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712"
                                            "144292c5ad"));
        QCOMPARE(ERR_peek_error(), 0ul);
    }

    void ecdsaSignatureConversions() {
        // r with the top bit set (DER needs a 0x00 pad), s small (DER strips the zeros).
        Bytes rs(64, 0);
        for (int i = 0; i < 32; ++i)
            rs[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(0x80 + i);
        rs[63] = 0x05;
        auto der = ecdsaP1363ToDer(rs);
        QVERIFY2(der.ok(), qPrintable(why(der)));
        QCOMPARE(toHex(*der), std::string("302602210080") +
                                  toHex(ByteView(rs).subspan(1, 31)) + "020105");
        auto back = ecdsaDerToP1363(*der);
        QVERIFY2(back.ok(), qPrintable(why(back)));
        QCOMPARE(*back, rs);

        // Wrong lengths and garbage.
        QCOMPARE(ecdsaP1363ToDer(ByteView(rs).first(63)).code(), ErrorCode::MalformedInput);
        QCOMPARE(ecdsaDerToP1363({}).code(), ErrorCode::MalformedInput);
        QCOMPARE(ecdsaDerToP1363(view("garbage")).code(), ErrorCode::MalformedInput);
        // Trailing byte after valid DER.
        Bytes trailing = *der;
        trailing.push_back(0);
        QCOMPARE(ecdsaDerToP1363(trailing).code(), ErrorCode::MalformedInput);
        // Non-minimal integer (BER, not DER): 02 02 00 05 for s.
        Bytes ber = *fromHex("3026022100" + toHex(ByteView(rs).first(32)) + "02020005");
        QCOMPARE(ecdsaDerToP1363(ber).code(), ErrorCode::MalformedInput);
        // r wider than 32 bytes.
        Bytes wide = *fromHex("3027022201" + std::string(66, '1') + "020105");
        QCOMPARE(ecdsaDerToP1363(wide).code(), ErrorCode::MalformedInput);
        QCOMPARE(ERR_peek_error(), 0ul);
    }

    void argumentChecks() {
        const Bytes k16(16, 1), k32(32, 2), n12(12, 3);
        QCOMPARE(aesGcmForKey(16).code(), ErrorCode::Ok);
        QCOMPARE(aesGcmForKey(20).code(), ErrorCode::MalformedInput);
        QCOMPARE(aeadSeal(Aead::Aes256Gcm, k16, n12, {}, {}).code(), ErrorCode::MalformedInput);
        QCOMPARE(aeadSeal(Aead::Aes128Gcm, k16, {}, {}, {}).code(), ErrorCode::MalformedInput);
        QCOMPARE(aeadSeal(Aead::Aes128Gcm, k16, Bytes(129, 0), {}, {}).code(),
                 ErrorCode::MalformedInput);
        QVERIFY(aeadSeal(Aead::Aes128Gcm, k16, Bytes(128, 0), {}, {}).ok());
        QCOMPARE(aeadSeal(Aead::ChaCha20Poly1305, k32, ByteView(n12).first(8), {}, {}).code(),
                 ErrorCode::MalformedInput);
        QCOMPARE(aeadOpen(Aead::Aes128Gcm, k16, n12, {}, ByteView(n12).first(10)).code(),
                 ErrorCode::MalformedInput);
        // GCM with a non-96-bit nonce round-trips; a flipped bit is a bad tag.
        const Bytes n20(20, 9);
        auto ct = aeadSeal(Aead::Aes128Gcm, k16, n20, view("aad"), view("hello"));
        QVERIFY2(ct.ok(), qPrintable(why(ct)));
        auto pt = aeadOpen(Aead::Aes128Gcm, k16, n20, view("aad"), *ct);
        QVERIFY2(pt.ok(), qPrintable(why(pt)));
        QVERIFY(sameBytes(*pt, view("hello")));
        (*ct)[0] ^= 1;
        QCOMPARE(aeadOpen(Aead::Aes128Gcm, k16, n20, view("aad"), *ct).code(),
                 ErrorCode::BadSignature);

        QCOMPARE(x25519(ByteView(k32).first(31), k32).code(), ErrorCode::MalformedInput);
        QCOMPARE(x25519(k32, Bytes(32, 0)).code(), ErrorCode::MalformedInput);
        // RFC 7748 section 6.1 (Alice's key pair).
        auto alicePub = x25519PublicFromPrivate(
            *fromHex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"));
        QVERIFY2(alicePub.ok(), qPrintable(why(alicePub)));
        QCOMPARE(toHex(*alicePub),
                 std::string("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"));

        QCOMPARE(ecdhP256(Bytes(32, 0), view("x")).code(), ErrorCode::MalformedInput);
        QCOMPARE(ecdhP256(Bytes(32, 0xff), view("x")).code(), ErrorCode::MalformedInput);
        QCOMPARE(ecdhP256(Bytes(32, 1), view("not a key")).code(), ErrorCode::MalformedInput);
        QCOMPARE(ed25519Verify(Bytes(31, 0), {}, Bytes(64, 0)).code(), ErrorCode::MalformedInput);
        QCOMPARE(ed25519Verify(Bytes(32, 0), {}, Bytes(63, 0)).code(), ErrorCode::BadSignature);
        QCOMPARE(ecdsaP256VerifyDer(view("garbage key"), {}, Bytes(8, 0)).code(),
                 ErrorCode::MalformedInput);
        // An uncompressed "point" that is not on the curve.
        Bytes offCurve(65, 1);
        offCurve[0] = 0x04;
        QCOMPARE(ecdsaP256VerifyP1363(offCurve, {}, Bytes(64, 1)).code(),
                 ErrorCode::MalformedInput);
        QCOMPARE(ERR_peek_error(), 0ul);
    }

    // ---- Wycheproof -----------------------------------------------------------------------------

    void ed25519() {
        json doc;
        load("ed25519_test.json", 151, doc);
        if (QTest::currentTestFailed())
            return;
        Tally t(QStringLiteral("ed25519"));
        forEachTest(doc, t, allGroups, [&](const json& group, const json& test) {
            const Bytes pk = hex(group.at("publicKey").at("pk"));
            const Status s = ed25519Verify(pk, hex(test.at("msg")), hex(test.at("sig")));
            if (!s.ok() && s.code() != ErrorCode::BadSignature)
                t.mismatch(test, QStringLiteral("failure is not bad-signature: ") + why(s));
            t.judge(test, s.ok(), true, why(s));
        });
        finish(t, doc);
    }

    void ecdsaP256Der() {
        ecdsaFile("ecdsa_secp256r1_sha256_test.json", "ecdsa_secp256r1_sha256", 484,
                  [](ByteView k, ByteView m, ByteView s) { return ecdsaP256VerifyDer(k, m, s); },
                  true, 71);
    }

    void ecdsaP256P1363() {
        ecdsaFile("ecdsa_secp256r1_sha256_p1363_test.json", "ecdsa_secp256r1_sha256_p1363", 262,
                  [](ByteView k, ByteView m, ByteView s) { return ecdsaP256VerifyP1363(k, m, s); },
                  false, 70);
    }

    // Signing gives the low-S form every time, and its high-S twin (r, n - s), which OpenSSL
    // alone would accept, is refused with signature-high-s.
    void ecdsaP256LowSOnly() {
        auto key = SigningKey::generate(KeyAlgorithm::EcdsaP256);
        QVERIFY(key.ok());
        BnPtrs n;
        int twins = 0;
        for (int i = 0; i < 64; ++i) {
            const Bytes msg(std::size_t(i) + 1, std::uint8_t(i));
            auto sig = key->sign(msg);
            QVERIFY(sig.ok());
            QVERIFY2(!highS(*sig), "signing gave a high-S signature");
            QVERIFY(key->publicKey().verify(msg, *sig).ok());
            const Bytes twin = n.negateS(*sig);
            QVERIFY(highS(twin));
            const Status st = key->publicKey().verify(msg, twin);
            QCOMPARE(st.code(), ErrorCode::SignatureHighS);
            QCOMPARE(ecdsaP256VerifyP1363(key->publicKey().raw(), msg, twin).code(),
                     ErrorCode::SignatureHighS);
            ++twins;
        }
        QCOMPARE(twins, 64);
    }

    void x25519Vectors() {
        json doc;
        load("x25519_test.json", 518, doc);
        if (QTest::currentTestFailed())
            return;
        Tally t(QStringLiteral("x25519"));
        int zeroRejected = 0;
        forEachTest(doc, t, allGroups, [&](const json&, const json& test) {
            const Bytes shared = hex(test.at("shared"));
            auto r = x25519(hex(test.at("private")), hex(test.at("public")));
            if (hasFlag(test, "ZeroSharedSecret")) {
                // Must be rejected, whatever the file's `result` says.
                if (r.ok())
                    t.mismatch(test, QStringLiteral("all-zero shared secret was accepted"));
                else
                    ++zeroRejected;
                return;
            }
            t.judge(test, r.ok(), r.ok() && sameBytes(*r, shared), why(r));
        });
        QCOMPARE(zeroRejected, 31);
        finish(t, doc);
    }

    void ecdhP256Vectors() {
        json doc;
        load("ecdh_secp256r1_test.json", 612, doc);
        if (QTest::currentTestFailed())
            return;
        Tally t(QStringLiteral("ecdh_secp256r1"));
        forEachTest(doc, t, allGroups, [&](const json& group, const json& test) {
            if (group.at("curve").get<std::string>() != "secp256r1" ||
                group.at("encoding").get<std::string>() != "asn")
                throw std::runtime_error("unexpected group curve/encoding");
            const Bytes shared = hex(test.at("shared"));
            auto r = ecdhP256(hex(test.at("private")), hex(test.at("public")));
            t.judge(test, r.ok(), r.ok() && sameBytes(*r, shared), why(r));
        });
        finish(t, doc);
    }

    void aesGcm() {
        // 96-bit IV groups only: 197 tests run, 119 in other IV-size groups are skipped.
        aeadFile("aes_gcm_test.json", "aes_gcm", 316, 119,
                 [](const Bytes& key) { return aesGcmForKey(key.size()); });
    }

    void chacha20Poly1305() {
        // 96-bit nonce groups only (RFC 8439): 316 run, 9 in other nonce-size groups skipped.
        aeadFile("chacha20_poly1305_test.json", "chacha20_poly1305", 325, 9,
                 [](const Bytes&) { return Result<Aead>(Aead::ChaCha20Poly1305); });
    }

    void hkdfSha256Vectors() {
        json doc;
        load("hkdf_sha256_test.json", 86, doc);
        if (QTest::currentTestFailed())
            return;
        Tally t(QStringLiteral("hkdf_sha256"));
        forEachTest(doc, t, allGroups, [&](const json&, const json& test) {
            const Bytes okm = hex(test.at("okm"));
            auto r = hkdfSha256(hex(test.at("ikm")), hex(test.at("salt")), hex(test.at("info")),
                                test.at("size").get<std::size_t>());
            t.judge(test, r.ok(), r.ok() && sameBytes(*r, okm), why(r));
        });
        finish(t, doc);
    }

    void hmacSha256Vectors() {
        json doc;
        load("hmac_sha256_test.json", 174, doc);
        if (QTest::currentTestFailed())
            return;
        Tally t(QStringLiteral("hmac_sha256"));
        forEachTest(doc, t, allGroups, [&](const json& group, const json& test) {
            const Bytes key = hex(test.at("key"));
            const Bytes msg = hex(test.at("msg"));
            const Bytes tag = hex(test.at("tag"));
            if (tag.size() * 8 != group.at("tagSize").get<std::size_t>())
                throw std::runtime_error("tag length differs from the group's tagSize");
            const Status s = hmacSha256Verify(key, msg, tag);
            bool outputOk = true;
            if (test.at("result").get<std::string>() == "valid") {
                auto full = hmacSha256(key, msg);
                outputOk = full.ok() && sameBytes(ByteView(*full).first(tag.size()), tag);
            }
            t.judge(test, s.ok(), outputOk, why(s));
        });
        finish(t, doc);
    }
};

TWINSEAL_TEST(WycheproofTest, "wycheproof")

} // namespace test_wycheproof
} // namespace

#include "test_wycheproof.moc"
