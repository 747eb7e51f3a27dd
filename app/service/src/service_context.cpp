#include "twinseal/service/service_context.h"

#include <algorithm>

#include <twinseal/security/crypto.h>

#include "service_util.h"
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

ServiceResult<Store::Transaction> ServiceContext::beginSigned(security::ByteView nonce,
                                                              qint64 expiresAt,
                                                              const std::string& replayCode,
                                                              const std::string& replayMessage) const {
    auto tx = store.begin(true);
    if (!tx.ok())
        return storageError(tx.error());
    if (auto st = useNonce(util::qb(security::ByteView(security::sha256(nonce))), expiresAt,
                           replayCode, replayMessage);
        !st.ok())
        return st.error();
    return std::move(tx).value();
}

ServiceResult<SubscriberRecord> ServiceContext::subscriberOf(const QString& supi) const {
    auto sub = store.subscribers().subscriber(supi);
    if (!sub.ok())
        return storageError(sub.error());
    if (!sub->has_value())
        return storageError(security::makeError(security::ErrorCode::Internal, "subscriber vanished"));
    return std::move(**sub);
}

ServiceResult<DtRecord> ServiceContext::ownActiveDt(const QString& supi, const std::string& dtId,
                                                    const char* action) const {
    auto dt = store.dts().dt(QString::fromStdString(dtId));
    if (!dt.ok())
        return storageError(dt.error());
    if (!dt->has_value() || (*dt)->supi != supi)
        return serviceError(404, "unknown-dt", "this subscription has no digital twin " + dtId);
    if ((*dt)->state != QLatin1String("active"))
        return serviceError(409, "dt-not-active",
                            "digital twin " + dtId + " is " + (*dt)->state.toStdString() +
                                " and cannot be " + action);
    return std::move(**dt);
}

ServiceStatus ServiceContext::noActiveDt(const QString& supi, const std::string& advice) const {
    auto active = store.dts().activeDtOf(supi);
    if (!active.ok())
        return storageError(active.error());
    if (active->has_value())
        return serviceError(409, "duplicate-dt",
                            "this subscription already has an active digital twin (" +
                                (*active)->dtId.toStdString() + "): " + advice);
    return Nothing{};
}

ServiceStatus ServiceContext::mediaRootNotHeldElsewhere(const QByteArray& mediaRoot,
                                                        const QString& supi) const {
    auto held = store.dts().activeDtWithMediaRootElsewhere(mediaRoot, supi);
    if (!held.ok())
        return storageError(held.error());
    if (!held->has_value())
        return Nothing{};
    // Neither the other twin nor its subscriber is named: the caller learns only that this
    // avatar is taken.
    const auto shown = std::min<std::size_t>(8, static_cast<std::size_t>(mediaRoot.size()));
    return serviceError(409, "media-root-certified-elsewhere",
                        "this avatar (media root " +
                            security::toHex(util::bv(mediaRoot).first(shown)) +
                            "...) is already certified to another subscriber's active digital "
                            "twin, so it cannot be certified to yours: register an avatar of "
                            "your own, or ask that twin's owner to transfer it to you");
}

QByteArray subscriberPseudonym(const OperatorKeys& keys, const QString& supi) {
    const std::string data = std::string("twinseal alert subject") + '\0' + supi.toStdString();
    auto mac = security::hmacSha256(keys.bindingKey(), security::view(data));
    if (!mac.ok())
        return QByteArrayLiteral("sub-unknown");
    return "sub-" + QByteArray::fromStdString(security::toHex(security::ByteView(*mac).first(8)));
}

QString ServiceContext::statusListUri() const {
    // Stable across restarts, addresses and ports: named after the issuer certificate.
    const security::Digest d = keys.issuerCertificate().fingerprint();
    return QStringLiteral("urn:twinseal:status-list:") +
           QString::fromStdString(security::toHex(security::ByteView(d).first(16)));
}

} // namespace twinseal::service
