#include "twinseal/service/store_meta.h"

namespace twinseal::service {

StoreResult<qint64> MetaTable::counter(const char* name) {
    auto v = m_db.one("SELECT value FROM meta WHERE name = ?", {QString::fromLatin1(name)},
                      [](const Row& r) { return r.i64(0); });
    if (!v.ok())
        return v.error();
    return v->value_or(0);
}

StoreStatus MetaTable::setCounter(const char* name, qint64 value) {
    return m_db.exec("INSERT INTO meta (name, value) VALUES (?, ?) "
                     "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                     {QString::fromLatin1(name), value});
}

StoreResult<std::optional<StoredStatusList>> MetaTable::statusList(bool withList) {
    return m_db.one(withList ? "SELECT sequence, issued_at, status_revision, list_size, list "
                               "FROM status_list_publication WHERE id = 1"
                             : "SELECT sequence, issued_at, status_revision, list_size "
                               "FROM status_list_publication WHERE id = 1",
                    {}, [withList](const Row& r) {
                        StoredStatusList s;
                        s.sequence = r.i64(0);
                        s.issuedAt = r.i64(1);
                        s.statusRevision = r.i64(2);
                        s.size = r.i64(3);
                        if (withList)
                            s.list = r.blob(4);
                        return s;
                    });
}

StoreStatus MetaTable::setStatusList(const StoredStatusList& p) {
    return m_db.exec("INSERT INTO status_list_publication "
                     "(id, sequence, issued_at, status_revision, list_size, list) "
                     "VALUES (1, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
                     "sequence = excluded.sequence, issued_at = excluded.issued_at, "
                     "status_revision = excluded.status_revision, "
                     "list_size = excluded.list_size, list = excluded.list",
                     {p.sequence, p.issuedAt, p.statusRevision, p.size, p.list});
}

} // namespace twinseal::service
