// The Store's tables on SQLite in a temporary directory: rows written and read back through each
// table (every column into its own field), the database's one-active-DT-per-subscriber rule, a
// rolled-back transaction leaving nothing behind (also after reopening the file), a nonce used
// once, the by-root lookup limited to the caller's own DTs and its grant's, and request scopes
// (the transactions of one request committed together with its recorded outcome, or not at all).
#include <QTemporaryDir>
#include <QtTest>

#include <QSqlDatabase>
#include <QSqlQuery>

#include <twinseal/service/config.h>
#include <twinseal/service/store.h>

#include "testmain.h"

namespace {
namespace test_store {

using namespace twinseal;
using namespace twinseal::service;

namespace {

#define STORE_OK(expr)                                                                             \
    do {                                                                                           \
        const auto& store_ok_ = (expr);                                                            \
        QVERIFY2(store_ok_.ok(), store_ok_.ok() ? "" : store_ok_.error().message().c_str());       \
    } while (0)

SubscriberRecord subscriber(const QString& supi) {
    SubscriberRecord s;
    s.supi = supi;
    s.sealedSecrets = QByteArray(60, '\x5a');
    s.sqn = 7;
    s.name = QStringLiteral("Dr. Ada Moreau");
    s.role = QStringLiteral("surgeon");
    s.createdAt = 1700000000;
    return s;
}

DtRecord dt(const QString& id, const QString& supi, const QString& state, char root) {
    DtRecord d;
    d.dtId = id;
    d.supi = supi;
    d.avatarId = QStringLiteral("urn:twinseal:avatar:") + id;
    d.state = state;
    d.holderKey = "holder-" + id.toUtf8();
    d.credential = "credential-" + id.toUtf8();
    d.credentialDigest = QByteArray(32, root);
    d.signedManifest = "manifest";
    d.mediaRoot = QByteArray(32, root);
    d.statusIndex = 3;
    d.logIndex = 5;
    d.createdAt = 1700000000;
    d.updatedAt = 1700000100;
    return d;
}

} // namespace

class StoreTest : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    Store m_store;

  private slots:
    void init() {
        QVERIFY(m_dir.isValid());
        QFile::remove(m_dir.filePath(QStringLiteral("homenet.sqlite")));
        STORE_OK(m_store.open(m_dir.path(), {}));
        QCOMPARE(m_store.backend(), Store::Backend::Sqlite);
    }
    void cleanup() { m_store.close(); }

    // SQLite runs with synchronous=FULL unless told otherwise (the store and the service's
    // configuration): a committed nonce, SQN or log entry survives a power loss.
    void sqliteSynchronousIsFullByDefault() {
        QCOMPARE(service::ServiceConfig{}.sqliteSynchronous, QStringLiteral("FULL"));
        QStringList mine;
        for (const QString& name : QSqlDatabase::connectionNames())
            if (name.startsWith(QLatin1String("twinseal-store-")))
                mine << name;
        QCOMPARE(mine.size(), 1);
        QSqlQuery q(QSqlDatabase::database(mine.first(), false));
        QVERIFY(q.exec(QStringLiteral("PRAGMA synchronous")) && q.next());
        QCOMPARE(q.value(0).toInt(), 2); // 2 = FULL, 1 = NORMAL
    }

    void rowsReadBackThroughEachTable() {
        auto tx = m_store.begin(true);
        STORE_OK(tx);
        STORE_OK(m_store.subscribers().insertSubscriber(
            subscriber(QStringLiteral("imsi-001010000000001"))));
        STORE_OK(m_store.subscribers().insertHandle(QStringLiteral("imsi-001010000000001"),
                                                    QStringLiteral("tw-abc"), 1700000000));
        STORE_OK(m_store.dts().insertDt(dt(QStringLiteral("dt-1"),
                                           QStringLiteral("imsi-001010000000001"),
                                           QStringLiteral("active"), 'a')));
        STORE_OK(m_store.credentials().insertCredential(
            3, QStringLiteral("dt-1"), QByteArray(32, 'a'), QStringLiteral("active"), 1700000000));
        STORE_OK(m_store.credentials().insertCredential(4, QStringLiteral("dt-0"),
                                                        QByteArray(32, 'b'),
                                                        QStringLiteral("superseded"), 1690000000));
        STORE_OK(m_store.log().appendLogEntry(0, "entry-0", QByteArray(32, 'h'),
                                              QByteArray(32, 'a'), 1700000000,
                                              QStringLiteral("dt-1")));
        STORE_OK(m_store.meta().setCounter("next_status_index", 5));
        STORE_OK(tx->commit());

        auto s = m_store.subscribers().subscriber(QStringLiteral("imsi-001010000000001"));
        STORE_OK(s);
        QVERIFY(s->has_value());
        QCOMPARE((*s)->sqn, quint64{7});
        QCOMPARE((*s)->name, QStringLiteral("Dr. Ada Moreau"));
        QCOMPARE((*s)->licenceId, QString()); // stored as empty text, read back empty
        QCOMPARE((*s)->sealedSecrets, QByteArray(60, '\x5a'));
        STORE_OK(
            m_store.subscribers().updateSubscriberSqn(QStringLiteral("imsi-001010000000001"), 9));
        QCOMPARE((*m_store.subscribers().subscriber(QStringLiteral("imsi-001010000000001")))->sqn,
                 quint64{9});
        QVERIFY(
            !m_store.subscribers().subscriber(QStringLiteral("imsi-001010000000002"))->has_value());
        QCOMPARE(**m_store.subscribers().supiOfHandle(QStringLiteral("tw-abc")),
                 QStringLiteral("imsi-001010000000001"));

        auto d = m_store.dts().activeDtOf(QStringLiteral("imsi-001010000000001"));
        STORE_OK(d);
        QVERIFY(d->has_value());
        QCOMPARE((*d)->dtId, QStringLiteral("dt-1"));
        QCOMPARE((*d)->statusIndex, quint64{3});
        QCOMPARE((*d)->mediaRoot, QByteArray(32, 'a'));
        QCOMPARE((*m_store.dts().dtByAvatar(QStringLiteral("urn:twinseal:avatar:dt-1")))->dtId,
                 QStringLiteral("dt-1"));

        auto inactive = m_store.credentials().inactiveStatusIndices();
        STORE_OK(inactive);
        QCOMPARE(*inactive, std::vector<quint64>{4});

        QCOMPARE(*m_store.log().logSize(), quint64{1});
        QCOMPARE(**m_store.log().logEntry(0), QByteArray("entry-0"));
        QVERIFY(!m_store.log().logEntry(1)->has_value());
        QCOMPARE(**m_store.log().logIndexOfCredential(QByteArray(32, 'a')), quint64{0});
        QVERIFY(!m_store.log().logIndexOfCredential(QByteArray(32, 'z'))->has_value());
        QCOMPARE(*m_store.log().logIndicesOfDt(QStringLiteral("dt-1")), std::vector<quint64>{0});
        QCOMPARE(*m_store.meta().counter("next_status_index"), qint64{5});
        QCOMPARE(*m_store.meta().counter("never_set"), qint64{0});
    }

    // Every column lands in its own field: each field gets a value no other field of its type has.
    void everyColumnReadsBackIntoItsField() {
        auto tx = m_store.begin(true);
        STORE_OK(tx);
        DtRecord d = dt(QStringLiteral("dt-9"), QStringLiteral("imsi-001010000000009"),
                        QStringLiteral("revoked"), 'r');
        d.credentialDigest = QByteArray(32, 'c');
        d.statusIndex = 11;
        d.logIndex = 13;
        d.generation = 4;
        d.revocationReason = QStringLiteral("lost device");
        STORE_OK(m_store.dts().insertDt(d));
        TransferOfferRecord t;
        t.transferId = QStringLiteral("tr-1");
        t.dtId = QStringLiteral("dt-9");
        t.avatarId = QStringLiteral("urn:twinseal:avatar:dt-9");
        t.fromSupi = QStringLiteral("imsi-001010000000009");
        t.fromHandle = QStringLiteral("tw-from");
        t.toSupi = QStringLiteral("imsi-001010000000008");
        t.toHandle = QStringLiteral("tw-to");
        t.codeHash = QByteArray(32, 'k');
        t.offer = "offer";
        t.offerDigest = QByteArray(32, 'o');
        t.credentialDigest = QByteArray(32, 'c');
        t.mediaRoot = QByteArray(32, 'r');
        t.state = QStringLiteral("accepted");
        t.createdAt = 1700000001;
        t.expiresAt = 1700000002;
        t.finishedAt = 1700000003;
        t.logIndex = 17;
        t.acceptance = "acceptance";
        STORE_OK(m_store.transfers().insertTransfer(t));
        const AuthSessionRecord a{QStringLiteral("auth-1"), QStringLiteral("imsi-001010000000009"),
                                  QByteArray(16, 'n'), QByteArray(32, 'x'), QByteArray(48, 's'),
                                  1700000009, QStringLiteral("pending"), 2, QStringLiteral("12")};
        STORE_OK(m_store.auth().insertAuthSession(a));
        STORE_OK(tx->commit());

        auto rd = m_store.dts().dt(QStringLiteral("dt-9"));
        STORE_OK(rd);
        QVERIFY(rd->has_value());
        const DtRecord& e = **rd;
        QCOMPARE(e.dtId, d.dtId);
        QCOMPARE(e.supi, d.supi);
        QCOMPARE(e.avatarId, d.avatarId);
        QCOMPARE(e.state, d.state);
        QCOMPARE(e.holderKey, d.holderKey);
        QCOMPARE(e.credential, d.credential);
        QCOMPARE(e.credentialDigest, d.credentialDigest);
        QCOMPARE(e.signedManifest, d.signedManifest);
        QCOMPARE(e.mediaRoot, d.mediaRoot);
        QCOMPARE(e.statusIndex, d.statusIndex);
        QCOMPARE(e.logIndex, d.logIndex);
        QCOMPARE(e.generation, d.generation);
        QCOMPARE(e.createdAt, d.createdAt);
        QCOMPARE(e.updatedAt, d.updatedAt);
        QCOMPARE(e.revocationReason, d.revocationReason);

        auto rt = m_store.transfers().transfer(QStringLiteral("tr-1"));
        STORE_OK(rt);
        QVERIFY(rt->has_value());
        const TransferOfferRecord& u = **rt;
        QCOMPARE(u.transferId, t.transferId);
        QCOMPARE(u.dtId, t.dtId);
        QCOMPARE(u.avatarId, t.avatarId);
        QCOMPARE(u.fromSupi, t.fromSupi);
        QCOMPARE(u.fromHandle, t.fromHandle);
        QCOMPARE(u.toSupi, t.toSupi);
        QCOMPARE(u.toHandle, t.toHandle);
        QCOMPARE(u.codeHash, t.codeHash);
        QCOMPARE(u.offer, t.offer);
        QCOMPARE(u.offerDigest, t.offerDigest);
        QCOMPARE(u.credentialDigest, t.credentialDigest);
        QCOMPARE(u.mediaRoot, t.mediaRoot);
        QCOMPARE(u.state, t.state);
        QCOMPARE(u.createdAt, t.createdAt);
        QCOMPARE(u.expiresAt, t.expiresAt);
        QCOMPARE(u.finishedAt, t.finishedAt);
        QCOMPARE(u.logIndex, t.logIndex);
        QCOMPARE(u.acceptance, t.acceptance);

        auto ra = m_store.auth().authSession(QStringLiteral("auth-1"));
        STORE_OK(ra);
        QVERIFY(ra->has_value());
        QCOMPARE((*ra)->authId, a.authId);
        QCOMPARE((*ra)->supi, a.supi);
        QCOMPARE((*ra)->rand, a.rand);
        QCOMPARE((*ra)->xresDigest, a.xresDigest);
        QCOMPARE((*ra)->sealedKausf, a.sealedKausf);
        QCOMPARE((*ra)->expiresAt, a.expiresAt);
        QCOMPARE((*ra)->state, a.state);
        QCOMPARE((*ra)->attempts, a.attempts);
        QCOMPARE((*ra)->routingIndicator, a.routingIndicator);
    }

    // The schema's unique index: one active DT per subscriber, whatever the service does.
    void oneActiveDtPerSubscriber() {
        const QString supi = QStringLiteral("imsi-001010000000001");
        STORE_OK(m_store.dts().insertDt(
            dt(QStringLiteral("dt-1"), supi, QStringLiteral("active"), 'a')));
        auto second =
            m_store.dts().insertDt(dt(QStringLiteral("dt-2"), supi, QStringLiteral("active"), 'b'));
        QVERIFY2(!second.ok(), "a second active DT for one subscriber was stored");
        // Revoked ones do not count, and another subscriber has its own.
        STORE_OK(m_store.dts().insertDt(
            dt(QStringLiteral("dt-3"), supi, QStringLiteral("revoked"), 'c')));
        STORE_OK(m_store.dts().insertDt(dt(QStringLiteral("dt-4"),
                                           QStringLiteral("imsi-001010000000002"),
                                           QStringLiteral("active"), 'd')));
        // Once the first is revoked, a new active DT may be stored.
        DtRecord first = **m_store.dts().dt(QStringLiteral("dt-1"));
        first.state = QStringLiteral("revoked");
        STORE_OK(m_store.dts().updateDt(first));
        STORE_OK(m_store.dts().insertDt(
            dt(QStringLiteral("dt-2"), supi, QStringLiteral("active"), 'b')));
        QCOMPARE((*m_store.dts().activeDtOf(supi))->dtId, QStringLiteral("dt-2"));
        QCOMPARE(m_store.dts().dtsOf(supi)->size(), std::size_t{3});
        // Updating a DT that does not exist is an error, not a silent no-op.
        QVERIFY(!m_store.dts()
                     .updateDt(dt(QStringLiteral("dt-9"), supi, QStringLiteral("revoked"), 'e'))
                     .ok());
    }

    void rolledBackTransactionLeavesNothing() {
        const QString supi = QStringLiteral("imsi-001010000000001");
        {
            auto tx = m_store.begin(true);
            STORE_OK(tx);
            STORE_OK(m_store.subscribers().insertSubscriber(subscriber(supi)));
            STORE_OK(m_store.dts().insertDt(
                dt(QStringLiteral("dt-1"), supi, QStringLiteral("active"), 'a')));
            STORE_OK(m_store.log().appendLogEntry(0, "entry", QByteArray(32, 'h'),
                                                  QByteArray(32, 'a'), 1, QStringLiteral("dt-1")));
            STORE_OK(m_store.meta().setCounter("status_revision", 4));
            // Inside the transaction the rows are there.
            QVERIFY(m_store.subscribers().subscriber(supi)->has_value());
            tx->rollback();
        }
        {
            auto tx = m_store.begin(true);
            STORE_OK(tx);
            STORE_OK(m_store.auth().insertAkmaKey({QStringLiteral("akid"), supi, "kaf", 10}));
            // destroyed uncommitted: rolled back
        }
        auto check = [&] {
            QVERIFY(!m_store.subscribers().subscriber(supi)->has_value());
            QVERIFY(!m_store.dts().dt(QStringLiteral("dt-1"))->has_value());
            QCOMPARE(*m_store.log().logSize(), quint64{0});
            QCOMPARE(*m_store.log().indexedLogSize(), quint64{0});
            QCOMPARE(*m_store.meta().counter("status_revision"), qint64{0});
            QVERIFY(!m_store.auth().akmaKey(QStringLiteral("akid"))->has_value());
        };
        check();
        m_store.close();
        STORE_OK(m_store.open(m_dir.path(), {}));
        check();
        // Nested transactions are refused rather than silently merged.
        auto outer = m_store.begin(true);
        STORE_OK(outer);
        QVERIFY(!m_store.begin(true).ok());
    }

    // Inside a request scope each transaction is a savepoint: one rolled back undoes only its
    // own rows; what committed waits for the scope's end, which commits or rolls back the lot,
    // and counts changes it threw away (in-memory views rebuild).
    void requestScopeCommitsTogether() {
        const QString a = QStringLiteral("imsi-001010000000001");
        const QString b = QStringLiteral("imsi-001010000000002");
        const QString c = QStringLiteral("imsi-001010000000003");
        m_store.beginScope();
        QVERIFY(m_store.inScope());
        QVERIFY(!m_store.scopeChanged());
        {
            auto tx = m_store.begin(false); // a read inside a scope is a write like the rest
            STORE_OK(tx);
            STORE_OK(m_store.subscribers().insertSubscriber(subscriber(a)));
            {
                auto inner = m_store.begin(true);
                STORE_OK(inner);
                STORE_OK(m_store.subscribers().insertSubscriber(subscriber(b)));
            } // rolled back: only b goes
            STORE_OK(tx->commit());
        }
        QVERIFY(m_store.scopeChanged());
        // Not visible to another connection before the scope ends.
        auto seenOutside = [&](const QString& supi) {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"),
                                                        QStringLiteral("scope-reader"));
            db.setDatabaseName(m_dir.filePath(QStringLiteral("homenet.sqlite")));
            bool found = false;
            if (db.open()) {
                QSqlQuery q(db);
                found = q.exec(QStringLiteral("SELECT COUNT(*) FROM subscribers WHERE supi = '") +
                               supi + QLatin1Char('\'')) &&
                        q.next() && q.value(0).toInt() == 1;
            }
            db = QSqlDatabase();
            QSqlDatabase::removeDatabase(QStringLiteral("scope-reader"));
            return found;
        };
        QVERIFY(!seenOutside(a));
        STORE_OK(m_store.endScope(true));
        QVERIFY(!m_store.inScope());
        QVERIFY(seenOutside(a));
        QVERIFY(!m_store.subscribers().subscriber(b)->has_value());
        QCOMPARE(m_store.discardedScopes(), quint64{0});

        // A scope rolled back after a transaction in it committed: nothing stays, and the
        // discarded change is counted.
        m_store.beginScope();
        {
            auto tx = m_store.begin(true);
            STORE_OK(tx);
            STORE_OK(m_store.subscribers().insertSubscriber(subscriber(c)));
            STORE_OK(tx->commit());
        }
        STORE_OK(m_store.endScope(false));
        QVERIFY(!m_store.subscribers().subscriber(c)->has_value());
        QCOMPARE(m_store.discardedScopes(), quint64{1});
        // A scope that never began a transaction ends without one; plain transactions work after.
        m_store.beginScope();
        STORE_OK(m_store.endScope(true));
        auto plain = m_store.begin(true);
        STORE_OK(plain);
        STORE_OK(m_store.subscribers().insertSubscriber(subscriber(c)));
        STORE_OK(plain->commit());
        QVERIFY(m_store.subscribers().subscriber(c)->has_value());
        QCOMPARE(m_store.discardedScopes(), quint64{1});
    }

    // The outcome of a request is recorded once: a second record of the same key is refused
    // (another instance answered first), and expired records are purged.
    void requestOutcomeRecordedOnce() {
        RequestOutcomeRecord r{"key-1", "digest", 200, "application/x-protobuf", "sealed", 1000};
        auto first = m_store.outcomes().insert(r);
        STORE_OK(first);
        QVERIFY(*first);
        r.sealedBody = "other";
        auto second = m_store.outcomes().insert(r);
        STORE_OK(second);
        QVERIFY(!*second);
        auto stored = m_store.outcomes().outcome("key-1");
        STORE_OK(stored);
        QVERIFY(stored->has_value());
        QCOMPARE((*stored)->sealedBody, QByteArray("sealed"));
        QCOMPARE((*stored)->digest, QByteArray("digest"));
        QCOMPARE((*stored)->status, 200);
        STORE_OK(m_store.outcomes().purgeExpired(1001));
        QVERIFY(!m_store.outcomes().outcome("key-1")->has_value());
    }

    void nonceIsUsedOnce() {
        auto first = m_store.auth().useNonce("nonce-1", 100);
        STORE_OK(first);
        QVERIFY(*first);
        auto replay = m_store.auth().useNonce("nonce-1", 100);
        STORE_OK(replay);
        QVERIFY(!*replay);
        // Purged once expired a day ago; then it is new again.
        STORE_OK(m_store.purgeExpired(100 + 86400 + 1));
        QVERIFY(*m_store.auth().useNonce("nonce-1", 100));
    }

    // Two subscribers certified the same package (one media root): each finds only its own DT
    // by root, a grant finds its avatar's, and nobody else finds any.
    void byRootLookupIsLimitedToTheCaller() {
        const QString a = QStringLiteral("imsi-001010000000001");
        const QString b = QStringLiteral("imsi-001010000000002");
        STORE_OK(
            m_store.dts().insertDt(dt(QStringLiteral("dt-a"), a, QStringLiteral("active"), 'r')));
        STORE_OK(
            m_store.dts().insertDt(dt(QStringLiteral("dt-b"), b, QStringLiteral("active"), 'r')));
        const QByteArray root(32, 'r');
        QCOMPARE((*m_store.dts().dtByMediaRootFor(root, a, {}))->dtId, QStringLiteral("dt-a"));
        QCOMPARE((*m_store.dts().dtByMediaRootFor(root, b, {}))->dtId, QStringLiteral("dt-b"));
        QCOMPARE(
            (*m_store.dts().dtByMediaRootFor(root, {}, QStringLiteral("urn:twinseal:avatar:dt-b")))
                ->dtId,
            QStringLiteral("dt-b"));
        QVERIFY(!m_store.dts()
                     .dtByMediaRootFor(root, QStringLiteral("imsi-001010000000003"), {})
                     ->has_value());
        QVERIFY(!m_store.dts().dtByMediaRootFor(QByteArray(32, 'x'), a, {})->has_value());
    }
};

TWINSEAL_TEST(StoreTest, "store")
} // namespace test_store
} // namespace

#include "test_store.moc"
