#include "homenet_fixture.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTcpServer>
#include <QUrl>
#include <QUrlQuery>
#include <QUuid>

#include <csignal>

#include <twinseal/security/assertion.h>
#include <twinseal/security/manifest.h>
#include <twinseal/security/translog.h>

namespace twinseal::test {

namespace {
const char* kPassphrase = "integration-test-passphrase";

quint16 freePort() {
    QTcpServer s;
    if (!s.listen(QHostAddress::LocalHost, 0))
        return 0;
    return s.serverPort();
}

QString pgAdminConnection() {
    QString name = QStringLiteral("pg-admin");
    if (!QSqlDatabase::contains(name)) {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), name);
        db.setHostName(QStringLiteral("/var/run/postgresql"));
        db.setDatabaseName(QStringLiteral("postgres"));
    }
    return name;
}
} // namespace

bool HomenetServer::usePostgres() {
    return qEnvironmentVariable("TWINSEAL_TEST_DATABASE") == QLatin1String("postgresql");
}

HomenetServer::HomenetServer() {
    QFile pass(m_dir.filePath(QStringLiteral("passphrase")));
    if (pass.open(QIODevice::WriteOnly)) {
        pass.write(kPassphrase);
        pass.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    }
    if (usePostgres()) {
        m_pgName = QStringLiteral("twinseal_t_") +
                   QUuid::createUuid().toString(QUuid::Id128).left(16);
        QSqlDatabase db = QSqlDatabase::database(pgAdminConnection());
        if (!db.isOpen() && !db.open())
            qFatal("cannot reach PostgreSQL on /var/run/postgresql (run packaging/start-postgres.sh)");
        QSqlQuery q(db);
        if (!q.exec(QStringLiteral("CREATE DATABASE ") + m_pgName))
            qFatal("cannot create a PostgreSQL test database");
        m_database = QStringLiteral("postgresql:///%1?host=/var/run/postgresql").arg(m_pgName);
    }
}

HomenetServer::~HomenetServer() {
    if (running())
        kill();
    if (!m_pgName.isEmpty()) {
        QSqlDatabase db = QSqlDatabase::database(pgAdminConnection());
        QSqlQuery q(db);
        (void)q.exec(QStringLiteral("DROP DATABASE IF EXISTS ") + m_pgName + " WITH (FORCE)");
    }
}

QStringList HomenetServer::common() const {
    QStringList a{QStringLiteral("--data-dir"), dataDir(), QStringLiteral("--passphrase-file"),
                  m_dir.filePath(QStringLiteral("passphrase"))};
    if (!m_database.isEmpty())
        a << QStringLiteral("--database") << m_database;
    return a;
}

int HomenetServer::runTool(const QStringList& args, QByteArray* output) {
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    QStringList all = args;
    all << common();
    p.start(QStringLiteral(TWINSEAL_HOMENET_PATH), all);
    if (!p.waitForFinished(60000))
        return -1;
    if (output)
        *output = p.readAll();
    else
        (void)p.readAll();
    return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
}

bool HomenetServer::start(const QStringList& serveFlags) {
    QByteArray out;
    if (runTool({QStringLiteral("init")}, &out) != 0) {
        qWarning("init failed: %s", out.constData());
        return false;
    }
    m_port = freePort();
    return launch(serveFlags);
}

bool HomenetServer::startWithKeysOf(const HomenetServer& other, const QStringList& serveFlags) {
    const QDir from(other.dataDir());
    QDir().mkpath(dataDir());
    for (const QFileInfo& entry :
         from.entryInfoList(QDir::Files | QDir::Dirs | QDir::NoDotAndDotDot)) {
        if (entry.fileName().startsWith(QLatin1String("homenet.sqlite")))
            continue; // the database stays the other service's
        const QString relative = from.relativeFilePath(entry.filePath());
        if (entry.isDir()) {
            QDir(dataDir()).mkpath(relative);
            for (const QString& name : QDir(entry.filePath()).entryList(QDir::Files))
                if (!QFile::copy(QDir(entry.filePath()).filePath(name),
                                 QDir(dataDir()).filePath(relative + QLatin1Char('/') + name)))
                    return false;
        } else if (!QFile::copy(entry.filePath(), QDir(dataDir()).filePath(relative))) {
            return false;
        }
    }
    m_port = freePort();
    return launch(serveFlags);
}

bool HomenetServer::startAlongside(const HomenetServer& other, const QStringList& serveFlags) {
    m_sharedDataDir = other.dataDir();
    m_database = other.m_database;
    m_port = freePort();
    return launch(serveFlags);
}

bool HomenetServer::launch(const QStringList& serveFlags) {
    m_log.clear();
    QStringList args{QStringLiteral("serve"), QStringLiteral("--port"), QString::number(m_port),
                     QStringLiteral("--log-level"), QStringLiteral("info")};
    args << common() << serveFlags;
    m_proc.setProcessChannelMode(QProcess::SeparateChannels);
    m_proc.start(QStringLiteral(TWINSEAL_HOMENET_PATH), args);
    if (!m_proc.waitForStarted(10000))
        return false;
    // Ready when it logs "listening".
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < 30000) {
        if (!m_proc.waitForReadyRead(500) && m_proc.state() != QProcess::Running)
            break;
        m_log += m_proc.readAllStandardError();
        for (const QByteArray& line : m_log.split('\n')) {
            const QJsonObject o = QJsonDocument::fromJson(line).object();
            if (o.value(QStringLiteral("event")).toString() == QLatin1String("listening"))
                return true;
        }
    }
    m_log += m_proc.readAllStandardError();
    qWarning("twinseal-homenet did not start: %s", m_log.constData());
    return false;
}

bool HomenetServer::serve(const QStringList& serveFlags) {
    m_port = freePort();
    return launch(serveFlags);
}

bool HomenetServer::restart(const QStringList& serveFlags) {
    if (running() && stop() != 0)
        return false;
    return launch(serveFlags);
}

int HomenetServer::stop() {
    m_proc.terminate();
    if (!m_proc.waitForFinished(20000)) {
        m_proc.kill();
        m_proc.waitForFinished();
        return -1;
    }
    m_log += m_proc.readAllStandardError();
    return m_proc.exitStatus() == QProcess::NormalExit ? m_proc.exitCode() : -1;
}

bool HomenetServer::setMetaCounter(const QString& name, qint64 value) {
    if (running())
        return false;
    bool ok = false;
    const bool opened = withDatabase([&](QSqlDatabase& db) {
        QSqlQuery q(db);
        q.prepare(QStringLiteral("UPDATE meta SET value = ? WHERE name = ?"));
        q.addBindValue(value);
        q.addBindValue(name);
        ok = q.exec() && q.numRowsAffected() == 1;
    });
    return opened && ok;
}

bool HomenetServer::withDatabase(const std::function<void(QSqlDatabase&)>& work,
                                 bool readOnly) const {
    const QString connection =
        QStringLiteral("test-db-") + QUuid::createUuid().toString(QUuid::Id128);
    bool opened = false;
    {
        QSqlDatabase db;
        if (usePostgres()) {
            db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), connection);
            const QUrl url(database());
            db.setHostName(QUrlQuery(url).queryItemValue(QStringLiteral("host")));
            db.setDatabaseName(url.path().mid(1));
        } else {
            db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connection);
            db.setDatabaseName(QDir(dataDir()).filePath(QStringLiteral("homenet.sqlite")));
            if (readOnly)
                db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY"));
        }
        opened = db.open();
        if (opened)
            work(db);
        db.close();
    }
    QSqlDatabase::removeDatabase(connection);
    return opened;
}

QByteArray HomenetServer::pollLog() {
    m_log += m_proc.readAllStandardError();
    return m_log;
}

void HomenetServer::kill() {
    m_proc.kill();
    m_proc.waitForFinished(10000);
    m_log += m_proc.readAllStandardError();
}

std::optional<security::UsimProfileData>
HomenetServer::addSubscriber(const QString& supi, const QString& profilePath,
                             const QStringList& extra) {
    QByteArray out;
    QStringList args{QStringLiteral("subscriber"), QStringLiteral("add"), QStringLiteral("--supi"),
                     supi, QStringLiteral("--profile-out"), profilePath,
                     QStringLiteral("--service-url"), url()};
    args << extra;
    if (runTool(args, &out) != 0) {
        qWarning("subscriber add failed: %s", out.constData());
        return std::nullopt;
    }
    auto p = security::UsimProfileData::load(profilePath.toStdString());
    if (!p.ok())
        return std::nullopt;
    return std::move(p).value();
}

QString HomenetServer::tlsCaPem() const {
    QFile f(QDir(dataDir()).filePath(QStringLiteral("keys/tls-ca.pem")));
    return f.open(QIODevice::ReadOnly) ? QString::fromLatin1(f.readAll()) : QString();
}

QString writeServiceIni(const HomenetServer& server, const QByteArray& settings,
                        const QString& name) {
    QString ini = server.scratch(name);
    QFile f(ini);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) ||
        f.write("[service]\n" + settings) < 0)
        qFatal("cannot write %s", qPrintable(ini));
    return ini;
}

QString avatarCopy(const QString& where, int variant) {
    QDir().mkpath(where);
    const QString src = QStringLiteral(TWINSEAL_SOURCE_DIR "/resources/avatar");
    for (const QString& name : QDir(src).entryList(QDir::Files)) {
        QFile::remove(QDir(where).filePath(name));
        QFile::copy(QDir(src).filePath(name), QDir(where).filePath(name));
        QFile::setPermissions(QDir(where).filePath(name),
                              QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    }
    if (variant != 0) {
        QFile meta(QDir(where).filePath(QStringLiteral("avatar.json")));
        if (meta.open(QIODevice::ReadOnly)) {
            QJsonObject o = QJsonDocument::fromJson(meta.readAll()).object();
            meta.close();
            o.insert(QStringLiteral("version"), QStringLiteral("1.%1").arg(variant));
            if (meta.open(QIODevice::WriteOnly | QIODevice::Truncate))
                meta.write(QJsonDocument(o).toJson());
        }
    }
    return where;
}

security::Bytes signedManifest(const QString& package, const security::SigningKey& holder,
                               security::Manifest* manifest, std::uint32_t chunk) {
    security::HashOptions o;
    o.chunkSize = chunk;
    auto m = security::buildManifest(package.toStdString(), o);
    if (!m.ok())
        qFatal("buildManifest: %s", m.error().message().c_str());
    auto s = security::signManifest(*m, holder);
    if (!s.ok())
        qFatal("signManifest: %s", s.error().message().c_str());
    if (manifest)
        *manifest = security::parseSignedManifest(*s)->manifest;
    return std::move(s).value();
}

QProcessEnvironment twinsealctlEnvironment() {
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    const QString asan = env.value(QStringLiteral("ASAN_OPTIONS"));
    env.insert(QStringLiteral("ASAN_OPTIONS"),
               asan.isEmpty() ? QStringLiteral("detect_leaks=0") : asan + QStringLiteral(":detect_leaks=0"));
    return env;
}

TestSubscriber addTestSubscriber(HomenetServer& server, const QString& profileName, int number,
                                 const QStringList& extra) {
    TestSubscriber s;
    s.path = server.scratch(profileName);
    auto p = server.addSubscriber(QStringLiteral("imsi-00101000000%1").arg(number), s.path, extra);
    if (!p)
        qFatal("subscriber add failed");
    s.profile = *p;
    s.client = std::make_unique<netclient::ServiceClient>(*p, s.path);
    s.holder = std::move(security::SigningKey::generate(security::KeyAlgorithm::Ed25519)).value();
    return s;
}

netclient::ClientResult<netclient::AuthSession> authenticate(netclient::ServiceClient& client) {
    return await<netclient::AuthSession>([&](auto cb) { client.authenticate(std::move(cb)); });
}

netclient::ClientResult<netclient::Registration> registerDt(TestSubscriber& s,
                                                  const security::Bytes& signedManifest) {
    return await<netclient::Registration>(
        [&](auto cb) { s.client->registerDt(s.holder, signedManifest, std::move(cb)); });
}

netclient::ClientResult<netclient::Registration> registerDt(TestSubscriber& s, const QString& package) {
    return registerDt(s, signedManifest(package, s.holder));
}

netclient::ClientResult<security::StatusList> statusList(netclient::ServiceClient& client) {
    return await<security::StatusList>([&](auto cb) { client.fetchStatusList(std::move(cb)); });
}

security::VerificationReport verifyAsPeer(const security::UsimProfileData& profile,
                                          const security::SigningKey& holder,
                                          const netclient::Registration& reg,
                                          const security::StatusList& list,
                                          const QString& package) {
    using namespace twinseal::security;
    auto trust = TrustList::fromPem(profile.trustListPem);
    SystemRandom& rng = SystemRandom::instance();
    const Bytes epk(32, 0x42);
    const std::int64_t now = SystemClock::instance().now();
    auto claims = claimsForCall(reg.credential, {"urn:twinseal:room:theatre-3"}, epk, now, rng);
    auto assertion = createAssertion(*claims, holder);
    StatusListRevocationChecker revocation(list);
    LogInclusionChecker inclusion(reg.receipt.treeHead);
    (void)inclusion.add(reg.receipt);
    Bytes manifest = signedManifest(package, holder);
    VerificationInputs in;
    in.assertion = assertion->compact;
    in.credential = reg.credentialBytes;
    in.disclosures = reg.disclosures;
    in.media.manifest = manifest;
    in.media.packagePath = package.toStdString();
    in.trust = &*trust;
    in.clock = &SystemClock::instance();
    in.expectedDestination = "urn:twinseal:room:theatre-3";
    in.revocation = &revocation;
    in.inclusion = &inclusion;
    // A peer check without a replay cache or pins: those two are not what these tests are about.
    in.optOut({CheckId::Replay, CheckId::PinnedKey});
    return verifyPeer(in);
}

} // namespace twinseal::test
