#include "twinseal/security/assertion.h"

#include <cstdio>

#include <nlohmann/json.hpp>

namespace twinseal::security {

namespace {

using json = nlohmann::json;
constexpr std::size_t kMaxCompact = std::size_t{16} * 1024;

Result<Digest> digestFromB64(const json& v, const char* claim) {
    if (!v.is_string())
        return makeError(ErrorCode::AssertionMalformed,
                         std::string("claim '") + claim + "' must be a base64url string");
    auto raw = base64UrlDecode(v.get<std::string>());
    if (!raw.ok() || raw->size() != 32)
        return makeError(ErrorCode::AssertionMalformed,
                         std::string("claim '") + claim + "' must be a base64url SHA-256 digest");
    Digest d{};
    std::copy(raw->begin(), raw->end(), d.begin());
    return d;
}

Result<std::string> uuid4(Random& rng) {
    auto b = rng.bytes(16);
    TWINSEAL_TRY(b);
    auto& r = *b;
    r[6] = static_cast<std::uint8_t>((r[6] & 0x0f) | 0x40);
    r[8] = static_cast<std::uint8_t>((r[8] & 0x3f) | 0x80);
    const std::string h = toHex(r);
    return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
           "-" + h.substr(20, 12);
}

Error malformed(std::string what) {
    return makeError(ErrorCode::AssertionMalformed, std::move(what));
}

} // namespace

Result<AssertionClaims> claimsForCall(const Credential& credential, std::vector<std::string> dest,
                                      ByteView ephemeralKey, std::int64_t now, Random& rng) {
    if (dest.empty())
        return makeError(ErrorCode::InvalidArgument, "a call assertion needs a destination");
    if (ephemeralKey.size() != 32)
        return makeError(ErrorCode::InvalidArgument, "the ephemeral key must be an X25519 key");
    AssertionClaims c;
    c.iat = now;
    c.orig = credential.claims.avatarId;
    c.dest = std::move(dest);
    auto id = uuid4(rng);
    TWINSEAL_TRY(id);
    c.origid = std::move(*id);
    c.mediaRoot = credential.claims.mediaRoot;
    c.credentialDigest = credential.digest();
    c.holderThumbprint = credential.claims.holderKey.thumbprint();
    c.ephemeralKey.assign(ephemeralKey.begin(), ephemeralKey.end());
    return c;
}

Result<Assertion> createAssertion(const AssertionClaims& claims, const SigningKey& holderKey) {
    if (!holderKey.valid())
        return makeError(ErrorCode::InvalidArgument, "no holder key loaded");
    const Digest jkt = holderKey.publicKey().thumbprint();
    if (!constantTimeEqual(jkt, claims.holderThumbprint))
        return makeError(ErrorCode::KeyMismatch,
                         "the signing key is not the holder key named in the claims");
    json header;
    header["alg"] = std::string(joseAlgorithm(holderKey.algorithm()));
    header["typ"] = "passport";
    header["ppt"] = "avatar";
    header["kid"] = base64UrlEncode(jkt);
    json payload;
    payload["iat"] = claims.iat;
    payload["orig"] = {{"uri", claims.orig}};
    payload["dest"] = {{"uri", claims.dest}};
    payload["origid"] = claims.origid;
    payload["avmd"] = base64UrlEncode(claims.mediaRoot);
    payload["crd"] = base64UrlEncode(claims.credentialDigest);
    payload["cnf"] = {{"jkt", base64UrlEncode(claims.holderThumbprint)}};
    payload["epk"] = {{"kty", "OKP"}, {"crv", "X25519"}, {"x", base64UrlEncode(claims.ephemeralKey)}};

    const std::string input =
        base64UrlEncode(view(header.dump())) + "." + base64UrlEncode(view(payload.dump()));
    auto sig = holderKey.sign(view(input));
    TWINSEAL_TRY(sig);
    return parseAssertion(input + "." + base64UrlEncode(*sig));
}

Result<Assertion> parseAssertion(std::string_view compact) {
    if (compact.empty() || compact.size() > kMaxCompact)
        return malformed("the assertion is empty or larger than 16 KiB");
    const auto d1 = compact.find('.');
    const auto d2 = d1 == std::string_view::npos ? d1 : compact.find('.', d1 + 1);
    if (d2 == std::string_view::npos || compact.find('.', d2 + 1) != std::string_view::npos)
        return malformed("the assertion is not a compact JWS (three base64url parts)");
    Assertion a;
    a.compact = std::string(compact);
    auto hdr = base64UrlDecode(compact.substr(0, d1));
    auto pl = base64UrlDecode(compact.substr(d1 + 1, d2 - d1 - 1));
    auto sig = base64UrlDecode(compact.substr(d2 + 1));
    if (!hdr.ok() || !pl.ok() || !sig.ok())
        return malformed("a JWS part is not valid base64url");
    a.headerJson = toString(*hdr);
    a.payloadJson = toString(*pl);
    a.signature = std::move(*sig);
    a.signingInput = toBytes(compact.substr(0, d2));

    const json h = json::parse(a.headerJson, nullptr, false);
    if (h.is_discarded() || !h.is_object())
        return malformed("the JWS header is not a JSON object");
    auto hstr = [&](const char* k) {
        auto it = h.find(k);
        return it != h.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    if (hstr("typ") != "passport")
        return malformed("the JWS header's typ is not 'passport'");
    if (hstr("ppt") != "avatar")
        return malformed("the PASSporT extension (ppt) is not 'avatar'");
    if (h.contains("crit"))
        return malformed("the JWS header has critical extensions this verifier does not know");
    const std::string alg = hstr("alg");
    if (alg == "EdDSA")
        a.algorithm = KeyAlgorithm::Ed25519;
    else if (alg == "ES256")
        a.algorithm = KeyAlgorithm::EcdsaP256;
    else
        return makeError(ErrorCode::UnsupportedAlgorithm,
                         "JWS algorithm '" + alg + "' is not accepted (EdDSA or ES256)");
    a.kid = hstr("kid");
    if (a.signature.size() != 64)
        return malformed("the JWS signature must be 64 bytes for " + alg);

    const json p = json::parse(a.payloadJson, nullptr, false);
    if (p.is_discarded() || !p.is_object())
        return malformed("the PASSporT payload is not a JSON object");
    auto& c = a.claims;
    if (!p.contains("iat") || !p["iat"].is_number_integer())
        return malformed("claim 'iat' must be an integer NumericDate");
    c.iat = p["iat"].get<std::int64_t>();
    if (!p.contains("orig") || !p["orig"].is_object() || !p["orig"].contains("uri") ||
        !p["orig"]["uri"].is_string())
        return malformed("claim 'orig' must be {\"uri\": <Avatar-ID>}");
    c.orig = p["orig"]["uri"].get<std::string>();
    if (!p.contains("dest") || !p["dest"].is_object() || !p["dest"].contains("uri") ||
        !p["dest"]["uri"].is_array() || p["dest"]["uri"].empty())
        return malformed("claim 'dest' must be {\"uri\": [<destination>, ...]}");
    for (const auto& d : p["dest"]["uri"]) {
        if (!d.is_string())
            return malformed("claim 'dest.uri' must hold strings");
        c.dest.push_back(d.get<std::string>());
    }
    if (!p.contains("origid") || !p["origid"].is_string() ||
        p["origid"].get<std::string>().empty())
        return malformed("claim 'origid' must be a non-empty string");
    c.origid = p["origid"].get<std::string>();
    auto avmd = digestFromB64(p.value("avmd", json()), "avmd");
    TWINSEAL_TRY(avmd);
    c.mediaRoot = *avmd;
    auto crd = digestFromB64(p.value("crd", json()), "crd");
    TWINSEAL_TRY(crd);
    c.credentialDigest = *crd;
    if (!p.contains("cnf") || !p["cnf"].is_object())
        return malformed("claim 'cnf' must be {\"jkt\": <thumbprint>}");
    auto jkt = digestFromB64(p["cnf"].value("jkt", json()), "cnf.jkt");
    TWINSEAL_TRY(jkt);
    c.holderThumbprint = *jkt;
    if (!p.contains("epk") || !p["epk"].is_object() || p["epk"].value("kty", "") != "OKP" ||
        p["epk"].value("crv", "") != "X25519")
        return malformed("claim 'epk' must be an X25519 OKP JWK");
    auto x = base64UrlDecode(p["epk"].value("x", ""));
    if (!x.ok() || x->size() != 32)
        return malformed("claim 'epk.x' must be a 32-byte X25519 key");
    c.ephemeralKey = std::move(*x);
    return a;
}

Status verifyAssertionSignature(const Assertion& assertion, const PublicKey& key) {
    if (assertion.algorithm != key.algorithm())
        return makeError(ErrorCode::KeyMismatch,
                         "the assertion's alg does not match the holder key's algorithm");
    if (!key.verify(assertion.signingInput, assertion.signature).ok())
        return makeError(ErrorCode::BadSignature,
                         "the call assertion's signature does not verify with the holder key");
    return {};
}

std::string sipIdentityHeader(const Assertion& assertion, std::string_view infoUri) {
    return assertion.compact + ";info=<" + std::string(infoUri) + ">;alg=" +
           std::string(joseAlgorithm(assertion.algorithm)) + ";ppt=avatar";
}

} // namespace twinseal::security
