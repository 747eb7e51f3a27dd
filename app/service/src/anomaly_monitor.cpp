#include "twinseal/service/anomaly_monitor.h"

#include <QJsonObject>

#include <cmath>
#include <cstring>

#include "twinseal/service/service_log.h"

namespace twinseal::service {

namespace {
constexpr qsizetype kMaxSubjects = 100000;
} // namespace

AnomalyMonitor::AnomalyMonitor(const ServiceConfig& config, MetricsRegistry& metrics)
    : m_config(config), m_metrics(metrics) {
    m_metrics.declare("twinseal_alerts_total", MetricsRegistry::Kind::Counter,
                      "Alerts raised by anomaly detection, by pattern and scope "
                      "(subscriber, source or overall).");
    m_metrics.declare("twinseal_backoff_refusals_total", MetricsRegistry::Kind::Counter,
                      "Authentication starts refused because their subscriber is backed off.");
    m_metrics.declare("twinseal_subscribers_backed_off", MetricsRegistry::Kind::Gauge,
                      "Subscribers whose authentication starts are refused for now.");
    m_metrics.set("twinseal_subscribers_backed_off", {}, 0);
}

const char* AnomalyMonitor::patternName(Pattern p) {
    switch (p) {
    case Pattern::AkaFailure:
        return "aka-failure-burst";
    case Pattern::SuciFailure:
        return "suci-failure-burst";
    case Pattern::AuthStart:
        return "auth-start-surge";
    case Pattern::Registration:
        return "registration-storm";
    case Pattern::StatusFetch:
        return "status-list-scraping";
    case Pattern::Replay:
        return "replay-burst";
    }
    return "unknown";
}

AnomalyMonitor::Rule AnomalyMonitor::rule(Pattern p) const {
    const ServiceConfig& c = m_config;
    switch (p) {
    case Pattern::AkaFailure:
        return {c.alertAkaFailuresPerSubscriber, c.alertAkaFailures, "subscriber", true};
    case Pattern::SuciFailure:
        return {c.alertSuciFailuresPerSource, c.alertSuciFailures, "source", false};
    case Pattern::AuthStart:
        return {c.alertAuthStartsPerSubscriber, 0, "subscriber", true};
    case Pattern::Registration:
        return {0, c.alertRegistrations, "overall", false};
    case Pattern::StatusFetch:
        return {c.alertStatusFetchesPerSource, 0, "source", false};
    case Pattern::Replay:
        return {c.alertReplaysPerSource, 0, "source", false};
    }
    return {};
}

double AnomalyMonitor::count(Window& w, qint64 now) const {
    const qint64 length = std::max(m_config.alertWindow, 1);
    const qint64 start = now - (now % length + length) % length;
    if (start != w.start) {
        w.previous = start == w.start + length ? w.current : 0;
        w.current = 0;
        w.start = start;
    }
    w.current += 1;
    // The previous window's events, weighted by how much of it is still within one length.
    const double left = 1.0 - double(now - start) / double(length);
    return w.previous * left + w.current;
}

bool AnomalyMonitor::check(Window& w, double estimate, double threshold, qint64 now, Pattern p,
                           const char* scope, const QByteArray& subject, bool backsOff) {
    if (threshold <= 0 || estimate < threshold || now < w.alertedUntil)
        return false;
    w.alertedUntil = now + std::max(m_config.alertWindow, 1);
    const bool backOff = backsOff && !subject.isEmpty() && m_config.subscriberBackoff > 0;
    if (backOff) {
        m_backoffUntil.insert(subject, now + m_config.subscriberBackoff);
        m_metrics.set("twinseal_subscribers_backed_off", {}, double(m_backoffUntil.size()));
    }
    QJsonObject fields{{QStringLiteral("pattern"), QString::fromLatin1(patternName(p))},
                       {QStringLiteral("scope"), QString::fromLatin1(scope)},
                       {QStringLiteral("count"), std::round(estimate)},
                       {QStringLiteral("threshold"), threshold},
                       {QStringLiteral("window_s"), m_config.alertWindow},
                       {QStringLiteral("action"),
                        backOff ? QStringLiteral("backoff") : QStringLiteral("none")}};
    if (!subject.isEmpty())
        fields.insert(QString::fromLatin1(std::strcmp(scope, "subscriber") == 0 ? "subscriber"
                                                                               : "source"),
                      QString::fromUtf8(subject));
    if (backOff)
        fields.insert(QStringLiteral("backoff_s"), m_config.subscriberBackoff);
    logEvent(LogLevel::Warning, "alert", fields);
    m_metrics.add("twinseal_alerts_total",
                  {{"pattern", QString::fromLatin1(patternName(p))},
                   {"scope", QString::fromLatin1(scope)}});
    return true;
}

bool AnomalyMonitor::observe(Pattern p, const QByteArray& subject, qint64 now) {
    const Rule r = rule(p);
    bool raised = false;
    if (r.overall > 0) {
        Window& w = m_overall[int(p)];
        raised |= check(w, count(w, now), r.overall, now, p, "overall", {}, false);
    }
    if (r.perSubject > 0 && !subject.isEmpty()) {
        if (m_subjects.size() >= kMaxSubjects)
            prune(now);
        Window& w = m_subjects[char(int(p)) + subject];
        raised |= check(w, count(w, now), r.perSubject, now, p, r.scope, subject, r.backsOff);
    }
    return raised;
}

std::optional<qint64> AnomalyMonitor::backoff(const QByteArray& subject, qint64 now) {
    auto it = m_backoffUntil.find(subject);
    if (it == m_backoffUntil.end())
        return std::nullopt;
    if (now >= it.value()) {
        m_backoffUntil.erase(it);
        m_metrics.set("twinseal_subscribers_backed_off", {}, double(m_backoffUntil.size()));
        return std::nullopt;
    }
    return it.value() - now;
}

void AnomalyMonitor::refusedForBackoff() { m_metrics.add("twinseal_backoff_refusals_total"); }

void AnomalyMonitor::prune(qint64 now) {
    // Subjects with nothing in the last two windows count as new when they come back; if every
    // one is recent, the table starts again rather than grow without bound.
    const qint64 length = std::max(m_config.alertWindow, 1);
    for (auto it = m_subjects.begin(); it != m_subjects.end();)
        it = (now - it->start >= 2 * length && now >= it->alertedUntil) ? m_subjects.erase(it)
                                                                        : std::next(it);
    if (m_subjects.size() >= kMaxSubjects)
        m_subjects.clear();
    for (auto it = m_backoffUntil.begin(); it != m_backoffUntil.end();)
        it = now >= it.value() ? m_backoffUntil.erase(it) : std::next(it);
    m_metrics.set("twinseal_subscribers_backed_off", {}, double(m_backoffUntil.size()));
}

} // namespace twinseal::service
