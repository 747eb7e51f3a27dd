// Several `serve` instances on one database, as behind a load balancer (SQLite file, and
// PostgreSQL in the homenet-pg run): what a client sees must not depend on the instance it
// reaches. The signed status list is the latest publication whichever instance answers: its
// sequence never goes back (a verifier refuses an older list than one it holds) and a
// revocation made through one instance is in the list the other serves. A session that holds
// the write lock and hangs fails the writes behind it after the lock timeout; it does not stall
// the service. A client's retry of a request whose answer it lost (its connection dropped, the
// balancer moved it to the other instance) gets the first answer, not a replay refusal; a
// request that failed before changing anything runs again when retried. Behind HAProxy with the
// PROXY protocol, the service sees each client's own address: in its log and its per-client
// rate limit; a connection without the header, or from a peer not trusted to send one, is closed.
#include <QFile>
#include <QProcess>
#include <QSslSocket>
#include <QTcpServer>
#include <QtEndian>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QtTest>

#include <twinseal/netclient/service_client.h>
#include <twinseal/security/statuslist.h>

#include "homenet_fixture.h"
#include "raw_client.h"
#include "tcp_balancer.h"
#include "testmain.h"

namespace {
namespace test_scale_out {

using namespace twinseal;
using namespace twinseal::security;
using namespace twinseal::test;

namespace {

// The status list `server` serves now, verified with the profile's status-list key.
std::optional<StatusList> statusListOf(const HomenetServer& server, const UsimProfileData& profile) {
    RawClient raw(server);
    const HttpResult r = raw.send("GET", QStringLiteral("/v1/status"));
    if (r.status != 200) {
        qWarning("GET /v1/status on port %u: HTTP %d %s", server.port(), r.status, r.code.c_str());
        return std::nullopt;
    }
    auto list = parseSignedStatusList(toBytes(r.body.toStdString()), profile.statusListKey,
                                      SystemClock::instance().now());
    if (!list.ok()) {
        qWarning("status list from port %u: %s", server.port(), list.error().message().c_str());
        return std::nullopt;
    }
    return std::move(list).value();
}

// A port nobody listens on right now.
quint16 freePort() {
    QTcpServer s;
    return s.listen(QHostAddress::LocalHost, 0) ? s.serverPort() : 0;
}

// A PROXY v2 header for a TCP client at `client`:`port` (IPv4) reaching the service on 443.
QByteArray proxyHeaderFor(const QHostAddress& client, quint16 port) {
    QByteArray h("\r\n\r\n\0\r\nQUIT\n", 12);
    h += char(0x21);
    h += char(0x11);
    QByteArray rest(12, '\0');
    qToBigEndian<quint32>(client.toIPv4Address(), rest.data());
    qToBigEndian<quint32>(QHostAddress(QStringLiteral("127.0.0.1")).toIPv4Address(), rest.data() + 4);
    qToBigEndian<quint16>(port, rest.data() + 8);
    qToBigEndian<quint16>(443, rest.data() + 10);
    QByteArray len(2, '\0');
    qToBigEndian<quint16>(quint16(rest.size()), len.data());
    return h + len + rest;
}

// GET `path` on a connection of its own from `from` that starts with `prefix` (a PROXY header)
// before TLS: the HTTP status, or 0 when the service closed the connection without an answer.
int getAfter(const HomenetServer& server, const QByteArray& prefix, const QByteArray& path,
             const QHostAddress& from = QHostAddress::LocalHost) {
    QSslSocket s;
    if (!s.bind(from, 0))
        return -1;
    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    tls.setCaCertificates(QSslCertificate::fromData(server.tlsCaPem().toLatin1()));
    tls.setProtocol(QSsl::TlsV1_3OrLater);
    s.setSslConfiguration(tls);
    s.setPeerVerifyName(QStringLiteral("localhost"));
    s.connectToHost(QHostAddress::LocalHost, server.port());
    if (!s.waitForConnected(5000))
        return -1;
    s.write(prefix);
    s.startClientEncryption();
    if (!s.waitForEncrypted(8000))
        return 0;
    s.write("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    // Until the whole answer (its headers and Content-Length bytes) or the connection's end.
    QByteArray answer;
    auto complete = [&answer] {
        const qsizetype end = answer.indexOf("\r\n\r\n");
        if (end < 0)
            return false;
        const QByteArray head = answer.left(end).toLower();
        const qsizetype at = head.indexOf("content-length:");
        const qsizetype length =
            at < 0 ? 0 : head.mid(at + 15, head.indexOf('\r', at) - at - 15).trimmed().toLongLong();
        return answer.size() >= end + 4 + length;
    };
    while (!complete() && s.waitForReadyRead(8000))
        answer += s.readAll();
    const QList<QByteArray> statusLine = answer.left(answer.indexOf('\r')).split(' ');
    return statusLine.value(1).toInt();
}

// Debian's HAProxy (in /usr/sbin, which may not be on a user's PATH); empty when not installed.
QString haproxyPath() {
    QString found = QStandardPaths::findExecutable(QStringLiteral("haproxy"));
    if (!found.isEmpty())
        return found;
    return QFile::exists(QStringLiteral("/usr/sbin/haproxy")) ? QStringLiteral("/usr/sbin/haproxy")
                                                             : QString();
}

// HAProxy in TCP mode in front of `server`, sending PROXY v2 headers, connecting to the service
// from 127.0.0.3 (so that an address the service saw without the header would show).
class HaProxy {
  public:
    explicit HaProxy(const HomenetServer& server) : m_port(freePort()) {
        const QString cfg = server.scratch(QStringLiteral("haproxy.cfg"));
        QFile f(cfg);
        if (!f.open(QIODevice::WriteOnly))
            return;
        f.write(QStringLiteral("global\n    maxconn 100\n"
                               "defaults\n    mode tcp\n    timeout connect 5s\n"
                               "    timeout client 30s\n    timeout server 30s\n"
                               "frontend twinseal\n    bind 127.0.0.1:%1\n"
                               "    default_backend instances\n"
                               "backend instances\n"
                               "    server a 127.0.0.1:%2 send-proxy-v2 source 127.0.0.3\n")
                    .arg(m_port)
                    .arg(server.port())
                    .toLatin1());
        f.close();
        m_proc.setProcessChannelMode(QProcess::MergedChannels);
        m_proc.start(haproxyPath(), {QStringLiteral("-db"), QStringLiteral("-f"), cfg});
        if (!m_proc.waitForStarted(5000))
            return;
        for (int i = 0; i < 100 && m_proc.state() == QProcess::Running; ++i) {
            QTcpSocket probe;
            probe.connectToHost(QHostAddress::LocalHost, m_port);
            if (probe.waitForConnected(100)) {
                m_ready = true;
                return;
            }
            QTest::qWait(50);
        }
    }
    ~HaProxy() {
        m_proc.terminate();
        if (!m_proc.waitForFinished(5000))
            m_proc.kill();
    }
    [[nodiscard]] bool ready() const { return m_ready; }
    [[nodiscard]] quint16 port() const { return m_port; }
    [[nodiscard]] QByteArray output() { return m_proc.readAll(); }

  private:
    quint16 m_port;
    QProcess m_proc;
    bool m_ready = false;
};

} // namespace

class ScaleOutTest : public QObject {
    Q_OBJECT

private slots:
    void statusListNeverGoesBackAcrossInstances() {
        HomenetServer a;
        QVERIFY(a.start(noRateLimit()));
        HomenetServer b;
        QVERIFY(b.startAlongside(a, noRateLimit()));
        TestSubscriber s = addTestSubscriber(a, QStringLiteral("s.usim"), 7001);
        QVERIFY(authenticate(*s.client).ok());

        // Alternating between the instances, as a round-robin balancer sends a verifier: each
        // list is at least as new as the one before it.
        std::uint64_t last = 0;
        auto fetchBoth = [&](int rounds) {
            std::optional<StatusList> newest;
            for (int i = 0; i < rounds; ++i)
                for (const HomenetServer* server : {&a, &b}) {
                    auto list = statusListOf(*server, s.profile);
                    if (!list)
                        return std::optional<StatusList>();
                    if (list->info().sequence < last) {
                        qWarning("port %u served sequence %llu after %llu", server->port(),
                                 static_cast<unsigned long long>(list->info().sequence),
                                 static_cast<unsigned long long>(last));
                        return std::optional<StatusList>();
                    }
                    last = list->info().sequence;
                    newest = std::move(list);
                }
            return newest;
        };
        QVERIFY(fetchBoth(3));

        // A registration and a revocation through instance a: instance b serves a list with
        // the credential revoked, newer than any list before.
        auto reg = registerDt(s, avatarCopy(a.scratch(QStringLiteral("pkg")), 1));
        QVERIFY2(reg.ok(), reg.ok() ? "" : reg.error().describe().c_str());
        const std::uint64_t index = reg->credential.claims.statusListIndex;
        const std::uint64_t beforeRevocation = last;
        auto revoked = await<netclient::DtRecord>(
            [&](auto cb) { s.client->revoke(reg->credential.claims.dtId, "lost", std::move(cb)); });
        QVERIFY2(revoked.ok(), revoked.ok() ? "" : revoked.error().describe().c_str());
        auto fromB = statusListOf(b, s.profile);
        QVERIFY(fromB);
        QVERIFY(fromB->info().sequence > beforeRevocation);
        QCOMPARE(fromB->isRevoked(index).value(), true);
        last = fromB->info().sequence;
        auto after = fetchBoth(3);
        QVERIFY(after);
        QCOMPARE(after->isRevoked(index).value(), true);
        QVERIFY(a.running());
        QVERIFY(b.running());
    }

    void hungLockHolderFailsWritesInsteadOfStalling();

    // The real HAProxy (send-proxy-v2) in front: the service logs and limits the client, not
    // the balancer; another client behind the same balancer has a bucket of its own; a
    // connection that skips the balancer (no header) is closed with its reason.
    void clientsBehindHaProxyAreSeen() {
        if (haproxyPath().isEmpty())
            QFAIL("haproxy is not installed: run packaging/setup.sh");
        HomenetServer a;
        QVERIFY(a.start({QStringLiteral("--config"),
                         writeServiceIni(a, "proxy-protocol = on\nproxy-protocol-from = 127.0.0.3\n"
                                            "rate-limit = 1\nrate-burst = 4\n")}));
        HaProxy haproxy(a);
        QVERIFY2(haproxy.ready(), haproxy.output().constData());
        RawClient viaHaProxy(a, haproxy.port());
        QVERIFY2(viaHaProxy.send("GET", QStringLiteral("/v1/info")).status == 200,
                 (a.pollLog().right(1500) + haproxy.output()).constData());
        // The bucket of this client (burst 4, 1 a second) runs out...
        int limited = 0;
        for (int i = 0; i < 8; ++i)
            limited += viaHaProxy.send("GET", QStringLiteral("/v1/info")).status == 429 ? 1 : 0;
        QVERIFY(limited > 0);
        // ... not the bucket of another client behind the same balancer.
        const QHostAddress balancer(QStringLiteral("127.0.0.3"));
        const QByteArray other = proxyHeaderFor(QHostAddress(QStringLiteral("192.0.2.7")), 50123);
        QCOMPARE(getAfter(a, other, "/v1/info", balancer), 200);
        // Until that client runs out of its own (refusals are logged with the client).
        int otherLimited = 0;
        for (int i = 0; i < 8 && otherLimited == 0; ++i)
            otherLimited += getAfter(a, other, "/v1/info", balancer) == 429 ? 1 : 0;
        QCOMPARE(otherLimited, 1);
        QTRY_VERIFY(a.pollLog().contains("\"client\":\"127.0.0.1\""));
        QTRY_VERIFY(a.pollLog().contains("\"client\":\"192.0.2.7\""));
        QVERIFY(!a.pollLog().contains("127.0.0.3"));
        // From the balancer's address without a header, and straight to the service from a peer
        // that is not the balancer: closed, and said why.
        QCOMPARE(getAfter(a, {}, "/v1/info", balancer), 0);
        QTRY_VERIFY(a.pollLog().contains("proxy-header-missing"));
        QCOMPARE(getAfter(a, proxyHeaderFor(QHostAddress(QStringLiteral("192.0.2.8")), 50124),
                          "/v1/info"),
                 0);
        QTRY_VERIFY(a.pollLog().contains("proxy-source-untrusted"));
        QVERIFY(a.running());
    }

    // Only the balancers named in proxy-protocol-from may name a client: a header from another
    // peer is refused (it could claim any address and dodge the per-client limits).
    void proxyHeaderOnlyFromTrustedPeers() {
        HomenetServer a;
        QVERIFY(a.start({QStringLiteral("--config"),
                         writeServiceIni(a, "proxy-protocol = on\nproxy-protocol-from = 10.0.0.0/8\n")}));
        QCOMPARE(getAfter(a, proxyHeaderFor(QHostAddress(QStringLiteral("192.0.2.7")), 50123),
                          "/v1/info"),
                 0);
        QTRY_VERIFY(a.pollLog().contains("proxy-source-untrusted"));
        QVERIFY(a.running());
    }

    // Each request answered on one instance and retried, byte for byte, on the other.
    void retriesGetTheFirstAnswerOnEitherInstance() {
        HomenetServer a;
        QVERIFY(a.start(noRateLimit()));
        HomenetServer b;
        QVERIFY(b.startAlongside(a, noRateLimit()));
        auto profile = a.addSubscriber(QStringLiteral("imsi-001010000007003"),
                                       a.scratch(QStringLiteral("ue.profile")));
        QVERIFY(profile);
        RawClient rawA(a);
        RawClient rawB(b);
        UsimProfileData ue = *profile;

        // The answer to a challenge: the retry gets the same A-KID, and no second key is made.
        const proto::AuthChallenge c = challenge(rawA, ue);
        proto::AuthFinishRequest finish;
        finish.set_auth_id(c.auth_id());
        SecureBytes kausf;
        finish.set_res_star(toString(resStar(ue, c, &kausf)));
        const HttpResult finished = rawA.post(QStringLiteral("/v1/auth/finish"), finish);
        QCOMPARE(finished.status, 200);
        const HttpResult finishRetried = rawB.post(QStringLiteral("/v1/auth/finish"), finish);
        QCOMPARE(finishRetried.status, 200);
        QCOMPARE(finishRetried.body, finished.body);
        QCOMPARE(countInDatabase(a, QStringLiteral("SELECT COUNT(*) FROM akma_keys WHERE supi = ?"),
                                 QString::fromStdString(ue.supi.toString())),
                 qint64{1});
        auto akma = deriveAkmaSession(kausf, ue.supi, ue.routingIndicator);
        QVERIFY(akma.ok());

        // A registration: the retry gets the same credential; one DT, one log entry.
        auto holder = SigningKey::generate(KeyAlgorithm::Ed25519);
        QVERIFY(holder.ok());
        const QByteArray body = registrationBody(
            *akma, *holder, signedManifest(avatarCopy(a.scratch(QStringLiteral("pkg")), 1), *holder));
        const RawHeaders signedOnce{
            {"Authorization", akmaAuthorization(*akma, "POST", "/v1/dt/register", body)}};
        const qint64 logBefore = countInDatabase(
            a, QStringLiteral("SELECT COUNT(*) FROM log_entries WHERE idx >= ?"), 0);
        const HttpResult registered = rawA.send("POST", QStringLiteral("/v1/dt/register"), body,
                                                "application/x-protobuf", signedOnce);
        QCOMPARE(registered.status, 200);
        const HttpResult retried = rawB.send("POST", QStringLiteral("/v1/dt/register"), body,
                                             "application/x-protobuf", signedOnce);
        QCOMPARE(retried.status, 200);
        QCOMPARE(retried.body, registered.body);
        QCOMPARE(countInDatabase(a, QStringLiteral("SELECT COUNT(*) FROM dts WHERE supi = ?"),
                                 QString::fromStdString(ue.supi.toString())),
                 qint64{1});
        QCOMPARE(countInDatabase(
                     a, QStringLiteral("SELECT COUNT(*) FROM log_entries WHERE idx >= ?"), 0),
                 logBefore + 1);
        // The recorded answer is sealed: the credential's bytes are not in the database.
        proto::RegistrationResponse response;
        QVERIFY(response.ParseFromArray(registered.body.constData(), int(registered.body.size())));
        QCOMPARE(countInDatabase(
                     a, QStringLiteral("SELECT COUNT(*) FROM request_outcomes WHERE body = ?"),
                     registered.body),
                 qint64{0});

        // The same registration in a new request (a new nonce): still a replay.
        EXPECT_REFUSAL(rawB.sendSigned(*akma, "POST", "/v1/dt/register", body), 409,
                       "registration-replayed");
        // Reads are not recorded: a signed GET repeated is a replay.
        const RawHeaders signedGet{{"Authorization", akmaAuthorization(*akma, "GET", "/v1/dt", {})}};
        QCOMPARE(rawA.send("GET", QStringLiteral("/v1/dt"), {}, {}, signedGet).status, 200);
        EXPECT_REFUSAL(rawB.send("GET", QStringLiteral("/v1/dt"), {}, {}, signedGet), 409,
                       "request-replayed");
        QVERIFY(a.running());
        QVERIFY(b.running());
    }

    // The real client behind a round-robin balancer: the answer to its registration is lost
    // (the balancer closes the connection as the instance answers). The client sends the same
    // request again, reaches the other instance, and gets the credential the first one issued:
    // one DT, and nothing for the owner to repair.
    void aLostAnswerIsRecoveredByTheClientsRetry() {
        HomenetServer a;
        QVERIFY(a.start(noRateLimit()));
        HomenetServer b;
        QVERIFY(b.startAlongside(a, noRateLimit()));
        TcpBalancer balancer({a.port(), b.port()});
        TestSubscriber s = addTestSubscriber(a, QStringLiteral("s.usim"), 7004);
        UsimProfileData viaBalancer = s.profile;
        viaBalancer.serviceUrl = "https://localhost:" + std::to_string(balancer.port());
        s.client = std::make_unique<netclient::ServiceClient>(viaBalancer, s.path);
        QVERIFY(authenticate(*s.client).ok());

        const Bytes manifest =
            signedManifest(avatarCopy(a.scratch(QStringLiteral("pkg")), 3), s.holder);
        // Only the registration carries the whole signed manifest.
        balancer.loseNextAnswer(qint64(manifest.size()));
        auto reg = registerDt(s, manifest);
        QVERIFY2(reg.ok(), reg.ok() ? "" : reg.error().describe().c_str());
        QCOMPARE(balancer.answersLost(), 1);
        QCOMPARE(countInDatabase(a, QStringLiteral("SELECT COUNT(*) FROM dts WHERE supi = ?"),
                                 QString::fromStdString(s.profile.supi.toString())),
                 qint64{1});
        // The credential the client holds is the one the service holds, included in the log.
        auto listed = await<std::vector<netclient::DtRecord>>(
            [&](auto cb) { s.client->listDts(std::move(cb)); });
        QVERIFY(listed.ok());
        QCOMPARE(listed->size(), std::size_t{1});
        QVERIFY(listed->front().credential == reg->credentialBytes);
    }

    // A wave of registrations through the balancer, and one instance SIGKILLed while it is
    // answering them: every client's registration completes (its retry reaches the instance
    // left), each subscriber holds exactly the DT its client holds, and the log has one entry
    // per registration, nothing half-written.
    void registrationsSurviveAnInstanceKilledMidWave() {
        constexpr int kSubscribers = 8;
        HomenetServer a;
        QVERIFY(a.start(noRateLimit()));
        HomenetServer b;
        QVERIFY(b.startAlongside(a, noRateLimit()));
        TcpBalancer balancer({a.port(), b.port()});
        std::vector<TestSubscriber> subscribers;
        std::vector<Bytes> manifests;
        for (int i = 0; i < kSubscribers; ++i) {
            TestSubscriber s =
                addTestSubscriber(a, QStringLiteral("s%1.usim").arg(i), 7100 + i);
            UsimProfileData viaBalancer = s.profile;
            viaBalancer.serviceUrl = "https://localhost:" + std::to_string(balancer.port());
            s.client = std::make_unique<netclient::ServiceClient>(viaBalancer, s.path);
            QVERIFY(authenticate(*s.client).ok());
            manifests.push_back(signedManifest(
                avatarCopy(a.scratch(QStringLiteral("pkg%1").arg(i)), 10 + i), s.holder));
            subscribers.push_back(std::move(s));
        }
        const qint64 logBefore = countInDatabase(
            a, QStringLiteral("SELECT COUNT(*) FROM log_entries WHERE idx >= ?"), 0);

        std::vector<std::optional<netclient::ClientResult<netclient::Registration>>> results(
            kSubscribers);
        int answered = 0;
        QEventLoop loop;
        for (int i = 0; i < kSubscribers; ++i)
            subscribers[i].client->registerDt(
                subscribers[i].holder, manifests[i],
                [&, i](netclient::ClientResult<netclient::Registration> r) {
                    results[i].emplace(std::move(r));
                    if (++answered == 1)
                        b.kill(); // mid-wave: the others are on their way or being answered
                    if (answered == kSubscribers)
                        loop.quit();
                });
        QTimer::singleShot(120000, &loop, &QEventLoop::quit);
        loop.exec();
        QCOMPARE(answered, kSubscribers);
        QVERIFY(!b.running());

        for (int i = 0; i < kSubscribers; ++i) {
            const auto& r = *results[i];
            QVERIFY2(r.ok(), qPrintable(QStringLiteral("subscriber %1: %2")
                                            .arg(i)
                                            .arg(QString::fromStdString(
                                                r.ok() ? std::string() : r.error().describe()))));
            auto listed = await<std::vector<netclient::DtRecord>>(
                [&](auto cb) { subscribers[i].client->listDts(std::move(cb)); });
            QVERIFY(listed.ok());
            QCOMPARE(listed->size(), std::size_t{1});
            QVERIFY(listed->front().credential == r->credentialBytes);
        }
        QCOMPARE(countInDatabase(
                     a, QStringLiteral("SELECT COUNT(*) FROM log_entries WHERE idx >= ?"), 0),
                 logBefore + kSubscribers);
        // The instance left starts again: it verifies every stored log entry against its leaf
        // hash before serving.
        QVERIFY(a.restart(noRateLimit()));
    }
};

// Another session holds the write lock and hangs (an instance stuck mid-transaction, an
// operator's forgotten psql): requests that write fail after the lock timeout with 503
// storage-unavailable and change nothing, instead of stalling every instance; reads are
// answered meanwhile, and writes go through again once the lock is released.
void ScaleOutTest::hungLockHolderFailsWritesInsteadOfStalling() {
    HomenetServer a;
    const QString ini = writeServiceIni(a, "database-lock-timeout = 1\n");
    QVERIFY(a.start(noRateLimit() + QStringList{QStringLiteral("--config"), ini}));
    TestSubscriber s = addTestSubscriber(a, QStringLiteral("s.usim"), 7002);
    RawClient raw(a);
    // A signed registration whose first attempt meets the hung lock.
    UsimProfileData ue = s.profile;
    const AkmaSession akma = akmaLogin(raw, ue);
    const QByteArray body = registrationBody(
        akma, s.holder, signedManifest(avatarCopy(a.scratch(QStringLiteral("pkg")), 2), s.holder));
    const RawHeaders signedOnce{
        {"Authorization", akmaAuthorization(akma, "POST", "/v1/dt/register", body)}};

    bool held = false;
    QVERIFY(a.withDatabase([&](QSqlDatabase& db) {
        QSqlQuery q(db);
        held = HomenetServer::usePostgres()
                   ? q.exec(QStringLiteral("BEGIN")) &&
                         q.exec(QStringLiteral("SELECT pg_advisory_xact_lock(7425711)"))
                   : q.exec(QStringLiteral("BEGIN IMMEDIATE"));
        if (!held)
            return;
        // An authentication writes (its challenge): refused after the configured second, well
        // before the 10 s SQLite would otherwise wait (PostgreSQL: for ever).
        auto refused = await<netclient::AuthSession>([&](auto cb) { s.client->authenticate(std::move(cb)); },
                                                     8000);
        QVERIFY(!refused.ok());
        QCOMPARE(QString::fromStdString(refused.error().code), QStringLiteral("storage-unavailable"));
        // So does the registration, and nothing of it is kept.
        EXPECT_REFUSAL(raw.send("POST", QStringLiteral("/v1/dt/register"), body,
                                "application/x-protobuf", signedOnce),
                       503, "storage-unavailable");
        // Reads go on.
        QCOMPARE(raw.send("GET", QStringLiteral("/v1/log/head")).status, 200);
        QVERIFY(q.exec(QStringLiteral("ROLLBACK")));
    }));
    QVERIFY(held);
    QVERIFY(authenticate(*s.client).ok());
    // The client's retry of the same request, once the lock is free: it runs, not a replay.
    QCOMPARE(raw.send("POST", QStringLiteral("/v1/dt/register"), body, "application/x-protobuf",
                      signedOnce)
                 .status,
             200);
    QVERIFY(a.pollLog().contains("storage-error"));
    QVERIFY(a.running());
}

TWINSEAL_TEST(ScaleOutTest, "scale-out")
} // namespace test_scale_out
} // namespace

#include "test_scale_out.moc"
