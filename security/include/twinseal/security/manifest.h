// Avatar media manifest: an avatar package (glTF/GLB, textures, metadata JSON) split into
// fixed-size chunks with SHA-256 leaves, a Merkle root per file and one for the package,
// signed by the holder. Hashing streams (bounded memory) and uses all cores for large files.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "twinseal/security/keys.h"

namespace twinseal::security {

inline constexpr std::uint32_t kDefaultChunkSize = 256 * 1024;
inline constexpr const char* kManifestType = "twinseal.media-manifest.v1";

struct ManifestFile {
    std::string path; // relative, '/'-separated
    std::uint64_t size = 0;
    std::string mediaType;
    Digest root{};
    std::vector<Digest> chunkHashes;
};

struct AvatarMetadataInfo {
    std::string name;
    std::vector<std::string> authors;
    std::string version;
    std::string licence;
    std::string allowedUsers;
    bool violentUsage = false;
    bool sexualUsage = false;
    bool commercialUsage = false;
    std::string contact;
    std::string reference;
};

struct Manifest {
    std::uint32_t chunkSize = kDefaultChunkSize;
    std::vector<ManifestFile> files; // sorted by path
    Digest packageRoot{};
    std::string modelPath;
    std::string metadataPath;
    AvatarMetadataInfo metadata;
    PublicKey holderKey;
    std::int64_t createdAt = 0;
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

// Builds (unsigned) a manifest for a package: a directory (all regular files, recursively) or a
// single .glb file. Validates the package: exactly one .glb/.gltf model with a glTF 2.0 header,
// and the metadata JSON (avatar.json) if present. Symlinks and special files are refused.
[[nodiscard]] Result<Manifest> buildManifest(const std::string& packagePath,
                                             const HashOptions& options = {});

// Package root over the file entries (each leaf binds path, size, chunk size and file root).
[[nodiscard]] Digest computePackageRoot(const std::vector<ManifestFile>& files,
                                        std::uint32_t chunkSize);

// Signs a manifest with the holder key (the key's public half is written into the manifest).
// Returns the serialized `Signed` envelope.
[[nodiscard]] Result<Bytes> signManifest(Manifest manifest, const SigningKey& holderKey);

struct SignedManifest {
    Manifest manifest;
    Bytes body;      // the signed bytes
    Bytes signature;
    Bytes encoded;   // the whole Signed envelope as received
};

// Parses the envelope and checks its internal consistency (roots recomputed from the leaves)
// and the signature against the holder key written inside. Callers bind that key to a
// credential themselves (see verify.h).
[[nodiscard]] Result<SignedManifest> parseSignedManifest(ByteView encoded);

// Describes where media verification failed.
struct MediaFailure {
    std::string file;                        // relative path
    std::optional<std::uint64_t> chunkIndex; // first bad chunk, if the failure is a chunk
};

// Verifies package bytes on disk against a manifest, streaming. On failure the Error's code is
// MediaMismatch / MediaMissingFile / MediaUnexpectedFile / MediaSizeMismatch, and `failure`
// (if given) names the file and first bad chunk.
[[nodiscard]] Status verifyMedia(const Manifest& manifest, const std::string& packagePath,
                                 const HashOptions& options = {},
                                 MediaFailure* failure = nullptr);

// Incremental verifier for media that arrives over a network: feed bytes file by file, in
// order; every completed chunk is checked at once and the first bad one is reported.
class StreamingMediaVerifier {
public:
    explicit StreamingMediaVerifier(const Manifest& manifest);
    // Starts the next file; fails if the path is not the next one in the manifest.
    [[nodiscard]] Status beginFile(const std::string& path);
    [[nodiscard]] Status update(ByteView data);
    [[nodiscard]] Status endFile();
    // All files received and checked.
    [[nodiscard]] Status finish();
    [[nodiscard]] const MediaFailure& failure() const noexcept { return m_failure; }

private:
    Status chunkDone();
    const Manifest& m_manifest;
    std::size_t m_fileIndex = 0;
    bool m_inFile = false;
    std::uint64_t m_fileBytes = 0;
    std::uint64_t m_chunkIndex = 0;
    std::uint64_t m_chunkFill = 0;
    std::unique_ptr<Sha256> m_hash;
    MediaFailure m_failure;
    bool m_failed = false;
};

} // namespace twinseal::security
