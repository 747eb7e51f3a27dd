#include "twinseal/twin/sample_avatar.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>

#include <twinseal/security/bytes.h>
#include <twinseal/security/clock.h>
#include <twinseal/twin/twin_store.h>

namespace twinseal::twin {

using namespace twinseal::security;

namespace {

constexpr auto kMetadata = "avatar.json";

Error ioError(const QString& what) {
    return makeError(ErrorCode::IoError, what.toStdString());
}

Status copyTree(const QString& from, const QString& to) {
    QDirIterator it(from, QDir::Files | QDir::NoDotAndDotDot, QDirIterator::Subdirectories);
    bool any = false;
    while (it.hasNext()) {
        const QString file = it.next();
        const QString target = QDir(to).filePath(QDir(from).relativeFilePath(file));
        if (!QDir().mkpath(QFileInfo(target).path()) || !QFile::copy(file, target))
            return ioError("cannot copy " + file + " to " + target);
        QFile::setPermissions(target, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        any = true;
    }
    if (!any)
        return ioError("the sample avatar " + from + " has no files");
    return {};
}

Status markInstance(const QString& dir) {
    QFile meta(QDir(dir).filePath(QLatin1String(kMetadata)));
    QJsonObject o;
    if (meta.exists()) {
        if (!meta.open(QIODevice::ReadOnly))
            return ioError("cannot read " + meta.fileName());
        QJsonParseError error{};
        const QJsonDocument doc = QJsonDocument::fromJson(meta.readAll(), &error);
        meta.close();
        if (error.error != QJsonParseError::NoError || !doc.isObject())
            return ioError(meta.fileName() + " is not a JSON object: " + error.errorString());
        o = doc.object();
    }
    auto instance = SystemRandom::instance().bytes(16);
    if (!instance.ok())
        return instance.error();
    o.insert(QStringLiteral("instance"), QString::fromStdString(toHex(*instance)));
    if (!meta.open(QIODevice::WriteOnly | QIODevice::Truncate) ||
        meta.write(QJsonDocument(o).toJson()) < 0 || !meta.flush())
        return ioError("cannot write " + meta.fileName());
    return {};
}

} // namespace

Result<QString> ownSampleAvatar(const TwinStore& store, const QString& sampleDir) {
    const QString dir = store.path(layout::kSampleAvatarDir);
    // Kept as it is once made: it may be the media of the twin's credential.
    if (QFileInfo(dir).isDir())
        return dir;
    // Assembled beside its place and renamed into it: an interrupted copy is never used.
    const QString partial = dir + QStringLiteral(".partial");
    QDir(partial).removeRecursively();
    if (!QDir().mkpath(partial))
        return ioError("cannot create " + partial);
    if (auto st = copyTree(sampleDir, partial); !st.ok())
        return st.error();
    if (auto st = markInstance(partial); !st.ok())
        return st.error();
    if (!QDir().rename(partial, dir))
        return ioError("cannot move " + partial + " to " + dir);
    return dir;
}

} // namespace twinseal::twin
