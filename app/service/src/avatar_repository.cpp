#include "twinseal/service/avatar_repository.h"

#include <algorithm>

#include <twinseal/security/gltf_validate.h>
#include <twinseal/security/manifest.h>
#include <twinseal/security/merkle.h>

#include "service_util.h"
#include "stored_package_files.h"

namespace twinseal::service {

using namespace twinseal::security;
using namespace util;

ServiceStatus AvatarRepository::checkAvatarAccess(const Caller& caller, const DtRecord& dt) {
    if (caller.subscriber() && caller.supi == dt.supi)
        return Nothing{};
    if (!caller.grantAvatarId.isEmpty() && caller.grantAvatarId == dt.avatarId) {
        if (dt.state != QLatin1String("active"))
            return serviceError(410, "dt-not-active",
                                "this avatar's digital twin is no longer active");
        return Nothing{};
    }
    if (!caller.subscriber() && caller.grantAvatarId.isEmpty())
        return serviceError(401, "not-authenticated",
                            "avatars are served only to their owner or to holders of an access "
                            "grant from the owner");
    return serviceError(403, "avatar-access-denied",
                        "you are not authorised to fetch this avatar: ask its owner for an access "
                        "grant");
}

ServiceResult<DtRecord> AvatarRepository::ownActiveAvatar(const Caller& caller,
                                                          const QString& avatarId,
                                                          const char* unauthenticated) {
    if (!caller.subscriber())
        return serviceError(401, "not-authenticated", unauthenticated);
    auto dt = m_ctx.store.dts().dtByAvatar(avatarId);
    if (!dt.ok())
        return m_ctx.storageError(dt.error());
    if (!dt->has_value() || (*dt)->supi != caller.supi)
        return serviceError(404, "unknown-avatar",
                            "this subscription has no avatar " + avatarId.toStdString());
    if ((*dt)->state != QLatin1String("active"))
        return serviceError(409, "dt-not-active", "the avatar's digital twin is not active");
    return std::move(**dt);
}

ServiceResult<proto::AvatarInfo> AvatarRepository::describeAvatar(const DtRecord& dt) {
    auto files = m_ctx.store.avatars().avatarFiles(dt.mediaRoot);
    if (!files.ok())
        return m_ctx.storageError(files.error());
    proto::AvatarInfo out;
    out.set_avatar_id(dt.avatarId.toStdString());
    out.set_dt_id(dt.dtId.toStdString());
    out.set_media_root(str(dt.mediaRoot));
    out.set_signed_manifest(str(dt.signedManifest));
    bool complete = true;
    for (const auto& f : *files) {
        auto* s = out.add_files();
        s->set_name(f.path.toStdString());
        s->set_size(f.size);
        s->set_chunks(f.chunks);
        s->set_chunks_stored(f.chunksStored);
        complete = complete && f.chunksStored == f.chunks;
    }
    out.set_complete(complete);
    return out;
}

ServiceResult<proto::AvatarInfo> AvatarRepository::putChunk(const Caller& caller,
                                                            const QString& avatarId, int file,
                                                            quint64 chunkIndex,
                                                            const QByteArray& data) {
    auto dt = ownActiveAvatar(caller, avatarId, "only the avatar's owner may upload it");
    if (!dt.ok())
        return dt.error();
    auto manifest = parseSignedManifest(bv(dt->signedManifest));
    if (!manifest.ok())
        return serviceError(500, "manifest-damaged", "the stored manifest does not verify");
    const Manifest& m = manifest->manifest;
    if (file < 0 || static_cast<std::size_t>(file) >= m.files.size())
        return serviceError(404, "unknown-file",
                            "the certified manifest has no file number " + std::to_string(file));
    const ManifestFile& f = m.files[static_cast<std::size_t>(file)];
    if (chunkIndex >= f.chunkHashes.size())
        return serviceError(404, "unknown-chunk",
                            f.path + " has no chunk " + std::to_string(chunkIndex));
    const std::uint64_t offset = chunkIndex * m.chunkSize;
    const std::uint64_t expected = std::min<std::uint64_t>(m.chunkSize, f.size - offset);
    if (static_cast<std::uint64_t>(data.size()) != expected)
        return badRequest("chunk-size-mismatch", f.path + " chunk " + std::to_string(chunkIndex) +
                                                     " must be " + std::to_string(expected) +
                                                     " bytes, got " + std::to_string(data.size()));
    if (merkle::leafHash(bv(data)) != f.chunkHashes[chunkIndex])
        return serviceError(422, "chunk-hash-mismatch",
                            f.path + " chunk " + std::to_string(chunkIndex) +
                                " does not match the certified manifest; nothing was stored");
    // The chunk that completes the package: the model is validated (glTF 2.0, every buffer and
    // image inside the package, accessor and index bounds, the node graph) before it is stored,
    // so that a broken or hostile model is never served to a peer's renderer.
    auto already = m_ctx.store.avatars().chunk(dt->mediaRoot, file, chunkIndex);
    if (!already.ok())
        return m_ctx.storageError(already.error());
    if (!already->has_value()) {
        auto files = m_ctx.store.avatars().avatarFiles(dt->mediaRoot);
        if (!files.ok())
            return m_ctx.storageError(files.error());
        quint64 missing = 0;
        for (const auto& stored : *files)
            missing += stored.chunks - std::min(stored.chunks, stored.chunksStored);
        if (missing == 1) {
            const StoredPackageFiles package(m_ctx.store, dt->mediaRoot, m, file, chunkIndex, data);
            if (auto valid = validateGltf(m.modelPath, package); !valid.ok())
                return serviceError(422, std::string(errorCodeName(valid.code())),
                                    "the avatar's model is not valid glTF 2.0 (" +
                                        valid.error().detail +
                                        "); the last chunk was not stored and the avatar will "
                                        "not be served: re-certify a valid avatar");
        }
    }
    auto stored = m_ctx.store.avatars().putChunk(dt->mediaRoot, file, chunkIndex, data);
    if (!stored.ok())
        return m_ctx.storageError(stored.error());
    return describeAvatar(*dt);
}

ServiceResult<proto::AvatarInfo> AvatarRepository::avatarInfo(const Caller& caller,
                                                              const QString& avatarId) {
    auto dt = m_ctx.store.dts().dtByAvatar(avatarId);
    if (!dt.ok())
        return m_ctx.storageError(dt.error());
    if (!dt->has_value())
        return serviceError(404, "unknown-avatar", "there is no avatar " + avatarId.toStdString());
    if (auto st = checkAvatarAccess(caller, **dt); !st.ok())
        return st.error();
    return describeAvatar(**dt);
}

ServiceResult<proto::AvatarInfo> AvatarRepository::avatarInfoByRoot(const Caller& caller,
                                                                    const QByteArray& root) {
    if (root.size() != 32)
        return badRequest("digest-invalid", "a media root is 32 bytes (64 hex digits)");
    if (!caller.subscriber() && caller.grantAvatarId.isEmpty())
        return serviceError(401, "not-authenticated",
                            "avatars are served only to their owner or to holders of an access "
                            "grant from the owner");
    // Looked up only among the caller's own DTs and the one its grant names: subscribers who
    // certified the same package share its root, and whether a root exists elsewhere is not
    // the caller's business (the answer is the same either way).
    auto dt = m_ctx.store.dts().dtByMediaRootFor(root, caller.supi, caller.grantAvatarId);
    if (!dt.ok())
        return m_ctx.storageError(dt.error());
    if (!dt->has_value())
        return serviceError(404, "unknown-avatar",
                            "none of your avatars, and no avatar you hold an access grant for, "
                            "has this media root: ask the avatar's owner for an access grant");
    if (auto st = checkAvatarAccess(caller, **dt); !st.ok())
        return st.error();
    return describeAvatar(**dt);
}

ServiceResult<AvatarRepository::FileStream>
AvatarRepository::openFile(const Caller& caller, const QString& avatarId, int file) {
    auto info = avatarInfo(caller, avatarId);
    if (!info.ok())
        return info.error();
    if (file < 0 || file >= info->files_size())
        return serviceError(404, "unknown-file",
                            "the avatar has no file number " + std::to_string(file));
    const auto& f = info->files(file);
    if (f.chunks_stored() != f.chunks())
        return serviceError(409, "avatar-incomplete",
                            f.name() + " has not been uploaded completely yet (" +
                                std::to_string(f.chunks_stored()) + " of " +
                                std::to_string(f.chunks()) + " chunks)");
    FileStream s;
    s.mediaRoot = qb(info->media_root());
    s.fileIndex = file;
    s.size = f.size();
    s.chunks = f.chunks();
    s.path = QString::fromStdString(f.name());
    return s;
}

ServiceResult<QByteArray> AvatarRepository::readChunk(const FileStream& f, quint64 chunkIndex) {
    auto c = m_ctx.store.avatars().chunk(f.mediaRoot, f.fileIndex, chunkIndex);
    if (!c.ok())
        return m_ctx.storageError(c.error());
    if (!c->has_value())
        return serviceError(500, "avatar-chunk-missing", "a stored chunk vanished");
    return **c;
}

ServiceResult<proto::AccessGrant> AvatarRepository::createGrant(const Caller& caller,
                                                                const QString& avatarId,
                                                                const proto::GrantRequest& r) {
    auto dt = ownActiveAvatar(caller, avatarId, "only the avatar's owner may grant access");
    if (!dt.ok())
        return dt.error();
    const std::uint64_t ttl = r.ttl_seconds() == 0 ? 3600 : r.ttl_seconds();
    if (ttl > 86400)
        return badRequest("grant-ttl-too-long", "an access grant lasts at most one day");
    auto raw = m_ctx.rng.bytes(32);
    if (!raw.ok())
        return serviceError(500, "random-failure", "the random generator failed");
    const std::string token = base64UrlEncode(*raw);
    const qint64 expires = m_ctx.clock.now() + static_cast<qint64>(ttl);
    if (auto st =
            m_ctx.store.avatars().insertGrant(qb(ByteView(sha256(view(token)))), avatarId, expires);
        !st.ok())
        return m_ctx.storageError(st.error());
    proto::AccessGrant g;
    g.set_token(token);
    g.set_avatar_id(avatarId.toStdString());
    g.set_expires_at(expires);
    return g;
}

} // namespace twinseal::service
