#include "twinseal/service/twin_registry.h"

#include <optional>

#include <twinseal/security/credential.h>
#include <twinseal/security/manifest.h>

#include "service_util.h"

namespace twinseal::service {

using namespace twinseal::security;
using namespace util;

namespace {

constexpr std::uint32_t kMaxChunkSize = 4u * 1024 * 1024;
constexpr std::size_t kMaxFiles = 256;

ServiceError registrationRefusal(const Error& e) {
    switch (e.code) {
    case ErrorCode::BadSignature:
        return badRequest("proof-of-possession-failed",
                          "the registration is not signed by the holder key it names");
    case ErrorCode::KeyMismatch:
        return badRequest("manifest-key-mismatch",
                          "the avatar manifest must be signed by the holder key being registered");
    case ErrorCode::RequestAuthStale:
        return badRequest("registration-stale", e.detail + ": check the device clock");
    case ErrorCode::AvatarPackageInvalid:
    case ErrorCode::MediaRootMismatch:
    case ErrorCode::MediaMismatch:
        return badRequest("avatar-manifest-invalid", e.detail);
    default:
        return badRequest("registration-malformed", e.detail);
    }
}

} // namespace

ServiceResult<proto::RegistrationResponse> TwinRegistry::rotatePseudonym(const Caller& caller,
                                                                         const QByteArray& body) {
    return issue(caller, body, RegistrationPurpose::RotatePseudonym);
}

ServiceResult<proto::RegistrationResponse> TwinRegistry::registerDt(const Caller& caller,
                                                                    const QByteArray& body) {
    return issue(caller, body, RegistrationPurpose::Register);
}

ServiceResult<proto::RegistrationResponse> TwinRegistry::recertify(const Caller& caller,
                                                                   const QByteArray& body) {
    return issue(caller, body, RegistrationPurpose::Recertify);
}

ServiceResult<proto::RegistrationResponse>
TwinRegistry::issue(const Caller& caller, const QByteArray& body, RegistrationPurpose purpose) {
    // A pseudonym rotation is a re-certification that keeps the media (DESIGN §7).
    const bool recertification = purpose != RegistrationPurpose::Register;
    const bool rotation = purpose == RegistrationPurpose::RotatePseudonym;
    if (!caller.subscriber())
        return serviceError(401, "not-authenticated",
                            "registration needs an authenticated subscriber: authenticate first");
    const qint64 now = m_ctx.clock.now();
    auto parsed = parseRegistration(bv(body), now);
    if (!parsed.ok())
        return registrationRefusal(parsed.error());
    const RegistrationRequest& req = parsed->request;
    const Manifest& manifest = parsed->manifest.manifest;
    if (QString::fromStdString(req.aKid) != caller.aKid)
        return serviceError(403, "registration-session-mismatch",
                            "the registration names another authentication session than the one "
                            "that sent it");
    if (req.purpose != purpose)
        return badRequest("wrong-purpose", rotation ? "this endpoint rotates the pseudonym: the "
                                                      "request has another purpose"
                                           : recertification
                                               ? "this endpoint re-certifies: the request has "
                                                 "another purpose"
                                               : "this endpoint registers: the request has "
                                                 "another purpose");
    std::uint64_t total = 0;
    for (const auto& f : manifest.files)
        total += f.size;
    if (total > static_cast<std::uint64_t>(m_ctx.config.maxAvatarBytes))
        return serviceError(413, "avatar-too-large",
                            "the avatar package is " + std::to_string(total) +
                                " bytes; this home network stores at most " +
                                std::to_string(m_ctx.config.maxAvatarBytes));
    if (manifest.files.size() > kMaxFiles)
        return badRequest("avatar-manifest-invalid", "an avatar package has at most 256 files");
    if (manifest.chunkSize == 0 || manifest.chunkSize > kMaxChunkSize ||
        manifest.chunkSize + 65536 > static_cast<std::uint64_t>(m_ctx.config.maxBodyBytes))
        return badRequest("chunk-size-unsupported",
                          "the manifest's chunk size must be at most 4 MiB and fit the "
                          "service's request body limit");

    auto tx = m_ctx.beginSigned(req.nonce, now + 2 * kRegistrationWindow, "registration-replayed",
                                "this signed registration was already received; a repeat is a "
                                "replay");
    if (!tx.ok())
        return tx.error();
    auto sub = m_ctx.subscriberOf(caller.supi);
    if (!sub.ok())
        return sub.error();

    std::optional<DtRecord> previous;
    if (!recertification) {
        if (auto st = m_ctx.noActiveDt(caller.supi, "re-certify it, or revoke or transfer it "
                                                    "before registering another");
            !st.ok())
            return st.error();
    } else {
        auto existing = m_ctx.ownActiveDt(caller.supi, req.dtId, "re-certified");
        if (!existing.ok())
            return existing.error();
        if (!CredentialIssuer::isStoredHolderKey(existing->holderKey, req.holderKey))
            return serviceError(403, "holder-key-mismatch",
                                "a re-certification must be signed by the digital twin's current "
                                "holder key");
        if (rotation && existing->mediaRoot != qb(ByteView(manifest.packageRoot)))
            return serviceError(409, "media-changed",
                                "a pseudonym rotation keeps the certified avatar: sign the DT's "
                                "current manifest, or re-certify to change the avatar");
        previous = std::move(existing).value();
    }
    // One active holder per avatar: a copied package (same media root, a new Avatar-ID) is not
    // certified to a second subscriber. Checked only when the root is new to this twin, so a
    // twin keeps being re-certified and rotated on the media it already holds.
    const QByteArray mediaRoot = qb(ByteView(manifest.packageRoot));
    if (!previous || previous->mediaRoot != mediaRoot)
        if (auto st = m_ctx.mediaRootNotHeldElsewhere(mediaRoot, caller.supi); !st.ok())
            return st.error();

    const SubscriberRecord& s = *sub;
    const std::string dtId = previous ? previous->dtId.toStdString() : newId("dt-").toStdString();
    const std::string avatarId =
        previous ? previous->avatarId.toStdString() : newId("urn:twinseal:avatar:").toStdString();
    const std::uint32_t generation =
        previous ? static_cast<std::uint32_t>(previous->generation + 1) : 1;
    auto issued =
        m_issuer.issue(s, dtId, avatarId, req.holderKey, manifest, generation, now);
    if (!issued.ok())
        return issued.error();
    const CredentialClaims& c = issued->credential.claims;
    const QByteArray& digest = issued->digest;

    const QByteArray details = previous ? previous->credentialDigest : QByteArray();
    auto appended = m_issuer.logIssued(
        *issued, recertification ? LogEntryType::Recertification : LogEntryType::Issuance, details,
        "issuance");
    if (!appended.ok())
        return appended.error();

    const quint64 statusIndex = issued->statusIndex;
    if (auto st = m_ctx.store.credentials().insertCredential(
            statusIndex, QString::fromStdString(c.dtId), digest, QStringLiteral("active"), now);
        !st.ok())
        return m_ctx.storageError(st.error());

    DtRecord d = previous.value_or(DtRecord{});
    d.dtId = QString::fromStdString(c.dtId);
    d.supi = caller.supi;
    d.avatarId = QString::fromStdString(c.avatarId);
    d.state = QStringLiteral("active");
    d.holderKey = CredentialIssuer::storedHolderKey(req.holderKey);
    d.credential = qb(issued->credential.encoded);
    d.credentialDigest = digest;
    d.signedManifest = qb(parsed->manifest.encoded);
    d.mediaRoot = mediaRoot;
    d.statusIndex = statusIndex;
    d.logIndex = c.logIndex;
    d.generation = static_cast<int>(c.generation);
    d.updatedAt = now;
    if (previous) {
        if (auto st = m_ctx.store.credentials().setCredentialState(previous->statusIndex,
                                                                   QStringLiteral("superseded"));
            !st.ok())
            return m_ctx.storageError(st.error());
        if (auto st = m_ctx.store.dts().updateDt(d); !st.ok())
            return m_ctx.storageError(st.error());
        if (previous->mediaRoot != d.mediaRoot)
            if (auto st = m_ctx.store.avatars().removeUnusedAvatar(previous->mediaRoot); !st.ok())
                return m_ctx.storageError(st.error());
        if (auto st = m_status.statusChanged(); !st.ok())
            return st.error();
    } else {
        d.createdAt = now;
        d.revocationReason.clear();
        if (auto st = m_ctx.store.dts().insertDt(d); !st.ok())
            return m_ctx.storageError(st.error());
    }
    for (std::size_t i = 0; i < manifest.files.size(); ++i) {
        const auto& f = manifest.files[i];
        AvatarFileRecord rec{d.mediaRoot, static_cast<int>(i),  QString::fromStdString(f.path),
                             f.size,      f.chunkHashes.size(), 0};
        if (auto st = m_ctx.store.avatars().insertAvatarFile(rec); !st.ok())
            return m_ctx.storageError(st.error());
    }
    if (auto st = tx->commit(); !st.ok())
        return m_ctx.storageError(st.error());
    m_log.committed(*appended);

    proto::RegistrationResponse out;
    if (auto st = m_issuer.answer(*issued, *appended, &out); !st.ok())
        return st.error();
    return out;
}

ServiceResult<proto::DtInfo> TwinRegistry::revokeRecord(const QString& dtId, const QString& reason,
                                                        const QString& requiredSupi) {
    if (dtId.isEmpty() || dtId.size() > 128)
        return badRequest("malformed-request", "name the digital twin to revoke");
    if (reason.size() > 512)
        return badRequest("malformed-request", "the reason is limited to 512 characters");
    auto tx = m_ctx.store.begin(true);
    if (!tx.ok())
        return m_ctx.storageError(tx.error());
    auto existing = m_ctx.store.dts().dt(dtId);
    if (!existing.ok())
        return m_ctx.storageError(existing.error());
    if (!existing->has_value() || (!requiredSupi.isEmpty() && (*existing)->supi != requiredSupi))
        return serviceError(404, "unknown-dt", "there is no digital twin " + dtId.toStdString());
    DtRecord d = **existing;
    if (d.state != QLatin1String("active"))
        return serviceError(409, "dt-not-active",
                            "digital twin " + dtId.toStdString() + " is already " +
                                d.state.toStdString());
    // The reason stays with the operator and the owner (the DT record), not in the public log.
    auto appended = m_log.append(LogEntryType::Revocation, dtId, d.credentialDigest, {});
    if (!appended.ok())
        return appended.error();
    const qint64 now = m_ctx.clock.now();
    d.state = QStringLiteral("revoked");
    d.revocationReason = reason;
    d.updatedAt = now;
    if (auto st = m_ctx.store.dts().updateDt(d); !st.ok())
        return m_ctx.storageError(st.error());
    if (auto st =
            m_ctx.store.credentials().setCredentialState(d.statusIndex, QStringLiteral("revoked"));
        !st.ok())
        return m_ctx.storageError(st.error());
    if (auto st = m_status.statusChanged(); !st.ok())
        return st.error();
    if (auto st = tx->commit(); !st.ok())
        return m_ctx.storageError(st.error());
    m_log.committed(*appended);
    proto::DtInfo info;
    fillDtInfo(d, &info);
    return info;
}

ServiceResult<proto::DtInfo> TwinRegistry::revoke(const Caller& caller,
                                                  const proto::RevokeRequest& r) {
    if (!caller.subscriber())
        return serviceError(401, "not-authenticated",
                            "revocation needs an authenticated subscriber");
    return revokeRecord(QString::fromStdString(r.dt_id()),
                        r.reason().empty() ? QStringLiteral("revoked by the owner")
                                           : QString::fromStdString(r.reason()),
                        caller.supi);
}

ServiceResult<proto::DtList> TwinRegistry::listDts(const Caller& caller) {
    if (!caller.subscriber())
        return serviceError(401, "not-authenticated", "listing needs an authenticated subscriber");
    auto dts = m_ctx.store.dts().dtsOf(caller.supi);
    if (!dts.ok())
        return m_ctx.storageError(dts.error());
    proto::DtList out;
    for (const auto& d : *dts)
        fillDtInfo(d, out.add_dts());
    return out;
}

ServiceResult<proto::DtInfo> TwinRegistry::adminRevoke(const QString& dtId, const QString& reason) {
    return revokeRecord(dtId, reason.isEmpty() ? QStringLiteral("revoked by the operator") : reason,
                        {});
}

ServiceResult<proto::DtList> TwinRegistry::adminList() {
    auto all = m_ctx.store.dts().allDts();
    if (!all.ok())
        return m_ctx.storageError(all.error());
    proto::DtList list;
    for (const DtRecord& d : *all)
        fillDtInfo(d, list.add_dts());
    return list;
}

ServiceResult<proto::SubscriberInfo> TwinRegistry::me(const Caller& caller) {
    if (!caller.subscriber())
        return notAuthenticated("this");
    auto handle = m_ctx.store.subscribers().handleOf(caller.supi);
    if (!handle.ok())
        return m_ctx.storageError(handle.error());
    proto::SubscriberInfo out;
    if (handle->has_value()) {
        out.set_transfer_handle((*handle)->toStdString());
    } else {
        auto tx = m_ctx.store.begin(true);
        if (!tx.ok())
            return m_ctx.storageError(tx.error());
        auto created = m_handles.handleFor(caller.supi);
        if (!created.ok())
            return created.error();
        if (auto st = tx->commit(); !st.ok())
            return m_ctx.storageError(st.error());
        out.set_transfer_handle(created->toStdString());
    }
    auto active = m_ctx.store.dts().activeDtOf(caller.supi);
    if (!active.ok())
        return m_ctx.storageError(active.error());
    if (active->has_value())
        fillDtInfo(**active, out.mutable_active_dt());
    return out;
}

ServiceResult<proto::DtHistory> TwinRegistry::dtHistory(const Caller& caller, const QString& dtId) {
    if (!caller.subscriber())
        return notAuthenticated("a digital twin's history");
    if (dtId.isEmpty() || dtId.size() > 128)
        return badRequest("malformed-request", "name the digital twin");
    auto dt = m_ctx.store.dts().dt(dtId);
    if (!dt.ok())
        return m_ctx.storageError(dt.error());
    bool allowed = dt->has_value() && (*dt)->supi == caller.supi;
    if (dt->has_value() && !allowed) {
        auto previous = m_ctx.store.transfers().transferredAwayBy(dtId, caller.supi);
        if (!previous.ok())
            return m_ctx.storageError(previous.error());
        allowed = *previous;
    }
    if (!allowed)
        return serviceError(404, "unknown-dt",
                            "you neither own nor owned a digital twin " + dtId.toStdString());
    return m_log.history(dtId);
}

} // namespace twinseal::service
