// The avatar package reader (glTF 2.0 / GLB): buildManifest on a package made from the input.
// First byte even: the rest is a single .glb file. Odd: a package directory whose model.gltf
// (JSON) and avatar.json (metadata) are the rest split at the first NUL byte.
#include <algorithm>

#include <twinseal/security/avatar_package.h>

#include "fuzz_temp_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace twinseal;
    if (size == 0)
        return 0;
    const bool directory = (data[0] & 1u) != 0;
    const std::uint8_t* rest = data + 1;
    const std::size_t restSize = size - 1;
    security::HashOptions options;
    options.chunkSize = 4096;
    options.threads = 1;
    if (!directory) {
        const std::string file = fuzz::writeScratchFile("avatar.glb", rest, restSize);
        (void)security::buildManifest(file, options);
        return 0;
    }
    const std::uint8_t* split = std::find(rest, rest + restSize, std::uint8_t{0});
    const std::size_t modelSize = static_cast<std::size_t>(split - rest);
    const std::string model = fuzz::writeScratchFile("package/model.gltf", rest, modelSize);
    const std::size_t metaOffset = std::min(restSize, modelSize + 1);
    (void)fuzz::writeScratchFile("package/avatar.json", rest + metaOffset, restSize - metaOffset);
    (void)security::buildManifest((fuzz::scratchDirectory() / "package").string(), options);
    return 0;
}
