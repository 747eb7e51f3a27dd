// The service's state in SQL through Qt SQL: SQLite by default (WAL, one file in the data
// directory), PostgreSQL with the same statements when configured. Every change that must be
// atomic (a registration: DT, credential, log entry, nonce) happens inside one Transaction, and
// write transactions are serialized (SQLite: BEGIN IMMEDIATE; PostgreSQL: a row lock), so a
// killed process leaves either all of a change or none of it.
#pragma once

#include <QByteArray>
#include <QHash>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <optional>
#include <vector>

#include <twinseal/security/result.h>

namespace twinseal::service {

template <typename T> using StoreResult = security::Result<T>;
using StoreStatus = security::Status;

struct SubscriberRecord {
    QString supi;
    int mncLength = 2;
    QByteArray sealedSecrets; // AES-256-GCM under the storage key: K || OPc
    quint64 sqn = 0;          // the highest SQN the network has issued
    QString name, role, organisation, licenceId;
    qint64 createdAt = 0;
};

struct AuthSessionRecord {
    QString authId;
    QString supi;
    QByteArray rand;
    QByteArray xresDigest;  // SHA-256(XRES*): compared with SHA-256(RES*) in constant time
    QByteArray sealedKausf; // under the storage key
    qint64 expiresAt = 0;
    QString state; // "pending", "used", "failed", "resynced"
    int attempts = 0;
    QString routingIndicator; // as the SUCI carried it: part of the A-KID
};

struct AkmaKeyRecord {
    QString aKid;
    QString supi;
    QByteArray sealedKaf;
    qint64 expiresAt = 0;
};

struct DtRecord {
    QString dtId;
    QString supi;
    QString avatarId;
    QString state; // "active", "revoked"
    QByteArray holderKey; // serialized twinseal.proto.PublicKey
    QByteArray credential;
    QByteArray credentialDigest;
    QByteArray signedManifest;
    QByteArray mediaRoot;
    quint64 statusIndex = 0;
    quint64 logIndex = 0;
    int generation = 1;
    qint64 createdAt = 0;
    qint64 updatedAt = 0;
    QString revocationReason;
};

// An ownership-transfer offer and what became of it.
struct TransferOfferRecord {
    QString transferId;
    QString dtId;
    QString avatarId;
    QString fromSupi;
    QString fromHandle;
    QString toSupi;      // empty for a code-based offer until it is accepted
    QString toHandle;    // likewise
    QByteArray codeHash; // SHA-256 of the normalised transfer code; empty: offered by handle
    QByteArray offer;    // the owner-signed offer envelope
    QByteArray offerDigest;
    QByteArray credentialDigest; // the credential the offer is for
    QByteArray mediaRoot;
    QString state; // "pending", "accepted", "declined", "cancelled", "expired"
    qint64 createdAt = 0;
    qint64 expiresAt = 0;
    qint64 finishedAt = 0;
    qint64 logIndex = -1;  // the transfer's log entry once accepted
    QByteArray acceptance; // the recipient-signed acceptance envelope once accepted
    [[nodiscard]] bool codeBased() const { return !codeHash.isEmpty(); }
};

struct AvatarFileRecord {
    QByteArray mediaRoot;
    int fileIndex = 0;
    QString path;
    quint64 size = 0;
    quint64 chunks = 0;
    quint64 chunksStored = 0;
};

// A lawful disclosure the operator recorded (schema version 3). `supi` is the DT's owner at the
// time: only that subscriber sees the record.
struct LawfulDisclosureRecord {
    QString disclosureId;
    QString dtId;
    QString supi;
    QString authority;
    QString caseRef;
    QString legalBasis;
    QStringList attributes;
    qint64 disclosedAt = 0;
};

class Store {
public:
    enum class Backend { Sqlite, Postgres };

    Store() = default;
    ~Store();
    Store(const Store&) = delete;
    Store& operator=(const Store&) = delete;

    // `database` empty: SQLite file `<dataDir>/homenet.sqlite`; else a postgresql:// URL
    // (user, password, host, port, database; host may be a socket directory).
    [[nodiscard]] StoreStatus open(const QString& dataDir, const QString& database,
                                   const QString& sqliteSynchronous = QStringLiteral("NORMAL"));
    void close();
    [[nodiscard]] Backend backend() const noexcept { return m_backend; }

    // A transaction; rolled back when destroyed uncommitted.
    class Transaction {
    public:
        Transaction(Transaction&&) noexcept;
        Transaction(const Transaction&) = delete;
        ~Transaction();
        [[nodiscard]] StoreStatus commit();
        void rollback();

    private:
        friend class Store;
        explicit Transaction(Store* store) : m_store(store) {}
        Store* m_store = nullptr;
    };
    // write: serialized against every other writer (other processes included).
    [[nodiscard]] StoreResult<Transaction> begin(bool write = true);

    // ---- meta counters
    [[nodiscard]] StoreResult<qint64> counter(const char* name);
    [[nodiscard]] StoreStatus setCounter(const char* name, qint64 value);

    // ---- subscribers
    [[nodiscard]] StoreStatus insertSubscriber(const SubscriberRecord& s);
    [[nodiscard]] StoreResult<std::optional<SubscriberRecord>> subscriber(const QString& supi);
    [[nodiscard]] StoreStatus updateSubscriberSqn(const QString& supi, quint64 sqn);
    // Transfer handles: stable, unique, not secret.
    [[nodiscard]] StoreStatus insertHandle(const QString& supi, const QString& handle,
                                           qint64 createdAt);
    [[nodiscard]] StoreResult<std::optional<QString>> handleOf(const QString& supi);
    [[nodiscard]] StoreResult<std::optional<QString>> supiOfHandle(const QString& handle);
    [[nodiscard]] StoreResult<std::vector<QString>> subscribersWithoutHandle();

    // ---- authentication
    [[nodiscard]] StoreStatus insertAuthSession(const AuthSessionRecord& a);
    [[nodiscard]] StoreResult<std::optional<AuthSessionRecord>> authSession(const QString& id);
    [[nodiscard]] StoreStatus updateAuthSession(const QString& id, const QString& state,
                                                int attempts);
    [[nodiscard]] StoreStatus insertAkmaKey(const AkmaKeyRecord& k);
    [[nodiscard]] StoreResult<std::optional<AkmaKeyRecord>> akmaKey(const QString& aKid);
    // Also marks pending transfers past their expiry as expired.
    [[nodiscard]] StoreStatus purgeExpired(qint64 now);
    // false when the nonce was already used (a replay)
    [[nodiscard]] StoreResult<bool> useNonce(const QByteArray& nonce, qint64 expiresAt);

    // ---- digital twins and their credentials
    [[nodiscard]] StoreResult<std::optional<DtRecord>> dt(const QString& dtId);
    [[nodiscard]] StoreResult<std::optional<DtRecord>> activeDtOf(const QString& supi);
    [[nodiscard]] StoreResult<std::optional<DtRecord>> dtByAvatar(const QString& avatarId);
    // The DT with this media root among `supi`'s own and the one whose avatar is `avatarId`
    // (an access grant's): several subscribers may certify the same package, so a root alone
    // does not name a DT. Active first, then the newest.
    [[nodiscard]] StoreResult<std::optional<DtRecord>>
    dtByMediaRootFor(const QByteArray& root, const QString& supi, const QString& avatarId);
    [[nodiscard]] StoreResult<std::vector<DtRecord>> dtsOf(const QString& supi);
    [[nodiscard]] StoreResult<std::vector<DtRecord>> allDts();
    [[nodiscard]] StoreStatus insertDt(const DtRecord& d);
    // Updates everything but dt_id, avatar_id and created_at (the owner too: a transfer).
    [[nodiscard]] StoreStatus updateDt(const DtRecord& d);
    // state: "active", "superseded", "revoked"
    [[nodiscard]] StoreStatus insertCredential(quint64 statusIndex, const QString& dtId,
                                               const QByteArray& digest, const QString& state,
                                               qint64 issuedAt);
    [[nodiscard]] StoreStatus setCredentialState(quint64 statusIndex, const QString& state);
    [[nodiscard]] StoreResult<std::vector<quint64>> inactiveStatusIndices();

    // ---- transparency log
    [[nodiscard]] StoreResult<quint64> logSize();
    // Also indexes the entry under its DT (see logIndicesOfDt).
    [[nodiscard]] StoreStatus appendLogEntry(quint64 index, const QByteArray& entry,
                                             const QByteArray& leafHash,
                                             const QByteArray& credentialDigest, qint64 at,
                                             const QString& dtId);
    // The log indices of one DT's entries, in order.
    [[nodiscard]] StoreResult<std::vector<quint64>> logIndicesOfDt(const QString& dtId);
    // How many entries are indexed by DT; and indexing one (for databases from before the index).
    [[nodiscard]] StoreResult<quint64> indexedLogSize();
    [[nodiscard]] StoreStatus indexLogEntry(quint64 index, const QString& dtId);

    // ---- ownership transfers
    [[nodiscard]] StoreStatus insertTransfer(const TransferOfferRecord& t);
    // Updates state, recipient, finished_at, log index and acceptance.
    [[nodiscard]] StoreStatus updateTransfer(const TransferOfferRecord& t);
    [[nodiscard]] StoreResult<std::optional<TransferOfferRecord>> transfer(const QString& id);
    [[nodiscard]] StoreResult<std::optional<TransferOfferRecord>>
    transferByCode(const QByteArray& codeHash);
    // Offers from or to `supi` that are pending or finished at or after `finishedSince`, newest
    // first, at most `limit`.
    [[nodiscard]] StoreResult<std::vector<TransferOfferRecord>>
    transfersOf(const QString& supi, qint64 finishedSince, int limit);
    [[nodiscard]] StoreResult<std::vector<TransferOfferRecord>>
    pendingTransfersOfDt(const QString& dtId);
    // True when `supi` once owned DT `dtId` and transferred it away.
    [[nodiscard]] StoreResult<bool> transferredAwayBy(const QString& dtId, const QString& supi);
    // leaf hashes of entries index >= from, in order
    [[nodiscard]] StoreResult<std::vector<QByteArray>> leafHashesFrom(quint64 from);
    [[nodiscard]] StoreResult<std::optional<QByteArray>> logEntry(quint64 index);
    [[nodiscard]] StoreResult<std::optional<quint64>> logIndexOfCredential(const QByteArray& d);

    // ---- avatar repository
    [[nodiscard]] StoreStatus insertAvatarFile(const AvatarFileRecord& f);
    // Removes the files and chunks of media no DT names any more (a re-certified DT's old
    // media); media another DT still certifies is kept.
    [[nodiscard]] StoreStatus removeUnusedAvatar(const QByteArray& root);
    [[nodiscard]] StoreResult<std::vector<AvatarFileRecord>> avatarFiles(const QByteArray& root);
    // false when that chunk was already stored
    [[nodiscard]] StoreResult<bool> putChunk(const QByteArray& root, int file, quint64 chunk,
                                             const QByteArray& data);
    [[nodiscard]] StoreResult<std::optional<QByteArray>> chunk(const QByteArray& root, int file,
                                                               quint64 chunk);
    [[nodiscard]] StoreStatus insertGrant(const QByteArray& tokenHash, const QString& avatarId,
                                          qint64 expiresAt);
    [[nodiscard]] StoreResult<std::optional<std::pair<QString, qint64>>>
    grant(const QByteArray& tokenHash);
    // Withdraws every grant for an avatar (its owner changed).
    [[nodiscard]] StoreStatus deleteGrantsOf(const QString& avatarId);

    // ---- lawful disclosures
    [[nodiscard]] StoreStatus insertLawfulDisclosure(const LawfulDisclosureRecord& d);
    // The disclosures about DTs `supi` owned at the time, newest first.
    [[nodiscard]] StoreResult<std::vector<LawfulDisclosureRecord>>
    lawfulDisclosuresOf(const QString& supi);

  private:
    friend class Transaction;
    [[nodiscard]] StoreStatus createSchema();
    [[nodiscard]] StoreResult<QSqlQuery*> prepare(const char* sql);
    [[nodiscard]] StoreStatus exec(QSqlQuery* q);
    [[nodiscard]] StoreStatus execRaw(const QString& sql);
    [[nodiscard]] security::Error sqlError(const QString& what, const QSqlQuery* q) const;
    static DtRecord dtFrom(const QSqlQuery& q);
    static TransferOfferRecord transferFrom(const QSqlQuery& q);
    [[nodiscard]] StoreResult<std::vector<TransferOfferRecord>> transfers(QSqlQuery* q);
    [[nodiscard]] StoreResult<std::optional<DtRecord>> oneDt(const char* sql,
                                                             const QVariant& key);

    QString m_connection;
    Backend m_backend = Backend::Sqlite;
    QHash<const char*, QSqlQuery*> m_queries;
    bool m_inTransaction = false;
};

} // namespace twinseal::service
