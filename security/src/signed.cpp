#include "twinseal/security/signed.h"

#include <cstring>

#include "pkey_util.h"
#include "twinseal/proto/codec.h"

namespace twinseal::security {

namespace {
constexpr std::string_view kContext = "TwinSeal-Signed-v1";
constexpr std::size_t kMaxEnvelope = std::size_t{64} * 1024 * 1024;
} // namespace

Bytes signingInput(std::string_view type, ByteView body) {
    Bytes out(kContext.size() + 1 + type.size() + 1 + body.size(), 0);
    std::uint8_t* p = out.data();
    std::memcpy(p, kContext.data(), kContext.size());
    p += kContext.size() + 1;
    if (!type.empty())
        std::memcpy(p, type.data(), type.size());
    p += type.size() + 1;
    if (!body.empty())
        std::memcpy(p, body.data(), body.size());
    return out;
}

Result<Bytes> signEnvelope(std::string_view type, ByteView body, const SigningKey& key) {
    auto sig = key.sign(signingInput(type, body));
    TWINSEAL_TRY(sig);
    proto::Signed s;
    s.set_type(std::string(type));
    s.set_body(body.data(), body.size());
    s.set_algorithm(detail::toProto(key.algorithm()));
    s.set_signature(sig->data(), sig->size());
    return serialize(s);
}

static Result<proto::Signed> parseSigned(ByteView encoded) {
    proto::Signed s;
    if (encoded.empty() || encoded.size() > kMaxEnvelope ||
        !parseMessage(encoded, s) || s.type().empty())
        return makeError(ErrorCode::MalformedInput, "not a TwinSeal signed object");
    return s;
}

Result<std::string> envelopeType(ByteView encoded) {
    auto s = parseSigned(encoded);
    TWINSEAL_TRY(s);
    return s->type();
}

Result<SignedEnvelope> parseEnvelope(ByteView encoded, std::string_view expectedType) {
    auto s = parseSigned(encoded);
    TWINSEAL_TRY(s);
    if (s->type() != expectedType)
        return makeError(ErrorCode::WrongObjectType, "expected a " + std::string(expectedType) +
                                                         " object, got " + s->type());
    auto alg = detail::fromProto(s->algorithm());
    TWINSEAL_TRY(alg);
    SignedEnvelope e;
    e.type = s->type();
    e.body = toBytes(s->body());
    e.algorithm = *alg;
    e.signature = toBytes(s->signature());
    return e;
}

Status verifyEnvelope(const SignedEnvelope& envelope, const PublicKey& key) {
    if (envelope.algorithm != key.algorithm())
        return makeError(ErrorCode::BadSignature,
                         "signature algorithm does not match the signer's key");
    auto st = key.verify(signingInput(envelope.type, envelope.body), envelope.signature);
    if (!st.ok())
        return makeError(ErrorCode::BadSignature,
                         "the " + envelope.type + " signature does not verify");
    return {};
}

} // namespace twinseal::security
