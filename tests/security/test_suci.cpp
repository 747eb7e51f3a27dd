// SUPI/SUCI, BCD and ECIES Profile A against TS 33.501 Annex C.4 and their failure modes.
//
// Vectors (copied, not computed), from TS 33.501 Annex C.4 "Implementers' test data", as
// published on itecspec.com (3GPP TS 33.501 Release 18, clause C.4) and in a Markdown copy of
// the same annex; the two agree:
//  - C.4.2.1 null scheme, IMSI MCC|MNC 274012, MSIN 001002086: scheme input/output 00012080F6;
//  - C.4.3.1 Profile A, IMSI-based SUPI (same IMSI): all keys, intermediate values, output;
//  - C.4.3.2 Profile A, network-specific identifier "verylongusername1" (no ICB printed there).
#include <QtTest>

#include <twinseal/security/crypto.h>
#include <twinseal/security/suci.h>

#include "hexutil.h"
#include "testmain.h"

namespace {
namespace test_suci {

using namespace twinseal::security;
using twinseal::test::hexOf;
using twinseal::test::hx;

namespace {


// TS 33.501 C.4.3.1 (IMSI-based SUPI, Profile A).
namespace c431 {
const char* kHnPrivate = "c53c22208b61860b06c62e5406a7b330c2b577aa5558981510d128247d38bd1d";
const char* kHnPublic = "5a8d38864820197c3394b92613b20b91633cbd897119273bf8e4a6f4eec0a650";
const char* kEphPrivate = "c80949f13ebe61af4ebdbd293ea4f942696b9e815d7e8f0096bbf6ed7de62256";
const char* kEphPublic = "b2e92f836055a255837debf850b528997ce0201cb82adfe4be1f587d07d8457d";
const char* kEphShared = "028ddf890ec83cdf163947ce45f6ec1a0e3070ea5fe57e2b1f05139f3e82422a";
const char* kEncKey = "2ba342cabd2b3b1e5e4e890da11b65f6";
const char* kIcb = "e2622cb0cdd08204e721c8ea9b95a7c6";
const char* kPlaintext = "00012080f6";
const char* kCiphertext = "cb02352410";
const char* kMacKey = "d9846966fb7cf5fcf11266c5957dea60b83fff2b7c940690a4bfe57b1eb52bd2";
const char* kMacTag = "cddd9e730ef3fa87";
const char* kSchemeOutput = "b2e92f836055a255837debf850b528997ce0201cb82adfe4be1f587d07d8457d"
                            "cb02352410cddd9e730ef3fa87";
} // namespace c431

// TS 33.501 C.4.3.2 (network specific identifier-based SUPI, Profile A). Same home network key.
namespace c432 {
const char* kEphPrivate = "be9eff3e9f22a4b42a3d236e7a6c500b3f2e7e0c7449988ba800d664bf4fcd97";
const char* kEphPublic = "977d8b2fdaa7b64aa700d04227d5b440630ea4ec50f9082273a26bb678c92222";
const char* kEphShared = "511c1df473bb88317f923501f8ba944fd3b667d25699dcb552dbcef60bbdc56d";
const char* kEncKey = "fe77b87d87f40428edd71bca69d79059";
const char* kPlaintext = "766572796c6f6e67757365726e616d6531"; // "verylongusername1"
const char* kCiphertext = "8e358a1582adb15322c10e515141d2039a";
const char* kMacKey = "d87b69f4fe8cd6b211264ea5e69f682f151a82252684cdb15a047e6ef0595028";
const char* kMacTag = "12e1d7783a97f1ac";
} // namespace c432

// ANSI X9.63 KDF with SHA-256, written out from its definition for an independent check:
// K_i = SHA-256(Z || counter_i (32-bit big-endian, from 1) || SharedInfo).
Bytes x963Reference(ByteView z, ByteView sharedInfo, std::size_t length) {
    Bytes out;
    for (std::uint32_t counter = 1; out.size() < length; ++counter) {
        Bytes block(z.begin(), z.end());
        for (int shift = 24; shift >= 0; shift -= 8)
            block.push_back(std::uint8_t(counter >> shift));
        block.insert(block.end(), sharedInfo.begin(), sharedInfo.end());
        const Digest d = sha256(block);
        out.insert(out.end(), d.begin(), d.end());
    }
    out.resize(length);
    return out;
}

class FailingRandom final : public Random {
  public:
    Status fill(std::uint8_t*, std::size_t) override {
        return makeError(ErrorCode::CryptoFailure, "no entropy");
    }
};

} // namespace

class SuciTest : public QObject {
    Q_OBJECT
  private slots:
    // TS 24.501 9.11.3.4 BCD, checked against the scheme input of TS 33.501 C.4.2.1/C.4.3.1.
    void bcd() {
        auto b = encodeBcdDigits("001002086");
        QVERIFY(b.ok());
        QCOMPARE(hexOf(*b), QString("00012080f6"));
        auto back = decodeBcdDigits(*b);
        QVERIFY(back.ok());
        QCOMPARE(QString::fromStdString(*back), QString("001002086"));
        // Even digit count: no filler.
        auto even = encodeBcdDigits("0123456789");
        QVERIFY(even.ok());
        QCOMPARE(hexOf(*even), QString("1032547698"));
        QCOMPARE(QString::fromStdString(*decodeBcdDigits(*even)), QString("0123456789"));

        QCOMPARE(encodeBcdDigits("").code(), ErrorCode::SuciInvalid);
        QCOMPARE(encodeBcdDigits("12a4").code(), ErrorCode::SuciInvalid);
        QCOMPARE(encodeBcdDigits("-1").code(), ErrorCode::SuciInvalid);
        QCOMPARE(decodeBcdDigits(Bytes{}).code(), ErrorCode::SuciInvalid);
        QCOMPARE(decodeBcdDigits(hx("0a")).code(), ErrorCode::SuciInvalid);   // low nibble 10
        QCOMPARE(decodeBcdDigits(hx("f1f2")).code(), ErrorCode::SuciInvalid); // filler not last
        QCOMPARE(decodeBcdDigits(hx("1f")).code(), ErrorCode::SuciInvalid);   // filler low
        QCOMPARE(decodeBcdDigits(hx("e1")).code(), ErrorCode::SuciInvalid);
    }

    // TS 33.501 C.4.3.1: the whole published computation.
    void profileAImsiVector() {
        using namespace c431;
        // Key pairs as published.
        QCOMPARE(hexOf(*x25519PublicFromPrivate(hx(kHnPrivate))), QString(kHnPublic));
        QCOMPARE(hexOf(*x25519PublicFromPrivate(hx(kEphPrivate))), QString(kEphPublic));
        auto pair = suciHomeNetworkKeyPairFromPrivate(hx(kHnPrivate));
        QVERIFY(pair.ok());
        QCOMPARE(hexOf(pair->publicKey), QString(kHnPublic));
        // The shared key from both sides, and the published KDF layout.
        QCOMPARE(hexOf(*x25519(hx(kEphPrivate), hx(kHnPublic))), QString(kEphShared));
        QCOMPARE(hexOf(*x25519(hx(kHnPrivate), hx(kEphPublic))), QString(kEphShared));
        const Bytes kdf = x963Reference(hx(kEphShared), hx(kEphPublic), 64);
        QCOMPARE(hexOf(ByteView(kdf).first(16)), QString(kEncKey));
        QCOMPARE(hexOf(ByteView(kdf).subspan(16, 16)), QString(kIcb));
        QCOMPARE(hexOf(ByteView(kdf).subspan(32)), QString(kMacKey));
        auto tag = hmacSha256(hx(kMacKey), hx(kCiphertext));
        QCOMPARE(hexOf(ByteView(*tag).first(8)), QString(kMacTag));

        // Our implementation end to end.
        auto out = profileAConcealWithEphemeral(hx(kPlaintext), hx(kHnPublic), hx(kEphPrivate));
        QVERIFY2(out.ok(), out.ok() ? "" : out.error().message().c_str());
        QCOMPARE(hexOf(*out), QString(kSchemeOutput));
        auto plain = profileADeconceal(hx(kSchemeOutput), hx(kHnPrivate));
        QVERIFY2(plain.ok(), plain.ok() ? "" : plain.error().message().c_str());
        QCOMPARE(hexOf(*plain), QString(kPlaintext));
    }

    // TS 33.501 C.4.3.2: an NAI username as the scheme input (17 bytes: more than one AES block).
    void profileANaiVector() {
        using namespace c432;
        QCOMPARE(hexOf(*x25519PublicFromPrivate(hx(kEphPrivate))), QString(kEphPublic));
        QCOMPARE(hexOf(*x25519(hx(kEphPrivate), hx(c431::kHnPublic))), QString(kEphShared));
        const Bytes kdf = x963Reference(hx(kEphShared), hx(kEphPublic), 64);
        QCOMPARE(hexOf(ByteView(kdf).first(16)), QString(kEncKey));
        QCOMPARE(hexOf(ByteView(kdf).subspan(32)), QString(kMacKey));
        QCOMPARE(QString::fromStdString(toString(hx(kPlaintext))), QString("verylongusername1"));

        auto out =
            profileAConcealWithEphemeral(hx(kPlaintext), hx(c431::kHnPublic), hx(kEphPrivate));
        QVERIFY(out.ok());
        QCOMPARE(hexOf(*out), QString(kEphPublic) + QString(kCiphertext) + QString(kMacTag));
        auto plain = profileADeconceal(*out, hx(c431::kHnPrivate));
        QVERIFY(plain.ok());
        QCOMPARE(hexOf(*plain), QString(kPlaintext));
    }

    // TS 33.501 C.4.2.1: the null scheme outputs the BCD MSIN unchanged.
    void nullSchemeVector() {
        auto supi = Supi::make("274", "012", "001002086");
        QVERIFY(supi.ok());
        FailingRandom noRng; // the null scheme needs no randomness
        auto suci = concealSupi(*supi, "0", SuciProtectionScheme::Null, 7, Bytes{}, noRng);
        QVERIFY(suci.ok());
        QCOMPARE(hexOf(suci->schemeOutput), QString("00012080f6"));
        QCOMPARE(suci->homeNetworkPublicKeyId, std::uint8_t(0));
        QCOMPARE(QString::fromStdString(suci->toString()),
                 QString("suci-0-274-012-0-0-0-001002086"));
        auto parsed = Suci::parse(suci->toString());
        QVERIFY(parsed.ok());
        QVERIFY(*parsed == *suci);
        auto back = deconcealSuci(*parsed, Bytes{});
        QVERIFY(back.ok());
        QCOMPARE(QString::fromStdString(back->toString()), QString("imsi-274012001002086"));
    }

    // The C.4.3.1 output inside a SUCI string (routing indicator and key id are ours; the annex
    // fixes only the scheme output), parsed and deconcealed to the SUPI.
    void suciStringWithProfileAVector() {
        const std::string text = std::string("suci-0-274-012-678-1-27-") + c431::kSchemeOutput;
        auto suci = Suci::parse(text);
        QVERIFY(suci.ok());
        QCOMPARE(QString::fromStdString(suci->mcc), QString("274"));
        QCOMPARE(QString::fromStdString(suci->mnc), QString("012"));
        QCOMPARE(QString::fromStdString(suci->routingIndicator), QString("678"));
        QVERIFY(suci->scheme == SuciProtectionScheme::ProfileA);
        QCOMPARE(suci->homeNetworkPublicKeyId, std::uint8_t(27));
        QCOMPARE(hexOf(suci->schemeOutput), QString(c431::kSchemeOutput));
        QCOMPARE(QString::fromStdString(suci->toString()), QString::fromStdString(text));
        auto supi = deconcealSuci(*suci, hx(c431::kHnPrivate));
        QVERIFY(supi.ok());
        QCOMPARE(QString::fromStdString(supi->toString()), QString("imsi-274012001002086"));
        QCOMPARE(QString::fromStdString(supi->imsi()), QString("274012001002086"));
        // Upper-case hex is accepted and normalised.
        auto upper = Suci::parse(
            QString::fromStdString(text).toUpper().replace("SUCI", "suci").toStdString());
        QVERIFY(upper.ok());
        QVERIFY(*upper == *suci);
    }

    void roundTrips_data() {
        QTest::addColumn<QString>("supi");
        QTest::addColumn<int>("mncLength");
        QTest::newRow("2-digit MNC, 10-digit MSIN") << "imsi-001010000000001" << 2;
        QTest::newRow("3-digit MNC, 9-digit MSIN") << "imsi-310410123456789" << 3;
        QTest::newRow("short MSIN") << "imsi-0010112" << 2;
        QTest::newRow("odd/even") << "imsi-27401200100208" << 3;
    }
    void roundTrips() {
        QFETCH(QString, supi);
        QFETCH(int, mncLength);
        auto parsed = Supi::parse(supi.toStdString(), std::size_t(mncLength));
        QVERIFY(parsed.ok());
        QCOMPARE(QString::fromStdString(parsed->toString()), supi);
        QCOMPARE(parsed->mnc.size(), std::size_t(mncLength));
        auto& rng = SystemRandom::instance();
        auto hn = generateSuciHomeNetworkKeyPair(rng);
        QVERIFY(hn.ok());
        auto a = concealSupi(*parsed, "12", SuciProtectionScheme::ProfileA, 3, hn->publicKey, rng);
        auto b = concealSupi(*parsed, "12", SuciProtectionScheme::ProfileA, 3, hn->publicKey, rng);
        QVERIFY(a.ok() && b.ok());
        // Fresh ephemeral keys: two concealments of the same SUPI are unlinkable.
        QVERIFY(a->schemeOutput != b->schemeOutput);
        QCOMPARE(a->schemeOutput.size(), kSuciProfileAOverhead + (parsed->msin.size() + 1) / 2);
        for (const Suci* s : {&*a, &*b}) {
            auto text = s->toString();
            QVERIFY(text.find(parsed->msin) == std::string::npos || parsed->msin.size() < 4);
            auto reparsed = Suci::parse(text);
            QVERIFY(reparsed.ok());
            QVERIFY(*reparsed == *s);
            auto back = deconcealSuci(*reparsed, hn->privateKey);
            QVERIFY(back.ok());
            QVERIFY(*back == *parsed);
        }
    }

    // Any single flipped bit of the scheme output is refused; nothing is decrypted.
    void everyFlippedBitRefused() {
        const Bytes good = hx(c431::kSchemeOutput);
        const Bytes hnPrivate = hx(c431::kHnPrivate);
        QVERIFY(profileADeconceal(good, hnPrivate).ok());
        for (std::size_t i = 0; i < good.size(); ++i) {
            for (int bit = 0; bit < 8; ++bit) {
                Bytes bad = good;
                bad[i] ^= std::uint8_t(1u << bit);
                auto r = profileADeconceal(bad, hnPrivate);
                QVERIFY2(!r.ok(), qPrintable(QString("byte %1 bit %2 accepted").arg(i).arg(bit)));
                // A damaged ephemeral key may (rarely) be an unusable point: SuciInvalid.
                const bool expected = r.code() == ErrorCode::SuciMacFailure ||
                                      (i < 32 && r.code() == ErrorCode::SuciInvalid);
                QVERIFY2(expected,
                         qPrintable(QString("byte %1 bit %2: %3")
                                        .arg(i)
                                        .arg(bit)
                                        .arg(QString::fromStdString(r.error().message()))));
            }
        }
    }

    void wrongKeyRefused() {
        auto& rng = SystemRandom::instance();
        auto other = generateSuciHomeNetworkKeyPair(rng);
        QVERIFY(other.ok());
        QCOMPARE(profileADeconceal(hx(c431::kSchemeOutput), other->privateKey).code(),
                 ErrorCode::SuciMacFailure);
        auto suci = Suci::parse(std::string("suci-0-274-012-678-1-27-") + c431::kSchemeOutput);
        QVERIFY(suci.ok());
        QCOMPARE(deconcealSuci(*suci, other->privateKey).code(), ErrorCode::SuciMacFailure);
        QCOMPARE(profileADeconceal(hx(c431::kSchemeOutput), Bytes(31, 1)).code(),
                 ErrorCode::InvalidArgument);
    }

    void truncatedAndMalformedOutputs() {
        const Bytes good = hx(c431::kSchemeOutput);
        const Bytes hnPrivate = hx(c431::kHnPrivate);
        // Key + tag only, no ciphertext; and shorter.
        QCOMPARE(profileADeconceal(ByteView(good).first(40), hnPrivate).code(),
                 ErrorCode::SuciInvalid);
        QCOMPARE(profileADeconceal(ByteView(good).first(10), hnPrivate).code(),
                 ErrorCode::SuciInvalid);
        QCOMPARE(profileADeconceal(Bytes{}, hnPrivate).code(), ErrorCode::SuciInvalid);
        // A byte dropped from the middle or appended: the tag no longer fits.
        Bytes shorter = good;
        shorter.erase(shorter.begin() + 33);
        QCOMPARE(profileADeconceal(shorter, hnPrivate).code(), ErrorCode::SuciMacFailure);
        Bytes longer = good;
        longer.push_back(0);
        QCOMPARE(profileADeconceal(longer, hnPrivate).code(), ErrorCode::SuciMacFailure);
        // Ephemeral key of small order (all zeros): refused before any MAC check.
        Bytes zeroKey = good;
        std::fill(zeroKey.begin(), zeroKey.begin() + 32, 0);
        QCOMPARE(profileADeconceal(zeroKey, hnPrivate).code(), ErrorCode::SuciInvalid);
        // A valid tag over plaintext that is not BCD is refused when read as a SUPI.
        auto nai = profileAConcealWithEphemeral(hx(c432::kPlaintext), hx(c431::kHnPublic),
                                                hx(c432::kEphPrivate));
        QVERIFY(nai.ok());
        Suci s{"274", "012", "0", SuciProtectionScheme::ProfileA, 1, *nai};
        QCOMPARE(deconcealSuci(s, hnPrivate).code(), ErrorCode::SuciInvalid);
    }

    void concealRejectsBadInputs() {
        auto& rng = SystemRandom::instance();
        const Bytes hnPublic = hx(c431::kHnPublic);
        QCOMPARE(profileAConceal(Bytes{}, hnPublic, rng).code(), ErrorCode::InvalidArgument);
        QCOMPARE(profileAConceal(hx("00"), Bytes(31, 9), rng).code(), ErrorCode::InvalidArgument);
        QCOMPARE(profileAConceal(hx("00"), Bytes(32, 0), rng).code(), ErrorCode::SuciInvalid);
        QCOMPARE(profileAConcealWithEphemeral(hx("00"), hnPublic, Bytes(16, 1)).code(),
                 ErrorCode::InvalidArgument);
        FailingRandom broken;
        QCOMPARE(profileAConceal(hx("00"), hnPublic, broken).code(), ErrorCode::CryptoFailure);
        auto supi = Supi::make("001", "01", "0000000001");
        QVERIFY(supi.ok());
        QCOMPARE(
            concealSupi(*supi, "12345", SuciProtectionScheme::ProfileA, 1, hnPublic, rng).code(),
            ErrorCode::SuciInvalid);
        QCOMPARE(concealSupi(*supi, "", SuciProtectionScheme::ProfileA, 1, hnPublic, rng).code(),
                 ErrorCode::SuciInvalid);
        Supi bad = *supi;
        bad.msin = "12x";
        QCOMPARE(concealSupi(bad, "0", SuciProtectionScheme::ProfileA, 1, hnPublic, rng).code(),
                 ErrorCode::SuciInvalid);
    }

    void supiParsing() {
        auto s2 = Supi::parse("imsi-001010000000001", 2);
        QVERIFY(s2.ok());
        QCOMPARE(QString::fromStdString(s2->mcc), QString("001"));
        QCOMPARE(QString::fromStdString(s2->mnc), QString("01"));
        QCOMPARE(QString::fromStdString(s2->msin), QString("0000000001"));
        auto s3 = Supi::parse("imsi-001010000000001", 3);
        QVERIFY(s3.ok());
        QCOMPARE(QString::fromStdString(s3->mnc), QString("010"));
        QCOMPARE(QString::fromStdString(s3->msin), QString("000000001"));
        QCOMPARE(s3->toString(), s2->toString());

        QCOMPARE(Supi::parse("imsi-001010000000001", 4).code(), ErrorCode::InvalidArgument);
        QCOMPARE(Supi::parse("nai-user@example.org", 2).code(), ErrorCode::SuciInvalid);
        QCOMPARE(Supi::parse("IMSI-001010000000001", 2).code(), ErrorCode::SuciInvalid);
        QCOMPARE(Supi::parse("imsi-0010100000000012", 2).code(), ErrorCode::SuciInvalid); // 16
        QCOMPARE(Supi::parse("imsi-00101", 2).code(), ErrorCode::SuciInvalid);            // no MSIN
        QCOMPARE(Supi::parse("imsi-00101a000000001", 2).code(), ErrorCode::SuciInvalid);
        QCOMPARE(Supi::parse("imsi-", 2).code(), ErrorCode::SuciInvalid);
        QCOMPARE(Supi::make("01", "01", "1").code(), ErrorCode::SuciInvalid);
        QCOMPARE(Supi::make("001", "1", "1").code(), ErrorCode::SuciInvalid);
        QCOMPARE(Supi::make("001", "01", "").code(), ErrorCode::SuciInvalid);
    }

    void suciParsingRejects_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("code");
        const QString out = QString(c431::kSchemeOutput);
        const int invalid = int(ErrorCode::SuciInvalid);
        const int unsupported = int(ErrorCode::UnsupportedAlgorithm);
        QTest::newRow("empty") << "" << invalid;
        QTest::newRow("prefix") << "supi-0-274-012-678-1-27-" + out << invalid;
        QTest::newRow("too few fields") << "suci-0-274-012-1-27-" + out << invalid;
        QTest::newRow("too many fields") << "suci-0-274-012-678-1-27-" + out + "-00" << invalid;
        QTest::newRow("NAI type") << "suci-1-274-012-678-1-27-" + out << unsupported;
        QTest::newRow("MCC 2 digits") << "suci-0-27-012-678-1-27-" + out << invalid;
        QTest::newRow("MNC 4 digits") << "suci-0-274-0120-678-1-27-" + out << invalid;
        QTest::newRow("MNC letter") << "suci-0-274-01a-678-1-27-" + out << invalid;
        QTest::newRow("routing 5 digits") << "suci-0-274-012-67890-1-27-" + out << invalid;
        QTest::newRow("routing empty") << "suci-0-274-012--1-27-" + out << invalid;
        QTest::newRow("scheme letter") << "suci-0-274-012-678-A-27-" + out << invalid;
        QTest::newRow("scheme 16") << "suci-0-274-012-678-16-27-" + out << invalid;
        QTest::newRow("Profile B") << "suci-0-274-012-678-2-27-" + out << unsupported;
        QTest::newRow("key id 256") << "suci-0-274-012-678-1-256-" + out << invalid;
        QTest::newRow("key id sign") << "suci-0-274-012-678-1-+7-" + out << invalid;
        QTest::newRow("odd hex") << "suci-0-274-012-678-1-27-" + out + "0" << invalid;
        QTest::newRow("not hex") << "suci-0-274-012-678-1-27-" + out.left(88) + "zz" << invalid;
        QTest::newRow("too short") << "suci-0-274-012-678-1-27-" + out.left(80) << invalid;
        QTest::newRow("null with key id") << "suci-0-274-012-0-0-1-001002086" << invalid;
        QTest::newRow("null not digits") << "suci-0-274-012-0-0-0-00a" << invalid;
        QTest::newRow("null empty") << "suci-0-274-012-0-0-0-" << invalid;
    }
    void suciParsingRejects() {
        QFETCH(QString, text);
        QFETCH(int, code);
        QCOMPARE(int(Suci::parse(text.toStdString()).code()), code);
    }
};

TWINSEAL_TEST(SuciTest, "suci")
} // namespace test_suci
} // namespace

#include "test_suci.moc"
