// security/-internal: what the glTF validator's sources share (the model's JSON and BIN chunk).
#pragma once

#include <cstdint>
#include <string>

#include "twinseal/security/gltf_validate.h"

namespace twinseal::security::gltf_detail {

struct ModelSource {
    std::string json;
    bool glb = false;
    bool hasBin = false;
    std::uint64_t binOffset = 0; // in the model file
    std::uint64_t binLength = 0;
};

// Reads the glTF JSON of a .gltf file, or the JSON chunk and where the BIN chunk lies of a .glb
// (the GLB container checked: AvatarPackageInvalid).
[[nodiscard]] Result<ModelSource> loadModel(const std::string& modelPath, const GltfFiles& files,
                                            const GltfLimits& limits);

} // namespace twinseal::security::gltf_detail
