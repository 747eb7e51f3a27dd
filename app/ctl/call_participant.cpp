#include "call_participant.h"

#include <QCoreApplication>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <csignal>
#include <cstdio>
#include <iostream>
#include <fcntl.h>
#include <unistd.h>

#include <twinseal/security/verify.h>

#include "call_pose.h"
#include "cli.h"

namespace twinseal::ctl {

using calls::CallState;

namespace {

int g_signalPipe[2] = {-1, -1};

void onUnixSignal(int) {
    const char c = 1;
    [[maybe_unused]] const auto n = ::write(g_signalPipe[1], &c, 1);
}

QString qs(std::string_view s) { return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size())); }

QString protectionName(const proto::RoomPolicy& policy) {
    return policy.protection() == proto::INTEGRITY_ONLY ? QStringLiteral("integrity-only")
                                                        : QStringLiteral("confidential");
}

int exitCodeForEnd(calls::EndReason reason) {
    switch (reason) {
    case calls::EndReason::JoinTimeout:
        return kExitCallTimeout;
    case calls::EndReason::HostRefused:
        return kExitCallHostRefused;
    case calls::EndReason::GraceExpired:
    case calls::EndReason::ConnectionLost:
        return kExitCallConnection;
    case calls::EndReason::None:
        break;
    }
    return kExitCallConnection;
}

} // namespace

CallParticipant::CallParticipant(calls::CallClient& client, CallPlan plan, QObject* parent)
    : QObject(parent), m_client(client), m_plan(std::move(plan)) {
    using calls::CallClient;
    connect(&m_client, &CallClient::stateChanged, this, &CallParticipant::onStateChanged);
    connect(&m_client, &CallClient::roomCreated, this,
            [this](const QString& id, const QString& uri, const QString& code) {
                QJsonObject o{{"roomId", id}, {"roomUri", uri}};
                if (!code.isEmpty())
                    o.insert("roomCode", code);
                o.insert("protection", protectionName(m_plan.policy));
                emitEvent("room-created", o);
            });
    connect(&m_client, &CallClient::peerReport, this,
            [this](quint32 id, const QString& state, const QString& summary, const QString& json) {
                QJsonObject o{{"participantId", qint64(id)}, {"state", state}, {"summary", summary}};
                const auto peer = m_client.setup().peers().find(id);
                if (peer != m_client.setup().peers().end())
                    o.insert("displayHint",
                             QString::fromStdString(peer->second.participant.evidence().display_hint()));
                const QJsonObject report = QJsonDocument::fromJson(json.toUtf8()).object();
                if (report.contains("reason"))
                    o.insert("reason", report.value("reason"));
                if (report.contains("pseudonym"))
                    o.insert("pseudonym", report.value("pseudonym"));
                o.insert("report", report);
                m_lastState[id] = state;
                emitEvent("peer-report", o);
            });
    connect(&m_client, &CallClient::peerLeft, this, [this](quint32 id, const QString& reason) {
        m_lastState.erase(id);
        emitEvent("peer-left", {{"participantId", qint64(id)}, {"reason", reason}});
    });
    connect(&m_client, &CallClient::incomingCall, this, [this](const QString& from, const QString& roomId) {
        const char* answer = m_plan.answer == CallPlan::Answer::Accept    ? "accept"
                             : m_plan.answer == CallPlan::Answer::Decline ? "decline"
                                                                          : "ask";
        emitEvent("incoming-call", {{"from", from}, {"roomId", roomId}, {"answer", answer}});
        if (m_plan.answer == CallPlan::Answer::Accept)
            m_client.accept();
        else if (m_plan.answer == CallPlan::Answer::Decline)
            m_client.decline();
    });
    connect(&m_client, &CallClient::animationReceived, this,
            [this](quint32 id, const calls::AnimationFrame&) {
                PeerFrames& f = m_frames[id];
                ++f.received;
                f.changed = true;
            });
    connect(&m_client, &CallClient::frameRefused, this,
            [this](quint32 id, const QString& code, const QString& message) {
                PeerFrames& f = m_frames[id];
                // The first refusal of each reason from a peer is printed at once; the others
                // are counted in the next summary.
                if (++f.refused[code] == 1)
                    emitEvent("frame-refused",
                              {{"participantId", qint64(id)}, {"code", code}, {"message", message}});
                f.lastRefusal = message;
                f.changed = true;
            });
    if (m_plan.printSentFrames)
        connect(&m_client, &CallClient::frameSent, this, [this](const QByteArray& sframe) {
            emitEvent("frame-sent", {{"epoch", qint64(m_client.frameEpoch())},
                                     {"sframe", QString::fromLatin1(sframe.toBase64())}});
        });
    connect(&m_client, &CallClient::peerKeyInstalled, this, [this](quint32 id, quint64 epoch) {
        emitEvent("key-installed", {{"participantId", qint64(id)}, {"epoch", qint64(epoch)}});
    });
    connect(&m_client, &CallClient::keyRefused, this,
            [this](quint32 id, const QString& code, const QString& message) {
                emitEvent("key-refused", {{"participantId", qint64(id)}, {"code", code}, {"message", message}});
            });
    connect(&m_client, &CallClient::rekeyed, this, [this](quint64 epoch, int peers) {
        emitEvent("rekey", {{"epoch", qint64(epoch)}, {"peers", peers}});
    });
    connect(&m_client, &CallClient::revocationNotice, this, [this](quint32 id) {
        emitEvent("revocation-notice", {{"participantId", qint64(id)}});
    });
    connect(&m_client, &CallClient::peerRevoked, this, [this](quint32 id) {
        emitEvent("peer-revoked", {{"participantId", qint64(id)}, {"code", qs(security::errorCodeName(security::ErrorCode::CredentialRevoked))}});
    });
    connect(&m_client, &CallClient::refused, this, [this](const QString& code, const QString& detail) {
        emitEvent("refused", {{"code", code}, {"detail", detail}});
    });
    connect(&m_client, &CallClient::protocolError, this, [this](const QString& code, const QString& message) {
        emitEvent("protocol-error", {{"code", code}, {"message", message}});
        // The room host breaking the protocol (the connection is closed) ends the attempt, or
        // makes the call's exit code 133; our own evidence failing before we are in a room ends
        // the attempt (135). Verification and re-check troubles are only reported.
        static const QStringList hostFaults{"text-frame", "oversized", "malformed", "empty-body"};
        if (code == QLatin1String("verification-unavailable") || code == QLatin1String("revocation-unchecked"))
            return;
        const bool hostFault = hostFaults.contains(code);
        if (m_enteredRoom || m_leaving || m_client.state() == CallState::Listening) {
            if (hostFault && !m_leaving)
                m_failure = kExitCallProtocol;
            return;
        }
        finish(hostFault ? kExitCallProtocol : kExitCallEvidence, message);
    });
    connect(&m_client, &CallClient::hostError, this, [this](const QString& codeAndMessage) {
        const qsizetype colon = codeAndMessage.indexOf(QLatin1Char(':'));
        emitEvent("host-error", {{"code", colon > 0 ? codeAndMessage.left(colon) : codeAndMessage},
                                 {"message", codeAndMessage}});
        if (!m_enteredRoom && !m_leaving && m_client.state() != CallState::Listening &&
            m_client.state() != CallState::Ringing)
            finish(kExitCallHostRefused, codeAndMessage);
    });

    m_connectPoll.setInterval(50);
    connect(&m_connectPoll, &QTimer::timeout, this, &CallParticipant::onConnectPoll);
    m_deadline.setSingleShot(true);
    connect(&m_deadline, &QTimer::timeout, this, [this] {
        if (!m_client.connected())
            finish(kExitCallConnection,
                   QStringLiteral("the room host could not be reached in %1 s").arg(m_plan.timeoutSeconds));
        else if (!m_enteredRoom && m_plan.mode != CallPlan::Mode::Listen)
            finish(kExitCallTimeout,
                   QStringLiteral("not in the room after %1 s").arg(m_plan.timeoutSeconds));
    });
    m_duration.setSingleShot(true);
    connect(&m_duration, &QTimer::timeout, this, [this] { leave("duration"); });
    connect(&m_pose, &QTimer::timeout, this, &CallParticipant::onPoseTick);
    m_summary.setInterval(1000);
    connect(&m_summary, &QTimer::timeout, this, [this] { flushFrameSummaries(false); });

    // stdin: one command per line; SIGTERM and SIGINT: leave.
    if (::pipe2(g_signalPipe, O_CLOEXEC | O_NONBLOCK) == 0) {
        (void)std::signal(SIGTERM, onUnixSignal);
        (void)std::signal(SIGINT, onUnixSignal);
        m_signals = std::make_unique<QSocketNotifier>(g_signalPipe[0], QSocketNotifier::Read);
        connect(m_signals.get(), &QSocketNotifier::activated, this, &CallParticipant::onSignal);
    }
    m_stdin = std::make_unique<QSocketNotifier>(STDIN_FILENO, QSocketNotifier::Read);
    connect(m_stdin.get(), &QSocketNotifier::activated, this, &CallParticipant::onStdin);
}

CallParticipant::~CallParticipant() {
    m_signals.reset();
    if (g_signalPipe[0] >= 0) {
        (void)std::signal(SIGTERM, SIG_DFL);
        (void)std::signal(SIGINT, SIG_DFL);
        ::close(g_signalPipe[0]);
        ::close(g_signalPipe[1]);
        g_signalPipe[0] = g_signalPipe[1] = -1;
    }
}

int CallParticipant::run() {
    emitEvent("handle", {{"handle", QString::fromStdString(m_plan.ownHandle)}});
    m_client.connectToHost();
    m_connectPoll.start();
    m_deadline.start(m_plan.timeoutSeconds * 1000);
    m_summary.start();
    while (!m_finished)
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents);
    return m_exitCode;
}

void CallParticipant::emitEvent(const char* name, QJsonObject fields) {
    fields.insert("event", QString::fromLatin1(name));
    std::cout << QJsonDocument(fields).toJson(QJsonDocument::Compact).toStdString() << std::endl;
}

bool CallParticipant::inRoom() const {
    const CallState s = m_client.state();
    return s == CallState::Verifying || s == CallState::Inviting || s == CallState::InCall;
}

void CallParticipant::onConnectPoll() {
    if (m_started || !m_client.connected())
        return;
    m_started = true;
    m_connectPoll.stop();
    emitEvent("connected", {});
    switch (m_plan.mode) {
    case CallPlan::Mode::Create:
        m_client.create(m_plan.policy);
        break;
    case CallPlan::Mode::Join:
        m_client.join(m_plan.roomId, m_plan.roomUri, m_plan.roomCode);
        break;
    case CallPlan::Mode::Listen:
        m_deadline.stop();
        m_client.listen();
        break;
    }
}

void CallParticipant::onStateChanged(CallState state) {
    QJsonObject o{{"state", qs(calls::callStateName(state))}};
    if (state == CallState::Ended)
        o.insert("reason", qs(calls::endReasonName(m_client.setup().endReason())));
    emitEvent("state", o);
    if (inRoom() && !m_enteredRoom) {
        m_enteredRoom = true;
        m_deadline.stop();
        const auto& setup = m_client.setup();
        emitEvent("joined", {{"participantId", qint64(setup.participantId())},
                             {"roomId", QString::fromStdString(setup.roomId())},
                             {"roomUri", QString::fromStdString(setup.roomUri())},
                             {"protection", protectionName(setup.policy())},
                             {"integrityOnly", m_client.integrityOnly()},
                             {"peers", qint64(setup.peers().size())}});
        // The invitations ring once we are in the room we created.
        for (const auto& handle : m_plan.invites) {
            emitEvent("invite", {{"handle", QString::fromStdString(handle)}});
            m_client.invite(handle);
        }
        if (m_plan.poseRate > 0)
            m_pose.start(std::max(1, static_cast<int>(1000.0 / m_plan.poseRate)));
        if (m_plan.durationSeconds && *m_plan.durationSeconds > 0)
            m_duration.start(*m_plan.durationSeconds * 1000);
    }
    if (state == CallState::Left) {
        finish(m_failure.value_or(kExitOk), QStringLiteral("left"));
    } else if (state == CallState::Ended) {
        const calls::EndReason reason = m_client.setup().endReason();
        finish(m_leaving ? m_failure.value_or(kExitOk) : exitCodeForEnd(reason),
               qs(calls::endReasonName(reason)));
    } else if (m_enteredRoom && !inRoom() && state != CallState::Reconnecting &&
               state != CallState::Ringing) {
        // Back to Idle/Listening without passing Left or Ended: the call is over.
        finish(m_leaving ? m_failure.value_or(kExitOk) : kExitCallConnection, qs(calls::callStateName(state)));
    }
}

void CallParticipant::onPoseTick() {
    if (m_client.state() != CallState::InCall && m_client.state() != CallState::Verifying)
        return;
    if (m_client.frameEpoch() == 0)
        return; // not keyed yet
    if (m_client.sendAnimation(scriptedPose(m_sent, m_plan.poseRate)).ok())
        ++m_sent;
}

void CallParticipant::onStdin() {
    char buffer[4096];
    const ssize_t n = ::read(STDIN_FILENO, buffer, sizeof buffer);
    if (n <= 0) {
        m_stdin->setEnabled(false);
        // Without --duration the call lasts as long as the input; with it, end of input means
        // nothing (a participant started in the background).
        if (!m_plan.durationSeconds)
            leave("end of input");
        return;
    }
    m_stdinBuffer.append(buffer, static_cast<std::size_t>(n));
    for (std::size_t eol; (eol = m_stdinBuffer.find('\n')) != std::string::npos;) {
        const QString line = QString::fromUtf8(m_stdinBuffer.data(), static_cast<qsizetype>(eol)).trimmed();
        m_stdinBuffer.erase(0, eol + 1);
        if (!line.isEmpty())
            command(line);
    }
    if (m_stdinBuffer.size() > 4096)
        m_stdinBuffer.clear(); // a line that long is no command
}

void CallParticipant::command(const QString& line) {
    const QStringList words = line.split(QLatin1Char(' '), Qt::SkipEmptyParts);
    const QString verb = words.value(0);
    if (verb == QLatin1String("leave")) {
        leave("command");
    } else if (verb == QLatin1String("invite") && words.size() == 2) {
        emitEvent("invite", {{"handle", words.at(1)}});
        m_client.invite(words.at(1).toStdString());
    } else if (verb == QLatin1String("accept")) {
        m_client.accept();
    } else if (verb == QLatin1String("decline")) {
        m_client.decline();
    } else if (verb == QLatin1String("rekey")) {
        m_client.rekeyNow();
    } else {
        emitEvent("command-unknown",
                  {{"line", line}, {"known", "leave | invite HANDLE | accept | decline | rekey"}});
    }
}

void CallParticipant::requestLeave() { leave("call leave"); }

void CallParticipant::onSignal() {
    char c[16];
    while (::read(g_signalPipe[0], c, sizeof c) > 0) {
    }
    leave("signal");
}

void CallParticipant::leave(const char* why) {
    if (m_finished)
        return;
    emitEvent("leaving", {{"why", QString::fromLatin1(why)}});
    m_leaving = true;
    m_pose.stop();
    const CallState s = m_client.state();
    if (inRoom() || s == CallState::Reconnecting || s == CallState::Creating || s == CallState::Joining) {
        m_client.leave();
        if (m_client.state() != CallState::Left && m_client.state() != CallState::Ended)
            finish(m_failure.value_or(kExitOk), QStringLiteral("left"));
        return;
    }
    if (s == CallState::Ringing)
        m_client.decline();
    finish(m_failure.value_or(kExitOk), QStringLiteral("left"));
}

void CallParticipant::flushFrameSummaries(bool all) {
    for (auto& [id, f] : m_frames) {
        if (!f.changed && !all)
            continue;
        f.changed = false;
        QJsonObject refused;
        std::uint64_t total = 0;
        for (const auto& [code, count] : f.refused) {
            refused.insert(code, qint64(count));
            total += count;
        }
        QJsonObject o{{"participantId", qint64(id)}, {"received", qint64(f.received)},
                      {"refused", qint64(total)}, {"refusedReasons", refused}};
        if (!f.lastRefusal.isEmpty())
            o.insert("lastRefusal", f.lastRefusal);
        emitEvent("frames", o);
    }
    if (m_sent != m_sentReported || (all && m_sent > 0)) {
        m_sentReported = m_sent;
        emitEvent("frames-sent", {{"sent", qint64(m_sent)}, {"epoch", qint64(m_client.frameEpoch())}});
    }
}

void CallParticipant::finish(int code, const QString& why) {
    if (m_finished)
        return;
    m_finished = true;
    m_pose.stop();
    m_summary.stop();
    m_deadline.stop();
    m_duration.stop();
    m_connectPoll.stop();
    flushFrameSummaries(true);
    if (code == kExitOk && m_plan.requireVerified) {
        QJsonArray notVerified;
        for (const auto& [id, state] : m_lastState)
            if (state != qs(security::overallStateName(security::OverallState::Verified)))
                notVerified.append(qint64(id));
        if (!notVerified.isEmpty()) {
            emitEvent("not-verified", {{"participants", notVerified}});
            code = kExitCallNotVerified;
        }
    }
    m_exitCode = code;
    emitEvent("left", {{"exitCode", code}, {"why", why}});
    m_client.disconnectFromHost();
}

} // namespace twinseal::ctl
