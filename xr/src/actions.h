// The OpenXR side of controller input (input.h): one action set with TwinSeal's actions, the
// suggested bindings per interaction profile, action spaces for the hands' poses and a VIEW
// space for the head, attached to one session. sync() runs xrSyncActions, turns boolean edges
// into InputEvents and locates the poses; the application takes them from any thread.
#pragma once

#include <twinseal/xr/input.h>
#include <twinseal/xr/status.h>

#include <openxr/openxr.h>

#include <array>
#include <atomic>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

namespace twinseal::xr::detail {

class InputActions {
public:
    InputActions() = default;
    InputActions(const InputActions&) = delete;
    InputActions& operator=(const InputActions&) = delete;
    ~InputActions() { destroy(); }

    // Creates the action set and actions, suggests `bindings` (every profile; the first refusal
    // is the error, naming the profile, the call and its XrResult), creates the spaces and
    // attaches the set to `session`.
    Status create(XrInstance instance, XrSession session, const std::vector<ProfileBindings>& bindings);
    // Destroys the spaces and the action set. Safe to call at any time.
    void destroy() noexcept;
    [[nodiscard]] bool created() const noexcept { return actionSet_ != XR_NULL_HANDLE; }

    // xrSyncActions, the button edges, and (when `time` > 0) the poses located for `time`.
    // One thread at a time (the frame thread, or poll() for a headless session).
    Status sync(XrTime time);
    // After XrEventDataInteractionProfileChanged: asks which profile each hand uses now.
    void refreshInteractionProfile();

    // Thread-safe.
    std::vector<InputEvent> takeEvents();
    // Whether Recenter was pressed since the last call (the frame loop acts on it; the press is
    // also one of takeEvents()).
    bool takeRecenterPress() noexcept { return recenterPressed_.exchange(false); }
    [[nodiscard]] TrackedPoses poses() const;
    [[nodiscard]] std::string interactionProfile() const;

private:
    Status locate(XrTime time);

    XrInstance instance_ = XR_NULL_HANDLE;
    XrSession session_ = XR_NULL_HANDLE;
    XrActionSet actionSet_ = XR_NULL_HANDLE;
    std::array<XrAction, 7> actions_{};  // by InputAction
    std::array<XrPath, 2> hands_{};      // /user/hand/left, /user/hand/right
    XrSpace localSpace_ = XR_NULL_HANDLE;
    XrSpace viewSpace_ = XR_NULL_HANDLE;
    std::array<XrSpace, 4> handSpaces_{};  // left grip, right grip, left aim, right aim
    std::array<bool, 5> pressed_{};        // the button actions' last state
    std::atomic<bool> recenterPressed_{false};

    mutable std::mutex mutex_;  // guards the three below
    std::deque<InputEvent> events_;
    TrackedPoses poses_;
    std::string profile_;
};

} // namespace twinseal::xr::detail
