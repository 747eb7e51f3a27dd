// A >= 1 GiB avatar package is built, signed, parsed and verified (on disk and streaming) with
// bounded memory: peak resident memory of the whole test process stays under 64 MiB.
//
// Under AddressSanitizer the process's resident memory is mostly the sanitizer's (shadow of the
// instrumented test binary, which grows with every test added to it, plus the allocator
// quarantine), so there the test checks what this test adds to the process instead: peak minus
// the resident memory at its start must stay under 32 MiB. Both figures are printed either way.
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <twinseal/security/manifest.h>

#include "testmain.h"

namespace {
namespace test_largemedia {

using namespace twinseal::security;

namespace {

constexpr std::uint64_t kMiB = 1024UL * 1024;
constexpr std::uint64_t kBinBytes = 1024 * kMiB; // the GLB's binary chunk: 1 GiB
constexpr std::uint64_t kPeakBudgetKiB = 64UL * 1024;
constexpr std::uint64_t kSanitizerGrowthBudgetKiB = 32UL * 1024;

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAddressSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kAddressSanitizer = true;
#else
constexpr bool kAddressSanitizer = false;
#endif
#else
constexpr bool kAddressSanitizer = false;
#endif
constexpr const char* kModel = "avatar.glb";

long peakRssKiB() {
    struct rusage ru {};
    ::getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss; // KiB on Linux
}

long currentRssKiB() {
    QFile statm(QStringLiteral("/proc/self/statm"));
    if (!statm.open(QIODevice::ReadOnly))
        return 0;
    const QList<QByteArray> fields = statm.readAll().split(' ');
    return fields.size() > 1 ? static_cast<long>(fields[1].toLongLong() * ::sysconf(_SC_PAGESIZE) / 1024)
                             : 0;
}

// xorshift64: fast, incompressible enough, never all zeros.
struct XorShift {
    std::uint64_t s;
    std::uint64_t next() {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        return s;
    }
    void fill(std::uint8_t* p, std::size_t n) {
        for (std::size_t i = 0; i + 8 <= n; i += 8) {
            const std::uint64_t v = next();
            std::memcpy(p + i, &v, 8);
        }
    }
};

bool writeAll(int fd, const void* data, std::size_t size) {
    auto p = static_cast<const std::uint8_t*>(data);
    while (size > 0) {
        const ssize_t w = ::write(fd, p, size);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        p += w;
        size -= static_cast<std::size_t>(w);
    }
    return true;
}

void putLe32(std::uint8_t* p, std::uint32_t v) {
    for (int i = 0; i < 4; ++i)
        p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}

// Appends `bytes` pseudo-random bytes, generated and written 1 MiB at a time.
bool writeRandom(int fd, std::uint64_t bytes, std::uint64_t seed) {
    std::vector<std::uint8_t> block(kMiB);
    XorShift rng{seed};
    for (std::uint64_t done = 0; done < bytes; done += block.size()) {
        const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(block.size(), bytes - done));
        rng.fill(block.data(), n);
        if (!writeAll(fd, block.data(), n))
            return false;
    }
    return true;
}

int createFile(const QString& path) {
    QDir().mkpath(QFileInfo(path).absolutePath());
    return ::open(QFile::encodeName(path).constData(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
}

// Writes a valid GLB whose BIN chunk holds `binBytes` pseudo-random bytes.
bool writeLargeGlb(const QString& path, std::uint64_t binBytes) {
    QByteArray json = QByteArray("{\"asset\":{\"version\":\"2.0\",\"generator\":\"TwinSeal large-media "
                                 "test\"},\"buffers\":[{\"byteLength\":") +
                      QByteArray::number(static_cast<qulonglong>(binBytes)) + "}]}";
    while (json.size() % 4)
        json.append(' ');
    const std::uint64_t total = 12 + 8 + static_cast<std::uint64_t>(json.size()) + 8 + binBytes;
    std::uint8_t header[20];
    std::copy_n("glTF", 4, header);
    putLe32(header + 4, 2);
    putLe32(header + 8, static_cast<std::uint32_t>(total));
    putLe32(header + 12, static_cast<std::uint32_t>(json.size()));
    std::copy_n("JSON", 4, header + 16);
    std::uint8_t binHeader[8];
    putLe32(binHeader, static_cast<std::uint32_t>(binBytes));
    std::copy_n("BIN\0", 4, binHeader + 4);

    const int fd = createFile(path);
    if (fd < 0)
        return false;
    const bool ok = writeAll(fd, header, sizeof header) &&
                    writeAll(fd, json.constData(), static_cast<std::size_t>(json.size())) &&
                    writeAll(fd, binHeader, sizeof binHeader) &&
                    writeRandom(fd, binBytes, 0x5EED5EED12345678ull);
    return ::close(fd) == 0 && ok;
}

bool writeRandomFile(const QString& path, std::uint64_t bytes, std::uint64_t seed) {
    const int fd = createFile(path);
    if (fd < 0)
        return false;
    const bool ok = writeRandom(fd, bytes, seed);
    return ::close(fd) == 0 && ok;
}

bool writeSmall(const QString& path, const QByteArray& data) {
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(data) == data.size();
}

double mibPerSecond(std::uint64_t bytes, qint64 ms) {
    return ms > 0 ? static_cast<double>(bytes) / kMiB / (static_cast<double>(ms) / 1000.0) : 0.0;
}

} // namespace

class LargeMediaTest : public QObject {
    Q_OBJECT

private slots:
    void oneGiBPackageInBoundedMemory() {
        const long rssAtStart = currentRssKiB();
        QTemporaryDir dir(QDir::tempPath() + "/twinseal-large-media-XXXXXX");
        QVERIFY(dir.isValid());
        const QString model = dir.filePath(kModel);
        QElapsedTimer timer;
        timer.start();
        QVERIFY2(writeLargeGlb(model, kBinBytes), "cannot write the 1 GiB test package");
        QVERIFY(writeRandomFile(dir.filePath("textures/skin.png"), 3 * kMiB + 12345, 42));
        QVERIFY(writeSmall(dir.filePath("avatar.json"),
                           "{\"name\":\"Large\",\"licence\":\"CC0-1.0\",\"allowedUsers\":\"everyone\"}"));
        QVERIFY(writeSmall(dir.filePath("LICENSE.txt"), "CC0-1.0\n"));
        const std::uint64_t modelSize = static_cast<std::uint64_t>(QFileInfo(model).size());
        QVERIFY(modelSize > kBinBytes);
        qInfo("generated %.0f MiB in %lld ms", static_cast<double>(modelSize) / kMiB,
              static_cast<long long>(timer.elapsed()));

        const long rssAfterGenerate = peakRssKiB();
        const std::string package = dir.path().toStdString();
        HashOptions options; // defaults: 256 KiB chunks, all hardware threads
        std::uint64_t lastDone = 0, lastTotal = 0;
        int reports = 0;
        options.progress = [&](std::uint64_t done, std::uint64_t total) {
            lastDone = done; // calls are serialised by the library
            lastTotal = total;
            ++reports;
        };

        timer.restart();
        auto manifest = buildManifest(package, options);
        const qint64 buildMs = timer.elapsed();
        const long peakAfterGenerate = rssAfterGenerate;
        const long peakAfterBuild = peakRssKiB();
        QVERIFY2(manifest.ok(), manifest.ok() ? "" : manifest.error().message().c_str());
        std::uint64_t total = 0;
        std::size_t leaves = 0;
        for (const auto& f : manifest->files) {
            total += f.size;
            leaves += f.chunkHashes.size();
        }
        QCOMPARE(manifest->modelPath, std::string(kModel));
        QCOMPARE(lastDone, total);
        QCOMPARE(lastTotal, total);
        QVERIFY(reports > 10);

        auto key = SigningKey::generate(KeyAlgorithm::Ed25519);
        QVERIFY(key.ok());
        auto encoded = signManifest(*manifest, *key);
        QVERIFY(encoded.ok());
        auto parsed = parseSignedManifest(*encoded);
        QVERIFY2(parsed.ok(), parsed.ok() ? "" : parsed.error().message().c_str());
        QCOMPARE(parsed->manifest.packageRoot, manifest->packageRoot);

        timer.restart();
        const Status verified = verifyMedia(parsed->manifest, package, options);
        const qint64 verifyMs = timer.elapsed();
        const long peakAfterVerify = peakRssKiB();
        QVERIFY2(verified.ok(), verified.ok() ? "" : verified.error().message().c_str());

        // Streaming: as a peer's media arrives, in 1 MiB pieces.
        timer.restart();
        {
            StreamingMediaVerifier stream(parsed->manifest);
            std::vector<std::uint8_t> piece(kMiB);
            for (const auto& f : parsed->manifest.files) {
                QVERIFY(stream.beginFile(f.path).ok());
                QFile in(dir.path() + "/" + QString::fromStdString(f.path));
                QVERIFY(in.open(QIODevice::ReadOnly | QIODevice::Unbuffered));
                for (;;) {
                    const qint64 n = in.read(reinterpret_cast<char*>(piece.data()), kMiB);
                    QVERIFY(n >= 0);
                    if (n == 0)
                        break;
                    QVERIFY(stream.update(ByteView(piece.data(), static_cast<std::size_t>(n))).ok());
                }
                QVERIFY(stream.endFile().ok());
            }
            QVERIFY(stream.finish().ok());
        }
        const qint64 streamMs = timer.elapsed();
        const long peakAfterStream = peakRssKiB();

        // One flipped byte in the middle of the big file is found and located.
        const std::uint64_t offset = modelSize / 2 + 12345;
        {
            QFile f(model);
            QVERIFY(f.open(QIODevice::ReadWrite));
            QVERIFY(f.seek(static_cast<qint64>(offset)));
            char c = 0;
            QVERIFY(f.getChar(&c));
            QVERIFY(f.seek(static_cast<qint64>(offset)));
            QVERIFY(f.putChar(static_cast<char>(c ^ 0x20)));
        }
        MediaFailure failure;
        timer.restart();
        const Status bad = verifyMedia(parsed->manifest, package, options, &failure);
        const qint64 badMs = timer.elapsed();
        QCOMPARE(bad.code(), ErrorCode::MediaMismatch);
        QCOMPARE(failure.file, std::string(kModel));
        QVERIFY(failure.chunkIndex.has_value());
        QCOMPARE(*failure.chunkIndex, offset / manifest->chunkSize);
        qInfo("tamper detected: %s", bad.error().message().c_str());

        const long peak = peakRssKiB();
        qInfo("package: %.1f MiB in %zu files, %u-byte chunks, %zu leaves; signed manifest %zu bytes",
              static_cast<double>(total) / kMiB, manifest->files.size(), manifest->chunkSize,
              leaves, encoded->size());
        qInfo("buildManifest: %lld ms (%.0f MiB/s); verifyMedia: %lld ms (%.0f MiB/s); streaming "
              "verifier (1 thread): %lld ms (%.0f MiB/s); verify with a bad chunk: %lld ms",
              static_cast<long long>(buildMs), mibPerSecond(total, buildMs),
              static_cast<long long>(verifyMs), mibPerSecond(total, verifyMs),
              static_cast<long long>(streamMs), mibPerSecond(total, streamMs),
              static_cast<long long>(badMs));
        const long growth = peak - rssAtStart;
        qInfo("peak resident memory: %.1f MiB (%ld KiB)%s; resident at start %.1f MiB, so this test "
              "added at most %.1f MiB; peak after generating %.1f MiB, building %.1f, verifying %.1f, "
              "streaming %.1f",
              static_cast<double>(peak) / 1024, peak, kAddressSanitizer ? " under AddressSanitizer" : "",
              static_cast<double>(rssAtStart) / 1024, static_cast<double>(growth) / 1024,
              static_cast<double>(peakAfterGenerate) / 1024, static_cast<double>(peakAfterBuild) / 1024,
              static_cast<double>(peakAfterVerify) / 1024, static_cast<double>(peakAfterStream) / 1024);
        if (kAddressSanitizer) {
            QVERIFY2(static_cast<std::uint64_t>(growth) < kSanitizerGrowthBudgetKiB,
                     qPrintable(QStringLiteral("the test added %1 KiB of resident memory under "
                                               "AddressSanitizer (budget 32 MiB)").arg(growth)));
        } else {
            QVERIFY2(static_cast<std::uint64_t>(peak) < kPeakBudgetKiB,
                     qPrintable(QStringLiteral("peak RSS %1 KiB exceeds the 64 MiB budget").arg(peak)));
        }

        QVERIFY(QFile::remove(model)); // free the disk space at once
        QVERIFY(dir.remove());
    }
};

TWINSEAL_TEST(LargeMediaTest, "large-media")
} // namespace test_largemedia
} // namespace

#include "test_largemedia.moc"
