// Revocation during a call: the time from a participant's revocation at its home network to the
// moment another participant's CallClient flags it (peerRevoked, credential-revoked), for a
// participant of the room host's own operator and for one of another operator. Two
// twinseal-homenet processes on loopback over TLS: operator A hosts the room (and trusts B's
// root), operator B is the foreign participants' home network. The observing client (A's
// subscriber) runs with CallClient's default revocation settings:
//   - own operator: A's room host notices the revocation in its own database (once a second),
//     pushes a RevocationNotice (the client's revocationNotice: flagged) and removes the
//     participant (peerLeft "revoked");
//   - foreign: A's host cannot know; the client polls B's status list conditionally every
//     foreignRevocationRecheckMs (304 while unchanged) and flags on the list that names it.
// Each run registers a fresh participant (a revoked credential cannot come back), lets it join,
// waits until the observer has it Verified, then revokes it at its home network; the clock runs
// from the revocation request to the flag. Goal (the issue): within 5 s. Printed, never asserted.
//
// Options: --runs N (per kind, default 6)
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <memory>
#include <vector>

#include "../calls/call_device.h"
#include "../homenet/call_test_util.h"
#include "../homenet/homenet_fixture.h"

#include <twinseal/calls/call_client.h>
#include <twinseal/netclient/service_client.h>

using namespace twinseal;
using namespace twinseal::test;
using namespace twinseal::test::calls;
using twinseal::calls::CallClient;
using twinseal::calls::CallState;

namespace {

[[noreturn]] void die(const std::string& what) {
    (void)std::fprintf(stderr, "bench-call-revocation: %s\n", what.c_str());
    (void)std::fflush(nullptr);
    std::_Exit(1); // at once: exit() would run static destructors while other threads run
}

void runUntil(const std::function<bool()>& done, int timeoutMs, const std::string& what) {
    QElapsedTimer t;
    t.start();
    QTimer heartbeat;
    heartbeat.start(5);
    while (!done()) {
        if (t.elapsed() > timeoutMs)
            die(what);
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents);
    }
}

struct Figures {
    std::vector<double> flaggedMs;  // revocation request sent -> flagged
    std::vector<double> requestMs;  // revocation request sent -> answered by the home network
};

void print(const char* kind, Figures f) {
    if (f.flaggedMs.empty())
        return;
    std::sort(f.flaggedMs.begin(), f.flaggedMs.end());
    std::sort(f.requestMs.begin(), f.requestMs.end());
    std::printf("  %-14s runs %zu: flagged p50 %.0f ms, max %.0f ms, min %.0f ms "
                "(revocation request answered p50 %.0f ms)\n",
                kind, f.flaggedMs.size(), f.flaggedMs[f.flaggedMs.size() / 2], f.flaggedMs.back(),
                f.flaggedMs.front(), f.requestMs[f.requestMs.size() / 2]);
}

} // namespace

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    qRegisterMetaType<twinseal::calls::AnimationFrame>();
    QCommandLineParser p;
    p.addOptions({{QStringLiteral("runs"), QStringLiteral("Runs per kind of participant."), QStringLiteral("n"),
                   QStringLiteral("6")}});
    p.process(app);
    const int runs = std::clamp(p.value(QStringLiteral("runs")).toInt(), 1, 50);
    const QStringList quiet{QStringLiteral("--rate-limit"), QStringLiteral("0"), QStringLiteral("--log-level"),
                            QStringLiteral("warning")};

    HomenetServer b;
    if (!b.start(quiet))
        die("operator B's twinseal-homenet did not start");
    const security::UsimProfileData bHome = addTestSubscriber(b, QStringLiteral("b-probe.usim"), 9).profile;
    HomenetServer a;
    const QString bRoot = a.scratch(QStringLiteral("operator-b-root.pem"));
    {
        QFile f(bRoot);
        if (!f.open(QIODevice::WriteOnly) || f.write(QByteArray::fromStdString(bHome.trustListPem)) < 0)
            die("cannot write operator B's root for A");
    }
    if (!a.start(QStringList{QStringLiteral("--trust-root"), bRoot} + quiet))
        die("operator A's twinseal-homenet did not start");
    const security::UsimProfileData aHome = addTestSubscriber(a, QStringLiteral("a-probe.usim"), 9).profile;

    auto observerDevice = makeDevice(a, QStringLiteral("observer"), 1, {bHome});
    if (!observerDevice)
        die("the observing participant could not be registered");
    const twinseal::calls::CallClientOptions defaults;
    CallClient observer(clientOptions(a, "observer", defaults.revocationRecheckMs), *observerDevice->builder,
                        *observerDevice->verifier);
    QSignalSpy created(&observer, &CallClient::roomCreated);
    observer.connectToHost();
    runUntil([&] { return observer.connected(); }, 30000, "the observer did not connect");
    observer.create(policyOf(proto::ROOM_CODE));
    runUntil([&] { return created.size() == 1 && observer.state() == CallState::InCall; }, 30000,
             "the room was not created");
    const std::string roomId = created.at(0).at(0).toString().toStdString();
    const std::string roomUri = created.at(0).at(1).toString().toStdString();
    const std::string code = created.at(0).at(2).toString().toStdString();

    Figures own, foreign;
    for (int run = 0; run < runs * 2; ++run) {
        const bool isForeign = run % 2 == 1;
        HomenetServer& home = isForeign ? b : a;
        const QString name = QStringLiteral("%1-%2").arg(isForeign ? QStringLiteral("foreign") : QStringLiteral("own"))
                                 .arg(run);
        auto device = makeDevice(home, name, 10 + run, {isForeign ? aHome : bHome});
        if (!device)
            die("participant " + name.toStdString() + " could not be registered");
        CallClient participant(clientOptions(a, name.toStdString()), *device->builder, *device->verifier);
        participant.connectToHost();
        runUntil([&] { return participant.connected(); }, 30000, "a participant did not connect");
        participant.join(roomId, roomUri, code);
        runUntil([&] { return participant.state() == CallState::InCall; }, 60000, "a participant did not join");
        const std::uint32_t id = participant.setup().participantId();
        runUntil([&] {
            const auto* o = observer.outcome(id);
            return o && o->report.state == security::OverallState::Verified && observer.hasPeerFrameKey(id);
        }, 60000, "the observer did not verify " + name.toStdString());

        qint64 flaggedAt = -1, answeredAt = -1;
        QElapsedTimer clock;
        // Flagged: the client found the revocation in the list itself (peerRevoked), or the room
        // host announced it (revocationNotice), whichever comes first.
        const auto onFlag = [&](quint32 who) {
            if (who == id && flaggedAt < 0)
                flaggedAt = clock.nsecsElapsed();
        };
        const auto flagged = QObject::connect(&observer, &CallClient::peerRevoked, &app, onFlag);
        const auto noticed = QObject::connect(&observer, &CallClient::revocationNotice, &app, onFlag);
        clock.start();
        device->subscriber->client->revoke(device->dtId, "benchmark", [&](const netclient::ClientResult<netclient::DtRecord>& r) {
            if (!r.ok())
                die("the revocation was refused: " + r.error().describe());
            answeredAt = clock.nsecsElapsed();
        });
        runUntil([&] { return flaggedAt >= 0 && answeredAt >= 0; }, 120000,
                 "the revoked participant was not flagged within 120 s");
        QObject::disconnect(flagged);
        QObject::disconnect(noticed);
        Figures& f = isForeign ? foreign : own;
        f.flaggedMs.push_back(double(flaggedAt) / 1e6);
        f.requestMs.push_back(double(answeredAt) / 1e6);
        participant.leave();
        runUntil([&] { return observer.outcome(id) == nullptr; }, 30000, "a revoked participant did not leave");
    }

    std::printf("revocation during a call -> flagged at another participant (goal: within 5 s)\n");
    std::printf("  client defaults: foreign home networks polled every %d ms (conditional), "
                "status re-checked at the TTL every %d ms, room host's notice checked every second\n",
                defaults.foreignRevocationRecheckMs, defaults.revocationRecheckMs);
    print("own operator", own);
    print("other operator", foreign);
    observer.leave();
    return 0;
}
