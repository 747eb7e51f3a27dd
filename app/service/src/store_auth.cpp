#include "twinseal/service/store_auth.h"

namespace twinseal::service {

StoreStatus AuthTable::insertAuthSession(const AuthSessionRecord& a) {
    return m_db.exec("INSERT INTO auth_sessions (auth_id, supi, rand, xres_digest, kausf,"
                     " expires_at, state, attempts, routing) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     {a.authId, a.supi, a.rand, a.xresDigest, a.sealedKausf, a.expiresAt, a.state,
                      a.attempts, a.routingIndicator});
}

StoreResult<std::optional<AuthSessionRecord>> AuthTable::authSession(const QString& id) {
    static constexpr auto kRead = rowMapper(
        &AuthSessionRecord::authId, &AuthSessionRecord::supi, &AuthSessionRecord::rand,
        &AuthSessionRecord::xresDigest, &AuthSessionRecord::sealedKausf,
        &AuthSessionRecord::expiresAt, &AuthSessionRecord::state, &AuthSessionRecord::attempts,
        &AuthSessionRecord::routingIndicator);
    return m_db.one("SELECT auth_id, supi, rand, xres_digest, kausf, expires_at, state, attempts,"
                    " routing FROM auth_sessions WHERE auth_id = ?",
                    {id}, kRead);
}

StoreStatus AuthTable::updateAuthSession(const QString& id, const QString& state, int attempts) {
    return m_db.exec("UPDATE auth_sessions SET state = ?, attempts = ? WHERE auth_id = ?",
                     {state, attempts, id});
}

StoreStatus AuthTable::insertAkmaKey(const AkmaKeyRecord& k) {
    return m_db.exec("INSERT INTO akma_keys (a_kid, supi, kaf, expires_at) VALUES (?, ?, ?, ?) "
                     "ON CONFLICT (a_kid) DO UPDATE SET supi = excluded.supi, kaf = excluded.kaf,"
                     " expires_at = excluded.expires_at",
                     {k.aKid, k.supi, k.sealedKaf, k.expiresAt});
}

StoreResult<std::optional<AkmaKeyRecord>> AuthTable::akmaKey(const QString& aKid) {
    return m_db.one("SELECT a_kid, supi, kaf, expires_at FROM akma_keys WHERE a_kid = ?", {aKid},
                    [](const Row& r) {
                        return AkmaKeyRecord{r.text(0), r.text(1), r.blob(2), r.i64(3)};
                    });
}

StoreResult<bool> AuthTable::useNonce(const QByteArray& nonce, qint64 expiresAt) {
    auto n = m_db.execCount("INSERT INTO nonces (nonce, expires_at) VALUES (?, ?) "
                            "ON CONFLICT (nonce) DO NOTHING",
                            {nonce, expiresAt});
    if (!n.ok())
        return n.error();
    return *n == 1;
}

StoreStatus AuthTable::purgeExpired(qint64 before) {
    for (const char* statement :
         {"DELETE FROM auth_sessions WHERE expires_at < ?",
          "DELETE FROM akma_keys WHERE expires_at < ?", "DELETE FROM nonces WHERE expires_at < ?"})
        TWINSEAL_TRY(m_db.exec(statement, {before}));
    return {};
}

} // namespace twinseal::service
