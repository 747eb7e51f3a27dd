// Tables `avatar_files`, `avatar_chunks` and `grants`: the avatar repository's certified files
// and stored chunks, and the access grants owners created.
#pragma once

#include <optional>
#include <utility>
#include <vector>

#include "twinseal/service/store_database.h"
#include "twinseal/service/store_records.h"

namespace twinseal::service {

class AvatarTable {
  public:
    explicit AvatarTable(Database& db) : m_db(db) {}
    [[nodiscard]] StoreStatus insertAvatarFile(const AvatarFileRecord& f);
    // Removes the files and chunks of media no DT names any more (a re-certified DT's old
    // media); media another DT still certifies is kept.
    [[nodiscard]] StoreStatus removeUnusedAvatar(const QByteArray& root);
    [[nodiscard]] StoreResult<std::vector<AvatarFileRecord>> avatarFiles(const QByteArray& root);
    // false when that chunk was already stored
    [[nodiscard]] StoreResult<bool> putChunk(const QByteArray& root, int file, quint64 chunk,
                                             const QByteArray& data);
    [[nodiscard]] StoreResult<std::optional<QByteArray>> chunk(const QByteArray& root, int file,
                                                               quint64 chunk);
    [[nodiscard]] StoreStatus insertGrant(const QByteArray& tokenHash, const QString& avatarId,
                                          qint64 expiresAt);
    // The avatar a grant token (by its hash) gives access to, and when the grant expires.
    [[nodiscard]] StoreResult<std::optional<std::pair<QString, qint64>>>
    grant(const QByteArray& tokenHash);
    // Withdraws every grant for an avatar (its owner changed).
    [[nodiscard]] StoreStatus deleteGrantsOf(const QString& avatarId);
    // Drops grants that expired before `before`.
    [[nodiscard]] StoreStatus purgeGrants(qint64 before);

  private:
    Database& m_db;
};

} // namespace twinseal::service
