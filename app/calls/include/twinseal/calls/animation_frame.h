// One avatar animation frame: the payload SFrame protects (head pose, two hand poses, blend-shape
// weights, a timestamp). A fixed little-endian binary layout:
//   version (1 byte, = 1) | timestamp, microseconds (8, signed) |
//   head, left hand, right hand: each position x y z + rotation quaternion x y z w (7 x float32) |
//   blend-shape count (1 byte, at most kMaxBlendShapes) | that many float32 weights
// Decoding refuses anything else (length, version, count, non-finite numbers) with its reason.
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
