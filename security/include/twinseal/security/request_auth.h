#pragma once

// Authentication of requests to the home-network DT service with the AKMA application key K_AF
// (TS 33.535): an HMAC-SHA256 over the method, the path with its query, a timestamp, a nonce
// and the SHA-256 of the body, carried in an HTTP Authorization header:
//
//   Authorization: TwinSeal-AKMA kid="<A-KID>", ts="<unix seconds>", nonce="<b64url>", mac="<b64url>"
//
// The service checks the MAC in constant time, the timestamp window and that the nonce is new.

#include <cstdint>
#include <string>
#include <string_view>

#include "twinseal/security/bytes.h"
#include "twinseal/security/clock.h"
#include "twinseal/security/crypto.h"

namespace twinseal::security {

inline constexpr std::string_view kAkmaAuthScheme = "TwinSeal-AKMA";
inline constexpr std::string_view kGrantAuthScheme = "TwinSeal-Grant";
inline constexpr std::int64_t kRequestAuthWindow = 60; // seconds either side of the service clock
inline constexpr std::size_t kRequestNonceSize = 16;

struct AkmaAuthorization {
    std::string aKid;
    std::int64_t timestamp = 0;
    std::string nonce; // base64url of at least kRequestNonceSize random bytes
    Bytes mac;         // 32 bytes

    [[nodiscard]] std::string format() const; // the Authorization header value
    [[nodiscard]] static Result<AkmaAuthorization> parse(std::string_view headerValue);
};

// "TwinSeal-AKMA-v1" LF method LF pathAndQuery LF ts LF nonce LF aKid LF hex(SHA-256(body)).
[[nodiscard]] Bytes requestAuthInput(std::string_view method, std::string_view pathAndQuery,
                                     std::int64_t timestamp, std::string_view nonce,
                                     std::string_view aKid, const Digest& bodyDigest);

// Builds the header for a request (nonce from `rng`).
[[nodiscard]] Result<AkmaAuthorization> authorizeRequest(ByteView kaf, std::string_view aKid,
                                                         std::string_view method,
                                                         std::string_view pathAndQuery,
                                                         ByteView body, std::int64_t now,
                                                         Random& rng);

// Checks the MAC (constant time) and the timestamp window. Replay of the nonce is the caller's
// check (it needs state). Errors: RequestAuthInvalid (MAC), RequestAuthStale (window).
[[nodiscard]] Status verifyRequestAuthorization(const AkmaAuthorization& auth, ByteView kaf,
                                                std::string_view method,
                                                std::string_view pathAndQuery,
                                                const Digest& bodyDigest, std::int64_t now);

} // namespace twinseal::security
