// Runs twinsealctl as a user would: its own process, no terminal, the passphrase (if any) in
// TWINSEAL_PASSPHRASE on top of `environment`. Shared by the twinsealctl tests.
#pragma once

#include <QProcess>
#include <QProcessEnvironment>
#include <QStringList>

namespace twinseal::test {

struct CtlRun {
    int exitCode = -1; // -1: did not finish in time; -2: crashed
    QString out;
    QString err;
};

inline CtlRun runTwinsealctl(const QStringList& args, const QString& passphrase,
                             QProcessEnvironment environment) {
    QProcess p;
    environment.remove("TWINSEAL_PASSPHRASE");
    if (!passphrase.isEmpty())
        environment.insert("TWINSEAL_PASSPHRASE", passphrase);
    p.setProcessEnvironment(environment);
    p.setStandardInputFile(QProcess::nullDevice());
    p.start(TWINSEALCTL_PATH, args);
    CtlRun run;
    if (!p.waitForFinished(120000))
        return run;
    run.out = QString::fromUtf8(p.readAllStandardOutput());
    run.err = QString::fromUtf8(p.readAllStandardError());
    run.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2;
    return run;
}

} // namespace twinseal::test
