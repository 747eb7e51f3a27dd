// Avatar media manifest: an avatar package (glTF/GLB, textures, metadata JSON) split into
// fixed-size chunks with SHA-256 leaves, a Merkle root per file and one for the package,
// signed by the holder. This header: the manifest, its signing and parsing. With it come the
// parts that make and check one: media_hash.h (hashing), avatar_package.h (building a
// manifest from a package) and media_verify.h (verifying media against it).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "twinseal/security/keys.h"
#include "twinseal/security/media_hash.h"

namespace twinseal::security {

inline constexpr const char* kManifestType = "twinseal.media-manifest.v1";

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

    bool operator==(const AvatarMetadataInfo&) const = default;
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

// What the home network certifies about a manifest besides its package root (the credential's
// `media`): which file is the model, its media type, which file is the metadata and what the
// metadata says.
struct MediaDescription {
    std::string modelPath;
    std::string modelMediaType;
    std::string metadataPath;
    AvatarMetadataInfo metadata;

    bool operator==(const MediaDescription&) const = default;
};

[[nodiscard]] MediaDescription describeMedia(const Manifest& manifest);

// The manifest against the description a credential certifies: MediaDescriptionMissing when the
// credential certifies none (issued before descriptions were certified: re-certify), else
// MediaDescriptionMismatch naming the first field that differs.
[[nodiscard]] Status checkMediaDescription(const Manifest& manifest,
                                           const std::optional<MediaDescription>& certified);

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

} // namespace twinseal::security

// Included after the declarations above, which they build on.
#include "twinseal/security/avatar_package.h"
#include "twinseal/security/media_verify.h"
