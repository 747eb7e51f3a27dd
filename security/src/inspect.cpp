#include "twinseal/security/inspect.h"

#include <nlohmann/json.hpp>

#include "pkey_util.h"
#include "twinseal/security/assertion.h"
#include "twinseal/security/manifest.h"
#include "twinseal/security/role_credential.h"
#include "twinseal/security/signed.h"
#include "twinseal/security/subscriber.h"
#include "twinseal/proto/codec.h"
#include "twinseal/proto/homenet.pb.h"

namespace twinseal::security {

namespace {

using ojson = nlohmann::ordered_json;

ojson keyJson(const PublicKey& k) {
    ojson j;
    j["algorithm"] = keyAlgorithmName(k.algorithm());
    j["jwk"] = ojson::parse(k.jwk());
    j["thumbprint"] = base64UrlEncode(k.thumbprint());
    return j;
}

ojson certJson(const Certificate& c) {
    ojson j;
    j["subject"] = c.subject();
    j["issuer"] = c.issuer();
    j["notBefore"] = c.notBefore();
    j["notAfter"] = c.notAfter();
    j["sha256"] = toHex(c.fingerprint());
    if (auto k = c.publicKey(); k.ok())
        j["publicKey"] = keyJson(*k);
    return j;
}

Result<ojson> describeSealed(ByteView data) {
    proto::EncryptedKey f;
    if (!parseMessage(data, f))
        return makeError(ErrorCode::MalformedInput, "not a sealed file");
    proto::EncryptedKeyHeader h;
    if (!parseMessage(view(f.header()), h))
        return makeError(ErrorCode::KeyFileCorrupt, "the file header cannot be parsed");
    ojson j;
    j["kind"] = f.type() == "twinseal.encrypted-key.v1" ? "encrypted-key" : "sealed-secret";
    j["type"] = f.type();
    j["version"] = h.version();
    j["label"] = h.label();
    if (h.has_public_key()) {
        if (auto k = detail::fromProto(h.public_key()); k.ok())
            j["publicKey"] = keyJson(*k);
    }
    j["kdf"] = {{"name", "scrypt"}, {"N", h.kdf().n()}, {"r", h.kdf().r()}, {"p", h.kdf().p()}};
    j["cipher"] = "AES-256-GCM";
    j["secret"] = "(encrypted; unlock with the passphrase)";
    return j;
}

ojson describeCredential(ByteView data) {
    ojson j;
    j["kind"] = "dt-credential";
    auto c = parseCredential(data);
    if (!c.ok()) {
        j["signature"] = c.error().message();
        return j;
    }
    const auto& cl = c->claims;
    j["signature"] = "valid (issuer certificate in the credential)";
    j["dtId"] = cl.dtId;
    j["avatarId"] = cl.avatarId;
    j["pseudonym"] = cl.pseudonym;
    j["issuer"] = cl.issuer;
    j["holderKey"] = keyJson(cl.holderKey);
    j["subscriberBinding"] = toHex(cl.subscriberBinding);
    j["mediaRoot"] = toHex(cl.mediaRoot);
    j["notBefore"] = cl.notBefore;
    j["notAfter"] = cl.notAfter;
    j["issuedAt"] = cl.issuedAt;
    j["generation"] = cl.generation;
    j["statusListIndex"] = cl.statusListIndex;
    j["statusListUri"] = cl.statusListUri;
    j["logIndex"] = cl.logIndex;
    auto& attrs = j["attributeCommitments"] = ojson::array();
    for (const auto& a : cl.attributes)
        attrs.push_back({{"name", a.name}, {"digest", base64UrlEncode(a.digest)}});
    auto& chain = j["issuerChain"] = ojson::array();
    for (const auto& cert : c->issuerChain)
        chain.push_back(certJson(cert));
    j["digest"] = base64UrlEncode(c->digest());
    return j;
}

ojson describeRoleCredential(ByteView data) {
    ojson j;
    j["kind"] = "role-credential";
    auto c = parseRoleCredential(data);
    if (!c.ok()) {
        j["signature"] = c.error().message();
        return j;
    }
    const auto& cl = c->claims;
    j["signature"] = "valid (enterprise certificate in the credential; trust not checked)";
    j["enterprise"] = cl.enterprise;
    j["role"] = cl.role;
    j["organisation"] = cl.organisation;
    j["holderThumbprint"] = base64UrlEncode(cl.holderThumbprint);
    j["notBefore"] = cl.notBefore;
    j["notAfter"] = cl.notAfter;
    j["issuedAt"] = cl.issuedAt;
    j["serial"] = toHex(cl.serial);
    auto& chain = j["issuerChain"] = ojson::array();
    for (const auto& cert : c->issuerChain)
        chain.push_back(certJson(cert));
    j["digest"] = base64UrlEncode(c->digest());
    return j;
}

ojson describeManifest(ByteView data) {
    ojson j;
    j["kind"] = "media-manifest";
    auto m = parseSignedManifest(data);
    if (!m.ok()) {
        j["signature"] = m.error().message();
        return j;
    }
    const auto& mf = m->manifest;
    j["signature"] = "valid (holder key in the manifest)";
    j["holderKey"] = keyJson(mf.holderKey);
    j["packageRoot"] = toHex(mf.packageRoot);
    j["chunkSize"] = mf.chunkSize;
    j["model"] = mf.modelPath;
    j["metadataFile"] = mf.metadataPath;
    j["metadata"] = {{"name", mf.metadata.name},
                     {"authors", mf.metadata.authors},
                     {"version", mf.metadata.version},
                     {"licence", mf.metadata.licence},
                     {"allowedUsers", mf.metadata.allowedUsers},
                     {"commercialUsage", mf.metadata.commercialUsage}};
    auto& files = j["files"] = ojson::array();
    std::uint64_t total = 0;
    for (const auto& f : mf.files) {
        files.push_back({{"path", f.path},
                         {"size", f.size},
                         {"mediaType", f.mediaType},
                         {"chunks", f.chunkHashes.size()},
                         {"root", toHex(f.root)}});
        total += f.size;
    }
    j["totalSize"] = total;
    j["createdAt"] = mf.createdAt;
    return j;
}

// A USIM profile's public parts. K and OPc never leave the decoded profile (cleansed with it);
// the SUPI shows MCC and MNC and only the last four MSIN digits.
Result<ojson> describeUsimProfile(ByteView data) {
    auto p = UsimProfileData::decode(data);
    TWINSEAL_TRY(p);
    const std::string& msin = p->supi.msin;
    const std::size_t shown = msin.size() > 4 ? 4 : 0;
    ojson j;
    j["kind"] = "usim-profile";
    j["type"] = kUsimProfileType;
    j["supi"] = "imsi-" + p->supi.mcc + p->supi.mnc + std::string(msin.size() - shown, '*') +
                msin.substr(msin.size() - shown);
    j["mcc"] = p->supi.mcc;
    j["mnc"] = p->supi.mnc;
    j["routingIndicator"] = p->routingIndicator;
    j["hnKeyId"] = p->hnKeyId;
    j["hnPublicKey"] = toHex(p->hnPublicKey);
    j["serviceUrl"] = p->serviceUrl;
    j["operator"] = p->operatorName;
    j["logKey"] = keyJson(p->logKey);
    j["statusListKey"] = keyJson(p->statusListKey);
    j["secrets"] = p->sealed() ? "K and OPc sealed under the owner's passphrase (never shown)"
                               : "K and OPc in clear: an operator's profile file (never shown); "
                                 "keep it offline once imported";
    return j;
}

bool looksLikeJws(std::string_view s) {
    if (s.size() < 5 || s.substr(0, 2) != "ey")
        return false;
    int dots = 0;
    for (char c : s) {
        if (c == '.')
            ++dots;
        else if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_'))
            return false;
    }
    return dots == 2;
}

} // namespace

Result<std::string> describeObject(ByteView data) {
    std::string text = toString(data);
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' '))
        text.pop_back();
    if (text.rfind("-----BEGIN CERTIFICATE-----", 0) == 0) {
        auto certs = Certificate::bundleFromPem(text);
        TWINSEAL_TRY(certs);
        ojson j;
        j["kind"] = "certificates";
        auto& arr = j["certificates"] = ojson::array();
        for (const auto& c : *certs)
            arr.push_back(certJson(c));
        return j.dump(2);
    }
    if (looksLikeJws(text)) {
        auto a = parseAssertion(text);
        TWINSEAL_TRY(a);
        ojson j;
        j["kind"] = "call-assertion";
        j["header"] = ojson::parse(a->headerJson);
        j["claims"] = ojson::parse(a->payloadJson);
        j["signature"] = "not checked (needs the holder's credential: twinsealctl assertion verify)";
        return j.dump(2);
    }
    proto::EncryptedKey sealed;
    if (parseMessage(data, sealed) &&
        (sealed.type() == "twinseal.encrypted-key.v1" ||
         sealed.type() == "twinseal.sealed-secret.v1")) {
        auto j = describeSealed(data);
        TWINSEAL_TRY(j);
        return j->dump(2);
    }
    proto::UsimProfile profile;
    const bool isProfile = parseMessage(data, profile) && profile.type() == kUsimProfileType;
    // The parsed copy holds K and OPc: wipe them before it goes.
    if (!profile.k().empty())
        cleanse(profile.mutable_k()->data(), profile.k().size());
    if (!profile.opc().empty())
        cleanse(profile.mutable_opc()->data(), profile.opc().size());
    if (isProfile) {
        auto j = describeUsimProfile(data);
        TWINSEAL_TRY(j);
        return j->dump(2);
    }
    auto type = envelopeType(data);
    if (type.ok()) {
        if (*type == kCredentialType)
            return describeCredential(data).dump(2);
        if (*type == kManifestType)
            return describeManifest(data).dump(2);
        if (*type == kRoleCredentialType)
            return describeRoleCredential(data).dump(2);
        return makeError(ErrorCode::WrongObjectType, "unknown signed object type '" + *type + "'");
    }
    return makeError(ErrorCode::MalformedInput,
                     "not a TwinSeal object (key, credential, manifest, assertion or certificate)");
}

} // namespace twinseal::security
