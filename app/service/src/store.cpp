#include "twinseal/service/store.h"

#include <QDir>
#include <QFile>
#include <QSqlError>
#include <QUrl>
#include <QUrlQuery>
#include <QUuid>
#include <QVariant>

namespace twinseal::service {

using security::ErrorCode;
using security::makeError;

namespace {

// Portable DDL: %BLOB% and %INT% are filled in per backend.
const char* const kSchema[] = {
    "CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value %INT% NOT NULL)",
    "CREATE TABLE IF NOT EXISTS subscribers (supi TEXT PRIMARY KEY, mnc_length INTEGER NOT NULL,"
    " secrets %BLOB% NOT NULL, sqn %INT% NOT NULL, name TEXT NOT NULL, role TEXT NOT NULL,"
    " organisation TEXT NOT NULL, licence_id TEXT NOT NULL, created_at %INT% NOT NULL)",
    "CREATE TABLE IF NOT EXISTS auth_sessions (auth_id TEXT PRIMARY KEY, supi TEXT NOT NULL,"
    " rand %BLOB% NOT NULL, xres_digest %BLOB% NOT NULL, kausf %BLOB% NOT NULL,"
    " expires_at %INT% NOT NULL, state TEXT NOT NULL, attempts INTEGER NOT NULL,"
    " routing TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS akma_keys (a_kid TEXT PRIMARY KEY, supi TEXT NOT NULL,"
    " kaf %BLOB% NOT NULL, expires_at %INT% NOT NULL)",
    "CREATE TABLE IF NOT EXISTS nonces (nonce %BLOB% PRIMARY KEY, expires_at %INT% NOT NULL)",
    "CREATE TABLE IF NOT EXISTS dts (dt_id TEXT PRIMARY KEY, supi TEXT NOT NULL,"
    " avatar_id TEXT NOT NULL UNIQUE, state TEXT NOT NULL, holder_key %BLOB% NOT NULL,"
    " credential %BLOB% NOT NULL, credential_digest %BLOB% NOT NULL,"
    " signed_manifest %BLOB% NOT NULL, media_root %BLOB% NOT NULL, status_index %INT% NOT NULL,"
    " log_index %INT% NOT NULL, generation INTEGER NOT NULL, created_at %INT% NOT NULL,"
    " updated_at %INT% NOT NULL, revocation_reason TEXT NOT NULL)",
    // One active DT per subscriber, enforced by the database itself.
    "CREATE UNIQUE INDEX IF NOT EXISTS dts_one_active ON dts (supi) WHERE state = 'active'",
    "CREATE INDEX IF NOT EXISTS dts_by_root ON dts (media_root)",
    "CREATE TABLE IF NOT EXISTS credentials (status_index %INT% PRIMARY KEY, dt_id TEXT NOT NULL,"
    " digest %BLOB% NOT NULL, state TEXT NOT NULL, issued_at %INT% NOT NULL)",
    "CREATE TABLE IF NOT EXISTS log_entries (idx %INT% PRIMARY KEY, entry %BLOB% NOT NULL,"
    " leaf_hash %BLOB% NOT NULL, credential_digest %BLOB% NOT NULL, created_at %INT% NOT NULL)",
    "CREATE INDEX IF NOT EXISTS log_by_credential ON log_entries (credential_digest)",
    "CREATE TABLE IF NOT EXISTS avatar_files (media_root %BLOB% NOT NULL,"
    " file_index INTEGER NOT NULL, path TEXT NOT NULL, size %INT% NOT NULL,"
    " chunks %INT% NOT NULL, PRIMARY KEY (media_root, file_index))",
    "CREATE TABLE IF NOT EXISTS avatar_chunks (media_root %BLOB% NOT NULL,"
    " file_index INTEGER NOT NULL, chunk_index %INT% NOT NULL, data %BLOB% NOT NULL,"
    " PRIMARY KEY (media_root, file_index, chunk_index))",
    "CREATE TABLE IF NOT EXISTS grants (token_hash %BLOB% PRIMARY KEY, avatar_id TEXT NOT NULL,"
    " expires_at %INT% NOT NULL)",
    // Schema version 2: ownership transfer (transfer handles, offers, the log indexed by DT).
    "CREATE TABLE IF NOT EXISTS subscriber_handles (supi TEXT PRIMARY KEY,"
    " handle TEXT NOT NULL UNIQUE, created_at %INT% NOT NULL)",
    "CREATE TABLE IF NOT EXISTS transfers (transfer_id TEXT PRIMARY KEY, dt_id TEXT NOT NULL,"
    " avatar_id TEXT NOT NULL, from_supi TEXT NOT NULL, from_handle TEXT NOT NULL,"
    " to_supi TEXT NOT NULL, to_handle TEXT NOT NULL, code_hash %BLOB%, offer %BLOB% NOT NULL,"
    " offer_digest %BLOB% NOT NULL, credential_digest %BLOB% NOT NULL,"
    " media_root %BLOB% NOT NULL, state TEXT NOT NULL, created_at %INT% NOT NULL,"
    " expires_at %INT% NOT NULL, finished_at %INT% NOT NULL, log_index %INT% NOT NULL,"
    " acceptance %BLOB%)",
    "CREATE INDEX IF NOT EXISTS transfers_from ON transfers (from_supi)",
    "CREATE INDEX IF NOT EXISTS transfers_to ON transfers (to_supi)",
    "CREATE INDEX IF NOT EXISTS transfers_by_dt ON transfers (dt_id)",
    "CREATE INDEX IF NOT EXISTS transfers_by_code ON transfers (code_hash)",
    "CREATE TABLE IF NOT EXISTS log_dts (idx %INT% PRIMARY KEY, dt_id TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS log_dts_by_dt ON log_dts (dt_id)",
    // Schema version 3: lawful disclosures recorded by the operator (DESIGN §7). An existing
    // database gets the table when it is next opened.
    "CREATE TABLE IF NOT EXISTS lawful_disclosures (disclosure_id TEXT PRIMARY KEY,"
    " dt_id TEXT NOT NULL, supi TEXT NOT NULL, authority TEXT NOT NULL, case_ref TEXT NOT NULL,"
    " legal_basis TEXT NOT NULL, attributes TEXT NOT NULL, disclosed_at %INT% NOT NULL)",
    "CREATE INDEX IF NOT EXISTS lawful_disclosures_by_supi ON lawful_disclosures (supi)",
    "INSERT INTO meta (name, value) VALUES ('schema_version', 3) ON CONFLICT (name) DO NOTHING",
    "UPDATE meta SET value = 3 WHERE name = 'schema_version' AND value < 3",
    "INSERT INTO meta (name, value) VALUES ('write_lock', 0) ON CONFLICT (name) DO NOTHING",
};

QVariant u64(quint64 v) { return QVariant::fromValue(static_cast<qlonglong>(v)); }
// Optional blobs are stored as SQL NULL when empty.
QVariant optBlob(const QByteArray& b) {
    return b.isEmpty() ? QVariant(QMetaType::fromType<QByteArray>()) : QVariant(b);
}
// A null QString binds as SQL NULL; text columns here are NOT NULL and empty means "none".
QString nn(const QString& s) { return s.isNull() ? QStringLiteral("") : s; }

} // namespace

Store::~Store() { close(); }

void Store::close() {
    qDeleteAll(m_queries);
    m_queries.clear();
    if (!m_connection.isEmpty()) {
        {
            QSqlDatabase db = QSqlDatabase::database(m_connection, false);
            if (db.isOpen())
                db.close();
        }
        QSqlDatabase::removeDatabase(m_connection);
        m_connection.clear();
    }
}

security::Error Store::sqlError(const QString& what, const QSqlQuery* q) const {
    QString detail = what;
    if (q != nullptr && q->lastError().isValid())
        detail += QStringLiteral(": ") + q->lastError().text();
    else if (!m_connection.isEmpty())
        detail += QStringLiteral(": ") + QSqlDatabase::database(m_connection, false).lastError().text();
    return makeError(ErrorCode::IoError, "database: " + detail.toStdString());
}

StoreStatus Store::open(const QString& dataDir, const QString& database,
                        const QString& sqliteSynchronous) {
    close();
    m_connection = QStringLiteral("twinseal-store-") + QUuid::createUuid().toString(QUuid::Id128);
    if (database.isEmpty() || database.startsWith(QLatin1String("sqlite:"))) {
        m_backend = Backend::Sqlite;
        QString path = database.isEmpty() ? QDir(dataDir).filePath(QStringLiteral("homenet.sqlite"))
                                          : database.mid(7);
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connection);
        db.setDatabaseName(path);
        db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=10000"));
        if (!db.open())
            return makeError(ErrorCode::IoError, "cannot open the SQLite database " +
                                                     path.toStdString() + ": " +
                                                     db.lastError().text().toStdString());
        QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        TWINSEAL_TRY(execRaw(QStringLiteral("PRAGMA journal_mode=WAL")));
        const QString sync = sqliteSynchronous.toUpper();
        if (sync != QLatin1String("NORMAL") && sync != QLatin1String("FULL"))
            return makeError(ErrorCode::InvalidArgument, "sqlite synchronous must be NORMAL or FULL");
        TWINSEAL_TRY(execRaw(QStringLiteral("PRAGMA synchronous=") + sync));
        TWINSEAL_TRY(execRaw(QStringLiteral("PRAGMA foreign_keys=ON")));
    } else if (database.startsWith(QLatin1String("postgresql://")) ||
               database.startsWith(QLatin1String("postgres://"))) {
        m_backend = Backend::Postgres;
        const QUrl url(database);
        if (!url.isValid() || url.path().size() < 2)
            return makeError(ErrorCode::InvalidArgument,
                             "database URL must look like postgresql://user@host:port/dbname");
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), m_connection);
        if (!db.isValid())
            return makeError(ErrorCode::IoError,
                             "the Qt PostgreSQL driver (libqt6sql6-psql) is not installed");
        QString host = url.host();
        const QString hostQuery = QUrlQuery(url).queryItemValue(QStringLiteral("host"));
        if (!hostQuery.isEmpty())
            host = hostQuery; // a socket directory, e.g. ?host=/var/run/postgresql
        if (!host.isEmpty())
            db.setHostName(host);
        if (url.port() > 0)
            db.setPort(url.port());
        db.setDatabaseName(url.path().mid(1));
        if (!url.userName().isEmpty())
            db.setUserName(url.userName());
        if (!url.password().isEmpty())
            db.setPassword(url.password());
        if (!db.open())
            return makeError(ErrorCode::IoError, "cannot connect to PostgreSQL database " +
                                                     url.path().mid(1).toStdString() + ": " +
                                                     db.lastError().text().toStdString());
        TWINSEAL_TRY(execRaw(QStringLiteral("SET client_min_messages TO WARNING")));
    } else {
        return makeError(ErrorCode::InvalidArgument,
                         "database must be empty (SQLite in the data directory), sqlite:PATH or "
                         "postgresql://user@host:port/dbname");
    }
    return createSchema();
}

StoreStatus Store::execRaw(const QString& sql) {
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    if (!q.exec(sql))
        return sqlError(sql, &q);
    return {};
}

StoreStatus Store::createSchema() {
    const QString blob = m_backend == Backend::Sqlite ? QStringLiteral("BLOB") : QStringLiteral("BYTEA");
    const QString i64 = m_backend == Backend::Sqlite ? QStringLiteral("INTEGER") : QStringLiteral("BIGINT");
    auto tx = begin(true);
    TWINSEAL_TRY(tx);
    for (const char* stmt : kSchema) {
        QString sql = QString::fromLatin1(stmt);
        sql.replace(QLatin1String("%BLOB%"), blob).replace(QLatin1String("%INT%"), i64);
        TWINSEAL_TRY(execRaw(sql));
    }
    return tx->commit();
}

StoreResult<QSqlQuery*> Store::prepare(const char* sql) {
    if (auto it = m_queries.find(sql); it != m_queries.end())
        return it.value();
    auto* q = new QSqlQuery(QSqlDatabase::database(m_connection, false));
    if (!q->prepare(QString::fromLatin1(sql))) {
        auto err = sqlError(QStringLiteral("prepare"), q);
        delete q;
        return err;
    }
    m_queries.insert(sql, q);
    return q;
}

StoreStatus Store::exec(QSqlQuery* q) {
    if (!q->exec())
        return sqlError(QStringLiteral("query"), q);
    return {};
}

// ---- transactions ------------------------------------------------------------------------------

Store::Transaction::Transaction(Transaction&& o) noexcept : m_store(o.m_store) { o.m_store = nullptr; }

Store::Transaction::~Transaction() { rollback(); }

void Store::Transaction::rollback() {
    if (m_store == nullptr)
        return;
    for (auto* q : std::as_const(m_store->m_queries))
        q->finish();
    (void)m_store->execRaw(QStringLiteral("ROLLBACK"));
    m_store->m_inTransaction = false;
    m_store = nullptr;
}

StoreStatus Store::Transaction::commit() {
    if (m_store == nullptr)
        return makeError(ErrorCode::Internal, "transaction already finished");
    Store* s = m_store;
    for (auto* q : std::as_const(s->m_queries))
        q->finish();
    auto st = s->execRaw(QStringLiteral("COMMIT"));
    if (!st.ok()) {
        rollback();
        return st;
    }
    s->m_inTransaction = false;
    m_store = nullptr;
    return {};
}

StoreResult<Store::Transaction> Store::begin(bool write) {
    if (m_inTransaction)
        return makeError(ErrorCode::Internal, "nested transactions are not supported");
    if (m_backend == Backend::Sqlite) {
        TWINSEAL_TRY(execRaw(write ? QStringLiteral("BEGIN IMMEDIATE") : QStringLiteral("BEGIN")));
    } else {
        TWINSEAL_TRY(execRaw(QStringLiteral("BEGIN")));
        if (write) {
            // Serializes writers across processes; the schema may not exist yet on first use.
            QSqlQuery q(QSqlDatabase::database(m_connection, false));
            if (!q.exec(QStringLiteral("SELECT pg_advisory_xact_lock(7425711)"))) {
                auto err = sqlError(QStringLiteral("lock"), &q);
                (void)execRaw(QStringLiteral("ROLLBACK"));
                return err;
            }
        }
    }
    m_inTransaction = true;
    return Transaction(this);
}

// ---- meta --------------------------------------------------------------------------------------

StoreResult<qint64> Store::counter(const char* name) {
    auto q = prepare("SELECT value FROM meta WHERE name = ?");
    TWINSEAL_TRY(q);
    (*q)->bindValue(0, QString::fromLatin1(name));
    TWINSEAL_TRY(exec(*q));
    const qint64 v = (*q)->next() ? (*q)->value(0).toLongLong() : 0;
    (*q)->finish();
    return v;
}

StoreStatus Store::setCounter(const char* name, qint64 value) {
    auto q = prepare("INSERT INTO meta (name, value) VALUES (?, ?) "
                     "ON CONFLICT (name) DO UPDATE SET value = excluded.value");
    TWINSEAL_TRY(q);
    (*q)->bindValue(0, QString::fromLatin1(name));
    (*q)->bindValue(1, value);
    return exec(*q);
}

// ---- subscribers ---------------------------------------------------------------------------------

StoreStatus Store::insertSubscriber(const SubscriberRecord& s) {
    auto q = prepare("INSERT INTO subscribers (supi, mnc_length, secrets, sqn, name, role,"
                     " organisation, licence_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    TWINSEAL_TRY(q);
    QSqlQuery* x = *q;
    x->bindValue(0, s.supi);
    x->bindValue(1, s.mncLength);
    x->bindValue(2, s.sealedSecrets);
    x->bindValue(3, u64(s.sqn));
    x->bindValue(4, nn(s.name));
    x->bindValue(5, nn(s.role));
    x->bindValue(6, nn(s.organisation));
    x->bindValue(7, nn(s.licenceId));
    x->bindValue(8, s.createdAt);
    return exec(x);
}

StoreResult<std::optional<SubscriberRecord>> Store::subscriber(const QString& supi) {
    auto q = prepare("SELECT supi, mnc_length, secrets, sqn, name, role, organisation, licence_id,"
                     " created_at FROM subscribers WHERE supi = ?");
    TWINSEAL_TRY(q);
    QSqlQuery* x = *q;
    x->bindValue(0, supi);
    TWINSEAL_TRY(exec(x));
    std::optional<SubscriberRecord> out;
    if (x->next()) {
        SubscriberRecord s;
        s.supi = x->value(0).toString();
        s.mncLength = x->value(1).toInt();
        s.sealedSecrets = x->value(2).toByteArray();
        s.sqn = static_cast<quint64>(x->value(3).toLongLong());
        s.name = x->value(4).toString();
        s.role = x->value(5).toString();
        s.organisation = x->value(6).toString();
        s.licenceId = x->value(7).toString();
        s.createdAt = x->value(8).toLongLong();
        out = std::move(s);
    }
    x->finish();
    return out;
}

StoreStatus Store::updateSubscriberSqn(const QString& supi, quint64 sqn) {
    auto q = prepare("UPDATE subscribers SET sqn = ? WHERE supi = ?");
    TWINSEAL_TRY(q);
    (*q)->bindValue(0, u64(sqn));
    (*q)->bindValue(1, supi);
    return exec(*q);
}

StoreStatus Store::insertHandle(const QString& supi, const QString& handle, qint64 createdAt) {
    auto q = prepare("INSERT INTO subscriber_handles (supi, handle, created_at) VALUES (?, ?, ?)");
    TWINSEAL_TRY(q);
    (*q)->bindValue(0, supi);
    (*q)->bindValue(1, handle);
    (*q)->bindValue(2, createdAt);
    return exec(*q);
}

StoreResult<std::optional<QString>> Store::handleOf(const QString& supi) {
    auto q = prepare("SELECT handle FROM subscriber_handles WHERE supi = ?");
    TWINSEAL_TRY(q);
    (*q)->bindValue(0, supi);
    TWINSEAL_TRY(exec(*q));
    std::optional<QString> out;
    if ((*q)->next())
        out = (*q)->value(0).toString();
    (*q)->finish();
    return out;
}

StoreResult<std::optional<QString>> Store::supiOfHandle(const QString& handle) {
    auto q = prepare("SELECT supi FROM subscriber_handles WHERE handle = ?");
    TWINSEAL_TRY(q);
    (*q)->bindValue(0, handle);
    TWINSEAL_TRY(exec(*q));
    std::optional<QString> out;
    if ((*q)->next())
        out = (*q)->value(0).toString();
    (*q)->finish();
    return out;
}

StoreResult<std::vector<QString>> Store::subscribersWithoutHandle() {
    auto q = prepare("SELECT s.supi FROM subscribers s WHERE NOT EXISTS"
                     " (SELECT 1 FROM subscriber_handles h WHERE h.supi = s.supi) ORDER BY s.supi");
    TWINSEAL_TRY(q);
    TWINSEAL_TRY(exec(*q));
    std::vector<QString> out;
    while ((*q)->next())
        out.push_back((*q)->value(0).toString());
    (*q)->finish();
    return out;
}

// ---- authentication ------------------------------------------------------------------------------

StoreStatus Store::insertAuthSession(const AuthSessionRecord& a) {
    auto q = prepare("INSERT INTO auth_sessions (auth_id, supi, rand, xres_digest, kausf,"
                     " expires_at, state, attempts, routing) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    TWINSEAL_TRY(q);
    QSqlQuery* x = *q;
    x->bindValue(0, a.authId);
    x->bindValue(1, a.supi);
    x->bindValue(2, a.rand);
    x->bindValue(3, a.xresDigest);
    x->bindValue(4, a.sealedKausf);
    x->bindValue(5, a.expiresAt);
    x->bindValue(6, a.state);
    x->bindValue(7, a.attempts);
    x->bindValue(8, a.routingIndicator);
    return exec(x);
}

StoreResult<std::optional<AuthSessionRecord>> Store::authSession(const QString& id) {
    auto q = prepare("SELECT auth_id, supi, rand, xres_digest, kausf, expires_at, state, attempts,"
                     " routing FROM auth_sessions WHERE auth_id = ?");
    TWINSEAL_TRY(q);
    QSqlQuery* x = *q;
    x->bindValue(0, id);
    TWINSEAL_TRY(exec(x));
    std::optional<AuthSessionRecord> out;
    if (x->next()) {
        AuthSessionRecord a;
        a.authId = x->value(0).toString();
        a.supi = x->value(1).toString();
        a.rand = x->value(2).toByteArray();
        a.xresDigest = x->value(3).toByteArray();
        a.sealedKausf = x->value(4).toByteArray();
        a.expiresAt = x->value(5).toLongLong();
        a.state = x->value(6).toString();
        a.attempts = x->value(7).toInt();
        a.routingIndicator = x->value(8).toString();
        out = std::move(a);
    }
    x->finish();
    return out;
}

StoreStatus Store::updateAuthSession(const QString& id, const QString& state, int attempts) {
    auto q = prepare("UPDATE auth_sessions SET state = ?, attempts = ? WHERE auth_id = ?");
    TWINSEAL_TRY(q);
    (*q)->bindValue(0, state);
    (*q)->bindValue(1, attempts);
    (*q)->bindValue(2, id);
    return exec(*q);
}

StoreStatus Store::insertAkmaKey(const AkmaKeyRecord& k) {
    auto q = prepare("INSERT INTO akma_keys (a_kid, supi, kaf, expires_at) VALUES (?, ?, ?, ?) "
                     "ON CONFLICT (a_kid) DO UPDATE SET supi = excluded.supi, kaf = excluded.kaf,"
                     " expires_at = excluded.expires_at");
    TWINSEAL_TRY(q);
    (*q)->bindValue(0, k.aKid);
    (*q)->bindValue(1, k.supi);
    (*q)->bindValue(2, k.sealedKaf);
    (*q)->bindValue(3, k.expiresAt);
    return exec(*q);
}

StoreResult<std::optional<AkmaKeyRecord>> Store::akmaKey(const QString& aKid) {
    auto q = prepare("SELECT a_kid, supi, kaf, expires_at FROM akma_keys WHERE a_kid = ?");
    TWINSEAL_TRY(q);
    QSqlQuery* x = *q;
    x->bindValue(0, aKid);
    TWINSEAL_TRY(exec(x));
    std::optional<AkmaKeyRecord> out;
    if (x->next())
        out = AkmaKeyRecord{x->value(0).toString(), x->value(1).toString(),
                            x->value(2).toByteArray(), x->value(3).toLongLong()};
    x->finish();
    return out;
}

StoreStatus Store::purgeExpired(qint64 now) {
    for (const char* sql : {"DELETE FROM auth_sessions WHERE expires_at < ?",
                            "DELETE FROM akma_keys WHERE expires_at < ?",
                            "DELETE FROM nonces WHERE expires_at < ?",
                            "DELETE FROM grants WHERE expires_at < ?"}) {
        auto q = prepare(sql);
        TWINSEAL_TRY(q);
        // Keep a day of finished authentication sessions so a late replay is still named one.
        (*q)->bindValue(0, now - 86400);
        TWINSEAL_TRY(exec(*q));
    }
    // Offers nobody answered in time: expired (finished when they expired).
    auto q = prepare("UPDATE transfers SET state = 'expired', finished_at = expires_at"
                     " WHERE state = 'pending' AND expires_at <= ?");
    TWINSEAL_TRY(q);
    (*q)->bindValue(0, now);
    return exec(*q);
}

StoreResult<bool> Store::useNonce(const QByteArray& nonce, qint64 expiresAt) {
    auto q = prepare("INSERT INTO nonces (nonce, expires_at) VALUES (?, ?) "
                     "ON CONFLICT (nonce) DO NOTHING");
    TWINSEAL_TRY(q);
    (*q)->bindValue(0, nonce);
    (*q)->bindValue(1, expiresAt);
    TWINSEAL_TRY(exec(*q));
    return (*q)->numRowsAffected() == 1;
}

// ---- digital twins -------------------------------------------------------------------------------

#define TWINSEAL_DT_COLUMNS                                                                        \
    "dt_id, supi, avatar_id, state, holder_key, credential, credential_digest, signed_manifest,"   \
    " media_root, status_index, log_index, generation, created_at, updated_at, revocation_reason"

DtRecord Store::dtFrom(const QSqlQuery& q) {
    DtRecord d;
    d.dtId = q.value(0).toString();
    d.supi = q.value(1).toString();
    d.avatarId = q.value(2).toString();
    d.state = q.value(3).toString();
    d.holderKey = q.value(4).toByteArray();
    d.credential = q.value(5).toByteArray();
    d.credentialDigest = q.value(6).toByteArray();
    d.signedManifest = q.value(7).toByteArray();
    d.mediaRoot = q.value(8).toByteArray();
    d.statusIndex = static_cast<quint64>(q.value(9).toLongLong());
    d.logIndex = static_cast<quint64>(q.value(10).toLongLong());
    d.generation = q.value(11).toInt();
    d.createdAt = q.value(12).toLongLong();
    d.updatedAt = q.value(13).toLongLong();
    d.revocationReason = q.value(14).toString();
    return d;
}

StoreResult<std::optional<DtRecord>> Store::oneDt(const char* sql, const QVariant& key) {
    auto q = prepare(sql);
    TWINSEAL_TRY(q);
    (*q)->bindValue(0, key);
    TWINSEAL_TRY(exec(*q));
    std::optional<DtRecord> out;
    if ((*q)->next())
        out = dtFrom(**q);
    (*q)->finish();
    return out;
}

StoreResult<std::optional<DtRecord>> Store::dt(const QString& dtId) {
    return oneDt("SELECT " TWINSEAL_DT_COLUMNS " FROM dts WHERE dt_id = ?", dtId);
}
StoreResult<std::optional<DtRecord>> Store::activeDtOf(const QString& supi) {
    return oneDt("SELECT " TWINSEAL_DT_COLUMNS " FROM dts WHERE supi = ? AND state = 'active'",
                 supi);
}
StoreResult<std::optional<DtRecord>> Store::dtByAvatar(const QString& avatarId) {
    return oneDt("SELECT " TWINSEAL_DT_COLUMNS " FROM dts WHERE avatar_id = ?", avatarId);
}
StoreResult<std::optional<DtRecord>> Store::dtByMediaRootFor(const QByteArray& root,
                                                             const QString& supi,
                                                             const QString& avatarId) {
    auto q = prepare("SELECT " TWINSEAL_DT_COLUMNS " FROM dts WHERE media_root = ?"
                     " AND (supi = ? OR avatar_id = ?)"
                     " ORDER BY (state = 'active') DESC, updated_at DESC");
    TWINSEAL_TRY(q);
    (*q)->bindValue(0, root);
    (*q)->bindValue(1, supi);
    (*q)->bindValue(2, avatarId);
    TWINSEAL_TRY(exec(*q));
    std::optional<DtRecord> out;
    if ((*q)->next())
        out = dtFrom(**q);
    (*q)->finish();
    return out;
}

StoreResult<std::vector<DtRecord>> Store::dtsOf(const QString& supi) {
    auto q = prepare("SELECT " TWINSEAL_DT_COLUMNS " FROM dts WHERE supi = ? ORDER BY created_at");
    TWINSEAL_TRY(q);
    (*q)->bindValue(0, supi);
    TWINSEAL_TRY(exec(*q));
    std::vector<DtRecord> out;
    while ((*q)->next())
        out.push_back(dtFrom(**q));
    (*q)->finish();
    return out;
}

StoreResult<std::vector<DtRecord>> Store::allDts() {
    auto q = prepare("SELECT " TWINSEAL_DT_COLUMNS " FROM dts ORDER BY created_at");
    TWINSEAL_TRY(q);
    TWINSEAL_TRY(exec(*q));
    std::vector<DtRecord> out;
    while ((*q)->next())
        out.push_back(dtFrom(**q));
    (*q)->finish();
    return out;
}

StoreStatus Store::insertDt(const DtRecord& d) {
    auto q = prepare("INSERT INTO dts (" TWINSEAL_DT_COLUMNS ") VALUES"
                     " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    TWINSEAL_TRY(q);
    QSqlQuery* x = *q;
    x->bindValue(0, d.dtId);
    x->bindValue(1, d.supi);
    x->bindValue(2, d.avatarId);
    x->bindValue(3, d.state);
    x->bindValue(4, d.holderKey);
    x->bindValue(5, d.credential);
    x->bindValue(6, d.credentialDigest);
    x->bindValue(7, d.signedManifest);
    x->bindValue(8, d.mediaRoot);
    x->bindValue(9, u64(d.statusIndex));
    x->bindValue(10, u64(d.logIndex));
    x->bindValue(11, d.generation);
    x->bindValue(12, d.createdAt);
    x->bindValue(13, d.updatedAt);
    x->bindValue(14, nn(d.revocationReason));
    return exec(x);
}

StoreStatus Store::updateDt(const DtRecord& d) {
    auto q = prepare("UPDATE dts SET state = ?, holder_key = ?, credential = ?,"
                     " credential_digest = ?, signed_manifest = ?, media_root = ?,"
                     " status_index = ?, log_index = ?, generation = ?, updated_at = ?,"
                     " revocation_reason = ?, supi = ? WHERE dt_id = ?");
    TWINSEAL_TRY(q);
    QSqlQuery* x = *q;
    x->bindValue(0, d.state);
    x->bindValue(1, d.holderKey);
    x->bindValue(2, d.credential);
    x->bindValue(3, d.credentialDigest);
    x->bindValue(4, d.signedManifest);
    x->bindValue(5, d.mediaRoot);
    x->bindValue(6, u64(d.statusIndex));
    x->bindValue(7, u64(d.logIndex));
    x->bindValue(8, d.generation);
    x->bindValue(9, d.updatedAt);
    x->bindValue(10, nn(d.revocationReason));
    x->bindValue(11, d.supi);
    x->bindValue(12, d.dtId);
    TWINSEAL_TRY(exec(x));
    if (x->numRowsAffected() != 1)
        return makeError(ErrorCode::Internal, "database: DT " + d.dtId.toStdString() + " vanished");
    return {};
}

StoreStatus Store::insertCredential(quint64 statusIndex, const QString& dtId,
                                    const QByteArray& digest, const QString& state,
                                    qint64 issuedAt) {
    auto q = prepare("INSERT INTO credentials (status_index, dt_id, digest, state, issued_at)"
                     " VALUES (?, ?, ?, ?, ?)");
    TWINSEAL_TRY(q);
    (*q)->bindValue(0, u64(statusIndex));
    (*q)->bindValue(1, dtId);
    (*q)->bindValue(2, digest);
    (*q)->bindValue(3, state);
    (*q)->bindValue(4, issuedAt);
    return exec(*q);
}

StoreStatus Store::setCredentialState(quint64 statusIndex, const QString& state) {
    auto q = prepare("UPDATE credentials SET state = ? WHERE status_index = ?");
    TWINSEAL_TRY(q);
    (*q)->bindValue(0, state);
    (*q)->bindValue(1, u64(statusIndex));
    return exec(*q);
}

StoreResult<std::vector<quint64>> Store::inactiveStatusIndices() {
    auto q = prepare("SELECT status_index FROM credentials WHERE state <> 'active'");
    TWINSEAL_TRY(q);
    TWINSEAL_TRY(exec(*q));
    std::vector<quint64> out;
    while ((*q)->next())
        out.push_back(static_cast<quint64>((*q)->value(0).toLongLong()));
    (*q)->finish();
    return out;
}

// ---- transparency log ----------------------------------------------------------------------------

StoreResult<quint64> Store::logSize() {
    auto q = prepare("SELECT COUNT(*) FROM log_entries");
    TWINSEAL_TRY(q);
    TWINSEAL_TRY(exec(*q));
    const quint64 n = (*q)->next() ? static_cast<quint64>((*q)->value(0).toLongLong()) : 0;
    (*q)->finish();
    return n;
}

StoreStatus Store::appendLogEntry(quint64 index, const QByteArray& entry,
                                  const QByteArray& leafHash, const QByteArray& credentialDigest,
                                  qint64 at, const QString& dtId) {
    auto q = prepare("INSERT INTO log_entries (idx, entry, leaf_hash, credential_digest,"
                     " created_at) VALUES (?, ?, ?, ?, ?)");
    TWINSEAL_TRY(q);
    (*q)->bindValue(0, u64(index));
    (*q)->bindValue(1, entry);
    (*q)->bindValue(2, leafHash);
    (*q)->bindValue(3, credentialDigest);
    (*q)->bindValue(4, at);
    TWINSEAL_TRY(exec(*q));
    return indexLogEntry(index, dtId);
}

StoreStatus Store::indexLogEntry(quint64 index, const QString& dtId) {
    auto q = prepare("INSERT INTO log_dts (idx, dt_id) VALUES (?, ?) ON CONFLICT (idx) DO NOTHING");
    TWINSEAL_TRY(q);
    (*q)->bindValue(0, u64(index));
    (*q)->bindValue(1, nn(dtId));
    return exec(*q);
}

StoreResult<quint64> Store::indexedLogSize() {
    auto q = prepare("SELECT COUNT(*) FROM log_dts");
    TWINSEAL_TRY(q);
    TWINSEAL_TRY(exec(*q));
    const quint64 n = (*q)->next() ? static_cast<quint64>((*q)->value(0).toLongLong()) : 0;
    (*q)->finish();
    return n;
}

StoreResult<std::vector<quint64>> Store::logIndicesOfDt(const QString& dtId) {
    auto q = prepare("SELECT idx FROM log_dts WHERE dt_id = ? ORDER BY idx");
    TWINSEAL_TRY(q);
    (*q)->bindValue(0, dtId);
    TWINSEAL_TRY(exec(*q));
    std::vector<quint64> out;
    while ((*q)->next())
        out.push_back(static_cast<quint64>((*q)->value(0).toLongLong()));
    (*q)->finish();
    return out;
}

StoreResult<std::vector<QByteArray>> Store::leafHashesFrom(quint64 from) {
    auto q = prepare("SELECT idx, leaf_hash FROM log_entries WHERE idx >= ? ORDER BY idx");
    TWINSEAL_TRY(q);
    (*q)->bindValue(0, u64(from));
    TWINSEAL_TRY(exec(*q));
    std::vector<QByteArray> out;
    quint64 expected = from;
    while ((*q)->next()) {
        if (static_cast<quint64>((*q)->value(0).toLongLong()) != expected) {
            (*q)->finish();
            return makeError(ErrorCode::Internal, "database: the log has a gap at index " +
                                                      std::to_string(expected));
        }
        out.push_back((*q)->value(1).toByteArray());
        ++expected;
    }
    (*q)->finish();
    return out;
}

StoreResult<std::optional<QByteArray>> Store::logEntry(quint64 index) {
    auto q = prepare("SELECT entry FROM log_entries WHERE idx = ?");
    TWINSEAL_TRY(q);
    (*q)->bindValue(0, u64(index));
    TWINSEAL_TRY(exec(*q));
    std::optional<QByteArray> out;
    if ((*q)->next())
        out = (*q)->value(0).toByteArray();
    (*q)->finish();
    return out;
}

StoreResult<std::optional<quint64>> Store::logIndexOfCredential(const QByteArray& digest) {
    auto q = prepare("SELECT MIN(idx) FROM log_entries WHERE credential_digest = ?");
    TWINSEAL_TRY(q);
    (*q)->bindValue(0, digest);
    TWINSEAL_TRY(exec(*q));
    std::optional<quint64> out;
    if ((*q)->next() && !(*q)->value(0).isNull())
        out = static_cast<quint64>((*q)->value(0).toLongLong());
    (*q)->finish();
    return out;
}

// ---- avatar repository ---------------------------------------------------------------------------

StoreStatus Store::insertAvatarFile(const AvatarFileRecord& f) {
    auto q = prepare("INSERT INTO avatar_files (media_root, file_index, path, size, chunks)"
                     " VALUES (?, ?, ?, ?, ?) ON CONFLICT (media_root, file_index) DO NOTHING");
    TWINSEAL_TRY(q);
    (*q)->bindValue(0, f.mediaRoot);
    (*q)->bindValue(1, f.fileIndex);
    (*q)->bindValue(2, f.path);
    (*q)->bindValue(3, u64(f.size));
    (*q)->bindValue(4, u64(f.chunks));
    return exec(*q);
}

StoreStatus Store::removeUnusedAvatar(const QByteArray& root) {
    for (const char* sql : {"DELETE FROM avatar_chunks WHERE media_root = ?"
                            " AND NOT EXISTS (SELECT 1 FROM dts WHERE media_root = ?)",
                            "DELETE FROM avatar_files WHERE media_root = ?"
                            " AND NOT EXISTS (SELECT 1 FROM dts WHERE media_root = ?)"}) {
        auto q = prepare(sql);
        TWINSEAL_TRY(q);
        (*q)->bindValue(0, root);
        (*q)->bindValue(1, root);
        TWINSEAL_TRY(exec(*q));
    }
    return {};
}

StoreResult<std::vector<AvatarFileRecord>> Store::avatarFiles(const QByteArray& root) {
    auto q = prepare("SELECT f.file_index, f.path, f.size, f.chunks,"
                     " (SELECT COUNT(*) FROM avatar_chunks c WHERE c.media_root = f.media_root"
                     "  AND c.file_index = f.file_index)"
                     " FROM avatar_files f WHERE f.media_root = ? ORDER BY f.file_index");
    TWINSEAL_TRY(q);
    (*q)->bindValue(0, root);
    TWINSEAL_TRY(exec(*q));
    std::vector<AvatarFileRecord> out;
    while ((*q)->next()) {
        AvatarFileRecord f;
        f.mediaRoot = root;
        f.fileIndex = (*q)->value(0).toInt();
        f.path = (*q)->value(1).toString();
        f.size = static_cast<quint64>((*q)->value(2).toLongLong());
        f.chunks = static_cast<quint64>((*q)->value(3).toLongLong());
        f.chunksStored = static_cast<quint64>((*q)->value(4).toLongLong());
        out.push_back(std::move(f));
    }
    (*q)->finish();
    return out;
}

StoreResult<bool> Store::putChunk(const QByteArray& root, int file, quint64 chunkIndex,
                                  const QByteArray& data) {
    auto q = prepare("INSERT INTO avatar_chunks (media_root, file_index, chunk_index, data)"
                     " VALUES (?, ?, ?, ?) ON CONFLICT (media_root, file_index, chunk_index)"
                     " DO NOTHING");
    TWINSEAL_TRY(q);
    (*q)->bindValue(0, root);
    (*q)->bindValue(1, file);
    (*q)->bindValue(2, u64(chunkIndex));
    (*q)->bindValue(3, data);
    TWINSEAL_TRY(exec(*q));
    return (*q)->numRowsAffected() == 1;
}

StoreResult<std::optional<QByteArray>> Store::chunk(const QByteArray& root, int file,
                                                    quint64 chunkIndex) {
    auto q = prepare("SELECT data FROM avatar_chunks WHERE media_root = ? AND file_index = ?"
                     " AND chunk_index = ?");
    TWINSEAL_TRY(q);
    (*q)->bindValue(0, root);
    (*q)->bindValue(1, file);
    (*q)->bindValue(2, u64(chunkIndex));
    TWINSEAL_TRY(exec(*q));
    std::optional<QByteArray> out;
    if ((*q)->next())
        out = (*q)->value(0).toByteArray();
    (*q)->finish();
    return out;
}

StoreStatus Store::insertGrant(const QByteArray& tokenHash, const QString& avatarId,
                               qint64 expiresAt) {
    auto q = prepare("INSERT INTO grants (token_hash, avatar_id, expires_at) VALUES (?, ?, ?)");
    TWINSEAL_TRY(q);
    (*q)->bindValue(0, tokenHash);
    (*q)->bindValue(1, avatarId);
    (*q)->bindValue(2, expiresAt);
    return exec(*q);
}

StoreStatus Store::deleteGrantsOf(const QString& avatarId) {
    auto q = prepare("DELETE FROM grants WHERE avatar_id = ?");
    TWINSEAL_TRY(q);
    (*q)->bindValue(0, avatarId);
    return exec(*q);
}

StoreResult<std::optional<std::pair<QString, qint64>>> Store::grant(const QByteArray& tokenHash) {
    auto q = prepare("SELECT avatar_id, expires_at FROM grants WHERE token_hash = ?");
    TWINSEAL_TRY(q);
    (*q)->bindValue(0, tokenHash);
    TWINSEAL_TRY(exec(*q));
    std::optional<std::pair<QString, qint64>> out;
    if ((*q)->next())
        out = std::make_pair((*q)->value(0).toString(), (*q)->value(1).toLongLong());
    (*q)->finish();
    return out;
}

// ---- ownership transfers
// -------------------------------------------------------------------------

#define TWINSEAL_TRANSFER_COLUMNS                                                                  \
    "transfer_id, dt_id, avatar_id, from_supi, from_handle, to_supi, to_handle, code_hash, offer," \
    " offer_digest, credential_digest, media_root, state, created_at, expires_at, finished_at,"    \
    " log_index, acceptance"

TransferOfferRecord Store::transferFrom(const QSqlQuery& q) {
    TransferOfferRecord t;
    t.transferId = q.value(0).toString();
    t.dtId = q.value(1).toString();
    t.avatarId = q.value(2).toString();
    t.fromSupi = q.value(3).toString();
    t.fromHandle = q.value(4).toString();
    t.toSupi = q.value(5).toString();
    t.toHandle = q.value(6).toString();
    t.codeHash = q.value(7).toByteArray();
    t.offer = q.value(8).toByteArray();
    t.offerDigest = q.value(9).toByteArray();
    t.credentialDigest = q.value(10).toByteArray();
    t.mediaRoot = q.value(11).toByteArray();
    t.state = q.value(12).toString();
    t.createdAt = q.value(13).toLongLong();
    t.expiresAt = q.value(14).toLongLong();
    t.finishedAt = q.value(15).toLongLong();
    t.logIndex = q.value(16).toLongLong();
    t.acceptance = q.value(17).toByteArray();
    return t;
}

StoreResult<std::vector<TransferOfferRecord>> Store::transfers(QSqlQuery* q) {
    TWINSEAL_TRY(exec(q));
    std::vector<TransferOfferRecord> out;
    while (q->next())
        out.push_back(transferFrom(*q));
    q->finish();
    return out;
}

StoreStatus Store::insertTransfer(const TransferOfferRecord& t) {
    auto q = prepare("INSERT INTO transfers (" TWINSEAL_TRANSFER_COLUMNS ") VALUES"
                     " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    TWINSEAL_TRY(q);
    QSqlQuery* x = *q;
    x->bindValue(0, t.transferId);
    x->bindValue(1, t.dtId);
    x->bindValue(2, t.avatarId);
    x->bindValue(3, t.fromSupi);
    x->bindValue(4, nn(t.fromHandle));
    x->bindValue(5, nn(t.toSupi));
    x->bindValue(6, nn(t.toHandle));
    x->bindValue(7, optBlob(t.codeHash));
    x->bindValue(8, t.offer);
    x->bindValue(9, t.offerDigest);
    x->bindValue(10, t.credentialDigest);
    x->bindValue(11, t.mediaRoot);
    x->bindValue(12, t.state);
    x->bindValue(13, t.createdAt);
    x->bindValue(14, t.expiresAt);
    x->bindValue(15, t.finishedAt);
    x->bindValue(16, t.logIndex);
    x->bindValue(17, optBlob(t.acceptance));
    return exec(x);
}

StoreStatus Store::updateTransfer(const TransferOfferRecord& t) {
    auto q = prepare("UPDATE transfers SET state = ?, to_supi = ?, to_handle = ?, finished_at = ?,"
                     " log_index = ?, acceptance = ? WHERE transfer_id = ?");
    TWINSEAL_TRY(q);
    QSqlQuery* x = *q;
    x->bindValue(0, t.state);
    x->bindValue(1, nn(t.toSupi));
    x->bindValue(2, nn(t.toHandle));
    x->bindValue(3, t.finishedAt);
    x->bindValue(4, t.logIndex);
    x->bindValue(5, optBlob(t.acceptance));
    x->bindValue(6, t.transferId);
    TWINSEAL_TRY(exec(x));
    if (x->numRowsAffected() != 1)
        return makeError(ErrorCode::Internal,
                         "database: transfer " + t.transferId.toStdString() + " vanished");
    return {};
}

StoreResult<std::optional<TransferOfferRecord>> Store::transfer(const QString& id) {
    auto q = prepare("SELECT " TWINSEAL_TRANSFER_COLUMNS " FROM transfers WHERE transfer_id = ?");
    TWINSEAL_TRY(q);
    (*q)->bindValue(0, id);
    auto all = transfers(*q);
    TWINSEAL_TRY(all);
    if (all->empty())
        return std::optional<TransferOfferRecord>();
    return std::optional<TransferOfferRecord>(std::move(all->front()));
}

StoreResult<std::optional<TransferOfferRecord>> Store::transferByCode(const QByteArray& codeHash) {
    auto q = prepare("SELECT " TWINSEAL_TRANSFER_COLUMNS " FROM transfers WHERE code_hash = ?");
    TWINSEAL_TRY(q);
    (*q)->bindValue(0, codeHash);
    auto all = transfers(*q);
    TWINSEAL_TRY(all);
    if (all->empty())
        return std::optional<TransferOfferRecord>();
    return std::optional<TransferOfferRecord>(std::move(all->front()));
}

StoreResult<std::vector<TransferOfferRecord>> Store::transfersOf(const QString& supi,
                                                                 qint64 finishedSince, int limit) {
    auto q =
        prepare("SELECT " TWINSEAL_TRANSFER_COLUMNS " FROM transfers"
                " WHERE (from_supi = ? OR to_supi = ?) AND (state = 'pending' OR finished_at >= ?)"
                " ORDER BY created_at DESC, transfer_id LIMIT ?");
    TWINSEAL_TRY(q);
    (*q)->bindValue(0, supi);
    (*q)->bindValue(1, supi);
    (*q)->bindValue(2, finishedSince);
    (*q)->bindValue(3, limit);
    return transfers(*q);
}

StoreResult<std::vector<TransferOfferRecord>> Store::pendingTransfersOfDt(const QString& dtId) {
    auto q = prepare("SELECT " TWINSEAL_TRANSFER_COLUMNS " FROM transfers"
                     " WHERE dt_id = ? AND state = 'pending' ORDER BY created_at");
    TWINSEAL_TRY(q);
    (*q)->bindValue(0, dtId);
    return transfers(*q);
}

StoreResult<bool> Store::transferredAwayBy(const QString& dtId, const QString& supi) {
    auto q = prepare("SELECT COUNT(*) FROM transfers WHERE dt_id = ? AND from_supi = ?"
                     " AND state = 'accepted'");
    TWINSEAL_TRY(q);
    (*q)->bindValue(0, dtId);
    (*q)->bindValue(1, supi);
    TWINSEAL_TRY(exec(*q));
    const bool found = (*q)->next() && (*q)->value(0).toLongLong() > 0;
    (*q)->finish();
    return found;
}

// ---- lawful disclosures -------------------------------------------------------------------------

StoreStatus Store::insertLawfulDisclosure(const LawfulDisclosureRecord& d) {
    auto q = prepare("INSERT INTO lawful_disclosures (disclosure_id, dt_id, supi, authority,"
                     " case_ref, legal_basis, attributes, disclosed_at)"
                     " VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    TWINSEAL_TRY(q);
    (*q)->bindValue(0, d.disclosureId);
    (*q)->bindValue(1, d.dtId);
    (*q)->bindValue(2, d.supi);
    (*q)->bindValue(3, nn(d.authority));
    (*q)->bindValue(4, nn(d.caseRef));
    (*q)->bindValue(5, nn(d.legalBasis));
    (*q)->bindValue(6, d.attributes.join(QLatin1Char(',')));
    (*q)->bindValue(7, d.disclosedAt);
    return exec(*q);
}

StoreResult<std::vector<LawfulDisclosureRecord>> Store::lawfulDisclosuresOf(const QString& supi) {
    auto q = prepare("SELECT disclosure_id, dt_id, supi, authority, case_ref, legal_basis,"
                     " attributes, disclosed_at FROM lawful_disclosures WHERE supi = ?"
                     " ORDER BY disclosed_at DESC, disclosure_id");
    TWINSEAL_TRY(q);
    (*q)->bindValue(0, supi);
    TWINSEAL_TRY(exec(*q));
    std::vector<LawfulDisclosureRecord> out;
    while ((*q)->next()) {
        LawfulDisclosureRecord d;
        d.disclosureId = (*q)->value(0).toString();
        d.dtId = (*q)->value(1).toString();
        d.supi = (*q)->value(2).toString();
        d.authority = (*q)->value(3).toString();
        d.caseRef = (*q)->value(4).toString();
        d.legalBasis = (*q)->value(5).toString();
        d.attributes = (*q)->value(6).toString().split(QLatin1Char(','), Qt::SkipEmptyParts);
        d.disclosedAt = (*q)->value(7).toLongLong();
        out.push_back(std::move(d));
    }
    (*q)->finish();
    return out;
}

} // namespace twinseal::service
