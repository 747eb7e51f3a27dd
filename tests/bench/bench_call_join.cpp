// Join -> Verified in a room of 16: one participant's device verifies the fresh call evidence of
// 16 other participants (each a registered twin of a real twinseal-homenet on loopback over
// TLS) exactly as it does when it joins their room: PeerEvidenceVerifier with every check
// (freshness, replay cache, destination, chain to the trust list, validity, status list,
// transparency-log inclusion fetched from the home network, holder signature, media against the
// credential's media root, disclosures, pinning). The first round fetches the 16 avatars into
// the media cache; the measured rounds find them there (media cached, as in the goal), each round
// with fresh assertions for a new room. Printed, never asserted.
//
// Figures: wall time per round and per participant, and this process's CPU time per participant
// (user + system of all its threads: the checks, which run on a worker thread, and the TLS
// requests to the home network), i.e. the cost on one core. The home network answering the log
// and status requests is another process; its CPU is printed too.
// Goal: at most 5 ms per participant.
//
// Options: --rounds N (measured rounds, default 10), --participants P (16)
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <optional>
#include <vector>

#include <sys/resource.h>
#include <unistd.h>

#include "../calls/call_device.h"
#include "../homenet/homenet_fixture.h"

#include <twinseal/calls/evidence_builder.h>
#include <twinseal/calls/peer_evidence_verifier.h>

using namespace twinseal;
using namespace twinseal::test;
using namespace twinseal::test::calls;

namespace {

[[noreturn]] void die(const std::string& what) {
    (void)std::fprintf(stderr, "bench-call-join: %s\n", what.c_str());
    (void)std::fflush(nullptr);
    std::_Exit(1); // at once: exit() would run static destructors while other threads run
}

double ownCpuSeconds() {
    rusage u{};
    ::getrusage(RUSAGE_SELF, &u);
    return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// CPU seconds of this process's running children (the home network).
double childrenCpuSeconds() {
    double total = 0;
    const QDir proc(QStringLiteral("/proc"));
    for (const QString& pid : proc.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        QFile f(proc.filePath(pid + QStringLiteral("/stat")));
        if (!f.open(QIODevice::ReadOnly))
            continue;
        const QByteArray s = f.readAll();
        const QList<QByteArray> fields = s.mid(s.lastIndexOf(')') + 2).split(' ');
        if (fields.size() < 13 || fields[1].toLongLong() != ::getpid())
            continue;
        total += (fields[11].toDouble() + fields[12].toDouble()) / double(::sysconf(_SC_CLK_TCK));
    }
    return total;
}

void runUntil(const std::function<bool()>& done, int timeoutMs, const char* what) {
    QElapsedTimer t;
    t.start();
    QTimer heartbeat;
    heartbeat.start(20);
    while (!done()) {
        if (t.elapsed() > timeoutMs)
            die(what);
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents);
    }
}

// Fresh evidence of every participant for `roomUri` (not measured).
std::vector<proto::Evidence> evidenceFor(const std::vector<std::unique_ptr<Device>>& people,
                                         const std::string& roomUri) {
    std::vector<std::optional<proto::Evidence>> got(people.size());
    std::size_t done = 0;
    for (std::size_t i = 0; i < people.size(); ++i)
        people[i]->builder->build(roomUri, [&, i](netclient::ClientResult<twinseal::calls::OwnEvidence> r) {
            if (!r.ok())
                die("evidence: " + r.error().describe());
            got[i] = std::move(r->evidence);
            ++done;
        });
    runUntil([&] { return done == people.size(); }, 120000, "evidence was not built in time");
    std::vector<proto::Evidence> out;
    out.reserve(got.size());
    for (auto& e : got)
        out.push_back(std::move(*e));
    return out;
}

// Verifies every evidence for `roomUri` at once (as a client does with a RoomJoined's list);
// returns when all are done. Dies unless every report is Verified.
void verifyAll(twinseal::calls::PeerEvidenceVerifier& verifier, const std::vector<proto::Evidence>& evidence,
               const std::string& roomUri, bool mediaCached) {
    std::size_t done = 0;
    for (const auto& e : evidence)
        verifier.verify(e, roomUri, [&](security::Result<twinseal::calls::PeerOutcome> r) {
            if (!r.ok())
                die("verification: " + r.error().message());
            if (r->report.state != security::OverallState::Verified)
                die("a peer was not Verified: " + r->report.summary());
            if (mediaCached && r->media != "cache")
                die("the media was not taken from the cache: " + r->media);
            ++done;
        });
    runUntil([&] { return done == evidence.size(); }, 120000, "verification did not finish in time");
}

} // namespace

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    QCommandLineParser p;
    p.addOptions({{QStringLiteral("rounds"), QStringLiteral("Measured rounds."), QStringLiteral("n"), QStringLiteral("10")},
                  {QStringLiteral("participants"), QStringLiteral("Participants verified."), QStringLiteral("n"), QStringLiteral("16")}});
    p.process(app);
    const int rounds = std::max(1, p.value(QStringLiteral("rounds")).toInt());
    const int count = std::clamp(p.value(QStringLiteral("participants")).toInt(), 1, 64);

    HomenetServer server;
    if (!server.start({QStringLiteral("--rate-limit"), QStringLiteral("0"), QStringLiteral("--log-level"),
                       QStringLiteral("warning")}))
        die("twinseal-homenet did not start");
    std::vector<std::unique_ptr<Device>> people;
    for (int i = 0; i < count; ++i) {
        auto d = makeDevice(server, QStringLiteral("p%1").arg(i), 10 + i);
        if (!d)
            die("participant " + std::to_string(i) + " could not be registered");
        people.push_back(std::move(d));
    }
    auto observer = makeDevice(server, QStringLiteral("observer"), 9);
    if (!observer)
        die("the observing participant could not be registered");

    // Warm-up: the avatars are fetched into the media cache, the status list cached.
    verifyAll(*observer->verifier, evidenceFor(people, "urn:twinseal:room:bench-warm-up"),
              "urn:twinseal:room:bench-warm-up", false);

    std::vector<double> perRound;
    double cpu = 0, serviceCpu = 0;
    for (int r = 0; r < rounds; ++r) {
        const std::string roomUri = "urn:twinseal:room:bench-" + std::to_string(r);
        const auto evidence = evidenceFor(people, roomUri);
        const double cpu0 = ownCpuSeconds();
        const double service0 = childrenCpuSeconds();
        QElapsedTimer t;
        t.start();
        verifyAll(*observer->verifier, evidence, roomUri, true);
        perRound.push_back(double(t.nsecsElapsed()) / 1e6);
        cpu += ownCpuSeconds() - cpu0;
        serviceCpu += childrenCpuSeconds() - service0;
    }
    std::sort(perRound.begin(), perRound.end());
    const double median = perRound[perRound.size() / 2];
    std::printf("call join -> Verified: %d participants, media cached, %d rounds\n", count, rounds);
    std::printf("  wall per round      median %.1f ms, min %.1f ms, max %.1f ms\n", median,
                perRound.front(), perRound.back());
    std::printf("  wall per participant %.2f ms (median round / %d)\n", median / count, count);
    std::printf("  verifier CPU         %.2f ms per participant (all threads; goal <= 5 ms)\n",
                1000.0 * cpu / rounds / count);
    std::printf("  home network CPU     %.2f ms per participant (log proofs, status list)\n",
                1000.0 * serviceCpu / rounds / count);
    std::printf("  machine              %ld cores, shared with the home network process\n",
                ::sysconf(_SC_NPROCESSORS_ONLN));
    return 0;
}
