// A twin's backup file (twin_backup.h over security/sealed_file.h) without a network: every
// file of a data directory (sub-folders, owner-only modes kept, lock files left out) comes back
// byte for byte into another directory; the header's length and checksum name a truncated or
// damaged copy before the passphrase is tried; a wrong passphrase, a foreign file, a newer
// format, a backup naming a path outside the data directory and a target holding a twin are
// refused with their own codes, and nothing is written then; an existing target without a twin
// is replaced whole.
#include <QDataStream>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <twinseal/security/crypto.h>
#include <twinseal/security/sealed_file.h>
#include <twinseal/twin/data_layout.h>
#include <twinseal/twin/twin_backup.h>

#include "testmain.h"

namespace {
namespace test_backup {

using namespace twinseal::security;
using namespace twinseal::twin;

namespace {

constexpr std::string_view kPass = "a backup passphrase";

void put(const QString& path, const QByteArray& bytes, bool secret = false) {
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        qFatal("cannot write %s", qPrintable(path));
    f.write(bytes);
    f.close();
    if (secret)
        f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
}

QByteArray get(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// Every file under `dir` with its bytes.
QMap<QString, QByteArray> contents(const QString& dir) {
    QMap<QString, QByteArray> out;
    QDirIterator it(dir, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString f = it.next();
        out.insert(QDir(dir).relativeFilePath(f), get(f));
    }
    return out;
}

// A data directory with a twin's files (their contents do not matter to the backup).
void makeTwin(const QString& dir) {
    const QDir d(dir);
    put(d.filePath(layout::kProfile), "profile bytes", true);
    put(d.filePath(layout::kHolderKey), "encrypted holder key", true);
    put(d.filePath(layout::kCredential), "credential");
    put(d.filePath(layout::kAuditLog), QByteArray(5000, 'L'));
    put(d.filePath(QStringLiteral("trust/root.pem")), "a root");
    put(d.filePath(QStringLiteral("log-heads/abc.tsth")), "a head");
    put(d.filePath(QStringLiteral("replay.txt.lock")), "12345");
    put(d.filePath(layout::kState),
        QJsonDocument(QJsonObject{{QStringLiteral("avatarDir"), d.filePath(QStringLiteral("sample-avatar"))},
                                  {QStringLiteral("dtId"), QStringLiteral("dt-1")}})
            .toJson());
}

Bytes bytesOf(const QByteArray& b) { return Bytes(b.begin(), b.end()); }

} // namespace

class BackupTest : public QObject {
    Q_OBJECT

  private slots:
    void everyFileComesBackIntoAnotherDirectory() {
        QTemporaryDir a, b, files;
        makeTwin(a.path());
        const QString backup = QDir(files.path()).filePath(QStringLiteral("t.tsbackup"));
        auto written = writeTwinBackup(a.path(), kPass, backup);
        QVERIFY2(written.ok(), written.ok() ? "" : written.error().message().c_str());
        QCOMPARE(written->files, 7); // the lock file is left out
        QCOMPARE(QFile::permissions(backup) & (QFileDevice::ReadGroup | QFileDevice::ReadOther),
                 QFileDevice::Permissions());
        const QString target = QDir(b.path()).filePath(QStringLiteral("restored"));
        auto restored = restoreTwinBackup(backup, kPass, target);
        QVERIFY2(restored.ok(), restored.ok() ? "" : restored.error().message().c_str());
        auto expected = contents(a.path());
        expected.remove(QStringLiteral("replay.txt.lock"));
        auto got = contents(target);
        // twin.json names the avatar folder inside the new directory; everything else is as it was.
        const QJsonObject state = QJsonDocument::fromJson(got.take(QString::fromLatin1(layout::kState))).object();
        expected.remove(QString::fromLatin1(layout::kState));
        QCOMPARE(state.value(QStringLiteral("avatarDir")).toString(),
                 QDir(target).filePath(QStringLiteral("sample-avatar")));
        QCOMPARE(state.value(QStringLiteral("dtId")).toString(), QStringLiteral("dt-1"));
        QCOMPARE(got, expected);
        QCOMPARE(QFile::permissions(QDir(target).filePath(layout::kHolderKey)) &
                     (QFileDevice::ReadGroup | QFileDevice::ReadOther),
                 QFileDevice::Permissions());
        QVERIFY(!QFileInfo::exists(target + QStringLiteral(".restoring")));
        // Onto it again: it holds a twin now, refused and left as it is.
        auto again = restoreTwinBackup(backup, kPass, target);
        QVERIFY(!again.ok());
        QCOMPARE(again.code(), ErrorCode::RestoreTargetNotEmpty);
        QCOMPARE(contents(target).size(), got.size() + 1);
    }

    void damagedForeignAndWrongOnesAreRefusedAndNothingIsWritten() {
        QTemporaryDir a, files;
        makeTwin(a.path());
        const QString backup = QDir(files.path()).filePath(QStringLiteral("t.tsbackup"));
        QVERIFY(writeTwinBackup(a.path(), kPass, backup).ok());
        const QByteArray good = get(backup);
        QByteArray flipped = good;
        flipped[flipped.size() / 2] = char(flipped[flipped.size() / 2] ^ 0x20);
        QByteArray newer = good;
        newer.replace("TWINSEAL-TWIN-BACKUP 1\n", "TWINSEAL-TWIN-BACKUP 2\n");
        const struct {
            const char* name;
            QByteArray bytes;
            std::string passphrase;
            ErrorCode code;
        } cases[] = {
            {"truncated", good.chopped(1), std::string(kPass), ErrorCode::BackupTruncated},
            {"one byte changed", flipped, std::string(kPass), ErrorCode::BackupCorrupted},
            {"a byte added", good + 'x', std::string(kPass), ErrorCode::BackupCorrupted},
            {"header damaged", QByteArray(good).replace("length ", "lenght "), std::string(kPass), ErrorCode::BackupCorrupted},
            {"wrong passphrase", good, "another passphrase", ErrorCode::WrongPassphrase},
            {"a home network's backup", QByteArray("TWINSEAL-HOMENET-BACKUP 1\n") + good.mid(good.indexOf('\n') + 1), std::string(kPass), ErrorCode::NotABackup},
            {"not a backup", QByteArray("{\"json\": true}"), std::string(kPass), ErrorCode::NotABackup},
            {"a newer format", newer, std::string(kPass), ErrorCode::UnsupportedVersion},
        };
        for (const auto& c : cases) {
            QTemporaryDir b;
            const QString file = QDir(b.path()).filePath(QStringLiteral("in"));
            put(file, c.bytes);
            const QString target = QDir(b.path()).filePath(QStringLiteral("restored"));
            auto r = restoreTwinBackup(file, c.passphrase, target);
            QVERIFY2(!r.ok(), c.name);
            QVERIFY2(r.code() == c.code, (std::string(c.name) + ": " + r.error().message()).c_str());
            QVERIFY2(!QFileInfo::exists(target) && !QFileInfo::exists(target + QStringLiteral(".restoring")), c.name);
        }
    }

    // A backup sealed with the right passphrase whose contents name a file outside the data
    // directory (as a crafted one would): refused before anything is written.
    void aPathOutsideTheDataDirectoryIsRefused() {
        QTemporaryDir b;
        for (const QString& evil : {QStringLiteral("../escaped"), QStringLiteral("/etc/evil"),
                                    QStringLiteral("trust/../../escaped"), QStringLiteral("a//b")}) {
            QByteArray plain;
            QDataStream s(&plain, QIODevice::WriteOnly);
            s.setVersion(QDataStream::Qt_6_4);
            s << QByteArrayLiteral("twinseal-twin-backup-v1") << QStringLiteral("/old") << quint32(2)
              << QString::fromLatin1(layout::kProfile) << QByteArray("p") << true << evil
              << QByteArray("x") << false;
            auto sealed = sealFile("TWINSEAL-TWIN-BACKUP", bytesOf(plain), kPass, {}, {1u << 10, 8, 1});
            QVERIFY(sealed.ok());
            const QString file = QDir(b.path()).filePath(QStringLiteral("crafted"));
            put(file, QByteArray(reinterpret_cast<const char*>(sealed->data()), qsizetype(sealed->size())));
            const QString target = QDir(b.path()).filePath(QStringLiteral("restored"));
            auto r = restoreTwinBackup(file, kPass, target);
            QVERIFY(!r.ok());
            QCOMPARE(r.code(), ErrorCode::BackupCorrupted);
            QVERIFY(!QFileInfo::exists(target));
            QVERIFY(!QFileInfo::exists(QDir(b.path()).filePath(QStringLiteral("escaped"))));
        }
    }

    // A directory without a twin (a first run's settings) is replaced whole; a backup's passphrase
    // must pass the policy; a backup is not written inside the directory it backs up.
    void aTargetWithoutATwinIsReplacedAndThePolicyHolds() {
        QTemporaryDir a, b, files;
        makeTwin(a.path());
        const QString backup = QDir(files.path()).filePath(QStringLiteral("t.tsbackup"));
        QVERIFY(writeTwinBackup(a.path(), kPass, backup).ok());
        put(QDir(b.path()).filePath(layout::kSettings), "{\"theme\":\"dark\"}");
        QVERIFY(restoreTwinBackup(backup, kPass, b.path()).ok());
        QVERIFY(holdsTwin(b.path()));
        QVERIFY(!QFileInfo::exists(QDir(b.path()).filePath(layout::kSettings)));
        QVERIFY(!QFileInfo::exists(b.path() + QStringLiteral(".before-restore")));
        auto weak = writeTwinBackup(a.path(), "short", QDir(files.path()).filePath(QStringLiteral("w")));
        QVERIFY(!weak.ok());
        QCOMPARE(weak.code(), ErrorCode::InvalidArgument);
        auto inside = writeTwinBackup(a.path(), kPass, QDir(a.path()).filePath(QStringLiteral("in.tsbackup")));
        QVERIFY(!inside.ok());
        QCOMPARE(inside.code(), ErrorCode::InvalidArgument);
    }
};

TWINSEAL_TEST(BackupTest, "backup")
} // namespace test_backup
} // namespace

#include "test_backup.moc"
