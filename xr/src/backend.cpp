#include <twinseal/xr/backend.h>

namespace twinseal::xr {

std::string_view backendKindName(BackendKind kind) noexcept {
    switch (kind) {
    case BackendKind::Desktop: return "desktop";
    case BackendKind::OpenXR: return "openxr";
    case BackendKind::Null: return "null";
    }
    return "invalid";
}

Status Backend::enter(SessionState next) {
    const SessionState from = state_;
    const auto to = transition(from, next);
    if (!to) {
        return Error{ErrorCode::IllegalTransition, "Illegal XR session state change " +
                                                  std::string(sessionStateName(from)) + " -> " +
                                                  std::string(sessionStateName(next)) + " was refused."};
    }
    state_ = *to;
    if (state_ == SessionState::Exiting)
        started_ = false;
    if (observer_)
        observer_(from, state_);
    return {};
}

Status Backend::walkTo(SessionState target) {
    for (SessionState step : stepsBetween(state_, target)) {
        if (Status s = enter(step); !s.ok())
            return s;
    }
    if (state_ != target) {
        return Error{ErrorCode::IllegalTransition, "No legal way from XR session state " +
                                                  std::string(sessionStateName(state_)) + " to " +
                                                  std::string(sessionStateName(target)) + "."};
    }
    return {};
}

void Backend::beginNewSession() noexcept {
    state_ = SessionState::Idle;
    started_ = true;
}

// ---- DesktopBackend ----

Status DesktopBackend::start() {
    if (started())
        return Error{ErrorCode::AlreadyRunning, "The desktop session is already running."};
    beginNewSession();
    return walkTo(SessionState::Focused);
}

Status DesktopBackend::stop() {
    if (!started())
        return {};
    return walkTo(SessionState::Exiting);
}

// ---- NullBackend ----

std::vector<SessionState> NullBackend::focusScript() {
    return {SessionState::Ready, SessionState::Synchronized, SessionState::Visible,
            SessionState::Focused};
}

Status NullBackend::start() {
    if (started())
        return Error{ErrorCode::AlreadyRunning, "The null session is already running."};
    if (!nextStartFailure_.ok()) {
        Status failure = std::move(nextStartFailure_);
        nextStartFailure_ = Status{};
        return failure;
    }
    ++startCount_;
    beginNewSession();
    return {};
}

Status NullBackend::poll() {
    if (!started())
        return {};
    while (!script_.empty()) {
        const SessionState next = script_.front();
        script_.pop_front();
        if (Status s = enter(next); !s.ok())
            return s;
        if (!started())  // reached Exiting: the rest of the script belongs to no session
            break;
    }
    return {};
}

Status NullBackend::stop() {
    script_.clear();
    if (!started())
        return {};
    return walkTo(SessionState::Exiting);
}

void NullBackend::script(const std::vector<SessionState>& states) {
    script_.insert(script_.end(), states.begin(), states.end());
}

} // namespace twinseal::xr
