// Tables `subscribers` and `subscriber_handles`: the subscribers (K and OPc sealed, the highest
// SQN issued, the attributes their credentials disclose) and their transfer handles (stable,
// unique, not secret).
#pragma once

#include <optional>
#include <vector>

#include "twinseal/service/store_database.h"
#include "twinseal/service/store_records.h"

namespace twinseal::service {

class SubscriberTable {
  public:
    explicit SubscriberTable(Database& db) : m_db(db) {}
    [[nodiscard]] StoreStatus insertSubscriber(const SubscriberRecord& s);
    [[nodiscard]] StoreResult<std::optional<SubscriberRecord>> subscriber(const QString& supi);
    [[nodiscard]] StoreStatus updateSubscriberSqn(const QString& supi, quint64 sqn);
    [[nodiscard]] StoreStatus insertHandle(const QString& supi, const QString& handle,
                                           qint64 createdAt);
    [[nodiscard]] StoreResult<std::optional<QString>> handleOf(const QString& supi);
    [[nodiscard]] StoreResult<std::optional<QString>> supiOfHandle(const QString& handle);
    [[nodiscard]] StoreResult<std::vector<QString>> subscribersWithoutHandle();

  private:
    Database& m_db;
};

} // namespace twinseal::service
