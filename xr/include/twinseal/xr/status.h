// Status: success, or a reason code with a human-readable message. xr/ never throws across its
// boundary (it runs inside the Qt event loop); every fallible call returns one of these.
#pragma once

#include <string>
#include <string_view>
#include <utility>

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
};

// Stable machine-readable name, e.g. "illegal-transition".
[[nodiscard]] std::string_view errorCodeName(ErrorCode code) noexcept;

class Status {
public:
    Status() = default;
    Status(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

    [[nodiscard]] bool ok() const noexcept { return code_ == ErrorCode::Ok; }
    [[nodiscard]] ErrorCode code() const noexcept { return code_; }
    [[nodiscard]] const std::string& message() const noexcept { return message_; }

private:
    ErrorCode code_ = ErrorCode::Ok;
    std::string message_;
};

} // namespace twinseal::xr
