// The replay cache kept in a file: one line per assertion presented, "<origid> <expiry>" (Unix
// seconds; lines past their expiry are dropped when read).
//
// withCache() is the check-and-insert: it holds the file exclusively (an in-process mutex per
// file and a lock file across processes) while the cache is loaded, the caller verifies (which
// checks and remembers the assertion in one step, see ReplayCache::insertIfNew) and the cache is
// saved. Two verifications of one assertion, in two threads or two processes, never both pass.
#pragma once

#include <QString>

#include <functional>

#include <twinseal/security/verify.h>

namespace twinseal::twin {

class ReplayFile {
public:
    explicit ReplayFile(QString path);

    [[nodiscard]] const QString& path() const noexcept { return m_path; }

    // Loads the cache (entries alive at `now`), runs `use` on it under the lock, and saves the
    // cache atomically. IoError when the file cannot be locked, read or written.
    [[nodiscard]] security::Status
    withCache(std::int64_t now, const std::function<void(security::ReplayCache&)>& use) const;

    [[nodiscard]] static std::string encode(const security::ReplayCache& cache);
    // MalformedInput for a line that is not "<origid> <expiry>".
    [[nodiscard]] static security::Status decode(const std::string& text, std::int64_t now,
                                                 security::ReplayCache& into);

private:
    QString m_path;
};

} // namespace twinseal::twin
