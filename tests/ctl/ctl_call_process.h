// A headless call participant as a QA script runs it: `twinsealctl call ...` in its own process,
// the passphrase in TWINSEAL_PASSPHRASE, commands written to its stdin, and every JSON line it
// prints collected to be waited on (no timing assertions: waits end when a line arrives, with
// generous timeouts).
#pragma once

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

#include <functional>
#include <optional>
#include <vector>

namespace twinseal::test {

class CtlCallProcess {
public:
    CtlCallProcess(const QString& name, const QStringList& args, const QString& passphrase,
                   QProcessEnvironment environment)
        : m_name(name) {
        environment.remove("TWINSEAL_PASSPHRASE");
        environment.insert("TWINSEAL_PASSPHRASE", passphrase);
        m_process.setProcessEnvironment(environment);
        m_process.start(TWINSEALCTL_PATH, args);
    }
    ~CtlCallProcess() {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished(10000);
        }
    }
    CtlCallProcess(const CtlCallProcess&) = delete;
    CtlCallProcess& operator=(const CtlCallProcess&) = delete;

    // Every event printed so far.
    [[nodiscard]] const std::vector<QJsonObject>& events() {
        poll();
        return m_events;
    }
    // The first event (from `from` on) for which `match` holds, waiting up to `timeoutMs`.
    std::optional<QJsonObject> waitFor(const std::function<bool(const QJsonObject&)>& match,
                                       int timeoutMs = 120000, std::size_t from = 0) {
        QDeadlineTimer deadline(timeoutMs);
        for (;;) {
            poll();
            for (std::size_t i = from; i < m_events.size(); ++i)
                if (match(m_events[i]))
                    return m_events[i];
            if (deadline.hasExpired() || m_process.state() == QProcess::NotRunning)
                return std::nullopt;
            QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
            m_process.waitForReadyRead(50);
        }
    }
    std::optional<QJsonObject> waitForEvent(const QString& name, int timeoutMs = 120000) {
        return waitFor([&](const QJsonObject& e) { return e.value("event").toString() == name; }, timeoutMs);
    }
    // A peer-report of `state` for `participantId`.
    std::optional<QJsonObject> waitForReport(qint64 participantId, const QString& state, int timeoutMs = 120000) {
        return waitFor([&](const QJsonObject& e) {
            return e.value("event").toString() == QLatin1String("peer-report") &&
                   e.value("participantId").toInteger() == participantId &&
                   e.value("state").toString() == state;
        }, timeoutMs);
    }
    // A frames summary from `participantId` with at least `received` frames.
    std::optional<QJsonObject> waitForFrames(qint64 participantId, qint64 received, int timeoutMs = 120000) {
        return waitFor([&](const QJsonObject& e) {
            return e.value("event").toString() == QLatin1String("frames") &&
                   e.value("participantId").toInteger() == participantId &&
                   e.value("received").toInteger() >= received;
        }, timeoutMs);
    }
    void send(const QByteArray& line) { m_process.write(line + "\n"); }
    void closeInput() { m_process.closeWriteChannel(); }
    void terminate() { m_process.terminate(); } // SIGTERM
    // The exit code once it ended (-1: still running after `timeoutMs`, -2: crashed).
    int waitExit(int timeoutMs = 60000) {
        if (!m_process.waitForFinished(timeoutMs) && m_process.state() != QProcess::NotRunning)
            return -1;
        poll();
        return m_process.exitStatus() == QProcess::NormalExit ? m_process.exitCode() : -2;
    }
    // Everything it printed, for failure messages.
    [[nodiscard]] QString transcript() {
        poll();
        return m_name + " stdout:\n" + QString::fromUtf8(m_out) + "\n" + m_name + " stderr:\n" +
               QString::fromUtf8(m_err);
    }

private:
    void poll() {
        m_err += m_process.readAllStandardError();
        m_out += m_process.readAllStandardOutput();
        qsizetype eol;
        while ((eol = m_out.indexOf('\n', m_parsed)) >= 0) {
            const QByteArray line = m_out.mid(m_parsed, eol - m_parsed);
            m_parsed = eol + 1;
            const QJsonDocument doc = QJsonDocument::fromJson(line);
            if (doc.isObject())
                m_events.push_back(doc.object());
        }
    }

    QString m_name;
    QProcess m_process;
    QByteArray m_out;
    QByteArray m_err;
    qsizetype m_parsed = 0;
    std::vector<QJsonObject> m_events;
};

} // namespace twinseal::test
