// The service's metrics, rendered in the Prometheus text exposition format (version 0.0.4) on
// the metrics listener (`metrics-listen`, off by default): counters and histograms kept as the
// service runs, and gauges read when scraped (key ages, the store's latencies). One instance's
// figures: a scraper adds the instances up.
#pragma once

#include <QByteArray>
#include <QString>

#include <array>
#include <functional>
#include <map>
#include <utility>
#include <vector>

namespace twinseal::service {

// Durations in seconds, counted into fixed buckets (upper bounds, the last is +Inf).
struct LatencyHistogram {
    static constexpr std::array<double, 14> kBounds{0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                    0.025,  0.05,  0.1,    0.25,  0.5,
                                                    1.0,    2.5,   5.0,    10.0};
    std::array<quint64, kBounds.size() + 1> counts{}; // per bucket, not cumulative
    double sum = 0;
    quint64 count = 0;
    void observe(double seconds);
};

// Labels of one series, in the order given: {{"endpoint", "GET /v1/status"}, ...}.
using MetricLabels = std::vector<std::pair<QByteArray, QString>>;

class MetricsRegistry {
  public:
    enum class Kind { Counter, Gauge, Histogram };

    // Declares a family: its name (counters end in _total), kind and help text. Series of an
    // undeclared family are refused (a programming error: the name is logged once).
    void declare(const QByteArray& name, Kind kind, const QByteArray& help);

    void add(const QByteArray& counter, const MetricLabels& labels = {}, double by = 1.0);
    void set(const QByteArray& gauge, const MetricLabels& labels, double value);
    void observe(const QByteArray& histogram, const MetricLabels& labels, double seconds);
    // A histogram kept elsewhere (e.g. by the store), copied at every scrape.
    void setHistogram(const QByteArray& histogram, const MetricLabels& labels,
                      const LatencyHistogram& h);
    // Called before every rendering, to set gauges from their sources.
    void onScrape(std::function<void(MetricsRegistry&)> refresh);

    // A counter's value (0 when the series does not exist yet).
    [[nodiscard]] double value(const QByteArray& name, const MetricLabels& labels = {}) const;
    // Every family, in the text exposition format; runs the onScrape callbacks first.
    [[nodiscard]] QByteArray render();

  private:
    struct Family {
        Kind kind = Kind::Counter;
        QByteArray help;
        std::map<QByteArray, double> values;                // label text -> value
        std::map<QByteArray, LatencyHistogram> histograms;  // label text -> histogram
    };
    [[nodiscard]] Family* family(const QByteArray& name, Kind kind);

    std::map<QByteArray, Family> m_families;
    std::vector<std::function<void(MetricsRegistry&)>> m_refresh;
};

// The label text of a series, `{a="x",b="y"}` (empty for none), values escaped as the format
// requires (backslash, double quote, line feed).
[[nodiscard]] QByteArray metricLabelText(const MetricLabels& labels);

} // namespace twinseal::service
