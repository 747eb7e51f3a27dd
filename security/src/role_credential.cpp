#include "twinseal/security/role_credential.h"

#include "twinseal/proto/codec.h"
#include "twinseal/proto/twinseal.pb.h"
#include "twinseal/security/signed.h"

namespace twinseal::security {

namespace {

constexpr std::uint32_t kVersion = 1;

Error invalid(std::string detail) {
    return makeError(ErrorCode::ThirdPartyCredentialInvalid, std::move(detail));
}

void toProto(const RoleClaims& c, const std::vector<Certificate>& chain,
             proto::RoleCredentialBody* b) {
    b->set_version(kVersion);
    b->set_enterprise(c.enterprise);
    b->set_role(c.role);
    b->set_organisation(c.organisation);
    b->set_holder_thumbprint(c.holderThumbprint.data(), c.holderThumbprint.size());
    b->set_not_before(c.notBefore);
    b->set_not_after(c.notAfter);
    b->set_issued_at(c.issuedAt);
    b->set_serial(c.serial.data(), c.serial.size());
    for (const auto& cert : chain) {
        const Bytes der = cert.der();
        b->add_issuer_chain(der.data(), der.size());
    }
}

} // namespace

Digest RoleCredential::digest() const { return sha256(encoded); }

std::string RoleCredential::label() const {
    return claims.organisation.empty() ? claims.role : claims.role + ", " + claims.organisation;
}

Result<RoleCredential> issueRoleCredential(const RoleClaims& claims,
                                           const SigningKey& enterpriseKey,
                                           const std::vector<Certificate>& issuerChain,
                                           Random& rng) {
    if (issuerChain.empty())
        return makeError(ErrorCode::InvalidArgument,
                         "the enterprise certificate chain is empty");
    auto certKey = issuerChain.front().publicKey();
    TWINSEAL_TRY(certKey);
    if (!(*certKey == enterpriseKey.publicKey()))
        return makeError(ErrorCode::KeyMismatch,
                         "the enterprise key does not match the enterprise certificate");
    if (claims.role.empty() || claims.enterprise.empty())
        return makeError(ErrorCode::InvalidArgument,
                         "a role credential needs a role and the enterprise's name");
    if (claims.holderThumbprint == Digest{})
        return makeError(ErrorCode::InvalidArgument,
                         "a role credential needs the holder key it is issued for");
    if (claims.notAfter <= claims.notBefore)
        return makeError(ErrorCode::InvalidArgument, "the validity window is empty");
    RoleClaims c = claims;
    if (c.serial.empty()) {
        auto serial = rng.bytes(kRoleSerialSize);
        TWINSEAL_TRY(serial);
        c.serial = std::move(*serial);
    }
    proto::RoleCredentialBody body;
    toProto(c, issuerChain, &body);
    const Bytes bodyBytes = serialize(body);
    auto encoded = signEnvelope(kRoleCredentialType, bodyBytes, enterpriseKey);
    TWINSEAL_TRY(encoded);
    return parseRoleCredential(*encoded);
}

Result<RoleCredential> parseRoleCredential(ByteView encoded) {
    auto env = parseEnvelope(encoded, kRoleCredentialType);
    if (!env.ok())
        return env.code() == ErrorCode::WrongObjectType
                   ? env.error()
                   : invalid("not a role credential: " + env.error().detail);
    proto::RoleCredentialBody b;
    if (!parseMessage(env->body, b))
        return invalid("the role credential's body cannot be parsed");
    if (b.version() != kVersion)
        return makeError(ErrorCode::UnsupportedVersion, "role credential version " +
                                                            std::to_string(b.version()) +
                                                            " is not supported");
    RoleCredential rc;
    auto& cl = rc.claims;
    cl.enterprise = b.enterprise();
    cl.role = b.role();
    cl.organisation = b.organisation();
    if (b.holder_thumbprint().size() != cl.holderThumbprint.size())
        return invalid("the role credential's holder thumbprint is not a 32-byte digest");
    std::copy(b.holder_thumbprint().begin(), b.holder_thumbprint().end(),
              cl.holderThumbprint.begin());
    cl.notBefore = b.not_before();
    cl.notAfter = b.not_after();
    cl.issuedAt = b.issued_at();
    cl.serial = toBytes(b.serial());
    if (cl.role.empty() || cl.enterprise.empty())
        return invalid("the role credential names no role or no enterprise");
    if (b.issuer_chain_size() == 0)
        return invalid("the role credential carries no enterprise certificate");
    for (const auto& der : b.issuer_chain()) {
        auto cert = Certificate::fromDer(view(der));
        if (!cert.ok())
            return invalid("an enterprise certificate cannot be parsed: " + cert.error().detail);
        rc.issuerChain.push_back(std::move(*cert));
    }
    auto issuerKey = rc.issuerChain.front().publicKey();
    if (!issuerKey.ok())
        return invalid("the enterprise certificate's key is unusable: " + issuerKey.error().detail);
    auto st = verifyEnvelope(*env, *issuerKey);
    if (!st.ok())
        return invalid("the '" + cl.role + "' credential from " + cl.enterprise +
                       " is not signed by its enterprise certificate (altered or forged)");
    rc.body = std::move(env->body);
    rc.encoded.assign(encoded.begin(), encoded.end());
    return rc;
}

Result<std::string> verifyRoleCredential(const RoleCredential& credential,
                                         const TrustList& enterpriseRoots,
                                         const Digest& holderThumbprint, std::int64_t now) {
    const auto& c = credential.claims;
    const std::string what = "the '" + c.role + "' credential from " + c.enterprise;
    auto chain = validateChain(credential.issuerChain, enterpriseRoots, now);
    if (!chain.ok())
        return invalid(what + " has a broken certificate chain: " + chain.error().detail);
    if (chain->status != ChainStatus::Trusted)
        return makeError(ErrorCode::RoleUntrustedIssuer,
                         what + " does not chain to an enterprise root trusted for this role (" +
                             chain->detail + ")");
    if (now < c.notBefore)
        return makeError(ErrorCode::RoleNotYetValid,
                         what + " is valid only from " + std::to_string(c.notBefore));
    if (now >= c.notAfter)
        return makeError(ErrorCode::RoleExpired,
                         what + " expired at " + std::to_string(c.notAfter));
    if (!constantTimeEqual(c.holderThumbprint, holderThumbprint))
        return makeError(ErrorCode::RoleHolderMismatch,
                         what + " was issued for another holder key");
    return chain->rootSubject;
}

} // namespace twinseal::security
