// The call's frame protection without a network: the animation frame layout both ways and its
// refusals; three participants key each other (CallFrameKeys), read each other's frames, and
// after one leaves and the others re-key, the one that left cannot read later frames with the
// keys it held. A flipped bit, a replayed frame, a frame re-attributed to another sender, a key
// for the wrong participant: each refused with its own reason. Integrity-only rooms send the
// payload in clear, authenticated.
#include <QtTest>

#include <algorithm>

#include "testmain.h"

#include <twinseal/calls/animation_frame.h>
#include <twinseal/calls/call_frame_keys.h>

// Fails the test with the reason code and detail unless a security::Result succeeded.
#define REQUIRE_OK(r)                                                                              \
    do {                                                                                           \
        const auto& sec_ok_ = (r);                                                                 \
        if (!sec_ok_.ok())                                                                         \
            QFAIL(sec_ok_.error().message().c_str());                                              \
    } while (0)

namespace twinseal::test::calls {

using namespace twinseal::calls;
using namespace twinseal::security;

namespace {

AnimationFrame pose(float t) {
    AnimationFrame a;
    a.timestampUs = static_cast<std::int64_t>(t * 1e6f);
    a.head = {{0.f, 1.6f, 0.f}, {0.f, t, 0.f, 1.f}};
    a.leftHand = {{-0.3f, 1.1f, 0.2f}, {0.1f, 0.f, 0.f, 1.f}};
    a.rightHand = {{0.3f, 1.1f, 0.2f}, {0.f, 0.f, 0.1f, 1.f}};
    a.blendShapes = {0.f, 0.5f, 1.f};
    return a;
}

struct Party {
    std::uint32_t id;
    std::shared_ptr<const CallKeyPair> key;
    std::unique_ptr<CallFrameKeys> frames;
};

Party party(std::uint32_t id, FrameProtection p = FrameProtection::Confidential) {
    auto k = CallKeyPair::generate(SystemRandom::instance());
    auto key = std::make_shared<const CallKeyPair>(std::move(*k));
    return Party{id, key, std::make_unique<CallFrameKeys>("r1", id, p, key, SystemRandom::instance())};
}

// `from` starts an epoch for `to` and every recipient installs it.
Status keyFor(Party& from, std::vector<Party*> to) {
    std::map<std::uint32_t, Bytes> peers;
    for (Party* p : to)
        peers.emplace(p->id, p->key->publicKey());
    auto out = from.frames->rekey(peers);
    TWINSEAL_TRY(out);
    for (const OutgoingKey& k : *out) {
        Party* p = *std::find_if(to.begin(), to.end(), [&](Party* x) { return x->id == k.to; });
        TWINSEAL_TRY(p->frames->installPeerKey(from.id, from.key->publicKey(), k.epoch, view(k.wrapped)));
    }
    return {};
}

} // namespace

class CallFramesTest : public QObject {
    Q_OBJECT

private slots:
    void animationFrameLayout() {
        const AnimationFrame a = pose(0.25f);
        auto bytes = encodeAnimationFrame(a);
        REQUIRE_OK(bytes);
        QCOMPARE(bytes->size(), std::size_t(1 + 8 + 84 + 1 + 12));
        auto back = decodeAnimationFrame(*bytes);
        REQUIRE_OK(back);
        QVERIFY(*back == a);

        Bytes truncated(bytes->begin(), bytes->end() - 1);
        QCOMPARE(decodeAnimationFrame(truncated).error().code, ErrorCode::MalformedInput);
        Bytes version = *bytes;
        version[0] = 2;
        QCOMPARE(decodeAnimationFrame(version).error().code, ErrorCode::MalformedInput);
        Bytes nan = *bytes;
        nan[9] = nan[10] = 0xff; // the head's x becomes a NaN
        nan[11] = 0xff;
        nan[12] = 0x7f;
        QCOMPARE(decodeAnimationFrame(nan).error().code, ErrorCode::MalformedInput);
        AnimationFrame many = a;
        many.blendShapes.assign(kMaxBlendShapes + 1, 0.5f);
        QCOMPARE(encodeAnimationFrame(many).error().code, ErrorCode::InvalidArgument);
    }

    void threePartiesThenOneLeaves() {
        Party a = party(1), b = party(2), c = party(3);
        REQUIRE_OK(keyFor(a, {&b, &c}));
        REQUIRE_OK(keyFor(b, {&a, &c}));
        REQUIRE_OK(keyFor(c, {&a, &b}));
        for (Party* sender : {&a, &b, &c}) {
            auto payload = encodeAnimationFrame(pose(static_cast<float>(sender->id)));
            auto frame = sender->frames->protect(*payload);
            REQUIRE_OK(frame);
            // Confidential: the payload is not in the frame.
            QVERIFY(std::search(frame->begin(), frame->end(), payload->begin() + 9, payload->end()) == frame->end());
            for (Party* receiver : {&a, &b, &c}) {
                if (receiver == sender)
                    continue;
                auto got = receiver->frames->unprotect(sender->id, *frame);
                REQUIRE_OK(got);
                QVERIFY(*decodeAnimationFrame(*got) == pose(static_cast<float>(sender->id)));
            }
        }

        // C leaves: A and B re-key for each other only. C keeps everything it held.
        REQUIRE_OK(keyFor(a, {&b}));
        REQUIRE_OK(keyFor(b, {&a}));
        auto later = a.frames->protect(*encodeAnimationFrame(pose(9.f)));
        REQUIRE_OK(later);
        REQUIRE_OK(b.frames->unprotect(1, *later));
        auto removed = c.frames->unprotect(1, *later);
        QVERIFY(!removed.ok());
        QCOMPARE(removed.error().code, ErrorCode::SFrameUnknownKeyId);
    }

    void refusals() {
        Party a = party(1), b = party(2), c = party(3);
        REQUIRE_OK(keyFor(a, {&b}));
        auto frame = a.frames->protect(*encodeAnimationFrame(pose(1.f)));
        REQUIRE_OK(frame);
        Bytes flipped = *frame;
        flipped[flipped.size() / 2] ^= 0x01;
        QCOMPARE(b.frames->unprotect(1, flipped).error().code, ErrorCode::SFrameAuthenticationFailed);
        // Re-attributed by the relay to another sender: no key, or the wrong metadata.
        QCOMPARE(b.frames->unprotect(3, *frame).error().code, ErrorCode::SFrameUnknownKeyId);
        REQUIRE_OK(b.frames->unprotect(1, *frame));
        QCOMPARE(b.frames->unprotect(1, *frame).error().code, ErrorCode::SFrameReplayed);

        // A key update wrapped for B, presented to C: not addressed to it.
        auto out = a.frames->rekey({{2, b.key->publicKey()}});
        REQUIRE_OK(out);
        const std::string wrapped = out->at(0).wrapped;
        auto notForC = c.frames->installPeerKey(1, a.key->publicKey(), out->at(0).epoch, view(wrapped));
        QCOMPARE(notForC.error().code, ErrorCode::FrameKeyNotAddressed);
        // Claimed by another sender than the one whose verified key made it.
        auto otherSender = b.frames->installPeerKey(1, c.key->publicKey(), out->at(0).epoch, view(wrapped));
        QCOMPARE(otherSender.error().code, ErrorCode::FrameKeyContextMismatch);
        std::string altered = wrapped;
        altered.back() = static_cast<char>(altered.back() ^ 1);
        QCOMPARE(b.frames->installPeerKey(1, a.key->publicKey(), out->at(0).epoch, view(altered)).error().code,
                 ErrorCode::FrameKeyUnwrapFailed);
        QCOMPARE(b.frames->installPeerKey(1, a.key->publicKey(), out->at(0).epoch, view(wrapped.substr(3))).error().code,
                 ErrorCode::MalformedInput);
        REQUIRE_OK(b.frames->installPeerKey(1, a.key->publicKey(), out->at(0).epoch, view(wrapped)));
        // The same epoch again (a replayed key update) is refused.
        QCOMPARE(b.frames->installPeerKey(1, a.key->publicKey(), out->at(0).epoch, view(wrapped)).error().code,
                 ErrorCode::FrameKeyContextMismatch);
    }

    void integrityOnly() {
        Party a = party(1, FrameProtection::IntegrityOnly), b = party(2, FrameProtection::IntegrityOnly);
        REQUIRE_OK(keyFor(a, {&b}));
        auto payload = encodeAnimationFrame(pose(2.f));
        auto frame = a.frames->protect(*payload);
        REQUIRE_OK(frame);
        // In clear, and authenticated.
        QVERIFY(std::search(frame->begin(), frame->end(), payload->begin(), payload->end()) != frame->end());
        REQUIRE_OK(b.frames->unprotect(1, *frame));
        auto next = a.frames->protect(*payload);
        REQUIRE_OK(next);
        Bytes flipped = *next;
        flipped[flipped.size() / 2] ^= 0x01; // a bit of the clear payload
        QCOMPARE(b.frames->unprotect(1, flipped).error().code, ErrorCode::SFrameAuthenticationFailed);
        // A confidential room's participant does not accept an integrity-only frame.
        Party c = party(3);
        auto cross = keyFor(a, {&c});
        QVERIFY(!cross.ok());
        QCOMPARE(cross.error().code, ErrorCode::FrameKeyUnwrapFailed);
    }
};

} // namespace twinseal::test::calls

using twinseal::test::calls::CallFramesTest;
TWINSEAL_TEST(CallFramesTest, "frames")
#include "test_frames.moc"
