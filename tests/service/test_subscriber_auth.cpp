// Subscriber authentication in process (SubscriberAuth behind the facade), the USIM side played
// by the security library: SUCI concealment, 5G-AKA start and finish, the AKMA key authenticating
// requests, and the refusals a wrong, replayed or late answer gets (with a fixed clock).
#include <QtTest>

#include <map>

#include <twinseal/security/aka.h>
#include <twinseal/security/milenage.h>
#include <twinseal/security/request_auth.h>

#include "service_fixture.h"
#include "test_macros.h"
#include "testmain.h"

namespace {
namespace test_subscriber_auth {

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

UsimProfileData strangerOf(const UsimProfileData& profile) {
    UsimProfileData stranger = profile;
    stranger.supi = *Supi::parse("imsi-001010000000099", 2);
    return stranger;
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
        QCOMPARE((*stored)->sqn, m_profile.sqn.sqnMs());

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

    // The USIM's SEQ_MS lies far behind the network's SQN_HE (more than delta: e.g. a flood of
    // starts, or the network's database restored from a later state): the USIM refuses the
    // challenge with AUTS, and per TS 33.102 clause 6.3.5 the network continues from SQN_MS, so
    // that its next challenge carries SEQ_MS + 1 and is accepted.
    void resyncContinuesFromTheUsimsSqn() {
        InProcessHomenet net;
        UsimProfileData usim;
        QVERIFY(net.open(&usim));
        REQUIRE_OK(net.service().authStart([&] {
            proto::AuthStartRequest r;
            r.set_suci(net.suciOf(usim));
            return r;
        }()));
        const QString supi = QString::fromStdString(usim.supi.toString());
        const std::uint64_t seqMs = 40;
        usim.sqn = UsimSqnArray::fromHighest(makeSqn(seqMs, 7));
        const std::uint64_t farAhead = makeSqn(seqMs + kAkaSeqDelta + 5, 2);
        REQUIRE_OK(net.store().subscribers().updateSubscriberSqn(supi, farAhead));

        auto c = net.challengeFor(usim);
        REQUIRE_OK(c);
        auto milenage = Milenage::create(usim.k, usim.opc);
        auto refused = verifyChallenge(*milenage, view(c->rand()), view(c->autn()), usim.sqn,
                                       c->serving_network_name());
        QCOMPARE(refused.result.code(), ErrorCode::AkaSyncFailure);
        QVERIFY(refused.auts.has_value());
        proto::AuthResyncRequest resync;
        resync.set_auth_id(c->auth_id());
        resync.set_auts(std::string(refused.auts->begin(), refused.auts->end()));
        auto again = net.service().authResync(resync);
        REQUIRE_OK(again);
        auto accepted = verifyChallenge(*milenage, view(again->rand()), view(again->autn()),
                                        usim.sqn, again->serving_network_name());
        QVERIFY2(accepted.result.ok(), accepted.result.ok()
                                           ? ""
                                           : accepted.result.error().message().c_str());
        QCOMPARE(sqnSeq(accepted.result->sqn), seqMs + 1);
        QCOMPARE(std::uint64_t((*net.store().subscribers().subscriber(supi))->sqn),
                 accepted.result->sqn);
        usim.sqn.accept(accepted.result->sqn);
        REQUIRE_OK(net.service().authFinish(finishWith(*again, toString(accepted.result->resStar))));
        // The superseded challenge cannot be answered any more.
        EXPECT_CODE(net.service().authResync(resync), "auth-session-superseded");
    }

    // Two hundred starts by someone else (the limits and the surge detection switched off, so
    // every one of them generates a vector) do not desynchronise the subscriber: the real USIM
    // still accepts the next challenge and authenticates.
    void aFloodOfStartsDoesNotDesynchronise() {
        InProcessHomenet net;
        UsimProfileData usim;
        QVERIFY(net.open(&usim, [](service::ServiceConfig& c) {
            c.authStartPerMinute = 0;
            c.authStartSourcePerMinute = 0;
            c.alertAuthStartsPerSubscriber = 0;
        }));
        for (int i = 0; i < 200; ++i)
            REQUIRE_OK(net.challengeFor(usim));
        const QString supi = QString::fromStdString(usim.supi.toString());
        QCOMPARE(sqnSeq((*net.store().subscribers().subscriber(supi))->sqn), std::uint64_t{200});
        QVERIFY(net.login(usim).has_value());
        QCOMPARE(sqnSeq(usim.sqn.sqnMs()), std::uint64_t{201});
    }

    // With the default limits (the surge detection off: the next test has both) a flood of
    // starts for one subscriber is refused after the burst (429 auth-start-rate-limited with
    // the seconds to wait), without advancing its SQN; once the wait is over the real client
    // authenticates.
    void aFloodOfStartsIsRateLimitedPerSubscriber() {
        InProcessHomenet net;
        UsimProfileData usim;
        QVERIFY(net.open(&usim, [](service::ServiceConfig& c) { c.alertAuthStartsPerSubscriber = 0; }));
        const QString supi = QString::fromStdString(usim.supi.toString());
        int accepted = 0;
        qint64 retryAfter = 0;
        for (int i = 0; i < 200; ++i) {
            auto c = net.challengeFor(usim);
            if (c.ok()) {
                ++accepted;
                continue;
            }
            EXPECT_CODE(c, "auth-start-rate-limited");
            QCOMPARE(c.error().httpStatus, 429);
            QVERIFY(c.error().retryAfter >= 1);
            retryAfter = c.error().retryAfter;
        }
        const service::ServiceConfig defaults;
        QCOMPARE(accepted, int(defaults.authStartBurst));
        QCOMPARE(sqnSeq((*net.store().subscribers().subscriber(supi))->sqn),
                 std::uint64_t(accepted));
        // Another subscriber is not affected.
        auto other = net.addSubscriber(QStringLiteral("imsi-001010000000002"));
        QVERIFY(other.has_value());
        QVERIFY(net.login(*other).has_value());
        // A SUPI that is not subscribed is limited alike.
        const UsimProfileData stranger = strangerOf(usim);
        for (int i = 0; i < int(defaults.authStartBurst); ++i)
            REQUIRE_OK(net.challengeFor(stranger));
        EXPECT_CODE(net.challengeFor(stranger), "auth-start-rate-limited");

        net.clock().advance(retryAfter);
        QVERIFY(net.login(usim).has_value());
    }

    // With every default: the burst is accepted, the rate limit refuses the next starts, and
    // once the attempts reach the surge threshold the subscriber is backed off (its SQN
    // advanced by the burst only), for the configured time.
    void withTheDefaultsAFloodEndsInABackoff() {
        InProcessHomenet net;
        UsimProfileData usim;
        QVERIFY(net.open(&usim));
        const service::ServiceConfig defaults;
        std::map<std::string, int> outcomes;
        for (int i = 0; i < 200; ++i) {
            auto c = net.challengeFor(usim);
            ++outcomes[c.ok() ? std::string("accepted") : c.error().code];
        }
        QCOMPARE(outcomes["accepted"], int(defaults.authStartBurst));
        QCOMPARE(outcomes["auth-start-rate-limited"],
                 int(defaults.alertAuthStartsPerSubscriber) - 1 - int(defaults.authStartBurst));
        QCOMPARE(outcomes["subscriber-backed-off"],
                 200 - int(defaults.alertAuthStartsPerSubscriber) + 1);
        const QString supi = QString::fromStdString(usim.supi.toString());
        QCOMPARE(sqnSeq((*net.store().subscribers().subscriber(supi))->sqn),
                 std::uint64_t(defaults.authStartBurst));
        net.clock().advance(defaults.subscriberBackoff - 1);
        EXPECT_CODE(net.challengeFor(usim), "subscriber-backed-off");
        net.clock().advance(1);
        QVERIFY(net.login(usim).has_value());
    }

    // The per-source limit, when the service knows the address.
    void startsAreRateLimitedPerSource() {
        InProcessHomenet net;
        UsimProfileData usim;
        QVERIFY(net.open(&usim, [](service::ServiceConfig& c) {
            c.authStartPerMinute = 0;
            c.authStartSourceBurst = 3;
            c.authStartSourcePerMinute = 30;
        }));
        proto::AuthStartRequest r;
        r.set_suci(net.suciOf(usim));
        for (int i = 0; i < 3; ++i)
            REQUIRE_OK(net.service().authStart(r, "192.0.2.7"));
        auto refused = net.service().authStart(r, "192.0.2.7");
        EXPECT_CODE(refused, "auth-start-source-rate-limited");
        QCOMPARE(refused.error().httpStatus, 429);
        QCOMPARE(refused.error().retryAfter, qint64{2}); // one token every 2 s
        REQUIRE_OK(net.service().authStart(r, "192.0.2.8"));
        net.clock().advance(2);
        REQUIRE_OK(net.service().authStart(r, "192.0.2.7"));
    }

    // A SUCI of a SUPI that is not subscribed gets a challenge of the same shape and size as a
    // subscriber's, and its answers fail as a wrong answer does: nothing tells the two apart.
    void anUnknownSubscriberLooksLikeAKnownOne() {
        const UsimProfileData stranger = strangerOf(m_profile);
        auto known = start();
        auto unknown = m_net->challengeFor(stranger);
        REQUIRE_OK(unknown);
        QCOMPARE(unknown->auth_id().size(), known.auth_id().size());
        QCOMPARE(unknown->rand().size(), known.rand().size());
        QCOMPARE(unknown->autn().size(), known.autn().size());
        QCOMPARE(unknown->serving_network_name(), known.serving_network_name());
        QCOMPARE(unknown->expires_at(), known.expires_at());
        QCOMPARE(unknown->ByteSizeLong(), known.ByteSizeLong());
        QVERIFY(unknown->rand() != known.rand());
        // The AMF in clear is the same; the decoy's MAC does not verify under the real keys.
        QCOMPARE(unknown->autn().substr(6, 2), known.autn().substr(6, 2));
        auto m = Milenage::create(stranger.k, stranger.opc);
        QCOMPARE(verifyChallenge(*m, view(unknown->rand()), view(unknown->autn()), stranger.sqn,
                                 unknown->serving_network_name())
                     .result.code(),
                 ErrorCode::AkaMacFailure);

        // Answers: the same refusals, with the same status.
        const std::string anyRes(16, '\x5a');
        auto knownWrong = m_net->service().authFinish(finishWith(known, anyRes));
        auto unknownWrong = m_net->service().authFinish(finishWith(*unknown, anyRes));
        EXPECT_CODE(knownWrong, "aka-res-mismatch");
        EXPECT_CODE(unknownWrong, "aka-res-mismatch");
        QCOMPARE(unknownWrong.error().httpStatus, knownWrong.error().httpStatus);
        QCOMPARE(unknownWrong.error().message, knownWrong.error().message);
        auto known2 = start();
        auto unknown2 = m_net->challengeFor(stranger);
        REQUIRE_OK(unknown2);
        proto::AuthResyncRequest resync;
        resync.set_auts(std::string(14, '\x33'));
        resync.set_auth_id(known2.auth_id());
        auto knownResync = m_net->service().authResync(resync);
        resync.set_auth_id(unknown2->auth_id());
        auto unknownResync = m_net->service().authResync(resync);
        EXPECT_CODE(knownResync, "auts-invalid");
        EXPECT_CODE(unknownResync, "auts-invalid");
        QCOMPARE(unknownResync.error().httpStatus, knownResync.error().httpStatus);

        // A SUCI that is not one.
        proto::AuthStartRequest r;
        r.set_suci("not-a-suci");
        EXPECT_CODE(m_net->service().authStart(r), "suci-invalid");
    }
};

TWINSEAL_TEST(SubscriberAuthTest, "subscriber-auth")
} // namespace test_subscriber_auth
} // namespace

#include "test_subscriber_auth.moc"
