// From a headset's tracked head and hand poses to the local avatar's animation frame, in the
// frames of reference animation_frame.h documents.
//
// Input: poses in the tracking space of OpenXR's LOCAL reference space (metres, +Y up, +X to the
// user's right, -Z ahead of the user when tracking began; rotations as unit quaternions x y z w):
// the head (the VIEW space) and each hand (the controller's grip pose).
//
// Calibration: the first tracked head pose is the rest pose (standing upright, looking ahead).
// Everything is then expressed relative to the rest head's position and heading (its yaw), so
// turning the whole body before the call does not matter, and turned from the user's axes to the
// avatar's (the avatar faces +Z with its left at +X: a half turn about Y, x -> -x, z -> -z).
//   head.position   the head's offset from its rest position
//   head.rotation   the head relative to its rest heading
//   hand.position   the hand's offset from where it hangs at rest: kHandRestDrop below the rest
//                   head and kHandRestSide to its side (the user's body is not tracked, so the
//                   rest hands are placed by these proportions)
//   hand.rotation   the grip's rotation relative to the rest heading (identity: the controller
//                   held upright pointing ahead, as a hanging hand holds it)
// An untracked part keeps what the frame had (e.g. the idle motion).
#pragma once

#include <array>

#include <twinseal/calls/animation_frame.h>

namespace twinseal::calls {

inline constexpr float kHandRestDrop = 0.65f;  // metres below the rest head
inline constexpr float kHandRestSide = 0.20f;  // metres to either side

struct TrackedPose {
    bool tracked = false;
    std::array<float, 3> position{0.f, 0.f, 0.f};
    std::array<float, 4> rotation{0.f, 0.f, 0.f, 1.f};  // x y z w
};

struct TrackedBody {
    TrackedPose head;
    TrackedPose leftHand;
    TrackedPose rightHand;
};

// The rest pose: the head's position and heading (radians about +Y, 0 looking along -Z,
// positive turned to the user's left).
struct BodyCalibration {
    std::array<float, 3> headPosition{0.f, 0.f, 0.f};
    float heading = 0.f;
};

[[nodiscard]] BodyCalibration calibrateFromHead(const TrackedPose& head);

// Replaces the tracked parts of `frame` (head, hands) by `body` relative to `rest`.
void applyTracking(const TrackedBody& body, const BodyCalibration& rest, AnimationFrame& frame);

} // namespace twinseal::calls
