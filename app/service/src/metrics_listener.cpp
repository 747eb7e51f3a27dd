#include "twinseal/service/metrics_listener.h"

#include <QHttpServer>
#include <QHttpServerResponse>

#include "twinseal/service/config.h"

namespace twinseal::service {

MetricsListener::MetricsListener(MetricsRegistry& metrics) : m_metrics(metrics) {}

MetricsListener::~MetricsListener() = default;

ServiceResult<quint16> MetricsListener::start(const QString& listen) {
    QHostAddress address;
    quint16 port = 0;
    QString why;
    if (!parseMetricsListen(listen, &address, &port, &why))
        return serviceError(500, "metrics-listen-invalid", "metrics-listen: " + why.toStdString());
    m_server = std::make_unique<QHttpServer>();
    m_server->route(QStringLiteral("/metrics"), QHttpServerRequest::Method::Get, [this] {
        QHttpServerResponse r(QByteArrayLiteral("text/plain; version=0.0.4; charset=utf-8"),
                              m_metrics.render());
        r.setHeader(QByteArrayLiteral("Cache-Control"), QByteArrayLiteral("no-store"));
        return r;
    });
    const quint16 bound = m_server->listen(address, port);
    if (bound == 0)
        return serviceError(500, "metrics-listen-failed",
                            "cannot listen for metrics on " + listen.toStdString());
    return bound;
}

} // namespace twinseal::service
