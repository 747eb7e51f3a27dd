#include "twinseal/service/store_audit_anchors.h"

namespace twinseal::service {

StoreResult<std::optional<AuditAnchorRecord>> AuditAnchorTable::anchor(const QString& supi,
                                                                        const QString& logId) {
    return m_db.one("SELECT supi, log_id, counter, checkpoint, audit_key, updated_at"
                    " FROM audit_anchors WHERE supi = ? AND log_id = ?",
                    {supi, logId}, [](const Row& r) {
                        AuditAnchorRecord a;
                        a.supi = r.text(0);
                        a.logId = r.text(1);
                        a.counter = r.u64(2);
                        a.checkpoint = r.blob(3);
                        a.auditKey = r.blob(4);
                        a.updatedAt = r.i64(5);
                        return a;
                    });
}

StoreResult<qint64> AuditAnchorTable::countFor(const QString& supi) {
    auto n = m_db.one("SELECT COUNT(*) FROM audit_anchors WHERE supi = ?", {supi},
                      [](const Row& r) { return r.i64(0); });
    TWINSEAL_TRY(n);
    return n->value_or(0);
}

StoreStatus AuditAnchorTable::put(const AuditAnchorRecord& r) {
    return m_db.exec("INSERT INTO audit_anchors (supi, log_id, counter, checkpoint, audit_key,"
                     " updated_at) VALUES (?, ?, ?, ?, ?, ?)"
                     " ON CONFLICT (supi, log_id) DO UPDATE SET counter = excluded.counter,"
                     " checkpoint = excluded.checkpoint, updated_at = excluded.updated_at",
                     {r.supi, r.logId, sql::u64(r.counter), r.checkpoint, r.auditKey,
                      r.updatedAt});
}

} // namespace twinseal::service
