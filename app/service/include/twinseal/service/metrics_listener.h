// The metrics listener: plain HTTP on its own address (`metrics-listen`), answering
// GET /metrics with the registry in the Prometheus text exposition format (0.0.4) and 404 to
// anything else. Off unless configured; it carries counts, never a subscriber's identity.
#pragma once

#include <QString>

#include <memory>

#include "twinseal/service/service_error.h"
#include "twinseal/service/service_metrics.h"

QT_BEGIN_NAMESPACE
class QHttpServer;
QT_END_NAMESPACE

namespace twinseal::service {

class MetricsListener {
  public:
    explicit MetricsListener(MetricsRegistry& metrics);
    ~MetricsListener();
    MetricsListener(const MetricsListener&) = delete;
    MetricsListener& operator=(const MetricsListener&) = delete;

    // Listens on `listen` (ADDRESS:PORT; port 0 picks one); the bound port.
    [[nodiscard]] ServiceResult<quint16> start(const QString& listen);

  private:
    MetricsRegistry& m_metrics;
    std::unique_ptr<QHttpServer> m_server;
};

} // namespace twinseal::service
