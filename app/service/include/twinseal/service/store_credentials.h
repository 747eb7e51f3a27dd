// Table `credentials`: every credential issued, by status-list index, with its state
// ("active", "superseded", "revoked").
#pragma once

#include <vector>

#include "twinseal/service/store_database.h"

namespace twinseal::service {

class CredentialTable {
  public:
    explicit CredentialTable(Database& db) : m_db(db) {}
    [[nodiscard]] StoreStatus insertCredential(quint64 statusIndex, const QString& dtId,
                                               const QByteArray& digest, const QString& state,
                                               qint64 issuedAt);
    [[nodiscard]] StoreStatus setCredentialState(quint64 statusIndex, const QString& state);
    [[nodiscard]] StoreResult<std::vector<quint64>> inactiveStatusIndices();

  private:
    Database& m_db;
};

} // namespace twinseal::service
