// Table `meta`: named counters (schema version, next status index, status revision, status-list
// sequence); table `status_list_publication`: the latest signed status list.
#pragma once

#include <optional>

#include "twinseal/service/store_database.h"

namespace twinseal::service {

// A signed status list as published, with what it was built from.
struct StoredStatusList {
    qint64 sequence = 0;
    qint64 issuedAt = 0;
    qint64 statusRevision = 0;
    qint64 size = 0;
    QByteArray list; // empty when only the header was read
};

class MetaTable {
  public:
    explicit MetaTable(Database& db) : m_db(db) {}
    // 0 when never set.
    [[nodiscard]] StoreResult<qint64> counter(const char* name);
    [[nodiscard]] StoreStatus setCounter(const char* name, qint64 value);
    // The latest publication (nullopt before the first); `withList` false reads all but the
    // signed bytes.
    [[nodiscard]] StoreResult<std::optional<StoredStatusList>> statusList(bool withList);
    // Inside the write transaction that took its sequence: replaces the stored publication.
    [[nodiscard]] StoreStatus setStatusList(const StoredStatusList& published);

  private:
    Database& m_db;
};

} // namespace twinseal::service
