// A refusal from the home-network service: HTTP status, stable reason code and a message a
// person can act on. The wire form is twinseal.proto.ErrorResponse.
#pragma once

#include <string>
#include <utility>
#include <variant>

#include <twinseal/security/result.h>

namespace twinseal::service {

struct ServiceError {
    int httpStatus = 500;
    std::string code;    // stable, e.g. "duplicate-dt"
    std::string message; // what to do about it
};

inline ServiceError serviceError(int httpStatus, std::string code, std::string message) {
    return ServiceError{httpStatus, std::move(code), std::move(message)};
}

// A security-layer error turned into a refusal: its code name becomes the reason code.
ServiceError fromSecurity(int httpStatus, const security::Error& error);

// Either a value or a ServiceError.
template <typename T> class [[nodiscard]] ServiceResult {
public:
    ServiceResult(T value) : m_v(std::in_place_index<0>, std::move(value)) {}
    ServiceResult(ServiceError error) : m_v(std::in_place_index<1>, std::move(error)) {}
    [[nodiscard]] bool ok() const noexcept { return m_v.index() == 0; }
    T& value() & { return std::get<0>(m_v); }
    const T& value() const& { return std::get<0>(m_v); }
    T&& value() && { return std::get<0>(std::move(m_v)); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() & { return value(); }
    const ServiceError& error() const { return std::get<1>(m_v); }

private:
    std::variant<T, ServiceError> m_v;
};

struct Nothing {};
using ServiceStatus = ServiceResult<Nothing>;

} // namespace twinseal::service
