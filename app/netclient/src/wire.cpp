#include "wire.h"

#include <algorithm>

namespace twinseal::netclient::detail {

namespace sec = twinseal::security;

std::optional<sec::Digest> digestOf(const std::string& bytes) {
    if (bytes.size() != sizeof(sec::Digest))
        return std::nullopt;
    sec::Digest d{};
    std::copy(bytes.begin(), bytes.end(), d.begin());
    return d;
}

ClientError malformed(const std::string& what, const std::string& detail) {
    std::string message = "The home network service's answer to " + what + " is malformed";
    if (!detail.empty())
        message += " (" + detail + ")";
    message += ". Nothing was accepted; try again later, and if it persists contact your operator "
               "(the service may be a different version).";
    return clientError(reason::kResponseMalformed, std::move(message));
}

ClientResult<sec::PublicKey> publicKeyFromProto(const proto::PublicKey& key,
                                                const std::string& what) {
    sec::KeyAlgorithm alg;
    switch (key.algorithm()) {
    case proto::ED25519:
        alg = sec::KeyAlgorithm::Ed25519;
        break;
    case proto::ECDSA_P256:
        alg = sec::KeyAlgorithm::EcdsaP256;
        break;
    default:
        return malformed(what, "unknown key algorithm");
    }
    auto pk = sec::PublicKey::fromRaw(alg, viewOf(key.raw()));
    if (!pk.ok())
        return malformed(what, pk.error().message());
    return std::move(pk).value();
}

DtRecord dtRecordFromProto(const proto::DtInfo& info) {
    DtRecord r;
    r.dtId = info.dt_id();
    r.avatarId = info.avatar_id();
    r.state = info.state();
    r.credential = bytesOf(info.credential());
    r.statusListIndex = info.status_list_index();
    r.logIndex = info.log_index();
    r.createdAt = info.created_at();
    r.updatedAt = info.updated_at();
    r.mediaRoot = bytesOf(info.media_root());
    r.generation = info.generation();
    r.revocationReason = info.revocation_reason();
    return r;
}

ClientResult<AvatarRecord> avatarRecordFromProto(const proto::AvatarInfo& info) {
    AvatarRecord r;
    r.avatarId = info.avatar_id();
    r.dtId = info.dt_id();
    const auto root = digestOf(info.media_root());
    if (!root)
        return malformed("the avatar request", "the media root is not a SHA-256 digest");
    r.mediaRoot = *root;
    r.signedManifest = bytesOf(info.signed_manifest());
    r.complete = info.complete();
    for (const auto& f : info.files())
        r.files.push_back({f.name(), f.size(), f.chunks(), f.chunks_stored()});
    if (r.avatarId.empty() || r.signedManifest.empty())
        return malformed("the avatar request", "no avatar id or no manifest");
    return r;
}

} // namespace twinseal::netclient::detail
