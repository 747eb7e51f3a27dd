// The glTF 2.0 / GLB validator (gltf_validate.h) on a package held in memory. First byte even:
// the rest is a .glb; odd: the rest is a .gltf, then (after the first NUL byte) the contents of
// mesh.bin, a buffer file the model may refer to. textures/skin.png is always there.
#include <algorithm>
#include <cstring>
#include <map>
#include <string>

#include <twinseal/security/gltf_validate.h>

#include "fuzz_support.h"

namespace {

using namespace twinseal;

class MemoryFiles final : public security::GltfFiles {
public:
    std::map<std::string, std::string> files;

    std::optional<std::uint64_t> size(const std::string& path) const override {
        const auto it = files.find(path);
        if (it == files.end())
            return std::nullopt;
        return it->second.size();
    }
    security::Status read(const std::string& path, std::uint64_t offset, std::uint8_t* out,
                          std::size_t length) const override {
        const auto it = files.find(path);
        // The validator reads only within the files it was told of.
        fuzz::require(it != files.end() && offset <= it->second.size() &&
                          length <= it->second.size() - offset,
                      "the validator reads only within the package's files");
        std::memcpy(out, it->second.data() + offset, length);
        return {};
    }
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0)
        return 0;
    const bool gltf = (data[0] & 1u) != 0;
    const char* rest = reinterpret_cast<const char*>(data + 1);
    const std::size_t restSize = size - 1;
    // A GLB holds NUL bytes: it is the whole rest (its buffers live in its BIN chunk).
    const char* split = gltf ? std::find(rest, rest + restSize, '\0') : rest + restSize;
    MemoryFiles files;
    const std::string model = gltf ? "model.gltf" : "model.glb";
    files.files[model] = std::string(rest, split);
    if (split != rest + restSize)
        files.files["mesh.bin"] = std::string(split + 1, rest + restSize);
    files.files["textures/skin.png"] = std::string("\x89PNG\r\n\x1a\n", 8);
    security::GltfLimits limits;
    limits.maxIndexBytesRead = 1 << 20;
    const security::Status st = security::validateGltf(model, files, limits);
    fuzz::require(st.ok() || !st.error().detail.empty(), "every refusal says why");
    return 0;
}
