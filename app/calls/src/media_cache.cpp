#include "twinseal/calls/media_cache.h"

#include <QDir>
#include <QFileInfo>

#include <twinseal/security/bytes.h>

namespace twinseal::calls {

using namespace twinseal::security;

namespace {
QString hexOf(const Digest& d) { return QString::fromStdString(toHex(ByteView(d.data(), d.size()))); }
} // namespace

MediaCache::MediaCache(QString dir) : m_dir(std::move(dir)) {}

QString MediaCache::packageDir(const Digest& root) const { return QDir(m_dir).filePath(hexOf(root)); }
QString MediaCache::manifestFile(const Digest& root) const {
    return QDir(m_dir).filePath(hexOf(root) + QStringLiteral(".manifest"));
}
QString MediaCache::stagingDirectory(const Digest& root) const {
    QString staging = QDir(m_dir).filePath(hexOf(root) + QStringLiteral(".download"));
    QDir(staging).removeRecursively();
    return staging;
}

std::optional<CachedMedia> MediaCache::find(const Digest& root) {
    if (auto it = m_entries.find(root); it != m_entries.end())
        return it->second;
    if (!QFileInfo(packageDir(root)).isDir())
        return std::nullopt;
    auto manifest = readFile(manifestFile(root).toStdString());
    if (!manifest.ok())
        return std::nullopt;
    CachedMedia entry{std::move(*manifest), packageDir(root)};
    m_entries.emplace(root, entry);
    return entry;
}

Result<CachedMedia> MediaCache::commit(const Digest& root, const Bytes& manifest) {
    QString staging = QDir(m_dir).filePath(hexOf(root) + QStringLiteral(".download"));
    const QString target = packageDir(root);
    QDir(target).removeRecursively();
    if (!QDir().rename(staging, target))
        return makeError(ErrorCode::IoError, "the downloaded avatar could not be moved into the media cache at " +
                                                 target.toStdString());
    TWINSEAL_TRY(writeFileAtomic(manifestFile(root).toStdString(), manifest, false));
    CachedMedia entry{manifest, target};
    m_entries[root] = entry;
    return entry;
}

void MediaCache::evict(const Digest& root) {
    m_entries.erase(root);
    QDir(packageDir(root)).removeRecursively();
    QFile::remove(manifestFile(root));
}

} // namespace twinseal::calls
