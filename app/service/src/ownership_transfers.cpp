// Ownership transfer: offer, accept, decline, cancel, expiry, receipts.
#include "twinseal/service/ownership_transfers.h"

#include <optional>

#include <twinseal/security/transfer.h>

#include "service_util.h"
#include "twinseal/service/service_log.h"

namespace twinseal::service {

using namespace twinseal::security;
using namespace util;

namespace {

// Finished offers stay in the caller's list for this long.
constexpr qint64 kFinishedListed = qint64{30} * 86400;
constexpr int kMaxTransfersListed = 200;
constexpr std::size_t kCodeChars = 16; // 80 bits of base32

constexpr QLatin1String kPending("pending");
constexpr QLatin1String kAccepted("accepted");
constexpr QLatin1String kDeclined("declined");
constexpr QLatin1String kCancelled("cancelled");
constexpr QLatin1String kExpired("expired");
constexpr QLatin1String kStale("stale");

// "ABCD-EFGH-JKLM-NPQR" -> "ABCDEFGHJKLMNPQR"; nullopt unless 16 base32 characters remain.
std::optional<std::string> normaliseCode(const std::string& code) {
    if (code.size() > 64)
        return std::nullopt;
    std::string out;
    for (char c : code) {
        if (c == '-' || c == ' ')
            continue;
        if (c >= 'a' && c <= 'z')
            c = static_cast<char>(c - 'a' + 'A');
        if (!((c >= 'A' && c <= 'Z') || (c >= '2' && c <= '7')))
            return std::nullopt;
        out.push_back(c);
    }
    if (out.size() != kCodeChars)
        return std::nullopt;
    return out;
}

QByteArray codeHash(const std::string& normalised) {
    Bytes input = toBytes("twinseal.transfer-code.v1");
    input.push_back(0);
    input.insert(input.end(), normalised.begin(), normalised.end());
    return qb(ByteView(sha256(input)));
}

// What the list shows: a pending offer past its expiry is expired; one whose DT changed since
// (re-certified, revoked, transferred) is stale.
QString effectiveState(const TransferOfferRecord& t, const std::optional<DtRecord>& dt,
                       qint64 now) {
    if (t.state != kPending)
        return t.state;
    if (now >= t.expiresAt)
        return kExpired;
    if (!dt || dt->state != QLatin1String("active") || dt->credentialDigest != t.credentialDigest)
        return kStale;
    return kPending;
}

ServiceError notFound(const QString& id) {
    return serviceError(404, "transfer-not-found",
                        "there is no ownership transfer " + id.toStdString() +
                            " that concerns you: check the transfer id");
}

ServiceError offerRefusal(const Error& e) {
    if (e.code == ErrorCode::BadSignature)
        return badRequest("offer-signature-invalid",
                          "the transfer offer is not signed by the holder key it names: sign it "
                          "again with the digital twin's holder key");
    return badRequest("offer-malformed", "the transfer offer is not acceptable: " + e.detail);
}

ServiceError acceptanceRefusal(const Error& e) {
    if (e.code == ErrorCode::BadSignature)
        return badRequest("acceptance-signature-invalid",
                          "the acceptance is not signed by the new holder key it names (proof of "
                          "possession failed): sign it again with your new holder key");
    return badRequest("acceptance-malformed", "the acceptance is not acceptable: " + e.detail);
}

} // namespace

ServiceStatus OwnershipTransfers::backfill() {
    // Databases from before ownership transfer: give every subscriber a transfer handle and index
    // the log by DT.
    auto indexed = m_ctx.store.log().indexedLogSize();
    if (!indexed.ok())
        return m_ctx.storageError(indexed.error());
    auto missing = m_ctx.store.subscribers().subscribersWithoutHandle();
    if (!missing.ok())
        return m_ctx.storageError(missing.error());
    if (*indexed >= m_log.size() && missing->empty())
        return Nothing{};
    auto tx = m_ctx.store.begin(true);
    if (!tx.ok())
        return m_ctx.storageError(tx.error());
    for (const QString& supi : *missing)
        if (auto h = m_handles.handleFor(supi); !h.ok())
            return h.error();
    auto size = m_ctx.store.log().logSize();
    if (!size.ok())
        return m_ctx.storageError(size.error());
    auto already = m_ctx.store.log().indexedLogSize();
    if (!already.ok())
        return m_ctx.storageError(already.error());
    if (*already < *size) {
        for (quint64 i = 0; i < *size; ++i) {
            auto bytes = m_ctx.store.log().logEntry(i);
            if (!bytes.ok())
                return m_ctx.storageError(bytes.error());
            if (!bytes->has_value())
                return serviceError(500, "log-corrupt", "a log entry is missing");
            auto entry = LogEntry::decode(bv(**bytes));
            if (!entry.ok())
                return serviceError(500, "log-corrupt",
                                    "log entry " + std::to_string(i) + " does not decode");
            if (auto st = m_ctx.store.log().indexLogEntry(i, QString::fromStdString(entry->dtId));
                !st.ok())
                return m_ctx.storageError(st.error());
        }
    }
    if (auto st = tx->commit(); !st.ok())
        return m_ctx.storageError(st.error());
    logEvent(LogLevel::Info, "schema-upgraded",
             {{QStringLiteral("handles"), static_cast<int>(missing->size())},
              {QStringLiteral("log_entries_indexed"), static_cast<qint64>(*size - *already)}});
    return Nothing{};
}

// ---- describing transfers -----------------------------------------------------------------------

ServiceResult<proto::TransferInfo>
OwnershipTransfers::describeTransfer(const TransferOfferRecord& t, const QString& callerSupi,
                                     bool withManifest) {
    auto dt = m_ctx.store.dts().dt(t.dtId);
    if (!dt.ok())
        return m_ctx.storageError(dt.error());
    const QString state = effectiveState(t, *dt, m_ctx.clock.now());
    proto::TransferInfo i;
    i.set_transfer_id(t.transferId.toStdString());
    i.set_state(state.toStdString());
    i.set_dt_id(t.dtId.toStdString());
    i.set_avatar_id(t.avatarId.toStdString());
    i.set_from_handle(t.fromHandle.toStdString());
    i.set_to_handle(t.toHandle.toStdString());
    i.set_expires_at(t.expiresAt);
    i.set_created_at(t.createdAt);
    i.set_finished_at(t.finishedAt);
    i.set_offer(str(t.offer));
    i.set_direction(t.fromSupi == callerSupi ? "outgoing" : "incoming");
    if (t.state == kAccepted && t.logIndex >= 0)
        i.set_log_index(static_cast<quint64>(t.logIndex));
    i.set_code_based(t.codeBased());
    i.set_media_root(str(t.mediaRoot));
    if (withManifest && state == kPending)
        i.set_signed_manifest(str((*dt)->signedManifest));
    return i;
}

ServiceResult<proto::TransferList> OwnershipTransfers::listTransfers(const Caller& caller) {
    if (!caller.subscriber())
        return notAuthenticated("listing transfers");
    auto all = m_ctx.store.transfers().transfersOf(caller.supi, m_ctx.clock.now() - kFinishedListed,
                                                   kMaxTransfersListed);
    if (!all.ok())
        return m_ctx.storageError(all.error());
    proto::TransferList out;
    for (const TransferOfferRecord& t : *all) {
        auto info = describeTransfer(t, caller.supi, false);
        if (!info.ok())
            return info.error();
        *out.add_transfers() = std::move(info).value();
    }
    return out;
}

ServiceResult<proto::TransferInfo> OwnershipTransfers::transferInfo(const Caller& caller,
                                                                    const QString& transferId) {
    if (!caller.subscriber())
        return notAuthenticated("this");
    auto t = m_ctx.store.transfers().transfer(transferId);
    if (!t.ok())
        return m_ctx.storageError(t.error());
    // Only its parties see an offer by id (a code-based offer's recipient uses the code).
    if (!t->has_value() || ((*t)->fromSupi != caller.supi && (*t)->toSupi != caller.supi))
        return notFound(transferId);
    return describeTransfer(**t, caller.supi, true);
}

ServiceResult<proto::TransferInfo>
OwnershipTransfers::transferByCode(const Caller& caller, const proto::TransferCodeRequest& r) {
    if (!caller.subscriber())
        return notAuthenticated("this");
    const auto code = normaliseCode(r.code());
    if (!code)
        return serviceError(403, "transfer-code-invalid",
                            "this is not a transfer code (16 letters and digits, e.g. "
                            "ABCD-EFGH-JKLM-NPQR): check it with the owner");
    auto t = m_ctx.store.transfers().transferByCode(codeHash(*code));
    if (!t.ok())
        return m_ctx.storageError(t.error());
    if (!t->has_value())
        return serviceError(403, "transfer-code-invalid",
                            "no ownership transfer has this code: check it with the owner");
    return describeTransfer(**t, caller.supi, true);
}

// ---- offer --------------------------------------------------------------------------------------

ServiceResult<proto::TransferInfo> OwnershipTransfers::offerTransfer(const Caller& caller,
                                                                     const QByteArray& body) {
    if (!caller.subscriber())
        return notAuthenticated("offering a digital twin");
    const qint64 now = m_ctx.clock.now();
    auto parsed = parseTransferOffer(bv(body));
    if (!parsed.ok())
        return offerRefusal(parsed.error());
    const TransferOffer& offer = parsed->offer;
    if (QString::fromStdString(offer.aKid) != caller.aKid)
        return serviceError(403, "offer-session-mismatch",
                            "the offer names another authentication session than the one that "
                            "sent it");
    if (auto st = checkTransferTime(offer.timestamp, now); !st.ok())
        return badRequest("offer-time-invalid",
                          "the offer was " + st.error().detail + ": check the device clock");
    if (auto st = checkOfferNotExpired(offer, now); !st.ok())
        return serviceError(410, "offer-expired", st.error().detail);

    auto tx = m_ctx.beginSigned(offer.nonce, now + 2 * kTransferWindow, "offer-replayed",
                                "this signed offer was already received; a repeat is a replay");
    if (!tx.ok())
        return tx.error();
    const QString dtId = QString::fromStdString(offer.dtId);
    auto dt = m_ctx.ownActiveDt(caller.supi, offer.dtId, "transferred");
    if (!dt.ok())
        return dt.error();
    const DtRecord& d = *dt;
    if (!CredentialIssuer::isStoredHolderKey(d.holderKey, offer.holderKey))
        return serviceError(403, "holder-key-mismatch",
                            "a transfer offer must be signed by the digital twin's current "
                            "holder key");
    if (qb(ByteView(offer.credentialDigest)) != d.credentialDigest)
        return serviceError(409, "offer-stale",
                            "the offer is for an earlier credential of digital twin " + offer.dtId +
                                " (it was re-certified since): sign a new offer");

    TransferOfferRecord t;
    t.transferId = newId("tr-");
    t.dtId = dtId;
    t.avatarId = d.avatarId;
    t.fromSupi = caller.supi;
    auto fromHandle = m_handles.handleFor(caller.supi);
    if (!fromHandle.ok())
        return fromHandle.error();
    t.fromHandle = *fromHandle;
    std::string code;
    if (!offer.recipientHandle.empty()) {
        const QString handle = QString::fromStdString(offer.recipientHandle);
        auto to = m_ctx.store.subscribers().supiOfHandle(handle);
        if (!to.ok())
            return m_ctx.storageError(to.error());
        if (!to->has_value())
            return serviceError(404, "recipient-unknown",
                                "no subscriber has the transfer handle " + offer.recipientHandle +
                                    ": ask the recipient for theirs (shown in their TwinSeal "
                                    "account), or offer with a transfer code");
        if (**to == caller.supi)
            return serviceError(409, "cannot-transfer-to-self",
                                "this is your own transfer handle: a digital twin is transferred "
                                "to another subscriber");
        t.toSupi = **to;
        t.toHandle = handle;
    } else {
        auto raw = m_ctx.rng.bytes(10);
        if (!raw.ok())
            return serviceError(500, "random-failure", "the random generator failed");
        const std::string chars = base32(*raw, kCodeChars, true);
        for (std::size_t i = 0; i < chars.size(); i += 4)
            code += (i == 0 ? "" : "-") + chars.substr(i, 4);
        t.codeHash = codeHash(chars);
    }
    // One open offer per DT: an earlier one that can still be accepted must be cancelled first.
    auto pending = m_ctx.store.transfers().pendingTransfersOfDt(dtId);
    if (!pending.ok())
        return m_ctx.storageError(pending.error());
    for (const TransferOfferRecord& p : *pending)
        if (effectiveState(p, d, now) == kPending)
            return serviceError(409, "transfer-already-pending",
                                "digital twin " + offer.dtId + " is already offered (" +
                                    p.transferId.toStdString() +
                                    "): cancel that offer before making another");
    t.offer = body;
    t.offerDigest = qb(ByteView(parsed->digest()));
    t.credentialDigest = d.credentialDigest;
    t.mediaRoot = d.mediaRoot;
    t.state = kPending;
    t.createdAt = now;
    t.expiresAt = offer.expiresAt;
    if (auto st = m_ctx.store.transfers().insertTransfer(t); !st.ok())
        return m_ctx.storageError(st.error());
    if (auto st = tx->commit(); !st.ok())
        return m_ctx.storageError(st.error());
    logEvent(LogLevel::Info, "transfer-offered",
             {{QStringLiteral("transfer"), t.transferId},
              {QStringLiteral("dt"), t.dtId},
              {QStringLiteral("code_based"), t.codeBased()}});
    auto info = describeTransfer(t, caller.supi, false);
    if (!info.ok())
        return info;
    info->set_code(code); // shown once: only its hash is stored
    return info;
}

// ---- the recipient's and the owner's answers
// --------------------------------------------------------

ServiceResult<TransferOfferRecord> OwnershipTransfers::loadTransfer(const QString& transferId) {
    auto found = m_ctx.store.transfers().transfer(transferId);
    if (!found.ok())
        return m_ctx.storageError(found.error());
    if (!found->has_value())
        return notFound(transferId);
    return std::move(**found);
}

ServiceResult<OwnershipTransfers::OpenTransfer>
OwnershipTransfers::openTransfer(const QString& transferId) {
    auto tx = m_ctx.store.begin(true);
    if (!tx.ok())
        return m_ctx.storageError(tx.error());
    auto found = loadTransfer(transferId);
    if (!found.ok())
        return found.error();
    return OpenTransfer{std::move(tx).value(), std::move(found).value()};
}

ServiceResult<proto::TransferInfo>
OwnershipTransfers::closeTransfer(const Caller& caller, OpenTransfer& open, const QString& state) {
    TransferOfferRecord& t = open.transfer;
    t.state = state;
    t.finishedAt = m_ctx.clock.now();
    if (auto st = m_ctx.store.transfers().updateTransfer(t); !st.ok())
        return m_ctx.storageError(st.error());
    if (auto st = open.tx.commit(); !st.ok())
        return m_ctx.storageError(st.error());
    return describeTransfer(t, caller.supi, false);
}

ServiceStatus OwnershipTransfers::checkRecipient(const Caller& caller, const TransferOfferRecord& t,
                                                 const std::string& code) {
    if (t.fromSupi == caller.supi)
        return serviceError(409, "cannot-transfer-to-self",
                            "you made this offer: a digital twin is transferred to another "
                            "subscriber (cancel the offer instead)");
    if (t.codeBased()) {
        const auto normalised = normaliseCode(code);
        if (!normalised || !constantTimeEqual(bv(codeHash(*normalised)), bv(t.codeHash)))
            return serviceError(403, "transfer-code-invalid",
                                "this offer needs its transfer code, and the code given is not "
                                "it: check it with the owner");
        return Nothing{};
    }
    if (t.toSupi != caller.supi)
        return serviceError(403, "not-offer-recipient",
                            "this offer is addressed to another subscriber");
    return Nothing{};
}

ServiceStatus OwnershipTransfers::checkPending(TransferOfferRecord& t, Store::Transaction& tx) {
    if (t.state == kPending && m_ctx.clock.now() >= t.expiresAt) {
        // Expiry is evaluated lazily: record it now.
        t.state = kExpired;
        t.finishedAt = t.expiresAt;
        if (m_ctx.store.transfers().updateTransfer(t).ok())
            (void)tx.commit();
    }
    if (t.state == kExpired)
        return serviceError(410, "offer-expired",
                            "this offer expired before it was answered; ask the owner for a new "
                            "one");
    if (t.state != kPending)
        return serviceError(409, "transfer-not-pending",
                            "this offer was already " + t.state.toStdString() +
                                "; it cannot be answered again");
    return Nothing{};
}

ServiceResult<proto::TransferResult>
OwnershipTransfers::acceptTransfer(const Caller& caller, const QString& transferId,
                                   const proto::TransferAcceptRequest& r) {
    if (!caller.subscriber())
        return notAuthenticated("accepting a digital twin");
    const qint64 now = m_ctx.clock.now();
    auto parsed = parseTransferAcceptance(view(r.acceptance()));
    if (!parsed.ok())
        return acceptanceRefusal(parsed.error());
    const TransferAcceptance& a = parsed->acceptance;
    if (QString::fromStdString(a.transferId) != transferId)
        return serviceError(409, "acceptance-mismatch",
                            "the acceptance is for transfer " + a.transferId + ", not " +
                                transferId.toStdString());
    if (QString::fromStdString(a.aKid) != caller.aKid)
        return serviceError(403, "acceptance-session-mismatch",
                            "the acceptance names another authentication session than the one "
                            "that sent it");
    if (auto st = checkTransferTime(a.timestamp, now); !st.ok())
        return badRequest("acceptance-time-invalid",
                          "the acceptance was " + st.error().detail + ": check the device clock");
    auto manifest = checkAcceptanceManifest(a, view(r.signed_manifest()));
    if (!manifest.ok()) {
        switch (manifest.code()) {
        case ErrorCode::KeyMismatch:
            return badRequest("manifest-key-mismatch",
                              "the avatar manifest must be signed by the new holder key");
        case ErrorCode::MalformedInput:
        case ErrorCode::MediaRootMismatch:
            return serviceError(409, "acceptance-mismatch", manifest.error().detail);
        default:
            return badRequest("avatar-manifest-invalid", manifest.error().detail);
        }
    }

    auto tx = m_ctx.beginSigned(a.nonce, now + 2 * kTransferWindow, "acceptance-replayed",
                                "this signed acceptance was already received; a repeat is a "
                                "replay");
    if (!tx.ok())
        return tx.error();
    auto found = loadTransfer(transferId);
    if (!found.ok())
        return found.error();
    TransferOfferRecord t = std::move(found).value();
    if (auto st = checkRecipient(caller, t, r.code()); !st.ok())
        return st.error();
    if (auto st = checkPending(t, *tx); !st.ok())
        return st.error();
    if (qb(ByteView(a.offerDigest)) != t.offerDigest)
        return serviceError(409, "acceptance-mismatch",
                            "the acceptance names another offer than this transfer's");
    auto dt = m_ctx.store.dts().dt(t.dtId);
    if (!dt.ok())
        return m_ctx.storageError(dt.error());
    if (!dt->has_value())
        return serviceError(500, "internal", "the offered digital twin vanished");
    DtRecord d = **dt;
    if (d.state != QLatin1String("active") || d.supi != t.fromSupi)
        return serviceError(409, "offer-stale",
                            "the digital twin offered is no longer the owner's to give (it was "
                            "revoked or transferred since the offer)");
    if (d.credentialDigest != t.credentialDigest)
        return serviceError(409, "offer-stale",
                            "the digital twin was re-certified since the offer: ask the owner "
                            "for a new offer");
    if (qb(ByteView(a.mediaRoot)) != d.mediaRoot)
        return serviceError(409, "transfer-media-mismatch",
                            "the manifest is for other media than the avatar being transferred: "
                            "sign a manifest of the offered avatar with your new key");
    if (auto st = m_ctx.noActiveDt(caller.supi, "revoke or transfer it before accepting another");
        !st.ok())
        return st.error();
    auto sub = m_ctx.subscriberOf(caller.supi);
    if (!sub.ok())
        return sub.error();
    auto toHandle = m_handles.handleFor(caller.supi);
    if (!toHandle.ok())
        return toHandle.error();

    // The recipient's own attributes: nothing of the previous owner's identity carries over.
    auto issued = m_issuer.issue(*sub, d.dtId.toStdString(), d.avatarId.toStdString(), a.holderKey,
                                 manifest->manifest, static_cast<std::uint32_t>(d.generation + 1),
                                 now);
    if (!issued.ok())
        return issued.error();
    const CredentialClaims& c = issued->credential.claims;
    TransferRecord record{transferId.toStdString(), Bytes(t.offer.begin(), t.offer.end()),
                          parsed->encoded};
    auto appended =
        m_issuer.logIssued(*issued, LogEntryType::Transfer, qb(record.encode()), "the transfer");
    if (!appended.ok())
        return appended.error();

    // The previous owner's credential is revoked; the new one is active.
    if (auto st =
            m_ctx.store.credentials().setCredentialState(d.statusIndex, QStringLiteral("revoked"));
        !st.ok())
        return m_ctx.storageError(st.error());
    if (auto st = m_ctx.store.credentials().insertCredential(
            issued->statusIndex, d.dtId, issued->digest, QStringLiteral("active"), now);
        !st.ok())
        return m_ctx.storageError(st.error());
    d.supi = caller.supi;
    d.holderKey = CredentialIssuer::storedHolderKey(a.holderKey);
    d.credential = qb(issued->credential.encoded);
    d.credentialDigest = issued->digest;
    d.signedManifest = qb(r.signed_manifest());
    d.statusIndex = issued->statusIndex;
    d.logIndex = c.logIndex;
    d.generation = static_cast<int>(c.generation);
    d.updatedAt = now;
    if (auto st = m_ctx.store.dts().updateDt(d); !st.ok())
        return m_ctx.storageError(st.error());
    // The previous owner's access grants end with their ownership.
    if (auto st = m_ctx.store.avatars().deleteGrantsOf(d.avatarId); !st.ok())
        return m_ctx.storageError(st.error());
    if (auto st = m_status.statusChanged(); !st.ok())
        return st.error();
    t.state = kAccepted;
    t.toSupi = caller.supi;
    t.toHandle = *toHandle;
    t.finishedAt = now;
    t.logIndex = static_cast<qint64>(appended->index);
    t.acceptance = qb(ByteView(parsed->encoded));
    if (auto st = m_ctx.store.transfers().updateTransfer(t); !st.ok())
        return m_ctx.storageError(st.error());
    if (auto st = tx->commit(); !st.ok())
        return m_ctx.storageError(st.error());
    m_log.committed(*appended);
    logEvent(LogLevel::Info, "transfer-accepted",
             {{QStringLiteral("transfer"), t.transferId},
              {QStringLiteral("dt"), t.dtId},
              {QStringLiteral("log_index"), t.logIndex}});

    proto::TransferResult out;
    auto info = describeTransfer(t, caller.supi, false);
    if (!info.ok())
        return info.error();
    *out.mutable_transfer() = std::move(info).value();
    if (auto st = m_issuer.answer(*issued, *appended, &out); !st.ok())
        return st.error();
    return out;
}

ServiceResult<proto::TransferInfo>
OwnershipTransfers::declineTransfer(const Caller& caller, const QString& transferId,
                                    const proto::TransferCodeRequest& r) {
    if (!caller.subscriber())
        return notAuthenticated("declining a transfer");
    auto open = openTransfer(transferId);
    if (!open.ok())
        return open.error();
    TransferOfferRecord& t = open->transfer;
    if (auto st = checkRecipient(caller, t, r.code()); !st.ok())
        return st.error();
    if (auto st = checkPending(t, open->tx); !st.ok())
        return st.error();
    if (t.codeBased()) {
        auto handle = m_handles.handleFor(caller.supi);
        if (!handle.ok())
            return handle.error();
        t.toSupi = caller.supi;
        t.toHandle = *handle;
    }
    return closeTransfer(caller, *open, kDeclined);
}

ServiceResult<proto::TransferInfo> OwnershipTransfers::cancelTransfer(const Caller& caller,
                                                                      const QString& transferId) {
    if (!caller.subscriber())
        return notAuthenticated("cancelling a transfer");
    auto open = openTransfer(transferId);
    if (!open.ok())
        return open.error();
    TransferOfferRecord& t = open->transfer;
    if (t.fromSupi != caller.supi) {
        if (t.toSupi == caller.supi)
            return serviceError(403, "not-offer-owner",
                                "only the owner who made the offer can cancel it: decline it "
                                "instead");
        return notFound(transferId);
    }
    if (auto st = checkPending(t, open->tx); !st.ok())
        return st.error();
    return closeTransfer(caller, *open, kCancelled);
}

// ---- receipts and history
// -------------------------------------------------------------------------

ServiceResult<proto::LogInclusionResponse>
OwnershipTransfers::transferReceipt(const Caller& caller, const QString& transferId) {
    if (!caller.subscriber())
        return notAuthenticated("a transfer receipt");
    auto t = m_ctx.store.transfers().transfer(transferId);
    if (!t.ok())
        return m_ctx.storageError(t.error());
    if (!t->has_value() || ((*t)->fromSupi != caller.supi && (*t)->toSupi != caller.supi))
        return notFound(transferId);
    if ((*t)->state != kAccepted || (*t)->logIndex < 0)
        return serviceError(409, "transfer-not-accepted",
                            "there is a receipt only for an accepted transfer; this one is " +
                                (*t)->state.toStdString());
    return m_log.inclusion(static_cast<quint64>((*t)->logIndex), 0);
}

} // namespace twinseal::service
