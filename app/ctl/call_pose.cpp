#include "call_pose.h"

#include <cmath>
#include <numbers>

namespace twinseal::ctl {

namespace {

// A unit quaternion for a yaw (about y) followed by a pitch (about x), in radians.
std::array<float, 4> yawPitch(double yaw, double pitch) {
    const double cy = std::cos(yaw / 2), sy = std::sin(yaw / 2);
    const double cp = std::cos(pitch / 2), sp = std::sin(pitch / 2);
    return {static_cast<float>(cy * sp), static_cast<float>(sy * cp), static_cast<float>(-sy * sp),
            static_cast<float>(cy * cp)};
}

} // namespace

calls::AnimationFrame scriptedPose(std::uint64_t n, double hz) {
    const double t = hz > 0 ? static_cast<double>(n) / hz : 0.0;
    constexpr double tau = 2 * std::numbers::pi;
    calls::AnimationFrame f;
    f.timestampUs = static_cast<std::int64_t>(std::llround(t * 1e6));
    // The head looks left and right every 8 s and nods every 5 s (offsets from the rest pose:
    // see animation_frame.h), swaying slightly.
    f.head.position = {static_cast<float>(0.02 * std::sin(tau * t / 6)), 0.f, 0.f};
    f.head.rotation = yawPitch(0.35 * std::sin(tau * t / 8), 0.12 * std::sin(tau * t / 5));
    // The hands, raised from hanging at the sides to in front of the chest, circle a quarter
    // turn apart.
    const double a = tau * t / 4;
    f.leftHand.position = {static_cast<float>(-0.08 + 0.05 * std::cos(a)),
                           static_cast<float>(0.3 + 0.05 * std::sin(a)), 0.25f};
    f.rightHand.position = {static_cast<float>(0.08 + 0.05 * std::cos(a + tau / 4)),
                            static_cast<float>(0.3 + 0.05 * std::sin(a + tau / 4)), 0.25f};
    // Blend shapes (kBlendShapeNames): the jaw moving gently, a blink for 0.15 s every 4 s.
    const bool blink = std::fmod(t, 4.0) < 0.15;
    const float jaw = static_cast<float>(0.2 + 0.2 * std::sin(tau * t / 1.5));
    f.blendShapes.assign(calls::kBlendShapeNames.size(), 0.f);
    f.blendShapes[calls::kBlendShapeMouthOpen] = jaw;
    f.blendShapes[calls::kBlendShapeBlink] = blink ? 1.f : 0.f;
    return f;
}

} // namespace twinseal::ctl
