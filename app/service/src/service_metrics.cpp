#include "twinseal/service/service_metrics.h"

#include <QLocale>

#include <cmath>

#include "twinseal/service/service_log.h"

namespace twinseal::service {

namespace {

QByteArray number(double v) {
    if (std::isnan(v))
        return QByteArrayLiteral("NaN");
    if (std::isinf(v))
        return v > 0 ? QByteArrayLiteral("+Inf") : QByteArrayLiteral("-Inf");
    if (v == std::floor(v) && std::fabs(v) < 1e15)
        return QByteArray::number(static_cast<qint64>(v));
    return QByteArray::number(v, std::fabs(v) >= 1e-6 && std::fabs(v) < 1e15 ? 'f' : 'g',
                              QLocale::FloatingPointShortest);
}

// `a="x",b="y"`: the inside of the braces.
QByteArray innerLabels(const MetricLabels& labels) {
    QByteArray out;
    for (const auto& [name, value] : labels) {
        if (!out.isEmpty())
            out += ',';
        QByteArray v = value.toUtf8();
        v.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n");
        out += name + "=\"" + v + '"';
    }
    return out;
}

QByteArray braced(const QByteArray& inner) {
    return inner.isEmpty() ? QByteArray() : '{' + inner + '}';
}

QByteArray withLe(const QByteArray& inner, const QByteArray& le) {
    return '{' + inner + (inner.isEmpty() ? "" : ",") + "le=\"" + le + "\"}";
}

const char* kindName(MetricsRegistry::Kind k) {
    switch (k) {
    case MetricsRegistry::Kind::Counter:
        return "counter";
    case MetricsRegistry::Kind::Gauge:
        return "gauge";
    case MetricsRegistry::Kind::Histogram:
        return "histogram";
    }
    return "untyped";
}

} // namespace

void LatencyHistogram::observe(double seconds) {
    std::size_t i = 0;
    while (i < kBounds.size() && seconds > kBounds[i])
        ++i;
    ++counts[i];
    sum += seconds;
    ++count;
}

QByteArray metricLabelText(const MetricLabels& labels) { return braced(innerLabels(labels)); }

void MetricsRegistry::declare(const QByteArray& name, Kind kind, const QByteArray& help) {
    Family& f = m_families[name];
    f.kind = kind;
    f.help = help;
}

MetricsRegistry::Family* MetricsRegistry::family(const QByteArray& name, Kind kind) {
    auto it = m_families.find(name);
    if (it == m_families.end() || it->second.kind != kind) {
        logEvent(LogLevel::Error, "metric-undeclared",
                 {{QStringLiteral("metric"), QString::fromLatin1(name)}});
        return nullptr;
    }
    return &it->second;
}

void MetricsRegistry::add(const QByteArray& counter, const MetricLabels& labels, double by) {
    if (Family* f = family(counter, Kind::Counter))
        f->values[innerLabels(labels)] += by;
}

void MetricsRegistry::set(const QByteArray& gauge, const MetricLabels& labels, double value) {
    if (Family* f = family(gauge, Kind::Gauge))
        f->values[innerLabels(labels)] = value;
}

void MetricsRegistry::observe(const QByteArray& histogram, const MetricLabels& labels,
                              double seconds) {
    if (Family* f = family(histogram, Kind::Histogram))
        f->histograms[innerLabels(labels)].observe(seconds);
}

void MetricsRegistry::setHistogram(const QByteArray& histogram, const MetricLabels& labels,
                                   const LatencyHistogram& h) {
    if (Family* f = family(histogram, Kind::Histogram))
        f->histograms[innerLabels(labels)] = h;
}

void MetricsRegistry::onScrape(std::function<void(MetricsRegistry&)> refresh) {
    m_refresh.push_back(std::move(refresh));
}

double MetricsRegistry::value(const QByteArray& name, const MetricLabels& labels) const {
    auto it = m_families.find(name);
    if (it == m_families.end())
        return 0;
    auto v = it->second.values.find(innerLabels(labels));
    return v == it->second.values.end() ? 0 : v->second;
}

QByteArray MetricsRegistry::render() {
    for (const auto& refresh : m_refresh)
        refresh(*this);
    QByteArray out;
    for (const auto& [name, f] : m_families) {
        QByteArray help = f.help;
        help.replace('\\', "\\\\").replace('\n', "\\n");
        out += "# HELP " + name + ' ' + help + '\n';
        out += "# TYPE " + name + ' ' + kindName(f.kind) + '\n';
        for (const auto& [labels, v] : f.values)
            out += name + braced(labels) + ' ' + number(v) + '\n';
        for (const auto& [labels, h] : f.histograms) {
            quint64 cumulative = 0;
            for (std::size_t i = 0; i < LatencyHistogram::kBounds.size(); ++i) {
                cumulative += h.counts[i];
                out += name + "_bucket" + withLe(labels, number(LatencyHistogram::kBounds[i])) +
                       ' ' + QByteArray::number(cumulative) + '\n';
            }
            out += name + "_bucket" + withLe(labels, "+Inf") + ' ' + QByteArray::number(h.count) +
                   '\n';
            out += name + "_sum" + braced(labels) + ' ' + number(h.sum) + '\n';
            out += name + "_count" + braced(labels) + ' ' + QByteArray::number(h.count) + '\n';
        }
    }
    return out;
}

} // namespace twinseal::service
