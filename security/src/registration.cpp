#include "twinseal/security/registration.h"

#include "time_arith.h"

#include "pkey_util.h"
#include "twinseal/proto/homenet.pb.h"
#include "twinseal/security/signed.h"
#include "twinseal/proto/codec.h"

namespace twinseal::security {
namespace {

constexpr std::size_t kMinNonce = 16;
constexpr std::size_t kMaxNonce = 64;
constexpr std::size_t kMaxDtIdLength = 128;
constexpr std::size_t kMaxAkidLength = 512;

const char* purposeName(RegistrationPurpose p) {
    switch (p) {
    case RegistrationPurpose::Register:
        return "register";
    case RegistrationPurpose::Recertify:
        return "recertify";
    case RegistrationPurpose::RotatePseudonym:
        return "rotate-pseudonym";
    }
    return "register";
}

} // namespace

Result<Bytes> signRegistration(const RegistrationRequest& request, const SigningKey& holderKey) {
    if (!holderKey.valid() || !(holderKey.publicKey() == request.holderKey))
        return makeError(ErrorCode::KeyMismatch,
                         "the registration must be signed by the holder key it names");
    if (request.nonce.size() < kMinNonce || request.nonce.size() > kMaxNonce)
        return makeError(ErrorCode::InvalidArgument, "registration nonce must be 16-64 bytes");
    proto::RegistrationBody body;
    body.set_version(1);
    body.set_a_kid(request.aKid);
    body.set_timestamp(request.timestamp);
    body.set_nonce(toString(request.nonce));
    detail::toProto(request.holderKey, body.mutable_holder_key());
    body.set_signed_manifest(toString(request.signedManifest));
    body.set_dt_id(request.dtId);
    body.set_purpose(purposeName(request.purpose));
    std::string bytes;
    if (!serializeTo(body, bytes))
        return makeError(ErrorCode::Internal, "cannot serialize the registration");
    return signEnvelope(kRegistrationType, view(bytes), holderKey);
}

Result<ParsedRegistration> parseRegistration(ByteView encoded, std::int64_t now) {
    auto envelope = parseEnvelope(encoded, kRegistrationType);
    TWINSEAL_TRY(envelope);
    proto::RegistrationBody body;
    if (!parseMessage(envelope->body, body))
        return makeError(ErrorCode::MalformedInput, "registration body is not a RegistrationBody");
    if (body.version() != 1)
        return makeError(ErrorCode::UnsupportedVersion,
                         "registration version " + std::to_string(body.version()));
    if (body.a_kid().empty() || body.a_kid().size() > kMaxAkidLength)
        return makeError(ErrorCode::MalformedInput, "registration names no A-KID");
    if (body.nonce().size() < kMinNonce || body.nonce().size() > kMaxNonce)
        return makeError(ErrorCode::MalformedInput, "registration nonce must be 16-64 bytes");
    if (body.dt_id().size() > kMaxDtIdLength)
        return makeError(ErrorCode::MalformedInput, "registration dt_id is too long");

    ParsedRegistration out;
    auto& r = out.request;
    if (body.purpose() == "register") {
        r.purpose = RegistrationPurpose::Register;
        if (!body.dt_id().empty())
            return makeError(ErrorCode::MalformedInput, "a new registration must not name a DT");
    } else if (body.purpose() == "recertify") {
        r.purpose = RegistrationPurpose::Recertify;
        if (body.dt_id().empty())
            return makeError(ErrorCode::MalformedInput, "a re-certification must name its DT");
    } else if (body.purpose() == "rotate-pseudonym") {
        r.purpose = RegistrationPurpose::RotatePseudonym;
        if (body.dt_id().empty())
            return makeError(ErrorCode::MalformedInput, "a pseudonym rotation must name its DT");
    } else {
        return makeError(ErrorCode::MalformedInput,
                         "registration purpose must be \"register\", \"recertify\" or "
                         "\"rotate-pseudonym\"");
    }
    auto holder = detail::fromProto(body.holder_key());
    TWINSEAL_TRY(holder);
    r.holderKey = std::move(holder).value();

    // Proof of possession: the envelope is signed by the key it carries.
    if (auto st = verifyEnvelope(*envelope, r.holderKey); !st.ok())
        return makeError(ErrorCode::BadSignature,
                         "proof of possession failed: the registration is not signed by the "
                         "holder key it names");

    auto manifest = parseSignedManifest(view(body.signed_manifest()));
    TWINSEAL_TRY(manifest);
    if (!(manifest->manifest.holderKey == r.holderKey))
        return makeError(ErrorCode::KeyMismatch,
                         "the avatar manifest is signed by a different key than the holder key");

    const std::int64_t skew = timeDistance(now, body.timestamp());
    if (skew > kRegistrationWindow)
        return makeError(ErrorCode::RequestAuthStale,
                         "the registration was signed " + std::to_string(skew) +
                             " s away from the service's clock (allowed: 60 s)");

    r.aKid = body.a_kid();
    r.timestamp = body.timestamp();
    r.nonce = toBytes(body.nonce());
    r.signedManifest = toBytes(body.signed_manifest());
    r.dtId = body.dt_id();
    out.manifest = std::move(manifest).value();
    out.encoded.assign(encoded.begin(), encoded.end());
    return out;
}

} // namespace twinseal::security
