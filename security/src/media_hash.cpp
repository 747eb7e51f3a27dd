// Hashing avatar media: chunk leaves and Merkle roots per file and for the package, streaming
// with one chunk buffer per worker, large files on several threads, throttled progress.
//
// Memory is bounded: files are read with pread() into one chunk-sized buffer per worker thread
// and never mapped or loaded whole; what grows with the package is only the leaf list
// (32 bytes per chunk).
#include "twinseal/security/media_hash.h"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <new>
#include <system_error>
#include <thread>

#include "media_internal.h"
#include "twinseal/security/merkle.h"

namespace twinseal::security {

using namespace media_detail;

namespace {

namespace fs = std::filesystem;

constexpr std::uint32_t kMinChunkSize = 4 * 1024;
constexpr std::uint32_t kMaxChunkSize = 16 * 1024 * 1024;
constexpr std::string_view kFileEntryTag = "twinseal.media-file.v1";
constexpr unsigned kMaxThreads = 256;

void putU32(Bytes& out, std::uint32_t v) {
    for (int s = 24; s >= 0; s -= 8)
        out.push_back(static_cast<std::uint8_t>(v >> s));
}
void putU64(Bytes& out, std::uint64_t v) {
    for (int s = 56; s >= 0; s -= 8)
        out.push_back(static_cast<std::uint8_t>(v >> s));
}

// Runs work(0..n-1): work(0) on the calling thread, the others on new threads. If a thread cannot
// be started its share runs on the calling thread instead.
template <typename F> void runWorkers(unsigned n, F&& work) {
    if (n == 0)
        return;
    std::vector<std::thread> threads;
    threads.reserve(n - 1);
    unsigned started = 1;
    for (; started < n; ++started) {
        try {
            threads.emplace_back([&work, started] { work(started); });
        } catch (const std::system_error&) {
            break;
        }
    }
    work(0u);
    for (unsigned k = started; k < n; ++k)
        work(k);
    for (auto& t : threads)
        t.join();
}

unsigned threadCount(const HashOptions& options) {
    unsigned n = options.threads;
    if (n == 0)
        n = std::thread::hardware_concurrency();
    return std::clamp(n, 1u, kMaxThreads);
}

struct ChunkBuffer {
    std::unique_ptr<std::uint8_t[]> data;
    explicit ChunkBuffer(std::uint32_t size) : data(new (std::nothrow) std::uint8_t[size]) {}
};

Error outOfMemory(const std::string& name) {
    return makeError(ErrorCode::Internal, name + ": cannot allocate a chunk buffer");
}

Status openTask(FileTask& task, std::uint32_t chunkSize) {
    const bool verifying = task.expected != nullptr;
    auto opened = openRegular(task.abs, task.rel, verifying);
    if (!opened)
        return opened.error();
    if (verifying) {
        if (opened->size != task.size)
            return makeError(ErrorCode::MediaSizeMismatch,
                             task.rel + ": " + std::to_string(opened->size) +
                                 " bytes on disk, but the signed manifest says " +
                                 std::to_string(task.size));
    } else {
        task.size = opened->size;
        task.leaves.assign(chunkCount(task.size, chunkSize), Digest{});
    }
    task.fd = std::move(opened->fd);
    return {};
}

// Hashes chunks [begin, end) of an opened task. When verifying, stops at the first chunk whose
// leaf differs and records its index (lowest across workers), and skips chunks beyond a lower
// mismatch another worker already found.
Status hashRange(FileTask& task, std::uint64_t begin, std::uint64_t end, std::uint32_t chunkSize,
                 std::uint8_t* buffer, ProgressTracker& progress) {
    for (std::uint64_t i = begin; i < end; ++i) {
        if (task.abort.load(std::memory_order_relaxed))
            return {};
        if (task.expected && i > task.firstBad.load(std::memory_order_relaxed))
            return {};
        const std::uint64_t offset = i * chunkSize;
        const auto length =
            static_cast<std::size_t>(std::min<std::uint64_t>(chunkSize, task.size - offset));
        TWINSEAL_TRY(readAt(task.fd.get(), buffer, length, offset, task.rel));
        const Digest leaf = merkle::leafHash(ByteView(buffer, length));
        if (task.expected) {
            if (leaf != (*task.expected)[i]) {
                std::uint64_t cur = task.firstBad.load(std::memory_order_relaxed);
                while (i < cur && !task.firstBad.compare_exchange_weak(cur, i)) {
                }
                return {};
            }
        } else {
            task.leaves[i] = leaf;
        }
        progress.add(length);
    }
    return {};
}

// One large file on several threads: contiguous chunk ranges, one buffer per thread, each
// thread writing its leaves into its own slots of the preallocated leaf vector.
void hashLargeTask(FileTask& task, std::uint32_t chunkSize, unsigned threads,
                   ProgressTracker& progress) {
    const std::uint64_t n = chunkCount(task.size, chunkSize);
    const auto workers = static_cast<unsigned>(std::min<std::uint64_t>(threads, n));
    if (workers == 0)
        return;
    std::vector<Status> results(workers);
    runWorkers(workers, [&](unsigned k) {
        ChunkBuffer buffer(chunkSize);
        if (!buffer.data) {
            results[k] = outOfMemory(task.rel);
        } else {
            results[k] = hashRange(task, n * k / workers, n * (k + 1) / workers, chunkSize,
                                   buffer.data.get(), progress);
        }
        if (!results[k].ok())
            task.abort.store(true);
    });
    for (auto& r : results) {
        if (!r.ok()) {
            task.status = r;
            return;
        }
    }
}

} // namespace

namespace media_detail {

std::uint64_t chunkCount(std::uint64_t size, std::uint32_t chunkSize) {
    return size / chunkSize + (size % chunkSize != 0 ? 1 : 0);
}

Status checkChunkSize(std::uint32_t chunkSize, ErrorCode code) {
    if (chunkSize < kMinChunkSize || chunkSize > kMaxChunkSize ||
        (chunkSize & (chunkSize - 1)) != 0)
        return makeError(code, "chunk size " + std::to_string(chunkSize) +
                                   " is invalid: it must be a power of two from 4096 (4 KiB) "
                                   "to 16777216 (16 MiB)");
    return {};
}

void hashTasks(std::vector<FileTask>& tasks, std::uint32_t chunkSize, const HashOptions& options,
               ProgressTracker& progress) {
    const unsigned threads = threadCount(options);
    std::vector<std::size_t> small;
    for (std::size_t i = 0; i < tasks.size(); ++i) {
        FileTask& task = tasks[i];
        if (threads > 1 && task.size >= options.parallelThreshold &&
            chunkCount(task.size, chunkSize) > 1) {
            task.status = openTask(task, chunkSize);
            if (task.status.ok())
                hashLargeTask(task, chunkSize, threads, progress);
            task.fd.reset();
        } else {
            small.push_back(i);
        }
    }
    std::atomic<std::size_t> next{0};
    const auto workers = static_cast<unsigned>(std::min<std::size_t>(threads, small.size()));
    runWorkers(workers, [&](unsigned) {
        ChunkBuffer buffer(chunkSize);
        for (;;) {
            const std::size_t i = next.fetch_add(1);
            if (i >= small.size())
                return;
            FileTask& task = tasks[small[i]];
            if (!buffer.data) {
                task.status = outOfMemory(task.rel);
                continue;
            }
            task.status = openTask(task, chunkSize);
            if (task.status.ok())
                task.status = hashRange(task, 0, chunkCount(task.size, chunkSize), chunkSize,
                                        buffer.data.get(), progress);
            task.fd.reset();
        }
    });
}

} // namespace media_detail

Result<ManifestFile> hashMediaFile(const std::string& absolutePath,
                                   const std::string& relativePath, const HashOptions& options) {
    TWINSEAL_TRY(checkChunkSize(options.chunkSize, ErrorCode::InvalidArgument));
    TWINSEAL_TRY(checkRelativePath(relativePath, ErrorCode::InvalidArgument));
    std::error_code ec;
    const auto listedSize = fs::file_size(absolutePath, ec);
    std::vector<FileTask> tasks(1);
    tasks[0].rel = relativePath;
    tasks[0].abs = absolutePath;
    tasks[0].size = ec ? 0 : listedSize;
    ProgressTracker progress(options.progress, tasks[0].size);
    hashTasks(tasks, options.chunkSize, options, progress);
    FileTask& task = tasks[0];
    if (!task.status.ok())
        return task.status.error();
    ManifestFile out;
    out.path = relativePath;
    out.size = task.size;
    out.mediaType = mediaTypeFor(relativePath);
    out.root = merkle::rootFromLeaves(task.leaves);
    out.chunkHashes = std::move(task.leaves);
    return out;
}

Digest computePackageRoot(const std::vector<ManifestFile>& files, std::uint32_t chunkSize) {
    std::vector<Digest> leaves;
    leaves.reserve(files.size());
    Bytes entry;
    for (const ManifestFile& f : files) {
        entry.clear();
        entry.insert(entry.end(), kFileEntryTag.begin(), kFileEntryTag.end());
        entry.push_back(0x00);
        putU32(entry, static_cast<std::uint32_t>(f.path.size()));
        entry.insert(entry.end(), f.path.begin(), f.path.end());
        putU64(entry, f.size);
        putU32(entry, chunkSize);
        entry.insert(entry.end(), f.root.begin(), f.root.end());
        leaves.push_back(merkle::leafHash(entry));
    }
    return merkle::rootFromLeaves(leaves);
}

} // namespace twinseal::security
