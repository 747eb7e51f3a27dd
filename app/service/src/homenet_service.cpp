#include "twinseal/service/homenet_service.h"

namespace twinseal::service {

HomenetService::HomenetService(ServiceConfig config, Store& store, const OperatorKeys& keys,
                               const security::Clock& clock, security::Random& rng)
    : m_ctx{std::move(config), store, keys, clock, rng}, m_log(m_ctx), m_status(m_ctx),
      m_handles(m_ctx), m_issuer(m_ctx, m_log, m_status), m_auth(m_ctx, m_handles),
      m_registry(m_ctx, m_log, m_status, m_issuer, m_handles), m_avatars(m_ctx),
      m_transfers(m_ctx, m_log, m_status, m_issuer, m_handles), m_disclosures(m_ctx, m_log),
      m_auditAnchors(m_ctx), m_callAdmission(m_ctx), m_calls(m_ctx, m_callAdmission) {}

ServiceStatus HomenetService::start() {
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
