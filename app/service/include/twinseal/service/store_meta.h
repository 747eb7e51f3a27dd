// Table `meta`: named counters (schema version, next status index, status revision, status-list
// sequence).
#pragma once

#include "twinseal/service/store_database.h"

namespace twinseal::service {

class MetaTable {
  public:
    explicit MetaTable(Database& db) : m_db(db) {}
    // 0 when never set.
    [[nodiscard]] StoreResult<qint64> counter(const char* name);
    [[nodiscard]] StoreStatus setCounter(const char* name, qint64 value);

  private:
    Database& m_db;
};

} // namespace twinseal::service
