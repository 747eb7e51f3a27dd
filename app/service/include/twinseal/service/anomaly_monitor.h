// Detection of abnormal behaviour: bursts of AKA answers that fail (per subscriber and overall),
// of SUCIs that do not de-conceal (per source address and overall), an unusual rate of
// authentication starts for one subscriber (each advances its SQN), registration storms,
// status-list scraping from one address, and repeated replays from one address.
//
// Each pattern counts its events in a sliding window of `alert-window` seconds (the current
// window plus the previous one's share); reaching the pattern's threshold (configuration, 0
// switches it off) raises one alert per subject and window: a structured `alert` line in the
// service log (warning level) and `twinseal_alerts_total{pattern,scope}`. A subscriber being
// hammered (AKA failures or authentication starts over their thresholds) is also backed off:
// its authentication starts are refused for `subscriber-backoff` seconds. Subscribers are named
// by a pseudonym (`subscriberSubject`), never by their SUPI. Counts are per instance.
#pragma once

#include <QByteArray>
#include <QHash>

#include <optional>

#include "twinseal/service/config.h"
#include "twinseal/service/service_metrics.h"

namespace twinseal::service {

class AnomalyMonitor {
  public:
    enum class Pattern { AkaFailure, SuciFailure, AuthStart, Registration, StatusFetch, Replay };

    AnomalyMonitor(const ServiceConfig& config, MetricsRegistry& metrics);

    // One event of `pattern` at `now` (seconds), by `subject` (a subscriber's pseudonym or a
    // source address; empty: counted overall only). Returns whether it raised an alert.
    bool observe(Pattern pattern, const QByteArray& subject, qint64 now);
    // Seconds left of the subscriber's back-off, or nothing.
    [[nodiscard]] std::optional<qint64> backoff(const QByteArray& subject, qint64 now);
    // Counts a request refused because its subscriber is backed off.
    void refusedForBackoff();

    [[nodiscard]] static const char* patternName(Pattern p);

  private:
    struct Window {
        qint64 start = 0;      // of the current window (a multiple of the window length)
        double previous = 0;   // events in the window before it
        double current = 0;    // events in the current window
        qint64 alertedUntil = 0;
    };
    struct Rule {
        double perSubject = 0; // threshold for one subject; 0: not watched per subject
        double overall = 0;    // threshold over all subjects; 0: not watched overall
        const char* scope = "subscriber";
        bool backsOff = false;
    };
    [[nodiscard]] Rule rule(Pattern p) const;
    // Counts an event; returns the window's estimate of the events in the last window length.
    double count(Window& w, qint64 now) const;
    // Raises the alert when `estimate` reached `threshold` (once per window); `backsOff`: the
    // pattern's rule backs the subject off.
    bool check(Window& w, double estimate, double threshold, qint64 now, Pattern p,
               const char* scope, const QByteArray& subject, bool backsOff);
    void prune(qint64 now);

    ServiceConfig m_config; // a copy: the thresholds
    MetricsRegistry& m_metrics;
    QHash<QByteArray, Window> m_subjects; // key: pattern byte + subject
    QHash<int, Window> m_overall;
    QHash<QByteArray, qint64> m_backoffUntil;
};

} // namespace twinseal::service
