#include "twinseal/service/store_dts.h"

namespace twinseal::service {

using security::ErrorCode;
using security::makeError;

namespace {

#define TWINSEAL_DT_COLUMNS                                                                        \
    "dt_id, supi, avatar_id, state, holder_key, credential, credential_digest, signed_manifest,"   \
    " media_root, status_index, log_index, generation, created_at, updated_at, revocation_reason"

constexpr auto dtFrom = rowMapper(
    &DtRecord::dtId, &DtRecord::supi, &DtRecord::avatarId, &DtRecord::state, &DtRecord::holderKey,
    &DtRecord::credential, &DtRecord::credentialDigest, &DtRecord::signedManifest,
    &DtRecord::mediaRoot, &DtRecord::statusIndex, &DtRecord::logIndex, &DtRecord::generation,
    &DtRecord::createdAt, &DtRecord::updatedAt, &DtRecord::revocationReason);
static_assert(columnCount(TWINSEAL_DT_COLUMNS) == decltype(dtFrom)::kColumns);

} // namespace

StoreResult<std::optional<DtRecord>> DtTable::dt(const QString& dtId) {
    return m_db.one("SELECT " TWINSEAL_DT_COLUMNS " FROM dts WHERE dt_id = ?", {dtId}, dtFrom);
}

StoreResult<std::optional<DtRecord>> DtTable::activeDtOf(const QString& supi) {
    return m_db.one("SELECT " TWINSEAL_DT_COLUMNS " FROM dts WHERE supi = ? AND state = 'active'",
                    {supi}, dtFrom);
}

StoreResult<std::optional<DtRecord>> DtTable::dtByAvatar(const QString& avatarId) {
    return m_db.one("SELECT " TWINSEAL_DT_COLUMNS " FROM dts WHERE avatar_id = ?", {avatarId},
                    dtFrom);
}

StoreResult<std::optional<DtRecord>>
DtTable::dtByMediaRootFor(const QByteArray& root, const QString& supi, const QString& avatarId) {
    return m_db.one("SELECT " TWINSEAL_DT_COLUMNS " FROM dts WHERE media_root = ?"
                    " AND (supi = ? OR avatar_id = ?)"
                    " ORDER BY (state = 'active') DESC, updated_at DESC",
                    {root, supi, avatarId}, dtFrom);
}

StoreResult<std::optional<DtRecord>>
DtTable::activeDtWithMediaRootElsewhere(const QByteArray& root, const QString& supi) {
    return m_db.one("SELECT " TWINSEAL_DT_COLUMNS " FROM dts WHERE media_root = ?"
                    " AND state = 'active' AND supi <> ? ORDER BY created_at LIMIT 1",
                    {root, supi}, dtFrom);
}

StoreResult<std::vector<DtRecord>> DtTable::dtsOf(const QString& supi) {
    return m_db.all("SELECT " TWINSEAL_DT_COLUMNS " FROM dts WHERE supi = ? ORDER BY created_at",
                    {supi}, dtFrom);
}

StoreResult<std::vector<DtRecord>> DtTable::allDts() {
    return m_db.all("SELECT " TWINSEAL_DT_COLUMNS " FROM dts ORDER BY created_at", {}, dtFrom);
}

StoreStatus DtTable::insertDt(const DtRecord& d) {
    return m_db.exec("INSERT INTO dts (" TWINSEAL_DT_COLUMNS ") VALUES"
                     " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     {d.dtId, d.supi, d.avatarId, d.state, d.holderKey, d.credential,
                      d.credentialDigest, d.signedManifest, d.mediaRoot, sql::u64(d.statusIndex),
                      sql::u64(d.logIndex), d.generation, d.createdAt, d.updatedAt,
                      sql::text(d.revocationReason)});
}

StoreStatus DtTable::updateDt(const DtRecord& d) {
    auto n =
        m_db.execCount("UPDATE dts SET state = ?, holder_key = ?, credential = ?,"
                       " credential_digest = ?, signed_manifest = ?, media_root = ?,"
                       " status_index = ?, log_index = ?, generation = ?, updated_at = ?,"
                       " revocation_reason = ?, supi = ? WHERE dt_id = ?",
                       {d.state, d.holderKey, d.credential, d.credentialDigest, d.signedManifest,
                        d.mediaRoot, sql::u64(d.statusIndex), sql::u64(d.logIndex), d.generation,
                        d.updatedAt, sql::text(d.revocationReason), d.supi, d.dtId});
    if (!n.ok())
        return n.error();
    if (*n != 1)
        return makeError(ErrorCode::Internal, "database: DT " + d.dtId.toStdString() + " vanished");
    return {};
}

} // namespace twinseal::service
