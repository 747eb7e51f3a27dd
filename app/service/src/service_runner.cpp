#include "twinseal/service/service_runner.h"

#include <algorithm>

#include <QDir>
#include <QFile>

#include "twinseal/service/store_database.h"

namespace twinseal::service {

ServiceRunner::ServiceRunner() = default;

ServiceRunner::~ServiceRunner() { stop(); }

ServiceStatus ServiceRunner::open(const ServiceConfig& config, const std::string& passphrase,
                                  bool initIfMissing, const OperatorInitOptions& init) {
    m_config = config;
    if (m_config.dataDir.isEmpty())
        return serviceError(500, "data-dir-missing", "no data directory configured (--data-dir)");
    if (!QDir().mkpath(m_config.dataDir))
        return serviceError(500, "data-dir-unusable",
                            "cannot create the data directory " + m_config.dataDir.toStdString());
    QFile::setPermissions(m_config.dataDir,
                          QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    // A database URL with a password or without TLS to another machine is refused before the
    // operator keys are opened.
    if (auto problem = checkDatabaseUrl(m_config.database))
        return serviceError(500, problem->code, problem->message);
    auto& clock = security::SystemClock::instance();
    const bool create = !OperatorKeys::exists(m_config.dataDir);
    if (create && !initIfMissing)
        return serviceError(500, "not-initialised",
                            "no operator keys in " + m_config.dataDir.toStdString() +
                                ": run `twinseal-homenet init` first");
    auto keys = create ? OperatorKeys::create(m_config.dataDir, passphrase, init, clock.now())
                       : OperatorKeys::load(m_config.dataDir, passphrase);
    if (!keys.ok()) {
        if (keys.code() == security::ErrorCode::WrongPassphrase)
            return serviceError(500, "wrong-passphrase",
                                "the passphrase does not unlock the operator keys in " +
                                    m_config.dataDir.toStdString());
        return fromSecurity(500, keys.error());
    }
    m_keys = std::make_unique<OperatorKeys>(std::move(keys).value());
    const auto ms = [](double seconds) {
        return static_cast<int>(std::min(seconds, 24.0 * 3600) * 1000);
    };
    if (auto st = m_store.open(m_config.dataDir, m_config.database, m_config.sqliteSynchronous,
                               {ms(m_config.databaseLockTimeout), ms(m_config.databaseStatementTimeout)});
        !st.ok())
        return serviceError(500, "storage-unavailable", st.error().detail);
    m_service = std::make_unique<HomenetService>(m_config, m_store, *m_keys, clock,
                                                 security::SystemRandom::instance());
    return m_service->start();
}

ServiceResult<quint16> ServiceRunner::listen() {
    if (!m_service)
        return serviceError(500, "not-open", "open the service before listening");
    m_frontend = std::make_unique<HttpFrontend>(*m_service, *m_keys);
    auto port = m_frontend->start();
    if (!port.ok())
        return port;
    m_port = *port;
    if (m_config.publicUrl.isEmpty())
        m_service->setPublicUrl(m_config.effectivePublicUrl(m_port));
    if (!m_config.metricsListen.isEmpty()) {
        m_metrics = std::make_unique<MetricsListener>(m_service->metrics());
        auto metricsPort = m_metrics->start(m_config.metricsListen);
        if (!metricsPort.ok())
            return metricsPort;
        m_metricsPort = *metricsPort;
    }
    m_keyCheck = std::make_unique<QTimer>();
    m_keyCheck->setInterval(3600 * 1000);
    QObject::connect(m_keyCheck.get(), &QTimer::timeout, m_keyCheck.get(),
                     [service = m_service.get()] { service->warnAboutKeyAges(); });
    m_keyCheck->start();
    return port;
}

void ServiceRunner::stop() {
    if (m_frontend)
        m_frontend->stopListening();
    m_keyCheck.reset();
    m_metrics.reset();
    m_metricsPort = 0;
    m_frontend.reset();
    m_service.reset();
    m_store.close();
    m_keys.reset();
}

} // namespace twinseal::service
