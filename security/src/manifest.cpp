// Avatar media manifests: the structure rules, encoding and signing with the holder key, and
// parsing a signed manifest (roots recomputed, signature checked).
#include "twinseal/security/manifest.h"

#include <algorithm>
#include <string>
#include <utility>

#include "media_internal.h"
#include "metadata_proto.h"
#include "pkey_util.h"
#include "twinseal/proto/codec.h"
#include "twinseal/proto/twinseal.pb.h"
#include "twinseal/security/merkle.h"
#include "twinseal/security/signed.h"

namespace twinseal::security {

using namespace media_detail;

namespace {

namespace pb = twinseal::proto;

constexpr std::uint32_t kManifestVersion = 1;
constexpr std::string_view kHashAlgorithm = "sha-256";

Digest toDigest(const std::string& s) {
    Digest d{};
    std::copy(s.begin(), s.end(), d.begin());
    return d;
}
std::string fromDigest(const Digest& d) { return std::string(d.begin(), d.end()); }

Status checkRoots(const Manifest& m, ErrorCode code) {
    for (const ManifestFile& f : m.files) {
        if (merkle::rootFromLeaves(f.chunkHashes) != f.root)
            return makeError(code, f.path +
                                       ": the file root does not match the Merkle root of its "
                                       "chunk hashes");
    }
    if (computePackageRoot(m.files, m.chunkSize) != m.packageRoot)
        return makeError(code, "the package root does not match the Merkle root of the file "
                               "entries");
    return {};
}

} // namespace

namespace media_detail {

Status checkStructure(const Manifest& m, ErrorCode code) {
    TWINSEAL_TRY(checkChunkSize(m.chunkSize, code));
    if (m.files.empty())
        return makeError(code, "the manifest lists no files");
    bool modelFound = false;
    bool metadataFound = m.metadataPath.empty();
    bool metadataListed = false;
    std::size_t models = 0;
    for (std::size_t i = 0; i < m.files.size(); ++i) {
        const ManifestFile& f = m.files[i];
        TWINSEAL_TRY(checkRelativePath(f.path, code));
        if (i > 0 && !(m.files[i - 1].path < f.path))
            return makeError(code, "manifest files are not sorted by path or repeat a path ('" +
                                       m.files[i - 1].path + "', '" + f.path + "')");
        const std::uint64_t n = chunkCount(f.size, m.chunkSize);
        if (f.chunkHashes.size() != n)
            return makeError(code, f.path + ": " + std::to_string(f.size) + " bytes in " +
                                       std::to_string(m.chunkSize) + "-byte chunks need " +
                                       std::to_string(n) + " chunk hashes, the manifest has " +
                                       std::to_string(f.chunkHashes.size()));
        if (f.mediaType != mediaTypeFor(f.path))
            return makeError(code, f.path + ": media type '" + f.mediaType +
                                       "' is not the one its name gives ('" +
                                       mediaTypeFor(f.path) + "')");
        if (isModelPath(f.path))
            ++models;
        if (f.path == kMetadataFileName)
            metadataListed = true;
        if (f.path == m.modelPath)
            modelFound = true;
        if (f.path == m.metadataPath)
            metadataFound = true;
    }
    if (!modelFound || !isModelPath(m.modelPath))
        return makeError(code, "the manifest's model path '" + m.modelPath +
                                   "' is not a .glb/.gltf file listed in the manifest");
    if (models != 1)
        return makeError(code, "the manifest lists " + std::to_string(models) +
                                   " glTF models; an avatar package has exactly one");
    if (!metadataFound)
        return makeError(code, "the manifest's metadata path '" + m.metadataPath +
                                   "' is not listed in the manifest");
    // The metadata is the package's top-level avatar.json, when there is one, and only then.
    if (!m.metadataPath.empty() && m.metadataPath != kMetadataFileName)
        return makeError(code, "the manifest's metadata path is '" + m.metadataPath +
                                   "'; avatar metadata is the package's avatar.json");
    if (m.metadataPath.empty() && metadataListed)
        return makeError(code, "the manifest lists avatar.json but does not name it as the "
                               "metadata");
    if (m.metadataPath.empty() && !(m.metadata == AvatarMetadataInfo{}))
        return makeError(code, "the manifest states avatar metadata but has no metadata file");
    return {};
}

} // namespace media_detail

MediaDescription describeMedia(const Manifest& manifest) {
    return MediaDescription{manifest.modelPath, mediaTypeFor(manifest.modelPath),
                            manifest.metadataPath, manifest.metadata};
}

Status checkMediaDescription(const Manifest& manifest,
                             const std::optional<MediaDescription>& certified) {
    if (!certified)
        return makeError(ErrorCode::MediaDescriptionMissing,
                         "the credential was issued before the home network certified which "
                         "file is the model and what the metadata says; its owner must "
                         "re-certify the avatar");
    const MediaDescription actual = describeMedia(manifest);
    auto differs = [](const std::string& what, const std::string& signedValue,
                      const std::string& certifiedValue) {
        return makeError(ErrorCode::MediaDescriptionMismatch,
                         "the manifest's " + what + " is '" + signedValue +
                             "' but the home network certified '" + certifiedValue + "'");
    };
    if (actual.modelPath != certified->modelPath)
        return differs("model", actual.modelPath, certified->modelPath);
    if (actual.modelMediaType != certified->modelMediaType)
        return differs("model media type", actual.modelMediaType, certified->modelMediaType);
    if (actual.metadataPath != certified->metadataPath)
        return differs("metadata file", actual.metadataPath, certified->metadataPath);
    if (!(actual.metadata == certified->metadata))
        return makeError(ErrorCode::MediaDescriptionMismatch,
                         "the manifest's avatar metadata (name '" + actual.metadata.name +
                             "', licence '" + actual.metadata.licence +
                             "') is not what the home network certified (name '" +
                             certified->metadata.name + "', licence '" +
                             certified->metadata.licence + "')");
    return {};
}

Result<Bytes> signManifest(Manifest manifest, const SigningKey& holderKey) {
    if (!holderKey.valid())
        return makeError(ErrorCode::InvalidArgument, "cannot sign a manifest with an empty key");
    TWINSEAL_TRY(checkStructure(manifest, ErrorCode::InvalidArgument));
    TWINSEAL_TRY(checkRoots(manifest, ErrorCode::InvalidArgument));
    manifest.holderKey = holderKey.publicKey();

    pb::ManifestBody body;
    body.set_version(kManifestVersion);
    body.set_chunk_size(manifest.chunkSize);
    body.set_hash_algorithm(std::string(kHashAlgorithm));
    for (const ManifestFile& f : manifest.files) {
        pb::MediaFile* mf = body.add_files();
        mf->set_path(f.path);
        mf->set_size(f.size);
        mf->set_media_type(f.mediaType);
        mf->set_root(fromDigest(f.root));
        mf->mutable_chunk_hashes()->Reserve(static_cast<int>(f.chunkHashes.size()));
        for (const Digest& d : f.chunkHashes)
            mf->add_chunk_hashes(fromDigest(d));
    }
    body.set_package_root(fromDigest(manifest.packageRoot));
    body.set_model_path(manifest.modelPath);
    body.set_metadata_path(manifest.metadataPath);
    detail::toProto(manifest.metadata, body.mutable_metadata());
    detail::toProto(manifest.holderKey, body.mutable_holder_key());
    body.set_created_at(manifest.createdAt);

    std::string serialized;
    if (!serializeTo(body, serialized))
        return makeError(ErrorCode::Internal, "cannot serialize the manifest body");
    return signEnvelope(kManifestType, view(serialized), holderKey);
}

Result<SignedManifest> parseSignedManifest(ByteView encoded) {
    auto envelope = parseEnvelope(encoded, kManifestType);
    if (!envelope)
        return envelope.error();

    pb::ManifestBody body;
#if GOOGLE_PROTOBUF_VERSION < 3022000
    // Untrusted input: report malformed bodies through the Result only, not protobuf's log.
    const google::protobuf::LogSilencer quiet;
#endif
    if (!parseMessage(envelope->body, body))
        return makeError(ErrorCode::MalformedInput,
                         "the manifest body is not a valid twinseal.ManifestBody");
    if (body.version() != kManifestVersion)
        return makeError(ErrorCode::UnsupportedVersion,
                         "manifest version " + std::to_string(body.version()) +
                             " is not supported (expected " + std::to_string(kManifestVersion) +
                             ")");
    if (body.hash_algorithm() != kHashAlgorithm)
        return makeError(ErrorCode::UnsupportedAlgorithm,
                         "manifest hash algorithm '" + body.hash_algorithm() +
                             "' is not supported (expected 'sha-256')");

    SignedManifest out;
    Manifest& m = out.manifest;
    m.chunkSize = body.chunk_size();
    m.files.reserve(static_cast<std::size_t>(body.files_size()));
    for (const pb::MediaFile& mf : body.files()) {
        ManifestFile f;
        f.path = mf.path();
        f.size = mf.size();
        f.mediaType = mf.media_type();
        if (mf.root().size() != 32)
            return makeError(ErrorCode::MalformedInput,
                             f.path + ": the file root is not a 32-byte SHA-256 digest");
        f.root = toDigest(mf.root());
        f.chunkHashes.reserve(static_cast<std::size_t>(mf.chunk_hashes_size()));
        for (const std::string& h : mf.chunk_hashes()) {
            if (h.size() != 32)
                return makeError(ErrorCode::MalformedInput,
                                 f.path + ": a chunk hash is not a 32-byte SHA-256 digest");
            f.chunkHashes.push_back(toDigest(h));
        }
        m.files.push_back(std::move(f));
    }
    if (body.package_root().size() != 32)
        return makeError(ErrorCode::MalformedInput,
                         "the package root is not a 32-byte SHA-256 digest");
    m.packageRoot = toDigest(body.package_root());
    m.modelPath = body.model_path();
    m.metadataPath = body.metadata_path();
    m.metadata = detail::fromProto(body.metadata());
    m.createdAt = body.created_at();
    TWINSEAL_TRY(checkStructure(m, ErrorCode::MalformedInput));

    const auto alg = detail::fromProto(body.holder_key().algorithm());
    if (!alg)
        return makeError(ErrorCode::UnsupportedAlgorithm,
                         "the manifest's holder key has an unknown or missing algorithm");
    auto holderKey = PublicKey::fromRaw(*alg, view(body.holder_key().raw()));
    if (!holderKey)
        return makeError(ErrorCode::MalformedInput,
                         "the manifest's holder key is invalid: " + holderKey.error().message());
    m.holderKey = std::move(holderKey).value();

    // The signature first: a manifest altered in transit is reported as such, not as an
    // inconsistency of its contents.
    if (auto sig = verifyEnvelope(*envelope, m.holderKey); !sig) {
        return makeError(sig.code(), "media manifest signed by the holder key it names: " +
                                         sig.error().detail);
    }
    TWINSEAL_TRY(checkRoots(m, ErrorCode::MediaRootMismatch));

    out.body = std::move(envelope->body);
    out.signature = std::move(envelope->signature);
    out.encoded.assign(encoded.begin(), encoded.end());
    return out;
}

} // namespace twinseal::security
