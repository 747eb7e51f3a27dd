// Backup and restore of a home network: `twinseal-homenet backup` while the service serves, and
// `twinseal-homenet restore` onto a fresh data directory and database (SQLite or PostgreSQL,
// either way round).
//
// A backup holds the sealed operator keys (the files of keys/, as they are) and every table of
// the database read in one consistent snapshot, sealed as a whole under the operator passphrase
// (scrypt, AES-256-GCM) and preceded by a plain header with its length and SHA-256, so a
// truncated or corrupted file is named as such before any passphrase is tried. A restore checks
// everything before it writes anything: a refused backup leaves the target as it was.
//
// The restored service continues from the snapshot without going back on what clients may have
// seen after it: every subscriber's SQN moves 2^20 steps ahead (within the USIM's delta), the
// status list's next sequence is above any the old service can have published, pending
// authentications, AKMA keys and recorded answers are dropped (every client authenticates
// afresh, so a request signed after the backup cannot be replayed), and the transparency log
// grows from the snapshot's head (proofs from any older head verify).
#pragma once

#include <QString>

#include <string>

#include "twinseal/service/service_error.h"
#include "twinseal/service/store.h"

namespace twinseal::service {

struct BackupSummary {
    qint64 createdAt = 0;
    int tables = 0;
    qint64 rows = 0;
    int keyFiles = 0;
    qint64 bytes = 0; // of the backup file
};

// Writes the backup of the service whose keys are in `dataDir` and whose database `store` has
// open to `outFile` (atomically, mode 0600), sealed under `passphrase` (the operator's).
[[nodiscard]] ServiceResult<BackupSummary> writeBackup(const QString& dataDir, Store& store,
                                                       const std::string& passphrase,
                                                       const QString& outFile, qint64 now);

// Restores `inFile` into `dataDir` (no operator keys there yet) and `database` (empty: SQLite
// in dataDir; no subscriber or log entry there yet). Refusals: backup-unreadable,
// not-a-backup, backup-truncated, backup-corrupted, backup-passphrase-wrong,
// backup-version-unsupported, restore-target-not-empty, storage-unavailable.
[[nodiscard]] ServiceResult<BackupSummary> restoreBackup(const QString& inFile,
                                                         const std::string& passphrase,
                                                         const QString& dataDir,
                                                         const QString& database, qint64 now);

} // namespace twinseal::service
