// The call's ephemeral X25519 key: two participants agree on one secret from each other's public
// halves, a fresh key is fresh, and a malformed peer key is refused.
#include <QtTest>

#include "testmain.h"

#include <twinseal/calls/ephemeral_key.h>

namespace twinseal::test::calls {

using namespace twinseal::calls;
using namespace twinseal::security;

class EphemeralKeyTest : public QObject {
    Q_OBJECT

private slots:
    void agreesBothWays() {
        auto a = EphemeralKey::generate(SystemRandom::instance());
        auto b = EphemeralKey::generate(SystemRandom::instance());
        QVERIFY(a.ok() && b.ok());
        QCOMPARE(a->publicKey().size(), std::size_t(32));
        QVERIFY(a->publicKey() != b->publicKey());
        auto ab = a->agree(b->publicKey());
        auto ba = b->agree(a->publicKey());
        QVERIFY(ab.ok() && ba.ok());
        QVERIFY(*ab == *ba);
        auto c = EphemeralKey::generate(SystemRandom::instance());
        QVERIFY(*a->agree(c->publicKey()) != *ab);
    }

    void refusesMalformedPeerKeys() {
        auto a = EphemeralKey::generate(SystemRandom::instance());
        QVERIFY(a.ok());
        QVERIFY(!a->agree(Bytes(31, 7)).ok());
        QVERIFY(!a->agree(Bytes(32, 0)).ok()); // all-zero shared secret (a low-order point)
    }
};

} // namespace twinseal::test::calls

using twinseal::test::calls::EphemeralKeyTest;
TWINSEAL_TEST(EphemeralKeyTest, "ephemeral-key")
#include "test_ephemeral_key.moc"
