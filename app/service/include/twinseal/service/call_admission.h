// The room host's checks of a call participant's evidence (DESIGN §4 "Rooms"): the assertion's
// format and holder signature, its freshness, its destination (the room, or this host for
// CreateRoom, or a handle for Listen), the holder binding, the credential's chain to the host's
// trust list (this operator's root and the other operators' roots it is configured with), the
// host's own replay cache, and, for credentials this home network issued, their revocation
// status; on joining a room, the role credentials proving the roles the room requires, bound to
// the holder key and vouched for by the enterprise roots the room names for each role. The host
// does not verify media or pins: every participant verifies every other one itself. Each refusal
// has its own reason code and a message a person can act on.
#pragma once

#include <optional>

#include <QByteArray>
#include <QString>

#include <memory>
#include <string>

#include <twinseal/proto/call.pb.h>
#include <twinseal/security/role_credential.h>
#include <twinseal/security/verify.h>
#include <twinseal/security/x509.h>

#include "twinseal/service/service_context.h"

namespace twinseal::service {

// A refusal on the call channel: sent as CallError{code, message}.
struct CallRefusal {
    std::string code;
    std::string message;
};

template <typename T> using CallResult = Expected<T, CallRefusal>;

[[nodiscard]] inline CallRefusal callRefusal(std::string code, std::string message) {
    return CallRefusal{std::move(code), std::move(message)};
}

// What the host learnt about a participant whose evidence it accepted.
struct AdmittedHolder {
    std::string avatarId;
    std::string holderThumbprint;   // hex of the holder key's RFC 7638 thumbprint
    security::Digest holderKeyThumbprint{}; // the same thumbprint, as bytes
    QByteArray credentialDigest;    // SHA-256 of the credential envelope
    quint64 statusIndex = 0;
    bool ownCredential = false;     // issued by this home network (its status list is local)
    std::string issuer;
};

class CallAdmission {
  public:
    explicit CallAdmission(ServiceContext& context);
    ~CallAdmission();

    // Builds the trust list: this operator's root and every PEM file in config.callTrustRoots.
    [[nodiscard]] ServiceStatus loadTrust();
    [[nodiscard]] const security::TrustList& trust() const noexcept { return m_trust; }

    // "urn:twinseal:room-host:<operator>" (the operator name percent-encoded, RFC 3986
    // unreserved characters kept) and the verbatim form, both accepted on CreateRoom.
    [[nodiscard]] std::string roomHostUri() const;
    [[nodiscard]] std::string roomUri(const std::string& roomId) const;
    [[nodiscard]] static std::string handleUri(const std::string& handle);

    // Checks `evidence` for a destination among `destinations` (the first the assertion names).
    [[nodiscard]] CallResult<AdmittedHolder>
    verify(const proto::Evidence& evidence, const std::vector<std::string>& destinations);
    [[nodiscard]] CallResult<AdmittedHolder> verifyForCreate(const proto::Evidence& evidence);

    // Whether a credential this home network issued has been revoked or superseded since; the
    // answer for any other credential is false (its own home network publishes its status).
    [[nodiscard]] CallResult<bool> revokedHere(const AdmittedHolder& holder);

    // The status revision of this home network's credentials (grows on every revocation or
    // supersession, also by another service process on the same database).
    [[nodiscard]] ServiceResult<qint64> statusRevision();
    [[nodiscard]] ServiceResult<std::vector<quint64>> inactiveStatusIndices();

    // Whether the holder owns `handle` when it is one of this home network's subscribers' (its
    // active DT's credential is the one presented); refused (handle-foreign) for a handle this
    // home network did not issue, which the host cannot check.
    [[nodiscard]] CallResult<bool> ownsHandle(const std::string& handle,
                                              const AdmittedHolder& holder);
    // Null when `handle` is one this home network issued; otherwise why it cannot be used here
    // (handle-foreign), or a storage error.
    [[nodiscard]] std::optional<CallRefusal> foreignHandle(const std::string& handle);

  private:
    ServiceContext& m_ctx;
    security::TrustList m_trust;
    security::ReplayCache m_replay;
    std::unique_ptr<security::VerifiedObjectCache> m_cache;
};

// Bounds on the roles a room may require and on the role credentials a participant presents.
inline constexpr int kMaxRequiredRoles = 8;       // per room
inline constexpr int kMaxEnterpriseRoots = 8;     // PEM bundles per required role
inline constexpr int kMaxRoleCredentials = 16;    // per participant's evidence

// The roles a room policy requires, each with the enterprise roots that may vouch for it
// (checked at CreateRoom). "policy-invalid" for an empty role, a role without a root or more
// than the bounds above; "enterprise-root-invalid" for a root that is not a PEM certificate.
[[nodiscard]] CallResult<security::RoleRequirement>
roleRequirementOf(const proto::RoomPolicy& policy);

// Proves every role of `required` with the role credentials in `evidence`, bound to the holder
// key of the participant's verified DT credential, at `now`. A refusal's code is the security
// reason ("role-missing", "role-untrusted-issuer", "role-holder-mismatch", "role-expired",
// "role-not-yet-valid", "third-party-credential-invalid"), its message names the role;
// "role-credentials-too-many" beyond kMaxRoleCredentials.
[[nodiscard]] CallResult<std::vector<security::ProvenRole>>
checkRequiredRoles(const security::RoleRequirement& required, const proto::Evidence& evidence,
                   const AdmittedHolder& holder, std::int64_t now);

} // namespace twinseal::service
