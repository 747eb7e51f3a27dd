#include "twinseal/service/store_avatars.h"

namespace twinseal::service {

StoreStatus AvatarTable::insertAvatarFile(const AvatarFileRecord& f) {
    return m_db.exec("INSERT INTO avatar_files (media_root, file_index, path, size, chunks)"
                     " VALUES (?, ?, ?, ?, ?) ON CONFLICT (media_root, file_index) DO NOTHING",
                     {f.mediaRoot, f.fileIndex, f.path, sql::u64(f.size), sql::u64(f.chunks)});
}

StoreStatus AvatarTable::removeUnusedAvatar(const QByteArray& root) {
    for (const char* statement : {"DELETE FROM avatar_chunks WHERE media_root = ?"
                                  " AND NOT EXISTS (SELECT 1 FROM dts WHERE media_root = ?)",
                                  "DELETE FROM avatar_files WHERE media_root = ?"
                                  " AND NOT EXISTS (SELECT 1 FROM dts WHERE media_root = ?)"})
        TWINSEAL_TRY(m_db.exec(statement, {root, root}));
    return {};
}

StoreResult<std::vector<AvatarFileRecord>> AvatarTable::avatarFiles(const QByteArray& root) {
    return m_db.all("SELECT f.file_index, f.path, f.size, f.chunks,"
                    " (SELECT COUNT(*) FROM avatar_chunks c WHERE c.media_root = f.media_root"
                    "  AND c.file_index = f.file_index)"
                    " FROM avatar_files f WHERE f.media_root = ? ORDER BY f.file_index",
                    {root}, [&root](const Row& r) {
                        return AvatarFileRecord{root,     r.i32(0), r.text(1),
                                                r.u64(2), r.u64(3), r.u64(4)};
                    });
}

StoreResult<bool> AvatarTable::putChunk(const QByteArray& root, int file, quint64 chunkIndex,
                                        const QByteArray& data) {
    auto n = m_db.execCount("INSERT INTO avatar_chunks (media_root, file_index, chunk_index, data)"
                            " VALUES (?, ?, ?, ?) ON CONFLICT (media_root, file_index, chunk_index)"
                            " DO NOTHING",
                            {root, file, sql::u64(chunkIndex), data});
    if (!n.ok())
        return n.error();
    return *n == 1;
}

StoreResult<std::optional<QByteArray>> AvatarTable::chunk(const QByteArray& root, int file,
                                                          quint64 chunkIndex) {
    return m_db.one("SELECT data FROM avatar_chunks WHERE media_root = ? AND file_index = ?"
                    " AND chunk_index = ?",
                    {root, file, sql::u64(chunkIndex)}, [](const Row& r) { return r.blob(0); });
}

StoreStatus AvatarTable::insertGrant(const QByteArray& tokenHash, const QString& avatarId,
                                     qint64 expiresAt) {
    return m_db.exec("INSERT INTO grants (token_hash, avatar_id, expires_at) VALUES (?, ?, ?)",
                     {tokenHash, avatarId, expiresAt});
}

StoreResult<std::optional<std::pair<QString, qint64>>>
AvatarTable::grant(const QByteArray& tokenHash) {
    return m_db.one("SELECT avatar_id, expires_at FROM grants WHERE token_hash = ?", {tokenHash},
                    [](const Row& r) { return std::make_pair(r.text(0), r.i64(1)); });
}

StoreStatus AvatarTable::deleteGrantsOf(const QString& avatarId) {
    return m_db.exec("DELETE FROM grants WHERE avatar_id = ?", {avatarId});
}

StoreStatus AvatarTable::purgeGrants(qint64 before) {
    return m_db.exec("DELETE FROM grants WHERE expires_at < ?", {before});
}

} // namespace twinseal::service
