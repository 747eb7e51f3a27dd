// Status and Result<T>: success (with a value), or an Error with a reason code and a message a
// person can act on. xr/ never throws across its boundary (it runs inside the Qt event loop);
// every fallible call returns one of these. Both are twinseal::Expected (twinseal::expected, the
// only other TwinSeal target xr/ links).
#pragma once

#include <string>
#include <string_view>

#include <twinseal/security/expected.h>

namespace twinseal::xr {

enum class ErrorCode {
    Ok = 0,
    IllegalTransition,     // a session state change the state machine does not allow
    AlreadyRunning,        // start() on a backend whose session is running
    NotRunning,            // an operation that needs a running session
    RuntimeUnavailable,    // no OpenXR runtime installed or active
    FormFactorUnavailable, // a runtime, but no head-mounted display connected
    Unsupported,           // the runtime needs something this backend does not provide
    RuntimeError,          // an OpenXR call failed
    MissingExtension,      // the runtime lacks an OpenXR extension TwinSeal needs
};

// Stable machine-readable name, e.g. "illegal-transition".
[[nodiscard]] std::string_view errorCodeName(ErrorCode code) noexcept;

// A failure: its reason code and a message a person can act on.
struct Error {
    ErrorCode code = ErrorCode::RuntimeError;
    std::string message;
};

// A value or an Error; Status is success without a value, or an Error.
template <typename T> using Result = Expected<T, Error>;
using Status = Result<void>;

} // namespace twinseal::xr
