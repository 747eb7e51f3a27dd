#include "twinseal/service/store_outcomes.h"

namespace twinseal::service {

StoreResult<std::optional<RequestOutcomeRecord>>
RequestOutcomeTable::outcome(const QByteArray& request) {
    return m_db.one("SELECT request, request_digest, status, content_type, body, expires_at"
                    " FROM request_outcomes WHERE request = ?",
                    {request}, [](const Row& r) {
                        RequestOutcomeRecord o;
                        o.request = r.blob(0);
                        o.digest = r.blob(1);
                        o.status = r.i32(2);
                        o.contentType = r.text(3).toLatin1();
                        o.sealedBody = r.blob(4);
                        o.expiresAt = r.i64(5);
                        return o;
                    });
}

StoreResult<bool> RequestOutcomeTable::insert(const RequestOutcomeRecord& r) {
    auto n = m_db.execCount("INSERT INTO request_outcomes (request, request_digest, status,"
                            " content_type, body, expires_at) VALUES (?, ?, ?, ?, ?, ?)"
                            " ON CONFLICT (request) DO NOTHING",
                            {r.request, r.digest, r.status, QString::fromLatin1(r.contentType), r.sealedBody,
                             r.expiresAt});
    TWINSEAL_TRY(n);
    return *n == 1;
}

StoreStatus RequestOutcomeTable::purgeExpired(qint64 before) {
    return m_db.exec("DELETE FROM request_outcomes WHERE expires_at < ?", {before});
}

} // namespace twinseal::service
