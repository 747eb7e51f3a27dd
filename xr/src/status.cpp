#include <twinseal/xr/status.h>

namespace twinseal::xr {

std::string_view errorCodeName(ErrorCode code) noexcept {
    switch (code) {
    case ErrorCode::Ok: return "ok";
    case ErrorCode::IllegalTransition: return "illegal-transition";
    case ErrorCode::AlreadyRunning: return "already-running";
    case ErrorCode::NotRunning: return "not-running";
    case ErrorCode::RuntimeUnavailable: return "runtime-unavailable";
    case ErrorCode::FormFactorUnavailable: return "form-factor-unavailable";
    case ErrorCode::Unsupported: return "unsupported";
    case ErrorCode::RuntimeError: return "runtime-error";
    case ErrorCode::MissingExtension: return "missing-extension";
    }
    return "unknown";
}

} // namespace twinseal::xr
