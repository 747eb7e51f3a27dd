// Tables `auth_sessions`, `akma_keys` and `nonces`: 5G-AKA sessions in progress, the AKMA keys
// they yielded, and the nonces already used (replay protection).
#pragma once

#include <optional>

#include "twinseal/service/store_database.h"
#include "twinseal/service/store_records.h"

namespace twinseal::service {

class AuthTable {
  public:
    explicit AuthTable(Database& db) : m_db(db) {}
    [[nodiscard]] StoreStatus insertAuthSession(const AuthSessionRecord& a);
    [[nodiscard]] StoreResult<std::optional<AuthSessionRecord>> authSession(const QString& id);
    [[nodiscard]] StoreStatus updateAuthSession(const QString& id, const QString& state,
                                                int attempts);
    [[nodiscard]] StoreStatus insertAkmaKey(const AkmaKeyRecord& k);
    [[nodiscard]] StoreResult<std::optional<AkmaKeyRecord>> akmaKey(const QString& aKid);
    // false when the nonce was already used (a replay)
    [[nodiscard]] StoreResult<bool> useNonce(const QByteArray& nonce, qint64 expiresAt);
    // Drops sessions, keys and nonces that expired before `before`.
    [[nodiscard]] StoreStatus purgeExpired(qint64 before);

  private:
    Database& m_db;
};

} // namespace twinseal::service
