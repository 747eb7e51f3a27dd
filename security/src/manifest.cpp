// Avatar media manifests: package validation, streaming chunk hashing on all cores, signing,
// parsing and verification of media on disk or arriving over the network.
//
// Memory is bounded: files are read with pread() into one chunk-sized buffer per worker thread
// and never mapped or loaded whole; what grows with the package is only the leaf list
// (32 bytes per chunk).
#include "twinseal/security/manifest.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <filesystem>
#include <limits>
#include <mutex>
#include <new>
#include <system_error>
#include <thread>
#include <utility>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "pkey_util.h"
#include "twinseal/proto/codec.h"
#include "twinseal/proto/twinseal.pb.h"
#include "twinseal/security/clock.h"
#include "twinseal/security/merkle.h"
#include "twinseal/security/signed.h"

namespace twinseal::security {

namespace {

namespace fs = std::filesystem;
namespace pb = twinseal::proto;
using json = nlohmann::json;

constexpr std::uint32_t kMinChunkSize = 4 * 1024;
constexpr std::uint32_t kMaxChunkSize = 16 * 1024 * 1024;
constexpr std::uint32_t kManifestVersion = 1;
constexpr std::string_view kHashAlgorithm = "sha-256";
constexpr std::string_view kFileEntryTag = "twinseal.media-file.v1";
constexpr std::string_view kMetadataFileName = "avatar.json";
// JSON documents (glTF JSON, avatar.json) are parsed in memory; refuse absurd sizes.
constexpr std::uint64_t kMaxJsonBytes = 16ull * 1024 * 1024;
constexpr std::uint64_t kProgressStep = 4ull * 1024 * 1024;
constexpr std::uint64_t kNoChunk = std::numeric_limits<std::uint64_t>::max();
constexpr unsigned kMaxThreads = 256;
constexpr std::size_t kMaxPathBytes = 4096;

// ---- small helpers -------------------------------------------------------------------------

std::string errnoText(int e) { return std::generic_category().message(e); }

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

std::string lowerExtension(std::string_view path) {
    const auto slash = path.rfind('/');
    const std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
    const auto dot = name.rfind('.');
    if (dot == std::string_view::npos || dot == 0)
        return {};
    std::string ext(name.substr(dot + 1));
    for (char& c : ext)
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
    return ext;
}

bool isModelPath(std::string_view path) {
    const std::string ext = lowerExtension(path);
    return ext == "glb" || ext == "gltf";
}

std::string mediaTypeFor(std::string_view path) {
    const std::string ext = lowerExtension(path);
    if (ext == "glb") return "model/gltf-binary";
    if (ext == "gltf") return "model/gltf+json";
    if (ext == "png") return "image/png";
    if (ext == "jpg" || ext == "jpeg") return "image/jpeg";
    if (ext == "ktx2") return "image/ktx2";
    if (ext == "webp") return "image/webp";
    if (ext == "json") return "application/json";
    if (ext == "txt") return "text/plain";
    return "application/octet-stream";
}

bool validUtf8(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t len = 0;
        std::uint32_t cp = 0;
        if (c < 0x80) { ++i; continue; }
        if ((c & 0xE0) == 0xC0) { len = 2; cp = c & 0x1F; }
        else if ((c & 0xF0) == 0xE0) { len = 3; cp = c & 0x0F; }
        else if ((c & 0xF8) == 0xF0) { len = 4; cp = c & 0x07; }
        else return false;
        if (i + len > s.size())
            return false;
        for (std::size_t k = 1; k < len; ++k) {
            const auto cc = static_cast<unsigned char>(s[i + k]);
            if ((cc & 0xC0) != 0x80)
                return false;
            cp = cp << 6 | (cc & 0x3F);
        }
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
            cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += len;
    }
    return true;
}

// A package-relative path must stay inside the package: '/'-separated, no empty, "." or ".."
// components, no backslashes or NULs, valid UTF-8 (it is a Protobuf string).
Status checkRelativePath(const std::string& path, ErrorCode code) {
    auto bad = [&](std::string_view why) {
        return makeError(code, "file path '" + path + "' is not allowed: " + std::string(why));
    };
    if (path.empty())
        return makeError(code, "a file path is empty");
    if (path.size() > kMaxPathBytes)
        return bad("longer than 4096 bytes");
    if (!validUtf8(path))
        return bad("not valid UTF-8");
    if (path.front() == '/')
        return bad("absolute paths are not allowed");
    if (path.find('\\') != std::string::npos || path.find('\0') != std::string::npos)
        return bad("it contains a backslash or NUL");
    std::size_t start = 0;
    while (start <= path.size()) {
        auto end = path.find('/', start);
        if (end == std::string::npos)
            end = path.size();
        const std::string_view part(path.data() + start, end - start);
        if (part.empty() || part == "." || part == "..")
            return bad("empty, '.' and '..' components are not allowed");
        start = end + 1;
    }
    return {};
}

void putU32(Bytes& out, std::uint32_t v) {
    for (int s = 24; s >= 0; s -= 8)
        out.push_back(static_cast<std::uint8_t>(v >> s));
}
void putU64(Bytes& out, std::uint64_t v) {
    for (int s = 56; s >= 0; s -= 8)
        out.push_back(static_cast<std::uint8_t>(v >> s));
}
std::uint32_t getLe32(const std::uint8_t* p) {
    return std::uint32_t(p[0]) | std::uint32_t(p[1]) << 8 | std::uint32_t(p[2]) << 16 |
           std::uint32_t(p[3]) << 24;
}

std::string chunkRangeText(std::uint64_t index, std::uint32_t chunkSize, std::uint64_t size) {
    const std::uint64_t first = index * chunkSize;
    const std::uint64_t last = std::min<std::uint64_t>(size, first + chunkSize) - 1;
    return "chunk " + std::to_string(index) + " (bytes " + std::to_string(first) + "-" +
           std::to_string(last) + ")";
}

Digest toDigest(const std::string& s) {
    Digest d{};
    std::copy(s.begin(), s.end(), d.begin());
    return d;
}
std::string fromDigest(const Digest& d) { return std::string(d.begin(), d.end()); }

// ---- files ---------------------------------------------------------------------------------

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
Status readAt(int fd, std::uint8_t* buffer, std::size_t length, std::uint64_t offset,
              const std::string& name) {
    std::size_t got = 0;
    while (got < length) {
        const ssize_t r = ::pread(fd, buffer + got, length - got, static_cast<off_t>(offset + got));
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return makeError(ErrorCode::IoError, name + ": read failed at byte " +
                                                     std::to_string(offset + got) + ": " +
                                                     errnoText(errno));
        }
        if (r == 0)
            return makeError(ErrorCode::IoError,
                             name + ": the file ended early at byte " +
                                 std::to_string(offset + got) +
                                 " (was it truncated while being read?)");
        got += static_cast<std::size_t>(r);
    }
    return {};
}

struct OpenedFile {
    FileHandle fd;
    std::uint64_t size = 0;
};

// Opens a regular file without following a final symlink. `verifying` selects the media error
// codes (a vanished file is MediaMissingFile) over the packaging ones.
Result<OpenedFile> openRegular(const std::string& absolutePath, const std::string& name,
                               bool verifying) {
    const int fd = ::open(absolutePath.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        const int e = errno;
        if (e == ENOENT)
            return makeError(verifying ? ErrorCode::MediaMissingFile : ErrorCode::IoError,
                             name + ": no such file (" + absolutePath + ")");
        if (e == ELOOP)
            return makeError(verifying ? ErrorCode::MediaUnexpectedFile
                                       : ErrorCode::AvatarPackageInvalid,
                             name + ": is a symbolic link; an avatar package may hold only "
                                    "regular files");
        return makeError(ErrorCode::IoError,
                         name + ": cannot open " + absolutePath + ": " + errnoText(e));
    }
    OpenedFile out{FileHandle(fd), 0};
    struct stat st {};
    if (::fstat(fd, &st) != 0)
        return makeError(ErrorCode::IoError, name + ": cannot stat: " + errnoText(errno));
    if (!S_ISREG(st.st_mode))
        return makeError(verifying ? ErrorCode::MediaUnexpectedFile
                                   : ErrorCode::AvatarPackageInvalid,
                         name + ": is not a regular file (directory, device, FIFO or socket)");
    out.size = static_cast<std::uint64_t>(st.st_size);
    return out;
}

Result<std::string> readSmallFile(const std::string& absolutePath, const std::string& name,
                                  std::uint64_t maxBytes) {
    auto opened = openRegular(absolutePath, name, false);
    if (!opened)
        return opened.error();
    if (opened->size > maxBytes)
        return makeError(ErrorCode::AvatarPackageInvalid,
                         name + ": " + std::to_string(opened->size) +
                             " bytes is too large for a JSON document (limit " +
                             std::to_string(maxBytes) + " bytes)");
    std::string text(static_cast<std::size_t>(opened->size), '\0');
    TWINSEAL_TRY(readAt(opened->fd.get(), reinterpret_cast<std::uint8_t*>(text.data()),
                        text.size(), 0, name));
    return text;
}

// ---- package listing -----------------------------------------------------------------------

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

Result<PackageListing> listPackage(const std::string& packagePath) {
    PackageListing out;
    std::error_code ec;
    const fs::file_status rootStatus = fs::status(packagePath, ec);
    if (ec || !fs::exists(rootStatus))
        return makeError(ErrorCode::IoError,
                         packagePath + ": no such file or directory" +
                             (ec && ec != std::errc::no_such_file_or_directory
                                  ? " (" + ec.message() + ")"
                                  : std::string()));
    if (fs::is_regular_file(rootStatus)) {
        out.singleFile = true;
        const auto size = fs::file_size(packagePath, ec);
        if (ec)
            return makeError(ErrorCode::IoError, packagePath + ": " + ec.message());
        out.files.push_back({fs::path(packagePath).filename().string(), packagePath, size});
        return out;
    }
    if (!fs::is_directory(rootStatus))
        return makeError(ErrorCode::AvatarPackageInvalid,
                         packagePath + ": an avatar package is a directory or a .glb file");

    fs::path root = fs::path(packagePath).lexically_normal();
    if (!root.has_filename() && root.has_parent_path() && root != root.root_path())
        root = root.parent_path();
    fs::recursive_directory_iterator it(root, fs::directory_options::none, ec);
    if (ec)
        return makeError(ErrorCode::IoError, packagePath + ": cannot list: " + ec.message());
    for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (ec)
            break;
        const fs::directory_entry& entry = *it;
        const std::string rel = entry.path().lexically_relative(root).generic_string();
        const fs::file_status st = entry.symlink_status(ec);
        if (ec)
            return makeError(ErrorCode::IoError, rel + ": cannot stat: " + ec.message());
        if (fs::is_symlink(st)) {
            out.symlinks.push_back(rel);
        } else if (fs::is_directory(st)) {
            continue; // descended into by the iterator
        } else if (fs::is_regular_file(st)) {
            const auto size = entry.file_size(ec);
            if (ec)
                return makeError(ErrorCode::IoError, rel + ": cannot stat: " + ec.message());
            out.files.push_back({rel, entry.path().string(), size});
        } else {
            out.special.push_back(rel);
        }
    }
    if (ec)
        return makeError(ErrorCode::IoError, packagePath + ": cannot list: " + ec.message());
    std::sort(out.files.begin(), out.files.end(),
              [](const PackageEntry& a, const PackageEntry& b) { return a.rel < b.rel; });
    std::sort(out.symlinks.begin(), out.symlinks.end());
    std::sort(out.special.begin(), out.special.end());
    return out;
}

// ---- glTF and metadata validation ----------------------------------------------------------

Status validateGltfJson(std::string_view text, const std::string& name) {
    try {
        const json doc = json::parse(text.begin(), text.end(), nullptr, false);
        if (doc.is_discarded() || !doc.is_object())
            return makeError(ErrorCode::AvatarPackageInvalid,
                             name + ": the glTF JSON is not a valid JSON object");
        const auto asset = doc.find("asset");
        if (asset == doc.end() || !asset->is_object())
            return makeError(ErrorCode::AvatarPackageInvalid,
                             name + ": the glTF JSON has no 'asset' object (required by glTF 2.0)");
        const auto version = asset->find("version");
        if (version == asset->end() || !version->is_string())
            return makeError(ErrorCode::AvatarPackageInvalid,
                             name + ": the glTF JSON has no 'asset.version' string");
        if (version->get<std::string>() != "2.0")
            return makeError(ErrorCode::AvatarPackageInvalid,
                             name + ": glTF asset.version is '" + version->get<std::string>() +
                                 "'; only glTF 2.0 is supported");
    } catch (const std::exception& e) {
        return makeError(ErrorCode::AvatarPackageInvalid,
                         name + ": the glTF JSON cannot be read: " + e.what());
    }
    return {};
}

// GLB: 12-byte header (magic "glTF", version 2, total length) then a JSON chunk first.
Status validateGlb(const std::string& absolutePath, const std::string& name) {
    auto opened = openRegular(absolutePath, name, false);
    if (!opened)
        return opened.error();
    const std::uint64_t size = opened->size;
    auto invalid = [&](const std::string& why) {
        return makeError(ErrorCode::AvatarPackageInvalid, name + ": " + why);
    };
    if (size < 20)
        return invalid("only " + std::to_string(size) +
                       " bytes: too small for a GLB header and JSON chunk");
    std::uint8_t header[20];
    TWINSEAL_TRY(readAt(opened->fd.get(), header, sizeof header, 0, name));
    if (getLe32(header) != 0x46546C67u) // "glTF"
        return invalid("not a glTF binary (GLB) file: the first 4 bytes are not 'glTF'");
    const std::uint32_t version = getLe32(header + 4);
    if (version != 2)
        return invalid("GLB container version " + std::to_string(version) +
                       " is not supported (glTF 2.0 binaries have version 2)");
    const std::uint32_t length = getLe32(header + 8);
    if (length != size)
        return invalid("the GLB header declares " + std::to_string(length) +
                       " bytes but the file has " + std::to_string(size) +
                       " (truncated or padded?)");
    const std::uint32_t jsonLength = getLe32(header + 12);
    if (getLe32(header + 16) != 0x4E4F534Au) // "JSON"
        return invalid("the first GLB chunk is not the JSON chunk");
    if (jsonLength > size - 20)
        return invalid("the GLB JSON chunk (" + std::to_string(jsonLength) +
                       " bytes) runs past the end of the file");
    if (jsonLength > kMaxJsonBytes)
        return invalid("the GLB JSON chunk is larger than 16 MiB");
    std::string text(jsonLength, '\0');
    TWINSEAL_TRY(readAt(opened->fd.get(), reinterpret_cast<std::uint8_t*>(text.data()),
                        text.size(), 20, name));
    return validateGltfJson(text, name);
}

Status validateModel(const PackageEntry& model) {
    if (lowerExtension(model.rel) == "glb")
        return validateGlb(model.abs, model.rel);
    auto text = readSmallFile(model.abs, model.rel, kMaxJsonBytes);
    if (!text)
        return text.error();
    return validateGltfJson(*text, model.rel);
}

Result<AvatarMetadataInfo> parseMetadata(std::string_view text, const std::string& name) {
    auto invalid = [&](const std::string& why) {
        return makeError(ErrorCode::AvatarPackageInvalid, name + ": " + why);
    };
    AvatarMetadataInfo info;
    try {
        const json doc = json::parse(text.begin(), text.end(), nullptr, false);
        if (doc.is_discarded() || !doc.is_object())
            return invalid("not a valid JSON object");
        auto stringField = [&](const char* key, std::string& out, bool required) -> Status {
            const auto f = doc.find(key);
            if (f == doc.end() || f->is_null()) {
                if (required)
                    return invalid(std::string("the required field '") + key + "' is missing");
                return {};
            }
            if (!f->is_string())
                return invalid(std::string("the field '") + key + "' must be a string");
            out = f->get<std::string>();
            if (required && out.empty())
                return invalid(std::string("the required field '") + key + "' is empty");
            return {};
        };
        auto boolField = [&](const char* key, bool& out) -> Status {
            const auto f = doc.find(key);
            if (f == doc.end() || f->is_null())
                return {};
            if (!f->is_boolean())
                return invalid(std::string("the field '") + key + "' must be true or false");
            out = f->get<bool>();
            return {};
        };
        TWINSEAL_TRY(stringField("name", info.name, true));
        if (!doc.contains("licence") && doc.contains("license"))
            return invalid("the required field 'licence' is missing (found 'license'; "
                           "TwinSeal metadata spells it 'licence')");
        TWINSEAL_TRY(stringField("licence", info.licence, true));
        TWINSEAL_TRY(stringField("version", info.version, false));
        TWINSEAL_TRY(stringField("allowedUsers", info.allowedUsers, false));
        TWINSEAL_TRY(stringField("contact", info.contact, false));
        TWINSEAL_TRY(stringField("reference", info.reference, false));
        TWINSEAL_TRY(boolField("violentUsage", info.violentUsage));
        TWINSEAL_TRY(boolField("sexualUsage", info.sexualUsage));
        TWINSEAL_TRY(boolField("commercialUsage", info.commercialUsage));
        if (!info.allowedUsers.empty() && info.allowedUsers != "only-author" &&
            info.allowedUsers != "explicitly-licensed" && info.allowedUsers != "everyone")
            return invalid("'allowedUsers' is '" + info.allowedUsers +
                           "'; use \"only-author\", \"explicitly-licensed\" or \"everyone\"");
        if (const auto a = doc.find("authors"); a != doc.end() && !a->is_null()) {
            if (!a->is_array())
                return invalid("the field 'authors' must be an array of strings");
            for (const auto& author : *a) {
                if (!author.is_string())
                    return invalid("the field 'authors' must be an array of strings");
                info.authors.push_back(author.get<std::string>());
            }
        }
    } catch (const std::exception& e) {
        return invalid(std::string("cannot be read: ") + e.what());
    }
    return info;
}

// ---- progress and parallel hashing ---------------------------------------------------------

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

// Hashes every task: large files one after another with all threads each, then the small ones
// spread over the threads. Each task's outcome is left in task.status / task.firstBad.
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

// ---- manifest consistency ------------------------------------------------------------------

Status checkStructure(const Manifest& m, ErrorCode code) {
    TWINSEAL_TRY(checkChunkSize(m.chunkSize, code));
    if (m.files.empty())
        return makeError(code, "the manifest lists no files");
    bool modelFound = false;
    bool metadataFound = m.metadataPath.empty();
    for (std::size_t i = 0; i < m.files.size(); ++i) {
        const ManifestFile& f = m.files[i];
        TWINSEAL_TRY(checkRelativePath(f.path, code));
        if (i > 0 && !(m.files[i - 1].path < f.path))
            return makeError(code, "manifest files are not sorted by path or repeat a path ('" +
                                       m.files[i - 1].path + "', '" + f.path + "')");
        const std::uint64_t n = chunkCount(f.size, m.chunkSize);
        if (f.chunkHashes.size() != n)
            return makeError(code, f.path + ": " + std::to_string(f.size) + " bytes in " +
                                       std::to_string(m.chunkSize) + "-byte chunks need " +
                                       std::to_string(n) + " chunk hashes, the manifest has " +
                                       std::to_string(f.chunkHashes.size()));
        if (f.path == m.modelPath)
            modelFound = true;
        if (f.path == m.metadataPath)
            metadataFound = true;
    }
    if (!modelFound || !isModelPath(m.modelPath))
        return makeError(code, "the manifest's model path '" + m.modelPath +
                                   "' is not a .glb/.gltf file listed in the manifest");
    if (!metadataFound)
        return makeError(code, "the manifest's metadata path '" + m.metadataPath +
                                   "' is not listed in the manifest");
    return {};
}

Status checkRoots(const Manifest& m, ErrorCode code) {
    for (const ManifestFile& f : m.files) {
        if (merkle::rootFromLeaves(f.chunkHashes) != f.root)
            return makeError(code, f.path +
                                       ": the file root does not match the Merkle root of its "
                                       "chunk hashes");
    }
    if (computePackageRoot(m.files, m.chunkSize) != m.packageRoot)
        return makeError(code, "the package root does not match the Merkle root of the file "
                               "entries");
    return {};
}

} // namespace

// ---- public API ----------------------------------------------------------------------------

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

Result<Manifest> buildManifest(const std::string& packagePath, const HashOptions& options) {
    TWINSEAL_TRY(checkChunkSize(options.chunkSize, ErrorCode::InvalidArgument));
    auto listed = listPackage(packagePath);
    if (!listed)
        return listed.error();
    const PackageListing& listing = *listed;
    if (!listing.symlinks.empty())
        return makeError(ErrorCode::AvatarPackageInvalid,
                         listing.symlinks.front() +
                             ": is a symbolic link; an avatar package may hold only regular "
                             "files (copy the file into the package instead)");
    if (!listing.special.empty())
        return makeError(ErrorCode::AvatarPackageInvalid,
                         listing.special.front() +
                             ": is not a regular file (device, FIFO or socket); remove it from "
                             "the package");
    if (listing.singleFile && lowerExtension(listing.files.front().rel) != "glb")
        return makeError(ErrorCode::AvatarPackageInvalid,
                         packagePath + ": a single-file avatar package must be a .glb file "
                                       "(use a directory for .gltf with separate resources)");
    if (listing.files.empty())
        return makeError(ErrorCode::AvatarPackageInvalid,
                         packagePath + ": the package is empty; it needs one .glb or .gltf model");

    std::vector<const PackageEntry*> models;
    for (const PackageEntry& e : listing.files) {
        TWINSEAL_TRY(checkRelativePath(e.rel, ErrorCode::AvatarPackageInvalid));
        if (isModelPath(e.rel))
            models.push_back(&e);
    }
    if (models.empty())
        return makeError(ErrorCode::AvatarPackageInvalid,
                         packagePath + ": the package contains no glTF model (.glb or .gltf)");
    if (models.size() > 1) {
        std::string names;
        for (const PackageEntry* e : models)
            names += (names.empty() ? "" : ", ") + e->rel;
        return makeError(ErrorCode::AvatarPackageInvalid,
                         packagePath + ": the package contains " + std::to_string(models.size()) +
                             " glTF models (" + names + "); exactly one is allowed");
    }
    TWINSEAL_TRY(validateModel(*models.front()));

    Manifest manifest;
    manifest.chunkSize = options.chunkSize;
    manifest.modelPath = models.front()->rel;
    if (!listing.singleFile) {
        for (const PackageEntry& e : listing.files) {
            if (e.rel != kMetadataFileName)
                continue;
            auto text = readSmallFile(e.abs, e.rel, kMaxJsonBytes);
            if (!text)
                return text.error();
            auto meta = parseMetadata(*text, e.rel);
            if (!meta)
                return meta.error();
            manifest.metadata = std::move(meta).value();
            manifest.metadataPath = e.rel;
        }
    }

    std::vector<FileTask> tasks(listing.files.size());
    std::uint64_t total = 0;
    for (std::size_t i = 0; i < tasks.size(); ++i) {
        tasks[i].rel = listing.files[i].rel;
        tasks[i].abs = listing.files[i].abs;
        tasks[i].size = listing.files[i].size;
        total += listing.files[i].size;
    }
    ProgressTracker progress(options.progress, total);
    hashTasks(tasks, options.chunkSize, options, progress);
    manifest.files.reserve(tasks.size());
    for (FileTask& task : tasks) {
        if (!task.status.ok())
            return task.status.error();
        ManifestFile f;
        f.path = task.rel;
        f.size = task.size;
        f.mediaType = mediaTypeFor(task.rel);
        f.root = merkle::rootFromLeaves(task.leaves);
        f.chunkHashes = std::move(task.leaves);
        manifest.files.push_back(std::move(f));
    }
    manifest.packageRoot = computePackageRoot(manifest.files, manifest.chunkSize);
    manifest.createdAt = SystemClock::instance().now();
    return manifest;
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

Result<Bytes> signManifest(Manifest manifest, const SigningKey& holderKey) {
    if (!holderKey.valid())
        return makeError(ErrorCode::InvalidArgument, "cannot sign a manifest with an empty key");
    TWINSEAL_TRY(checkStructure(manifest, ErrorCode::InvalidArgument));
    TWINSEAL_TRY(checkRoots(manifest, ErrorCode::InvalidArgument));
    manifest.holderKey = holderKey.publicKey();

    pb::ManifestBody body;
    body.set_version(kManifestVersion);
    body.set_chunk_size(manifest.chunkSize);
    body.set_hash_algorithm(std::string(kHashAlgorithm));
    for (const ManifestFile& f : manifest.files) {
        pb::MediaFile* mf = body.add_files();
        mf->set_path(f.path);
        mf->set_size(f.size);
        mf->set_media_type(f.mediaType);
        mf->set_root(fromDigest(f.root));
        mf->mutable_chunk_hashes()->Reserve(static_cast<int>(f.chunkHashes.size()));
        for (const Digest& d : f.chunkHashes)
            mf->add_chunk_hashes(fromDigest(d));
    }
    body.set_package_root(fromDigest(manifest.packageRoot));
    body.set_model_path(manifest.modelPath);
    body.set_metadata_path(manifest.metadataPath);
    const AvatarMetadataInfo& m = manifest.metadata;
    pb::AvatarMetadata* meta = body.mutable_metadata();
    meta->set_name(m.name);
    for (const auto& a : m.authors)
        meta->add_authors(a);
    meta->set_version(m.version);
    meta->set_licence(m.licence);
    meta->set_allowed_users(m.allowedUsers);
    meta->set_violent_usage(m.violentUsage);
    meta->set_sexual_usage(m.sexualUsage);
    meta->set_commercial_usage(m.commercialUsage);
    meta->set_contact(m.contact);
    meta->set_reference(m.reference);
    detail::toProto(manifest.holderKey, body.mutable_holder_key());
    body.set_created_at(manifest.createdAt);

    std::string serialized;
    if (!serializeTo(body, serialized))
        return makeError(ErrorCode::Internal, "cannot serialize the manifest body");
    return signEnvelope(kManifestType, view(serialized), holderKey);
}

Result<SignedManifest> parseSignedManifest(ByteView encoded) {
    auto envelope = parseEnvelope(encoded, kManifestType);
    if (!envelope)
        return envelope.error();

    pb::ManifestBody body;
#if GOOGLE_PROTOBUF_VERSION < 3022000
    // Untrusted input: report malformed bodies through the Result only, not protobuf's log.
    const google::protobuf::LogSilencer quiet;
#endif
    if (!parseMessage(envelope->body, body))
        return makeError(ErrorCode::MalformedInput,
                         "the manifest body is not a valid twinseal.ManifestBody");
    if (body.version() != kManifestVersion)
        return makeError(ErrorCode::UnsupportedVersion,
                         "manifest version " + std::to_string(body.version()) +
                             " is not supported (expected " + std::to_string(kManifestVersion) +
                             ")");
    if (body.hash_algorithm() != kHashAlgorithm)
        return makeError(ErrorCode::UnsupportedAlgorithm,
                         "manifest hash algorithm '" + body.hash_algorithm() +
                             "' is not supported (expected 'sha-256')");

    SignedManifest out;
    Manifest& m = out.manifest;
    m.chunkSize = body.chunk_size();
    m.files.reserve(static_cast<std::size_t>(body.files_size()));
    for (const pb::MediaFile& mf : body.files()) {
        ManifestFile f;
        f.path = mf.path();
        f.size = mf.size();
        f.mediaType = mf.media_type();
        if (mf.root().size() != 32)
            return makeError(ErrorCode::MalformedInput,
                             f.path + ": the file root is not a 32-byte SHA-256 digest");
        f.root = toDigest(mf.root());
        f.chunkHashes.reserve(static_cast<std::size_t>(mf.chunk_hashes_size()));
        for (const std::string& h : mf.chunk_hashes()) {
            if (h.size() != 32)
                return makeError(ErrorCode::MalformedInput,
                                 f.path + ": a chunk hash is not a 32-byte SHA-256 digest");
            f.chunkHashes.push_back(toDigest(h));
        }
        m.files.push_back(std::move(f));
    }
    if (body.package_root().size() != 32)
        return makeError(ErrorCode::MalformedInput,
                         "the package root is not a 32-byte SHA-256 digest");
    m.packageRoot = toDigest(body.package_root());
    m.modelPath = body.model_path();
    m.metadataPath = body.metadata_path();
    const pb::AvatarMetadata& meta = body.metadata();
    m.metadata.name = meta.name();
    m.metadata.authors.assign(meta.authors().begin(), meta.authors().end());
    m.metadata.version = meta.version();
    m.metadata.licence = meta.licence();
    m.metadata.allowedUsers = meta.allowed_users();
    m.metadata.violentUsage = meta.violent_usage();
    m.metadata.sexualUsage = meta.sexual_usage();
    m.metadata.commercialUsage = meta.commercial_usage();
    m.metadata.contact = meta.contact();
    m.metadata.reference = meta.reference();
    m.createdAt = body.created_at();
    TWINSEAL_TRY(checkStructure(m, ErrorCode::MalformedInput));

    const auto alg = detail::fromProto(body.holder_key().algorithm());
    if (!alg)
        return makeError(ErrorCode::UnsupportedAlgorithm,
                         "the manifest's holder key has an unknown or missing algorithm");
    auto holderKey = PublicKey::fromRaw(*alg, view(body.holder_key().raw()));
    if (!holderKey)
        return makeError(ErrorCode::MalformedInput,
                         "the manifest's holder key is invalid: " + holderKey.error().message());
    m.holderKey = std::move(holderKey).value();

    // The signature first: a manifest altered in transit is reported as such, not as an
    // inconsistency of its contents.
    if (auto sig = verifyEnvelope(*envelope, m.holderKey); !sig) {
        return makeError(sig.code(), "media manifest signed by the holder key it names: " +
                                         sig.error().detail);
    }
    TWINSEAL_TRY(checkRoots(m, ErrorCode::MediaRootMismatch));

    out.body = std::move(envelope->body);
    out.signature = std::move(envelope->signature);
    out.encoded.assign(encoded.begin(), encoded.end());
    return out;
}

Status verifyMedia(const Manifest& manifest, const std::string& packagePath,
                   const HashOptions& options, MediaFailure* failure) {
    MediaFailure local;
    MediaFailure& fail = failure ? *failure : local;
    fail = MediaFailure{};
    auto failAt = [&](Error error, const std::string& file,
                      std::optional<std::uint64_t> chunk = std::nullopt) -> Status {
        fail.file = file;
        fail.chunkIndex = chunk;
        return error;
    };
    TWINSEAL_TRY(checkStructure(manifest, ErrorCode::InvalidArgument));
    const std::uint32_t chunkSize = manifest.chunkSize;

    auto listed = listPackage(packagePath);
    if (!listed)
        return listed.error();
    const PackageListing& listing = *listed;

    std::vector<FileTask> tasks(manifest.files.size());
    std::uint64_t total = 0;
    if (listing.singleFile) {
        // A lone .glb: its content is checked against the manifest's only file; the file name
        // may differ (downloads and caches rename files), the bytes may not.
        if (manifest.files.size() != 1) {
            const std::string name = listing.files.front().rel;
            for (const ManifestFile& f : manifest.files)
                if (f.path != name)
                    return failAt(makeError(ErrorCode::MediaMissingFile,
                                            f.path + ": listed in the signed manifest, but " +
                                                packagePath +
                                                " is a single file, not a package directory"),
                                  f.path);
        }
        tasks[0].abs = listing.files.front().abs;
    } else {
        for (const std::string& rel : listing.symlinks)
            return failAt(makeError(ErrorCode::MediaUnexpectedFile,
                                    rel + ": is a symbolic link; an avatar package may hold only "
                                          "regular files"),
                          rel);
        for (const std::string& rel : listing.special)
            return failAt(makeError(ErrorCode::MediaUnexpectedFile,
                                    rel + ": is not a regular file (device, FIFO or socket)"),
                          rel);
        auto findOnDisk = [&](const std::string& rel) -> const PackageEntry* {
            const auto it = std::lower_bound(
                listing.files.begin(), listing.files.end(), rel,
                [](const PackageEntry& e, const std::string& r) { return e.rel < r; });
            return it != listing.files.end() && it->rel == rel ? &*it : nullptr;
        };
        for (std::size_t i = 0; i < manifest.files.size(); ++i) {
            const ManifestFile& f = manifest.files[i];
            const PackageEntry* entry = findOnDisk(f.path);
            if (!entry)
                return failAt(makeError(ErrorCode::MediaMissingFile,
                                        f.path + ": listed in the signed manifest but missing "
                                                 "from " + packagePath),
                              f.path);
            tasks[i].abs = entry->abs;
        }
        for (const PackageEntry& e : listing.files) {
            const auto it = std::lower_bound(
                manifest.files.begin(), manifest.files.end(), e.rel,
                [](const ManifestFile& f, const std::string& r) { return f.path < r; });
            const bool listedInManifest = it != manifest.files.end() && it->path == e.rel;
            if (!listedInManifest)
                return failAt(makeError(ErrorCode::MediaUnexpectedFile,
                                        e.rel + ": present in " + packagePath +
                                            " but not in the signed manifest"),
                              e.rel);
        }
    }
    for (std::size_t i = 0; i < manifest.files.size(); ++i) {
        const ManifestFile& f = manifest.files[i];
        tasks[i].rel = f.path;
        tasks[i].size = f.size;
        tasks[i].expected = &f.chunkHashes;
        total += f.size;
    }
    // Cheap size check before any hashing.
    if (!listing.singleFile) {
        for (std::size_t i = 0; i < tasks.size(); ++i) {
            const auto it = std::lower_bound(
                listing.files.begin(), listing.files.end(), tasks[i].rel,
                [](const PackageEntry& e, const std::string& r) { return e.rel < r; });
            if (it->size != tasks[i].size)
                return failAt(makeError(ErrorCode::MediaSizeMismatch,
                                        tasks[i].rel + ": " + std::to_string(it->size) +
                                            " bytes on disk, but the signed manifest says " +
                                            std::to_string(tasks[i].size)),
                              tasks[i].rel);
        }
    }

    ProgressTracker progress(options.progress, total);
    hashTasks(tasks, chunkSize, options, progress);
    for (FileTask& task : tasks) {
        if (!task.status.ok())
            return failAt(task.status.error(), task.rel);
        const std::uint64_t bad = task.firstBad.load();
        if (bad != kNoChunk)
            return failAt(makeError(ErrorCode::MediaMismatch,
                                    task.rel + ": " + chunkRangeText(bad, chunkSize, task.size) +
                                        " does not match the signed manifest"),
                          task.rel, bad);
    }
    return {};
}

// ---- StreamingMediaVerifier ----------------------------------------------------------------

StreamingMediaVerifier::StreamingMediaVerifier(const Manifest& manifest) : m_manifest(manifest) {}

namespace {
Error alreadyFailed(const MediaFailure& f) {
    std::string what = "media verification already failed at " + f.file;
    if (f.chunkIndex)
        what += " chunk " + std::to_string(*f.chunkIndex);
    return makeError(ErrorCode::InvalidArgument, what + "; start a new verifier");
}
} // namespace

Status StreamingMediaVerifier::beginFile(const std::string& path) {
    if (m_failed)
        return alreadyFailed(m_failure);
    if (m_inFile)
        return makeError(ErrorCode::InvalidArgument,
                         "beginFile(" + path + ") before endFile() of " +
                             m_manifest.files[m_fileIndex].path);
    TWINSEAL_TRY(checkChunkSize(m_manifest.chunkSize, ErrorCode::InvalidArgument));
    const auto& files = m_manifest.files;
    auto fail = [&](Error e, const std::string& file) -> Status {
        m_failed = true;
        m_failure = MediaFailure{file, std::nullopt};
        return e;
    };
    if (m_fileIndex >= files.size() || files[m_fileIndex].path != path) {
        const auto it = std::find_if(files.begin(), files.end(),
                                     [&](const ManifestFile& f) { return f.path == path; });
        if (it == files.end())
            return fail(makeError(ErrorCode::MediaUnexpectedFile,
                                  path + ": not in the signed manifest"),
                        path);
        const auto index = static_cast<std::size_t>(it - files.begin());
        if (index < m_fileIndex)
            return fail(makeError(ErrorCode::MediaUnexpectedFile,
                                  path + ": received a second time"),
                        path);
        const std::string& expected = files[m_fileIndex].path;
        return fail(makeError(ErrorCode::MediaMissingFile,
                              expected + ": expected next, but " + path +
                                  " arrived first (files must arrive in manifest order)"),
                    expected);
    }
    const ManifestFile& f = files[m_fileIndex];
    if (f.chunkHashes.size() != chunkCount(f.size, m_manifest.chunkSize))
        return fail(makeError(ErrorCode::MalformedInput,
                              path + ": the manifest's chunk hashes do not cover its size"),
                    path);
    m_inFile = true;
    m_fileBytes = 0;
    m_chunkIndex = 0;
    m_chunkFill = 0;
    m_hash.reset();
    return {};
}

Status StreamingMediaVerifier::update(ByteView data) {
    if (m_failed)
        return alreadyFailed(m_failure);
    if (!m_inFile)
        return makeError(ErrorCode::InvalidArgument, "update() outside beginFile()/endFile()");
    const ManifestFile& f = m_manifest.files[m_fileIndex];
    if (data.size() > f.size - m_fileBytes) {
        m_failed = true;
        m_failure = MediaFailure{f.path, std::nullopt};
        return makeError(ErrorCode::MediaSizeMismatch,
                         f.path + ": more than the " + std::to_string(f.size) +
                             " bytes the signed manifest says were received");
    }
    static constexpr std::uint8_t kLeafPrefix = 0x00;
    while (!data.empty()) {
        if (!m_hash) {
            m_hash = std::make_unique<Sha256>();
            m_hash->update(ByteView(&kLeafPrefix, 1));
        }
        const auto take = static_cast<std::size_t>(
            std::min<std::uint64_t>(data.size(), m_manifest.chunkSize - m_chunkFill));
        m_hash->update(data.first(take));
        data = data.subspan(take);
        m_chunkFill += take;
        m_fileBytes += take;
        if (m_chunkFill == m_manifest.chunkSize)
            TWINSEAL_TRY(chunkDone());
    }
    return {};
}

Status StreamingMediaVerifier::chunkDone() {
    const ManifestFile& f = m_manifest.files[m_fileIndex];
    const Digest leaf = m_hash->finish();
    m_hash.reset();
    const std::uint64_t index = m_chunkIndex;
    m_chunkFill = 0;
    ++m_chunkIndex;
    if (index >= f.chunkHashes.size() || leaf != f.chunkHashes[index]) {
        m_failed = true;
        m_failure = MediaFailure{f.path, index};
        return makeError(ErrorCode::MediaMismatch,
                         f.path + ": " + chunkRangeText(index, m_manifest.chunkSize, f.size) +
                             " does not match the signed manifest");
    }
    return {};
}

Status StreamingMediaVerifier::endFile() {
    if (m_failed)
        return alreadyFailed(m_failure);
    if (!m_inFile)
        return makeError(ErrorCode::InvalidArgument, "endFile() without beginFile()");
    const ManifestFile& f = m_manifest.files[m_fileIndex];
    if (m_fileBytes != f.size) {
        m_failed = true;
        m_failure = MediaFailure{f.path, std::nullopt};
        return makeError(ErrorCode::MediaSizeMismatch,
                         f.path + ": received " + std::to_string(m_fileBytes) +
                             " bytes, but the signed manifest says " + std::to_string(f.size));
    }
    if (m_chunkFill > 0)
        TWINSEAL_TRY(chunkDone());
    m_inFile = false;
    ++m_fileIndex;
    return {};
}

Status StreamingMediaVerifier::finish() {
    if (m_failed)
        return alreadyFailed(m_failure);
    if (m_inFile)
        return makeError(ErrorCode::InvalidArgument,
                         "finish() before endFile() of " + m_manifest.files[m_fileIndex].path);
    if (m_fileIndex < m_manifest.files.size()) {
        const std::string& missing = m_manifest.files[m_fileIndex].path;
        m_failed = true;
        m_failure = MediaFailure{missing, std::nullopt};
        return makeError(ErrorCode::MediaMissingFile,
                         missing + ": listed in the signed manifest but never received");
    }
    return {};
}

} // namespace twinseal::security
