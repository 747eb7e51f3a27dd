// Everything a running twinseal-homenet needs, wired together: operator keys, store, service
// logic and HTTPS front end. Used by the twinseal-homenet executable and, in-process, by the
// one-machine demo (twinsealctl demo) and the desktop client's embedded local service.
#pragma once

#include <QObject>
#include <QTimer>

#include <memory>

#include <twinseal/security/clock.h>

#include "twinseal/service/config.h"
#include "twinseal/service/homenet_service.h"
#include "twinseal/service/http_frontend.h"
#include "twinseal/service/metrics_listener.h"
#include "twinseal/service/operator_keys.h"
#include "twinseal/service/store.h"

namespace twinseal::service {

class ServiceRunner {
public:
    ServiceRunner();
    ~ServiceRunner();

    // Loads the keys (creating them first when `initIfMissing`), opens the store and the log.
    [[nodiscard]] ServiceStatus open(const ServiceConfig& config, const std::string& passphrase,
                                     bool initIfMissing = false,
                                     const OperatorInitOptions& init = {});
    // Starts HTTPS; returns the bound port (config.port 0 picks a free one).
    [[nodiscard]] ServiceResult<quint16> listen();
    void stop();

    [[nodiscard]] HomenetService& service() { return *m_service; }
    [[nodiscard]] const OperatorKeys& keys() const { return *m_keys; }
    [[nodiscard]] Store& store() { return m_store; }
    [[nodiscard]] quint16 port() const noexcept { return m_port; }
    // The metrics listener's port; 0 when metrics are off.
    [[nodiscard]] quint16 metricsPort() const noexcept { return m_metricsPort; }
    [[nodiscard]] HttpFrontend* frontend() { return m_frontend.get(); }

private:
    ServiceConfig m_config;
    Store m_store;
    std::unique_ptr<OperatorKeys> m_keys;
    std::unique_ptr<HomenetService> m_service;
    std::unique_ptr<HttpFrontend> m_frontend;
    std::unique_ptr<MetricsListener> m_metrics;
    std::unique_ptr<QTimer> m_keyCheck; // warns hourly about keys near their expiry
    quint16 m_port = 0;
    quint16 m_metricsPort = 0;
};

} // namespace twinseal::service
