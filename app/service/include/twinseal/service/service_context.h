// What every part of the home-network service shares: its configuration, the store, the
// operator keys, the clock and the random source; who a request comes from; and how a storage
// failure is refused (the detail goes to the service log, never to the client).
#pragma once

#include <QString>

#include <string>

#include <twinseal/security/bytes.h>
#include <twinseal/security/clock.h>
#include <twinseal/security/result.h>

#include "twinseal/service/anomaly_monitor.h"
#include "twinseal/service/config.h"
#include "twinseal/service/operator_keys.h"
#include "twinseal/service/service_error.h"
#include "twinseal/service/service_metrics.h"
#include "twinseal/service/store.h"

namespace twinseal::service {

// Who a request comes from, once its Authorization header has been checked.
struct Caller {
    QString supi; // set for an AKMA-authenticated subscriber
    QString aKid;
    QString grantAvatarId; // set for a bearer of an avatar access grant
    // For a request whose outcome is recorded (request_outcomes.h): its key (the hash of its
    // signed nonce) and the end of its replay window; its nonce is not used up on arrival.
    QByteArray requestKey;
    QByteArray requestDigest; // of the request's MAC: another request with the same nonce differs
    qint64 requestKeyExpiresAt = 0;
    [[nodiscard]] bool subscriber() const { return !supi.isEmpty(); }
};

// How alerts name subscriber `supi`: "sub-" and 16 hex digits of an HMAC-SHA256 under the
// operator's binding key; stable, so the operator can find it (`twinseal-homenet subscriber
// ref`), and never the SUPI itself.
[[nodiscard]] QByteArray subscriberPseudonym(const OperatorKeys& keys, const QString& supi);

struct ServiceContext {
    ServiceConfig config;
    Store& store;
    const OperatorKeys& keys;
    const security::Clock& clock;
    security::Random& rng;
    MetricsRegistry& metrics;
    AnomalyMonitor& anomalies;

    // A storage failure refused as 503 storage-unavailable; the detail is logged.
    [[nodiscard]] ServiceError storageError(const security::Error& e) const;
    // Inside a write transaction: records the nonce (key) of a signed message until
    // `expiresAt`; one seen before is refused as a replay (409 `replayCode`, `replayMessage`).
    [[nodiscard]] ServiceStatus useNonce(const QByteArray& nonceKey, qint64 expiresAt,
                                         const std::string& replayCode,
                                         const std::string& replayMessage) const;
    // A write transaction for a signed request: begun, and the request's nonce recorded (by its
    // SHA-256) until `expiresAt` as useNonce() does. A storage failure is storage-unavailable.
    [[nodiscard]] ServiceResult<Store::Transaction>
    beginSigned(security::ByteView nonce, qint64 expiresAt, const std::string& replayCode,
                const std::string& replayMessage) const;
    // The authenticated caller's subscriber record; a missing one is a storage failure (the
    // caller was authenticated as this subscriber).
    [[nodiscard]] ServiceResult<SubscriberRecord> subscriberOf(const QString& supi) const;
    // Digital twin `dtId` of subscriber `supi`, active: else unknown-dt (404, also for another
    // subscriber's DT) or dt-not-active (409: "... and cannot be <action>").
    [[nodiscard]] ServiceResult<DtRecord> ownActiveDt(const QString& supi, const std::string& dtId,
                                                      const char* action) const;
    // Refuses with duplicate-dt (409) when subscriber `supi` has an active DT; `advice` says
    // what to do first ("revoke or transfer it before accepting another").
    [[nodiscard]] ServiceStatus noActiveDt(const QString& supi, const std::string& advice) const;
    // Refuses with media-root-certified-elsewhere (409) when another subscriber than `supi`
    // holds an active DT certifying the avatar whose package root is `mediaRoot`: a copied
    // package is not certified a second time (issue 12, finding 5). A revoked twin holds no
    // root. Called inside the write transaction that stores the new DT, so two registrations
    // of one root cannot both pass (writers are serialized on both backends).
    [[nodiscard]] ServiceStatus mediaRootNotHeldElsewhere(const QByteArray& mediaRoot,
                                                          const QString& supi) const;
    [[nodiscard]] QByteArray subscriberSubject(const QString& supi) const {
        return subscriberPseudonym(keys, supi);
    }
    // The status list's URI: stable across restarts, addresses and ports.
    [[nodiscard]] QString statusListUri() const;
};

} // namespace twinseal::service
