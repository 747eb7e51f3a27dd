// Verified avatar packages of peers, by media root: a package whose every chunk was verified
// while it streamed in is kept on disk (<dir>/<root hex>/ with its signed manifest next to it,
// <dir>/<root hex>.manifest) so that a known avatar is not fetched twice. A package from the
// cache is verified again against its manifest before it is used (verifyPeer's media check).
#pragma once

#include <QString>

#include <map>
#include <optional>

#include <twinseal/security/bytes.h>
#include <twinseal/security/crypto.h>
#include <twinseal/security/result.h>

namespace twinseal::calls {

struct CachedMedia {
    security::Bytes manifest; // the Signed manifest envelope
    QString directory;        // the package
};

class MediaCache {
public:
    explicit MediaCache(QString dir);

    [[nodiscard]] std::optional<CachedMedia> find(const security::Digest& root);
    // Where a download of `root` is written before it is complete (emptied first).
    [[nodiscard]] QString stagingDirectory(const security::Digest& root) const;
    // Moves a completely verified download into the cache.
    [[nodiscard]] security::Result<CachedMedia> commit(const security::Digest& root,
                                                       const security::Bytes& manifest);
    // Forgets `root` (a cached package that no longer verifies).
    void evict(const security::Digest& root);
    [[nodiscard]] const QString& dir() const noexcept { return m_dir; }

private:
    [[nodiscard]] QString packageDir(const security::Digest& root) const;
    [[nodiscard]] QString manifestFile(const security::Digest& root) const;

    QString m_dir;
    std::map<security::Digest, CachedMedia> m_entries;
};

} // namespace twinseal::calls
