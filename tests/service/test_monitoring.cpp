// Anomaly detection and metrics in process, with a fixed clock: the sliding window alerts on a
// burst and not on the same number of events spread out, once per subject and window; a
// pattern at 0 is off; a hammered subscriber (wrong AKA answers, or too many starts) is backed
// off whatever the subscription (a SUPI that is not subscribed alike) and no longer once the
// back-off is over, while other subscribers are not affected. The metrics registry renders the
// text exposition format: escaped label values, cumulative buckets, +Inf equal to the count.
#include <QtTest>

#include <twinseal/security/aka.h>
#include <twinseal/service/anomaly_monitor.h>
#include <twinseal/service/config.h>
#include <twinseal/service/service_metrics.h>

#include "service_fixture.h"
#include "test_macros.h"
#include "testmain.h"

namespace {
namespace test_monitoring {

using namespace twinseal;
using namespace twinseal::security;
using namespace twinseal::service;
using namespace twinseal::test;
using Pattern = AnomalyMonitor::Pattern;

namespace {

proto::AuthFinishRequest wrongAnswerTo(const proto::AuthChallenge& c) {
    proto::AuthFinishRequest f;
    f.set_auth_id(c.auth_id());
    f.set_res_star(std::string(16, '\x5a'));
    return f;
}

double alerts(const MetricsRegistry& m, const char* pattern, const char* scope) {
    return m.value("twinseal_alerts_total",
                   {{"pattern", QString::fromLatin1(pattern)}, {"scope", QString::fromLatin1(scope)}});
}

} // namespace

class MonitoringTest : public QObject {
    Q_OBJECT

  private slots:
    void aBurstAlertsAndTheSameEventsSpreadOutDoNot() {
        ServiceConfig c;
        c.alertWindow = 60;
        c.alertReplaysPerSource = 5;
        MetricsRegistry metrics;
        AnomalyMonitor monitor(c, metrics);
        const qint64 t0 = 1'800'000'000; // a multiple of 60: a window starts here
        // Three a minute for ten minutes from one source: never five within one window.
        for (qint64 t = t0; t < t0 + 600; t += 20)
            QVERIFY(!monitor.observe(Pattern::Replay, "192.0.2.7", t));
        QCOMPARE(alerts(metrics, "replay-burst", "source"), 0.0);
        // Five within seconds from another source: the fifth alerts, the sixth does not again.
        const qint64 t1 = t0 + 1000;
        for (int i = 0; i < 4; ++i)
            QVERIFY(!monitor.observe(Pattern::Replay, "192.0.2.8", t1 + i));
        QVERIFY(monitor.observe(Pattern::Replay, "192.0.2.8", t1 + 4));
        QVERIFY(!monitor.observe(Pattern::Replay, "192.0.2.8", t1 + 5));
        QCOMPARE(alerts(metrics, "replay-burst", "source"), 1.0);
        // The burst straddling a window boundary still counts: the previous window's events
        // weigh by how much of it is within the last minute.
        const qint64 t2 = t0 + 3000 + 58; // two seconds before a window ends
        for (int i = 0; i < 4; ++i)
            QVERIFY(!monitor.observe(Pattern::Replay, "192.0.2.9", t2));
        QVERIFY(!monitor.observe(Pattern::Replay, "192.0.2.9", t2 + 3)); // 4 x 59/60 + 1
        QVERIFY(monitor.observe(Pattern::Replay, "192.0.2.9", t2 + 4));  // 4 x 58/60 + 2
        // Long after, one event is one event.
        QVERIFY(!monitor.observe(Pattern::Replay, "192.0.2.8", t1 + 1000));
        // Replays raise no back-off: they are per source, not per subscriber.
        QVERIFY(!monitor.backoff("192.0.2.8", t1 + 5).has_value());
    }

    void aPatternAtZeroIsOffAndOverallCountsEverySubject() {
        ServiceConfig c;
        c.alertRegistrations = 0;
        c.alertSuciFailuresPerSource = 0;
        c.alertSuciFailures = 10;
        MetricsRegistry metrics;
        AnomalyMonitor monitor(c, metrics);
        const qint64 t = 1'800'000'000;
        for (int i = 0; i < 1000; ++i)
            QVERIFY(!monitor.observe(Pattern::Registration, {}, t));
        // Ten sources with one failed SUCI each: no source alert (off), one overall alert.
        int raised = 0;
        for (int i = 0; i < 10; ++i)
            raised += monitor.observe(Pattern::SuciFailure, "198.51.100." + QByteArray::number(i), t);
        QCOMPARE(raised, 1);
        QCOMPARE(alerts(metrics, "suci-failure-burst", "overall"), 1.0);
        QCOMPARE(alerts(metrics, "suci-failure-burst", "source"), 0.0);
        QCOMPARE(alerts(metrics, "registration-storm", "overall"), 0.0);
    }

    void aBackoffEndsAfterItsTime() {
        ServiceConfig c;
        c.alertAkaFailuresPerSubscriber = 2;
        c.subscriberBackoff = 100;
        MetricsRegistry metrics;
        AnomalyMonitor monitor(c, metrics);
        const qint64 t = 1'800'000'000;
        QVERIFY(!monitor.observe(Pattern::AkaFailure, "sub-aaaa", t));
        QVERIFY(!monitor.backoff("sub-aaaa", t).has_value());
        QVERIFY(monitor.observe(Pattern::AkaFailure, "sub-aaaa", t + 1));
        QCOMPARE(monitor.backoff("sub-aaaa", t + 1).value_or(-1), qint64{100});
        QCOMPARE(monitor.backoff("sub-aaaa", t + 60).value_or(-1), qint64{41});
        QVERIFY(!monitor.backoff("sub-bbbb", t + 1).has_value());
        QCOMPARE(metrics.value("twinseal_subscribers_backed_off"), 1.0);
        QVERIFY(!monitor.backoff("sub-aaaa", t + 101).has_value());
        QCOMPARE(metrics.value("twinseal_subscribers_backed_off"), 0.0);
        // subscriber-backoff 0: alerts, never backs off.
        c.subscriberBackoff = 0;
        AnomalyMonitor noBackoff(c, metrics);
        QVERIFY(!noBackoff.observe(Pattern::AkaFailure, "sub-cccc", t));
        QVERIFY(noBackoff.observe(Pattern::AkaFailure, "sub-cccc", t));
        QVERIFY(!noBackoff.backoff("sub-cccc", t).has_value());
    }

    // Through the service: wrong answers for one subscriber back it off; a SUPI that is not
    // subscribed gets the same; another subscriber logs in meanwhile; after the back-off the
    // subscriber logs in again.
    void wrongAnswersBackOffTheSubscriberWhateverItsSubscription() {
        InProcessHomenet net;
        UsimProfileData usim;
        QVERIFY(net.open(&usim, [](ServiceConfig& c) {
            c.alertAkaFailuresPerSubscriber = 3;
            c.subscriberBackoff = 120;
        }));
        UsimProfileData stranger = usim;
        stranger.supi = *Supi::parse("imsi-001010000000099", 2);
        for (UsimProfileData* who : {&usim, &stranger}) {
            for (int i = 0; i < 3; ++i) {
                auto c = net.challengeFor(*who);
                REQUIRE_OK(c);
                EXPECT_CODE(net.service().authFinish(wrongAnswerTo(*c)), "aka-res-mismatch");
            }
            auto refused = net.challengeFor(*who);
            EXPECT_CODE(refused, "subscriber-backed-off");
            QCOMPARE(refused.error().httpStatus, 429);
            QCOMPARE(refused.error().retryAfter, qint64{120});
        }
        QCOMPARE(alerts(net.service().metrics(), "aka-failure-burst", "subscriber"), 2.0);
        QCOMPARE(net.service().metrics().value("twinseal_backoff_refusals_total"), 2.0);
        auto other = net.addSubscriber(QStringLiteral("imsi-001010000000002"));
        QVERIFY(other.has_value());
        QVERIFY(net.login(*other).has_value());
        net.clock().advance(121);
        QVERIFY(net.login(usim).has_value());
    }

    // Too many starts for one subscriber (each advances its SQN) alert and back it off before
    // the start limit would; the SQN does not advance while backed off.
    void aSurgeOfStartsBacksOffTheSubscriber() {
        InProcessHomenet net;
        UsimProfileData usim;
        QVERIFY(net.open(&usim, [](ServiceConfig& c) {
            c.authStartPerMinute = 0; // the per-subscriber start limit off: detection alone
            c.alertAuthStartsPerSubscriber = 6;
            c.subscriberBackoff = 60;
        }));
        for (int i = 0; i < 5; ++i)
            REQUIRE_OK(net.challengeFor(usim));
        // The sixth raises the alert and is itself refused.
        EXPECT_CODE(net.challengeFor(usim), "subscriber-backed-off");
        const QString supi = QString::fromStdString(usim.supi.toString());
        QCOMPARE(sqnSeq((*net.store().subscribers().subscriber(supi))->sqn), std::uint64_t{5});
        QCOMPARE(alerts(net.service().metrics(), "auth-start-surge", "subscriber"), 1.0);
        // After the back-off, and once the surge has left the sliding window (two lengths, as
        // the previous window's share still counts during the next).
        net.clock().advance(121);
        QVERIFY(net.login(usim).has_value());
    }

    void theTextFormatEscapesLabelsAndAccumulatesBuckets() {
        MetricsRegistry m;
        m.declare("demo_total", MetricsRegistry::Kind::Counter, "A demo\ncounter.");
        m.declare("demo_seconds", MetricsRegistry::Kind::Histogram, "Demo latency.");
        m.add("demo_total", {{"path", QStringLiteral("a\"b\\c\nd")}}, 2);
        m.add("undeclared_total"); // refused: never rendered
        m.observe("demo_seconds", {{"op", QStringLiteral("x")}}, 0.0004);
        m.observe("demo_seconds", {{"op", QStringLiteral("x")}}, 0.003);
        m.observe("demo_seconds", {{"op", QStringLiteral("x")}}, 60);
        const QByteArray text = m.render();
        QVERIFY2(text.contains("# HELP demo_total A demo\\ncounter.\n"), text.constData());
        QVERIFY(text.contains("# TYPE demo_total counter\n"));
        QVERIFY2(text.contains("demo_total{path=\"a\\\"b\\\\c\\nd\"} 2\n"), text.constData());
        QVERIFY(!text.contains("undeclared"));
        QVERIFY(text.contains("demo_seconds_bucket{op=\"x\",le=\"0.0005\"} 1\n"));
        QVERIFY(text.contains("demo_seconds_bucket{op=\"x\",le=\"0.0025\"} 1\n"));
        QVERIFY(text.contains("demo_seconds_bucket{op=\"x\",le=\"0.005\"} 2\n"));
        QVERIFY(text.contains("demo_seconds_bucket{op=\"x\",le=\"10\"} 2\n"));
        QVERIFY(text.contains("demo_seconds_bucket{op=\"x\",le=\"+Inf\"} 3\n"));
        QVERIFY(text.contains("demo_seconds_count{op=\"x\"} 3\n"));
        QVERIFY(text.contains("demo_seconds_sum{op=\"x\"} 60.0034\n"));
    }

    void metricsListenIsAddressAndPort() {
        QHostAddress a;
        quint16 port = 1;
        QString why;
        QVERIFY(parseMetricsListen(QStringLiteral("127.0.0.1:9464"), &a, &port, &why));
        QCOMPARE(a, QHostAddress(QHostAddress::LocalHost));
        QCOMPARE(port, quint16{9464});
        QVERIFY(parseMetricsListen(QStringLiteral("[::1]:0"), &a, &port, &why));
        QCOMPARE(a, QHostAddress(QHostAddress::LocalHostIPv6));
        QCOMPARE(port, quint16{0});
        for (const char* bad : {"9464", "localhost:9464", "127.0.0.1:", "127.0.0.1:70000", ":9464"}) {
            QVERIFY2(!parseMetricsListen(QString::fromLatin1(bad), &a, &port, &why), bad);
            QVERIFY(why.contains(QLatin1String("ADDRESS:PORT")));
        }
    }
};

TWINSEAL_TEST(MonitoringTest, "monitoring")
} // namespace test_monitoring
} // namespace

#include "test_monitoring.moc"
