#include "twinseal/service/service_context.h"

#include "twinseal/service/service_log.h"

namespace twinseal::service {

ServiceError fromSecurity(int httpStatus, const security::Error& error) {
    return ServiceError{httpStatus, std::string(security::errorCodeName(error.code)), error.detail};
}

ServiceError ServiceContext::storageError(const security::Error& e) const {
    // The detail goes to the service log, not to the client.
    logEvent(LogLevel::Error, "storage-error",
             {{QStringLiteral("detail"), QString::fromStdString(e.detail)}});
    return serviceError(503, "storage-unavailable",
                        "The home network could not complete the request; nothing was changed. "
                        "Try again shortly.");
}

ServiceStatus ServiceContext::useNonce(const QByteArray& nonceKey, qint64 expiresAt,
                                       const std::string& replayCode,
                                       const std::string& replayMessage) const {
    auto fresh = store.auth().useNonce(nonceKey, expiresAt);
    if (!fresh.ok())
        return storageError(fresh.error());
    if (!*fresh)
        return serviceError(409, replayCode, replayMessage);
    return Nothing{};
}

QString ServiceContext::statusListUri() const {
    // Stable across restarts, addresses and ports: named after the issuer certificate.
    const security::Digest d = keys.issuerCertificate().fingerprint();
    return QStringLiteral("urn:twinseal:status-list:") +
           QString::fromStdString(security::toHex(security::ByteView(d).first(16)));
}

} // namespace twinseal::service
