// ServiceClient: transfer handles, ownership transfer and a DT's ownership history. Everything
// the service returns is verified before it is reported: offers by the owner's signature,
// accepted transfers like registrations plus the offer and acceptance in the log entry,
// receipts and histories by their inclusion proofs and both parties' signatures.
#include <set>

#include <twinseal/security/credential.h>
#include <twinseal/security/dt_history.h>
#include <twinseal/security/transfer.h>

#include "client_common.h"
#include "status_list_cache.h"
#include "transport.h"
#include "twinseal/netclient/service_client.h"
#include "wire.h"

namespace twinseal::netclient {

namespace sec = twinseal::security;
using detail::AuthKind;
using detail::callProto;
using detail::deliverLater;
using detail::getRequest;
using detail::logProofInvalid;
using detail::postRequest;

namespace {

constexpr std::size_t kTransferNonceSize = 16;

const std::set<std::string>& knownStates() {
    static const std::set<std::string> states{"pending",   "accepted", "declined",
                                              "cancelled", "expired",  "stale"};
    return states;
}

QByteArray transferPath(const std::string& transferId, const char* action = nullptr) {
    QByteArray path = "/v1/transfers/" + detail::encodeSegment(transferId);
    if (action != nullptr)
        path += QByteArray("/") + action;
    return path;
}

ClientError offerInvalid(const std::string& what, const std::string& detail) {
    return detail::malformed(what, "the ownership-transfer offer does not check out: " + detail);
}

// A TransferInfo from the service, checked against the owner-signed offer it carries.
ClientResult<TransferInfo> transferFromProto(const proto::TransferInfo& i,
                                             const std::string& what) {
    TransferInfo t;
    t.transferId = i.transfer_id();
    t.state = i.state();
    if (t.transferId.empty() || knownStates().count(t.state) == 0)
        return detail::malformed(what, "no transfer id or an unknown state");
    auto offer = sec::parseTransferOffer(detail::viewOf(i.offer()));
    if (!offer.ok())
        return offerInvalid(what, offer.error().message());
    const sec::TransferOffer& o = offer->offer;
    if (o.dtId != i.dt_id())
        return offerInvalid(what, "it is for DT " + o.dtId + ", the description says " + i.dt_id());
    if (o.expiresAt != i.expires_at())
        return offerInvalid(what, "its expiry differs from the description's");
    if (o.recipientHandle.empty() != i.code_based())
        return offerInvalid(what, "the description says it is " +
                                      std::string(i.code_based() ? "" : "not ") + "code-based");
    if (!o.recipientHandle.empty() && o.recipientHandle != i.to_handle())
        return offerInvalid(what, "it is addressed to " + o.recipientHandle +
                                      ", the description names " + i.to_handle());
    const auto root = detail::digestOf(i.media_root());
    if (!root)
        return detail::malformed(what, "the media root is not a SHA-256 digest");
    t.dtId = i.dt_id();
    t.avatarId = i.avatar_id();
    t.fromHandle = i.from_handle();
    t.toHandle = i.to_handle();
    t.outgoing = i.direction() == "outgoing";
    t.codeBased = i.code_based();
    t.code = i.code();
    t.createdAt = i.created_at();
    t.expiresAt = i.expires_at();
    t.finishedAt = i.finished_at();
    if (t.state == "accepted")
        t.logIndex = i.log_index();
    t.mediaRoot = *root;
    t.offer = std::move(offer).value();
    t.signedManifest = detail::bytesOf(i.signed_manifest());
    return t;
}

// A transfer log entry that records exactly `offer` and `acceptance` for `transferId`.
ClientResult<sec::VerifiedTransfer> checkTransferEntry(const sec::LogEntry& entry,
                                                       const std::string& transferId,
                                                       const sec::Bytes* offer,
                                                       const sec::Bytes* acceptance) {
    auto verified = sec::verifyTransferEntry(entry);
    if (!verified.ok())
        return logProofInvalid("the log entry is not a valid transfer record (" +
                               verified.error().message() + ")");
    if (verified->transferId != transferId)
        return logProofInvalid("the log entry records transfer " + verified->transferId + ", not " +
                               transferId);
    if (offer != nullptr && verified->offer.encoded != *offer)
        return logProofInvalid("the log entry records another offer than the one accepted");
    if (acceptance != nullptr && verified->acceptance.encoded != *acceptance)
        return logProofInvalid("the log entry records another acceptance than the one sent");
    return std::move(verified).value();
}

// The history answer: one verified tree head, every entry included in it, one chain.
ClientResult<DtHistory> historyFromProto(const proto::DtHistory& h, const std::string& dtId,
                                         const sec::PublicKey& logKey) {
    auto head = sec::parseSignedTreeHead(detail::viewOf(h.tree_head()), logKey);
    if (!head.ok())
        return detail::treeHeadInvalid(head.error().message());
    if (h.dt_id() != dtId)
        return detail::malformed("the history request", "it is for another DT");
    if (h.entries_size() == 0)
        return logProofInvalid("the history of " + dtId +
                               " is empty; it must start with its "
                               "issuance");
    DtHistory out;
    out.dtId = dtId;
    out.treeHead = std::move(head).value();
    std::optional<std::uint64_t> lastIndex;
    sec::DtHistoryChain chain(dtId); // issuance first, each entry about the current credential
    for (const auto& e : h.entries()) {
        DtHistoryEntry item;
        item.entryBytes = detail::bytesOf(e.entry());
        auto proof = sec::InclusionProof::decode(detail::serializeBytes(e.proof()));
        if (!proof.ok())
            return logProofInvalid(proof.error().message());
        item.proof = std::move(proof).value();
        auto entry = sec::LogEntry::decode(item.entryBytes);
        if (!entry.ok())
            return logProofInvalid("a history entry does not decode (" + entry.error().message() +
                                   ")");
        item.entry = std::move(entry).value();
        if (auto st = sec::verifyInclusion(out.treeHead.head, item.proof, item.entryBytes);
            !st.ok())
            return logProofInvalid("history entry " + std::to_string(item.proof.leafIndex) + ": " +
                                   st.error().message());
        if (item.entry.dtId != dtId)
            return logProofInvalid("the history holds an entry of DT " + item.entry.dtId);
        if (lastIndex && item.proof.leafIndex <= *lastIndex)
            return logProofInvalid("the history is not in log order");
        lastIndex = item.proof.leafIndex;

        const std::string at = "entry " + std::to_string(item.proof.leafIndex);
        auto transfer = chain.add(item.entry);
        if (!transfer.ok()) {
            if (transfer.code() == sec::ErrorCode::TransferSignerMismatch)
                return clientError(reason::kTransferSignerMismatch,
                                   std::string("The history of ").append(dtId).append(" holds a transfer (").append(at) +
                                       ") whose offer was not signed by the owner of the "
                                       "credential it transferred: " +
                                       transfer.error().message() +
                                       ". Do not rely on this history; contact your operator.");
            return logProofInvalid(at + ": " + transfer.error().message());
        }
        if (*transfer)
            item.transfer = std::move(**transfer);
        out.entries.push_back(std::move(item));
    }
    return out;
}

} // namespace

// ---- the subscriber
// -------------------------------------------------------------------------------

void ServiceClient::me(ClientCallback<SubscriberInfo> done) {
    callProto<proto::SubscriberInfo, SubscriberInfo>(
        *m_transport, this, getRequest("/v1/me", AuthKind::Akma), "the account request",
        std::move(done), [](const proto::SubscriberInfo& i) -> ClientResult<SubscriberInfo> {
            if (!sec::isTransferHandle(i.transfer_handle()))
                return detail::malformed("the account request", "no valid transfer handle");
            SubscriberInfo out;
            out.transferHandle = i.transfer_handle();
            if (i.has_active_dt())
                out.activeDt = detail::dtRecordFromProto(i.active_dt());
            return out;
        });
}

void ServiceClient::dtHistory(const std::string& dtId, ClientCallback<DtHistory> done) {
    if (dtId.empty())
        return deliverLater<DtHistory>(this, std::move(done),
                                       clientError(reason::kInvalidArgument, "Name the DT."));
    callProto<proto::DtHistory, DtHistory>(
        *m_transport, this,
        getRequest("/v1/dt/" + detail::encodeSegment(dtId) + "/history", AuthKind::Akma),
        "the history request", std::move(done),
        [dtId, logKey = m_profile.logKey](const proto::DtHistory& h) {
            return historyFromProto(h, dtId, logKey);
        });
}

// ---- offers
// ---------------------------------------------------------------------------------------

void ServiceClient::offerTransfer(const sec::Bytes& credential, const sec::SigningKey& holderKey,
                                  const std::string& recipientHandle, std::chrono::seconds ttl,
                                  ClientCallback<TransferInfo> done) {
    auto fail = [&](ClientError e) {
        deliverLater<TransferInfo>(this, std::move(done), std::move(e));
    };
    if (!m_transport->hasSession())
        return fail(detail::notAuthenticated());
    auto cred = sec::parseCredential(credential);
    if (!cred.ok())
        return fail(clientError(reason::kInvalidArgument,
                                "This is not a DT credential (" + cred.error().message() + ")."));
    if (!holderKey.valid() || !(holderKey.publicKey() == cred->claims.holderKey))
        return fail(clientError(reason::kKeyMismatch,
                                "The offer must be signed with the DT's holder key: the key given "
                                "is not the one the credential names."));
    if (!recipientHandle.empty() && !sec::isTransferHandle(recipientHandle))
        return fail(clientError(reason::kInvalidArgument,
                                "\"" + recipientHandle.substr(0, 40) +
                                    "\" is not a transfer handle (they look like tw-abcde23456); "
                                    "ask the recipient for theirs."));
    if (ttl.count() < sec::kMinTransferTtl || ttl.count() > sec::kMaxTransferTtl)
        return fail(
            clientError(reason::kInvalidArgument, "An offer can be open for 1 minute to 7 days."));
    sec::TransferOffer offer;
    offer.dtId = cred->claims.dtId;
    offer.credentialDigest = cred->digest();
    offer.holderKey = holderKey.publicKey();
    offer.recipientHandle = recipientHandle;
    offer.aKid = m_transport->aKid();
    offer.timestamp = now();
    offer.expiresAt = offer.timestamp + ttl.count();
    auto nonce = m_transport->random().bytes(kTransferNonceSize);
    if (!nonce.ok())
        return fail(clientError(reason::kInternal, nonce.error().message()));
    offer.nonce = std::move(*nonce);
    auto envelope = sec::signTransferOffer(offer, holderKey);
    if (!envelope.ok())
        return fail(clientError(reason::kInternal,
                                "Could not sign the offer (" + envelope.error().message() + ")."));
    const bool codeBased = recipientHandle.empty();
    callProto<proto::TransferInfo, TransferInfo>(
        *m_transport, this, postRequest("/v1/transfers", detail::qbytes(*envelope), AuthKind::Akma),
        "the transfer offer", std::move(done),
        [sent = *envelope, codeBased](const proto::TransferInfo& i) -> ClientResult<TransferInfo> {
            auto t = transferFromProto(i, "the transfer offer");
            if (!t.ok())
                return t;
            if (t->offer.encoded != sent)
                return offerInvalid("the transfer offer", "the service recorded another offer");
            if (t->state != "pending" || !t->outgoing)
                return detail::malformed("the transfer offer", "it is not an open outgoing offer");
            if (codeBased && t->code.empty())
                return detail::malformed("the transfer offer", "no transfer code");
            return t;
        });
}

void ServiceClient::listTransfers(ClientCallback<std::vector<TransferInfo>> done) {
    callProto<proto::TransferList, std::vector<TransferInfo>>(
        *m_transport, this, getRequest("/v1/transfers", AuthKind::Akma), "the list of transfers",
        std::move(done),
        [](const proto::TransferList& list) -> ClientResult<std::vector<TransferInfo>> {
            std::vector<TransferInfo> out;
            out.reserve(static_cast<std::size_t>(list.transfers_size()));
            for (const auto& i : list.transfers()) {
                auto t = transferFromProto(i, "the list of transfers");
                if (!t.ok())
                    return t.error();
                out.push_back(std::move(t).value());
            }
            return out;
        });
}

void ServiceClient::fetchTransfer(const std::string& transferId,
                                  ClientCallback<TransferInfo> done) {
    if (transferId.empty())
        return deliverLater<TransferInfo>(
            this, std::move(done), clientError(reason::kInvalidArgument, "Name the transfer."));
    callProto<proto::TransferInfo, TransferInfo>(
        *m_transport, this, getRequest(transferPath(transferId), AuthKind::Akma),
        "the transfer request", std::move(done),
        [transferId](const proto::TransferInfo& i) -> ClientResult<TransferInfo> {
            auto t = transferFromProto(i, "the transfer request");
            if (t.ok() && t->transferId != transferId)
                return detail::malformed("the transfer request", "it describes another transfer");
            return t;
        });
}

void ServiceClient::lookupTransferCode(const std::string& code, ClientCallback<TransferInfo> done) {
    if (code.empty())
        return deliverLater<TransferInfo>(
            this, std::move(done),
            clientError(reason::kInvalidArgument, "Enter the transfer code the owner gave you."));
    proto::TransferCodeRequest request;
    request.set_code(code);
    callProto<proto::TransferInfo, TransferInfo>(
        *m_transport, this,
        postRequest("/v1/transfers/by-code", detail::serialize(request), AuthKind::Akma),
        "the transfer code request", std::move(done),
        [](const proto::TransferInfo& i) -> ClientResult<TransferInfo> {
            auto t = transferFromProto(i, "the transfer code request");
            if (t.ok() && !t->codeBased)
                return detail::malformed("the transfer code request",
                                         "it describes an offer without a code");
            return t;
        });
}

// ---- answers
// --------------------------------------------------------------------------------------

void ServiceClient::acceptTransfer(const TransferInfo& offerInfo, const std::string& code,
                                   const sec::SigningKey& newHolderKey,
                                   sec::Bytes recipientSignedManifest,
                                   ClientCallback<AcceptedTransfer> done) {
    auto fail = [&](ClientError e) {
        deliverLater<AcceptedTransfer>(this, std::move(done), std::move(e));
    };
    if (!m_transport->hasSession())
        return fail(detail::notAuthenticated());
    if (!newHolderKey.valid())
        return fail(clientError(reason::kInvalidArgument, "No holder key was given."));
    if (offerInfo.transferId.empty())
        return fail(clientError(reason::kInvalidArgument, "Name the transfer to accept."));
    if (offerInfo.codeBased && code.empty())
        return fail(clientError(reason::kInvalidArgument,
                                "This offer needs its transfer code: enter the code the owner "
                                "gave you."));
    // Re-checked here: the caller may have built or kept the description itself.
    auto offer = sec::parseTransferOffer(offerInfo.offer.encoded);
    if (!offer.ok() || offer->offer.dtId != offerInfo.dtId)
        return fail(clientError(reason::kInvalidArgument,
                                "The offer to accept is not a valid owner-signed offer; fetch it "
                                "again."));
    auto manifest = detail::manifestToSend(
        recipientSignedManifest, newHolderKey.publicKey(), "; sign it again.",
        "The avatar manifest was signed by another key than the new holder key given; sign it "
        "with this key.");
    if (!manifest.ok())
        return fail(manifest.error());
    if (manifest->manifest.packageRoot != offerInfo.mediaRoot)
        return fail(clientError(reason::kMediaMismatch,
                                "The avatar manifest is for other media than the avatar offered "
                                "(media root " +
                                    sec::toHex(manifest->manifest.packageRoot) + ", offered " +
                                    sec::toHex(offerInfo.mediaRoot) +
                                    "); sign a manifest of the offered avatar."));

    sec::TransferAcceptance acceptance;
    acceptance.transferId = offerInfo.transferId;
    acceptance.offerDigest = offer->digest();
    acceptance.holderKey = newHolderKey.publicKey();
    acceptance.manifestDigest = sec::sha256(recipientSignedManifest);
    acceptance.mediaRoot = manifest->manifest.packageRoot;
    acceptance.aKid = m_transport->aKid();
    acceptance.timestamp = now();
    auto nonce = m_transport->random().bytes(kTransferNonceSize);
    if (!nonce.ok())
        return fail(clientError(reason::kInternal, nonce.error().message()));
    acceptance.nonce = std::move(*nonce);
    auto envelope = sec::signTransferAcceptance(acceptance, newHolderKey);
    if (!envelope.ok())
        return fail(clientError(reason::kInternal, "Could not sign the acceptance (" +
                                                       envelope.error().message() + ")."));
    proto::TransferAcceptRequest request;
    request.set_acceptance(sec::toString(*envelope));
    request.set_signed_manifest(sec::toString(recipientSignedManifest));
    request.set_code(code);

    detail::IssuedExpectation expect;
    expect.what = "the transfer";
    expect.holderKey = newHolderKey.publicKey();
    expect.mediaRoot = offerInfo.mediaRoot;
    expect.entryType = sec::LogEntryType::Transfer;
    expect.dtId = offerInfo.dtId;
    m_transport->call(
        postRequest(transferPath(offerInfo.transferId, "accept"), detail::serialize(request),
                    AuthKind::Akma),
        this,
        [this, done = std::move(done), expect = std::move(expect), sentOffer = offer->encoded,
         sentAcceptance = *envelope, transferId = offerInfo.transferId,
         avatarId = offerInfo.avatarId](ClientResult<QByteArray> r) {
            m_statusLists->invalidate(); // the offered credential is revoked by the transfer
            if (!r.ok())
                return done(r.error());
            proto::TransferResult resp;
            if (!detail::parseMessage(*r, resp) || !resp.has_transfer() || !resp.has_log_receipt())
                return done(detail::malformed("the transfer", "no transfer or no log receipt"));
            auto info = transferFromProto(resp.transfer(), "the transfer");
            if (!info.ok())
                return done(info.error());
            if (info->transferId != transferId || info->state != "accepted")
                return done(detail::malformed("the transfer", "it is not this accepted transfer"));
            auto registration = detail::verifyIssued(
                resp.credential(), {resp.disclosures().begin(), resp.disclosures().end()},
                resp.log_receipt(), m_profile, expect, now());
            if (!registration.ok())
                return done(registration.error());
            if (registration->credential.claims.avatarId != avatarId)
                return done(detail::credentialInvalid("it is for Avatar-ID " +
                                                      registration->credential.claims.avatarId +
                                                      ", the offer for " + avatarId));
            auto record = checkTransferEntry(registration->receipt.entry, transferId, &sentOffer,
                                             &sentAcceptance);
            if (!record.ok())
                return done(record.error());
            AcceptedTransfer out;
            out.transfer = std::move(info).value();
            out.registration = std::move(registration).value();
            out.record = std::move(record).value();
            done(std::move(out));
        });
}

void ServiceClient::declineTransfer(const std::string& transferId, const std::string& code,
                                    ClientCallback<TransferInfo> done) {
    proto::TransferCodeRequest request;
    request.set_code(code);
    answerTransfer(transferId, "decline", detail::serialize(request), "the decline", "declined",
                   std::move(done));
}

void ServiceClient::cancelTransfer(const std::string& transferId,
                                   ClientCallback<TransferInfo> done) {
    answerTransfer(transferId, "cancel", {}, "the cancellation", "cancelled", std::move(done));
}

void ServiceClient::answerTransfer(const std::string& transferId, const char* action,
                                   QByteArray body, const std::string& what,
                                   const std::string& state, ClientCallback<TransferInfo> done) {
    if (transferId.empty())
        return deliverLater<TransferInfo>(
            this, std::move(done), clientError(reason::kInvalidArgument, "Name the transfer."));
    callProto<proto::TransferInfo, TransferInfo>(
        *m_transport, this,
        postRequest(transferPath(transferId, action), std::move(body), AuthKind::Akma), what,
        std::move(done),
        [transferId, what, state](const proto::TransferInfo& i) -> ClientResult<TransferInfo> {
            auto t = transferFromProto(i, what);
            if (t.ok() && (t->transferId != transferId || t->state != state))
                return detail::malformed(what, "it is not this " + state + " transfer");
            return t;
        });
}

void ServiceClient::transferReceipt(const std::string& transferId,
                                    ClientCallback<TransferReceipt> done) {
    if (transferId.empty())
        return deliverLater<TransferReceipt>(
            this, std::move(done), clientError(reason::kInvalidArgument, "Name the transfer."));
    callProto<proto::LogInclusionResponse, TransferReceipt>(
        *m_transport, this, getRequest(transferPath(transferId, "receipt"), AuthKind::Akma),
        "the transfer receipt", std::move(done),
        [transferId, logKey = m_profile.logKey](
            const proto::LogInclusionResponse& resp) -> ClientResult<TransferReceipt> {
            auto receipt = detail::receiptFromInclusion(resp, logKey, std::nullopt);
            if (!receipt.ok())
                return receipt.error();
            auto record = checkTransferEntry(receipt->entry, transferId, nullptr, nullptr);
            if (!record.ok())
                return record.error();
            return TransferReceipt{std::move(receipt).value(), std::move(record).value()};
        });
}

} // namespace twinseal::netclient
