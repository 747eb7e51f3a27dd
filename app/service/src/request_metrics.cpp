#include "request_metrics.h"

namespace twinseal::service {

namespace {

using Kind = MetricsRegistry::Kind;

bool isRateLimit(const std::string& code) {
    return code == "rate-limited" || code == "auth-start-rate-limited" ||
           code == "auth-start-source-rate-limited" || code == "subscriber-backed-off";
}

bool isSuciFailure(const std::string& code) {
    return code.rfind("suci-", 0) == 0 || code == "unknown-hn-key";
}

} // namespace

void declareRequestMetrics(MetricsRegistry& m) {
    m.declare("twinseal_requests_total", Kind::Counter,
              "HTTP requests answered, by endpoint (method and route), status and reason code.");
    m.declare("twinseal_request_duration_seconds", Kind::Histogram,
              "Time from a request's arrival to its answer, by endpoint.");
    m.declare("twinseal_rate_limited_total", Kind::Counter,
              "Requests refused by a rate limit or a subscriber's back-off, by reason code.");
    m.declare("twinseal_aka_failures_total", Kind::Counter,
              "5G-AKA answers (finish or resync) refused, by reason code.");
    m.declare("twinseal_suci_failures_total", Kind::Counter,
              "Authentication starts whose SUCI was refused, by reason code.");
    m.declare("twinseal_registrations_total", Kind::Counter,
              "Credentials issued, by kind (register, recertify, rotate-pseudonym).");
    m.declare("twinseal_revocations_total", Kind::Counter, "Digital twins revoked by their owner.");
    m.declare("twinseal_transfers_total", Kind::Counter,
              "Ownership transfer steps completed, by step (offer, accept, decline, cancel).");
    m.declare("twinseal_replays_total", Kind::Counter,
              "Signed requests or AKA answers refused as replays, by reason code.");
}

void countRequest(HomenetService& service, const AnsweredRequest& r) {
    MetricsRegistry& m = service.metrics();
    AnomalyMonitor& anomalies = service.anomalies();
    const qint64 now = service.now();
    const QString endpoint = r.pattern.isEmpty()
                                 ? QStringLiteral("unmatched")
                                 : QString::fromLatin1(r.method) + QLatin1Char(' ') + r.pattern;
    const QString code = QString::fromStdString(r.code);
    m.add("twinseal_requests_total", {{"endpoint", endpoint},
                                      {"status", QString::number(r.status)},
                                      {"code", code}});
    m.observe("twinseal_request_duration_seconds", {{"endpoint", endpoint}}, r.seconds);
    if (isRateLimit(r.code))
        m.add("twinseal_rate_limited_total", {{"code", code}});
    if (r.code == "request-replayed" || r.code == "aka-response-replayed") {
        m.add("twinseal_replays_total", {{"code", code}});
        anomalies.observe(AnomalyMonitor::Pattern::Replay, r.source, now);
    }
    const bool ok = r.status >= 200 && r.status < 300;
    if (r.method == "POST") {
        if ((r.pattern == QLatin1String("/v1/auth/finish") ||
             r.pattern == QLatin1String("/v1/auth/resync")) &&
            !ok && r.status != 429 && r.status < 500)
            m.add("twinseal_aka_failures_total", {{"code", code}});
        if (r.pattern == QLatin1String("/v1/auth/start") && isSuciFailure(r.code))
            m.add("twinseal_suci_failures_total", {{"code", code}});
        if (ok && r.pattern.startsWith(QLatin1String("/v1/dt/")) &&
            r.pattern != QLatin1String("/v1/dt/revoke")) {
            const QString kind = r.pattern.mid(7);
            m.add("twinseal_registrations_total", {{"kind", kind}});
            if (kind == QLatin1String("register"))
                anomalies.observe(AnomalyMonitor::Pattern::Registration, {}, now);
        }
        if (ok && r.pattern == QLatin1String("/v1/dt/revoke"))
            m.add("twinseal_revocations_total");
        if (ok && r.pattern == QLatin1String("/v1/transfers"))
            m.add("twinseal_transfers_total", {{"step", QStringLiteral("offer")}});
        if (ok && r.pattern.startsWith(QLatin1String("/v1/transfers/{id}/")))
            m.add("twinseal_transfers_total", {{"step", r.pattern.section(QLatin1Char('/'), -1)}});
    }
    if (r.method == "GET" && r.pattern == QLatin1String("/v1/status") && ok)
        anomalies.observe(AnomalyMonitor::Pattern::StatusFetch, r.source, now);
}

} // namespace twinseal::service
