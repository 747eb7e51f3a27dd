// The call's frame protection without a network: the animation frame layout both ways and its
// refusals; three participants key each other (CallFrameKeys), read each other's frames, and
// after one leaves and the others re-key, the one that left cannot read later frames with the
// keys it held. Frames reordered by the relay within and beyond the replay window. A flipped
// bit, a replayed frame, a frame re-attributed to another sender, a key
// for the wrong participant: each refused with its own reason. Integrity-only rooms send the
// payload in clear, authenticated.
#include <QtTest>

#include <algorithm>

#include "test_macros.h"
#include "testmain.h"

#include <twinseal/calls/animation_frame.h>
#include <twinseal/calls/call_frame_keys.h>
#include <twinseal/security/sframe_replay.h>

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

    // A relay that reorders frames: every frame delivered out of order but within the replay
    // window (kDefaultSFrameReplayWindow counters below the highest seen) is read once, in any
    // order, and refused as replayed the second time; a frame held back beyond the window is
    // refused as too old (the window can no longer tell it is new), not shown twice.
    void reorderedByTheRelay() {
        Party a = party(1), b = party(2);
        REQUIRE_OK(keyFor(a, {&b}));
        const std::size_t window = kDefaultSFrameReplayWindow;
        std::vector<Bytes> frames;
        for (std::size_t i = 0; i < window + 40; ++i) {
            auto f = a.frames->protect(*encodeAnimationFrame(pose(static_cast<float>(i))));
            REQUIRE_OK(f);
            frames.push_back(std::move(*f));
        }
        // Within the window: pairs swapped, then a block of 64 backwards.
        std::vector<std::size_t> order;
        for (std::size_t i = 1; i + 1 < 32; i += 2) {
            order.push_back(i + 1);
            order.push_back(i);
        }
        for (std::size_t i = 32 + 64; i-- > 32;)
            order.push_back(i);
        for (std::size_t i : order) {
            auto got = b.frames->unprotect(1, frames[i]);
            REQUIRE_OK(got);
            QVERIFY(*decodeAnimationFrame(*got) == pose(static_cast<float>(i)));
        }
        // Each of them once only, whatever the order.
        for (std::size_t i : {std::size_t(2), std::size_t(1), std::size_t(95), std::size_t(40)})
            QCOMPARE(b.frames->unprotect(1, frames[i]).error().code, ErrorCode::SFrameReplayed);
        // The relay ran ahead to the newest frame; frame 0 (never delivered) is now more than the
        // window behind it: refused as too old. Frame 96, held back but still inside, is read.
        REQUIRE_OK(b.frames->unprotect(1, frames.back()));
        QVERIFY(frames.size() - 1 - 0 > window);
        QCOMPARE(b.frames->unprotect(1, frames[0]).error().code, ErrorCode::SFrameTooOld);
        QVERIFY(frames.size() - 1 - 96 <= window);
        auto inside = b.frames->unprotect(1, frames[96]);
        REQUIRE_OK(inside);
        QVERIFY(*decodeAnimationFrame(*inside) == pose(96.f));
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
