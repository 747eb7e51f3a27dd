#include "twinseal/service/call_admission.h"

#include <QUrl>

#include <algorithm>

#include <twinseal/security/assertion.h>
#include <twinseal/security/credential.h>
#include <twinseal/security/crypto.h>

#include "service_util.h"
#include "twinseal/service/service_log.h"

namespace twinseal::service {

using namespace twinseal::security;

namespace {

// The checks the room host itself runs (verifyPeer runs all of them; the media, the pins, the
// peer's own status list and transparency log are for the participants, who verify each other).
const std::vector<CheckId>& hostChecks() {
    static const std::vector<CheckId> ids = {
        CheckId::AssertionFormat,    CheckId::CredentialFormat, CheckId::CredentialSignature,
        CheckId::IssuerTrust,        CheckId::CredentialValidity, CheckId::AssertionSignature,
        CheckId::HolderBinding,      CheckId::CredentialDigest, CheckId::Freshness,
        CheckId::Destination,        CheckId::Replay,           CheckId::Disclosures};
    return ids;
}

// What a participant refused for a role can do about it.
std::string roleHint(ErrorCode code) {
    switch (code) {
    case ErrorCode::RoleMissing:
        return "; present an enterprise role credential for it, issued for your holder key";
    case ErrorCode::RoleUntrustedIssuer:
        return "; this room accepts it only from the enterprises its policy names for the role";
    case ErrorCode::RoleHolderMismatch:
        return "; present the role credential issued for your own holder key";
    case ErrorCode::RoleExpired:
    case ErrorCode::RoleNotYetValid:
        return "; ask the enterprise for a role credential valid now";
    default: return "";
    }
}

std::string percentEncoded(const QString& text) {
    return QUrl::toPercentEncoding(text).toStdString();
}

} // namespace

CallAdmission::CallAdmission(ServiceContext& context)
    : m_ctx(context), m_cache(std::make_unique<VerifiedObjectCache>()) {}

CallAdmission::~CallAdmission() = default;

ServiceStatus CallAdmission::loadTrust() {
    TrustList trust;
    trust.add(m_ctx.keys.rootCertificate());
    for (const QString& path : m_ctx.config.callTrustRoots) {
        auto bytes = readFile(path.toStdString());
        if (!bytes.ok())
            return serviceError(500, "trust-root-unreadable",
                                "cannot read the trust root " + path.toStdString() +
                                    " (--trust-root): " + bytes.error().detail);
        auto roots = Certificate::bundleFromPem(
            std::string_view(reinterpret_cast<const char*>(bytes->data()), bytes->size()));
        if (!roots.ok() || roots->empty())
            return serviceError(500, "trust-root-invalid",
                                path.toStdString() +
                                    " (--trust-root) holds no PEM certificate: give the other "
                                    "operator's root certificate (its /v1/info trust_list_pem)");
        for (auto& root : *roots)
            trust.add(std::move(root));
    }
    m_trust = std::move(trust);
    logEvent(LogLevel::Debug, "call-trust-list",
             {{QStringLiteral("roots"), int(m_trust.roots().size())}});
    return Nothing{};
}

std::string CallAdmission::roomHostUri() const {
    return "urn:twinseal:room-host:" + percentEncoded(m_ctx.keys.operatorName());
}

std::string CallAdmission::roomUri(const std::string& roomId) const {
    return "urn:twinseal:room:" + percentEncoded(m_ctx.keys.operatorName()) + ":" + roomId;
}

std::string CallAdmission::handleUri(const std::string& handle) {
    return "urn:twinseal:handle:" + handle;
}

CallResult<AdmittedHolder> CallAdmission::verifyForCreate(const proto::Evidence& evidence) {
    return verify(evidence, {roomHostUri(),
                             "urn:twinseal:room-host:" + m_ctx.keys.operatorName().toStdString()});
}

CallResult<AdmittedHolder> CallAdmission::verify(const proto::Evidence& evidence,
                                                 const std::vector<std::string>& destinations) {
    if (evidence.assertion().empty() || evidence.credential().empty())
        return callRefusal("evidence-missing",
                           "send a fresh call assertion and the DT credential it was made with");
    // The destination the assertion names among the acceptable ones (verifyPeer checks it).
    std::string dest = destinations.front();
    if (auto parsed = parseAssertion(evidence.assertion()); parsed.ok()) {
        for (const std::string& d : destinations)
            if (std::find(parsed->claims.dest.begin(), parsed->claims.dest.end(), d) !=
                parsed->claims.dest.end()) {
                dest = d;
                break;
            }
    }
    VerificationInputs in;
    in.assertion = evidence.assertion();
    in.credential = ByteView(reinterpret_cast<const std::uint8_t*>(evidence.credential().data()),
                             evidence.credential().size());
    in.disclosures.assign(evidence.disclosures().begin(), evidence.disclosures().end());
    in.trust = &m_trust;
    in.clock = &m_ctx.clock;
    in.replayCache = &m_replay;
    in.expectedDestination = dest;
    in.cache = m_cache.get();
    in.required = {hostChecks().begin(), hostChecks().end()};
    const VerificationReport report = verifyPeer(in);

    bool untrusted = false;
    for (const CheckResult& c : report.checks) {
        const bool mine = std::find(hostChecks().begin(), hostChecks().end(), c.id) !=
                          hostChecks().end();
        if (!mine)
            continue;
        if (c.state == CheckState::Skipped)
            return callRefusal("evidence-incomplete",
                               std::string(checkIdTitle(c.id)) + " could not be checked: " +
                                   c.detail);
        if (c.state != CheckState::Failed)
            continue;
        if (c.id == CheckId::IssuerTrust && c.code == ErrorCode::UntrustedIssuer) {
            untrusted = true;
            continue;
        }
        return callRefusal(std::string(errorCodeName(c.code)),
                           std::string(checkIdTitle(c.id)) + ": " + c.detail);
    }
    if (untrusted)
        return callRefusal("untrusted-issuer",
                           "the credential's issuer " + report.issuer +
                               " does not chain to a root this room host trusts; its operator "
                               "must configure that operator's root (--trust-root)");

    // verifyPeer parsed (and cached) the credential it checked.
    std::optional<Credential> cached = m_cache->credential(sha256(in.credential));
    auto cred = cached ? Result<Credential>(std::move(*cached)) : parseCredential(in.credential);
    if (!cred.ok())
        return callRefusal("credential-invalid", cred.error().detail);
    AdmittedHolder h;
    h.avatarId = cred->claims.avatarId;
    h.holderKeyThumbprint = cred->claims.holderKey.thumbprint();
    h.holderThumbprint = toHex(h.holderKeyThumbprint);
    h.credentialDigest = util::qb(ByteView(cred->digest()));
    h.statusIndex = cred->claims.statusListIndex;
    h.issuer = report.issuer;
    h.ownCredential =
        !cred->issuerChain.empty() &&
        constantTimeEqual(cred->issuerChain.front().fingerprint(),
                          m_ctx.keys.issuerCertificate().fingerprint()) &&
        cred->claims.statusListUri == m_ctx.statusListUri().toStdString();
    if (auto revoked = revokedHere(h); !revoked.ok())
        return revoked.error();
    else if (*revoked)
        return callRefusal("credential-revoked",
                           "this DT credential has been revoked or superseded by its home "
                           "network; present the current one");
    return h;
}

CallResult<bool> CallAdmission::revokedHere(const AdmittedHolder& holder) {
    if (!holder.ownCredential)
        return false;
    auto inactive = inactiveStatusIndices();
    if (!inactive.ok())
        return callRefusal(inactive.error().code, inactive.error().message);
    return std::find(inactive->begin(), inactive->end(), holder.statusIndex) != inactive->end();
}

ServiceResult<qint64> CallAdmission::statusRevision() {
    auto rev = m_ctx.store.meta().counter("status_revision");
    if (!rev.ok())
        return m_ctx.storageError(rev.error());
    return *rev;
}

ServiceResult<std::vector<quint64>> CallAdmission::inactiveStatusIndices() {
    auto inactive = m_ctx.store.credentials().inactiveStatusIndices();
    if (!inactive.ok())
        return m_ctx.storageError(inactive.error());
    return std::move(*inactive);
}

CallResult<bool> CallAdmission::ownsHandle(const std::string& handle,
                                           const AdmittedHolder& holder) {
    auto supi = m_ctx.store.subscribers().supiOfHandle(QString::fromStdString(handle));
    if (!supi.ok()) {
        const ServiceError e = m_ctx.storageError(supi.error());
        return callRefusal(e.code, e.message);
    }
    if (!*supi)
        return *foreignHandle(handle);
    auto dt = m_ctx.store.dts().activeDtOf(**supi);
    if (!dt.ok()) {
        const ServiceError e = m_ctx.storageError(dt.error());
        return callRefusal(e.code, e.message);
    }
    return dt->has_value() && holder.ownCredential &&
           constantTimeEqual(util::bv((*dt)->credentialDigest), util::bv(holder.credentialDigest));
}

std::optional<CallRefusal> CallAdmission::foreignHandle(const std::string& handle) {
    auto supi = m_ctx.store.subscribers().supiOfHandle(QString::fromStdString(handle));
    if (!supi.ok()) {
        const ServiceError e = m_ctx.storageError(supi.error());
        return CallRefusal{e.code, e.message};
    }
    if (*supi)
        return std::nullopt;
    // A handle this home network did not issue cannot be proven here: only its owner's home
    // network knows whose it is. Accepting it would let any admitted holder answer the
    // invitations meant for another operator's subscriber, so invitations stay within one
    // operator; a subscriber of another operator joins by the room code.
    return CallRefusal{"handle-foreign",
                       "the transfer handle '" + handle +
                           "' was not issued by this home network, which cannot check whose it "
                           "is: invitations reach only this operator's subscribers; a "
                           "subscriber of another operator joins with the room code"};
}

CallResult<RoleRequirement> roleRequirementOf(const proto::RoomPolicy& policy) {
    RoleRequirement requirement;
    if (policy.required_roles_size() > kMaxRequiredRoles)
        return callRefusal("policy-invalid", "a room may require at most " +
                                                 std::to_string(kMaxRequiredRoles) + " roles");
    for (const proto::RoleRequirement& r : policy.required_roles()) {
        if (r.role().empty())
            return callRefusal("policy-invalid", "a required role has no name");
        const std::string name = "the required role '" + r.role() + "'";
        if (r.enterprise_roots_pem_size() == 0)
            return callRefusal("policy-invalid",
                               name + " names no enterprise root that may vouch for it; add "
                                      "the enterprise's root certificate (PEM)");
        if (r.enterprise_roots_pem_size() > kMaxEnterpriseRoots)
            return callRefusal("policy-invalid",
                               name + " names more than " + std::to_string(kMaxEnterpriseRoots) +
                                   " enterprise roots");
        RequiredRole required{r.role(), {}};
        for (const std::string& pem : r.enterprise_roots_pem()) {
            auto roots = Certificate::bundleFromPem(pem);
            if (!roots.ok() || roots->empty())
                return callRefusal("enterprise-root-invalid",
                                   "an enterprise root of " + name +
                                       " is not a PEM certificate: give the enterprise's root "
                                       "certificate (twinsealctl enterprise init writes it)");
            for (Certificate& root : *roots)
                required.enterpriseRoots.add(std::move(root));
        }
        requirement.roles.push_back(std::move(required));
    }
    return requirement;
}

CallResult<std::vector<ProvenRole>> checkRequiredRoles(const RoleRequirement& required,
                                                       const proto::Evidence& evidence,
                                                       const AdmittedHolder& holder,
                                                       std::int64_t now) {
    if (required.empty())
        return std::vector<ProvenRole>{};
    if (evidence.role_credentials_size() > kMaxRoleCredentials)
        return callRefusal("role-credentials-too-many",
                           "present at most " + std::to_string(kMaxRoleCredentials) +
                               " role credentials: the ones for the roles this room requires");
    std::vector<Bytes> presented;
    presented.reserve(static_cast<std::size_t>(evidence.role_credentials_size()));
    for (const std::string& rc : evidence.role_credentials())
        presented.emplace_back(rc.begin(), rc.end());
    auto proven = proveRoles(required, presented, holder.holderKeyThumbprint, now);
    if (!proven.ok())
        return callRefusal(std::string(errorCodeName(proven.error().code)),
                           proven.error().detail + roleHint(proven.error().code));
    return std::move(*proven);
}

} // namespace twinseal::service
