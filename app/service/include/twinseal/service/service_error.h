// A refusal from the home-network service: HTTP status, stable reason code and a message a
// person can act on. The wire form is twinseal.proto.ErrorResponse.
#pragma once

#include <string>
#include <utility>

#include <twinseal/security/expected.h>
#include <twinseal/security/result.h>

namespace twinseal::service {

struct ServiceError {
    int httpStatus = 500;
    std::string code;    // stable, e.g. "duplicate-dt"
    std::string message; // what to do about it
    long long retryAfter = 0; // seconds; sent as Retry-After (RFC 9110 10.2.3) when > 0
};

inline ServiceError serviceError(int httpStatus, std::string code, std::string message) {
    return ServiceError{httpStatus, std::move(code), std::move(message)};
}

// A security-layer error turned into a refusal: its code name becomes the reason code.
ServiceError fromSecurity(int httpStatus, const security::Error& error);

// Either a value or a ServiceError (twinseal::Expected; code() is the reason code, empty when ok).
template <typename T> using ServiceResult = Expected<T, ServiceError>;

struct Nothing {};
using ServiceStatus = ServiceResult<Nothing>;

} // namespace twinseal::service
