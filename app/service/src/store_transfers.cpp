#include "twinseal/service/store_transfers.h"

namespace twinseal::service {

using security::ErrorCode;
using security::makeError;

namespace {

#define TWINSEAL_TRANSFER_COLUMNS                                                                  \
    "transfer_id, dt_id, avatar_id, from_supi, from_handle, to_supi, to_handle, code_hash, offer," \
    " offer_digest, credential_digest, media_root, state, created_at, expires_at, finished_at,"    \
    " log_index, acceptance"

constexpr auto transferFrom = rowMapper(
    &TransferOfferRecord::transferId, &TransferOfferRecord::dtId, &TransferOfferRecord::avatarId,
    &TransferOfferRecord::fromSupi, &TransferOfferRecord::fromHandle, &TransferOfferRecord::toSupi,
    &TransferOfferRecord::toHandle, &TransferOfferRecord::codeHash, &TransferOfferRecord::offer,
    &TransferOfferRecord::offerDigest, &TransferOfferRecord::credentialDigest,
    &TransferOfferRecord::mediaRoot, &TransferOfferRecord::state, &TransferOfferRecord::createdAt,
    &TransferOfferRecord::expiresAt, &TransferOfferRecord::finishedAt,
    &TransferOfferRecord::logIndex, &TransferOfferRecord::acceptance);
static_assert(columnCount(TWINSEAL_TRANSFER_COLUMNS) == decltype(transferFrom)::kColumns);

} // namespace

StoreStatus TransferTable::insertTransfer(const TransferOfferRecord& t) {
    return m_db.exec("INSERT INTO transfers (" TWINSEAL_TRANSFER_COLUMNS ") VALUES"
                     " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     {t.transferId, t.dtId, t.avatarId, t.fromSupi, sql::text(t.fromHandle),
                      sql::text(t.toSupi), sql::text(t.toHandle), sql::optBlob(t.codeHash), t.offer,
                      t.offerDigest, t.credentialDigest, t.mediaRoot, t.state, t.createdAt,
                      t.expiresAt, t.finishedAt, t.logIndex, sql::optBlob(t.acceptance)});
}

StoreStatus TransferTable::updateTransfer(const TransferOfferRecord& t) {
    auto n = m_db.execCount(
        "UPDATE transfers SET state = ?, to_supi = ?, to_handle = ?, finished_at = ?,"
        " log_index = ?, acceptance = ? WHERE transfer_id = ?",
        {t.state, sql::text(t.toSupi), sql::text(t.toHandle), t.finishedAt, t.logIndex,
         sql::optBlob(t.acceptance), t.transferId});
    if (!n.ok())
        return n.error();
    if (*n != 1)
        return makeError(ErrorCode::Internal,
                         "database: transfer " + t.transferId.toStdString() + " vanished");
    return {};
}

StoreResult<std::optional<TransferOfferRecord>> TransferTable::transfer(const QString& id) {
    return m_db.one("SELECT " TWINSEAL_TRANSFER_COLUMNS " FROM transfers WHERE transfer_id = ?",
                    {id}, transferFrom);
}

StoreResult<std::optional<TransferOfferRecord>>
TransferTable::transferByCode(const QByteArray& codeHash) {
    return m_db.one("SELECT " TWINSEAL_TRANSFER_COLUMNS " FROM transfers WHERE code_hash = ?",
                    {codeHash}, transferFrom);
}

StoreResult<std::vector<TransferOfferRecord>>
TransferTable::transfersOf(const QString& supi, qint64 finishedSince, int limit) {
    return m_db.all(
        "SELECT " TWINSEAL_TRANSFER_COLUMNS " FROM transfers"
        " WHERE (from_supi = ? OR to_supi = ?) AND (state = 'pending' OR finished_at >= ?)"
        " ORDER BY created_at DESC, transfer_id LIMIT ?",
        {supi, supi, finishedSince, limit}, transferFrom);
}

StoreResult<std::vector<TransferOfferRecord>>
TransferTable::pendingTransfersOfDt(const QString& dtId) {
    return m_db.all("SELECT " TWINSEAL_TRANSFER_COLUMNS " FROM transfers"
                    " WHERE dt_id = ? AND state = 'pending' ORDER BY created_at",
                    {dtId}, transferFrom);
}

StoreResult<bool> TransferTable::transferredAwayBy(const QString& dtId, const QString& supi) {
    auto n = m_db.one("SELECT COUNT(*) FROM transfers WHERE dt_id = ? AND from_supi = ?"
                      " AND state = 'accepted'",
                      {dtId, supi}, [](const Row& r) { return r.i64(0); });
    if (!n.ok())
        return n.error();
    return n->value_or(0) > 0;
}

StoreStatus TransferTable::expirePending(qint64 now) {
    return m_db.exec("UPDATE transfers SET state = 'expired', finished_at = expires_at"
                     " WHERE state = 'pending' AND expires_at <= ?",
                     {now});
}

} // namespace twinseal::service
