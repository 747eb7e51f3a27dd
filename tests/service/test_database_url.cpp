// Review finding 14: the PostgreSQL URL given to the service. A password in it is refused (it is
// visible to other users in the process list and kept in shell histories and unit files: it
// belongs in a PGPASSFILE), and a host other than this machine is refused without TLS
// (sslmode=require, verify-ca or verify-full). Checked on the helper, on the store and on the
// service runner, each before anything is connected to or any key is opened.
#include <QTemporaryDir>
#include <QtTest>

#include <twinseal/service/config.h>
#include <twinseal/service/operator_keys.h>
#include <twinseal/service/service_runner.h>
#include <twinseal/service/store.h>
#include <twinseal/service/store_database.h>

#include "testmain.h"

namespace {
namespace test_database_url {

using namespace twinseal::service;

namespace {

QString codeOf(const QString& url) {
    auto problem = checkDatabaseUrl(url);
    return problem ? QString::fromStdString(problem->code) : QString();
}

} // namespace

class DatabaseUrlTest : public QObject {
    Q_OBJECT
private slots:
    void init() { qunsetenv("PGSSLMODE"); }
    void cleanup() { qunsetenv("PGSSLMODE"); }

    void passwordInUrlRefused() {
        QCOMPARE(codeOf(QStringLiteral("postgresql://twinseal:s3cret@localhost/twinseal")),
                 QStringLiteral("database-password-in-url"));
        QCOMPARE(codeOf(QStringLiteral("postgres://twinseal:s3cret@db.example.org/twinseal?sslmode=verify-full")),
                 QStringLiteral("database-password-in-url"));
        QCOMPARE(codeOf(QStringLiteral("postgresql://twinseal@localhost/twinseal?password=s3cret")),
                 QStringLiteral("database-password-in-url"));
        const auto problem = checkDatabaseUrl(QStringLiteral("postgresql://twinseal:s3cret@localhost/twinseal"));
        QVERIFY(problem->message.find("PGPASSFILE") != std::string::npos);
        QVERIFY(problem->message.find("s3cret") == std::string::npos); // never repeated back
    }

    void remoteHostNeedsTls() {
        QCOMPARE(codeOf(QStringLiteral("postgresql://twinseal@db.example.org:5432/twinseal")),
                 QStringLiteral("database-tls-required"));
        QCOMPARE(codeOf(QStringLiteral("postgresql://twinseal@10.1.2.3/twinseal?sslmode=prefer")),
                 QStringLiteral("database-tls-required"));
        QCOMPARE(codeOf(QStringLiteral("postgresql://twinseal@db.example.org/twinseal?sslmode=disable")),
                 QStringLiteral("database-tls-required"));
        // ?host= names the host libpq really connects to.
        QCOMPARE(codeOf(QStringLiteral("postgresql:///twinseal?host=db.example.org")),
                 QStringLiteral("database-tls-required"));
        QCOMPARE(codeOf(QStringLiteral("postgresql://twinseal@db.example.org/twinseal?sslmode=bogus")),
                 QStringLiteral("database-sslmode-invalid"));
        const auto problem = checkDatabaseUrl(QStringLiteral("postgresql://twinseal@db.example.org/twinseal"));
        QVERIFY(problem->message.find("sslmode=verify-full") != std::string::npos);

        for (const char* mode : {"require", "verify-ca", "verify-full"})
            QCOMPARE(codeOf(QStringLiteral("postgresql://twinseal@db.example.org/twinseal?sslmode=%1&sslrootcert=/etc/ca.pem")
                                .arg(QLatin1String(mode))),
                     QString());
        // PGSSLMODE counts as libpq reads it.
        qputenv("PGSSLMODE", "verify-full");
        QCOMPARE(codeOf(QStringLiteral("postgresql://twinseal@db.example.org/twinseal")), QString());
    }

    void localDatabaseNeedsNoTls() {
        for (const char* url : {"postgresql:///twinseal?host=/var/run/postgresql", "postgresql:///twinseal",
                                "postgresql://twinseal@localhost/twinseal", "postgresql://twinseal@127.0.0.1:5432/twinseal",
                                "postgresql://twinseal@[::1]/twinseal", "", "sqlite:/tmp/x.sqlite"})
            QVERIFY2(!checkDatabaseUrl(QLatin1String(url)), url);
    }

    // The store and the service runner refuse such a URL themselves, before connecting (no
    // server answers at db.invalid) and before the operator keys are opened.
    void storeAndServiceRefuse() {
        QTemporaryDir dir;
        Store store;
        auto st = store.open(dir.path(), QStringLiteral("postgresql://u:pw@db.invalid/x"), QStringLiteral("FULL"));
        QVERIFY(!st.ok());
        QVERIFY(st.error().detail.find("database-password-in-url") != std::string::npos);
        st = store.open(dir.path(), QStringLiteral("postgresql://u@db.invalid/x"), QStringLiteral("FULL"));
        QVERIFY(!st.ok());
        QVERIFY(st.error().detail.find("database-tls-required") != std::string::npos);

        ServiceConfig config;
        config.dataDir = dir.filePath(QStringLiteral("homenet"));
        config.database = QStringLiteral("postgresql://u@db.invalid/x");
        ServiceRunner runner;
        auto opened = runner.open(config, "an operator passphrase", /*initIfMissing=*/true);
        QVERIFY(!opened.ok());
        QCOMPARE(QString::fromStdString(opened.error().code), QStringLiteral("database-tls-required"));
        QVERIFY(!OperatorKeys::exists(config.dataDir)); // refused before any key was made
    }
};

TWINSEAL_TEST(DatabaseUrlTest, "database-url")
} // namespace test_database_url
} // namespace

#include "test_database_url.moc"
