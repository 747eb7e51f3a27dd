// Tables `log_entries` and `log_dts`: the transparency log's entries and leaf hashes, and the
// log indexed by DT.
#pragma once

#include <optional>
#include <vector>

#include "twinseal/service/store_database.h"

namespace twinseal::service {

class LogTable {
  public:
    explicit LogTable(Database& db) : m_db(db) {}
    [[nodiscard]] StoreResult<quint64> logSize();
    // Also indexes the entry under its DT (see logIndicesOfDt).
    [[nodiscard]] StoreStatus appendLogEntry(quint64 index, const QByteArray& entry,
                                             const QByteArray& leafHash,
                                             const QByteArray& credentialDigest, qint64 at,
                                             const QString& dtId);
    // The log indices of one DT's entries, in order.
    [[nodiscard]] StoreResult<std::vector<quint64>> logIndicesOfDt(const QString& dtId);
    // How many entries are indexed by DT; and indexing one (for databases from before the index).
    [[nodiscard]] StoreResult<quint64> indexedLogSize();
    [[nodiscard]] StoreStatus indexLogEntry(quint64 index, const QString& dtId);
    // leaf hashes of entries index >= from, in order
    [[nodiscard]] StoreResult<std::vector<QByteArray>> leafHashesFrom(quint64 from);
    [[nodiscard]] StoreResult<std::optional<QByteArray>> logEntry(quint64 index);
    [[nodiscard]] StoreResult<std::optional<quint64>> logIndexOfCredential(const QByteArray& d);

  private:
    Database& m_db;
};

} // namespace twinseal::service
