// Verifying avatar media against a signed manifest: a package on disk, or bytes arriving over the
// network, chunk by chunk; the first bad chunk is named.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "twinseal/security/manifest.h"

namespace twinseal::security {

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
