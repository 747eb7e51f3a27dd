#include "twinseal/service/homenet_service.h"

#include "twinseal/service/service_log.h"

namespace twinseal::service {

HomenetService::HomenetService(ServiceConfig config, Store& store, const OperatorKeys& keys,
                               const security::Clock& clock, security::Random& rng)
    : m_anomalies(config, m_metrics),
      m_ctx{std::move(config), store, keys, clock, rng, m_metrics, m_anomalies}, m_log(m_ctx), m_status(m_ctx),
      m_handles(m_ctx), m_issuer(m_ctx, m_log, m_status), m_auth(m_ctx, m_handles),
      m_registry(m_ctx, m_log, m_status, m_issuer, m_handles), m_avatars(m_ctx),
      m_transfers(m_ctx, m_log, m_status, m_issuer, m_handles), m_disclosures(m_ctx, m_log),
      m_auditAnchors(m_ctx), m_callAdmission(m_ctx), m_calls(m_ctx, m_callAdmission) {
    using Kind = MetricsRegistry::Kind;
    m_metrics.declare("twinseal_key_age_seconds", Kind::Gauge,
                      "Age of each operator key since it was created.");
    m_metrics.declare("twinseal_key_expires_in_seconds", Kind::Gauge,
                      "Seconds until the certificate of each operator key expires.");
    m_metrics.declare("twinseal_database_statement_seconds", Kind::Histogram,
                      "Time each database statement took, by backend.");
    m_metrics.declare("twinseal_database_write_lock_wait_seconds", Kind::Histogram,
                      "Time each write transaction waited for the write lock, by backend.");
    m_metrics.declare("twinseal_log_size", Kind::Gauge,
                      "Entries in the transparency log, as this instance last read it.");
    m_metrics.onScrape([this](MetricsRegistry& m) {
        for (const KeyAge& k : keyAges()) {
            m.set("twinseal_key_age_seconds", {{"key", QString::fromLatin1(k.key)}}, double(k.age));
            if (k.expiresIn)
                m.set("twinseal_key_expires_in_seconds", {{"key", QString::fromLatin1(k.key)}},
                      double(*k.expiresIn));
        }
        const QString backend = m_ctx.config.databaseDescription();
        m.setHistogram("twinseal_database_statement_seconds", {{"backend", backend}},
                       m_ctx.store.database().statementLatency());
        m.setHistogram("twinseal_database_write_lock_wait_seconds", {{"backend", backend}},
                       m_ctx.store.database().writeLockWait());
        m.set("twinseal_log_size", {}, double(m_log.size()));
    });
}

std::vector<HomenetService::KeyAge> HomenetService::keyAges() const {
    const OperatorKeys& keys = m_ctx.keys;
    const qint64 now = m_ctx.clock.now();
    // Certificates are back-dated 300 s for clock skew; the keys without a certificate were
    // created with the root.
    const qint64 created = keys.rootCertificate().notBefore() + 300;
    auto certified = [&](const char* name, const security::Certificate& c) {
        return KeyAge{name, now - (c.notBefore() + 300), c.notAfter() - now};
    };
    return {certified("root", keys.rootCertificate()),
            certified("issuer", keys.issuerCertificate()),
            certified("tls-ca", keys.tlsCaCertificate()),
            certified("tls", keys.tlsCertificate()),
            KeyAge{"log", now - created, std::nullopt},
            KeyAge{"suci", now - created, std::nullopt},
            KeyAge{"storage", now - created, std::nullopt},
            KeyAge{"binding", now - created, std::nullopt}};
}

void HomenetService::warnAboutKeyAges(int warnDays) const {
    for (const KeyAge& k : keyAges()) {
        if (!k.expiresIn || *k.expiresIn > qint64(warnDays) * 24 * 3600)
            continue;
        logEvent(LogLevel::Warning, "key-expiring",
                 {{QStringLiteral("key"), QString::fromLatin1(k.key)},
                  {QStringLiteral("expires_in_days"), double(*k.expiresIn) / (24 * 3600)},
                  {QStringLiteral("age_days"), double(k.age) / (24 * 3600)}});
    }
}

ServiceStatus HomenetService::start() {
    warnAboutKeyAges();
    if (auto st = m_log.verifyStored(); !st.ok())
        return st;
    if (auto st = m_callAdmission.loadTrust(); !st.ok())
        return st;
    return m_transfers.backfill();
}

ServiceResult<proto::ServiceInfo> HomenetService::info() {
    if (auto st = m_log.sync(); !st.ok())
        return st.error();
    const OperatorKeys& keys = m_ctx.keys;
    proto::ServiceInfo out;
    out.set_operator_name(keys.operatorName().toStdString());
    out.set_issuer(keys.issuerCertificate().subject());
    out.set_status_list_uri(m_ctx.statusListUri().toStdString());
    out.mutable_log_key()->set_algorithm(proto::ED25519);
    out.mutable_log_key()->set_raw(security::toString(keys.logKey().publicKey().raw()));
    out.set_trust_list_pem(keys.rootCertificate().pem());
    out.set_log_size(m_log.size());
    out.set_version(TWINSEAL_VERSION);
    return out;
}

} // namespace twinseal::service
