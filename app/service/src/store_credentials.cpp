#include "twinseal/service/store_credentials.h"

namespace twinseal::service {

StoreStatus CredentialTable::insertCredential(quint64 statusIndex, const QString& dtId,
                                              const QByteArray& digest, const QString& state,
                                              qint64 issuedAt) {
    return m_db.exec("INSERT INTO credentials (status_index, dt_id, digest, state, issued_at)"
                     " VALUES (?, ?, ?, ?, ?)",
                     {sql::u64(statusIndex), dtId, digest, state, issuedAt});
}

StoreStatus CredentialTable::setCredentialState(quint64 statusIndex, const QString& state) {
    return m_db.exec("UPDATE credentials SET state = ? WHERE status_index = ?",
                     {state, sql::u64(statusIndex)});
}

StoreResult<std::vector<quint64>> CredentialTable::inactiveStatusIndices() {
    return m_db.all("SELECT status_index FROM credentials WHERE state <> 'active'", {},
                    [](const Row& r) { return r.u64(0); });
}

} // namespace twinseal::service
