// The XR session state machine, shaped like OpenXR's XrSessionState (OpenXR 1.0 spec, "Session
// Lifecycle"). Every backend (OpenXR, desktop, null) moves through the same states, and only
// through transitions this file allows; the functions here are pure so they can be unit-tested.
//
//   Idle -> Ready -> Synchronized <-> Visible <-> Focused
//   Synchronized -> Stopping -> Idle -> Exiting
//   any state but Exiting -> LossPending -> Exiting
//
// Idle is also the state of a backend that has not started. Exiting is terminal for a session;
// starting again creates a new session, which begins at Idle (that is not a transition).
// LossPending -> Exiting is TwinSeal's own step: OpenXR sends no further state after
// LOSS_PENDING, the application destroys the session, and we record that as Exiting.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace twinseal::xr {

enum class SessionState : std::uint8_t {
    Idle,
    Ready,
    Synchronized,
    Visible,
    Focused,
    Stopping,
    LossPending,
    Exiting,
};

inline constexpr SessionState kAllSessionStates[] = {
    SessionState::Idle,     SessionState::Ready,       SessionState::Synchronized,
    SessionState::Visible,  SessionState::Focused,     SessionState::Stopping,
    SessionState::LossPending, SessionState::Exiting};

// "idle", "ready", ..., "loss-pending", "exiting" (stable; used in logs and messages).
[[nodiscard]] std::string_view sessionStateName(SessionState state) noexcept;

// True when `to` may directly follow `from`. A state never follows itself.
[[nodiscard]] bool isLegalTransition(SessionState from, SessionState to) noexcept;

// The state after a requested transition: `to` if legal, otherwise nothing (the caller keeps
// `from` and reports the refusal).
[[nodiscard]] std::optional<SessionState> transition(SessionState from, SessionState to) noexcept;

// The shortest sequence of legal steps from `from` to `to`, excluding `from` and including `to`;
// empty when from == to or when `to` cannot be reached. Never routes through LossPending (which
// only a runtime may enter) unless `to` is LossPending.
[[nodiscard]] std::vector<SessionState> stepsBetween(SessionState from, SessionState to);

// States in which the session is running (xrBeginSession done, xrEndSession not yet).
[[nodiscard]] bool isRunningState(SessionState state) noexcept;

} // namespace twinseal::xr
