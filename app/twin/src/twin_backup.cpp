#include "twinseal/twin/twin_backup.h"

#include <QDataStream>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>

#include <twinseal/security/bytes.h>
#include <twinseal/security/passphrase_policy.h>
#include <twinseal/security/sealed_file.h>

#include "twinseal/twin/data_layout.h"

namespace twinseal::twin {

using security::ErrorCode;
using security::makeError;

namespace {

constexpr std::string_view kKind = "TWINSEAL-TWIN-BACKUP";
constexpr char kPayloadMagic[] = "twinseal-twin-backup-v1";
constexpr qint64 kMaxBackupBytes = qint64{8} * 1024 * 1024 * 1024;

security::ByteView bv(const QByteArray& b) {
    return {reinterpret_cast<const std::uint8_t*>(b.constData()), static_cast<std::size_t>(b.size())};
}

void cleanse(QByteArray& b) {
    if (!b.isEmpty())
        security::cleanse(b.data(), static_cast<std::size_t>(b.size()));
}

struct Entry {
    QString path; // relative, '/'-separated
    QByteArray bytes;
    bool secret = false; // owner-only on disk
};

// A relative path inside the data directory: no absolute path, no "..", no empty part.
bool isInside(const QString& path) {
    if (path.isEmpty() || path.startsWith(QLatin1Char('/')) || path.contains(QLatin1Char('\\')) ||
        path.size() > 1024)
        return false;
    for (const QString& part : path.split(QLatin1Char('/')))
        if (part.isEmpty() || part == QLatin1String(".") || part == QLatin1String(".."))
            return false;
    return true;
}

} // namespace

bool holdsTwin(const QString& dataDir) {
    const QDir dir(dataDir);
    for (const char* name : {layout::kProfile, layout::kHolderKey, layout::kAuditLog, layout::kCredential})
        if (QFileInfo::exists(dir.filePath(QString::fromUtf8(name))))
            return true;
    return false;
}

security::Result<TwinBackupSummary> writeTwinBackup(const QString& dataDir,
                                                    std::string_view passphrase,
                                                    const QString& outFile) {
    if (security::assessPassphrase(passphrase).strength == security::PassphraseStrength::TooShort)
        return makeError(ErrorCode::InvalidArgument,
                         "the backup passphrase must have at least " +
                             std::to_string(security::kMinPassphraseLength) + " characters");
    const QString root = QFileInfo(dataDir).canonicalFilePath();
    if (root.isEmpty() || !holdsTwin(root))
        return makeError(ErrorCode::IoError, "no twin in " + dataDir.toStdString());
    const QString out = QFileInfo(outFile).absoluteFilePath();
    if (out.startsWith(root + QLatin1Char('/')))
        return makeError(ErrorCode::InvalidArgument,
                         "write the backup outside the data directory it backs up");
    QList<Entry> entries;
    QDirIterator it(root, QDir::Files | QDir::Hidden | QDir::NoSymLinks, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString file = it.next();
        const QString rel = QDir(root).relativeFilePath(file);
        if (rel.endsWith(QLatin1String(".lock")) || rel.contains(QLatin1String(".tmp")))
            continue; // a lock, or a write in progress
        auto bytes = security::readFile(file.toStdString());
        if (!bytes.ok())
            return bytes.error();
        const auto perms = QFile::permissions(file);
        entries.append({rel,
                        QByteArray(reinterpret_cast<const char*>(bytes->data()),
                                   static_cast<qsizetype>(bytes->size())),
                        !(perms & (QFileDevice::ReadGroup | QFileDevice::ReadOther))});
        security::cleanse(bytes->data(), bytes->size());
    }
    QByteArray plain;
    {
        QDataStream s(&plain, QIODevice::WriteOnly);
        s.setVersion(QDataStream::Qt_6_4);
        s << QByteArray(kPayloadMagic) << QFileInfo(dataDir).absoluteFilePath() << quint32(entries.size());
        for (Entry& e : entries) {
            s << e.path << e.bytes << e.secret;
            cleanse(e.bytes);
        }
    }
    auto sealed = security::sealFile(kKind, bv(plain), passphrase, "twinseal twin backup");
    cleanse(plain);
    TWINSEAL_TRY(sealed);
    TWINSEAL_TRY(security::writeFileAtomic(out.toStdString(), *sealed, true));
    return TwinBackupSummary{int(entries.size()), static_cast<qint64>(sealed->size())};
}

security::Result<TwinBackupSummary> restoreTwinBackup(const QString& inFile,
                                                      std::string_view passphrase,
                                                      const QString& dataDir) {
    QFile f(inFile);
    if (!f.open(QIODevice::ReadOnly))
        return makeError(ErrorCode::IoError, "cannot read " + inFile.toStdString());
    if (f.size() > kMaxBackupBytes)
        return makeError(ErrorCode::NotABackup, inFile.toStdString() + " is too large for a backup");
    const QByteArray file = f.readAll();
    auto opened = security::openSealedFile(kKind, bv(file), passphrase);
    if (!opened.ok()) {
        if (opened.code() == ErrorCode::WrongPassphrase)
            return makeError(ErrorCode::WrongPassphrase,
                             "the passphrase does not open this backup: type the passphrase "
                             "chosen when it was made");
        return opened.error();
    }
    QByteArray plain(reinterpret_cast<const char*>(opened->data()), static_cast<qsizetype>(opened->size()));
    QList<Entry> entries;
    QString sourceRoot; // the data directory it was backed up from
    {
        QDataStream s(plain);
        s.setVersion(QDataStream::Qt_6_4);
        QByteArray magic;
        quint32 count = 0;
        s >> magic >> sourceRoot >> count;
        if (magic != QByteArray(kPayloadMagic) || s.status() != QDataStream::Ok || count > 100000) {
            cleanse(plain);
            return makeError(ErrorCode::BackupCorrupted, "the backup's contents are not a twin's");
        }
        for (quint32 i = 0; i < count && s.status() == QDataStream::Ok; ++i) {
            Entry e;
            s >> e.path >> e.bytes >> e.secret;
            entries.append(std::move(e));
        }
        const bool ok = s.status() == QDataStream::Ok && s.atEnd();
        cleanse(plain);
        if (!ok)
            return makeError(ErrorCode::BackupCorrupted, "the backup's contents are damaged");
    }
    auto wipe = [&entries] {
        for (Entry& e : entries)
            cleanse(e.bytes);
    };
    for (const Entry& e : entries)
        if (!isInside(e.path)) {
            wipe();
            return makeError(ErrorCode::BackupCorrupted,
                             "the backup names a file outside the data directory");
        }
    if (holdsTwin(dataDir)) {
        wipe();
        return makeError(ErrorCode::RestoreTargetNotEmpty,
                         dataDir.toStdString() +
                             " holds a twin already: restore into another data directory, or "
                             "move that twin away first");
    }
    // Written beside the target, then moved into place.
    const QString target = QFileInfo(dataDir).absoluteFilePath();
    // twin.json names the avatar folder; one inside the old data directory (the sample avatar's
    // copy, an avatar received by transfer) is inside the new one now. (A folder of the owner's
    // elsewhere is not in the backup: the owner copies it along.)
    for (Entry& e : entries) {
        if (e.path != QLatin1String(layout::kState) || sourceRoot.isEmpty())
            continue;
        QJsonObject state = QJsonDocument::fromJson(e.bytes).object();
        const QString avatar = state.value(QStringLiteral("avatarDir")).toString();
        if (avatar.startsWith(sourceRoot + QLatin1Char('/'))) {
            state.insert(QStringLiteral("avatarDir"), target + avatar.mid(sourceRoot.size()));
            e.bytes = QJsonDocument(state).toJson();
        }
    }
    const QString staging = target + QStringLiteral(".restoring");
    QDir(staging).removeRecursively();
    for (const Entry& e : entries) {
        const QString path = QDir(staging).filePath(e.path);
        QDir().mkpath(QFileInfo(path).absolutePath());
        if (auto st = security::writeFileAtomic(path.toStdString(), bv(e.bytes), e.secret); !st.ok()) {
            wipe();
            QDir(staging).removeRecursively();
            return st.error();
        }
    }
    wipe();
    QFile::setPermissions(staging, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    // An existing target without a twin (e.g. only a first run's settings) is set aside first.
    QString aside;
    if (QFileInfo::exists(target)) {
        aside = target + QStringLiteral(".before-restore");
        QDir(aside).removeRecursively();
        if (!QDir().rename(target, aside)) {
            QDir(staging).removeRecursively();
            return makeError(ErrorCode::IoError, "cannot move " + target.toStdString() + " aside");
        }
    }
    if (!QDir().rename(staging, target)) {
        if (!aside.isEmpty())
            (void)QDir().rename(aside, target);
        QDir(staging).removeRecursively();
        return makeError(ErrorCode::IoError, "cannot move the restored twin into " + target.toStdString());
    }
    if (!aside.isEmpty())
        QDir(aside).removeRecursively();
    return TwinBackupSummary{int(entries.size()), static_cast<qint64>(file.size())};
}

} // namespace twinseal::twin
