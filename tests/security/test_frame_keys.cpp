// The call's frame keys (frame_keys.h): per-sender, per-epoch SFrame base keys wrapped
// pairwise under X25519 + HKDF; a removed participant cannot read later epochs; the bundle is
// bound to its room, epoch, suite, sender and roster; integrity-only rooms carry frames in clear
// but authenticated.
#include <QObject>
#include <QtTest>

#include <openssl/err.h>

#include <algorithm>
#include <string>

#include "testmain.h"
#include "twinseal/security/frame_keys.h"
#include "twinseal/security/sframe.h"

namespace {
namespace test_frame_keys {

using namespace twinseal::security;

namespace {

template <typename R> QString codeOf(const R& r) {
    return r.ok() ? QStringLiteral("ok")
                  : QString::fromLatin1(errorCodeName(r.error().code).data(),
                                        static_cast<int>(errorCodeName(r.error().code).size()));
}

template <typename R> QByteArray why(const R& r) {
    return r.ok() ? QByteArray("ok") : QByteArray::fromStdString(r.error().message());
}

CallKeyPair newKeyPair() {
    auto k = CallKeyPair::generate(SystemRandom::instance());
    if (!k)
        qFatal("generating a call key pair failed");
    return std::move(*k);
}

FrameKeyEpoch epochOf(const std::string& room, std::uint64_t n, std::uint16_t senderIndex,
                      const CallKeyPair& sender, const std::vector<const CallKeyPair*>& roster,
                      CipherSuite suite = kDefaultCipherSuite) {
    FrameKeyEpoch e;
    e.roomId = room;
    e.epoch = n;
    e.suite = suite;
    e.senderIndex = senderIndex;
    e.senderKey = sender.publicKey();
    for (const auto* m : roster)
        e.members.push_back(m->publicKey());
    return e;
}

const auto& testPose() {
    static const Bytes value = toBytes("head(0.1,0.2,0.3) hands(0.4,0.5) blend(0.7)");
    return value;
}
const auto& meta() {
    static const Bytes value = toBytes("room-1/alice");
    return value;
}

} // namespace

class FrameKeysTest : public QObject {
    Q_OBJECT

    CallKeyPair m_alice = newKeyPair();
    CallKeyPair m_bob = newKeyPair();
    CallKeyPair m_carol = newKeyPair();

  private slots:
    void cleanup() { QCOMPARE(ERR_peek_error(), 0ul); }

    void everyMemberDerivesTheSendersKey() {
        const FrameKeyEpoch e = epochOf("room-1", 1, 0, m_alice, {&m_alice, &m_bob, &m_carol});
        auto sent = m_alice.beginEpoch(e, SystemRandom::instance());
        QVERIFY2(sent.ok(), why(sent));
        QCOMPARE(sent->kid, frameKeyId(1, 0));
        QCOMPARE(sent->kid, std::uint64_t{1} << 16);
        QCOMPARE(sent->baseKey.size(), kFrameBaseKeySize);
        QCOMPARE(sent->bundle.wrapped.size(), std::size_t{2}); // Bob and Carol, not Alice

        SFrameContext aliceCtx(e.suite);
        QVERIFY(aliceCtx.addSendKey(sent->kid, sent->baseKey).ok());
        auto frame = aliceCtx.protect(sent->kid, meta(), testPose());
        QVERIFY(frame.ok());
        for (const CallKeyPair* r : {&m_bob, &m_carol}) {
            auto got = r->openEpochBundle(e, sent->bundle);
            QVERIFY2(got.ok(), why(got));
            QCOMPARE(got->kid, sent->kid);
            QVERIFY(got->baseKey == sent->baseKey);
            SFrameContext ctx(e.suite);
            QVERIFY(ctx.addReceiveKey(got->kid, got->baseKey).ok());
            auto pt = ctx.unprotect(*frame, meta());
            QVERIFY2(pt.ok(), why(pt));
            QVERIFY(*pt == testPose());
        }
        // The sender is not a recipient of its own bundle.
        QCOMPARE(codeOf(m_alice.openEpochBundle(e, sent->bundle)),
                 QStringLiteral("frame-key-not-addressed"));
    }

    void eachEpochAndSenderHasItsOwnKey() {
        const FrameKeyEpoch a1 = epochOf("room-1", 1, 0, m_alice, {&m_alice, &m_bob});
        const FrameKeyEpoch b1 = epochOf("room-1", 1, 1, m_bob, {&m_alice, &m_bob});
        auto ka = m_alice.beginEpoch(a1, SystemRandom::instance());
        auto kb = m_bob.beginEpoch(b1, SystemRandom::instance());
        QVERIFY(ka.ok() && kb.ok());
        QVERIFY(ka->kid != kb->kid);
        QVERIFY(ka->baseKey != kb->baseKey);
        // A new epoch (the re-key timer) gives a fresh key even with the same roster.
        FrameKeyEpoch a2 = a1;
        a2.epoch = 2;
        auto ka2 = m_alice.beginEpoch(a2, SystemRandom::instance());
        QVERIFY(ka2.ok());
        QVERIFY(ka2->baseKey != ka->baseKey);
        QCOMPARE(ka2->kid, frameKeyId(2, 0));
    }

    void removedMemberCannotReadTheNextEpoch() {
        // Epoch 1: Alice, Bob, Carol. Carol holds Alice's epoch-1 key.
        const FrameKeyEpoch e1 = epochOf("room-1", 1, 0, m_alice, {&m_alice, &m_bob, &m_carol});
        auto s1 = m_alice.beginEpoch(e1, SystemRandom::instance());
        QVERIFY(s1.ok());
        auto carol1 = m_carol.openEpochBundle(e1, s1->bundle);
        QVERIFY2(carol1.ok(), why(carol1));

        // Carol is removed: epoch 2 is Alice and Bob only.
        const FrameKeyEpoch e2 = epochOf("room-1", 2, 0, m_alice, {&m_alice, &m_bob});
        auto s2 = m_alice.beginEpoch(e2, SystemRandom::instance());
        QVERIFY(s2.ok());
        QCOMPARE(s2->bundle.wrapped.size(), std::size_t{1});
        QVERIFY(s2->bundle.wrapped[0].recipientKey == m_bob.publicKey());
        auto bob2 = m_bob.openEpochBundle(e2, s2->bundle);
        QVERIFY2(bob2.ok(), why(bob2));

        SFrameContext alice(e2.suite);
        QVERIFY(alice.addSendKey(s2->kid, s2->baseKey).ok());
        auto frame = alice.protect(s2->kid, meta(), testPose());
        QVERIFY(frame.ok());
        SFrameContext bob(e2.suite);
        QVERIFY(bob.addReceiveKey(bob2->kid, bob2->baseKey).ok());
        QVERIFY(bob.unprotect(*frame, meta()).ok());

        // 1. Carol is not addressed by the epoch-2 bundle, whichever roster she claims.
        QCOMPARE(codeOf(m_carol.openEpochBundle(e2, s2->bundle)),
                 QStringLiteral("frame-key-not-addressed"));
        FrameKeyEpoch withCarol = epochOf("room-1", 2, 0, m_alice, {&m_alice, &m_bob, &m_carol});
        QCOMPARE(codeOf(m_carol.openEpochBundle(withCarol, s2->bundle)),
                 QStringLiteral("frame-key-context-mismatch"));
        // 2. Bob's wrap relabelled as hers does not open under her key.
        EpochKeyBundle spliced = s2->bundle;
        spliced.wrapped[0].recipientKey = m_carol.publicKey();
        spliced.epoch = withCarol;
        QCOMPARE(codeOf(m_carol.openEpochBundle(withCarol, spliced)),
                 QStringLiteral("frame-key-unwrap-failed"));
        // 3. Her epoch-1 key does not open epoch-2 frames: the KID is unknown to it...
        SFrameContext carol(e1.suite);
        QVERIFY(carol.addReceiveKey(carol1->kid, carol1->baseKey).ok());
        QCOMPARE(codeOf(carol.unprotect(*frame, meta())), QStringLiteral("sframe-unknown-key-id"));
        // ...and filed under the epoch-2 KID it fails authentication.
        QVERIFY(carol.addReceiveKey(s2->kid, carol1->baseKey).ok());
        QCOMPARE(codeOf(carol.unprotect(*frame, meta())),
                 QStringLiteral("sframe-authentication-failed"));
    }

    void bundleIsBoundToItsContext() {
        const FrameKeyEpoch e = epochOf("room-1", 3, 0, m_alice, {&m_alice, &m_bob});
        auto s = m_alice.beginEpoch(e, SystemRandom::instance());
        QVERIFY(s.ok());
        // Bob expecting another room, epoch, suite, sender index or sender: refused.
        FrameKeyEpoch other = e;
        other.roomId = "room-2";
        QCOMPARE(codeOf(m_bob.openEpochBundle(other, s->bundle)),
                 QStringLiteral("frame-key-context-mismatch"));
        other = e;
        other.epoch = 4;
        QCOMPARE(codeOf(m_bob.openEpochBundle(other, s->bundle)),
                 QStringLiteral("frame-key-context-mismatch"));
        other = e;
        other.suite = CipherSuite::IntegrityOnlyHmacSha256_128;
        QCOMPARE(codeOf(m_bob.openEpochBundle(other, s->bundle)),
                 QStringLiteral("frame-key-context-mismatch"));
        // A relay rewriting the bundle's context to match a forged expectation: the wrap's AAD
        // is the context, so it no longer opens.
        EpochKeyBundle moved = s->bundle;
        moved.epoch.roomId = "room-2";
        other = e;
        other.roomId = "room-2";
        QCOMPARE(codeOf(m_bob.openEpochBundle(other, moved)),
                 QStringLiteral("frame-key-unwrap-failed"));
        // A flipped bit in the wrapped secret or its nonce.
        EpochKeyBundle bad = s->bundle;
        bad.wrapped[0].ciphertext[5] ^= 0x20;
        QCOMPARE(codeOf(m_bob.openEpochBundle(e, bad)), QStringLiteral("frame-key-unwrap-failed"));
        bad = s->bundle;
        bad.wrapped[0].nonce[0] ^= 0x01;
        QCOMPARE(codeOf(m_bob.openEpochBundle(e, bad)), QStringLiteral("frame-key-unwrap-failed"));
        // A bundle claiming to come from Carol (her key as sender) does not open either: the
        // pairwise key with Carol is not the one Alice wrapped under.
        FrameKeyEpoch fromCarol = epochOf("room-1", 3, 0, m_carol, {&m_carol, &m_bob});
        EpochKeyBundle impersonated = s->bundle;
        impersonated.epoch = fromCarol;
        QCOMPARE(codeOf(m_bob.openEpochBundle(fromCarol, impersonated)),
                 QStringLiteral("frame-key-unwrap-failed"));
        // The genuine bundle still opens.
        QVERIFY(m_bob.openEpochBundle(e, s->bundle).ok());
    }

    void rosterOrderDoesNotMatter() {
        const FrameKeyEpoch e = epochOf("room-1", 5, 2, m_alice, {&m_alice, &m_bob, &m_carol});
        FrameKeyEpoch shuffled = epochOf("room-1", 5, 2, m_alice, {&m_carol, &m_alice, &m_bob});
        auto c1 = frameKeyContext(e);
        auto c2 = frameKeyContext(shuffled);
        QVERIFY(c1.ok() && c2.ok());
        QVERIFY(*c1 == *c2);
        auto s = m_alice.beginEpoch(e, SystemRandom::instance());
        QVERIFY(s.ok());
        QVERIFY(m_bob.openEpochBundle(shuffled, s->bundle).ok());
    }

    void badEpochsAreRefused() {
        FrameKeyEpoch e = epochOf("room-1", 1, 0, m_alice, {&m_bob});
        QCOMPARE(codeOf(frameKeyContext(e)), QStringLiteral("invalid-argument")); // sender absent
        e = epochOf("", 1, 0, m_alice, {&m_alice, &m_bob});
        QCOMPARE(codeOf(frameKeyContext(e)), QStringLiteral("invalid-argument"));
        e = epochOf("room-1", kMaxFrameKeyEpoch + 1, 0, m_alice, {&m_alice, &m_bob});
        QCOMPARE(codeOf(frameKeyContext(e)), QStringLiteral("invalid-argument"));
        e = epochOf("room-1", 1, 0, m_alice, {&m_alice, &m_bob, &m_bob});
        QCOMPARE(codeOf(frameKeyContext(e)), QStringLiteral("invalid-argument"));
        // Starting an epoch for another sender's key.
        e = epochOf("room-1", 1, 0, m_bob, {&m_alice, &m_bob});
        QCOMPARE(codeOf(m_alice.beginEpoch(e, SystemRandom::instance())),
                 QStringLiteral("key-mismatch"));
        // A member key that is a small-order point gives no pairwise key.
        e = epochOf("room-1", 1, 0, m_alice, {&m_alice});
        e.members.push_back(Bytes(32, 0));
        QCOMPARE(codeOf(m_alice.beginEpoch(e, SystemRandom::instance())),
                 QStringLiteral("malformed-input"));
    }

    void integrityOnlyRoomFramesAreReadableButAuthenticated() {
        const CipherSuite suite = cipherSuiteFor(FrameProtection::IntegrityOnly);
        QCOMPARE(suite, CipherSuite::IntegrityOnlyHmacSha256_128);
        QCOMPARE(frameProtectionOf(suite), FrameProtection::IntegrityOnly);
        QCOMPARE(frameProtectionOf(cipherSuiteFor(FrameProtection::Confidential)),
                 FrameProtection::Confidential);
        QCOMPARE(cipherSuiteFor(FrameProtection::Confidential, true),
                 CipherSuite::Aes128CtrHmacSha256_80);
        QCOMPARE(frameProtectionName(FrameProtection::IntegrityOnly),
                 std::string_view("integrity-only"));

        const FrameKeyEpoch e = epochOf("room-legal", 1, 0, m_alice, {&m_alice, &m_bob}, suite);
        auto s = m_alice.beginEpoch(e, SystemRandom::instance());
        QVERIFY(s.ok());
        auto got = m_bob.openEpochBundle(e, s->bundle);
        QVERIFY(got.ok());
        SFrameContext alice(suite);
        SFrameContext bob(suite);
        QVERIFY(!alice.encrypts());
        QVERIFY(alice.addSendKey(s->kid, s->baseKey).ok());
        QVERIFY(bob.addReceiveKey(got->kid, got->baseKey).ok());
        auto frame = alice.protect(s->kid, meta(), testPose());
        QVERIFY(frame.ok());
        // The pose is in the frame as sent.
        QVERIFY(std::search(frame->begin(), frame->end(), testPose().begin(), testPose().end()) !=
                frame->end());
        // Any flipped bit is refused.
        for (std::size_t i = 0; i < frame->size(); ++i) {
            Bytes bad = *frame;
            bad[i] ^= 0x10;
            QVERIFY2(!bob.unprotect(bad, meta()).ok(), qPrintable(QString::number(i)));
        }
        auto pt = bob.unprotect(*frame, meta());
        QVERIFY2(pt.ok(), why(pt));
        QVERIFY(*pt == testPose());
    }
};

TWINSEAL_TEST(FrameKeysTest, "frame-keys")

} // namespace test_frame_keys
} // namespace

#include "test_frame_keys.moc"
