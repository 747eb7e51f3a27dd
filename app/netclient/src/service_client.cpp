#include "twinseal/netclient/service_client.h"

#include <algorithm>
#include <memory>
#include <optional>

#include <twinseal/security/aka.h>
#include <twinseal/security/credential.h>
#include <twinseal/security/milenage.h>
#include <twinseal/security/suci.h>
#include <twinseal/security/x509.h>

#include "client_common.h"
#include "status_list_cache.h"
#include "transport.h"
#include "twinseal/netclient/avatar_transfer.h"
#include "wire.h"

namespace twinseal::netclient {

namespace sec = twinseal::security;
using detail::AuthKind;
using detail::callProto;
using detail::credentialInvalid;
using detail::deliverLater;
using detail::getRequest;
using detail::HttpRequest;
using detail::logProofInvalid;
using detail::postRequest;
using detail::profileError;
using detail::Transport;
using detail::treeHeadInvalid;

namespace {

constexpr std::size_t kRegistrationNonceSize = 16;

// What a registration of each purpose is called in messages, and where it is sent.
struct PurposeInfo {
    const char* name;
    const char* path;
};

PurposeInfo purposeInfo(sec::RegistrationPurpose purpose) {
    switch (purpose) {
    case sec::RegistrationPurpose::Register:
        break;
    case sec::RegistrationPurpose::Recertify:
        return {"re-certification", "/v1/dt/recertify"};
    case sec::RegistrationPurpose::RotatePseudonym:
        return {"pseudonym rotation", "/v1/dt/rotate-pseudonym"};
    }
    return {"registration", "/v1/dt/register"};
}

// Every check a registration answer must pass before the client reports success.
ClientResult<Registration>
verifyRegistration(const QByteArray& body, const sec::UsimProfileData& profile,
                   const sec::PublicKey& holderKey, const sec::Manifest& manifest,
                   sec::RegistrationPurpose purpose, const std::string& dtId, std::int64_t now) {
    const std::string what = std::string("the ") + purposeInfo(purpose).name;
    proto::RegistrationResponse resp;
    if (!detail::parseMessage(body, resp) || resp.credential().empty() || !resp.has_log_receipt())
        return detail::malformed(what, "no credential or no log receipt");
    detail::IssuedExpectation expect;
    expect.what = what;
    expect.holderKey = holderKey;
    expect.mediaRoot = manifest.packageRoot;
    expect.media = sec::describeMedia(manifest);
    expect.entryType = purpose == sec::RegistrationPurpose::Register
                           ? sec::LogEntryType::Issuance
                           : sec::LogEntryType::Recertification;
    if (purpose != sec::RegistrationPurpose::Register)
        expect.dtId = dtId;
    return detail::verifyIssued(resp.credential(),
                                {resp.disclosures().begin(), resp.disclosures().end()},
                                resp.log_receipt(), profile, expect, now);
}

} // namespace

// ---- shared by the client's sources (client_common.h) ----------------------------------------

namespace detail {

ClientError profileError(const std::string& detail) {
    return clientError("usim-profile-invalid", "Your USIM profile cannot be used (" + detail +
                                                   "). Ask your operator for a new profile.");
}

ClientError credentialInvalid(const std::string& detail) {
    return clientError(reason::kCredentialInvalid,
                       "The credential the service issued is not acceptable: " + detail +
                           ". It was not saved. Try again; if it persists, contact your operator.");
}

ClientError logProofInvalid(const std::string& detail) {
    return clientError(reason::kLogProofInvalid,
                       "The service did not prove that it recorded this in its transparency "
                       "log: " +
                           detail + ". Do not rely on this answer; contact your operator.");
}

ClientError treeHeadInvalid(const std::string& detail) {
    return clientError(reason::kTreeHeadInvalid,
                       "The transparency log's signed tree head does not verify with the log key "
                       "of your profile (" +
                           detail + "). Do not trust this answer; contact your operator.");
}

ClientResult<sec::SignedManifest> manifestToSend(const sec::Bytes& signedManifest,
                                                 const sec::PublicKey& holderKey,
                                                 const std::string& redo,
                                                 const std::string& keyMismatch) {
    auto manifest = sec::parseSignedManifest(signedManifest);
    if (!manifest.ok())
        return clientError(reason::kManifestInvalid, "The avatar manifest is not valid (" +
                                                         manifest.error().message() + ")" + redo);
    if (!(manifest->manifest.holderKey == holderKey))
        return clientError(reason::kKeyMismatch, keyMismatch);
    return std::move(manifest).value();
}

ClientError notAuthenticated() {
    return clientError(reason::kNotAuthenticated,
                       "Not signed in to the home network: authenticate with your USIM "
                       "profile first.");
}

ClientResult<Registration> verifyIssued(const std::string& credential,
                                        const std::vector<std::string>& disclosures,
                                        const proto::LogReceipt& logReceipt,
                                        const sec::UsimProfileData& profile,
                                        const IssuedExpectation& expect, std::int64_t now) {
    const sec::PublicKey& holderKey = expect.holderKey;
    const sec::Digest& packageRoot = expect.mediaRoot;
    if (credential.empty())
        return malformed(expect.what, "no credential");
    Registration out;
    out.credentialBytes = bytesOf(credential);
    auto cred = sec::parseCredential(out.credentialBytes);
    if (!cred.ok())
        return credentialInvalid(cred.error().message());
    const sec::CredentialClaims& claims = cred->claims;

    auto trust = sec::TrustList::fromPem(profile.trustListPem);
    if (!trust.ok() || trust->empty())
        return profileError("its trust list cannot be read");
    auto chain = sec::validateChain(cred->issuerChain, *trust, now);
    if (!chain.ok())
        return credentialInvalid("its issuer certificate chain is broken (" +
                                 chain.error().message() + ")");
    if (chain->status != sec::ChainStatus::Trusted)
        return clientError(reason::kCredentialUntrusted,
                           "The credential's issuer does not chain to an operator root in your "
                           "profile's trust list (" +
                               chain->detail +
                               "). It was not saved. If your operator changed its root, ask for a "
                               "new profile.");
    out.chain = std::move(*chain);
    if (auto st = sec::checkValidity(claims, now); !st.ok())
        return credentialInvalid("it is not valid now (" + st.error().message() + ")");
    if (!(claims.holderKey == holderKey))
        return credentialInvalid(
            "it names another holder key than the one that signed the request");
    if (claims.mediaRoot != packageRoot)
        return credentialInvalid("it certifies other avatar media than the manifest sent (media "
                                 "root " +
                                 sec::toHex(claims.mediaRoot) + ", expected " +
                                 sec::toHex(packageRoot) + ")");
    if (expect.media && claims.media != expect.media)
        return credentialInvalid(
            claims.media ? "it certifies another model or other avatar metadata than the manifest "
                           "sent (model " +
                               claims.media->modelPath + ", sent " + expect.media->modelPath + ")"
                         : "it does not certify which file is the model and what the metadata "
                           "says");
    if (claims.dtId.empty() || claims.avatarId.empty())
        return credentialInvalid("it names no DT or no Avatar-ID");
    if (!expect.dtId.empty() && claims.dtId != expect.dtId)
        return credentialInvalid("it is for DT " + claims.dtId + ", not for " + expect.dtId);

    for (const std::string& d : disclosures) {
        auto disclosure = sec::AttributeDisclosure::decode(d);
        if (!disclosure.ok())
            return credentialInvalid("an attribute disclosure is malformed (" +
                                     disclosure.error().message() + ")");
        const sec::Digest digest = disclosure->digest();
        const bool committed =
            std::any_of(claims.attributes.begin(), claims.attributes.end(),
                        [&](const sec::AttributeCommitmentInfo& a) {
                            return a.name == disclosure->name && a.digest == digest;
                        });
        if (!committed)
            return credentialInvalid("the disclosure of attribute \"" + disclosure->name +
                                     "\" does not match the credential's commitment");
        out.disclosures.push_back(d);
    }

    out.receiptBytes = serializeBytes(logReceipt);
    auto receipt = sec::parseLogReceipt(out.receiptBytes, profile.logKey);
    if (!receipt.ok())
        return logProofInvalid(receipt.error().message());
    const sec::LogEntry& entry = receipt->entry;
    if (entry.credentialDigest != cred->digest())
        return logProofInvalid("the log entry names another credential");
    if (entry.dtId != claims.dtId)
        return logProofInvalid("the log entry names DT " + entry.dtId + ", the credential " +
                               claims.dtId);
    const sec::LogEntryType expectedType = expect.entryType;
    if (entry.type != expectedType)
        return logProofInvalid("the log entry is a " +
                               std::string(sec::logEntryTypeName(entry.type)) + ", expected a " +
                               std::string(sec::logEntryTypeName(expectedType)));
    if (receipt->proof.leafIndex != claims.logIndex)
        return logProofInvalid("the entry is at index " + std::to_string(receipt->proof.leafIndex) +
                               ", the credential says " + std::to_string(claims.logIndex));
    if (auto st = sec::verifyInclusion(receipt->treeHead.head, receipt->proof, receipt->entryBytes);
        !st.ok())
        return logProofInvalid(st.error().message());
    out.receipt = std::move(*receipt);
    out.credential = std::move(*cred);
    return out;
}

ClientResult<sec::LogReceipt> receiptFromInclusion(const proto::LogInclusionResponse& resp,
                                                   const sec::PublicKey& logKey,
                                                   std::optional<std::uint64_t> treeSize) {
    if (!resp.has_proof() || resp.entry().empty())
        return malformed("the inclusion proof request");
    auto head = sec::parseSignedTreeHead(viewOf(resp.tree_head()), logKey);
    if (!head.ok())
        return treeHeadInvalid(head.error().message());
    if (treeSize && head->head.treeSize != *treeSize)
        return logProofInvalid("the proof is for a tree of " + std::to_string(head->head.treeSize) +
                               " entries, not " + std::to_string(*treeSize));
    auto proof = sec::InclusionProof::decode(serializeBytes(resp.proof()));
    if (!proof.ok())
        return logProofInvalid(proof.error().message());
    // makeLogReceipt decodes the entry and verifies the proof against the head's root.
    auto receipt = sec::makeLogReceipt(std::move(*head), bytesOf(resp.entry()), std::move(*proof));
    if (!receipt.ok())
        return logProofInvalid(receipt.error().message());
    if (auto st = sec::verifyInclusion(receipt->treeHead.head, receipt->proof, receipt->entryBytes);
        !st.ok())
        return logProofInvalid(st.error().message());
    return std::move(receipt).value();
}

} // namespace detail

// ---- construction -----------------------------------------------------------------------------

ServiceClient::ServiceClient(sec::UsimProfileData profile, QString profilePath, QObject* parent)
    : ServiceClient(std::move(profile), std::move(profilePath), ServiceClientOptions{}, parent) {}

ServiceClient::ServiceClient(sec::UsimProfileData profile, QString profilePath,
                             ServiceClientOptions options, QObject* parent)
    : QObject(parent), m_profile(std::move(profile)), m_profilePath(std::move(profilePath)),
      m_options(std::move(options)), m_transport(std::make_unique<Transport>(this, m_profile, m_options)),
      m_statusLists(std::make_unique<detail::StatusListCache>(m_options.statusListCachePath,
                                                              m_profile.statusListKey)) {
    m_transport->onSessionRejected = [this] { sessionRejected(); };
}

ServiceClient::~ServiceClient() {
    // Transfers first (their requests go through the transport), then every other request.
    const auto transfers = findChildren<AvatarTransfer*>(Qt::FindDirectChildrenOnly);
    for (AvatarTransfer* t : transfers)
        delete t;
    m_transport->abortAll();
}

bool ServiceClient::adoptSecrets(sec::UsimProfileData&& unlocked) {
    if (!unlocked.hasSecrets() || unlocked.supi.toString() != m_profile.supi.toString())
        return false;
    m_profile.k = std::move(unlocked.k);
    m_profile.opc = std::move(unlocked.opc);
    m_profile.sealedSecrets = std::move(unlocked.sealedSecrets);
    unlocked.forgetSecrets();
    return true;
}

bool ServiceClient::isAuthenticated() const {
    return m_transport->hasSession();
}

std::string ServiceClient::aKid() const {
    return m_transport->hasSession() ? m_transport->aKid() : std::string();
}

void ServiceClient::signOut() {
    const bool was = m_transport->hasSession();
    m_transport->clearSession();
    if (was)
        emit authenticatedChanged(false);
}

void ServiceClient::sessionRejected() {
    emit authenticatedChanged(false);
}

void ServiceClient::setRequestTimeout(std::chrono::milliseconds timeout) {
    m_options.requestTimeout = timeout;
    m_transport->setTimeout(timeout);
}

std::chrono::milliseconds ServiceClient::requestTimeout() const {
    return m_transport->timeout();
}

std::int64_t ServiceClient::now() const {
    return m_transport->now();
}

// ---- authentication -----------------------------------------------------------------------------

struct ServiceClient::AuthFlow : std::enable_shared_from_this<ServiceClient::AuthFlow> {
    ServiceClient* client = nullptr;
    ClientCallback<AuthSession> done;
    std::optional<sec::Milenage> milenage;
    std::string servingNetwork;
    bool resynced = false;
    sec::SecureBytes kausf;

    void finish(ClientResult<AuthSession> result) {
        client->m_authInProgress = false;
        auto cb = std::move(done);
        cb(std::move(result));
    }

    void send(const char* path, QByteArray body, void (AuthFlow::*next)(ClientResult<QByteArray>)) {
        auto self = shared_from_this();
        client->m_transport->call(
            postRequest(path, std::move(body)), client,
            [self, next](ClientResult<QByteArray> r) { ((*self).*next)(std::move(r)); });
    }

    void onChallenge(ClientResult<QByteArray> r) {
        if (!r.ok())
            return finish(r.error());
        proto::AuthChallenge challenge;
        if (!detail::parseMessage(*r, challenge) || challenge.auth_id().empty())
            return finish(detail::malformed("the authentication request"));
        if (challenge.rand().size() != sec::kAkaRandSize ||
            challenge.autn().size() != sec::kAkaAutnSize)
            return finish(detail::malformed("the authentication request",
                                            "RAND and AUTN must be 16 bytes each"));
        if (challenge.serving_network_name() != servingNetwork)
            return finish(clientError(
                reason::kServingNetworkMismatch,
                "The service asked this USIM to authenticate for serving network \"" +
                    challenge.serving_network_name().substr(0, 100) +
                    "\", but your subscription's is \"" + servingNetwork +
                    "\". Refused: this is not your home network, or the profile is not for "
                    "this service."));

        auto outcome = sec::verifyChallenge(*milenage, detail::viewOf(challenge.rand()),
                                            detail::viewOf(challenge.autn()),
                                            client->m_profile.sqn, servingNetwork);
        if (outcome.result.ok())
            return accept(challenge.auth_id(), std::move(outcome.result).value());

        switch (outcome.result.code()) {
        case sec::ErrorCode::AkaSyncFailure:
            if (outcome.auts && !resynced) {
                resynced = true;
                proto::AuthResyncRequest resync;
                resync.set_auth_id(challenge.auth_id());
                resync.set_auts(std::string(outcome.auts->begin(), outcome.auts->end()));
                return send("/v1/auth/resync", detail::serialize(resync), &AuthFlow::onChallenge);
            }
            return finish(clientError(
                reason::kAkaSyncFailure,
                "The home network's sequence number is still not fresh after "
                "resynchronisation, so this USIM cannot accept its challenge. Try again in a "
                "moment; if it persists, ask your operator to check your subscription."));
        case sec::ErrorCode::AkaMacFailure:
            return finish(clientError(
                reason::kAkaMacFailure,
                "The network failed to authenticate itself: its challenge (AUTN) was not made "
                "with your subscription key. Do not use this service; check that the profile "
                "and the service address come from your operator."));
        case sec::ErrorCode::AkaNon5gAuthentication:
            return finish(clientError(
                reason::kAkaNon5g,
                "The network sent a challenge that is not for 5G authentication (AMF separation "
                "bit not set); it was refused. Contact your operator."));
        case sec::ErrorCode::InvalidArgument:
            return finish(
                detail::malformed("the authentication request", outcome.result.error().message()));
        default:
            return finish(
                clientError(reason::kAkaFailed, "The USIM could not process the challenge (" +
                                                    outcome.result.error().message() + ")."));
        }
    }

    void accept(const std::string& authId, sec::UsimChallengeResponse response) {
        // The USIM accepted this SQN: remember it (SEQ_MS(IND) = SEQ) durably before answering,
        // so that the same challenge is never accepted twice.
        client->m_profile.sqn.accept(response.sqn);
        if (!client->m_profilePath.isEmpty()) {
            if (auto st = client->m_profile.save(client->m_profilePath.toStdString()); !st.ok())
                return finish(clientError(
                    reason::kProfileSaveFailed,
                    "Could not save the USIM profile's sequence number to " +
                        client->m_profilePath.toStdString() + " (" + st.error().message() +
                        "); authentication stopped. Make the file writable and try again."));
        }
        kausf = std::move(response.kausf);
        proto::AuthFinishRequest finishRequest;
        finishRequest.set_auth_id(authId);
        finishRequest.set_res_star(std::string(response.resStar.begin(), response.resStar.end()));
        QByteArray body = detail::serialize(finishRequest);
        std::string* res = finishRequest.mutable_res_star();
        sec::cleanse(res->data(), res->size());
        send("/v1/auth/finish", std::move(body), &AuthFlow::onResult);
    }

    void onResult(ClientResult<QByteArray> r) {
        if (!r.ok())
            return finish(r.error());
        proto::AuthResult result;
        if (!detail::parseMessage(*r, result) || result.a_kid().empty())
            return finish(detail::malformed("the authentication", "no A-KID"));
        const sec::UsimProfileData& profile = client->m_profile;
        auto session = sec::deriveAkmaSession(kausf, profile.supi, profile.routingIndicator);
        sec::cleanse(kausf.data(), kausf.size());
        kausf.clear();
        if (!session.ok())
            return finish(clientError(reason::kAkaFailed, "Could not derive the AKMA key (" +
                                                              session.error().message() + ")."));
        if (session->aKid != result.a_kid())
            return finish(clientError(
                reason::kAkmaMismatch,
                "The service named another AKMA key identifier than the one this USIM derived: "
                "the service and your profile disagree about the subscription. Contact your "
                "operator."));
        AuthSession out{session->aKid, result.expires_at()};
        client->m_transport->setSession(std::move(*session), result.expires_at());
        emit client->authenticatedChanged(true);
        finish(std::move(out));
    }
};

void ServiceClient::authenticate(ClientCallback<AuthSession> done) {
    if (m_authInProgress)
        return deliverLater<AuthSession>(
            this, std::move(done),
            clientError(reason::kAuthInProgress,
                        "An authentication is already running; wait for it to finish."));
    if (!m_profile.hasSecrets())
        return deliverLater<AuthSession>(
            this, std::move(done),
            clientError(reason::kProfileLocked,
                        "Your USIM profile's keys are sealed with your passphrase: unlock your "
                        "twin first, then try again."));
    auto servingNetwork = m_profile.servingNetworkName();
    if (!servingNetwork.ok())
        return deliverLater<AuthSession>(this, std::move(done),
                                         profileError(servingNetwork.error().message()));
    auto milenage = sec::Milenage::create(m_profile.k, m_profile.opc);
    if (!milenage.ok())
        return deliverLater<AuthSession>(this, std::move(done),
                                         profileError(milenage.error().message()));
    auto suci = sec::concealSupi(m_profile.supi, m_profile.routingIndicator,
                                 sec::SuciProtectionScheme::ProfileA, m_profile.hnKeyId,
                                 m_profile.hnPublicKey, m_transport->random());
    if (!suci.ok())
        return deliverLater<AuthSession>(this, std::move(done),
                                         profileError(suci.error().message()));

    auto flow = std::make_shared<AuthFlow>();
    flow->client = this;
    flow->done = std::move(done);
    flow->milenage.emplace(std::move(milenage).value());
    flow->servingNetwork = std::move(servingNetwork).value();
    m_authInProgress = true;

    proto::AuthStartRequest start;
    start.set_suci(suci->toString());
    flow->send("/v1/auth/start", detail::serialize(start), &AuthFlow::onChallenge);
}

// ---- DTs ----------------------------------------------------------------------------------------

void ServiceClient::registerDt(const sec::SigningKey& holderKey, sec::Bytes signedManifest,
                               ClientCallback<Registration> done) {
    startRegistration(sec::RegistrationPurpose::Register, {}, holderKey, std::move(signedManifest),
                      std::move(done));
}

void ServiceClient::recertify(const std::string& dtId, const sec::SigningKey& holderKey,
                              sec::Bytes signedManifest, ClientCallback<Registration> done) {
    if (dtId.empty())
        return deliverLater<Registration>(
            this, std::move(done),
            clientError(reason::kInvalidArgument, "Name the DT to re-certify."));
    startRegistration(sec::RegistrationPurpose::Recertify, dtId, holderKey,
                      std::move(signedManifest), std::move(done));
}

void ServiceClient::startRegistration(sec::RegistrationPurpose purpose, const std::string& dtId,
                                      const sec::SigningKey& holderKey, sec::Bytes signedManifest,
                                      ClientCallback<Registration> done) {
    auto fail = [&](ClientError e) {
        deliverLater<Registration>(this, std::move(done), std::move(e));
    };
    if (!m_transport->hasSession())
        return fail(detail::notAuthenticated());
    if (!holderKey.valid())
        return fail(clientError(reason::kInvalidArgument, "No holder key was given."));
    auto manifest = detail::manifestToSend(
        signedManifest, holderKey.publicKey(), "; pack the avatar again.",
        "The avatar manifest was signed by another key than the holder key given; pack the "
        "avatar again with this key.");
    if (!manifest.ok())
        return fail(manifest.error());

    sec::RegistrationRequest request;
    request.aKid = m_transport->aKid();
    request.timestamp = now();
    auto nonce = m_transport->random().bytes(kRegistrationNonceSize);
    if (!nonce.ok())
        return fail(clientError(reason::kInternal, nonce.error().message()));
    request.nonce = std::move(*nonce);
    request.holderKey = holderKey.publicKey();
    request.signedManifest = std::move(signedManifest);
    request.dtId = dtId;
    request.purpose = purpose;
    auto envelope = sec::signRegistration(request, holderKey);
    if (!envelope.ok())
        return fail(clientError(reason::kInternal, "Could not sign the registration (" +
                                                       envelope.error().message() + ")."));

    m_transport->call(
        postRequest(purposeInfo(purpose).path, detail::qbytes(*envelope), AuthKind::Akma), this,
        [this, done = std::move(done), holder = holderKey.publicKey(),
         sent = manifest->manifest, purpose, dtId](ClientResult<QByteArray> r) {
            if (purpose != sec::RegistrationPurpose::Register) {
                m_statusLists->invalidate(); // the previous credential is superseded
                m_statusListTag.clear();
            }
            if (!r.ok())
                return done(r.error());
            done(verifyRegistration(*r, m_profile, holder, sent, purpose, dtId, now()));
        });
}

void ServiceClient::revoke(const std::string& dtId, const std::string& reasonText,
                           ClientCallback<DtRecord> done) {
    if (dtId.empty())
        return deliverLater<DtRecord>(
            this, std::move(done), clientError(reason::kInvalidArgument, "Name the DT to revoke."));
    proto::RevokeRequest request;
    request.set_dt_id(dtId);
    request.set_reason(reasonText);
    callProto<proto::DtInfo, DtRecord>(
        *m_transport, this,
        postRequest("/v1/dt/revoke", detail::serialize(request), AuthKind::Akma), "the revocation",
        ClientCallback<DtRecord>([this, done = std::move(done)](ClientResult<DtRecord> r) {
            m_statusLists->invalidate();
            m_statusListTag.clear();
            done(std::move(r));
        }),
        [dtId](const proto::DtInfo& info) -> ClientResult<DtRecord> {
            if (info.dt_id() != dtId)
                return detail::malformed("the revocation", "it names another DT");
            return detail::dtRecordFromProto(info);
        });
}

void ServiceClient::listDts(ClientCallback<std::vector<DtRecord>> done) {
    callProto<proto::DtList, std::vector<DtRecord>>(
        *m_transport, this, getRequest("/v1/dt", AuthKind::Akma), "the list of DTs",
        std::move(done), [](const proto::DtList& list) -> ClientResult<std::vector<DtRecord>> {
            std::vector<DtRecord> out;
            out.reserve(static_cast<std::size_t>(list.dts_size()));
            for (const auto& dt : list.dts())
                out.push_back(detail::dtRecordFromProto(dt));
            return out;
        });
}

// ---- status list and transparency log -------------------------------------------------------

void ServiceClient::fetchStatusList(ClientCallback<sec::StatusList> done) {
    fetchStatusList(StatusListFetch::WhenDue, std::move(done));
}

void ServiceClient::fetchStatusList(StatusListFetch fetch, ClientCallback<sec::StatusList> done) {
    if (fetch == StatusListFetch::WhenDue && !m_options.statusListCachePath.isEmpty()) {
        if (auto cached = m_statusLists->usable(now()))
            return deliverLater<sec::StatusList>(this, std::move(done), std::move(*cached));
    }
    auto request = getRequest("/v1/status", AuthKind::None, detail::kRawAccept);
    // Only a list that is still fresh may be confirmed by a 304: one that expired is fetched.
    const auto& held = m_statusLists->current();
    if (fetch == StatusListFetch::IfChanged && held && held->checkFresh(now()).ok())
        request.ifNoneMatch = m_statusListTag;
    m_transport->callForResponse(
        request, this,
        [this, done = std::move(done), asked = request.ifNoneMatch](ClientResult<detail::HttpResponse> r) {
            if (!r.ok())
                return done(r.error());
            if (r->notModified()) {
                const auto& current = m_statusLists->current();
                // Confirmed unchanged: the list held for that tag, if it is still fresh.
                if (current && m_statusListTag == asked && current->checkFresh(now()).ok())
                    return done(*current);
                m_statusListTag.clear();
                return done(clientError(
                    reason::kStatusListInvalid,
                    "The home network answered that the revocation status list is unchanged, "
                    "but the list this device holds is no longer current. It is fetched whole "
                    "on the next check."));
            }
            auto list =
                sec::parseSignedStatusList(detail::viewOf(r->body), m_profile.statusListKey, now());
            if (!list.ok())
                return done(clientError(
                    reason::kStatusListInvalid,
                    "The revocation status list does not verify with the issuer "
                    "key of your profile or is out of date (" +
                        list.error().message() + "). Do not rely on it; try again later."));
            auto accepted = m_statusLists->update(std::move(list).value());
            m_statusListTag = accepted.ok() ? r->etag : QByteArray();
            done(std::move(accepted));
        });
}

void ServiceClient::fetchTreeHead(ClientCallback<sec::SignedTreeHead> done) {
    m_transport->call(getRequest("/v1/log/head", AuthKind::None, detail::kRawAccept), this,
                      [this, done = std::move(done)](ClientResult<QByteArray> r) {
                          if (!r.ok())
                              return done(r.error());
                          auto head =
                              sec::parseSignedTreeHead(detail::viewOf(*r), m_profile.logKey);
                          if (!head.ok())
                              return done(treeHeadInvalid(head.error().message()));
                          done(std::move(head).value());
                      });
}

void ServiceClient::fetchInclusionAt(const std::string& pathPrefix, std::uint64_t treeSize,
                                     std::function<ClientStatus(const sec::LogReceipt&)> check,
                                     ClientCallback<sec::LogReceipt> done) {
    if (treeSize == 0) {
        // The current tree: fetch its signed head first.
        fetchTreeHead([this, pathPrefix, check = std::move(check),
                       done = std::move(done)](ClientResult<sec::SignedTreeHead> head) mutable {
            if (!head.ok())
                return done(head.error());
            if (head->head.treeSize == 0)
                return done(
                    clientError(reason::kInvalidArgument,
                                "The transparency log is empty: there is nothing to prove."));
            fetchInclusionAt(pathPrefix, head->head.treeSize, std::move(check), std::move(done));
        });
        return;
    }
    const QByteArray path =
        QByteArray::fromStdString(pathPrefix) + "&size=" + QByteArray::number(treeSize);
    m_transport->call(
        getRequest(path), this,
        [this, treeSize, check = std::move(check),
         done = std::move(done)](ClientResult<QByteArray> r) {
            if (!r.ok())
                return done(r.error());
            proto::LogInclusionResponse resp;
            if (!detail::parseMessage(*r, resp))
                return done(detail::malformed("the inclusion proof request"));
            auto receipt = detail::receiptFromInclusion(resp, m_profile.logKey, treeSize);
            if (!receipt.ok())
                return done(receipt.error());
            if (auto st = check(*receipt); !st.ok())
                return done(st.error());
            done(std::move(receipt).value());
        });
}

void ServiceClient::fetchInclusion(std::uint64_t index, std::uint64_t treeSize,
                                   ClientCallback<sec::LogReceipt> done) {
    if (treeSize != 0 && index >= treeSize)
        return deliverLater<sec::LogReceipt>(
            this, std::move(done),
            clientError(reason::kInvalidArgument, "Entry " + std::to_string(index) +
                                                      " is not in a tree of " +
                                                      std::to_string(treeSize) + " entries."));
    fetchInclusionAt(
        "/v1/log/inclusion?index=" + std::to_string(index), treeSize,
        [index](const sec::LogReceipt& receipt) -> ClientStatus {
            if (receipt.proof.leafIndex != index)
                return logProofInvalid("the proof is for entry " +
                                       std::to_string(receipt.proof.leafIndex) + ", not " +
                                       std::to_string(index));
            return {};
        },
        std::move(done));
}

void ServiceClient::fetchInclusionByCredential(const sec::Digest& credentialDigest,
                                               std::uint64_t treeSize,
                                               ClientCallback<sec::LogReceipt> done) {
    fetchInclusionAt(
        "/v1/log/inclusion-by-credential?digest=" + sec::toHex(credentialDigest), treeSize,
        [credentialDigest](const sec::LogReceipt& receipt) -> ClientStatus {
            if (receipt.entry.credentialDigest != credentialDigest)
                return logProofInvalid("the entry is for another credential");
            return {};
        },
        std::move(done));
}

void ServiceClient::fetchConsistency(std::uint64_t first, std::uint64_t second,
                                     ClientCallback<sec::ConsistencyProof> done) {
    if (first > second)
        return deliverLater<sec::ConsistencyProof>(
            this, std::move(done),
            clientError(reason::kInvalidArgument,
                        "A consistency proof goes from a smaller tree to a larger one."));
    const QByteArray path = "/v1/log/consistency?first=" + QByteArray::number(first) +
                            "&second=" + QByteArray::number(second);
    callProto<proto::ConsistencyProof, sec::ConsistencyProof>(
        *m_transport, this, getRequest(path), "the consistency proof request", std::move(done),
        [first, second](const proto::ConsistencyProof& p) -> ClientResult<sec::ConsistencyProof> {
            auto proof = sec::ConsistencyProof::decode(detail::serializeBytes(p));
            if (!proof.ok())
                return clientError(reason::kConsistencyProofInvalid,
                                   "The service's consistency proof is malformed (" +
                                       proof.error().message() +
                                       "). The log cannot be shown to be append-only.");
            if (proof->firstSize != first || proof->secondSize != second)
                return clientError(reason::kConsistencyProofInvalid,
                                   "The service sent a consistency proof from " +
                                       std::to_string(proof->firstSize) + " to " +
                                       std::to_string(proof->secondSize) + " entries, not from " +
                                       std::to_string(first) + " to " + std::to_string(second) +
                                       ".");
            return std::move(proof).value();
        });
}

void ServiceClient::checkConsistency(const sec::SignedTreeHead& older,
                                     const sec::SignedTreeHead& newer,
                                     ClientCallback<sec::ConsistencyProof> done) {
    auto verify = [older = older.head, newer = newer.head](
                      const sec::ConsistencyProof& proof) -> ClientResult<sec::ConsistencyProof> {
        if (auto st = sec::verifyConsistency(older, newer, proof); !st.ok())
            return clientError(
                reason::kConsistencyProofInvalid,
                "The newer tree head does not extend the older one: " + st.error().message() +
                    ". The log was rewritten or forked; keep both tree heads as "
                    "evidence and tell your operator.");
        return proof;
    };
    const std::uint64_t first = older.head.treeSize;
    const std::uint64_t second = newer.head.treeSize;
    if (first > second)
        return deliverLater<sec::ConsistencyProof>(
            this, std::move(done),
            clientError(reason::kConsistencyProofInvalid,
                        "The newer tree head has fewer entries (" + std::to_string(second) +
                            ") than the older one (" + std::to_string(first) +
                            "): either they are swapped or the log was rolled back."));
    if (first == 0 || first == second)
        // Nothing to fetch: the proof is empty (equal sizes need equal roots).
        return deliverLater<sec::ConsistencyProof>(
            this, std::move(done), verify(sec::ConsistencyProof{first, second, {}}));
    fetchConsistency(first, second,
                     [verify, done = std::move(done)](ClientResult<sec::ConsistencyProof> r) {
                         if (!r.ok())
                             return done(r.error());
                         done(verify(*r));
                     });
}

void ServiceClient::fetchInfo(ClientCallback<ServiceInfo> done) {
    callProto<proto::ServiceInfo, ServiceInfo>(
        *m_transport, this, getRequest("/v1/info"), "the service information request",
        std::move(done), [](const proto::ServiceInfo& i) -> ClientResult<ServiceInfo> {
            ServiceInfo out;
            out.operatorName = i.operator_name();
            out.issuer = i.issuer();
            out.statusListUri = i.status_list_uri();
            if (i.has_log_key()) {
                auto key =
                    detail::publicKeyFromProto(i.log_key(), "the service information request");
                if (!key.ok())
                    return key.error();
                out.logKey = std::move(key).value();
            }
            out.trustListPem = i.trust_list_pem();
            out.logSize = i.log_size();
            out.version = i.version();
            return out;
        });
}

} // namespace twinseal::netclient
