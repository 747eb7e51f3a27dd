// The kill tests' side of twinseal-test-kill-helper (kill_helper.cpp): the client's view-models
// in a process of their own, killed for real (SIGKILL) at a named point of an operation.
#pragma once

#include <QProcess>
#include <QProcessEnvironment>
#include <QStringList>
#include <QtTest>

#include <csignal>

namespace twinseal::test {

// Runs the helper (`args`: data directory, profile, passphrase, operation and its argument) with
// TWINSEAL_TEST_KILL_AT=`killAt`, waits for it and says whether it died of SIGKILL; when not,
// why (its exit and what it wrote) in `why`.
inline bool killedAt(const QString& killAt, const QStringList& args, QString* why) {
    QProcess helper;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("TWINSEAL_TEST_KILL_AT"), killAt);
    helper.setProcessEnvironment(env);
    helper.setProcessChannelMode(QProcess::MergedChannels);
    helper.start(QStringLiteral(TWINSEAL_KILL_HELPER_PATH), args);
    if (!helper.waitForStarted(10000) || !helper.waitForFinished(120000)) {
        helper.kill();
        helper.waitForFinished();
        *why = QStringLiteral("the helper did not start or did not stop: %1").arg(helper.errorString());
        return false;
    }
    const bool killed = helper.exitStatus() == QProcess::CrashExit && helper.exitCode() == SIGKILL;
    if (!killed)
        *why = QStringLiteral("the helper was not killed at %1 (exit %2, status %3): %4")
                   .arg(killAt)
                   .arg(helper.exitCode())
                   .arg(helper.exitStatus())
                   .arg(QString::fromLocal8Bit(helper.readAll()));
    return killed;
}

} // namespace twinseal::test
