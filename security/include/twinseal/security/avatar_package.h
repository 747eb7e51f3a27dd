// Avatar packages: listing a package (a directory or a single .glb), checking its glTF model and
// metadata, and building its unsigned manifest.
#pragma once

#include <string>

#include "twinseal/security/manifest.h"

namespace twinseal::security {

// Builds (unsigned) a manifest for a package: a directory (all regular files, recursively) or a
// single .glb file. Validates the package: exactly one .glb/.gltf model, valid glTF 2.0
// (validateGltf, gltf_validate.h), and the metadata JSON (avatar.json) if present. Symlinks and
// special files are refused.
[[nodiscard]] Result<Manifest> buildManifest(const std::string& packagePath,
                                             const HashOptions& options = {});

// Validates the glTF 2.0 model of a package whose bytes were verified against `manifest`
// (gltf_validate.h: the model and every buffer and image it uses, within the manifest's files).
// `packagePath` is the package directory or, for a single-file package, the .glb file.
[[nodiscard]] Status validatePackageModel(const Manifest& manifest,
                                          const std::string& packagePath);

// The package's avatar.json (its bytes verified against `manifest`) says what the manifest's
// metadata says: else MediaDescriptionMismatch (or AvatarPackageInvalid when it is not valid
// metadata). Nothing to check when the manifest names no metadata file.
[[nodiscard]] Status checkPackageMetadata(const Manifest& manifest,
                                          const std::string& packagePath);

} // namespace twinseal::security
