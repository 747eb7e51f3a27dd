// glTF 2.0 / GLB validation of an avatar's model before it is signed, certified or rendered:
// the JSON structure and member types of the glTF 2.0 schema, references between objects, every
// buffer and image inside the package (no URI leaving it, no data: URIs), accessor bounds within
// their buffer views and buffers, index values within the vertex accessors they index, an acyclic
// node graph (one parent per node, scenes list roots) and bounded counts and sizes.
// Each class of defect has its own ErrorCode (the Gltf* codes, or AvatarPackageInvalid for the
// GLB container and the glTF version); the detail names the model and the offending object.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "twinseal/security/result.h"

namespace twinseal::security {

struct GltfLimits {
    std::uint64_t maxJsonBytes = 16ull * 1024 * 1024;  // the glTF JSON (file or GLB chunk)
    std::uint32_t maxJsonDepth = 64;                   // nesting of JSON arrays and objects
    std::uint64_t maxObjects = 65536;                  // entries of any one top-level array
    std::uint64_t maxChildren = 65536;                 // entries of any one nested array
    std::uint64_t maxBufferBytes = 1ull << 30;         // one buffer's byteLength
    std::uint64_t maxAccessorCount = 1ull << 26;       // elements of one accessor
    std::uint64_t maxIndexBytesRead = 256ull << 20;    // index data read to check index values
};

// The files of a package as the validator sees them, by package-relative path ('/'-separated).
class GltfFiles {
public:
    virtual ~GltfFiles() = default;
    // The size of a file of the package, or nothing when the package has no such file.
    [[nodiscard]] virtual std::optional<std::uint64_t> size(const std::string& path) const = 0;
    // Reads exactly `length` bytes at `offset` of a file of the package.
    [[nodiscard]] virtual Status read(const std::string& path, std::uint64_t offset,
                                      std::uint8_t* out, std::size_t length) const = 0;
};

// A package on disk: `root` is the package directory, or the .glb file itself for a
// single-file package (then the one file is named by its file name). Only the listed files
// (path, size) are part of the package.
class DiskGltfFiles final : public GltfFiles {
public:
    DiskGltfFiles(std::string root, bool singleFile,
                  std::vector<std::pair<std::string, std::uint64_t>> files);
    [[nodiscard]] std::optional<std::uint64_t> size(const std::string& path) const override;
    [[nodiscard]] Status read(const std::string& path, std::uint64_t offset, std::uint8_t* out,
                              std::size_t length) const override;

private:
    std::string m_root;
    bool m_singleFile;
    std::vector<std::pair<std::string, std::uint64_t>> m_files; // sorted by path
};

// Validates the model `modelPath` (.glb or .gltf, by extension) of a package.
[[nodiscard]] Status validateGltf(const std::string& modelPath, const GltfFiles& files,
                                  const GltfLimits& limits = {});

} // namespace twinseal::security
