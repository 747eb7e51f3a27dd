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

} // namespace twinseal::service
