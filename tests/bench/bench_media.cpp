// Media manifest throughput on a 512 MiB avatar package: single-threaded SHA-256 (the floor any
// hashing scheme pays) against building and verifying the chunked Merkle manifest on all cores.
// Figures are printed, never asserted.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

#include <twinseal/security/manifest.h>

namespace sec = twinseal::security;
namespace fs = std::filesystem;

namespace {

constexpr std::uint64_t kMiB = 1024UL * 1024;
constexpr std::uint64_t kPackageBin = 512 * kMiB;

[[noreturn]] void die(const std::string& what) {
    (void)std::fprintf(stderr, "bench_media: %s\n", what.c_str());
    (void)std::fflush(nullptr);
    std::_Exit(1); // at once: exit() would run static destructors while other threads run
}

void writeAll(int fd, const void* data, std::size_t size) {
    auto p = static_cast<const std::uint8_t*>(data);
    while (size > 0) {
        const ssize_t w = ::write(fd, p, size);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            die("write failed");
        p += w;
        size -= static_cast<std::size_t>(w);
    }
}

void putLe32(std::uint8_t* p, std::uint32_t v) {
    for (int i = 0; i < 4; ++i)
        p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}

// A 512 MiB package (a GLB with a pseudo-random binary chunk, plus avatar.json), generated once
// with a 1 MiB buffer in a temporary directory that is removed at exit.
class Package {
public:
    static Package& get() {
        static Package instance;
        return instance;
    }
    const std::string& path() const { return m_dir; }
    const std::vector<std::string>& files() const { return m_files; }
    std::uint64_t bytes() const { return m_bytes; }
    // The manifest verified by BM_ManifestVerify (built on first use).
    const sec::Manifest& manifest() {
        if (!m_manifest) {
            auto m = sec::buildManifest(m_dir);
            if (!m.ok())
                die(m.error().message());
            m_manifest = std::make_unique<sec::Manifest>(std::move(m).value());
        }
        return *m_manifest;
    }

    Package(const Package&) = delete;
    Package& operator=(const Package&) = delete;
    ~Package() {
        std::error_code ec;
        fs::remove_all(m_dir, ec);
    }

private:
    Package() {
        std::string tmpl = (fs::temp_directory_path() / "twinseal-bench-media-XXXXXX").string();
        if (!::mkdtemp(tmpl.data()))
            die("cannot create a temporary directory");
        m_dir = tmpl;
        writeGlb(m_dir + "/avatar.glb");
        const std::string meta =
            R"({"name":"Bench Avatar","licence":"CC0-1.0","allowedUsers":"everyone"})";
        const int fd = ::open((m_dir + "/avatar.json").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd < 0)
            die("cannot write avatar.json");
        writeAll(fd, meta.data(), meta.size());
        ::close(fd);
        for (const char* f : {"avatar.glb", "avatar.json"}) {
            m_files.push_back(m_dir + "/" + f);
            m_bytes += fs::file_size(m_files.back());
        }
    }

    static void writeGlb(const std::string& path) {
        std::string json = R"({"asset":{"version":"2.0"},"buffers":[{"byteLength":)" +
                           std::to_string(kPackageBin) + "}]}";
        while (json.size() % 4)
            json.push_back(' ');
        std::uint8_t header[20];
        std::copy_n("glTF", 4, header);
        putLe32(header + 4, 2);
        putLe32(header + 8, static_cast<std::uint32_t>(28 + json.size() + kPackageBin));
        putLe32(header + 12, static_cast<std::uint32_t>(json.size()));
        std::copy_n("JSON", 4, header + 16);
        std::uint8_t bin[8];
        putLe32(bin, static_cast<std::uint32_t>(kPackageBin));
        std::copy_n("BIN\0", 4, bin + 4);
        const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd < 0)
            die("cannot write " + path);
        writeAll(fd, header, sizeof header);
        writeAll(fd, json.data(), json.size());
        writeAll(fd, bin, sizeof bin);
        std::vector<std::uint64_t> block(kMiB / 8);
        std::uint64_t x = 0x9E3779B97F4A7C15ull;
        for (std::uint64_t done = 0; done < kPackageBin; done += kMiB) {
            for (auto& v : block) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                v = x;
            }
            writeAll(fd, block.data(), kMiB);
        }
        ::close(fd);
    }

    std::string m_dir;
    std::vector<std::string> m_files;
    std::uint64_t m_bytes = 0;
    std::unique_ptr<sec::Manifest> m_manifest;
};

// Throughput of the single-threaded baseline, for the speed-up counters.
double g_sha256BytesPerSecond = 0;

double seconds(std::chrono::steady_clock::time_point since) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

void addSpeedup(benchmark::State& state, double elapsed) {
    const double total = static_cast<double>(Package::get().bytes()) *
                         static_cast<double>(state.iterations());
    if (g_sha256BytesPerSecond > 0 && elapsed > 0)
        state.counters["speedup_vs_sha256"] = total / elapsed / g_sha256BytesPerSecond;
    state.counters["threads"] = std::thread::hardware_concurrency();
}

// Plain SHA-256 of every file, one thread, pread in 1 MiB blocks through the project's Sha256.
void BM_Sha256SingleThread(benchmark::State& state) {
    Package& pkg = Package::get();
    std::vector<std::uint8_t> buffer(kMiB);
    const auto start = std::chrono::steady_clock::now();
    for (auto _ : state) {
        for (const std::string& file : pkg.files()) {
            const int fd = ::open(file.c_str(), O_RDONLY);
            if (fd < 0)
                die("cannot open " + file);
            sec::Sha256 h;
            off_t offset = 0;
            for (;;) {
                const ssize_t n = ::pread(fd, buffer.data(), buffer.size(), offset);
                if (n < 0)
                    die("read failed: " + file);
                if (n == 0)
                    break;
                h.update(sec::ByteView(buffer.data(), static_cast<std::size_t>(n)));
                offset += n;
            }
            ::close(fd);
            benchmark::DoNotOptimize(h.finish());
        }
    }
    const double elapsed = seconds(start);
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * pkg.bytes()));
    if (elapsed > 0)
        g_sha256BytesPerSecond =
            static_cast<double>(pkg.bytes()) * static_cast<double>(state.iterations()) / elapsed;
}

void BM_ManifestBuild(benchmark::State& state) {
    Package& pkg = Package::get();
    const auto start = std::chrono::steady_clock::now();
    for (auto _ : state) {
        auto m = sec::buildManifest(pkg.path());
        if (!m.ok())
            die(m.error().message());
        benchmark::DoNotOptimize(m->packageRoot);
    }
    const double elapsed = seconds(start);
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * pkg.bytes()));
    addSpeedup(state, elapsed);
}

void BM_ManifestVerify(benchmark::State& state) {
    Package& pkg = Package::get();
    const sec::Manifest& manifest = pkg.manifest();
    const auto start = std::chrono::steady_clock::now();
    for (auto _ : state) {
        const sec::Status st = sec::verifyMedia(manifest, pkg.path());
        if (!st.ok())
            die(st.error().message());
    }
    const double elapsed = seconds(start);
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * pkg.bytes()));
    addSpeedup(state, elapsed);
}

} // namespace

BENCHMARK(BM_Sha256SingleThread)->UseRealTime()->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_ManifestBuild)->UseRealTime()->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_ManifestVerify)->UseRealTime()->Unit(benchmark::kMillisecond)->Iterations(3);
