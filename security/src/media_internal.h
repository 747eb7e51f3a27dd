// security/-internal: what the avatar-package, media-hashing, manifest and media-verification
// sources share (package listing, safe file access, the hashing tasks and their progress, path and
// manifest rules). Not installed, not included by callers.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <unistd.h>

#include "twinseal/security/manifest.h"

namespace twinseal::security::media_detail {

inline constexpr std::uint64_t kProgressStep = 4ull * 1024 * 1024;
inline constexpr std::uint64_t kNoChunk = std::numeric_limits<std::uint64_t>::max();
// The metadata file of a package directory (at its top level).
inline constexpr std::string_view kMetadataFileName = "avatar.json";

// ---- paths and package listing (avatar_package.cpp) -----------------------------------------

// The lower-cased extension of the last path component ("" when none).
[[nodiscard]] std::string lowerExtension(std::string_view path);
// .glb or .gltf.
[[nodiscard]] bool isModelPath(std::string_view path);
// The media type recorded in the manifest for a file, by extension.
[[nodiscard]] std::string mediaTypeFor(std::string_view path);
// A package-relative path must stay inside the package: '/'-separated, no empty, "." or ".."
// components, no backslashes or NULs, valid UTF-8 (it is a Protobuf string).
[[nodiscard]] Status checkRelativePath(const std::string& path, ErrorCode code);

struct PackageEntry {
    std::string rel;
    std::string abs;
    std::uint64_t size = 0;
};

struct PackageListing {
    bool singleFile = false;
    std::vector<PackageEntry> files;   // regular files, sorted by rel (byte order)
    std::vector<std::string> symlinks; // refused entries, by rel
    std::vector<std::string> special;
};

// The regular files of a package directory (recursively) or a single file; symlinks and special
// files are listed apart, to be refused.
[[nodiscard]] Result<PackageListing> listPackage(const std::string& packagePath);

// ---- reading package files (media_files.cpp) ------------------------------------------------

class FileHandle {
public:
    FileHandle() = default;
    explicit FileHandle(int fd) : m_fd(fd) {}
    ~FileHandle() { reset(); }
    FileHandle(FileHandle&& o) noexcept : m_fd(std::exchange(o.m_fd, -1)) {}
    FileHandle& operator=(FileHandle&& o) noexcept {
        if (this != &o) {
            reset();
            m_fd = std::exchange(o.m_fd, -1);
        }
        return *this;
    }
    FileHandle(const FileHandle&) = delete;
    FileHandle& operator=(const FileHandle&) = delete;
    [[nodiscard]] int get() const noexcept { return m_fd; }
    void reset() noexcept {
        if (m_fd >= 0)
            ::close(m_fd);
        m_fd = -1;
    }

private:
    int m_fd = -1;
};

// Reads exactly `length` bytes at `offset`.
[[nodiscard]] Status readAt(int fd, std::uint8_t* buffer, std::size_t length,
                            std::uint64_t offset, const std::string& name);

struct OpenedFile {
    FileHandle fd;
    std::uint64_t size = 0;
};

// Opens a regular file without following a final symlink. `verifying` selects the media error
// codes (a vanished file is MediaMissingFile) over the packaging ones.
[[nodiscard]] Result<OpenedFile> openRegular(const std::string& absolutePath,
                                             const std::string& name, bool verifying);

// ---- hashing (media_hash.cpp) ---------------------------------------------------------------

[[nodiscard]] std::uint64_t chunkCount(std::uint64_t size, std::uint32_t chunkSize);
// A power of two from 4 KiB to 16 MiB; else `code`.
[[nodiscard]] Status checkChunkSize(std::uint32_t chunkSize, ErrorCode code);

// Thread-safe, throttled progress reporting: the callback is never entered concurrently, sees
// increasing values, and is called about every 4 MiB and once at the end. A worker that finds
// another one inside the callback skips its report instead of waiting (a slow callback never
// stalls hashing); only the final report waits its turn.
class ProgressTracker {
public:
    ProgressTracker(const std::function<void(std::uint64_t, std::uint64_t)>& callback,
                    std::uint64_t total)
        : m_callback(callback ? &callback : nullptr), m_total(total) {}

    void add(std::uint64_t bytes) {
        if (!m_callback)
            return;
        const std::uint64_t done = m_done.fetch_add(bytes, std::memory_order_relaxed) + bytes;
        if (done < m_next.load(std::memory_order_relaxed) && done < m_total)
            return;
        std::unique_lock lock(m_mutex, std::defer_lock);
        if (done >= m_total)
            lock.lock();
        else if (!lock.try_lock())
            return;
        const std::uint64_t now = m_done.load(std::memory_order_relaxed);
        if (now <= m_reported || (now < m_next.load(std::memory_order_relaxed) && now < m_total))
            return;
        m_reported = now;
        m_next.store(now + kProgressStep, std::memory_order_relaxed);
        (*m_callback)(now, std::max(now, m_total));
    }

private:
    const std::function<void(std::uint64_t, std::uint64_t)>* m_callback;
    std::uint64_t m_total;
    std::atomic<std::uint64_t> m_done{0};
    std::atomic<std::uint64_t> m_next{kProgressStep};
    std::mutex m_mutex;
    std::uint64_t m_reported = 0;
};

// One file to hash (building) or to check against expected leaves (verifying).
struct FileTask {
    std::string rel;
    std::string abs;
    std::uint64_t size = 0;                      // building: listed size; verifying: expected
    const std::vector<Digest>* expected = nullptr; // verifying only
    FileHandle fd;
    std::vector<Digest> leaves;                  // building only
    std::atomic<std::uint64_t> firstBad{kNoChunk};
    std::atomic<bool> abort{false};
    Status status;
};

// Hashes every task: large files one after another with all threads each, then the small ones
// spread over the threads. Each task's outcome is left in task.status / task.firstBad.
void hashTasks(std::vector<FileTask>& tasks, std::uint32_t chunkSize, const HashOptions& options,
               ProgressTracker& progress);

// ---- manifest rules (manifest.cpp) ----------------------------------------------------------

// Chunk size, sorted distinct safe paths, leaf counts, model and metadata paths listed; else
// `code`.
[[nodiscard]] Status checkStructure(const Manifest& m, ErrorCode code);

} // namespace twinseal::security::media_detail
