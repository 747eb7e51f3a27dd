// twinseal-homenet under load: requests per second and latency percentiles under many concurrent
// TLS 1.3 keep-alive clients, for the signed status-list fetch (GET /v1/status) and for the full
// registration flow (auth/start, auth/finish, dt/register), on SQLite and on PostgreSQL.
//
// The real twinseal-homenet executable serves a scratch data directory; subscribers are
// provisioned in-process through the service library beforehand. The load generator is this
// process's own Qt event loop: one QSslSocket per client connection, HTTP/1.1 written and parsed
// here (QNetworkAccessManager would cap the connections per host at 6). Figures are printed,
// never asserted. Targets (2-core machine): >= 3,000 status fetches/s, >= 150 registrations/s,
// p99 < 50 ms.
//
// With --instances 2, two `serve` instances share the data directory and database (as behind a
// load balancer) and the connections alternate between them; a third phase then measures the
// read latency (GET /v1/log/head) on each instance while a session of this process holds the
// database's write lock and instance 2 has a write waiting for it.
//
// Options: --seconds S (measured, default 5), --warmup S (default 1), --connections N (64),
//          --subscribers N (default: sized for the registration phase),
//          --backend all|sqlite|postgresql (default all), --instances 1|2 (default 1).
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTimer>
#include <QUuid>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <csignal>
#include <sys/prctl.h>
#include <unistd.h>

#include <twinseal/proto/homenet.pb.h>
#include <twinseal/security/aka.h>
#include <twinseal/security/crypto.h>
#include <twinseal/security/manifest.h>
#include <twinseal/security/merkle.h>
#include <twinseal/security/milenage.h>
#include <twinseal/security/registration.h>
#include <twinseal/security/request_auth.h>
#include <twinseal/security/statuslist.h>
#include <twinseal/security/subscriber.h>
#include <twinseal/security/suci.h>
#include <twinseal/service/service_runner.h>

namespace sec = twinseal::security;
namespace svc = twinseal::service;
namespace proto = twinseal::proto;

namespace {

constexpr const char* kPassphrase = "bench-homenet-passphrase";
constexpr double kTargetStatusPerSec = 3000;
constexpr double kTargetRegistrationsPerSec = 150;
constexpr double kTargetP99Ms = 50;

struct Options {
    double seconds = 5;
    double warmup = 1;
    int connections = 64;
    int subscribers = 0; // 0: sized automatically
    QString backend = QStringLiteral("all");
    int instances = 1;
};

// The benchmark's clock, started by main().
QElapsedTimer& benchClock() {
    static QElapsedTimer clock;
    return clock;
}
qint64 nowNs() { return benchClock().nsecsElapsed(); }

// printf, flushed so that progress shows while a phase runs. A macro, not a C variadic function
// (cert-dcl50-cpp), that keeps the compiler's format checking.
#define SAY(...) (static_cast<void>(std::printf(__VA_ARGS__)), static_cast<void>(std::fflush(stdout)))

// What die() must undo: std::_Exit runs no destructors.
QProcess* g_serviceProcess = nullptr;
QTemporaryDir* g_scratch = nullptr;
QString g_pgDatabase;

void dropBenchDatabase() {
    if (g_pgDatabase.isEmpty())
        return;
    QSqlQuery q(QSqlDatabase::database(QStringLiteral("bench-pg-admin")));
    if (!q.exec(QStringLiteral("DROP DATABASE IF EXISTS ") + g_pgDatabase +
                QStringLiteral(" WITH (FORCE)")))
        (void)std::fprintf(stderr, "bench_homenet: could not drop %s: %s\n", qPrintable(g_pgDatabase),
                     qPrintable(q.lastError().text()));
    g_pgDatabase.clear();
}

[[noreturn]] void die(const std::string& what) {
    (void)std::fprintf(stderr, "bench_homenet: %s\n", what.c_str());
    if (g_serviceProcess) {
        g_serviceProcess->kill();
        g_serviceProcess->waitForFinished(5000);
    }
    if (g_scratch)
        g_scratch->remove();
    dropBenchDatabase();
    (void)std::fflush(nullptr);
    std::_Exit(1); // at once: exit() would run static destructors while other threads run
}

template <typename T> T must(sec::Result<T>&& r, const char* what) {
    if (!r.ok())
        die(std::string(what) + ": " + r.error().message());
    return std::move(r).value();
}

// ---- CPU accounting ---------------------------------------------------------------------------

// utime + stime of a process in seconds (/proc/<pid>/stat fields 14 and 15); -1 if unreadable.
double processCpuSeconds(qint64 pid) {
    QFile f(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    const QByteArray line = f.readAll();
    const qsizetype close = line.lastIndexOf(')');
    if (close < 0)
        return -1;
    const QList<QByteArray> fields = line.mid(close + 2).split(' ');
    if (fields.size() < 13)
        return -1;
    static const double ticks = double(::sysconf(_SC_CLK_TCK));
    return double(fields[11].toLongLong() + fields[12].toLongLong()) / ticks;
}

// Time the process's threads spent runnable but waiting for a CPU (/proc/<pid>/task/*/schedstat,
// second field, ns), in seconds: how much other load on the machine delayed it.
double runQueueWaitSeconds(qint64 pid) {
    double total = 0;
    const QDir tasks(QStringLiteral("/proc/%1/task").arg(pid));
    for (const QString& t : tasks.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        QFile f(tasks.filePath(t + QStringLiteral("/schedstat")));
        if (!f.open(QIODevice::ReadOnly))
            continue;
        const QList<QByteArray> v = f.readAll().simplified().split(' ');
        if (v.size() >= 2)
            total += v[1].toDouble() / 1e9;
    }
    return total;
}

struct MachineCpu {
    double busy = 0, total = 0; // jiffies over all cores
};
MachineCpu machineCpu() {
    QFile f(QStringLiteral("/proc/stat"));
    MachineCpu m;
    if (!f.open(QIODevice::ReadOnly))
        return m;
    const QList<QByteArray> v = f.readLine().simplified().split(' ');
    // cpu user nice system idle iowait irq softirq steal
    for (int i = 1; i < v.size() && i <= 8; ++i) {
        const double x = v[i].toDouble();
        m.total += x;
        if (i != 4 && i != 5)
            m.busy += x;
    }
    return m;
}

struct CpuSample {
    qint64 atNs = 0;
    double service = 0, generator = 0, database = 0;
    double serviceWait = 0, generatorWait = 0; // run-queue waits
    MachineCpu machine;
};

// ---- latency statistics -----------------------------------------------------------------------

struct Latencies {
    std::vector<double> ms;
    void add(qint64 ns) { ms.push_back(double(ns) / 1e6); }
    [[nodiscard]] double percentile(double q) {
        if (ms.empty())
            return 0;
        std::sort(ms.begin(), ms.end());
        const auto n = ms.size();
        auto rank = static_cast<std::size_t>(std::ceil(q * double(n)));
        rank = std::clamp<std::size_t>(rank, 1, n);
        return ms[rank - 1];
    }
    [[nodiscard]] double max() { return ms.empty() ? 0 : *std::max_element(ms.begin(), ms.end()); }
};

// ---- a minimal HTTP/1.1 keep-alive client over QSslSocket ---------------------------------------

struct Response {
    int status = 0;          // 0: transport failure (see error)
    QByteArray body;
    QByteArray contentType;
    QByteArray error;        // transport failure or the ErrorResponse code of a 4xx/5xx
    qint64 latencyNs = 0;    // request written -> whole response read
};

QByteArray httpRequest(const char* method, const QByteArray& path, const QByteArray& host,
                       const QByteArray& body = {}, const QByteArray& authorization = {}) {
    QByteArray r;
    r.reserve(256 + body.size());
    r += method;
    r += ' ';
    r += path;
    r += " HTTP/1.1\r\nHost: ";
    r += host;
    r += "\r\nAccept: application/x-protobuf\r\n";
    if (std::string_view(method) != "GET") {
        r += "Content-Type: application/x-protobuf\r\nContent-Length: ";
        r += QByteArray::number(body.size());
        r += "\r\n";
    }
    if (!authorization.isEmpty()) {
        r += "Authorization: ";
        r += authorization;
        r += "\r\n";
    }
    r += "\r\n";
    r += body;
    return r;
}

class HttpConnection {
public:
    using Done = std::function<void(const Response&)>;

    HttpConnection(const QSslConfiguration& tls, quint16 port) : m_tls(tls), m_port(port) {}
    ~HttpConnection() { drop(); }
    HttpConnection(const HttpConnection&) = delete;
    HttpConnection& operator=(const HttpConnection&) = delete;

    // Sends one request (never more than one outstanding); `done` runs with the response.
    void send(QByteArray request, Done done) {
        m_request = std::move(request);
        m_done = std::move(done);
        if (m_sock && m_sock->state() == QAbstractSocket::ConnectedState && m_sock->isEncrypted())
            transmit();
        else if (!m_sock || m_sock->state() == QAbstractSocket::UnconnectedState ||
                 m_sock->state() == QAbstractSocket::ClosingState)
            open();
        // else: connecting or handshaking; encrypted() transmits.
    }
    // Opens the TLS connection ahead of the first request; `ready` runs once encrypted.
    void connectNow(std::function<void(bool)> ready) {
        m_ready = std::move(ready);
        open();
    }
    [[nodiscard]] int connects() const { return m_connects; }
    // Gives up on the connection without calling back (the phase is being torn down).
    void abort() {
        m_done = nullptr;
        m_ready = nullptr;
        drop();
    }

private:
    void open() {
        drop();
        m_sock = std::make_unique<QSslSocket>();
        QSslSocket* s = m_sock.get();
        s->setSslConfiguration(m_tls);
        QObject::connect(s, &QSslSocket::encrypted, s, [this, s] {
            if (s != m_sock.get())
                return;
            s->setSocketOption(QAbstractSocket::LowDelayOption, 1);
            if (m_ready)
                std::exchange(m_ready, nullptr)(true);
            if (m_done)
                transmit();
        });
        QObject::connect(s, &QSslSocket::readyRead, s, [this, s] {
            if (s == m_sock.get())
                onReadyRead();
        });
        QObject::connect(s, &QSslSocket::sslErrors, s, [this, s](const QList<QSslError>& errors) {
            if (s != m_sock.get())
                return;
            QByteArray why = "TLS: ";
            for (const auto& e : errors)
                why += e.errorString().toUtf8() + "; ";
            fail(why);
        });
        QObject::connect(s, &QSslSocket::errorOccurred, s, [this, s](QAbstractSocket::SocketError) {
            if (s != m_sock.get())
                return;
            if (m_done || m_ready)
                fail("socket: " + s->errorString().toUtf8());
            else
                drop(); // the server closed an idle keep-alive connection: reconnect on demand
        });
        QObject::connect(s, &QSslSocket::disconnected, s, [this, s] {
            if (s != m_sock.get())
                return;
            if (m_done || m_ready)
                fail("connection closed before the response");
            else
                drop();
        });
        ++m_connects;
        s->connectToHostEncrypted(QStringLiteral("127.0.0.1"), m_port, QStringLiteral("localhost"));
    }

    void drop() {
        if (!m_sock)
            return;
        QSslSocket* s = m_sock.release();
        QObject::disconnect(s, nullptr, s, nullptr); // the lambdas above, nothing else
        s->abort();
        s->deleteLater();
        resetParser();
    }

    void resetParser() {
        m_buf.clear();
        m_headerEnd = -1;
        m_contentLength = -1;
        m_status = 0;
        m_close = false;
        m_contentType.clear();
    }

    void transmit() {
        resetParser();
        m_sentNs = nowNs();
        m_sock->write(m_request);
    }

    void fail(const QByteArray& why) {
        Response r;
        r.error = why;
        if (m_ready)
            std::exchange(m_ready, nullptr)(false);
        drop();
        if (!m_done)
            return;
        // Delivered from the event loop: the caller may send the next request at once.
        QTimer::singleShot(0, QCoreApplication::instance(),
                           [d = std::exchange(m_done, nullptr), r] { d(r); });
    }

    void onReadyRead() {
        m_buf += m_sock->readAll();
        if (!m_done) {
            if (!m_buf.isEmpty())
                fail("unexpected bytes from the server");
            return;
        }
        if (m_headerEnd < 0) {
            const qsizetype end = m_buf.indexOf("\r\n\r\n");
            if (end < 0) {
                if (m_buf.size() > 64LL * 1024)
                    fail("response headers too large");
                return;
            }
            const QList<QByteArray> lines = m_buf.left(end).split('\n');
            const QList<QByteArray> statusLine = lines.first().trimmed().split(' ');
            if (statusLine.size() < 2 || !statusLine[0].startsWith("HTTP/1."))
                return fail("malformed status line");
            m_status = statusLine[1].toInt();
            for (qsizetype i = 1; i < lines.size(); ++i) {
                const qsizetype colon = lines[i].indexOf(':');
                if (colon < 0)
                    continue;
                const QByteArray name = lines[i].left(colon).trimmed().toLower();
                const QByteArray value = lines[i].mid(colon + 1).trimmed();
                if (name == "content-length")
                    m_contentLength = value.toLongLong();
                else if (name == "connection" && value.toLower() == "close")
                    m_close = true;
                else if (name == "content-type")
                    m_contentType = value;
                else if (name == "transfer-encoding")
                    return fail("unexpected Transfer-Encoding in the response");
            }
            if (m_contentLength < 0)
                return fail("response without Content-Length");
            m_headerEnd = end + 4;
        }
        if (m_buf.size() - m_headerEnd < m_contentLength)
            return;
        Response r;
        r.latencyNs = nowNs() - m_sentNs;
        r.status = m_status;
        r.contentType = m_contentType;
        r.body = m_buf.mid(m_headerEnd, m_contentLength);
        if (m_buf.size() - m_headerEnd > m_contentLength)
            return fail("bytes after the response body");
        if (r.status >= 400) {
            proto::ErrorResponse er;
            r.error = er.ParseFromArray(r.body.constData(), int(r.body.size())) && !er.code().empty()
                          ? QByteArray::fromStdString(er.code())
                          : "http-" + QByteArray::number(r.status);
        }
        if (m_close)
            drop();
        else
            resetParser();
        std::exchange(m_done, nullptr)(r);
    }

    QSslConfiguration m_tls;
    quint16 m_port;
    std::unique_ptr<QSslSocket> m_sock;
    QByteArray m_request;
    Done m_done;
    std::function<void(bool)> m_ready;
    qint64 m_sentNs = 0;
    int m_connects = 0;
    QByteArray m_buf;
    qsizetype m_headerEnd = -1;
    qint64 m_contentLength = -1;
    int m_status = 0;
    bool m_close = false;
    QByteArray m_contentType;
};

// ---- the service under test -------------------------------------------------------------------

struct Backend {
    QString name;     // "SQLite" / "PostgreSQL"
    QString database; // --database URL, empty for SQLite
    QString pgName;   // PostgreSQL database name, for the backend's CPU time
};

// A provisioned subscriber with everything the UE side can prepare before the clock runs.
struct Subscriber {
    sec::UsimProfileData profile;
    std::optional<sec::Milenage> milenage;
    std::string suci; // concealed ahead of time (one SUCI per authentication)
    sec::SigningKey holder;
    sec::Bytes signedManifest;
};

quint16 freePort() {
    QTcpServer s;
    if (!s.listen(QHostAddress::LocalHost, 0))
        return 0;
    return s.serverPort();
}

int runTool(const QStringList& args, QByteArray* output) {
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(QStringLiteral(TWINSEAL_HOMENET_PATH), args);
    if (!p.waitForFinished(120000))
        return -1;
    *output = p.readAll();
    return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
}

class Service {
public:
    Service() { g_serviceProcess = &m_proc; }
    ~Service() {
        stop();
        g_serviceProcess = nullptr;
    }
    Service(const Service&) = delete;
    Service& operator=(const Service&) = delete;
    bool start(const QStringList& common, quint16 port) {
        m_proc.setProcessChannelMode(QProcess::SeparateChannels);
        // Ends with this process even if it is killed (a ctest timeout, say).
        m_proc.setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGTERM); });
        QStringList args{QStringLiteral("serve"), QStringLiteral("--port"), QString::number(port),
                         QStringLiteral("--rate-limit"), QStringLiteral("0"),
                         QStringLiteral("--auth-start-per-minute"), QStringLiteral("0"),
                         QStringLiteral("--log-level"), QStringLiteral("warning")};
        m_proc.start(QStringLiteral(TWINSEAL_HOMENET_PATH), args + common);
        if (!m_proc.waitForStarted(10000))
            return false;
        // Ready when it logs "listening" -- which it does at log level info and below only, so
        // at warning level the port is probed as well.
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < 60000) {
            if (!m_proc.waitForReadyRead(100) && m_proc.state() != QProcess::Running)
                break;
            m_log += m_proc.readAllStandardError();
            bool ready = false;
            for (const QByteArray& line : m_log.split('\n')) {
                const QJsonObject o = QJsonDocument::fromJson(line).object();
                if (o.value(QStringLiteral("event")).toString() == QLatin1String("listening"))
                    ready = true;
            }
            if (!ready) {
                QTcpSocket probe;
                probe.connectToHost(QHostAddress::LocalHost, port);
                ready = probe.waitForConnected(200);
                probe.abort();
            }
            if (ready) {
                m_log.clear();
                QObject::connect(&m_proc, &QProcess::readyReadStandardError, &m_proc,
                                 [this] { m_log += m_proc.readAllStandardError(); });
                return true;
            }
        }
        m_log += m_proc.readAllStandardError();
        (void)std::fprintf(stderr, "twinseal-homenet did not start:\n%s\n", m_log.constData());
        return false;
    }
    [[nodiscard]] qint64 pid() const { return m_proc.processId(); }
    [[nodiscard]] bool running() const { return m_proc.state() == QProcess::Running; }
    // Everything it logged (warning level and above) since it was ready.
    QByteArray takeLog() {
        m_log += m_proc.readAllStandardError();
        return std::exchange(m_log, {});
    }
    int stop() {
        if (m_proc.state() == QProcess::NotRunning)
            return m_proc.exitCode();
        m_proc.terminate();
        if (!m_proc.waitForFinished(20000)) {
            m_proc.kill();
            m_proc.waitForFinished(5000);
            return -1;
        }
        m_log += m_proc.readAllStandardError();
        return m_proc.exitStatus() == QProcess::NormalExit ? m_proc.exitCode() : -1;
    }

private:
    QProcess m_proc;
    QByteArray m_log;
};

// ---- the phases -------------------------------------------------------------------------------

struct PhaseResult {
    QString title;
    QString unit;           // "requests" or "flows"
    double target = 0;      // per second
    qint64 completed = 0;   // successes finished inside the measured window
    qint64 errors = 0;      // failures finished inside the measured window
    qint64 warmupErrors = 0;
    double windowSec = 0;
    Latencies latency;      // per request (phase A) or per flow (phase B)
    std::map<QString, Latencies> perRequest;
    Latencies allRequests;  // phase B: every request of the counted flows
    QStringList order;      // of perRequest
    std::map<QByteArray, int> errorCodes;
    CpuSample cpuStart, cpuEnd;
    QString note;
};

class Phase {
public:
    Phase(std::vector<std::unique_ptr<HttpConnection>>& conns, const Options& o, qint64 servicePid,
          std::vector<qint64> dbPids)
        : m_conns(conns), m_opt(o), m_servicePid(servicePid), m_dbPids(std::move(dbPids)) {}

    CpuSample sample() const {
        CpuSample s;
        s.atNs = nowNs();
        s.service = processCpuSeconds(m_servicePid);
        s.generator = processCpuSeconds(::getpid());
        s.serviceWait = runQueueWaitSeconds(m_servicePid);
        s.generatorWait = runQueueWaitSeconds(::getpid());
        for (qint64 p : m_dbPids) {
            const double c = processCpuSeconds(p);
            if (c >= 0)
                s.database += c;
        }
        s.machine = machineCpu();
        return s;
    }

    // Runs `step(connection index)` on every connection; each step issues requests and calls
    // finished(i) when that connection has nothing more to do.
    void run(PhaseResult& result, const std::function<void(std::size_t)>& step) {
        m_result = &result;
        m_start = nowNs();
        m_measureStart = m_start + qint64(m_opt.warmup * 1e9);
        m_end = m_measureStart + qint64(m_opt.seconds * 1e9);
        m_active = m_conns.size();
        m_lastCompletion = 0;
        QEventLoop loop;
        m_loop = &loop;
        QTimer::singleShot(int(m_opt.warmup * 1000), &loop, [&] { result.cpuStart = sample(); });
        QTimer::singleShot(int((m_opt.warmup + m_opt.seconds) * 1000), &loop, [&] {
            if (!m_endSampled) {
                result.cpuEnd = sample();
                m_endSampled = true;
            }
        });
        QTimer::singleShot(int((m_opt.warmup + m_opt.seconds) * 1000) + 60000, &loop, [&] {
            result.note += QStringLiteral(" watchdog: requests still outstanding 60 s after the "
                                          "end were aborted;");
            for (auto& c : m_conns)
                c->abort();
            loop.quit();
        });
        for (std::size_t i = 0; i < m_conns.size(); ++i)
            step(i);
        if (m_active > 0)
            loop.exec();
        m_loop = nullptr;
        const qint64 windowEnd = m_exhausted ? std::min(m_end, m_lastCompletion) : m_end;
        result.windowSec = std::max(0.0, double(windowEnd - m_measureStart) / 1e9);
        if (!m_endSampled) {
            result.cpuEnd = sample();
            m_endSampled = true;
        }
        if (result.cpuStart.atNs == 0)
            result.cpuStart = result.cpuEnd; // ended before the warm-up did
    }

    [[nodiscard]] bool over() const { return nowNs() >= m_end; }
    [[nodiscard]] bool inWindow(qint64 t) const { return t >= m_measureStart && t <= m_end; }
    void completed(qint64 t) { m_lastCompletion = std::max(m_lastCompletion, t); }
    void exhausted() {
        if (!m_exhausted && !over()) {
            m_exhausted = true;
            m_result->cpuEnd = sample();
            m_endSampled = true;
        }
    }
    void finished() {
        if (--m_active == 0 && m_loop)
            m_loop->quit();
    }
    void recordError(const Response& r, qint64 t) {
        if (inWindow(t)) {
            ++m_result->errors;
            ++m_result->errorCodes[r.error.isEmpty() ? "http-" + QByteArray::number(r.status)
                                                     : r.error];
        } else if (t < m_measureStart) {
            ++m_result->warmupErrors;
            ++m_result->errorCodes["(warm-up) " + r.error];
        }
    }

private:
    std::vector<std::unique_ptr<HttpConnection>>& m_conns;
    const Options& m_opt;
    qint64 m_servicePid;
    std::vector<qint64> m_dbPids;
    PhaseResult* m_result = nullptr;
    QEventLoop* m_loop = nullptr;
    qint64 m_start = 0, m_measureStart = 0, m_end = 0, m_lastCompletion = 0;
    std::size_t m_active = 0;
    bool m_exhausted = false;
    bool m_endSampled = false;
};

// Phase A: every connection GETs /v1/status back to back.
PhaseResult statusPhase(std::vector<std::unique_ptr<HttpConnection>>& conns, const Options& o,
                        qint64 servicePid, const std::vector<qint64>& dbPids,
                        const QByteArray& host, const sec::PublicKey& issuerKey) {
    PhaseResult result;
    result.title = QStringLiteral("status fetch (GET /v1/status)");
    result.unit = QStringLiteral("requests");
    result.target = kTargetStatusPerSec;
    Phase phase(conns, o, servicePid, dbPids);
    const QByteArray request = httpRequest("GET", "/v1/status", host);
    bool verified = false;
    QObject retries; // context of delayed retries: they die with the phase
    std::function<void(std::size_t)> step = [&](std::size_t i) {
        if (phase.over())
            return phase.finished();
        conns[i]->send(request, [&, i](const Response& r) {
            const qint64 t = nowNs();
            if (r.status != 200) {
                phase.recordError(r, t);
                if (r.status == 0) // transport failure: do not spin
                    return (void)QTimer::singleShot(10, &retries, [&, i] { step(i); });
            } else {
                if (!verified) {
                    verified = true;
                    auto list = sec::parseSignedStatusList(sec::view(r.body.toStdString()),
                                                           issuerKey, sec::SystemClock::instance());
                    if (!list.ok())
                        die("the first status list does not verify: " + list.error().message());
                    SAY("  status list verified: %zu bytes, %llu statuses, sequence %llu, "
                        "issuer \"%s\"\n",
                        std::size_t(r.body.size()),
                        static_cast<unsigned long long>(list->info().size),
                        static_cast<unsigned long long>(list->info().sequence),
                        list->info().issuer.c_str());
                }
                if (phase.inWindow(t)) {
                    ++result.completed;
                    result.latency.add(r.latencyNs);
                }
            }
            step(i);
        });
    };
    phase.run(result, step);
    return result;
}

// Phase B: every connection takes fresh subscribers and runs auth/start, auth/finish and
// dt/register for each.
PhaseResult registerPhase(std::vector<std::unique_ptr<HttpConnection>>& conns, const Options& o,
                          qint64 servicePid, const std::vector<qint64>& dbPids,
                          const QByteArray& host, std::vector<Subscriber>& subscribers) {
    PhaseResult result;
    result.title = QStringLiteral("full registration (auth/start + auth/finish + dt/register)");
    result.unit = QStringLiteral("flows");
    result.target = kTargetRegistrationsPerSec;
    Phase phase(conns, o, servicePid, dbPids);
    std::size_t next = 0;
    std::size_t used = 0;
    sec::SystemRandom& rng = sec::SystemRandom::instance();
    const QString kStart = QStringLiteral("POST /v1/auth/start");
    const QString kFinish = QStringLiteral("POST /v1/auth/finish");
    const QString kRegister = QStringLiteral("POST /v1/dt/register");
    result.order = QStringList{kStart, kFinish, kRegister};

    struct Flow {
        Subscriber* sub = nullptr;
        qint64 startNs = 0;
        sec::SecureBytes kausf;
        std::vector<std::pair<const QString*, qint64>> requests;
    };
    std::vector<Flow> flows(conns.size());
    QObject retries; // context of delayed retries: they die with the phase

    std::function<void(std::size_t)> step;
    // Ends the flow of connection i: counts it, then starts the next one.
    auto endFlow = [&](std::size_t i, const Response* failure) {
        const qint64 t = nowNs();
        Flow& f = flows[i];
        if (failure) {
            phase.recordError(*failure, t);
        } else if (phase.inWindow(t)) {
            ++result.completed;
            result.latency.add(t - f.startNs);
            for (const auto& [name, ns] : f.requests) {
                result.perRequest[*name].add(ns);
                result.allRequests.add(ns);
            }
        }
        phase.completed(t);
        f = Flow{};
        if (failure && failure->status == 0)
            return (void)QTimer::singleShot(10, &retries, [&, i] { step(i); });
        step(i);
    };

    step = [&](std::size_t i) {
        if (phase.over())
            return phase.finished();
        if (next >= subscribers.size()) {
            phase.exhausted();
            return phase.finished();
        }
        Flow& f = flows[i];
        f.sub = &subscribers[next++];
        ++used;
        f.startNs = nowNs();
        proto::AuthStartRequest start;
        start.set_suci(f.sub->suci);
        conns[i]->send(
            httpRequest("POST", "/v1/auth/start", host,
                        QByteArray::fromStdString(start.SerializeAsString())),
            [&, i](const Response& r) {
                Flow& f = flows[i];
                proto::AuthChallenge c;
                if (r.status != 200)
                    return endFlow(i, &r);
                f.requests.emplace_back(&kStart, r.latencyNs);
                if (!c.ParseFromArray(r.body.constData(), int(r.body.size())))
                    die("auth/start answered something that is not an AuthChallenge");
                sec::UsimProfileData& p = f.sub->profile;
                auto out = sec::verifyChallenge(*f.sub->milenage, sec::view(c.rand()),
                                                sec::view(c.autn()), p.sqn,
                                                c.serving_network_name());
                if (!out.result.ok())
                    die("the USIM refused the challenge: " + out.result.error().message());
                p.sqn.accept(out.result->sqn);
                f.kausf = out.result->kausf;
                proto::AuthFinishRequest finish;
                finish.set_auth_id(c.auth_id());
                finish.set_res_star(sec::toString(out.result->resStar));
                conns[i]->send(
                    httpRequest("POST", "/v1/auth/finish", host,
                                QByteArray::fromStdString(finish.SerializeAsString())),
                    [&, i](const Response& r) {
                        Flow& f = flows[i];
                        proto::AuthResult authResult;
                        if (r.status != 200)
                            return endFlow(i, &r);
                        f.requests.emplace_back(&kFinish, r.latencyNs);
                        if (!authResult.ParseFromArray(r.body.constData(), int(r.body.size())))
                            die("auth/finish answered something that is not an AuthResult");
                        const sec::UsimProfileData& p = f.sub->profile;
                        auto akma = must(sec::deriveAkmaSession(f.kausf, p.supi,
                                                                p.routingIndicator),
                                         "AKMA session");
                        if (akma.aKid != authResult.a_kid())
                            die("the service's A-KID differs from the one the UE derives");
                        const std::int64_t now = sec::SystemClock::instance().now();
                        sec::RegistrationRequest req;
                        req.aKid = akma.aKid;
                        req.timestamp = now;
                        req.nonce = must(rng.bytes(16), "nonce");
                        req.holderKey = f.sub->holder.publicKey();
                        req.signedManifest = f.sub->signedManifest;
                        req.purpose = sec::RegistrationPurpose::Register;
                        const sec::Bytes envelope =
                            must(sec::signRegistration(req, f.sub->holder), "sign registration");
                        const QByteArray body(reinterpret_cast<const char*>(envelope.data()),
                                              qsizetype(envelope.size()));
                        auto auth = must(sec::authorizeRequest(akma.kaf, akma.aKid, "POST",
                                                               "/v1/dt/register", envelope, now,
                                                               rng),
                                         "authorize request");
                        conns[i]->send(
                            httpRequest("POST", "/v1/dt/register", host, body,
                                        QByteArray::fromStdString(auth.format())),
                            [&, i](const Response& r) {
                                proto::RegistrationResponse reg;
                                if (r.status != 200)
                                    return endFlow(i, &r);
                                flows[i].requests.emplace_back(&kRegister, r.latencyNs);
                                if (!reg.ParseFromArray(r.body.constData(), int(r.body.size())) ||
                                    reg.credential().empty() || !reg.has_log_receipt()) {
                                    Response bad = r;
                                    bad.error = "register-response-unusable";
                                    return endFlow(i, &bad);
                                }
                                endFlow(i, nullptr);
                            });
                    });
            });
    };
    phase.run(result, step);
    if (next >= subscribers.size() && result.windowSec < o.seconds - 0.05)
        result.note += QStringLiteral(" all %1 provisioned subscribers used after %2 s of the "
                                      "window (use --subscribers to provision more);")
                           .arg(subscribers.size())
                           .arg(result.windowSec, 0, 'f', 2);
    result.note += QStringLiteral(" %1 subscribers used (warm-up included);").arg(used);
    return result;
}

void printLatency(const char* label, Latencies& l, bool target) {
    const double p99 = l.percentile(0.99);
    SAY("    %-24s p50 %7.2f  p95 %7.2f  p99 %7.2f  max %7.2f  (%zu)", label, l.percentile(0.50),
        l.percentile(0.95), p99, l.max(), l.ms.size());
    if (target)
        SAY("  target p99 < %.0f ms: %s", kTargetP99Ms, p99 < kTargetP99Ms ? "met" : "NOT met");
    SAY("\n");
}

void printPhase(PhaseResult& r, int connections) {
    const bool flows = r.unit == QLatin1String("flows");
    const double rate = r.windowSec > 0 ? double(r.completed) / r.windowSec : 0;
    SAY("  %s\n", qPrintable(r.title));
    SAY("    %-24s %9.1f /s   target >= %.0f/s: %s\n",
        qPrintable(r.unit + QStringLiteral(" per second")), rate, r.target,
        rate >= r.target ? "met" : "NOT met");
    SAY("    %-24s %lld in %.2f s, errors %lld", qPrintable(r.unit + QStringLiteral(" completed")),
        static_cast<long long>(r.completed), r.windowSec, static_cast<long long>(r.errors));
    if (r.warmupErrors)
        SAY(" (+%lld in the warm-up)", static_cast<long long>(r.warmupErrors));
    SAY("\n");
    if (flows) {
        SAY("    latency ms, per request; the count in brackets:\n");
        printLatency("  all requests", r.allRequests, true);
        for (const QString& name : r.order)
            printLatency(qPrintable(QStringLiteral("  ") + name), r.perRequest[name], false);
        printLatency("  whole flow (3 requests)", r.latency, false);
        SAY("    (closed loop: %d flows in flight, so mean flow latency ~ %d / flows per second)\n",
            connections, connections);
    } else {
        SAY("    latency ms, per request; the count in brackets:\n");
        printLatency("  GET /v1/status", r.latency, true);
    }
    for (const auto& [code, n] : r.errorCodes)
        SAY("    error %-30s x%d\n", code.constData(), n);
    const double wall = double(r.cpuEnd.atNs - r.cpuStart.atNs) / 1e9;
    if (wall > 0) {
        const double service = r.cpuEnd.service - r.cpuStart.service;
        const double generator = r.cpuEnd.generator - r.cpuStart.generator;
        const double db = r.cpuEnd.database - r.cpuStart.database;
        const double machineTotal = r.cpuEnd.machine.total - r.cpuStart.machine.total;
        const double cores = double(::sysconf(_SC_NPROCESSORS_ONLN));
        const double busyCores =
            machineTotal > 0
                ? (r.cpuEnd.machine.busy - r.cpuStart.machine.busy) / machineTotal * cores
                : 0;
        const double perUnit = r.completed > 0 ? service / double(r.completed) * 1e6 : 0;
        SAY("    CPU time over %.2f s: service %.2f s = %.2f cores (%.0f us per %s), generator "
            "%.2f s = %.2f cores",
            wall, service, service / wall, perUnit, flows ? "flow" : "request", generator,
            generator / wall);
        if (db > 0)
            SAY(", PostgreSQL backend %.2f s = %.2f cores", db, db / wall);
        SAY(", everything else %.2f cores; machine %.2f of %.0f cores busy\n",
            std::max(0.0, busyCores - (service + generator + db) / wall), busyCores, cores);
        SAY("    runnable but waiting for a CPU: service %.2f s (%.0f%% of the window), "
            "generator %.2f s\n",
            r.cpuEnd.serviceWait - r.cpuStart.serviceWait,
            (r.cpuEnd.serviceWait - r.cpuStart.serviceWait) / wall * 100,
            r.cpuEnd.generatorWait - r.cpuStart.generatorWait);
    }
    if (!r.note.isEmpty())
        SAY("    note:%s\n", qPrintable(r.note));
}

// ---- one backend ------------------------------------------------------------------------------

struct BackendResult {
    QString name;
    std::vector<PhaseResult> phases;
    QString skipped;
};

// The sample avatar's manifest made an avatar of subscriber `n`'s own: the home network
// certifies a media root to one subscriber's active twin. One leaf of the metadata file differs
// (the bench uploads no chunks), and the file and package roots follow it.
sec::Manifest ownAvatar(sec::Manifest manifest, int n) {
    for (sec::ManifestFile& f : manifest.files) {
        if (f.path != manifest.metadataPath || f.chunkHashes.empty())
            continue;
        const std::string tag = "bench subscriber " + std::to_string(n);
        f.chunkHashes.front() = sec::sha256(sec::ByteView(
            reinterpret_cast<const std::uint8_t*>(tag.data()), tag.size()));
        f.root = sec::merkle::rootFromLeaves(f.chunkHashes);
    }
    manifest.packageRoot = sec::computePackageRoot(manifest.files, manifest.chunkSize);
    return manifest;
}

// Phase C (two instances): a session of this process takes the database's write lock (SQLite
// BEGIN IMMEDIATE, PostgreSQL the service's advisory lock) and holds it; instance 2 gets a write
// (auth/start) that waits for it; meanwhile one connection per instance reads GET /v1/log/head
// back to back. Prints each instance's read latency while the lock is held.
void lockHeldPhase(const Backend& b, const QString& dataDir, const QSslConfiguration& tls,
                   quint16 port1, quint16 port2, const QByteArray& host, const Subscriber& writer) {
    constexpr double kHoldSeconds = 3.0;
    SAY("  phase C: read latency while the write lock is held for %.0f s and instance 2 has a "
        "write waiting\n",
        kHoldSeconds);
    const QString connection = QStringLiteral("bench-lock-holder");
    bool held = false;
    {
        QSqlDatabase db = b.pgName.isEmpty() ? QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connection)
                                             : QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), connection);
        if (b.pgName.isEmpty()) {
            db.setDatabaseName(QDir(dataDir).filePath(QStringLiteral("homenet.sqlite")));
        } else {
            db.setHostName(QStringLiteral("/var/run/postgresql"));
            db.setDatabaseName(b.pgName);
        }
        std::optional<QSqlQuery> q;
        if (db.open()) {
            q.emplace(db);
            held = b.pgName.isEmpty()
                       ? q->exec(QStringLiteral("BEGIN IMMEDIATE"))
                       : q->exec(QStringLiteral("BEGIN")) &&
                             q->exec(QStringLiteral("SELECT pg_advisory_xact_lock(7425711)"));
        }
        if (!held) {
            SAY("    skipped: the write lock could not be taken (%s)\n",
                qPrintable(db.lastError().text().simplified()));
        } else {
            HttpConnection writeConn(tls, port2);
            HttpConnection read1(tls, port1);
            HttpConnection read2(tls, port2);
            Latencies lat1, lat2;
            int writeStatus = -1;
            qint64 writeNs = 0;
            const qint64 start = nowNs();
            const qint64 end = start + qint64(kHoldSeconds * 1e9);
            proto::AuthStartRequest r;
            r.set_suci(writer.suci);
            writeConn.send(httpRequest("POST", "/v1/auth/start", host,
                                       QByteArray::fromStdString(r.SerializeAsString())),
                           [&](const Response& resp) {
                               writeStatus = resp.status;
                               writeNs = resp.latencyNs;
                           });
            std::function<void(HttpConnection&, Latencies&)> readLoop =
                [&](HttpConnection& c, Latencies& l) {
                    if (nowNs() >= end)
                        return;
                    c.send(httpRequest("GET", "/v1/log/head", host), [&](const Response& resp) {
                        if (resp.status == 200)
                            l.add(resp.latencyNs);
                        readLoop(c, l);
                    });
                };
            readLoop(read1, lat1);
            readLoop(read2, lat2);
            QEventLoop loop;
            QTimer::singleShot(int(kHoldSeconds * 1000), &loop, &QEventLoop::quit);
            loop.exec();
            (void)q->exec(QStringLiteral("ROLLBACK"));
            // Let the waiting write and the last reads finish.
            while (writeStatus < 0 && nowNs() < end + qint64(6e9))
                QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 100);
            SAY("    instance 1: %5zu reads, p50 %8.2f ms, max %8.2f ms\n", lat1.ms.size(),
                lat1.percentile(0.5), lat1.max());
            SAY("    instance 2: %5zu reads, p50 %8.2f ms, max %8.2f ms (it waits for the lock in "
                "its one thread)\n",
                lat2.ms.size(), lat2.percentile(0.5), lat2.max());
            SAY("    instance 2's write: HTTP %d after %.0f ms\n", writeStatus, double(writeNs) / 1e6);
            read1.abort();
            read2.abort();
            writeConn.abort();
        }
        q.reset();
    }
    QSqlDatabase::removeDatabase(connection);
}

BackendResult runBackend(const Backend& b, const Options& o, const sec::Manifest& manifest) {
    BackendResult out;
    out.name = b.name;
    SAY("\n== %s ==\n", qPrintable(b.name));
    QTemporaryDir scratch;
    if (!scratch.isValid())
        die("cannot create a scratch directory");
    g_scratch = &scratch;
    struct Unregister {
        ~Unregister() { g_scratch = nullptr; }
    } unregister;
    const QString dataDir = scratch.filePath(QStringLiteral("data"));
    const QString passFile = scratch.filePath(QStringLiteral("passphrase"));
    {
        QFile pass(passFile);
        if (!pass.open(QIODevice::WriteOnly))
            die("cannot write the passphrase file");
        pass.write(kPassphrase);
        pass.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    }
    QStringList common{QStringLiteral("--data-dir"), dataDir, QStringLiteral("--passphrase-file"),
                       passFile};
    if (!b.database.isEmpty())
        common << QStringLiteral("--database") << b.database;
    QByteArray output;
    if (runTool(QStringList{QStringLiteral("init")} + common, &output) != 0)
        die("twinseal-homenet init failed: " + output.toStdString());
    const quint16 port = freePort();
    if (port == 0)
        die("no free port");

    // Provision the subscribers in-process, then close the store before the service opens it.
    std::vector<Subscriber> subscribers;
    // Enough for ~800 registrations/s over the warm-up and the window (more than two cores can
    // do here); the phase notes it if they run out early.
    const int count = o.subscribers > 0
                          ? o.subscribers
                          : std::max(o.connections * 12, int(std::ceil((o.warmup + o.seconds) * 800)));
    {
        QElapsedTimer t;
        t.start();
        svc::ServiceConfig config;
        config.dataDir = dataDir;
        config.database = b.database;
        config.port = port;
        svc::ServiceRunner runner;
        if (auto st = runner.open(config, kPassphrase); !st.ok())
            die("cannot open the service in-process: " + st.error().code + ": " + st.error().message);
        subscribers.reserve(std::size_t(count));
        for (int i = 0; i < count; ++i) {
            svc::SubscriberProfileRequest r;
            r.supi = QStringLiteral("imsi-00101%1").arg(i + 1, 10, 10, QLatin1Char('0'));
            r.name = QStringLiteral("Bench Subscriber %1").arg(i + 1);
            r.role = QStringLiteral("surgeon");
            r.organisation = QStringLiteral("Bench Hospital");
            auto profile = runner.service().addSubscriber(r);
            if (!profile.ok())
                die("addSubscriber: " + profile.error().code + ": " + profile.error().message);
            Subscriber s;
            s.profile = std::move(profile).value();
            subscribers.push_back(std::move(s));
        }
        const double provisionSec = double(t.nsecsElapsed()) / 1e9;
        runner.stop();
        // UE and holder side, prepared before the clock runs: SUCI, MILENAGE, holder key and the
        // holder-signed manifest of the subscriber's own variant of the sample avatar.
        t.restart();
        int n = 0;
        for (Subscriber& s : subscribers) {
            s.milenage.emplace(must(sec::Milenage::create(s.profile.k, s.profile.opc), "milenage"));
            s.suci = must(sec::concealSupi(s.profile.supi, s.profile.routingIndicator,
                                           sec::SuciProtectionScheme::ProfileA, s.profile.hnKeyId,
                                           s.profile.hnPublicKey, sec::SystemRandom::instance()),
                          "conceal SUPI")
                         .toString();
            s.holder = must(sec::SigningKey::generate(sec::KeyAlgorithm::Ed25519), "holder key");
            s.signedManifest =
                must(sec::signManifest(ownAvatar(manifest, ++n), s.holder), "sign manifest");
        }
        SAY("  %d subscribers provisioned in %.2f s (in-process addSubscriber, %.2f ms each); "
            "SUCIs, holder keys and signed manifests prepared in %.2f s\n",
            count, provisionSec, provisionSec * 1000 / count, double(t.nsecsElapsed()) / 1e9);
    }

    Service service;
    if (!service.start(common, port))
        die("twinseal-homenet serve did not start");
    // A second instance on the same data directory and database, as behind a load balancer.
    Service second;
    const quint16 port2 = o.instances > 1 ? freePort() : 0;
    if (o.instances > 1 && (port2 == 0 || !second.start(common, port2)))
        die("the second twinseal-homenet serve did not start");
    std::vector<qint64> dbPids;
    if (!b.pgName.isEmpty()) {
        QSqlQuery q(QSqlDatabase::database(QStringLiteral("bench-pg-admin")));
        if (q.exec(QStringLiteral("SELECT pid FROM pg_stat_activity WHERE datname = '%1'")
                       .arg(b.pgName)))
            while (q.next())
                dbPids.push_back(q.value(0).toLongLong());
        if (dbPids.empty() || processCpuSeconds(dbPids.front()) < 0)
            SAY("  (the PostgreSQL backend's CPU time is not readable; only the service's is shown)\n");
    }
    SAY("  twinseal-homenet serve pid %lld on 127.0.0.1:%u (--rate-limit 0 --log-level warning)\n",
        static_cast<long long>(service.pid()), unsigned(port));
    if (o.instances > 1)
        SAY("  a second instance, pid %lld on 127.0.0.1:%u, on the same database; the connections "
            "alternate between the two (service CPU: the first instance's only)\n",
            static_cast<long long>(second.pid()), unsigned(port2));

    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    tls.setCaCertificates(QSslCertificate::fromPath(QDir(dataDir).filePath(QStringLiteral("keys/tls-ca.pem"))));
    if (tls.caCertificates().isEmpty())
        die("cannot read keys/tls-ca.pem");
    tls.setProtocol(QSsl::TlsV1_3OrLater);
    tls.setPeerVerifyMode(QSslSocket::VerifyPeer);
    const QByteArray host = "localhost:" + QByteArray::number(port);

    std::vector<std::unique_ptr<HttpConnection>> conns;
    {
        QEventLoop loop;
        int pending = o.connections, failed = 0;
        QElapsedTimer t;
        t.start();
        for (int i = 0; i < o.connections; ++i) {
            conns.push_back(std::make_unique<HttpConnection>(tls, i % 2 == 1 && port2 != 0 ? port2 : port));
            conns.back()->connectNow([&](bool ok) {
                failed += ok ? 0 : 1;
                if (--pending == 0)
                    loop.quit();
            });
        }
        QTimer::singleShot(60000, &loop, &QEventLoop::quit);
        if (pending > 0)
            loop.exec();
        if (pending > 0 || failed > 0)
            die("TLS connections failed: " + std::to_string(failed) + " failed, " +
                std::to_string(pending) + " pending");
        SAY("  %d TLS 1.3 connections open in %.0f ms\n", o.connections,
            double(t.nsecsElapsed()) / 1e6);
    }

    SAY("  phase A: %.1f s warm-up, %.1f s measured\n", o.warmup, o.seconds);
    out.phases.push_back(statusPhase(conns, o, service.pid(), dbPids, host,
                                     subscribers.front().profile.statusListKey));
    printPhase(out.phases.back(), o.connections);
    SAY("  phase B: %.1f s warm-up, %.1f s measured\n", o.warmup, o.seconds);
    out.phases.push_back(registerPhase(conns, o, service.pid(), dbPids, host, subscribers));
    printPhase(out.phases.back(), o.connections);
    if (o.instances > 1)
        lockHeldPhase(b, dataDir, tls, port, port2, host, subscribers.back());

    int reconnects = 0;
    for (auto& c : conns)
        reconnects += c->connects() - 1;
    if (reconnects > 0)
        SAY("  note: %d reconnections (the service closed keep-alive connections)\n", reconnects);
    conns.clear();
    if (o.instances > 1 && second.stop() != 0)
        SAY("  note: the second instance did not stop cleanly\n");
    const bool alive = service.running();
    const int rc = service.stop();
    const QByteArray log = service.takeLog().trimmed();
    if (!alive)
        SAY("  note: the service was no longer running at the end of the phases\n");
    if (rc != 0)
        SAY("  note: the service exited with %d\n", rc);
    if (!log.isEmpty()) {
        const QList<QByteArray> lines = log.split('\n');
        SAY("  the service logged %lld warning/error lines; the first:\n",
            static_cast<long long>(lines.size()));
        for (qsizetype i = 0; i < std::min<qsizetype>(lines.size(), 5); ++i)
            SAY("    %s\n", lines[i].left(300).constData());
    }
    return out;
}

} // namespace

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    benchClock().start();
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("twinseal-homenet load benchmark"));
    p.addHelpOption();
    p.addOptions({{QStringLiteral("seconds"), QStringLiteral("Measured seconds per phase."),
                   QStringLiteral("s"), QStringLiteral("5")},
                  {QStringLiteral("warmup"), QStringLiteral("Warm-up seconds per phase."),
                   QStringLiteral("s"), QStringLiteral("1")},
                  {QStringLiteral("connections"), QStringLiteral("Concurrent client connections."),
                   QStringLiteral("n"), QStringLiteral("64")},
                  {QStringLiteral("subscribers"),
                   QStringLiteral("Subscribers to provision (default: 800 per second of warm-up "
                                  "and window)."),
                   QStringLiteral("n"), QStringLiteral("0")},
                  {QStringLiteral("backend"), QStringLiteral("all, sqlite or postgresql."),
                   QStringLiteral("name"), QStringLiteral("all")},
                  {QStringLiteral("instances"),
                   QStringLiteral("Service instances on the same database (1 or 2)."),
                   QStringLiteral("n"), QStringLiteral("1")}});
    p.process(app);
    Options o;
    o.seconds = std::max(0.5, p.value(QStringLiteral("seconds")).toDouble());
    o.warmup = std::max(0.0, p.value(QStringLiteral("warmup")).toDouble());
    o.connections = std::max(1, p.value(QStringLiteral("connections")).toInt());
    o.subscribers = std::max(0, p.value(QStringLiteral("subscribers")).toInt());
    o.backend = p.value(QStringLiteral("backend")).toLower();
    o.instances = std::clamp(p.value(QStringLiteral("instances")).toInt(), 1, 2);

    SAY("twinseal-homenet load benchmark: %d concurrent TLS 1.3 keep-alive connections, one "
        "request at a time each\n",
        o.connections);
    SAY("targets: >= %.0f status fetches/s, >= %.0f full registrations/s, p99 < %.0f ms\n",
        kTargetStatusPerSec, kTargetRegistrationsPerSec, kTargetP99Ms);
    SAY("caveat: the load generator (this process, one Qt event-loop thread doing TLS, HTTP and "
        "the UE/holder-side crypto) shares the %ld cores with the service; compare the service's "
        "CPU time with the generator's to tell them apart. Latencies include the generator's own "
        "queueing.\n",
        ::sysconf(_SC_NPROCESSORS_ONLN));

    const sec::Manifest manifest =
        must(sec::buildManifest(TWINSEAL_SOURCE_DIR "/resources/avatar"), "avatar manifest");

    std::vector<BackendResult> results;
    if (o.backend == QLatin1String("all") || o.backend == QLatin1String("sqlite"))
        results.push_back(runBackend({QStringLiteral("SQLite"), {}, {}}, o, manifest));
    if (o.backend == QLatin1String("all") || o.backend == QLatin1String("postgresql")) {
        QSqlDatabase admin = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"),
                                                       QStringLiteral("bench-pg-admin"));
        admin.setHostName(QStringLiteral("/var/run/postgresql"));
        admin.setDatabaseName(QStringLiteral("postgres"));
        if (!admin.open()) {
            BackendResult skipped;
            skipped.name = QStringLiteral("PostgreSQL");
            skipped.skipped = QStringLiteral("PostgreSQL is not reachable on /var/run/postgresql (%1); "
                                             "start it with packaging/start-postgres.sh")
                                  .arg(admin.lastError().text().simplified());
            SAY("\n== PostgreSQL ==\n  SKIPPED: %s\n", qPrintable(skipped.skipped));
            results.push_back(skipped);
        } else {
            const QString name = QStringLiteral("twinseal_bench_") +
                                 QUuid::createUuid().toString(QUuid::Id128).left(12);
            QSqlQuery q(admin);
            if (!q.exec(QStringLiteral("CREATE DATABASE ") + name))
                die("cannot create the PostgreSQL database: " + q.lastError().text().toStdString());
            g_pgDatabase = name;
            results.push_back(runBackend(
                {QStringLiteral("PostgreSQL"),
                 QStringLiteral("postgresql:///%1?host=/var/run/postgresql").arg(name), name},
                o, manifest));
            dropBenchDatabase();
        }
    }

    SAY("\nsummary (measured windows; targets: status >= %.0f/s, registration >= %.0f/s, "
        "p99 < %.0f ms)\n",
        kTargetStatusPerSec, kTargetRegistrationsPerSec, kTargetP99Ms);
    SAY("  %-11s %-16s %9s %8s %8s %8s %8s %7s %12s\n", "backend", "phase", "per s", "p50 ms",
        "p95 ms", "p99 ms", "max ms", "errors", "service CPU");
    for (BackendResult& b : results) {
        if (!b.skipped.isEmpty()) {
            SAY("  %-11s skipped: PostgreSQL not reachable\n", qPrintable(b.name));
            continue;
        }
        for (PhaseResult& r : b.phases) {
            const double wall = double(r.cpuEnd.atNs - r.cpuStart.atNs) / 1e9;
            const double cores = wall > 0 ? (r.cpuEnd.service - r.cpuStart.service) / wall : 0.0;
            const bool flows = r.unit == QLatin1String("flows");
            const double rate = r.windowSec > 0 ? double(r.completed) / r.windowSec : 0.0;
            SAY("  %-11s %-16s %9.1f %8.2f %8.2f %8.2f %8.2f %7lld %6.2f cores\n",
                qPrintable(b.name), flows ? "register flows" : "status requests", rate,
                r.latency.percentile(0.5), r.latency.percentile(0.95), r.latency.percentile(0.99),
                r.latency.max(), static_cast<long long>(r.errors), cores);
            if (flows)
                SAY("  %-11s %-16s %9.1f %8.2f %8.2f %8.2f %8.2f\n", "",
                    "  their requests",
                    r.windowSec > 0 ? double(r.allRequests.ms.size()) / r.windowSec : 0.0,
                    r.allRequests.percentile(0.5), r.allRequests.percentile(0.95),
                    r.allRequests.percentile(0.99), r.allRequests.max());
        }
    }
    return 0;
}
