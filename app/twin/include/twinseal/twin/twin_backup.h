// Backing up a twin and restoring it on another machine: every file of the data directory (the
// USIM profile, the encrypted holder key, the credential with its receipt, the manifest and the
// disclosures, the settings and privacy choices, the activity log with its key and anchor, the
// trusted roots, pins, kept tree heads and avatar copies), lock files aside, in one file sealed
// under a backup passphrase (security/sealed_file.h: scrypt, AES-256-GCM, with a plain header
// that names a truncated or damaged copy). The keys inside stay encrypted under the owner's own
// passphrase as well.
//
// A restore checks the whole backup before it writes anything, writes beside the target and
// renames into place, and refuses a data directory that holds a twin already: a refused restore
// leaves everything as it was. The restored twin is byte for byte the one backed up, so
// unlocking it verifies its activity log as on the first machine (and fails closed with
// audit-log-rolled-back when the home network holds a later checkpoint of that log: an older
// backup than the log it mirrored).
#pragma once

#include <QString>

#include <string_view>

#include <twinseal/security/result.h>

namespace twinseal::twin {

struct TwinBackupSummary {
    int files = 0;
    qint64 bytes = 0; // of the backup file
};

// Writes the backup of `dataDir` to `outFile` (atomically, owner-only). InvalidArgument for a
// passphrase the policy refuses or an output inside the data directory; IoError.
[[nodiscard]] security::Result<TwinBackupSummary>
writeTwinBackup(const QString& dataDir, std::string_view passphrase, const QString& outFile);

// Restores `inFile` into `dataDir` (absent, empty, or without a twin). IoError (unreadable),
// NotABackup, BackupTruncated, BackupCorrupted, WrongPassphrase, UnsupportedVersion,
// RestoreTargetNotEmpty.
[[nodiscard]] security::Result<TwinBackupSummary>
restoreTwinBackup(const QString& inFile, std::string_view passphrase, const QString& dataDir);

// Whether `dataDir` holds a twin (a profile, a holder key or an activity log).
[[nodiscard]] bool holdsTwin(const QString& dataDir);

} // namespace twinseal::twin
