// Table `transfers`: ownership-transfer offers and what became of them.
#pragma once

#include <optional>
#include <vector>

#include "twinseal/service/store_database.h"
#include "twinseal/service/store_records.h"

namespace twinseal::service {

class TransferTable {
  public:
    explicit TransferTable(Database& db) : m_db(db) {}
    [[nodiscard]] StoreStatus insertTransfer(const TransferOfferRecord& t);
    // Updates state, recipient, finished_at, log index and acceptance.
    [[nodiscard]] StoreStatus updateTransfer(const TransferOfferRecord& t);
    [[nodiscard]] StoreResult<std::optional<TransferOfferRecord>> transfer(const QString& id);
    [[nodiscard]] StoreResult<std::optional<TransferOfferRecord>>
    transferByCode(const QByteArray& codeHash);
    // Offers from or to `supi` that are pending or finished at or after `finishedSince`, newest
    // first, at most `limit`.
    [[nodiscard]] StoreResult<std::vector<TransferOfferRecord>>
    transfersOf(const QString& supi, qint64 finishedSince, int limit);
    [[nodiscard]] StoreResult<std::vector<TransferOfferRecord>>
    pendingTransfersOfDt(const QString& dtId);
    // True when `supi` once owned DT `dtId` and transferred it away.
    [[nodiscard]] StoreResult<bool> transferredAwayBy(const QString& dtId, const QString& supi);
    // Offers nobody answered by `now`: expired (finished when they expired).
    [[nodiscard]] StoreStatus expirePending(qint64 now);

  private:
    Database& m_db;
};

} // namespace twinseal::service
