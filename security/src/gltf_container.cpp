// Where a glTF model's JSON and binary chunk are: the GLB container (glTF 2.0 §4.4: a 12-byte
// header, the JSON chunk, an optional BIN chunk) or a .gltf file, and the files of a package on
// disk as the validator reads them.
#include "gltf_internal.h"

#include <algorithm>

#include "media_internal.h"

namespace twinseal::security {

namespace {

constexpr std::uint32_t kGlbMagic = 0x46546C67u;  // "glTF"
constexpr std::uint32_t kChunkJson = 0x4E4F534Au; // "JSON"
constexpr std::uint32_t kChunkBin = 0x004E4942u;  // "BIN\0"

std::uint32_t getLe32(const std::uint8_t* p) {
    return std::uint32_t(p[0]) | std::uint32_t(p[1]) << 8 | std::uint32_t(p[2]) << 16 |
           std::uint32_t(p[3]) << 24;
}

} // namespace

DiskGltfFiles::DiskGltfFiles(std::string root, bool singleFile,
                             std::vector<std::pair<std::string, std::uint64_t>> files)
    : m_root(std::move(root)), m_singleFile(singleFile), m_files(std::move(files)) {
    std::sort(m_files.begin(), m_files.end());
}

std::optional<std::uint64_t> DiskGltfFiles::size(const std::string& path) const {
    const auto it = std::lower_bound(
        m_files.begin(), m_files.end(), path,
        [](const std::pair<std::string, std::uint64_t>& e, const std::string& p) {
            return e.first < p;
        });
    if (it == m_files.end() || it->first != path)
        return std::nullopt;
    return it->second;
}

Status DiskGltfFiles::read(const std::string& path, std::uint64_t offset, std::uint8_t* out,
                           std::size_t length) const {
    const auto listed = size(path);
    if (!listed || offset > *listed || length > *listed - offset)
        return makeError(ErrorCode::Internal, path + ": read outside the listed file");
    const std::string abs = m_singleFile ? m_root : m_root + "/" + path;
    auto opened = media_detail::openRegular(abs, path, false);
    if (!opened)
        return opened.error();
    return media_detail::readAt(opened->fd.get(), out, length, offset, path);
}

namespace gltf_detail {

Result<ModelSource> loadModel(const std::string& modelPath, const GltfFiles& files,
                              const GltfLimits& limits) {
    auto invalid = [&](const std::string& why) {
        return makeError(ErrorCode::AvatarPackageInvalid, modelPath + ": " + why);
    };
    const auto size = files.size(modelPath);
    if (!size)
        return makeError(ErrorCode::GltfResourceMissing,
                         modelPath + ": the model is not a file of the package");
    ModelSource out;
    if (media_detail::lowerExtension(modelPath) != "glb") {
        if (*size > limits.maxJsonBytes)
            return makeError(ErrorCode::GltfLimitExceeded,
                             modelPath + ": " + std::to_string(*size) +
                                 " bytes is too large for a glTF JSON document (limit " +
                                 std::to_string(limits.maxJsonBytes) + " bytes)");
        out.json.resize(static_cast<std::size_t>(*size));
        TWINSEAL_TRY(files.read(modelPath, 0, reinterpret_cast<std::uint8_t*>(out.json.data()),
                                out.json.size()));
        return out;
    }
    out.glb = true;
    if (*size < 20)
        return invalid("only " + std::to_string(*size) +
                       " bytes: too small for a GLB header and JSON chunk");
    std::uint8_t header[20];
    TWINSEAL_TRY(files.read(modelPath, 0, header, sizeof header));
    if (getLe32(header) != kGlbMagic)
        return invalid("not a glTF binary (GLB) file: the first 4 bytes are not 'glTF'");
    const std::uint32_t version = getLe32(header + 4);
    if (version != 2)
        return invalid("GLB container version " + std::to_string(version) +
                       " is not supported (glTF 2.0 binaries have version 2)");
    const std::uint32_t length = getLe32(header + 8);
    if (length != *size)
        return invalid("the GLB header declares " + std::to_string(length) +
                       " bytes but the file has " + std::to_string(*size) +
                       " (truncated or padded?)");
    const std::uint32_t jsonLength = getLe32(header + 12);
    if (getLe32(header + 16) != kChunkJson)
        return invalid("the first GLB chunk is not the JSON chunk");
    if (jsonLength > *size - 20)
        return invalid("the GLB JSON chunk (" + std::to_string(jsonLength) +
                       " bytes) runs past the end of the file");
    if (jsonLength > limits.maxJsonBytes)
        return makeError(ErrorCode::GltfLimitExceeded,
                         modelPath + ": the GLB JSON chunk is larger than " +
                             std::to_string(limits.maxJsonBytes) + " bytes");
    out.json.resize(jsonLength);
    TWINSEAL_TRY(files.read(modelPath, 20, reinterpret_cast<std::uint8_t*>(out.json.data()),
                            out.json.size()));
    // The optional BIN chunk follows the JSON chunk; chunks of other types are ignored.
    const std::uint64_t next = 20ull + jsonLength;
    const std::uint64_t rest = *size - next;
    if (rest == 0)
        return out;
    if (rest < 8)
        return invalid(std::to_string(rest) +
                       " bytes after the JSON chunk: too few for a chunk header");
    std::uint8_t chunk[8];
    TWINSEAL_TRY(files.read(modelPath, next, chunk, sizeof chunk));
    const std::uint32_t binLength = getLe32(chunk);
    if (binLength > rest - 8)
        return invalid("the GLB chunk after the JSON chunk (" + std::to_string(binLength) +
                       " bytes) runs past the end of the file");
    if (getLe32(chunk + 4) == kChunkBin) {
        out.hasBin = true;
        out.binOffset = next + 8;
        out.binLength = binLength;
    }
    return out;
}

} // namespace gltf_detail

} // namespace twinseal::security
