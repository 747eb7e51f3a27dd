// The connection every table of the store shares: SQLite by default (WAL, one file in the data
// directory), PostgreSQL with the same statements when configured; the schema; transactions
// (write transactions are serialized: SQLite BEGIN IMMEDIATE, PostgreSQL an advisory lock);
// and the one helper every table uses to run a statement: prepared once and cached, its values
// bound in order, its rows read through Row.
#pragma once

#include <QByteArray>
#include <QHash>
#include <QSqlQuery>
#include <QString>
#include <QStringList>
#include <QVariant>

#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include <twinseal/security/result.h>

#include "twinseal/service/service_metrics.h"

namespace twinseal::service {

template <typename T> using StoreResult = security::Result<T>;

// How long one statement may wait, so that a hung lock holder (another instance, a stuck
// administrative session) fails the requests behind it instead of stalling the service.
// Milliseconds; 0: no limit.
struct DatabaseTimeouts {
    // Waiting for a lock: the write lock (PostgreSQL lock_timeout), the database file's write
    // lock (SQLite busy timeout).
    int lockMs = 5000;
    // Any one statement on PostgreSQL (statement_timeout), its lock wait included.
    int statementMs = 30000;
};
using StoreStatus = security::Status;

// Why a database URL is refused before anything is opened (review finding 14): a reason code
// ("database-password-in-url", "database-tls-required", "database-sslmode-invalid") and a
// message saying what to do instead.
struct DatabaseUrlProblem {
    std::string code;
    std::string message;
};
// A postgresql:// URL carries no password (the command line, unit files and shell histories are
// readable by others: the password goes in a PGPASSFILE, ~/.pgpass by default, mode 0600), and
// reaches any host other than this machine (a socket directory, localhost, 127.0.0.0/8, ::1)
// only over TLS: sslmode=require, verify-ca or verify-full in the URL or in $PGSSLMODE
// (verify-full with sslrootcert=... is what an operator should use). Other URLs: nothing to say.
[[nodiscard]] std::optional<DatabaseUrlProblem> checkDatabaseUrl(const QString& database);

// Values as the tables bind them.
namespace sql {
inline QVariant u64(quint64 v) {
    return QVariant::fromValue(static_cast<qlonglong>(v));
}
// A null QString binds as SQL NULL; text columns here are NOT NULL and empty means "none".
inline QString text(const QString& s) {
    return s.isNull() ? QStringLiteral("") : s;
}
// Optional blobs are stored as SQL NULL when empty.
inline QVariant optBlob(const QByteArray& b) {
    return b.isEmpty() ? QVariant(QMetaType::fromType<QByteArray>()) : QVariant(b);
}
} // namespace sql

// One result row, read by column number.
class Row {
  public:
    explicit Row(const QSqlQuery& q) : m_q(q) {}
    [[nodiscard]] QString text(int i) const { return m_q.value(i).toString(); }
    [[nodiscard]] QByteArray blob(int i) const { return m_q.value(i).toByteArray(); }
    [[nodiscard]] qint64 i64(int i) const { return m_q.value(i).toLongLong(); }
    [[nodiscard]] quint64 u64(int i) const {
        return static_cast<quint64>(m_q.value(i).toLongLong());
    }
    [[nodiscard]] int i32(int i) const { return m_q.value(i).toInt(); }
    [[nodiscard]] bool isNull(int i) const { return m_q.value(i).isNull(); }
    // Column i into `out`, read as out's type.
    void read(int i, QString& out) const { out = text(i); }
    void read(int i, QByteArray& out) const { out = blob(i); }
    void read(int i, qint64& out) const { out = i64(i); }
    void read(int i, quint64& out) const { out = u64(i); }
    void read(int i, int& out) const { out = i32(i); }

  private:
    const QSqlQuery& m_q;
};

// A record read from a row, one field per column in the order the fields are named: the `read`
// of Database::one() and all() for a table whose SELECT lists the columns in that order
// (check the count with columnCount()).
template <typename Record, typename... Types> class RowMapper {
  public:
    constexpr explicit RowMapper(Types Record::*... fields) : m_fields(fields...) {}
    static constexpr std::size_t kColumns = sizeof...(Types);

    Record operator()(const Row& row) const {
        Record out;
        std::apply(
            [&](auto... field) {
                int column = 0;
                (row.read(column++, out.*field), ...);
            },
            m_fields);
        return out;
    }

  private:
    std::tuple<Types Record::*...> m_fields;
};

template <typename Record, typename... Types>
constexpr RowMapper<Record, Types...> rowMapper(Types Record::*... fields) {
    return RowMapper<Record, Types...>(fields...);
}

// How many columns a column list ("a, b, c") names.
constexpr std::size_t columnCount(std::string_view columns) {
    std::size_t n = 1;
    for (char c : columns)
        n += c == ',' ? 1 : 0;
    return n;
}

class Database {
  public:
    enum class Backend { Sqlite, Postgres };
    using Values = std::initializer_list<QVariant>;

    Database() = default;
    ~Database();
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    // `database` empty: SQLite file `<dataDir>/homenet.sqlite`; else sqlite:PATH or a
    // postgresql:// URL (user, password, host, port, database; host may be a socket directory).
    [[nodiscard]] StoreStatus open(const QString& dataDir, const QString& database,
                                   const QString& sqliteSynchronous,
                                   const DatabaseTimeouts& timeouts = {});
    void close();
    [[nodiscard]] Backend backend() const noexcept { return m_backend; }

    // A transaction; rolled back when destroyed uncommitted. Inside a request scope it is a
    // savepoint of the scope's transaction: its commit releases the savepoint (the changes wait
    // for the scope's end), its rollback undoes only its own changes.
    class Transaction {
      public:
        Transaction(Transaction&&) noexcept;
        Transaction(const Transaction&) = delete;
        ~Transaction();
        [[nodiscard]] StoreStatus commit();
        void rollback();

      private:
        friend class Database;
        Transaction(Database* db, int savepoint, quint64 scope)
            : m_db(db), m_savepoint(savepoint), m_scope(scope) {}
        Database* m_db = nullptr;
        int m_savepoint = 0; // 0: a database transaction; n: savepoint n of a request scope
        quint64 m_scope = 0;
    };
    // write: serialized against every other writer (other processes included). Inside a
    // request scope every transaction is a write.
    [[nodiscard]] StoreResult<Transaction> begin(bool write = true);

    // ---- request scopes: an operation and the record of its outcome commit together
    // From here to endScope(), the transactions begun are parts of one write transaction, begun
    // (and the write lock taken) at the first of them. Not inside a transaction.
    void beginScope();
    [[nodiscard]] bool inScope() const noexcept { return m_scopeActive; }
    // Whether a transaction of the scope committed (its changes are pending until endScope).
    [[nodiscard]] bool scopeChanged() const noexcept { return m_scopeChanged; }
    // Ends the scope: commits its transaction (commit true) or rolls it back. A failed commit
    // is rolled back and returned.
    [[nodiscard]] StoreStatus endScope(bool commit);
    // How many times changes committed inside a scope were rolled back after all (a failed
    // commit, a lost race): in-memory views of the store (the log's tree, the status list)
    // rebuild from the store when this moves.
    [[nodiscard]] quint64 discardedScopes() const noexcept { return m_discardedScopes; }

    // ---- backup and restore (homenet_backup.h): every table's rows, read in one snapshot
    struct TableDump {
        QString name;
        QStringList columns;
        QList<QVariantList> rows; // each in the order of `columns`
    };
    // A read transaction that sees one consistent state of every table (SQLite: a WAL read
    // snapshot; PostgreSQL: REPEATABLE READ, READ ONLY) while writers go on.
    [[nodiscard]] StoreResult<Transaction> beginSnapshot();
    // The database's tables, by name.
    [[nodiscard]] StoreResult<QStringList> tableNames();
    [[nodiscard]] StoreResult<TableDump> dumpTable(const QString& table);
    [[nodiscard]] StoreResult<qint64> rowCount(const QString& table);
    // Inside a write transaction: replaces the table's rows with `table`'s. Refuses a table or a
    // column this schema does not have.
    [[nodiscard]] StoreStatus replaceRows(const TableDump& table);

    // ---- latencies, for the metrics: every statement run, and the wait for the write lock
    // (SQLite's BEGIN IMMEDIATE, PostgreSQL's advisory lock) at each write transaction's start
    [[nodiscard]] const LatencyHistogram& statementLatency() const noexcept { return m_statements; }
    [[nodiscard]] const LatencyHistogram& writeLockWait() const noexcept { return m_lockWait; }

    // ---- the row-binding helper every table uses
    // Runs a statement that returns no rows.
    [[nodiscard]] StoreStatus exec(const char* sql, Values values);
    // Runs a statement that returns no rows; how many rows it changed.
    [[nodiscard]] StoreResult<int> execCount(const char* sql, Values values);
    // The first row, read by `read(const Row&)`, or nothing.
    template <typename Read>
    [[nodiscard]] auto one(const char* sql, Values values, Read read)
        -> StoreResult<std::optional<decltype(read(std::declval<const Row&>()))>> {
        std::optional<decltype(read(std::declval<const Row&>()))> out;
        auto q = run(sql, values);
        if (!q.ok())
            return q.error();
        if ((*q)->next())
            out = read(Row(**q));
        (*q)->finish();
        return out;
    }
    // Every row, in order.
    template <typename Read>
    [[nodiscard]] auto all(const char* sql, Values values, Read read)
        -> StoreResult<std::vector<decltype(read(std::declval<const Row&>()))>> {
        std::vector<decltype(read(std::declval<const Row&>()))> out;
        auto q = run(sql, values);
        if (!q.ok())
            return q.error();
        while ((*q)->next())
            out.push_back(read(Row(**q)));
        (*q)->finish();
        return out;
    }

  private:
    [[nodiscard]] StoreStatus createSchema();
    [[nodiscard]] StoreResult<QSqlQuery*> prepare(const char* sql);
    [[nodiscard]] StoreResult<QSqlQuery*> run(const char* sql, Values values);
    [[nodiscard]] StoreStatus execRaw(const QString& sql);
    [[nodiscard]] security::Error sqlError(const QString& what, const QSqlQuery* q) const;

    QString m_connection;
    Backend m_backend = Backend::Sqlite;
    QHash<const char*, QSqlQuery*> m_queries;
    bool m_inTransaction = false;
    bool m_scopeActive = false;
    bool m_scopeOpen = false; // the scope's database transaction is begun
    bool m_scopeChanged = false;
    int m_scopeDepth = 0;
    quint64 m_scopeSerial = 0;
    quint64 m_discardedScopes = 0;
    LatencyHistogram m_statements;
    LatencyHistogram m_lockWait;
};

} // namespace twinseal::service
