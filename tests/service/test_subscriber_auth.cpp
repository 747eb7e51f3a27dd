// Subscriber authentication in process (SubscriberAuth behind the facade), the USIM side played
// by the security library: SUCI concealment, 5G-AKA start and finish, the AKMA key authenticating
// requests, and the refusals a wrong, replayed or late answer gets (with a fixed clock).
#include <QtTest>

#include <twinseal/security/request_auth.h>

#include "service_fixture.h"
#include "test_macros.h"
#include "testmain.h"

using namespace twinseal;
using namespace twinseal::security;
using namespace twinseal::test;

namespace {

proto::AuthFinishRequest finishWith(const proto::AuthChallenge& c, const std::string& resStar) {
    proto::AuthFinishRequest f;
    f.set_auth_id(c.auth_id());
    f.set_res_star(resStar);
    return f;
}

} // namespace

class SubscriberAuthTest : public QObject {
    Q_OBJECT

    std::unique_ptr<InProcessHomenet> m_net;
    UsimProfileData m_profile;

    proto::AuthChallenge start() {
        auto c = m_net->challengeFor(m_profile);
        if (!c.ok())
            qFatal("auth start: %s", c.error().code.c_str());
        return std::move(c).value();
    }
    std::string answer(const proto::AuthChallenge& c) {
        return InProcessHomenet::usimAnswer(m_profile, c);
    }

  private slots:
    void initTestCase() {
        m_net = std::make_unique<InProcessHomenet>();
        QVERIFY(m_net->open(&m_profile));
    }

    void startAndFinishGiveAnAkmaKeyThatAuthenticatesRequests() {
        auto akma = m_net->login(m_profile);
        QVERIFY(akma.has_value());
        auto caller = m_net->callerOf(*akma, "GET", "/v1/dt", {});
        REQUIRE_OK(caller);
        QCOMPARE(caller->supi, QStringLiteral("imsi-001010000000001"));
        QCOMPARE(caller->aKid.toStdString(), akma->aKid);
        // The network advanced its SQN with the USIM's.
        auto stored = m_net->store().subscribers().subscriber(caller->supi);
        QCOMPARE((*stored)->sqn, m_profile.highestSqn);

        // One signed request is accepted once.
        auto header = authorizeRequest(akma->kaf, akma->aKid, "GET", "/v1/me", {},
                                       m_net->clock().now(), SystemRandom::instance());
        const QByteArray h = QByteArray::fromStdString(header->format());
        REQUIRE_OK(m_net->service().authenticate(h, "GET", "/v1/me", {}));
        EXPECT_CODE(m_net->service().authenticate(h, "GET", "/v1/me", {}), "request-replayed");
        // Signed for another path: the MAC does not verify.
        EXPECT_CODE(m_net->service().authenticate(h, "GET", "/v1/dt", {}), "request-auth-invalid");
        // No header: anonymous.
        auto anonymous = m_net->service().authenticate({}, "GET", "/v1/status", {});
        REQUIRE_OK(anonymous);
        QVERIFY(!anonymous->subscriber());
    }

    void aRepeatedAnswerIsAReplay() {
        const auto c = start();
        const std::string res = answer(c);
        REQUIRE_OK(m_net->service().authFinish(finishWith(c, res)));
        auto again = m_net->service().authFinish(finishWith(c, res));
        EXPECT_CODE(again, "aka-response-replayed");
        QCOMPARE(again.error().httpStatus, 409);
    }

    void aWrongAnswerFailsTheSession() {
        const auto c = start();
        const std::string res = answer(c);
        std::string wrong = res;
        wrong[0] = char(wrong[0] ^ 0x01);
        auto refused = m_net->service().authFinish(finishWith(c, wrong));
        EXPECT_CODE(refused, "aka-res-mismatch");
        QCOMPARE(refused.error().httpStatus, 401);
        // The session is spent: even the right answer is refused now.
        EXPECT_CODE(m_net->service().authFinish(finishWith(c, res)), "auth-session-failed");
    }

    void aLateAnswerIsRefused() {
        const auto c = start();
        const std::string res = answer(c);
        m_net->clock().advance(120 + 1); // the challenge TTL
        auto late = m_net->service().authFinish(finishWith(c, res));
        EXPECT_CODE(late, "challenge-expired");
        QCOMPARE(late.error().httpStatus, 410);
    }

    void anExpiredAkmaKeyIsRefused() {
        auto akma = m_net->login(m_profile);
        QVERIFY(akma.has_value());
        REQUIRE_OK(m_net->callerOf(*akma, "GET", "/v1/dt", {}));
        m_net->clock().advance(3600 + 1); // the AKMA key TTL
        EXPECT_CODE(m_net->callerOf(*akma, "GET", "/v1/dt", {}), "akma-key-expired");
    }

    void anUnknownSubscriberIsNamedSo() {
        UsimProfileData stranger = m_profile;
        auto supi = Supi::parse("imsi-001010000000099", 2);
        QVERIFY(supi.ok());
        stranger.supi = *supi;
        proto::AuthStartRequest r;
        r.set_suci(m_net->suciOf(stranger));
        auto refused = m_net->service().authStart(r);
        EXPECT_CODE(refused, "unknown-subscriber");
        QCOMPARE(refused.error().httpStatus, 404);
        // A SUCI that is not one.
        r.set_suci("not-a-suci");
        EXPECT_CODE(m_net->service().authStart(r), "suci-invalid");
    }
};

TWINSEAL_TEST(SubscriberAuthTest, "subscriber-auth")
#include "test_subscriber_auth.moc"
