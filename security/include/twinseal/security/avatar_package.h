// Avatar packages: listing a package (a directory or a single .glb), checking its glTF model and
// metadata, and building its unsigned manifest.
#pragma once

#include <string>

#include "twinseal/security/manifest.h"

namespace twinseal::security {

// Builds (unsigned) a manifest for a package: a directory (all regular files, recursively) or a
// single .glb file. Validates the package: exactly one .glb/.gltf model with a glTF 2.0 header,
// and the metadata JSON (avatar.json) if present. Symlinks and special files are refused.
[[nodiscard]] Result<Manifest> buildManifest(const std::string& packagePath,
                                             const HashOptions& options = {});

} // namespace twinseal::security
