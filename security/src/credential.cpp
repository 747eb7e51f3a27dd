#include "twinseal/security/credential.h"

#include <nlohmann/json.hpp>

#include "metadata_proto.h"
#include "pkey_util.h"
#include "twinseal/security/signed.h"
#include "twinseal/proto/codec.h"

namespace twinseal::security {

// ---- disclosures ----------------------------------------------------------------------------

std::string AttributeDisclosure::encoded() const {
    const nlohmann::json arr = nlohmann::json::array({salt, name, value});
    return base64UrlEncode(view(arr.dump()));
}

Digest AttributeDisclosure::digest() const { return sha256(view(encoded())); }

Result<AttributeDisclosure> AttributeDisclosure::decode(std::string_view encoded) {
    auto raw = base64UrlDecode(encoded);
    if (!raw.ok())
        return makeError(ErrorCode::MalformedInput, "disclosure is not base64url");
    const auto j = nlohmann::json::parse(raw->begin(), raw->end(), nullptr, false);
    if (j.is_discarded() || !j.is_array() || j.size() != 3 || !j[0].is_string() ||
        !j[1].is_string() || !j[2].is_string())
        return makeError(ErrorCode::MalformedInput,
                         "disclosure is not a JSON array [salt, name, value] of strings");
    return AttributeDisclosure{j[0].get<std::string>(), j[1].get<std::string>(),
                               j[2].get<std::string>()};
}

Result<AttributeDisclosure> AttributeDisclosure::make(std::string name, std::string value,
                                                      Random& rng) {
    auto salt = rng.bytes(16);
    TWINSEAL_TRY(salt);
    return AttributeDisclosure{base64UrlEncode(*salt), std::move(name), std::move(value)};
}

// ---- credential -----------------------------------------------------------------------------

Digest Credential::digest() const { return sha256(encoded); }

Result<Bytes> subscriberBinding(ByteView bindingKey, std::string_view supi,
                                std::string_view dtId, std::uint32_t generation) {
    if (bindingKey.size() < 32)
        return makeError(ErrorCode::InvalidArgument, "the binding key must have at least 32 bytes");
    if (supi.empty() || dtId.empty() || supi.find('\0') != std::string_view::npos ||
        dtId.find('\0') != std::string_view::npos)
        return makeError(ErrorCode::InvalidArgument,
                         "a subscriber binding needs a SUPI and a DT id without NUL bytes");
    // "twinseal.subscriber-binding.v2" 0 SUPI 0 dt_id 0 generation (4 bytes, big-endian)
    Bytes msg = toBytes("twinseal.subscriber-binding.v2");
    msg.push_back(0);
    msg.insert(msg.end(), supi.begin(), supi.end());
    msg.push_back(0);
    msg.insert(msg.end(), dtId.begin(), dtId.end());
    msg.push_back(0);
    for (int shift = 24; shift >= 0; shift -= 8)
        msg.push_back(static_cast<std::uint8_t>(generation >> shift));
    return hmacSha256(bindingKey, msg);
}

namespace {

void toProto(const CredentialClaims& c, const std::vector<Certificate>& chain,
             proto::CredentialBody* b) {
    b->set_version(1);
    b->set_dt_id(c.dtId);
    b->set_avatar_id(c.avatarId);
    detail::toProto(c.holderKey, b->mutable_holder_key());
    b->set_subscriber_binding(c.subscriberBinding.data(), c.subscriberBinding.size());
    b->set_pseudonym(c.pseudonym);
    for (const auto& a : c.attributes) {
        auto* pa = b->add_attributes();
        pa->set_name(a.name);
        pa->set_digest(a.digest.data(), a.digest.size());
    }
    b->set_media_root(c.mediaRoot.data(), c.mediaRoot.size());
    if (c.media) {
        proto::CertifiedMedia* m = b->mutable_media();
        m->set_model_path(c.media->modelPath);
        m->set_model_media_type(c.media->modelMediaType);
        m->set_metadata_path(c.media->metadataPath);
        detail::toProto(c.media->metadata, m->mutable_metadata());
    }
    b->set_not_before(c.notBefore);
    b->set_not_after(c.notAfter);
    b->set_issued_at(c.issuedAt);
    b->set_status_list_index(c.statusListIndex);
    b->set_status_list_uri(c.statusListUri);
    b->set_log_index(c.logIndex);
    b->set_generation(c.generation);
    b->set_issuer(c.issuer);
    for (const auto& cert : chain) {
        const Bytes der = cert.der();
        b->add_issuer_chain(der.data(), der.size());
    }
}

Result<Digest> digestField(const std::string& s, const char* what) {
    Digest d{};
    if (s.size() != d.size())
        return makeError(ErrorCode::MalformedInput,
                         std::string("credential ") + what + " must be a 32-byte digest");
    std::copy(s.begin(), s.end(), d.begin());
    return d;
}

} // namespace

Result<Credential> issueCredential(const CredentialClaims& claims, const SigningKey& issuerKey,
                                   const std::vector<Certificate>& issuerChain) {
    if (issuerChain.empty())
        return makeError(ErrorCode::InvalidArgument, "the issuer certificate chain is empty");
    auto certKey = issuerChain.front().publicKey();
    TWINSEAL_TRY(certKey);
    if (!(*certKey == issuerKey.publicKey()))
        return makeError(ErrorCode::KeyMismatch,
                         "the issuer key does not match the issuer certificate");
    if (claims.dtId.empty() || claims.avatarId.empty() || claims.holderKey.empty())
        return makeError(ErrorCode::InvalidArgument,
                         "a credential needs a DT id, an Avatar-ID and a holder key");
    if (claims.notAfter <= claims.notBefore)
        return makeError(ErrorCode::InvalidArgument, "the validity window is empty");
    proto::CredentialBody body;
    toProto(claims, issuerChain, &body);
    const Bytes bodyBytes = serialize(body);
    auto encoded = signEnvelope(kCredentialType, bodyBytes, issuerKey);
    TWINSEAL_TRY(encoded);
    return parseCredential(*encoded);
}

Result<Credential> parseCredential(ByteView encoded) {
    auto env = parseEnvelope(encoded, kCredentialType);
    TWINSEAL_TRY(env);
    proto::CredentialBody b;
    if (!parseMessage(env->body, b))
        return makeError(ErrorCode::MalformedInput, "the credential body cannot be parsed");
    if (b.version() != 1)
        return makeError(ErrorCode::UnsupportedVersion,
                         "credential version " + std::to_string(b.version()) + " is not supported");
    Credential c;
    auto& cl = c.claims;
    cl.dtId = b.dt_id();
    cl.avatarId = b.avatar_id();
    auto holder = detail::fromProto(b.holder_key());
    if (!holder.ok())
        return makeError(ErrorCode::MalformedInput,
                         "the credential's holder key is invalid: " + holder.error().detail);
    cl.holderKey = std::move(*holder);
    cl.subscriberBinding = toBytes(b.subscriber_binding());
    cl.pseudonym = b.pseudonym();
    for (const auto& a : b.attributes()) {
        auto d = digestField(a.digest(), "attribute commitment");
        TWINSEAL_TRY(d);
        cl.attributes.push_back({a.name(), *d});
    }
    auto root = digestField(b.media_root(), "media root");
    TWINSEAL_TRY(root);
    cl.mediaRoot = *root;
    if (b.has_media()) {
        MediaDescription m;
        m.modelPath = b.media().model_path();
        m.modelMediaType = b.media().model_media_type();
        m.metadataPath = b.media().metadata_path();
        m.metadata = detail::fromProto(b.media().metadata());
        cl.media = std::move(m);
    }
    cl.notBefore = b.not_before();
    cl.notAfter = b.not_after();
    cl.issuedAt = b.issued_at();
    cl.statusListIndex = b.status_list_index();
    cl.statusListUri = b.status_list_uri();
    cl.logIndex = b.log_index();
    cl.generation = b.generation();
    cl.issuer = b.issuer();
    if (cl.dtId.empty() || cl.avatarId.empty())
        return makeError(ErrorCode::MalformedInput, "the credential has no DT id or Avatar-ID");
    if (b.issuer_chain_size() == 0)
        return makeError(ErrorCode::MalformedInput, "the credential carries no issuer certificate");
    for (const auto& der : b.issuer_chain()) {
        auto cert = Certificate::fromDer(view(der));
        if (!cert.ok())
            return makeError(ErrorCode::MalformedInput,
                             "an issuer certificate cannot be parsed: " + cert.error().detail);
        c.issuerChain.push_back(std::move(*cert));
    }
    auto issuerKey = c.issuerChain.front().publicKey();
    TWINSEAL_TRY(issuerKey);
    TWINSEAL_TRY(verifyEnvelope(*env, *issuerKey));
    c.body = std::move(env->body);
    c.encoded.assign(encoded.begin(), encoded.end());
    return c;
}

Status checkValidity(const CredentialClaims& claims, std::int64_t now) {
    if (now < claims.notBefore)
        return makeError(ErrorCode::CredentialNotYetValid,
                         "the credential is valid only from " + std::to_string(claims.notBefore));
    if (now >= claims.notAfter)
        return makeError(ErrorCode::CredentialExpired,
                         "the credential expired at " + std::to_string(claims.notAfter));
    return {};
}

} // namespace twinseal::security
