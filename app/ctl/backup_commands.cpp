// twinsealctl backup / restore: a twin's data directory in one passphrase-sealed file, and back
// onto another machine (twinseal/twin/twin_backup.h).
#include <QCommandLineParser>
#include <QDir>

#include <twinseal/security/audit.h>
#include <twinseal/twin/data_layout.h>
#include <twinseal/twin/twin_backup.h>

#include "cli.h"
#include "commands.h"

namespace twinseal::ctl {

int cmdBackup(const QStringList& args) {
    QCommandLineParser p;
    p.addOptions({{"data-dir", "The twin's data directory (the desktop client's).", "dir"},
                  {"out", "The backup file to write (outside the data directory).", "file"}});
    addPassphraseOption(p);
    if (auto rc = parseCommand(
            p, args,
            "Back up a twin: its keys (still encrypted under your own passphrase), credential, "
            "manifest, settings and activity log, in one file sealed under a new backup "
            "passphrase (asked twice, at least 12 characters)."))
        return *rc;
    if (auto rc = require(p, {"data-dir", "out"}))
        return *rc;
    auto pass = readPassphrase(p, "Backup passphrase: ", true);
    if (!pass.ok())
        return fail(pass.error());
    auto summary = twin::writeTwinBackup(p.value("data-dir"), *pass, p.value("out"));
    forget(*pass);
    if (!summary.ok())
        return fail(summary.error());
    out("backed up " + std::to_string(summary->files) + " files to " +
        p.value("out").toStdString() + " (" + std::to_string(summary->bytes) + " bytes)");
    return kExitOk;
}

int cmdRestore(const QStringList& args) {
    QCommandLineParser p;
    p.addOptions({{"in", "The backup file.", "file"},
                  {"data-dir", "Where to restore the twin (absent, empty, or without a twin).",
                   "dir"}});
    addPassphraseOption(p);
    if (auto rc = parseCommand(
            p, args,
            "Restore a twin from a backup onto this machine: the whole backup is checked before "
            "anything is written, and a data directory that holds a twin is never overwritten. "
            "The restored activity log is verified."))
        return *rc;
    if (auto rc = require(p, {"in", "data-dir"}))
        return *rc;
    auto pass = readPassphrase(p, "Backup passphrase: ", false);
    if (!pass.ok())
        return fail(pass.error());
    auto summary = twin::restoreTwinBackup(p.value("in"), *pass, p.value("data-dir"));
    forget(*pass);
    if (!summary.ok())
        return fail(summary.error());
    out("restored " + std::to_string(summary->files) + " files into " +
        p.value("data-dir").toStdString());
    // The activity log as restored: its chain and the signatures of its checkpoints (the app
    // checks it against its sealed anchor once unlocked).
    const QString log = QDir(p.value("data-dir")).filePath(QString::fromUtf8(twin::layout::kAuditLog));
    if (QFileInfo::exists(log)) {
        auto data = readBinary(log);
        if (!data.ok())
            return fail(data.error());
        const security::AuditVerification r = security::verifyAuditData(*data, {});
        if (!r.ok())
            return fail(security::makeError(r.code, r.detail));
        out("activity log verified: " + std::to_string(r.entries.size()) + " entries, " +
            std::to_string(r.checkpoints.size()) + " checkpoints");
    }
    return kExitOk;
}

} // namespace twinseal::ctl
