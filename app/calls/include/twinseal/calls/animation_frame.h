// One avatar animation frame: the payload SFrame protects (head pose, two hand poses, blend-shape
// weights, a timestamp). A fixed little-endian binary layout:
//   version (1 byte, = 1) | timestamp, microseconds (8, signed) |
//   head, left hand, right hand: each position x y z + rotation quaternion x y z w (7 x float32) |
//   blend-shape count (1 byte, at most kMaxBlendShapes) | that many float32 weights
// Decoding refuses anything else (length, version, count, non-finite numbers) with its reason.
//
// What the numbers mean (every sender and every renderer, e.g. ui/qml/CallAvatar.qml):
//   The avatar's own space: metres, Y up, the avatar facing +Z, its left at +X.
//   head.rotation      the head relative to the upper body (identity: looking straight ahead).
//   head.position      the head's offset from its rest position (standing upright): sideways and
//                      forwards lean the upper body, up and down raise or lower the whole body.
//   left/rightHand.position  each hand's offset from its rest position (arms hanging at the
//                      sides). Offsets, not absolute positions, so any avatar's proportions fit
//                      any sender's body: a sender (a headset) calibrates its rest pose first.
//   hand rotations     relative to the forearm (identity: the rest pose).
//   blendShapes        weights in [0, 1] in the order of kBlendShapeNames; a shorter list leaves
//                      the rest at 0.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include <twinseal/security/bytes.h>
#include <twinseal/security/result.h>

namespace twinseal::calls {

inline constexpr std::uint8_t kAnimationFrameVersion = 1;
inline constexpr std::size_t kMaxBlendShapes = 64;
// The blend shapes a frame carries, by index (the sample avatar's morph targets of those names).
inline constexpr std::size_t kBlendShapeMouthOpen = 0;
inline constexpr std::size_t kBlendShapeBlink = 1;
inline constexpr std::array<const char*, 2> kBlendShapeNames{"mouthOpen", "blink"};

struct Pose {
    std::array<float, 3> position{0.f, 0.f, 0.f};
    std::array<float, 4> rotation{0.f, 0.f, 0.f, 1.f}; // quaternion x y z w
    bool operator==(const Pose&) const = default;
};

struct AnimationFrame {
    std::int64_t timestampUs = 0;
    Pose head;
    Pose leftHand;
    Pose rightHand;
    std::vector<float> blendShapes; // weights in [0, 1], at most kMaxBlendShapes
    bool operator==(const AnimationFrame&) const = default;
};

// InvalidArgument for more than kMaxBlendShapes weights or non-finite numbers.
[[nodiscard]] security::Result<security::Bytes> encodeAnimationFrame(const AnimationFrame& frame);
// Malformed for a wrong length, an unknown version, a count above kMaxBlendShapes or a
// non-finite number.
[[nodiscard]] security::Result<AnimationFrame> decodeAnimationFrame(security::ByteView bytes);

} // namespace twinseal::calls
