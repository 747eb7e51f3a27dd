// At-most-once execution of state-changing requests, and the same answer for their retries.
// A client whose connection dropped (or a balancer that moved it to another instance) re-sends
// the same signed request; refusing it as a replay would leave a change the client never heard
// of (a DT registered, its credential lost). Instead each request runs in a store scope
// (Database::beginScope) whose commit also records the answer under the request's key; a retry
// of the same request gets that answer, sealed in the database until the request's replay
// window ends. A request that failed before changing anything (a 5xx with no committed change)
// leaves no record, so its retry runs again.
#pragma once

#include <QByteArray>

#include <optional>

#include "twinseal/service/service_context.h"

namespace twinseal::service {

struct RecordedAnswer {
    int status = 200;
    QByteArray contentType;
    QByteArray body;
};

class RequestOutcomes {
  public:
    explicit RequestOutcomes(ServiceContext& context) : m_ctx(context) {}

    // The answer recorded for the request with this key, if it was answered; 409
    // "request-replayed" when the key (the nonce) was used by another request (`digest`).
    [[nodiscard]] ServiceResult<std::optional<RecordedAnswer>> recorded(const QByteArray& key,
                                                                        const QByteArray& digest);
    // Starts the request's scope: what it changes commits with its answer, in finish().
    void start();
    // Ends the request's scope with `answer` recorded until `expiresAt`; the answer to send:
    // `answer`, or the one recorded by an instance that answered the same request first (then
    // this one's changes are rolled back).
    [[nodiscard]] ServiceResult<RecordedAnswer> finish(const QByteArray& key,
                                                       const QByteArray& digest, qint64 expiresAt,
                                                       RecordedAnswer answer);
    // Ends a started scope without recording anything (the request never reached its
    // handler): its changes, if any, commit.
    void abandon();

  private:
    ServiceContext& m_ctx;
};

} // namespace twinseal::service
