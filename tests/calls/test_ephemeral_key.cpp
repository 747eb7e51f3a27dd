// The call's ephemeral X25519 key (security::CallKeyPair, made by EvidenceBuilder for each
// assertion): a fresh key is fresh, an epoch key wrapped by one participant opens only with the
// key of the participant it was wrapped for, and a bundle for another room is refused.
#include <QtTest>

#include "testmain.h"

#include <twinseal/security/frame_keys.h>

namespace twinseal::test::calls {

using namespace twinseal::security;

class EphemeralKeyTest : public QObject {
    Q_OBJECT

    static FrameKeyEpoch epochOf(const CallKeyPair& sender, std::vector<Bytes> members) {
        FrameKeyEpoch e;
        e.roomId = "r1";
        e.epoch = 1;
        e.senderKey = sender.publicKey();
        std::sort(members.begin(), members.end());
        e.senderIndex = static_cast<std::uint16_t>(
            std::find(members.begin(), members.end(), sender.publicKey()) - members.begin());
        e.members = std::move(members);
        return e;
    }

private slots:
    void agreesBothWays() {
        auto a = CallKeyPair::generate(SystemRandom::instance());
        auto b = CallKeyPair::generate(SystemRandom::instance());
        auto c = CallKeyPair::generate(SystemRandom::instance());
        QVERIFY(a.ok() && b.ok() && c.ok());
        QCOMPARE(a->publicKey().size(), std::size_t(32));
        QVERIFY(a->publicKey() != b->publicKey());
        const FrameKeyEpoch epoch = epochOf(*a, {a->publicKey(), b->publicKey()});
        auto sent = a->beginEpoch(epoch, SystemRandom::instance());
        QVERIFY(sent.ok());
        auto got = b->openEpochBundle(epoch, sent->bundle);
        QVERIFY(got.ok());
        QCOMPARE(got->kid, sent->kid);
        QVERIFY(got->baseKey == sent->baseKey);
        // Not for c: it is not in the roster.
        auto notAddressed = c->openEpochBundle(epoch, sent->bundle);
        QVERIFY(!notAddressed.ok());
        QCOMPARE(notAddressed.error().code, ErrorCode::FrameKeyNotAddressed);
    }

    void refusesAnotherRoom() {
        auto a = CallKeyPair::generate(SystemRandom::instance());
        auto b = CallKeyPair::generate(SystemRandom::instance());
        QVERIFY(a.ok() && b.ok());
        const FrameKeyEpoch epoch = epochOf(*a, {a->publicKey(), b->publicKey()});
        auto sent = a->beginEpoch(epoch, SystemRandom::instance());
        QVERIFY(sent.ok());
        FrameKeyEpoch other = epoch;
        other.roomId = "r2";
        auto r = b->openEpochBundle(other, sent->bundle);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, ErrorCode::FrameKeyContextMismatch);
    }
};

} // namespace twinseal::test::calls

using twinseal::test::calls::EphemeralKeyTest;
TWINSEAL_TEST(EphemeralKeyTest, "ephemeral-key")
#include "test_ephemeral_key.moc"
