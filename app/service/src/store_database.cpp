#include "twinseal/service/store_database.h"

#include <QElapsedTimer>

#include <algorithm>

#include <QDir>
#include <QFile>
#include <QHostAddress>
#include <QSqlError>
#include <QSqlRecord>
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
    // Schema version 4: each lawful disclosure's statement as committed to in the transparency
    // log (its salt stays here), the entry's index, and from when the owner is shown it (issue
    // 12, finding 16). Disclosures recorded before have no row: listed as not logged.
    "CREATE TABLE IF NOT EXISTS lawful_disclosure_log (disclosure_id TEXT PRIMARY KEY,"
    " statement %BLOB% NOT NULL, log_index %INT% NOT NULL, visible_at %INT% NOT NULL)",
    // Schema version 5: the mirror of each client activity log's highest checkpoint
    // (audit_anchor_mirror.h). An existing database gets the tables when it is next opened.
    "CREATE TABLE IF NOT EXISTS audit_anchors (supi TEXT NOT NULL, log_id TEXT NOT NULL,"
    " counter %INT% NOT NULL, checkpoint %BLOB% NOT NULL, audit_key %BLOB% NOT NULL,"
    " updated_at %INT% NOT NULL, PRIMARY KEY (supi, log_id))",
    // The latest signed status list, one row: every service instance on the database serves it,
    // so a verifier alternating between instances never sees the sequence go back.
    "CREATE TABLE IF NOT EXISTS status_list_publication (id INTEGER PRIMARY KEY CHECK (id = 1),"
    " sequence %INT% NOT NULL, issued_at %INT% NOT NULL, status_revision %INT% NOT NULL,"
    " list_size %INT% NOT NULL, list %BLOB% NOT NULL)",
    // The outcome of each state-changing request, kept for its replay window and committed
    // with the change it made, so a client's retry of the same request (a dropped connection,
    // another instance behind a balancer) gets the original answer instead of a replay refusal.
    "CREATE TABLE IF NOT EXISTS request_outcomes (request %BLOB% PRIMARY KEY,"
    " request_digest %BLOB% NOT NULL, status INTEGER NOT NULL, content_type TEXT NOT NULL, body %BLOB% NOT NULL,"
    " expires_at %INT% NOT NULL)",
    "INSERT INTO meta (name, value) VALUES ('schema_version', 5) ON CONFLICT (name) DO NOTHING",
    "UPDATE meta SET value = 5 WHERE name = 'schema_version' AND value < 5",
    "INSERT INTO meta (name, value) VALUES ('write_lock', 0) ON CONFLICT (name) DO NOTHING",
};

} // namespace

Database::~Database() {
    close();
}

void Database::close() {
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

security::Error Database::sqlError(const QString& what, const QSqlQuery* q) const {
    QString detail = what;
    if (q != nullptr && q->lastError().isValid())
        detail += QStringLiteral(": ") + q->lastError().text();
    else if (!m_connection.isEmpty())
        detail +=
            QStringLiteral(": ") + QSqlDatabase::database(m_connection, false).lastError().text();
    return makeError(ErrorCode::IoError, "database: " + detail.toStdString());
}

namespace {

// The host a PostgreSQL URL connects to: ?host= (e.g. a socket directory) wins over the
// authority's host, as for libpq.
QString postgresHost(const QUrl& url) {
    const QString hostQuery = QUrlQuery(url).queryItemValue(QStringLiteral("host"));
    return hostQuery.isEmpty() ? url.host() : hostQuery;
}

bool isLocalHost(const QString& host) {
    if (host.isEmpty() || host.startsWith(QLatin1Char('/')) || host.startsWith(QLatin1Char('@')))
        return true; // libpq's default Unix socket, a socket directory, an abstract socket
    if (host.compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0)
        return true;
    const QHostAddress address(host);
    return !address.isNull() && address.isLoopback();
}

bool isPostgresUrl(const QString& database) {
    return database.startsWith(QLatin1String("postgresql://")) ||
           database.startsWith(QLatin1String("postgres://"));
}

// libpq options a URL may pass on (TLS only; never a password).
constexpr const char* kPassedOptions[] = {"sslmode", "sslrootcert", "sslcert", "sslkey", "sslcrl"};

} // namespace

std::optional<DatabaseUrlProblem> checkDatabaseUrl(const QString& database) {
    if (!isPostgresUrl(database))
        return std::nullopt;
    const QUrl url(database);
    const QUrlQuery query(url);
    if (!url.password().isEmpty() || query.hasQueryItem(QStringLiteral("password")))
        return DatabaseUrlProblem{
            "database-password-in-url",
            "the database URL holds a password, which other users can see in the process list "
            "and which ends up in shell histories and unit files; remove it and put it in a "
            "PostgreSQL password file instead (PGPASSFILE, by default ~/.pgpass, mode 0600: "
            "host:port:database:user:password)"};
    QString sslmode = query.queryItemValue(QStringLiteral("sslmode"));
    if (sslmode.isEmpty())
        sslmode = qEnvironmentVariable("PGSSLMODE");
    static const QStringList kModes{QStringLiteral("disable"), QStringLiteral("allow"),
                                    QStringLiteral("prefer"), QStringLiteral("require"),
                                    QStringLiteral("verify-ca"), QStringLiteral("verify-full")};
    if (!sslmode.isEmpty() && !kModes.contains(sslmode))
        return DatabaseUrlProblem{"database-sslmode-invalid",
                                  "sslmode \"" + sslmode.toStdString() +
                                      "\" is not one of disable, allow, prefer, require, verify-ca, "
                                      "verify-full"};
    const QString host = postgresHost(url);
    const bool tls = sslmode == QLatin1String("require") || sslmode == QLatin1String("verify-ca") ||
                     sslmode == QLatin1String("verify-full");
    if (!isLocalHost(host) && !tls)
        return DatabaseUrlProblem{
            "database-tls-required",
            "the database host " + host.toStdString() +
                " is not this machine, and the connection would not be encrypted (sslmode " +
                (sslmode.isEmpty() ? std::string("not set") : sslmode.toStdString()) +
                "): add ?sslmode=verify-full&sslrootcert=/path/to/ca.pem to the URL (or "
                "sslmode=require, which encrypts without checking the server), or set PGSSLMODE"};
    return std::nullopt;
}

StoreStatus Database::open(const QString& dataDir, const QString& database,
                           const QString& sqliteSynchronous, const DatabaseTimeouts& timeouts) {
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
            return makeError(ErrorCode::InvalidArgument,
                             "sqlite synchronous must be NORMAL or FULL");
        TWINSEAL_TRY(execRaw(QStringLiteral("PRAGMA synchronous=") + sync));
        TWINSEAL_TRY(execRaw(QStringLiteral("PRAGMA foreign_keys=ON")));
    } else if (isPostgresUrl(database)) {
        if (auto problem = checkDatabaseUrl(database))
            return makeError(ErrorCode::InvalidArgument, problem->code + ": " + problem->message);
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
        // The password, if any, comes from libpq's password file (PGPASSFILE / ~/.pgpass),
        // never from the URL; TLS options are passed on to libpq.
        QStringList options;
        const QUrlQuery query(url);
        for (const char* name : kPassedOptions)
            if (const QString v = query.queryItemValue(QLatin1String(name)); !v.isEmpty())
                options << QString::fromLatin1(name) + QLatin1Char('=') + v;
        if (!options.isEmpty())
            db.setConnectOptions(options.join(QLatin1Char(';')));
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
    // The schema is created or upgraded first, however long another instance's upgrade holds
    // the lock; the request timeouts apply from then on.
    TWINSEAL_TRY(createSchema());
    if (m_backend == Backend::Sqlite) {
        // No limit (0) is a day: SQLite's busy timeout 0 would mean not waiting at all.
        const int busyMs = timeouts.lockMs > 0 ? timeouts.lockMs : 24 * 3600 * 1000;
        return execRaw(QStringLiteral("PRAGMA busy_timeout = %1").arg(busyMs));
    }
    TWINSEAL_TRY(execRaw(QStringLiteral("SET lock_timeout = %1").arg(std::max(timeouts.lockMs, 0))));
    return execRaw(QStringLiteral("SET statement_timeout = %1").arg(std::max(timeouts.statementMs, 0)));
}

StoreStatus Database::execRaw(const QString& sql) {
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    if (!q.exec(sql))
        return sqlError(sql, &q);
    return {};
}

StoreResult<Database::Transaction> Database::beginSnapshot() {
    auto tx = begin(false);
    TWINSEAL_TRY(tx);
    if (m_backend == Backend::Postgres)
        TWINSEAL_TRY(execRaw(QStringLiteral("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")));
    return tx;
}

StoreResult<QStringList> Database::tableNames() {
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    const QString sql =
        m_backend == Backend::Sqlite
            ? QStringLiteral("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT "
                             "LIKE 'sqlite_%' ORDER BY name")
            : QStringLiteral("SELECT tablename FROM pg_tables WHERE schemaname = "
                             "current_schema() ORDER BY tablename");
    if (!q.exec(sql))
        return sqlError(QStringLiteral("table list"), &q);
    QStringList out;
    while (q.next())
        out.append(q.value(0).toString());
    return out;
}

namespace {
// Table and column names come from the schema or, on restore, from a backup checked against it.
bool isIdentifier(const QString& name) {
    if (name.isEmpty() || name.size() > 63)
        return false;
    for (const QChar c : name)
        if (!((c >= QLatin1Char('a') && c <= QLatin1Char('z')) || c == QLatin1Char('_') ||
              (c >= QLatin1Char('0') && c <= QLatin1Char('9'))))
            return false;
    return true;
}
} // namespace

StoreResult<Database::TableDump> Database::dumpTable(const QString& table) {
    if (!isIdentifier(table))
        return makeError(ErrorCode::InvalidArgument, "not a table name: " + table.toStdString());
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    q.setForwardOnly(true);
    if (!q.exec(QStringLiteral("SELECT * FROM ") + table + QStringLiteral(" ORDER BY 1")))
        return sqlError(QStringLiteral("dump ") + table, &q);
    TableDump out;
    out.name = table;
    const QSqlRecord record = q.record();
    for (int i = 0; i < record.count(); ++i)
        out.columns.append(record.fieldName(i));
    while (q.next()) {
        QVariantList row;
        row.reserve(record.count());
        for (int i = 0; i < record.count(); ++i)
            row.append(q.value(i));
        out.rows.append(std::move(row));
    }
    return out;
}

StoreResult<qint64> Database::rowCount(const QString& table) {
    if (!isIdentifier(table))
        return makeError(ErrorCode::InvalidArgument, "not a table name: " + table.toStdString());
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    if (!q.exec(QStringLiteral("SELECT COUNT(*) FROM ") + table) || !q.next())
        return sqlError(QStringLiteral("count ") + table, &q);
    return q.value(0).toLongLong();
}

StoreStatus Database::replaceRows(const TableDump& table) {
    auto tables = tableNames();
    TWINSEAL_TRY(tables);
    if (!isIdentifier(table.name) || !tables->contains(table.name))
        return makeError(ErrorCode::InvalidArgument,
                         "this database has no table " + table.name.left(64).toStdString());
    const QSqlRecord target = QSqlDatabase::database(m_connection, false).record(table.name);
    for (const QString& column : table.columns)
        if (!isIdentifier(column) || !target.contains(column))
            return makeError(ErrorCode::InvalidArgument, "table " + table.name.toStdString() +
                                                             " has no column " +
                                                             column.left(64).toStdString());
    TWINSEAL_TRY(execRaw(QStringLiteral("DELETE FROM ") + table.name));
    if (table.rows.isEmpty())
        return {};
    QStringList marks;
    for (qsizetype i = 0; i < table.columns.size(); ++i)
        marks.append(QStringLiteral("?"));
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    if (!q.prepare(QStringLiteral("INSERT INTO %1 (%2) VALUES (%3)")
                       .arg(table.name, table.columns.join(QLatin1Char(',')),
                            marks.join(QLatin1Char(',')))))
        return sqlError(QStringLiteral("restore ") + table.name, &q);
    for (const QVariantList& row : table.rows) {
        if (row.size() != table.columns.size())
            return makeError(ErrorCode::InvalidArgument,
                             "a row of table " + table.name.toStdString() +
                                 " does not have one value per column");
        for (qsizetype i = 0; i < row.size(); ++i)
            q.bindValue(int(i), row[i]);
        if (!q.exec())
            return sqlError(QStringLiteral("restore ") + table.name, &q);
    }
    return {};
}

StoreStatus Database::createSchema() {
    const QString blob =
        m_backend == Backend::Sqlite ? QStringLiteral("BLOB") : QStringLiteral("BYTEA");
    const QString i64 =
        m_backend == Backend::Sqlite ? QStringLiteral("INTEGER") : QStringLiteral("BIGINT");
    auto tx = begin(true);
    TWINSEAL_TRY(tx);
    for (const char* stmt : kSchema) {
        QString sql = QString::fromLatin1(stmt);
        sql.replace(QLatin1String("%BLOB%"), blob).replace(QLatin1String("%INT%"), i64);
        TWINSEAL_TRY(execRaw(sql));
    }
    return tx->commit();
}

StoreResult<QSqlQuery*> Database::prepare(const char* sql) {
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

StoreResult<QSqlQuery*> Database::run(const char* sql, Values values) {
    auto q = prepare(sql);
    if (!q.ok())
        return q.error();
    int i = 0;
    for (const QVariant& v : values)
        (*q)->bindValue(i++, v);
    QElapsedTimer timer;
    timer.start();
    const bool done = (*q)->exec();
    m_statements.observe(double(timer.nsecsElapsed()) / 1e9);
    if (!done)
        return sqlError(QStringLiteral("query"), *q);
    return *q;
}

StoreStatus Database::exec(const char* sql, Values values) {
    auto q = run(sql, values);
    if (!q.ok())
        return q.error();
    return {};
}

StoreResult<int> Database::execCount(const char* sql, Values values) {
    auto q = run(sql, values);
    if (!q.ok())
        return q.error();
    return (*q)->numRowsAffected();
}

// ---- transactions ------------------------------------------------------------------------------

Database::Transaction::Transaction(Transaction&& o) noexcept
    : m_db(o.m_db), m_savepoint(o.m_savepoint), m_scope(o.m_scope) {
    o.m_db = nullptr;
}

Database::Transaction::~Transaction() {
    rollback();
}

namespace {
QString savepointName(int n) {
    return QStringLiteral("twinseal_sp%1").arg(n);
}
} // namespace

void Database::Transaction::rollback() {
    if (m_db == nullptr)
        return;
    Database* db = m_db;
    m_db = nullptr;
    for (auto* q : std::as_const(db->m_queries))
        q->finish();
    if (m_savepoint > 0) {
        if (db->m_scopeSerial != m_scope || !db->m_scopeOpen)
            return; // the scope ended first: its end decided
        const QString sp = savepointName(m_savepoint);
        (void)db->execRaw(QStringLiteral("ROLLBACK TO SAVEPOINT ") + sp);
        (void)db->execRaw(QStringLiteral("RELEASE SAVEPOINT ") + sp);
        db->m_scopeDepth = m_savepoint - 1;
        return;
    }
    (void)db->execRaw(QStringLiteral("ROLLBACK"));
    db->m_inTransaction = false;
}

StoreStatus Database::Transaction::commit() {
    if (m_db == nullptr)
        return makeError(ErrorCode::Internal, "transaction already finished");
    Database* s = m_db;
    for (auto* q : std::as_const(s->m_queries))
        q->finish();
    if (m_savepoint > 0) {
        if (s->m_scopeSerial != m_scope || !s->m_scopeOpen) {
            m_db = nullptr;
            return makeError(ErrorCode::Internal, "the request scope ended before its transaction");
        }
        auto st = s->execRaw(QStringLiteral("RELEASE SAVEPOINT ") + savepointName(m_savepoint));
        if (!st.ok()) {
            rollback();
            return st;
        }
        s->m_scopeDepth = m_savepoint - 1;
        if (m_savepoint == 1)
            s->m_scopeChanged = true;
        m_db = nullptr;
        return {};
    }
    auto st = s->execRaw(QStringLiteral("COMMIT"));
    if (!st.ok()) {
        rollback();
        return st;
    }
    s->m_inTransaction = false;
    m_db = nullptr;
    return {};
}

StoreResult<Database::Transaction> Database::begin(bool write) {
    if (m_scopeActive) {
        if (!m_scopeOpen) {
            // The scope's own write transaction, ended by endScope().
            m_scopeActive = false;
            auto tx = begin(true);
            m_scopeActive = true;
            TWINSEAL_TRY(tx);
            tx->m_db = nullptr;
            m_scopeOpen = true;
        }
        const int n = m_scopeDepth + 1;
        TWINSEAL_TRY(execRaw(QStringLiteral("SAVEPOINT ") + savepointName(n)));
        m_scopeDepth = n;
        return Transaction(this, n, m_scopeSerial);
    }
    if (m_inTransaction)
        return makeError(ErrorCode::Internal, "nested transactions are not supported");
    QElapsedTimer lockTimer;
    lockTimer.start();
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
    if (write)
        m_lockWait.observe(double(lockTimer.nsecsElapsed()) / 1e9);
    m_inTransaction = true;
    return Transaction(this, 0, 0);
}

void Database::beginScope() {
    if (m_scopeActive || m_inTransaction)
        return; // already inside one: the outer decides
    m_scopeActive = true;
    m_scopeOpen = false;
    m_scopeChanged = false;
    m_scopeDepth = 0;
    ++m_scopeSerial;
}

StoreStatus Database::endScope(bool commit) {
    if (!m_scopeActive)
        return {};
    const bool open = m_scopeOpen;
    const bool changed = m_scopeChanged;
    m_scopeActive = false;
    m_scopeOpen = false;
    m_scopeChanged = false;
    m_scopeDepth = 0;
    ++m_scopeSerial; // savepoints the handler still holds are finished by this end
    if (!open)
        return {};
    for (auto* q : std::as_const(m_queries))
        q->finish();
    StoreStatus st;
    if (commit) {
        st = execRaw(QStringLiteral("COMMIT"));
        if (!st.ok())
            (void)execRaw(QStringLiteral("ROLLBACK"));
    } else {
        (void)execRaw(QStringLiteral("ROLLBACK"));
    }
    m_inTransaction = false;
    if (changed && (!commit || !st.ok()))
        ++m_discardedScopes;
    return st;
}

} // namespace twinseal::service
