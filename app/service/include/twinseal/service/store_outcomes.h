// Table `request_outcomes`: the answer to each state-changing request, by the request's key
// (the hash of its signed nonce), sealed under the storage key, until its replay window ends
// (request_outcomes.h).
#pragma once

#include <QByteArray>

#include <optional>

#include "twinseal/service/store_database.h"

namespace twinseal::service {

struct RequestOutcomeRecord {
    QByteArray request; // the request's key
    QByteArray digest;  // what tells the request from another one with the same key
    int status = 0;
    QByteArray contentType;
    QByteArray sealedBody;
    qint64 expiresAt = 0;
};

class RequestOutcomeTable {
  public:
    explicit RequestOutcomeTable(Database& db) : m_db(db) {}
    [[nodiscard]] StoreResult<std::optional<RequestOutcomeRecord>> outcome(const QByteArray& request);
    // False when the request has an outcome already (another instance answered it first).
    [[nodiscard]] StoreResult<bool> insert(const RequestOutcomeRecord& r);
    [[nodiscard]] StoreStatus purgeExpired(qint64 before);

  private:
    Database& m_db;
};

} // namespace twinseal::service
