// The call relay of twinseal-homenet under load: R rooms × P participants, each sending one
// 200-byte SFrame-sized frame every 1/Hz s through one real twinseal-homenet over TLS on
// loopback (default 4 × 16 × 90 Hz). Printed, never asserted: frames forwarded per second,
// relay latency (sender's send to a receiver's read, both in this process) p50/p99/max, the
// service's CPU per 1,000 forwarded frames/s, frames lost, and how long the service's and this
// process's event loops waited for a CPU (with the machine's load average): when other work
// oversubscribes the cores, that wait, not the relay, sets the tail. Goal: p99 < 10 ms.
//
// The participants' credentials are issued here with the scratch operator's issuer key (the
// same issuer the service uses), so the room host admits them exactly as it admits registered
// twins. The load generator is this process's event loop (one QWebSocket per participant); on a
// 2-core machine it competes with the service for the CPU, which the figures include.
//
// Options: --seconds S (measured, default 10), --rooms R (4), --participants P (16), --hz F (90)
#include <QAbstractSocket>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTimer>
#include <QUrl>
#include <QWebSocket>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

#include <csignal>
#include <sys/prctl.h>
#include <unistd.h>

#include <twinseal/proto/call.pb.h>
#include <twinseal/proto/codec.h>
#include <twinseal/security/assertion.h>
#include <twinseal/security/credential.h>
#include <twinseal/security/crypto.h>
#include <twinseal/service/operator_keys.h>

namespace sec = twinseal::security;
namespace proto = twinseal::proto;

namespace {

// The benchmark's clock, started by main().
QElapsedTimer& benchClock() {
    static QElapsedTimer clock;
    return clock;
}
qint64 nowNs() { return benchClock().nsecsElapsed(); }

[[noreturn]] void die(const char* what) {
    (void)std::fprintf(stderr, "bench-call-relay: %s\n", what);
    (void)std::fflush(nullptr);
    std::_Exit(1); // at once: exit() would run static destructors while other threads run
}

template <typename T> T must(sec::Result<T>&& r, const char* what) {
    if (!r.ok())
        die(what);
    return std::move(r).value();
}

void spin(const std::function<bool()>& done, int timeoutMs, const char* what) {
    QElapsedTimer t;
    t.start();
    QTimer heartbeat; // wakes the loop up to look at the clock; it never spins idle
    heartbeat.start(20);
    while (!done()) {
        if (t.elapsed() > timeoutMs)
            die(what);
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents);
    }
}

double processCpuSeconds(qint64 pid) {
    QFile f(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return 0;
    const QByteArray s = f.readAll();
    const QList<QByteArray> fields = s.mid(s.lastIndexOf(')') + 2).split(' ');
    if (fields.size() < 13)
        return 0;
    return (fields[11].toDouble() + fields[12].toDouble()) / double(::sysconf(_SC_CLK_TCK));
}

// Seconds the process's main thread (its event loop) spent runnable but waiting for a CPU
// (/proc/<pid>/schedstat): on a machine shared with other work, this is where relay latency
// comes from that no code of the relay can remove.
double runQueueWaitSeconds(qint64 pid) {
    QFile f(QStringLiteral("/proc/%1/schedstat").arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return 0;
    const QList<QByteArray> fields = f.readAll().split(' ');
    return fields.size() < 2 ? 0 : fields[1].toDouble() / 1e9;
}

QByteArray loadAverage() {
    QFile f(QStringLiteral("/proc/loadavg"));
    if (!f.open(QIODevice::ReadOnly))
        return "unknown";
    return f.readAll().split(' ').mid(0, 3).join(' ');
}

struct Participant {
    sec::SigningKey holder;
    sec::Credential credential;
    proto::Evidence evidence(const std::string& dest) const {
        auto claims = must(sec::claimsForCall(credential, {dest}, sec::Bytes(32, 7),
                                              sec::SystemClock::instance().now(),
                                              sec::SystemRandom::instance()),
                           "claims");
        auto assertion = must(sec::createAssertion(claims, holder), "assertion");
        proto::Evidence e;
        e.set_assertion(assertion.compact);
        e.set_credential(std::string(credential.encoded.begin(), credential.encoded.end()));
        return e;
    }
};

struct Connection {
    std::unique_ptr<QWebSocket> ws;
    std::string roomId;
    std::vector<proto::CallMessage> inbox;
    qint64 nextDue = 0;
    quint64 sent = 0;
};

} // namespace

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    QCommandLineParser p;
    p.addOptions({{QStringLiteral("seconds"), QStringLiteral("Measured seconds."), QStringLiteral("s"), QStringLiteral("10")},
                  {QStringLiteral("rooms"), QStringLiteral("Rooms."), QStringLiteral("n"), QStringLiteral("4")},
                  {QStringLiteral("participants"), QStringLiteral("Participants per room."), QStringLiteral("n"), QStringLiteral("16")},
                  {QStringLiteral("hz"), QStringLiteral("Frames per second per participant."), QStringLiteral("f"), QStringLiteral("90")}});
    p.process(app);
    const int seconds = p.value(QStringLiteral("seconds")).toInt();
    const int rooms = p.value(QStringLiteral("rooms")).toInt();
    const int perRoom = p.value(QStringLiteral("participants")).toInt();
    const double hz = p.value(QStringLiteral("hz")).toDouble();
    benchClock().start();

    // A scratch home network.
    QTemporaryDir dir;
    const QString data = dir.filePath(QStringLiteral("data"));
    const QString pass = dir.filePath(QStringLiteral("pass"));
    {
        QFile f(pass);
        if (!f.open(QIODevice::WriteOnly))
            die("cannot write the passphrase file");
        f.write("bench relay passphrase");
        // Readable by its owner only: the service refuses a passphrase file others can read.
        f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    }
    QProcess init;
    init.start(QStringLiteral(TWINSEAL_HOMENET_PATH),
               {QStringLiteral("init"), QStringLiteral("--data-dir"), data,
                QStringLiteral("--passphrase-file"), pass});
    if (!init.waitForFinished(120000) || init.exitCode() != 0)
        die("twinseal-homenet init failed");
    quint16 port = 0;
    {
        QTcpServer s;
        if (!s.listen(QHostAddress::LocalHost, 0))
            die("no free port");
        port = s.serverPort();
    }
    QProcess service;
    service.setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGTERM); });
    service.start(QStringLiteral(TWINSEAL_HOMENET_PATH),
                  {QStringLiteral("serve"), QStringLiteral("--data-dir"), data,
                   QStringLiteral("--passphrase-file"), pass, QStringLiteral("--port"),
                   QString::number(port), QStringLiteral("--rate-limit"), QStringLiteral("0"),
                   QStringLiteral("--log-level"), QStringLiteral("warning")});
    QByteArray log;
    spin([&] {
        log += service.readAllStandardError();
        return log.contains("\"listening\"");
    }, 60000, "the service did not start");

    // Participants: credentials from the operator's own issuer.
    auto keys = must(twinseal::service::OperatorKeys::load(data, "bench relay passphrase"),
                     "operator keys");
    const sec::Digest fp = keys.issuerCertificate().fingerprint();
    const std::string statusUri =
        "urn:twinseal:status-list:" + sec::toHex(sec::ByteView(fp).first(16));
    const std::int64_t now = sec::SystemClock::instance().now();
    std::vector<Participant> people;
    for (int i = 0; i < perRoom; ++i) {
        Participant part{must(sec::SigningKey::generate(sec::KeyAlgorithm::Ed25519), "key"), {}};
        sec::CredentialClaims c;
        c.dtId = "dt-bench-" + std::to_string(i);
        c.avatarId = "urn:twinseal:avatar:bench-" + std::to_string(i);
        c.holderKey = part.holder.publicKey();
        c.pseudonym = "Bench " + std::to_string(i);
        c.mediaRoot = sec::sha256(sec::view(c.avatarId));
        c.notBefore = now - 60;
        c.notAfter = now + 86400;
        c.issuedAt = now;
        c.statusListIndex = 1000000 + static_cast<std::uint64_t>(i);
        c.statusListUri = statusUri;
        c.issuer = keys.operatorName().toStdString();
        part.credential = must(sec::issueCredential(c, keys.issuerKey(), {keys.issuerCertificate()}),
                               "credential");
        people.push_back(std::move(part));
    }
    const std::string hostUri = "urn:twinseal:room-host:" +
                                QUrl::toPercentEncoding(keys.operatorName()).toStdString();

    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    tls.setCaCertificates(QSslCertificate::fromPath(QDir(data).filePath(QStringLiteral("keys/tls-ca.pem"))));
    const QUrl url(QStringLiteral("wss://localhost:%1/v1/ws").arg(port));

    std::vector<qint64> latencies;
    latencies.reserve(std::size_t(seconds * hz * rooms * perRoom * (perRoom - 1) * 1.2));
    bool measuring = false;
    quint64 received = 0, expected = 0;
    std::vector<std::unique_ptr<Connection>> conns;
    for (int r = 0; r < rooms; ++r) {
        for (int i = 0; i < perRoom; ++i) {
            auto conn = std::make_unique<Connection>();
            conn->ws = std::make_unique<QWebSocket>();
            conn->ws->setSslConfiguration(tls);
            Connection* c = conn.get();
            QObject::connect(c->ws.get(), &QWebSocket::binaryMessageReceived,
                             [c, &latencies, &received](const QByteArray& bytes) {
                                 proto::CallMessage m;
                                 if (!m.ParseFromArray(bytes.constData(), int(bytes.size())))
                                     die("unreadable message from the relay");
                                 if (m.has_frame()) {
                                     qint64 sentAt = 0;
                                     std::memcpy(&sentAt, m.frame().sframe().data(), sizeof sentAt);
                                     if (sentAt > 0) { // sent while measuring
                                         latencies.push_back(nowNs() - sentAt);
                                         ++received;
                                     }
                                     return;
                                 }
                                 c->inbox.push_back(std::move(m));
                             });
            c->ws->open(url);
            conns.push_back(std::move(conn));
        }
    }
    spin([&] {
        return std::all_of(conns.begin(), conns.end(), [](const auto& c) {
            return c->ws->state() == QAbstractSocket::ConnectedState;
        });
    }, 60000, "the WebSockets did not connect");
    // Frames go out at once (no Nagle delay), as a real-time client sends them.
    int lowDelay = 0;
    for (auto& c : conns)
        if (auto* socket = c->ws->findChild<QAbstractSocket*>()) {
            socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
            ++lowDelay;
        }
    auto await = [&](Connection& c, proto::CallMessage::BodyCase kind) {
        proto::CallMessage out;
        spin([&] {
            for (auto it = c.inbox.begin(); it != c.inbox.end(); ++it)
                if (it->body_case() == kind || it->has_error()) {
                    out = *it;
                    c.inbox.erase(it);
                    return true;
                }
            return false;
        }, 30000, "no answer from the room host");
        if (out.has_error())
            die(out.error().message().c_str());
        return out;
    };
    for (int r = 0; r < rooms; ++r) {
        Connection& first = *conns[std::size_t(r) * std::size_t(perRoom)];
        proto::CallMessage create;
        create.mutable_create_room()->mutable_policy()->set_admission(proto::ROOM_CODE);
        *create.mutable_create_room()->mutable_creator() = people[0].evidence(hostUri);
        first.ws->sendBinaryMessage(proto::serialize<QByteArray>(create));
        const proto::RoomInfo room = await(first, proto::CallMessage::kRoomCreated).room_created();
        for (int i = 0; i < perRoom; ++i) {
            Connection& c = *conns[std::size_t(r) * std::size_t(perRoom) + std::size_t(i)];
            proto::CallMessage join;
            join.mutable_join_room()->set_room_id(room.room_id());
            join.mutable_join_room()->set_room_code(room.room_code());
            *join.mutable_join_room()->mutable_evidence() = people[std::size_t(i)].evidence(room.room_uri());
            c.ws->sendBinaryMessage(proto::serialize<QByteArray>(join));
            await(c, proto::CallMessage::kRoomJoined);
            c.roomId = room.room_id();
        }
    }

    // The load: every participant sends on its own 1/hz schedule (staggered).
    const qint64 periodNs = qint64(1e9 / hz);
    for (std::size_t i = 0; i < conns.size(); ++i)
        conns[i]->nextDue = nowNs() + periodNs * qint64(i) / qint64(conns.size());
    std::string filler(200, '\x5a');
    QTimer pump;
    pump.setTimerType(Qt::PreciseTimer);
    pump.setInterval(1);
    quint64 sentMeasured = 0;
    QObject::connect(&pump, &QTimer::timeout, [&] {
        const qint64 t = nowNs();
        for (auto& c : conns) {
            while (c->nextDue <= t) {
                const qint64 stamp = measuring ? nowNs() : 0;
                std::memcpy(filler.data(), &stamp, sizeof stamp);
                proto::CallMessage m;
                m.mutable_frame()->set_room_id(c->roomId);
                m.mutable_frame()->set_sframe(filler);
                c->ws->sendBinaryMessage(proto::serialize<QByteArray>(m));
                c->nextDue += periodNs;
                if (measuring)
                    ++sentMeasured;
            }
        }
    });
    pump.start();
    QElapsedTimer warm;
    warm.start();
    spin([&] { return warm.elapsed() > 2000; }, 10000, "warm-up");
    measuring = true;
    const double cpu0 = processCpuSeconds(service.processId());
    const double own0 = processCpuSeconds(::getpid());
    const double wait0 = runQueueWaitSeconds(service.processId());
    const double ownWait0 = runQueueWaitSeconds(::getpid());
    const QByteArray loadBefore = loadAverage();
    QElapsedTimer measured;
    measured.start();
    spin([&] { return measured.elapsed() > qint64{seconds} * 1000; }, seconds * 1000 + 10000, "run");
    measuring = false;
    const double elapsed = double(measured.nsecsElapsed()) / 1e9;
    const double cpu = processCpuSeconds(service.processId()) - cpu0;
    const double own = processCpuSeconds(::getpid()) - own0;
    const double wait = runQueueWaitSeconds(service.processId()) - wait0;
    const double ownWait = runQueueWaitSeconds(::getpid()) - ownWait0;
    pump.stop();
    expected = sentMeasured * quint64(perRoom - 1);
    // Let the frames in flight arrive (at most 3 s; what is missing then is lost).
    QElapsedTimer drain;
    drain.start();
    QTimer heartbeat;
    heartbeat.start(20);
    while (received < expected && drain.elapsed() < 3000)
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents);

    std::sort(latencies.begin(), latencies.end());
    auto pct = [&](double q) {
        if (latencies.empty())
            return 0.0;
        return double(latencies[std::min(latencies.size() - 1,
                                         std::size_t(q * double(latencies.size())))]) / 1e6;
    };
    const double forwarded = double(received) / elapsed;
    std::printf("call relay: %d rooms x %d participants x %.0f Hz, 200-byte frames, %d s\n",
                rooms, perRoom, hz, seconds);
    std::printf("  client sockets without Nagle: %d of %zu\n", lowDelay, conns.size());
    std::printf("  frames sent           %llu (%.0f/s)\n", (unsigned long long)sentMeasured,
                double(sentMeasured) / elapsed);
    std::printf("  frames forwarded      %llu (%.0f/s; expected %llu, lost %llu)\n",
                (unsigned long long)received, forwarded, (unsigned long long)expected,
                (unsigned long long)(expected > received ? expected - received : 0));
    std::printf("  relay latency         p50 %.2f ms, p99 %.2f ms, max %.2f ms (goal p99 < 10 ms)\n",
                pct(0.50), pct(0.99), latencies.empty() ? 0.0 : double(latencies.back()) / 1e6);
    std::printf("  service CPU           %.2f s in %.1f s: %.2f%% of a core per 1,000 frames/s\n",
                cpu, elapsed, forwarded > 0 ? 100.0 * cpu / elapsed / (forwarded / 1000.0) : 0.0);
    std::printf("  load generator CPU    %.2f s (it and the service share this machine's %ld "
                "cores)\n",
                own, ::sysconf(_SC_NPROCESSORS_ONLN));
    std::printf("  waiting for a CPU     service %.1f ms/s, load generator %.1f ms/s (runnable, not "
                "running)\n",
                1000.0 * wait / elapsed, 1000.0 * ownWait / elapsed);
    std::printf("  machine load average  %s before, %s after (1, 5, 15 min)\n",
                loadBefore.constData(), loadAverage().constData());
    for (auto& c : conns)
        c->ws->abort();
    service.terminate();
    service.waitForFinished(10000);
    return 0;
}
