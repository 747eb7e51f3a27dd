// Hashing avatar media: every file split into fixed-size chunks with SHA-256 leaves and a Merkle
// root per file; the package root over the file entries. Streaming with bounded memory, large
// files on all cores.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "twinseal/security/keys.h"

namespace twinseal::security {

inline constexpr std::uint32_t kDefaultChunkSize = 256 * 1024;

struct ManifestFile {
    std::string path; // relative, '/'-separated
    std::uint64_t size = 0;
    std::string mediaType;
    Digest root{};
    std::vector<Digest> chunkHashes;
};

struct HashOptions {
    std::uint32_t chunkSize = kDefaultChunkSize;
    unsigned threads = 0; // 0: all hardware threads
    // Files at least this large are hashed by several threads at once.
    std::uint64_t parallelThreshold = 8ull * 1024 * 1024;
    // Called with (bytes hashed so far, total bytes); may be called from worker threads.
    std::function<void(std::uint64_t, std::uint64_t)> progress;
};

// Hashes one file: chunk leaves and root, streaming with bounded memory.
[[nodiscard]] Result<ManifestFile> hashMediaFile(const std::string& absolutePath,
                                                 const std::string& relativePath,
                                                 const HashOptions& options = {});

// Package root over the file entries (each leaf binds path, size, chunk size and file root).
[[nodiscard]] Digest computePackageRoot(const std::vector<ManifestFile>& files,
                                        std::uint32_t chunkSize);

} // namespace twinseal::security
