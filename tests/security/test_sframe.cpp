// SFrame (RFC 9605): every published test vector (tests/data/sframe, from the SFrame working
// group) reproduced byte for byte in both directions, then the behaviour of SFrameContext:
// counters, the replay window, tampering, wrong and unknown keys, counter exhaustion and the
// integrity-only suite.
#include <QFile>
#include <QObject>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <openssl/err.h>

#include <algorithm>
#include <string>

#include "hexutil.h"
#include "testmain.h"
#include "twinseal/security/sframe.h"

Q_DECLARE_METATYPE(twinseal::security::CipherSuite)

namespace {
namespace test_sframe {

using namespace twinseal::security;
using nlohmann::json;
using twinseal::test::hexOf;


namespace {

Bytes hexField(const json& v, const char* name) {
    auto r = fromHex(v.at(name).get<std::string>());
    if (!r)
        qFatal("bad hex in SFrame vector field %s", name);
    return *r;
}

template <typename R> QString codeOf(const R& r) {
    return r.ok() ? QStringLiteral("ok")
                  : QString::fromLatin1(errorCodeName(r.error().code).data(),
                                        static_cast<int>(errorCodeName(r.error().code).size()));
}

template <typename R> QByteArray why(const R& r) {
    return r.ok() ? QByteArray("ok") : QByteArray::fromStdString(r.error().message());
}

#define COMPARE_BYTES(actual, expected)                                                            \
    QCOMPARE(hexOf(ByteView((actual).data(), (actual).size())),                                    \
             hexOf(ByteView((expected).data(), (expected).size())))

const auto& testMetadata() {
    static const Bytes value = toBytes("pose-stream:participant-7");
    return value;
}
const auto& testPayload() {
    static const Bytes value = toBytes("head(0.1,0.2,0.3) hands(...) blendshapes(0.5,0.25)");
    return value;
}

Bytes baseKey(std::uint8_t fill) {
    return Bytes(32, fill);
}

const CipherSuite kAllSuites[] = {
    CipherSuite::Aes128CtrHmacSha256_80,      CipherSuite::Aes128CtrHmacSha256_64,
    CipherSuite::Aes128CtrHmacSha256_32,      CipherSuite::Aes128GcmSha256_128,
    CipherSuite::Aes256GcmSha512_128,         CipherSuite::Aes256CtrHmacSha512_80,
    CipherSuite::Aes256CtrHmacSha512_64,      CipherSuite::Aes256CtrHmacSha512_32,
    CipherSuite::IntegrityOnlyHmacSha256_128,
};

QString suiteName(CipherSuite s) {
    const auto n = cipherSuiteInfo(s).name;
    return QString::fromLatin1(n.data(), static_cast<int>(n.size()));
}

// A sender and a receiver sharing one key under `kid`.
struct Pair {
    SFrameContext sender;
    SFrameContext receiver;
};

Pair keyedPair(CipherSuite suite, std::uint64_t kid = 0x1234, SFrameOptions options = {}) {
    Pair p{SFrameContext(suite, options), SFrameContext(suite, options)};
    if (!p.sender.addSendKey(kid, baseKey(0x42)) || !p.receiver.addReceiveKey(kid, baseKey(0x42)))
        qFatal("keying an SFrame pair failed");
    return p;
}

} // namespace

class SFrameTest : public QObject {
    Q_OBJECT

    json m_vectors;

  private slots:
    void initTestCase() {
        QFile f(twinseal::test::dataPath(QStringLiteral("sframe/test-vectors.json")));
        QVERIFY2(f.open(QIODevice::ReadOnly), qPrintable(f.fileName() + ": " + f.errorString()));
        const QByteArray raw = f.readAll();
        m_vectors = json::parse(raw.constData(), raw.constData() + raw.size(), nullptr, false);
        QVERIFY(!m_vectors.is_discarded());
        // Pins the file: a truncated or swapped file fails here.
        QCOMPARE(m_vectors.at("header").size(), std::size_t{289});
        QCOMPARE(m_vectors.at("aes_ctr_hmac").size(), std::size_t{3});
        QCOMPARE(m_vectors.at("aes_256_ctr_hmac").size(), std::size_t{3});
        QCOMPARE(m_vectors.at("sframe").size(), std::size_t{5});
    }

    void cleanup() {
        // Every refusal leaves OpenSSL's error queue empty.
        QCOMPARE(ERR_peek_error(), 0ul);
    }

    // ---- the published vectors ------------------------------------------------------------------

    void headerVectors() {
        int checked = 0;
        for (const auto& v : m_vectors.at("header")) {
            const SFrameHeader h{v.at("kid").get<std::uint64_t>(),
                                 v.at("ctr").get<std::uint64_t>()};
            const Bytes encoded = hexField(v, "encoded");
            COMPARE_BYTES(encodeSFrameHeader(h), encoded);
            // Decoding reads exactly the header, whatever follows it.
            Bytes withBody = encoded;
            withBody.insert(withBody.end(), {0xde, 0xad, 0xbe, 0xef});
            auto d = decodeSFrameHeader(withBody);
            QVERIFY2(d.ok(), why(d));
            QCOMPARE(d->header.kid, h.kid);
            QCOMPARE(d->header.ctr, h.ctr);
            QCOMPARE(d->size, encoded.size());
            // A header cut short is refused, never read past.
            if (encoded.size() > 1)
                QCOMPARE(codeOf(decodeSFrameHeader(ByteView(encoded).first(encoded.size() - 1))),
                         QStringLiteral("sframe-malformed"));
            ++checked;
        }
        QCOMPARE(checked, 289);
        QCOMPARE(codeOf(decodeSFrameHeader({})), QStringLiteral("sframe-malformed"));
    }

    void ctrHmacVectors() {
        int checked = 0;
        for (const char* section : {"aes_ctr_hmac", "aes_256_ctr_hmac"}) {
            for (const auto& v : m_vectors.at(section)) {
                const auto suiteValue = v.at("cipher_suite").get<std::uint16_t>();
                auto info = cipherSuiteInfo(suiteValue);
                QVERIFY2(info.ok(), why(info));
                QCOMPARE(info->aead, FrameAead::AesCtrHmac);
                const Bytes key = hexField(v, "key");
                // key = enc_key || auth_key (RFC 9605 section 4.5.1 derive_subkeys).
                Bytes split = hexField(v, "enc_key");
                const Bytes auth = hexField(v, "auth_key");
                split.insert(split.end(), auth.begin(), auth.end());
                COMPARE_BYTES(key, split);
                QCOMPARE(hexField(v, "enc_key").size(), info->nka);

                const Bytes nonce = hexField(v, "nonce");
                const Bytes aad = hexField(v, "aad");
                const Bytes pt = hexField(v, "pt");
                const Bytes ct = hexField(v, "ct");
                auto sealed = sframeAeadSeal(info->suite, key, nonce, aad, pt);
                QVERIFY2(sealed.ok(), why(sealed));
                COMPARE_BYTES(*sealed, ct);
                auto opened = sframeAeadOpen(info->suite, key, nonce, aad, ct);
                QVERIFY2(opened.ok(), why(opened));
                COMPARE_BYTES(*opened, pt);
                // Any flipped bit of ciphertext or tag, or of the AAD, is refused.
                for (std::size_t i = 0; i < ct.size(); ++i) {
                    Bytes bad = ct;
                    bad[i] ^= 0x01;
                    QCOMPARE(codeOf(sframeAeadOpen(info->suite, key, nonce, aad, bad)),
                             QStringLiteral("sframe-authentication-failed"));
                }
                Bytes badAad = aad;
                badAad[0] ^= 0x80;
                QCOMPARE(codeOf(sframeAeadOpen(info->suite, key, nonce, badAad, ct)),
                         QStringLiteral("sframe-authentication-failed"));
                ++checked;
            }
        }
        QCOMPARE(checked, 6);
    }

    void sframeVectors() {
        int checked = 0;
        for (const auto& v : m_vectors.at("sframe")) {
            const auto suiteValue = v.at("cipher_suite").get<std::uint16_t>();
            auto info = cipherSuiteInfo(suiteValue);
            QVERIFY2(info.ok(), why(info));
            const CipherSuite suite = info->suite;
            const std::uint64_t kid = v.at("kid").get<std::uint64_t>();
            const std::uint64_t ctr = v.at("ctr").get<std::uint64_t>();
            const Bytes base = hexField(v, "base_key");
            const Bytes metadata = hexField(v, "metadata");
            const Bytes pt = hexField(v, "pt");
            const Bytes ct = hexField(v, "ct");

            // Key schedule (section 4.4.2).
            COMPARE_BYTES(sframeKeyLabel(suite, kid), hexField(v, "sframe_key_label"));
            COMPARE_BYTES(sframeSaltLabel(suite, kid), hexField(v, "sframe_salt_label"));
            auto secret = sframeSecret(suite, base);
            QVERIFY2(secret.ok(), why(secret));
            COMPARE_BYTES(*secret, hexField(v, "sframe_secret"));
            auto keys = deriveSFrameKeys(suite, kid, base);
            QVERIFY2(keys.ok(), why(keys));
            COMPARE_BYTES(keys->key, hexField(v, "sframe_key"));
            COMPARE_BYTES(keys->salt, hexField(v, "sframe_salt"));

            // Nonce and AAD (section 4.4.3).
            COMPARE_BYTES(sframeNonce(keys->salt, ctr), hexField(v, "nonce"));
            Bytes aad = encodeSFrameHeader({kid, ctr});
            aad.insert(aad.end(), metadata.begin(), metadata.end());
            COMPARE_BYTES(aad, hexField(v, "aad"));

            // Encryption and decryption of the frame.
            auto frame = sframeEncrypt(suite, *keys, {kid, ctr}, metadata, pt);
            QVERIFY2(frame.ok(), why(frame));
            COMPARE_BYTES(*frame, ct);
            auto decrypted = sframeDecrypt(suite, *keys, ct, metadata);
            QVERIFY2(decrypted.ok(), why(decrypted));
            QCOMPARE(decrypted->header.kid, kid);
            QCOMPARE(decrypted->header.ctr, ctr);
            COMPARE_BYTES(decrypted->plaintext, pt);

            // The same frame through a receiving context keyed with the base key alone; a
            // second delivery is a replay.
            SFrameContext receiver(suite);
            QVERIFY(receiver.addReceiveKey(kid, base).ok());
            auto opened = receiver.unprotect(ct, metadata);
            QVERIFY2(opened.ok(), why(opened));
            COMPARE_BYTES(*opened, pt);
            QCOMPARE(codeOf(receiver.unprotect(ct, metadata)), QStringLiteral("sframe-replayed"));

            // Other metadata than the sender's is refused (it is part of the AAD).
            Bytes otherMetadata = metadata;
            otherMetadata.back() ^= 0x01;
            QCOMPARE(codeOf(sframeDecrypt(suite, *keys, ct, otherMetadata)),
                     QStringLiteral("sframe-authentication-failed"));
            ++checked;
        }
        QCOMPARE(checked, 5);
    }

    // ---- the context ----------------------------------------------------------------------------

    void everySuiteRoundTrips_data() {
        QTest::addColumn<CipherSuite>("suite");
        for (CipherSuite s : kAllSuites)
            QTest::newRow(qPrintable(suiteName(s))) << s;
    }
    void everySuiteRoundTrips() {
        QFETCH(CipherSuite, suite);
        Pair p = keyedPair(suite);
        for (std::uint64_t i = 0; i < 20; ++i) {
            auto next = p.sender.nextCounter(0x1234);
            QVERIFY(next.ok());
            QCOMPARE(*next, i);
            auto frame = p.sender.protect(0x1234, testMetadata(), testPayload());
            QVERIFY2(frame.ok(), why(frame));
            QCOMPARE(frame->size(), encodeSFrameHeader({0x1234, i}).size() + testPayload().size() +
                                        cipherSuiteInfo(suite).nt);
            auto d = decodeSFrameHeader(*frame);
            QVERIFY(d.ok());
            QCOMPARE(d->header.ctr, i); // monotonic per key
            auto pt = p.receiver.unprotect(*frame, testMetadata());
            QVERIFY2(pt.ok(), why(pt));
            COMPARE_BYTES(*pt, testPayload());
        }
        // An empty payload is a valid frame too.
        auto empty = p.sender.protect(0x1234, {}, {});
        QVERIFY2(empty.ok(), why(empty));
        auto pt = p.receiver.unprotect(*empty, {});
        QVERIFY2(pt.ok(), why(pt));
        QVERIFY(pt->empty());
    }

    void encryptingSuitesHideThePayload() {
        for (CipherSuite s : kAllSuites) {
            if (!cipherSuiteInfo(s).encrypts)
                continue;
            Pair p = keyedPair(s);
            QVERIFY(p.sender.encrypts());
            auto frame = p.sender.protect(0x1234, testMetadata(), testPayload());
            QVERIFY(frame.ok());
            QVERIFY2(std::search(frame->begin(), frame->end(), testPayload().begin(), testPayload().end()) ==
                         frame->end(),
                     qPrintable(suiteName(s)));
        }
    }

    void replayIsRefused() {
        Pair p = keyedPair(kDefaultCipherSuite);
        auto frame = p.sender.protect(0x1234, testMetadata(), testPayload());
        QVERIFY(frame.ok());
        QVERIFY(p.receiver.unprotect(*frame, testMetadata()).ok());
        auto again = p.receiver.unprotect(*frame, testMetadata());
        QCOMPARE(codeOf(again), QStringLiteral("sframe-replayed"));
        // A refusal through the buffer-reusing call leaves the buffer empty.
        Bytes reused = testPayload();
        QCOMPARE(codeOf(p.receiver.unprotectInto(*frame, testMetadata(), reused)),
                 QStringLiteral("sframe-replayed"));
        QVERIFY(reused.empty());
        QVERIFY(again.error().detail.find("counter 0") != std::string::npos);
    }

    void reorderingWithinTheWindowIsAccepted() {
        Pair p = keyedPair(CipherSuite::Aes128CtrHmacSha256_80);
        std::vector<Bytes> frames;
        for (int i = 0; i < 200; ++i) {
            auto f = p.sender.protect(0x1234, testMetadata(), testPayload());
            QVERIFY(f.ok());
            frames.push_back(*f);
        }
        // Newest first, then everything down to 128 below it (the default window), each once.
        QVERIFY(p.receiver.unprotect(frames[199], testMetadata()).ok());
        for (int i = 198; i >= 199 - 127; --i)
            QVERIFY2(p.receiver.unprotect(frames[i], testMetadata()).ok(),
                     qPrintable(QString::number(i)));
        // Each of them again: replays.
        for (int i = 199; i >= 199 - 127; --i)
            QCOMPARE(codeOf(p.receiver.unprotect(frames[i], testMetadata())),
                     QStringLiteral("sframe-replayed"));
        // Just below the window: too old (never seen, but the window can no longer tell).
        QCOMPARE(codeOf(p.receiver.unprotect(frames[199 - 128], testMetadata())),
                 QStringLiteral("sframe-too-old"));
        QCOMPARE(codeOf(p.receiver.unprotect(frames[0], testMetadata())),
                 QStringLiteral("sframe-too-old"));
    }

    void windowSlidesWithGaps() {
        SFrameReplayWindow w(64);
        QCOMPARE(w.size(), std::size_t{64});
        QVERIFY(w.check(1000).ok());
        w.accept(1000);
        QVERIFY(w.check(999).ok());
        QVERIFY(w.check(1000 - 63).ok());
        QCOMPARE(codeOf(w.check(1000 - 64)), QStringLiteral("sframe-too-old"));
        w.accept(1000 - 63);
        w.accept(1010); // a gap of 10: bits for 1001..1010 are fresh, 937..946 drop out
        QCOMPARE(codeOf(w.check(1000)), QStringLiteral("sframe-replayed"));
        QCOMPARE(codeOf(w.check(1000 - 63)), QStringLiteral("sframe-too-old"));
        for (std::uint64_t c = 1001; c < 1010; ++c)
            QVERIFY(w.check(c).ok());
        QCOMPARE(codeOf(w.check(1010)), QStringLiteral("sframe-replayed"));
        w.accept(1010 + 500); // a jump past the whole window forgets everything below
        QCOMPARE(codeOf(w.check(1010)), QStringLiteral("sframe-too-old"));
        QVERIFY(w.check(1010 + 499).ok());
        QCOMPARE(SFrameReplayWindow(100).size(), std::size_t{128});
    }

    void tamperedFramesAreRefused_data() { everySuiteRoundTrips_data(); }
    void tamperedFramesAreRefused() {
        QFETCH(CipherSuite, suite);
        Pair p = keyedPair(suite, 0x1234);
        auto frame = p.sender.protect(0x1234, testMetadata(), testPayload());
        QVERIFY(frame.ok());
        const std::size_t headerSize = decodeSFrameHeader(*frame)->size;
        // Every single bit of the frame (header, ciphertext, tag) matters.
        for (std::size_t i = 0; i < frame->size(); ++i) {
            for (int bit = 0; bit < 8; ++bit) {
                Bytes bad = *frame;
                bad[i] ^= static_cast<std::uint8_t>(1u << bit);
                auto r = p.receiver.unprotect(bad, testMetadata());
                QVERIFY2(!r.ok(),
                         qPrintable(QStringLiteral("byte %1 bit %2 accepted").arg(i).arg(bit)));
                if (i >= headerSize)
                    QCOMPARE(codeOf(r), QStringLiteral("sframe-authentication-failed"));
                else // a changed header names another KID/counter, or cuts the frame
                    QVERIFY2(codeOf(r) == QStringLiteral("sframe-authentication-failed") ||
                                 codeOf(r) == QStringLiteral("sframe-unknown-key-id") ||
                                 codeOf(r) == QStringLiteral("sframe-malformed"),
                             why(r));
            }
        }
        // Truncated and extended frames are refused; so is other metadata.
        QCOMPARE(codeOf(p.receiver.unprotect(ByteView(*frame).first(frame->size() - 1), testMetadata())),
                 QStringLiteral("sframe-authentication-failed"));
        QCOMPARE(codeOf(p.receiver.unprotect(ByteView(*frame).first(headerSize + 1), testMetadata())),
                 QStringLiteral("sframe-malformed"));
        Bytes longer = *frame;
        longer.push_back(0);
        QCOMPARE(codeOf(p.receiver.unprotect(longer, testMetadata())),
                 QStringLiteral("sframe-authentication-failed"));
        QCOMPARE(codeOf(p.receiver.unprotect(*frame, toBytes("pose-stream:participant-8"))),
                 QStringLiteral("sframe-authentication-failed"));
        // None of the refusals used up the counter: the genuine frame still opens, once.
        QVERIFY(p.receiver.unprotect(*frame, testMetadata()).ok());
        QCOMPARE(codeOf(p.receiver.unprotect(*frame, testMetadata())),
                 QStringLiteral("sframe-replayed"));
    }

    void headerTamperingToAKnownKidIsRefused() {
        // The receiver holds keys for two senders; a relay rewriting the KID of sender 1's frame
        // into sender 2's fails authentication (the header is in the AAD and the keys differ).
        SFrameContext sender;
        QVERIFY(sender.addSendKey(1, baseKey(1)).ok());
        SFrameContext receiver;
        QVERIFY(receiver.addReceiveKey(1, baseKey(1)).ok());
        QVERIFY(receiver.addReceiveKey(2, baseKey(2)).ok());
        auto frame = sender.protect(1, testMetadata(), testPayload());
        QVERIFY(frame.ok());
        QCOMPARE((*frame)[0], std::uint8_t{0x10}); // KID 1, CTR 0 in the config byte
        Bytes rewritten = *frame;
        rewritten[0] = 0x20;
        QCOMPARE(codeOf(receiver.unprotect(rewritten, testMetadata())),
                 QStringLiteral("sframe-authentication-failed"));
        // A rewritten counter: same key, other nonce and AAD.
        rewritten = *frame;
        rewritten[0] = 0x13;
        QCOMPARE(codeOf(receiver.unprotect(rewritten, testMetadata())),
                 QStringLiteral("sframe-authentication-failed"));
        QVERIFY(receiver.unprotect(*frame, testMetadata()).ok());
    }

    void wrongKeyIsRefused() {
        for (CipherSuite s : kAllSuites) {
            SFrameContext sender(s);
            SFrameContext receiver(s);
            QVERIFY(sender.addSendKey(5, baseKey(0x42)).ok());
            QVERIFY(receiver.addReceiveKey(5, baseKey(0x43)).ok());
            auto frame = sender.protect(5, testMetadata(), testPayload());
            QVERIFY(frame.ok());
            auto r = receiver.unprotect(*frame, testMetadata());
            QCOMPARE(codeOf(r), QStringLiteral("sframe-authentication-failed"));
            QVERIFY(r.error().detail.find(std::string(cipherSuiteInfo(s).name)) !=
                    std::string::npos);
        }
        // The same base key under another KID derives other keys (the KID is in the labels).
        auto a = deriveSFrameKeys(kDefaultCipherSuite, 1, baseKey(9));
        auto b = deriveSFrameKeys(kDefaultCipherSuite, 2, baseKey(9));
        QVERIFY(a.ok() && b.ok());
        QVERIFY(a->key != b->key);
        QVERIFY(a->salt != b->salt);
        // ...and so does the same base key under another suite.
        auto c = deriveSFrameKeys(CipherSuite::IntegrityOnlyHmacSha256_128, 1, baseKey(9));
        QVERIFY(c.ok());
        QVERIFY(!std::equal(c->key.begin(), c->key.begin() + 16, a->key.begin()));
    }

    void unknownKidIsRefused() {
        Pair p = keyedPair(kDefaultCipherSuite, 7);
        auto frame = p.sender.protect(7, testMetadata(), testPayload());
        QVERIFY(frame.ok());
        QCOMPARE(codeOf(p.sender.protect(8, testMetadata(), testPayload())),
                 QStringLiteral("sframe-unknown-key-id"));
        SFrameContext stranger;
        QVERIFY(stranger.addReceiveKey(8, baseKey(0x42)).ok());
        auto r = stranger.unprotect(*frame, testMetadata());
        QCOMPARE(codeOf(r), QStringLiteral("sframe-unknown-key-id"));
        QVERIFY(r.error().detail.find("KID 7") != std::string::npos);
        // A removed receive key: later frames under it are refused the same way.
        QVERIFY(p.receiver.hasReceiveKey(7));
        QVERIFY(p.receiver.removeReceiveKey(7));
        QVERIFY(!p.receiver.hasReceiveKey(7));
        QCOMPARE(codeOf(p.receiver.unprotect(*frame, testMetadata())),
                 QStringLiteral("sframe-unknown-key-id"));
        QVERIFY(!p.receiver.removeReceiveKey(7));
    }

    void keysAreNotReplacedInPlace() {
        SFrameContext c;
        QVERIFY(c.addSendKey(3, baseKey(1)).ok());
        QCOMPARE(codeOf(c.addSendKey(3, baseKey(2))), QStringLiteral("invalid-argument"));
        QVERIFY(c.addReceiveKey(3, baseKey(1)).ok());
        QCOMPARE(codeOf(c.addReceiveKey(3, baseKey(2))), QStringLiteral("invalid-argument"));
        QCOMPARE(codeOf(c.addSendKey(4, {})), QStringLiteral("invalid-argument"));
        QCOMPARE(codeOf(cipherSuiteInfo(std::uint16_t{0x0000})),
                 QStringLiteral("unsupported-algorithm"));
        QCOMPARE(codeOf(cipherSuiteInfo(std::uint16_t{0x0009})),
                 QStringLiteral("unsupported-algorithm"));
    }

    void counterExhaustionIsRefused() {
        SFrameOptions options;
        options.maxCounter = 2;
        Pair p = keyedPair(kDefaultCipherSuite, 0x1234, options);
        for (int i = 0; i <= 2; ++i) {
            auto f = p.sender.protect(0x1234, testMetadata(), testPayload());
            QVERIFY2(f.ok(), why(f));
            QVERIFY(p.receiver.unprotect(*f, testMetadata()).ok());
        }
        auto r = p.sender.protect(0x1234, testMetadata(), testPayload());
        QCOMPARE(codeOf(r), QStringLiteral("sframe-counter-exhausted"));
        QVERIFY(r.error().detail.find("re-key") != std::string::npos);
        // It stays refused; a new key (new KID) sends again from counter 0.
        QCOMPARE(codeOf(p.sender.protect(0x1234, testMetadata(), testPayload())),
                 QStringLiteral("sframe-counter-exhausted"));
        QVERIFY(p.sender.addSendKey(0x1235, baseKey(0x43)).ok());
        QCOMPARE(*p.sender.nextCounter(0x1235), std::uint64_t{0});
        QVERIFY(p.sender.protect(0x1235, testMetadata(), testPayload()).ok());
    }

    void counterNeverWraps() {
        // With the full 64-bit range the last counter is 2^64 - 1, and it is encoded as such.
        const std::uint64_t last = std::numeric_limits<std::uint64_t>::max();
        auto keys = deriveSFrameKeys(kDefaultCipherSuite, 1, baseKey(1));
        QVERIFY(keys.ok());
        auto frame = sframeEncrypt(kDefaultCipherSuite, *keys, {1, last}, testMetadata(), testPayload());
        QVERIFY(frame.ok());
        auto d = sframeDecrypt(kDefaultCipherSuite, *keys, *frame, testMetadata());
        QVERIFY2(d.ok(), why(d));
        QCOMPARE(d->header.ctr, last);
    }

    void integrityOnlyCarriesThePayloadInClear() {
        Pair p = keyedPair(CipherSuite::IntegrityOnlyHmacSha256_128, 9);
        QVERIFY(!p.sender.encrypts());
        const CipherSuiteInfo info = cipherSuiteInfo(CipherSuite::IntegrityOnlyHmacSha256_128);
        QVERIFY(info.nt * 8 >= 64);  // tag of at least 64 bits
        QVERIFY(info.nk * 8 >= 128); // key of at least 128 bits
        auto frame = p.sender.protect(9, testMetadata(), testPayload());
        QVERIFY(frame.ok());
        // header || payload in clear || 16-byte tag.
        const std::size_t headerSize = decodeSFrameHeader(*frame)->size;
        QCOMPARE(frame->size(), headerSize + testPayload().size() + 16);
        QVERIFY(std::equal(testPayload().begin(), testPayload().end(), frame->begin() + headerSize));
        // A flipped bit in the clear payload is refused; the same replay rules apply.
        Bytes bad = *frame;
        bad[headerSize + 3] ^= 0x04;
        QCOMPARE(codeOf(p.receiver.unprotect(bad, testMetadata())),
                 QStringLiteral("sframe-authentication-failed"));
        auto pt = p.receiver.unprotect(*frame, testMetadata());
        QVERIFY(pt.ok());
        COMPARE_BYTES(*pt, testPayload());
        QCOMPARE(codeOf(p.receiver.unprotect(*frame, testMetadata())),
                 QStringLiteral("sframe-replayed"));
    }
};

TWINSEAL_TEST(SFrameTest, "sframe")

} // namespace test_sframe
} // namespace

#include "test_sframe.moc"
