// XR backends: where TwinSeal's scene is presented. The OpenXR backend drives a headset through
// the OpenXR loader; the desktop backend is the ordinary window; the null backend is scripted, for
// tests. All share one session state machine (session_state.h) and report every state change.
#pragma once

#include <twinseal/xr/session_state.h>
#include <twinseal/xr/status.h>

#include <cstddef>
#include <deque>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace twinseal::xr {

enum class BackendKind { Desktop, OpenXR, Null };

// "desktop", "openxr", "null".
[[nodiscard]] std::string_view backendKindName(BackendKind kind) noexcept;

class Backend {
public:
    // Called after every accepted state change.
    using StateObserver = std::function<void(SessionState from, SessionState to)>;

    Backend() = default;
    Backend(const Backend&) = delete;
    Backend& operator=(const Backend&) = delete;
    virtual ~Backend() = default;

    [[nodiscard]] virtual BackendKind kind() const noexcept = 0;

    // Begins a session. A backend that is not started, or whose last session reached Exiting,
    // may start (a new session begins at Idle); otherwise AlreadyRunning.
    [[nodiscard]] virtual Status start() = 0;

    // Ends the session, stepping down through the legal states to Exiting. No-op when not
    // started. The backend may be started again afterwards.
    virtual Status stop() = 0;

    // Processes pending runtime events (OpenXR: xrPollEvent). Call once per frame / timer tick.
    virtual Status poll() { return {}; }

    [[nodiscard]] SessionState state() const noexcept { return state_; }
    // True between a successful start() and the session reaching Exiting.
    [[nodiscard]] bool started() const noexcept { return started_; }
    void setStateObserver(StateObserver observer) { observer_ = std::move(observer); }

protected:
    // Applies one transition through the pure state machine; refuses illegal ones with
    // IllegalTransition and leaves the state unchanged.
    Status enter(SessionState next);
    // Applies stepsBetween(state(), target) in order; stops at the first refusal.
    Status walkTo(SessionState target);
    // A new session: Idle, started. Not a transition (the previous session is gone).
    void beginNewSession() noexcept;
    void markStopped() noexcept { started_ = false; }

private:
    SessionState state_ = SessionState::Idle;
    bool started_ = false;
    StateObserver observer_;
};

// Windowed mode: the desktop is always "in focus" once started.
class DesktopBackend final : public Backend {
public:
    [[nodiscard]] BackendKind kind() const noexcept override { return BackendKind::Desktop; }
    Status start() override;  // Idle -> Ready -> Synchronized -> Visible -> Focused
    Status stop() override;   // ... -> Stopping -> Idle -> Exiting
};

// For tests: a runtime whose state changes are scripted. start() begins a session at Idle;
// each poll() applies queued states in order (stopping at the first illegal one, which is
// dropped and reported); stop() steps down legally to Exiting, as a well-behaved runtime would.
class NullBackend final : public Backend {
public:
    // A runtime that becomes ready and focused: Ready, Synchronized, Visible, Focused.
    static std::vector<SessionState> focusScript();

    [[nodiscard]] BackendKind kind() const noexcept override { return BackendKind::Null; }
    Status start() override;
    Status stop() override;
    Status poll() override;

    // Queues runtime-driven state changes, applied by the next poll().
    void script(const std::vector<SessionState>& states);
    // Makes the next start() fail with this status (e.g. RuntimeUnavailable).
    void failNextStart(Status status) { nextStartFailure_ = std::move(status); }

    [[nodiscard]] std::size_t pendingSteps() const noexcept { return script_.size(); }
    [[nodiscard]] int startCount() const noexcept { return startCount_; }

private:
    std::deque<SessionState> script_;
    Status nextStartFailure_;
    int startCount_ = 0;
};

} // namespace twinseal::xr
