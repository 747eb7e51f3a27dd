#include "twinseal/calls/animation_frame.h"

#include <bit>
#include <cmath>
#include <cstring>

namespace twinseal::calls {

using namespace twinseal::security;

namespace {

constexpr std::size_t kPoseFloats = 7;
constexpr std::size_t kFixedSize = 1 + 8 + 3 * kPoseFloats * 4 + 1;

void putFloat(Bytes& out, float f) {
    const auto u = std::bit_cast<std::uint32_t>(f);
    for (int i = 0; i < 4; ++i)
        out.push_back(static_cast<std::uint8_t>(u >> (8 * i)));
}

float getFloat(const std::uint8_t* p) {
    std::uint32_t u = 0;
    for (int i = 0; i < 4; ++i)
        u |= std::uint32_t{p[i]} << (8 * i);
    return std::bit_cast<float>(u);
}

bool finite(const Pose& p) {
    for (float f : p.position)
        if (!std::isfinite(f))
            return false;
    for (float f : p.rotation)
        if (!std::isfinite(f))
            return false;
    return true;
}

void putPose(Bytes& out, const Pose& p) {
    for (float f : p.position)
        putFloat(out, f);
    for (float f : p.rotation)
        putFloat(out, f);
}

const std::uint8_t* getPose(const std::uint8_t* p, Pose& pose) {
    for (float& f : pose.position) {
        f = getFloat(p);
        p += 4;
    }
    for (float& f : pose.rotation) {
        f = getFloat(p);
        p += 4;
    }
    return p;
}

} // namespace

Result<Bytes> encodeAnimationFrame(const AnimationFrame& frame) {
    if (frame.blendShapes.size() > kMaxBlendShapes)
        return makeError(ErrorCode::InvalidArgument,
                         "an animation frame carries at most " + std::to_string(kMaxBlendShapes) +
                             " blend-shape weights, not " + std::to_string(frame.blendShapes.size()));
    if (!finite(frame.head) || !finite(frame.leftHand) || !finite(frame.rightHand))
        return makeError(ErrorCode::InvalidArgument, "an animation frame's pose is not a finite number");
    for (float w : frame.blendShapes)
        if (!std::isfinite(w))
            return makeError(ErrorCode::InvalidArgument, "an animation frame's blend-shape weight is not finite");
    Bytes out;
    out.reserve(kFixedSize + 4 * frame.blendShapes.size());
    out.push_back(kAnimationFrameVersion);
    const auto ts = static_cast<std::uint64_t>(frame.timestampUs);
    for (int i = 0; i < 8; ++i)
        out.push_back(static_cast<std::uint8_t>(ts >> (8 * i)));
    putPose(out, frame.head);
    putPose(out, frame.leftHand);
    putPose(out, frame.rightHand);
    out.push_back(static_cast<std::uint8_t>(frame.blendShapes.size()));
    for (float w : frame.blendShapes)
        putFloat(out, w);
    return out;
}

Result<AnimationFrame> decodeAnimationFrame(ByteView bytes) {
    if (bytes.size() < kFixedSize)
        return makeError(ErrorCode::MalformedInput, "an animation frame of " + std::to_string(bytes.size()) +
                                                        " bytes is shorter than its fixed part");
    if (bytes[0] != kAnimationFrameVersion)
        return makeError(ErrorCode::MalformedInput,
                         "an animation frame of unknown version " + std::to_string(bytes[0]));
    const std::size_t count = bytes[kFixedSize - 1];
    if (count > kMaxBlendShapes)
        return makeError(ErrorCode::MalformedInput, "an animation frame with " + std::to_string(count) +
                                                        " blend-shape weights (at most " +
                                                        std::to_string(kMaxBlendShapes) + ")");
    if (bytes.size() != kFixedSize + 4 * count)
        return makeError(ErrorCode::MalformedInput, "an animation frame of " + std::to_string(bytes.size()) +
                                                        " bytes; its layout says " +
                                                        std::to_string(kFixedSize + 4 * count));
    AnimationFrame f;
    std::uint64_t ts = 0;
    for (int i = 0; i < 8; ++i)
        ts |= std::uint64_t{bytes[1 + static_cast<std::size_t>(i)]} << (8 * i);
    f.timestampUs = static_cast<std::int64_t>(ts);
    const std::uint8_t* p = bytes.data() + 9;
    p = getPose(p, f.head);
    p = getPose(p, f.leftHand);
    p = getPose(p, f.rightHand);
    ++p; // the count
    f.blendShapes.resize(count);
    for (float& w : f.blendShapes) {
        w = getFloat(p);
        p += 4;
    }
    if (!finite(f.head) || !finite(f.leftHand) || !finite(f.rightHand))
        return makeError(ErrorCode::MalformedInput, "an animation frame's pose is not a finite number");
    for (float w : f.blendShapes)
        if (!std::isfinite(w))
            return makeError(ErrorCode::MalformedInput, "an animation frame's blend-shape weight is not finite");
    return f;
}

} // namespace twinseal::calls
