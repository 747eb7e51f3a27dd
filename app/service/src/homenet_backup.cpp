#include "twinseal/service/homenet_backup.h"

#include <QDataStream>
#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <algorithm>

#include <twinseal/security/aka.h>
#include <twinseal/security/bytes.h>
#include <twinseal/security/keys.h>
#include <twinseal/security/sealed_file.h>

#include "service_util.h"
#include "twinseal/service/operator_keys.h"

namespace twinseal::service {

namespace {

using util::bv;

constexpr std::string_view kFileKind = "TWINSEAL-HOMENET-BACKUP";
constexpr char kPayloadMagic[] = "twinseal-homenet-backup-v1";
constexpr qint64 kMaxBackupBytes = qint64{16} * 1024 * 1024 * 1024;
// SEQ steps every subscriber's SQN moves on a restore: more authentications than the old
// service can have run for one subscriber since the backup (the per-subscriber start limit
// allows about 8,600 a day), and far inside the USIM's delta (2^28).
constexpr qint64 kRestoreSqnMargin = qint64{1} << (20 + security::kAkaIndBits); // in SQN units

ServiceError refuse(const char* code, const std::string& message) {
    return serviceError(400, code, message);
}

struct Payload {
    qint64 createdAt = 0;
    QString sourceBackend;
    QList<QPair<QString, QByteArray>> keyFiles;
    QList<Database::TableDump> tables;
};

QByteArray serialise(const Payload& p) {
    QByteArray out;
    QDataStream s(&out, QIODevice::WriteOnly);
    s.setVersion(QDataStream::Qt_6_4);
    s << QByteArray(kPayloadMagic) << p.createdAt << p.sourceBackend << quint32(p.keyFiles.size());
    for (const auto& [name, bytes] : p.keyFiles)
        s << name << bytes;
    s << quint32(p.tables.size());
    for (const auto& t : p.tables)
        s << t.name << t.columns << t.rows;
    return out;
}

std::optional<Payload> parse(const QByteArray& bytes) {
    QDataStream s(bytes);
    s.setVersion(QDataStream::Qt_6_4);
    Payload p;
    QByteArray magic;
    quint32 files = 0;
    s >> magic;
    if (magic != QByteArray(kPayloadMagic))
        return std::nullopt;
    s >> p.createdAt >> p.sourceBackend >> files;
    if (s.status() != QDataStream::Ok || files > 1000)
        return std::nullopt;
    for (quint32 i = 0; i < files; ++i) {
        QString name;
        QByteArray data;
        s >> name >> data;
        p.keyFiles.append({name, data});
    }
    quint32 tables = 0;
    s >> tables;
    if (s.status() != QDataStream::Ok || tables > 1000)
        return std::nullopt;
    for (quint32 i = 0; i < tables; ++i) {
        Database::TableDump t;
        s >> t.name >> t.columns >> t.rows;
        p.tables.append(std::move(t));
    }
    if (s.status() != QDataStream::Ok || !s.atEnd())
        return std::nullopt;
    return p;
}

// A key file's name as stored: a plain file name, nothing that could leave keys/.
bool isKeyFileName(const QString& name) {
    if (name.isEmpty() || name.size() > 64 || name.startsWith(QLatin1Char('.')))
        return false;
    for (const QChar c : name)
        if (!(c.isLetterOrNumber() || c == QLatin1Char('.') || c == QLatin1Char('-') ||
              c == QLatin1Char('_')))
            return false;
    return true;
}

void cleanse(QByteArray& b) {
    if (!b.isEmpty())
        security::cleanse(b.data(), static_cast<std::size_t>(b.size()));
}

} // namespace

ServiceResult<BackupSummary> writeBackup(const QString& dataDir, Store& store,
                                         const std::string& passphrase, const QString& outFile,
                                         qint64 now) {
    Payload payload;
    payload.createdAt = now;
    payload.sourceBackend =
        store.backend() == Store::Backend::Sqlite ? QStringLiteral("sqlite") : QStringLiteral("postgresql");
    BackupSummary summary;
    summary.createdAt = now;
    const QDir keys(QDir(dataDir).filePath(QStringLiteral("keys")));
    for (const QFileInfo& f : keys.entryInfoList(QDir::Files, QDir::Name)) {
        auto bytes = security::readFile(f.absoluteFilePath().toStdString());
        if (!bytes.ok())
            return serviceError(500, "backup-keys-unreadable",
                                "cannot read " + f.absoluteFilePath().toStdString());
        payload.keyFiles.append(
            {f.fileName(), QByteArray(reinterpret_cast<const char*>(bytes->data()),
                                      static_cast<qsizetype>(bytes->size()))});
    }
    if (payload.keyFiles.isEmpty())
        return serviceError(500, "not-initialised", "no operator keys in " + dataDir.toStdString());
    summary.keyFiles = int(payload.keyFiles.size());
    {
        // Every table as of one moment, while the service goes on writing.
        Database& db = store.database();
        auto tx = db.beginSnapshot();
        if (!tx.ok())
            return serviceError(503, "storage-unavailable", tx.error().detail);
        auto names = db.tableNames();
        if (!names.ok())
            return serviceError(503, "storage-unavailable", names.error().detail);
        for (const QString& name : *names) {
            auto dump = db.dumpTable(name);
            if (!dump.ok())
                return serviceError(503, "storage-unavailable", dump.error().detail);
            summary.rows += dump->rows.size();
            payload.tables.append(std::move(dump).value());
        }
        tx->rollback();
    }
    summary.tables = int(payload.tables.size());
    QByteArray plain = serialise(payload);
    payload.tables.clear();
    auto file = security::sealFile(kFileKind, bv(plain), passphrase, "twinseal-homenet backup");
    cleanse(plain);
    if (!file.ok())
        return fromSecurity(500, file.error());
    if (auto st = security::writeFileAtomic(outFile.toStdString(), *file, true); !st.ok())
        return serviceError(500, "backup-write-failed",
                            "cannot write " + outFile.toStdString() + ": " + st.error().detail);
    summary.bytes = static_cast<qint64>(file->size());
    return summary;
}

ServiceResult<BackupSummary> restoreBackup(const QString& inFile, const std::string& passphrase,
                                           const QString& dataDir, const QString& database,
                                           qint64 now) {
    // 1. The file: its header, length and digest, then the passphrase, then the contents.
    QFile f(inFile);
    if (!f.open(QIODevice::ReadOnly))
        return refuse("backup-unreadable", "cannot read " + inFile.toStdString());
    if (f.size() > kMaxBackupBytes)
        return refuse("not-a-backup", inFile.toStdString() + " is too large for a backup");
    const QByteArray bytes = f.readAll();
    auto plain = security::openSealedFile(kFileKind, bv(bytes), passphrase);
    if (!plain.ok()) {
        const std::string& detail = plain.error().detail;
        switch (plain.code()) {
        case security::ErrorCode::NotABackup:
            return refuse("not-a-backup", inFile.toStdString() + " is not a twinseal-homenet backup");
        case security::ErrorCode::BackupTruncated:
            return refuse("backup-truncated",
                          detail + "; copy the backup again from where it was written");
        case security::ErrorCode::WrongPassphrase:
            return refuse("backup-passphrase-wrong",
                          "the passphrase does not open this backup (or its sealed contents were "
                          "altered and its checksum redone): use the operator passphrase of the "
                          "home network it was taken from, and a copy you trust");
        case security::ErrorCode::UnsupportedVersion:
            return refuse("backup-version-unsupported", detail);
        default:
            return refuse("backup-corrupted", detail);
        }
    }
    QByteArray plainBytes(reinterpret_cast<const char*>(plain->data()), static_cast<qsizetype>(plain->size()));
    auto payload = parse(plainBytes);
    cleanse(plainBytes);
    if (!payload)
        return refuse("backup-corrupted", "the backup's contents are not a home network's");
    for (const auto& [name, data] : payload->keyFiles)
        if (!isKeyFileName(name))
            return refuse("backup-corrupted", "the backup names a key file that is not one");

    // 2. The target: no keys, and a database without subscribers or log.
    const QString staging = QDir(dataDir).filePath(QStringLiteral("keys.restoring"));
    if (QFileInfo::exists(staging))
        return refuse("restore-target-not-empty",
                      "an earlier restore into " + dataDir.toStdString() +
                          " was interrupted: remove that directory (and empty the database) and "
                          "restore again");
    if (OperatorKeys::exists(dataDir))
        return refuse("restore-target-not-empty",
                      "the data directory " + dataDir.toStdString() +
                          " has operator keys already: restore into a new one");
    if (!QDir().mkpath(dataDir))
        return serviceError(500, "data-dir-unusable", "cannot create " + dataDir.toStdString());
    QFile::setPermissions(dataDir, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    Store store;
    if (auto st = store.open(dataDir, database); !st.ok())
        return serviceError(503, "storage-unavailable", st.error().detail);
    Database& db = store.database();
    for (const char* table : {"subscribers", "log_entries", "dts"}) {
        auto n = db.rowCount(QString::fromLatin1(table));
        if (!n.ok())
            return serviceError(503, "storage-unavailable", n.error().detail);
        if (*n > 0)
            return refuse("restore-target-not-empty",
                          "the target database holds a home network already (" + std::string(table) +
                              "): restore into an empty one");
    }

    // 3. The keys beside the target (renamed into place last), then every table and the
    //    continuity adjustments in one transaction.
    if (!QDir().mkpath(staging))
        return serviceError(500, "data-dir-unusable", "cannot create " + staging.toStdString());
    // A refusal from here on takes the staged keys away again; a kill leaves them, and the
    // next restore says so.
    struct Staged {
        QString path;
        bool done = false;
        ~Staged() {
            if (!done)
                QDir(path).removeRecursively();
        }
    } staged{staging};
    for (const auto& [name, data] : payload->keyFiles)
        if (auto st = security::writeFileAtomic(QDir(staging).filePath(name).toStdString(), bv(data), true);
            !st.ok())
            return serviceError(500, "data-dir-unusable", st.error().detail);
    BackupSummary summary;
    summary.createdAt = payload->createdAt;
    summary.keyFiles = int(payload->keyFiles.size());
    summary.tables = int(payload->tables.size());
    auto tx = store.begin(true);
    if (!tx.ok())
        return serviceError(503, "storage-unavailable", tx.error().detail);
    for (const auto& table : payload->tables) {
        if (auto st = db.replaceRows(table); !st.ok())
            return st.code() == security::ErrorCode::InvalidArgument
                       ? refuse("backup-corrupted", "the backup does not fit this schema: " + st.error().detail)
                       : serviceError(503, "storage-unavailable", st.error().detail);
        summary.rows += table.rows.size();
    }
    const qint64 margin = kRestoreSqnMargin;
    auto statusSequence = store.meta().counter("status_list_sequence");
    auto statusRevision = store.meta().counter("status_revision");
    if (!statusSequence.ok() || !statusRevision.ok())
        return serviceError(503, "storage-unavailable", "cannot read the status-list counters");
    for (const auto& st : {db.exec("DELETE FROM akma_keys", {}), db.exec("DELETE FROM auth_sessions", {}),
                    db.exec("DELETE FROM request_outcomes", {}),
                    db.exec("UPDATE subscribers SET sqn = sqn + ? WHERE sqn <= ?",
                            {QVariant::fromValue(margin),
                             QVariant::fromValue(qint64(security::kAkaSqnMax) - margin)}),
                    // Above any sequence the old service published (one a millisecond at most).
                    store.meta().setCounter("status_list_sequence",
                                            std::max(*statusSequence, now * 1000)),
                    store.meta().setCounter("status_revision", *statusRevision + 1),
                    store.meta().setCounter("restored_at", now)}) {
        if (!st.ok())
            return serviceError(503, "storage-unavailable", st.error().detail);
    }
    if (auto st = tx->commit(); !st.ok())
        return serviceError(503, "storage-unavailable", st.error().detail);
    const QString keysDir = QDir(dataDir).filePath(QStringLiteral("keys"));
    if (!QDir().rename(staging, keysDir))
        return serviceError(500, "data-dir-unusable",
                            "cannot move the restored keys into " + keysDir.toStdString());
    staged.done = true;
    QFile::setPermissions(keysDir, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    summary.bytes = f.size();
    return summary;
}

} // namespace twinseal::service
