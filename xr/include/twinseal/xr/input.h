// Controller input for the OpenXR backend: the actions TwinSeal defines (select, open the
// participant panel, show the selected participant's report, leave the call, recenter; grip and aim poses
// of both hands), the bindings it suggests per interaction profile (OpenXR 1.0, "Interaction
// Profile Paths"), and what the application reads back: button presses as events and the newest
// tracked head and hand poses. OpenXR types stay out of this header.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace twinseal::xr {

// The buttons' actions (boolean actions) and the hands' poses (pose actions).
enum class InputAction : std::uint8_t {
    Select,            // choose the next participant
    ParticipantPanel,  // open or close the participant panel
    ShowReport,        // show the chosen participant's verification report
    LeaveCall,         // leave the call
    Recenter,          // put the world-locked panels in front of where the head looks now
    GripPose,          // where the hand holds the controller
    AimPose,           // where the controller points
};

// "select", "participant-panel", "show-report", "leave-call", "recenter", "grip-pose", "aim-pose" (also the
// OpenXR action names, with '_' for '-').
[[nodiscard]] std::string_view inputActionName(InputAction action) noexcept;
[[nodiscard]] bool isButtonAction(InputAction action) noexcept;

// One suggested binding: an action and a full binding path, e.g.
// "/user/hand/right/input/trigger/value".
struct InputBinding {
    InputAction action;
    std::string path;
};

// The bindings suggested for one interaction profile, e.g.
// "/interaction_profiles/khr/simple_controller".
struct ProfileBindings {
    std::string profile;
    std::vector<InputBinding> bindings;
};

// TwinSeal's suggestions for khr/simple_controller, oculus/touch_controller,
// valve/index_controller and htc/vive_controller (the README's table), every path one the
// OpenXR 1.0 specification lists for that profile. Recenter has no binding on the simple
// controller (its four buttons are taken); the runtime's own recentering
// (XrEventDataReferenceSpaceChangePending for LOCAL) does the same on any controller.
[[nodiscard]] std::vector<ProfileBindings> defaultBindings();

// A button pressed (an edge of a boolean action from released to pressed, seen by
// xrSyncActions / xrGetActionStateBoolean).
struct InputEvent {
    InputAction action = InputAction::Select;
    std::int64_t time = 0;  // XrTime of the change (nanoseconds, the runtime's clock)
};

// A pose in the session's LOCAL reference space (OpenXR conventions: metres, +Y up, -Z ahead of
// the user at the start, +X to the right; orientation a unit quaternion x, y, z, w). `tracked`
// is false when the runtime could not locate it (the numbers are then meaningless).
struct TrackedPose {
    bool tracked = false;
    std::array<float, 3> position{0.f, 0.f, 0.f};
    std::array<float, 4> orientation{0.f, 0.f, 0.f, 1.f};
};

// The newest located poses: the head (the VIEW space) and each hand's grip and aim pose.
struct TrackedPoses {
    std::int64_t time = 0;      // the XrTime they were located for (0: never located)
    std::uint64_t sequence = 0; // counts locations, so a reader can tell a new sample
    TrackedPose head;
    TrackedPose leftGrip, rightGrip;
    TrackedPose leftAim, rightAim;
};

} // namespace twinseal::xr
