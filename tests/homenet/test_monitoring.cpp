// Anomaly monitoring and metrics of the real service over TLS: each detected pattern driven from
// outside (wrong AKA answers for one subscriber, SUCIs that do not de-conceal, a registration
// storm, status-list scraping, repeated replays) raises its structured alert line, naming a
// subscriber only by the pseudonym `twinseal-homenet subscriber ref` prints, never its SUPI;
// the hammered subscriber is backed off (429 subscriber-backed-off with Retry-After) while
// another is served. The metrics listener's text is parsed by the Prometheus project's own
// Python client parser (python3-prometheus-client), and its figures match what was done.
// Metrics are off unless configured.
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QtTest>

#include <cmath>

#include <twinseal/netclient/service_client.h>
#include <twinseal/proto/homenet.pb.h>

#include "homenet_fixture.h"
#include "raw_client.h"
#include "test_macros.h"
#include "testmain.h"

namespace {
namespace test_monitoring {

using namespace twinseal;
using namespace twinseal::security;
using namespace twinseal::test;

namespace {

// The Prometheus text format parsed by prometheus_client (an independent implementation):
// every sample as [name, {labels}, value].
constexpr const char* kParser = R"(
import json, sys
from prometheus_client.parser import text_string_to_metric_families
out = []
for family in text_string_to_metric_families(sys.stdin.read()):
    for s in family.samples:
        out.append([s.name, s.labels, s.value, family.type])
print(json.dumps(out))
)";

struct Scrape {
    QByteArray contentType;
    QByteArray text;
    QJsonArray samples;
    QString error;

    // The value of one sample; NaN when there is none.
    [[nodiscard]] double value(const QString& name, const QJsonObject& labels = {}) const {
        for (const auto& s : samples) {
            const QJsonArray a = s.toArray();
            if (a.at(0).toString() == name && a.at(1).toObject() == labels)
                return a.at(2).toDouble();
        }
        return std::nan("");
    }
    [[nodiscard]] int count(const QString& name) const {
        int n = 0;
        for (const auto& s : samples)
            n += s.toArray().at(0).toString() == name ? 1 : 0;
        return n;
    }
};

Scrape scrape(quint16 port) {
    Scrape out;
    QNetworkAccessManager nam;
    QNetworkReply* reply =
        nam.get(QNetworkRequest(QUrl(QStringLiteral("http://127.0.0.1:%1/metrics").arg(port))));
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    QTimer::singleShot(20000, &loop, &QEventLoop::quit);
    loop.exec();
    if (!reply->isFinished() || reply->error() != QNetworkReply::NoError) {
        out.error = QStringLiteral("GET /metrics failed: ") + reply->errorString();
        delete reply;
        return out;
    }
    out.contentType = reply->header(QNetworkRequest::ContentTypeHeader).toByteArray();
    out.text = reply->readAll();
    delete reply;
    QProcess python;
    python.start(QStringLiteral("/usr/bin/python3"), {QStringLiteral("-c"), QString::fromLatin1(kParser)});
    python.write(out.text);
    python.closeWriteChannel();
    if (!python.waitForFinished(30000) || python.exitCode() != 0) {
        out.error = QStringLiteral("the Prometheus parser refused the text (is "
                                   "python3-prometheus-client installed? packaging/setup.sh "
                                   "installs it): ") +
                    QString::fromUtf8(python.readAllStandardError());
        return out;
    }
    out.samples = QJsonDocument::fromJson(python.readAllStandardOutput()).array();
    return out;
}

// The service's log lines that are JSON objects with this event.
QList<QJsonObject> events(const QByteArray& log, const char* event) {
    QList<QJsonObject> out;
    for (const QByteArray& line : log.split('\n')) {
        const QJsonObject o = QJsonDocument::fromJson(line).object();
        if (o.value(QStringLiteral("event")).toString() == QLatin1String(event))
            out.append(o);
    }
    return out;
}

QList<QJsonObject> alerts(HomenetServer& server, const char* pattern) {
    QList<QJsonObject> out;
    for (const QJsonObject& o : events(server.pollLog(), "alert"))
        if (o.value(QStringLiteral("pattern")).toString() == QLatin1String(pattern))
            out.append(o);
    return out;
}

quint16 metricsPort(const HomenetServer& server) {
    const auto listening = events(server.log(), "listening");
    return listening.isEmpty()
               ? 0
               : quint16(listening.first().value(QStringLiteral("metrics_port")).toInt());
}

HttpResult wrongAnswer(RawClient& raw, const UsimProfileData& p) {
    const proto::AuthChallenge c = challenge(raw, p);
    proto::AuthFinishRequest finish;
    finish.set_auth_id(c.auth_id());
    finish.set_res_star(std::string(16, '\x5a'));
    return raw.post(QStringLiteral("/v1/auth/finish"), finish);
}

QJsonObject labels(std::initializer_list<std::pair<const char*, const char*>> items) {
    QJsonObject o;
    for (const auto& [k, v] : items)
        o.insert(QString::fromLatin1(k), QString::fromLatin1(v));
    return o;
}

} // namespace

class MonitoringTest : public QObject {
    Q_OBJECT

  private slots:
    void eachPatternAlertsAndTheMetricsSayWhatHappened() {
        HomenetServer server;
        QVERIFY(server.start(
            {QStringLiteral("--config"),
             writeServiceIni(server, "metrics-listen = 127.0.0.1:0\nrate-limit = 0\n"
                                     "alert-window = 600\nalert-aka-failures-per-subscriber = 3\n"
                                     "alert-aka-failures = 0\nsubscriber-backoff = 300\n"
                                     "alert-suci-failures-per-source = 3\n"
                                     "alert-registrations = 2\n"
                                     "alert-status-fetches-per-source = 8\n"
                                     "alert-replays-per-source = 2\n")}));
        const quint16 port = metricsPort(server);
        QVERIFY2(port != 0, server.log().constData());
        RawClient raw(server);

        // 1. Wrong answers for one subscriber: an alert naming its pseudonym, then a back-off.
        const QString supiA = QStringLiteral("imsi-001010000004101");
        auto a = server.addSubscriber(supiA, server.scratch(QStringLiteral("a.profile")));
        QVERIFY(a.has_value());
        for (int i = 0; i < 3; ++i)
            EXPECT_REFUSAL(wrongAnswer(raw, *a), 401, "aka-res-mismatch");
        QTRY_COMPARE(alerts(server, "aka-failure-burst").size(), 1);
        const QJsonObject akaAlert = alerts(server, "aka-failure-burst").first();
        QCOMPARE(akaAlert.value(QStringLiteral("scope")).toString(), QStringLiteral("subscriber"));
        QCOMPARE(akaAlert.value(QStringLiteral("action")).toString(), QStringLiteral("backoff"));
        QCOMPARE(akaAlert.value(QStringLiteral("level")).toString(), QStringLiteral("warning"));
        QByteArray ref;
        QCOMPARE(server.runTool({QStringLiteral("subscriber"), QStringLiteral("ref"),
                                 QStringLiteral("--supi"), supiA},
                                &ref),
                 0);
        QCOMPARE(akaAlert.value(QStringLiteral("subscriber")).toString(),
                 QString::fromUtf8(ref.trimmed()));
        QVERIFY(ref.trimmed().startsWith("sub-"));
        proto::AuthStartRequest startA;
        startA.set_suci(suciFor(*a, a->supi.toString(), a->hnPublicKey));
        const HttpResult backedOff = raw.post(QStringLiteral("/v1/auth/start"), startA);
        EXPECT_REFUSAL(backedOff, 429, "subscriber-backed-off");
        QVERIFY(backedOff.retryAfter.toInt() > 250 && backedOff.retryAfter.toInt() <= 300);

        // 2. Another subscriber is served meanwhile; two registrations make a storm at 2.
        TestSubscriber b = addTestSubscriber(server, QStringLiteral("b.profile"), 4102);
        TestSubscriber c = addTestSubscriber(server, QStringLiteral("c.profile"), 4103);
        REQUIRE_OK(authenticate(*b.client));
        REQUIRE_OK(authenticate(*c.client));
        REQUIRE_OK(registerDt(b, avatarCopy(server.scratch(QStringLiteral("pkg-b")), 1)));
        REQUIRE_OK(registerDt(c, avatarCopy(server.scratch(QStringLiteral("pkg-c")), 2)));
        QTRY_COMPARE(alerts(server, "registration-storm").size(), 1);
        QCOMPARE(alerts(server, "registration-storm").first().value(QStringLiteral("scope")).toString(),
                 QStringLiteral("overall"));

        // 3. SUCIs that do not de-conceal, from this address.
        proto::AuthStartRequest garbage;
        garbage.set_suci("suci-0-001-01-0000-1-1-not-a-suci");
        for (int i = 0; i < 3; ++i)
            QCOMPARE(raw.post(QStringLiteral("/v1/auth/start"), garbage).status, 400);
        QTRY_COMPARE(alerts(server, "suci-failure-burst").size(), 1);
        QCOMPARE(alerts(server, "suci-failure-burst").first().value(QStringLiteral("source")).toString(),
                 QStringLiteral("127.0.0.1"));

        // 4. Status-list scraping from this address.
        for (int i = 0; i < 8; ++i)
            QCOMPARE(raw.send("GET", QStringLiteral("/v1/status")).status, 200);
        QTRY_COMPARE(alerts(server, "status-list-scraping").size(), 1);

        // 5. One signed request sent three times: two replays.
        auto d = server.addSubscriber(QStringLiteral("imsi-001010000004104"),
                                      server.scratch(QStringLiteral("d.profile")));
        QVERIFY(d.has_value());
        const AkmaSession akma = akmaLogin(raw, *d);
        const QByteArray authorization = akmaAuthorization(akma, "GET", "/v1/dt", {});
        const RawHeaders headers{{"Authorization", authorization}};
        QCOMPARE(raw.send("GET", QStringLiteral("/v1/dt"), {}, "application/x-protobuf", headers).status,
                 200);
        for (int i = 0; i < 2; ++i)
            EXPECT_REFUSAL(raw.send("GET", QStringLiteral("/v1/dt"), {}, "application/x-protobuf",
                                    headers),
                           409, "request-replayed");
        QTRY_COMPARE(alerts(server, "replay-burst").size(), 1);

        // The overall AKA threshold is 0 (off): no overall alert. No log line holds a SUPI.
        for (const QJsonObject& o : alerts(server, "aka-failure-burst"))
            QCOMPARE(o.value(QStringLiteral("scope")).toString(), QStringLiteral("subscriber"));
        QVERIFY(!server.pollLog().contains("imsi-00101"));
        QVERIFY(!server.pollLog().contains("001010000004101"));

        // The metrics, as Prometheus' own parser reads them.
        const Scrape m = scrape(port);
        QVERIFY2(m.error.isEmpty(), qPrintable(m.error));
        QVERIFY2(m.contentType.startsWith("text/plain; version=0.0.4"), m.contentType.constData());
        QCOMPARE(m.value(QStringLiteral("twinseal_aka_failures_total"),
                         labels({{"code", "aka-res-mismatch"}})),
                 3.0);
        QCOMPARE(m.value(QStringLiteral("twinseal_rate_limited_total"),
                         labels({{"code", "subscriber-backed-off"}})),
                 1.0);
        QCOMPARE(m.value(QStringLiteral("twinseal_backoff_refusals_total")), 1.0);
        QCOMPARE(m.value(QStringLiteral("twinseal_suci_failures_total"),
                         labels({{"code", "suci-invalid"}})),
                 3.0);
        QCOMPARE(m.value(QStringLiteral("twinseal_registrations_total"),
                         labels({{"kind", "register"}})),
                 2.0);
        QCOMPARE(m.value(QStringLiteral("twinseal_replays_total"),
                         labels({{"code", "request-replayed"}})),
                 2.0);
        for (const auto& [pattern, scope] :
             {std::pair{"aka-failure-burst", "subscriber"}, std::pair{"suci-failure-burst", "source"},
              std::pair{"registration-storm", "overall"}, std::pair{"status-list-scraping", "source"},
              std::pair{"replay-burst", "source"}})
            QCOMPARE(m.value(QStringLiteral("twinseal_alerts_total"),
                             labels({{"pattern", pattern}, {"scope", scope}})),
                     1.0);
        QVERIFY(std::isnan(m.value(QStringLiteral("twinseal_alerts_total"),
                                   labels({{"pattern", "aka-failure-burst"}, {"scope", "overall"}}))));
        QVERIFY(m.value(QStringLiteral("twinseal_requests_total"),
                        labels({{"endpoint", "GET /v1/status"}, {"status", "200"}, {"code", ""}})) >= 8);
        QCOMPARE(m.value(QStringLiteral("twinseal_requests_total"),
                         labels({{"endpoint", "GET /v1/dt"}, {"status", "409"}, {"code", "request-replayed"}})),
                 2.0);
        QVERIFY(m.value(QStringLiteral("twinseal_request_duration_seconds_count"),
                        labels({{"endpoint", "POST /v1/auth/finish"}})) >= 3);
        // Every operator key's age (created moments ago) and the certificates' expiries.
        QCOMPARE(m.count(QStringLiteral("twinseal_key_age_seconds")), 8);
        for (const char* key : {"root", "issuer", "log", "tls-ca", "tls", "suci", "storage", "binding"}) {
            const double age = m.value(QStringLiteral("twinseal_key_age_seconds"), labels({{"key", key}}));
            QVERIFY2(age >= 0 && age < 3600, key);
        }
        QVERIFY(m.value(QStringLiteral("twinseal_key_expires_in_seconds"), labels({{"key", "tls"}})) >
                800.0 * 24 * 3600);
        const char* backend = HomenetServer::usePostgres() ? "postgresql" : "sqlite";
        QVERIFY(m.value(QStringLiteral("twinseal_database_statement_seconds_count"),
                        labels({{"backend", backend}})) > 10);
        QVERIFY(m.value(QStringLiteral("twinseal_database_write_lock_wait_seconds_count"),
                        labels({{"backend", backend}})) > 0);
        // The buckets are cumulative up to +Inf, which is the count.
        const double finishCount = m.value(QStringLiteral("twinseal_request_duration_seconds_count"),
                                           labels({{"endpoint", "POST /v1/auth/finish"}}));
        QCOMPARE(m.value(QStringLiteral("twinseal_request_duration_seconds_bucket"),
                         labels({{"endpoint", "POST /v1/auth/finish"}, {"le", "+Inf"}})),
                 finishCount);
    }

    void metricsAreOffUnlessConfiguredAndABadAddressIsRefused() {
        HomenetServer server;
        QVERIFY(server.start());
        QCOMPARE(metricsPort(server), quint16{0});
        QVERIFY(!server.log().contains("metrics_port"));
        QCOMPARE(server.stop(), 0);
        QVERIFY(!server.restart({QStringLiteral("--metrics-listen"), QStringLiteral("localhost:9464")}));
        QVERIFY2(server.pollLog().contains("ADDRESS:PORT"), server.log().constData());
    }
};

TWINSEAL_TEST(MonitoringTest, "monitoring")
} // namespace test_monitoring
} // namespace

#include "test_monitoring.moc"
