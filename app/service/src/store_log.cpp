#include "twinseal/service/store_log.h"

namespace twinseal::service {

using security::ErrorCode;
using security::makeError;

namespace {
quint64 count(const StoreResult<std::optional<quint64>>& n) {
    return n->value_or(0);
}
} // namespace

StoreResult<quint64> LogTable::logSize() {
    auto n =
        m_db.one("SELECT COUNT(*) FROM log_entries", {}, [](const Row& r) { return r.u64(0); });
    if (!n.ok())
        return n.error();
    return count(n);
}

StoreStatus LogTable::appendLogEntry(quint64 index, const QByteArray& entry,
                                     const QByteArray& leafHash, const QByteArray& credentialDigest,
                                     qint64 at, const QString& dtId) {
    TWINSEAL_TRY(m_db.exec("INSERT INTO log_entries (idx, entry, leaf_hash, credential_digest,"
                           " created_at) VALUES (?, ?, ?, ?, ?)",
                           {sql::u64(index), entry, leafHash, credentialDigest, at}));
    return indexLogEntry(index, dtId);
}

StoreStatus LogTable::indexLogEntry(quint64 index, const QString& dtId) {
    return m_db.exec("INSERT INTO log_dts (idx, dt_id) VALUES (?, ?) ON CONFLICT (idx) DO NOTHING",
                     {sql::u64(index), sql::text(dtId)});
}

StoreResult<quint64> LogTable::indexedLogSize() {
    auto n = m_db.one("SELECT COUNT(*) FROM log_dts", {}, [](const Row& r) { return r.u64(0); });
    if (!n.ok())
        return n.error();
    return count(n);
}

StoreResult<std::vector<quint64>> LogTable::logIndicesOfDt(const QString& dtId) {
    return m_db.all("SELECT idx FROM log_dts WHERE dt_id = ? ORDER BY idx", {dtId},
                    [](const Row& r) { return r.u64(0); });
}

StoreResult<std::vector<QByteArray>> LogTable::leafHashesFrom(quint64 from) {
    auto rows = m_db.all("SELECT idx, leaf_hash FROM log_entries WHERE idx >= ? ORDER BY idx",
                         {sql::u64(from)},
                         [](const Row& r) { return std::make_pair(r.u64(0), r.blob(1)); });
    if (!rows.ok())
        return rows.error();
    std::vector<QByteArray> out;
    out.reserve(rows->size());
    quint64 expected = from;
    for (auto& [index, hash] : *rows) {
        if (index != expected)
            return makeError(ErrorCode::Internal,
                             "database: the log has a gap at index " + std::to_string(expected));
        out.push_back(std::move(hash));
        ++expected;
    }
    return out;
}

StoreResult<std::optional<QByteArray>> LogTable::logEntry(quint64 index) {
    return m_db.one("SELECT entry FROM log_entries WHERE idx = ?", {sql::u64(index)},
                    [](const Row& r) { return r.blob(0); });
}

StoreResult<std::optional<quint64>> LogTable::logIndexOfCredential(const QByteArray& digest) {
    auto min =
        m_db.one("SELECT MIN(idx) FROM log_entries WHERE credential_digest = ?", {digest},
                 [](const Row& r) { return r.isNull(0) ? std::optional<quint64>() : r.u64(0); });
    if (!min.ok())
        return min.error();
    return min->value_or(std::nullopt);
}

} // namespace twinseal::service
