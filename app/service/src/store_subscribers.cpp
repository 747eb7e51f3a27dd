#include "twinseal/service/store_subscribers.h"

namespace twinseal::service {

StoreStatus SubscriberTable::insertSubscriber(const SubscriberRecord& s) {
    return m_db.exec("INSERT INTO subscribers (supi, mnc_length, secrets, sqn, name, role,"
                     " organisation, licence_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     {s.supi, s.mncLength, s.sealedSecrets, sql::u64(s.sqn), sql::text(s.name),
                      sql::text(s.role), sql::text(s.organisation), sql::text(s.licenceId),
                      s.createdAt});
}

StoreResult<std::optional<SubscriberRecord>> SubscriberTable::subscriber(const QString& supi) {
    static constexpr auto kRead = rowMapper(
        &SubscriberRecord::supi, &SubscriberRecord::mncLength, &SubscriberRecord::sealedSecrets,
        &SubscriberRecord::sqn, &SubscriberRecord::name, &SubscriberRecord::role,
        &SubscriberRecord::organisation, &SubscriberRecord::licenceId, &SubscriberRecord::createdAt);
    return m_db.one("SELECT supi, mnc_length, secrets, sqn, name, role, organisation, licence_id,"
                    " created_at FROM subscribers WHERE supi = ?",
                    {supi}, kRead);
}

StoreStatus SubscriberTable::updateSubscriberSqn(const QString& supi, quint64 sqn) {
    return m_db.exec("UPDATE subscribers SET sqn = ? WHERE supi = ?", {sql::u64(sqn), supi});
}

StoreStatus SubscriberTable::insertHandle(const QString& supi, const QString& handle,
                                          qint64 createdAt) {
    return m_db.exec("INSERT INTO subscriber_handles (supi, handle, created_at) VALUES (?, ?, ?)",
                     {supi, handle, createdAt});
}

StoreResult<std::optional<QString>> SubscriberTable::handleOf(const QString& supi) {
    return m_db.one("SELECT handle FROM subscriber_handles WHERE supi = ?", {supi},
                    [](const Row& r) { return r.text(0); });
}

StoreResult<std::optional<QString>> SubscriberTable::supiOfHandle(const QString& handle) {
    return m_db.one("SELECT supi FROM subscriber_handles WHERE handle = ?", {handle},
                    [](const Row& r) { return r.text(0); });
}

StoreResult<std::vector<QString>> SubscriberTable::subscribersWithoutHandle() {
    return m_db.all("SELECT s.supi FROM subscribers s WHERE NOT EXISTS"
                    " (SELECT 1 FROM subscriber_handles h WHERE h.supi = s.supi) ORDER BY s.supi",
                    {}, [](const Row& r) { return r.text(0); });
}

} // namespace twinseal::service
