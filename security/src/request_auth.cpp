#include "twinseal/security/request_auth.h"

#include "time_arith.h"

#include <charconv>
#include <cstdlib>

namespace twinseal::security {
namespace {

constexpr std::size_t kMaxHeaderLength = 1024;

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

Error malformed(std::string detail) {
    return makeError(ErrorCode::MalformedInput, "Authorization header: " + std::move(detail));
}

} // namespace

std::string AkmaAuthorization::format() const {
    std::string out(kAkmaAuthScheme);
    out += " kid=\"" + aKid + "\", ts=\"" + std::to_string(timestamp) + "\", nonce=\"" + nonce +
           "\", mac=\"" + base64UrlEncode(mac) + "\"";
    return out;
}

Result<AkmaAuthorization> AkmaAuthorization::parse(std::string_view header) {
    if (header.size() > kMaxHeaderLength)
        return malformed("too long");
    header = trim(header);
    if (header.substr(0, kAkmaAuthScheme.size()) != kAkmaAuthScheme ||
        header.size() == kAkmaAuthScheme.size() || header[kAkmaAuthScheme.size()] != ' ')
        return malformed("not a TwinSeal-AKMA credential");
    std::string_view rest = header.substr(kAkmaAuthScheme.size() + 1);

    AkmaAuthorization auth;
    bool haveKid = false, haveTs = false, haveNonce = false, haveMac = false;
    while (!rest.empty()) {
        const std::size_t comma = rest.find(',');
        std::string_view item = trim(rest.substr(0, comma));
        rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
        const std::size_t eq = item.find('=');
        if (eq == std::string_view::npos)
            return malformed("parameter without a value");
        const std::string_view name = trim(item.substr(0, eq));
        std::string_view value = trim(item.substr(eq + 1));
        if (value.size() < 2 || value.front() != '"' || value.back() != '"')
            return malformed("parameter '" + std::string(name) + "' is not quoted");
        value = value.substr(1, value.size() - 2);
        if (value.find('"') != std::string_view::npos || value.find('\\') != std::string_view::npos)
            return malformed("parameter '" + std::string(name) + "' has a stray quote");
        bool* seen = nullptr;
        if (name == "kid") {
            seen = &haveKid;
            auth.aKid = std::string(value);
        } else if (name == "ts") {
            seen = &haveTs;
            std::int64_t ts = 0;
            const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), ts);
            if (ec != std::errc{} || end != value.data() + value.size() || value.empty())
                return malformed("ts is not a number");
            auth.timestamp = ts;
        } else if (name == "nonce") {
            seen = &haveNonce;
            auto decoded = base64UrlDecode(value);
            if (!decoded.ok() || decoded.value().size() < kRequestNonceSize)
                return malformed("nonce must be at least 16 bytes of base64url");
            auth.nonce = std::string(value);
        } else if (name == "mac") {
            seen = &haveMac;
            auto decoded = base64UrlDecode(value);
            if (!decoded.ok() || decoded.value().size() != 32)
                return malformed("mac must be 32 bytes of base64url");
            auth.mac = std::move(decoded).value();
        } else {
            return malformed("unknown parameter '" + std::string(name) + "'");
        }
        if (*seen)
            return malformed("parameter '" + std::string(name) + "' repeated");
        *seen = true;
    }
    if (!haveKid || !haveTs || !haveNonce || !haveMac)
        return malformed("kid, ts, nonce and mac are all required");
    if (auth.aKid.empty())
        return malformed("kid is empty");
    return auth;
}

Bytes requestAuthInput(std::string_view method, std::string_view pathAndQuery,
                       std::int64_t timestamp, std::string_view nonce, std::string_view aKid,
                       const Digest& bodyDigest) {
    std::string input = "TwinSeal-AKMA-v1\n";
    input += method;
    input += '\n';
    input += pathAndQuery;
    input += '\n';
    input += std::to_string(timestamp);
    input += '\n';
    input += nonce;
    input += '\n';
    input += aKid;
    input += '\n';
    input += toHex(bodyDigest);
    return toBytes(input);
}

Result<AkmaAuthorization> authorizeRequest(ByteView kaf, std::string_view aKid,
                                           std::string_view method, std::string_view pathAndQuery,
                                           ByteView body, std::int64_t now, Random& rng) {
    if (kaf.size() != 32)
        return makeError(ErrorCode::InvalidArgument, "K_AF must be 32 bytes");
    auto nonce = rng.bytes(kRequestNonceSize);
    if (!nonce.ok())
        return nonce.error();
    AkmaAuthorization auth;
    auth.aKid = std::string(aKid);
    auth.timestamp = now;
    auth.nonce = base64UrlEncode(nonce.value());
    auto mac = hmacSha256(kaf, requestAuthInput(method, pathAndQuery, now, auth.nonce, aKid,
                                                sha256(body)));
    if (!mac.ok())
        return mac.error();
    auth.mac = std::move(mac).value();
    return auth;
}

Status verifyRequestAuthorization(const AkmaAuthorization& auth, ByteView kaf,
                                  std::string_view method, std::string_view pathAndQuery,
                                  const Digest& bodyDigest, std::int64_t now) {
    const Bytes input =
        requestAuthInput(method, pathAndQuery, auth.timestamp, auth.nonce, auth.aKid, bodyDigest);
    if (!hmacSha256Verify(kaf, input, auth.mac).ok())
        return makeError(ErrorCode::RequestAuthInvalid,
                         "the request's AKMA MAC does not verify: authenticate again");
    const std::int64_t skew = timeDistance(now, auth.timestamp);
    if (skew > kRequestAuthWindow)
        return makeError(ErrorCode::RequestAuthStale,
                         "the request was signed " + std::to_string(skew) +
                             " s away from the service's clock (allowed: 60 s): check the clock");
    return {};
}

} // namespace twinseal::security
