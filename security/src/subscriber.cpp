#include "twinseal/security/subscriber.h"

#include <openssl/crypto.h>

#include "pkey_util.h"
#include "twinseal/proto/homenet.pb.h"
#include "twinseal/proto/codec.h"

namespace twinseal::security {
namespace {

Error invalid(std::string detail) {
    return makeError(ErrorCode::UsimProfileInvalid, "USIM profile: " + std::move(detail));
}

void cleanseString(std::string& s) {
    if (!s.empty())
        OPENSSL_cleanse(s.data(), s.size());
    s.clear();
}

// Clears K and OPc out of a parsed or built message before it is destroyed.
struct ProfileWipe {
    proto::UsimProfile& p;
    ~ProfileWipe() {
        cleanseString(*p.mutable_k());
        cleanseString(*p.mutable_opc());
    }
};

constexpr const char* kSecretsLabel = "TwinSeal USIM profile K and OPc";
constexpr std::size_t kSecretSize = 16;

} // namespace

Status UsimProfileData::seal(std::string_view passphrase, const ScryptParams& params) {
    if (!hasSecrets())
        return makeError(ErrorCode::InvalidArgument, "USIM profile: no K and OPc to seal");
    SecureBytes both(k.begin(), k.end());
    both.insert(both.end(), opc.begin(), opc.end());
    auto sealedBytes = sealSecret(both, passphrase, params, kSecretsLabel);
    TWINSEAL_TRY(sealedBytes);
    sealedSecrets = std::move(*sealedBytes);
    return {};
}

Status UsimProfileData::unlock(std::string_view passphrase, const ScryptParams& params,
                               bool* resealed) {
    if (resealed)
        *resealed = false;
    if (!sealed())
        return makeError(ErrorCode::InvalidArgument, "USIM profile: K and OPc are not sealed");
    auto both = openSealedSecret(sealedSecrets, passphrase);
    TWINSEAL_TRY(both);
    if (both->size() != 2 * kSecretSize)
        return invalid("the sealed K and OPc have a wrong length");
    k.assign(both->begin(), both->begin() + kSecretSize);
    opc.assign(both->begin() + kSecretSize, both->end());
    auto have = sealedKdfParams(sealedSecrets);
    if (have.ok() && scryptWeakerThan(*have, params)) {
        TWINSEAL_TRY(seal(passphrase, params));
        if (resealed)
            *resealed = true;
    }
    return {};
}

void UsimProfileData::forgetSecrets() noexcept {
    if (!k.empty())
        OPENSSL_cleanse(k.data(), k.size());
    if (!opc.empty())
        OPENSSL_cleanse(opc.data(), opc.size());
    k.clear();
    opc.clear();
}

Result<SecureBytes> UsimProfileData::encode() const {
    if (!sealed() && (k.size() != kSecretSize || opc.size() != kSecretSize))
        return makeError(ErrorCode::InvalidArgument, "USIM profile: K and OPc must be 16 bytes");
    proto::UsimProfile p;
    ProfileWipe wipe{p};
    p.set_type(kUsimProfileType);
    p.set_supi(supi.toString());
    p.set_mnc_length(static_cast<std::uint32_t>(supi.mnc.size()));
    if (sealed()) // K and OPc never leave in clear once sealed
        p.set_sealed_secrets(toString(sealedSecrets));
    else {
        p.set_k(std::string(k.begin(), k.end()));
        p.set_opc(std::string(opc.begin(), opc.end()));
    }
    p.set_highest_sqn(sqn.sqnMs());
    for (std::uint64_t seq : sqn.seqMs)
        p.add_seq_ms(seq);
    p.set_amf(toString(amf));
    p.set_routing_indicator(routingIndicator);
    p.set_hn_key_id(hnKeyId);
    p.set_hn_public_key(toString(hnPublicKey));
    p.set_service_url(serviceUrl);
    p.set_tls_ca_pem(tlsCaPem);
    p.set_trust_list_pem(trustListPem);
    if (!logKey.empty())
        detail::toProto(logKey, p.mutable_log_key());
    if (!statusListKey.empty())
        detail::toProto(statusListKey, p.mutable_status_list_key());
    p.set_operator_name(operatorName);
    SecureBytes out;
    if (!serializeTo(p, out))
        return makeError(ErrorCode::Internal, "cannot serialize the USIM profile");
    return out;
}

Result<UsimProfileData> UsimProfileData::decode(ByteView encoded) {
    proto::UsimProfile p;
    ProfileWipe wipe{p};
    if (encoded.size() > std::size_t{1024} * 1024 ||
        !parseMessage(encoded, p))
        return invalid("not a TwinSeal USIM profile file (cannot be parsed)");
    if (p.type() != kUsimProfileType)
        return invalid("wrong type \"" + p.type() + "\", expected " + kUsimProfileType);
    if (p.mnc_length() != 2 && p.mnc_length() != 3)
        return invalid("the MNC length must be 2 or 3");
    UsimProfileData d;
    auto supi = Supi::parse(p.supi(), p.mnc_length());
    if (!supi.ok())
        return invalid("SUPI: " + supi.error().detail);
    d.supi = std::move(supi).value();
    if (!p.sealed_secrets().empty()) {
        if (!p.k().empty() || !p.opc().empty())
            return invalid("K and OPc are both sealed and in clear");
        if (!sealedKdfParams(view(p.sealed_secrets())).ok())
            return invalid("the sealed K and OPc are damaged");
        d.sealedSecrets = toBytes(p.sealed_secrets());
    } else {
        if (p.k().size() != kSecretSize || p.opc().size() != kSecretSize)
            return invalid("K and OPc must be 16 bytes each");
        d.k.assign(p.k().begin(), p.k().end());
        d.opc.assign(p.opc().begin(), p.opc().end());
    }
    if (p.highest_sqn() > kAkaSqnMax)
        return invalid("SQN out of range");
    if (p.seq_ms_size() == 0) { // written before SEQ_MS arrays
        d.sqn = UsimSqnArray::fromHighest(p.highest_sqn());
    } else {
        if (static_cast<std::size_t>(p.seq_ms_size()) != kAkaIndCount)
            return invalid("the SEQ_MS array must have " + std::to_string(kAkaIndCount) +
                           " elements");
        for (std::size_t i = 0; i < kAkaIndCount; ++i) {
            if (p.seq_ms(static_cast<int>(i)) > kAkaSeqMax)
                return invalid("SEQ_MS out of range");
            d.sqn.seqMs[i] = p.seq_ms(static_cast<int>(i));
        }
    }
    if (p.amf().size() != 2)
        return invalid("AMF must be 2 bytes");
    d.amf = toBytes(p.amf());
    const auto& ri = p.routing_indicator();
    if (ri.empty() || ri.size() > 4 || ri.find_first_not_of("0123456789") != std::string::npos)
        return invalid("routing indicator must be 1 to 4 digits");
    d.routingIndicator = ri;
    if (p.hn_key_id() > 255)
        return invalid("home network key id must be 0-255");
    d.hnKeyId = static_cast<std::uint8_t>(p.hn_key_id());
    if (p.hn_public_key().size() != kSuciX25519KeySize)
        return invalid("the home network public key must be a 32-byte X25519 key");
    d.hnPublicKey = toBytes(p.hn_public_key());
    if (p.service_url().rfind("https://", 0) != 0)
        return invalid("the service address must be an https:// URL");
    d.serviceUrl = p.service_url();
    if (p.tls_ca_pem().find("BEGIN CERTIFICATE") == std::string::npos)
        return invalid("no TLS CA certificate");
    d.tlsCaPem = p.tls_ca_pem();
    if (p.trust_list_pem().find("BEGIN CERTIFICATE") == std::string::npos)
        return invalid("no trust list");
    d.trustListPem = p.trust_list_pem();
    auto logKey = detail::fromProto(p.log_key());
    if (!logKey.ok())
        return invalid("transparency log key: " + logKey.error().detail);
    d.logKey = std::move(logKey).value();
    auto statusKey = detail::fromProto(p.status_list_key());
    if (!statusKey.ok())
        return invalid("status list key: " + statusKey.error().detail);
    d.statusListKey = std::move(statusKey).value();
    d.operatorName = p.operator_name();
    return d;
}

Status UsimProfileData::save(const std::string& path) const {
    auto bytes = encode();
    TWINSEAL_TRY(bytes);
    return writeFileAtomic(path, *bytes, /*privateMode=*/true);
}

Result<UsimProfileData> UsimProfileData::load(const std::string& path) {
    auto bytes = readFile(path);
    if (!bytes.ok())
        return bytes.error();
    auto out = decode(*bytes);
    OPENSSL_cleanse(bytes->data(), bytes->size());
    return out;
}

Result<UsimProfileData> UsimProfileData::loadAndUnlock(const std::string& path,
                                                      std::string_view passphrase,
                                                      const ScryptParams& params, bool* upgraded) {
    if (upgraded)
        *upgraded = false;
    auto profile = load(path);
    TWINSEAL_TRY(profile);
    bool rewrite = false;
    if (profile->sealed()) {
        TWINSEAL_TRY(profile->unlock(passphrase, params, &rewrite));
    } else {
        // In clear (an older TwinSeal, or an operator's file copied in): sealed from now on.
        TWINSEAL_TRY(profile->seal(passphrase, params));
        rewrite = true;
    }
    if (rewrite) {
        // The clear file stays until the sealed one is complete (temporary file, fsync, rename).
        TWINSEAL_TRY(profile->save(path));
        if (upgraded)
            *upgraded = true;
    }
    return profile;
}

Result<std::string> UsimProfileData::servingNetworkName() const {
    return security::servingNetworkName(supi.mcc, supi.mnc);
}

Result<AkmaSession> deriveAkmaSession(ByteView kausf, const Supi& supi,
                                      std::string_view routingIndicator) {
    const std::string supiText = supi.toString();
    auto kakma = deriveKakma(kausf, supiText);
    TWINSEAL_TRY(kakma);
    auto atid = deriveAtid(kausf, supiText);
    TWINSEAL_TRY(atid);
    auto domain = homeNetworkDomain(supi.mcc, supi.mnc);
    TWINSEAL_TRY(domain);
    auto akid = akmaKeyIdentifier(*atid, routingIndicator, *domain);
    TWINSEAL_TRY(akid);
    auto afId = akmaAfId(kTwinSealDtAfFqdn, kTwinSealUaProtocolId);
    TWINSEAL_TRY(afId);
    auto kaf = deriveKaf(*kakma, *afId);
    TWINSEAL_TRY(kaf);
    return AkmaSession{std::move(akid).value(), std::move(kaf).value()};
}

} // namespace twinseal::security
