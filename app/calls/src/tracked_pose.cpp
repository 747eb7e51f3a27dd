#include "twinseal/calls/tracked_pose.h"

#include <cmath>

namespace twinseal::calls {

namespace {

using Vec = std::array<float, 3>;
using Quat = std::array<float, 4>;  // x y z w

Quat multiply(const Quat& a, const Quat& b) {
    return {a[3] * b[0] + a[0] * b[3] + a[1] * b[2] - a[2] * b[1],
            a[3] * b[1] - a[0] * b[2] + a[1] * b[3] + a[2] * b[0],
            a[3] * b[2] + a[0] * b[1] - a[1] * b[0] + a[2] * b[3],
            a[3] * b[3] - a[0] * b[0] - a[1] * b[1] - a[2] * b[2]};
}

Vec rotate(const Quat& q, const Vec& v) {
    const Quat p = multiply(multiply(q, {v[0], v[1], v[2], 0.f}), {-q[0], -q[1], -q[2], q[3]});
    return {p[0], p[1], p[2]};
}

Quat normalized(const Quat& q) {
    const float n = std::sqrt(q[0] * q[0] + q[1] * q[1] + q[2] * q[2] + q[3] * q[3]);
    if (!(n > 0.f))
        return {0.f, 0.f, 0.f, 1.f};
    return {q[0] / n, q[1] / n, q[2] / n, q[3] / n};
}

// The inverse of the rest heading: a rotation about +Y by -heading.
Quat unturn(float heading) { return {0.f, std::sin(-heading / 2), 0.f, std::cos(-heading / 2)}; }

// From the user's axes to the avatar's: a half turn about Y.
Vec toAvatar(const Vec& v) { return {-v[0], v[1], -v[2]}; }
Quat toAvatar(const Quat& q) { return {-q[0], q[1], -q[2], q[3]}; }

} // namespace

BodyCalibration calibrateFromHead(const TrackedPose& head) {
    BodyCalibration c;
    c.headPosition = head.position;
    const Vec ahead = rotate(normalized(head.rotation), {0.f, 0.f, -1.f});
    // Looking straight up or down has no heading: keep 0.
    c.heading = (std::fabs(ahead[0]) + std::fabs(ahead[2]) > 1e-6f) ? std::atan2(-ahead[0], -ahead[2]) : 0.f;
    return c;
}

void applyTracking(const TrackedBody& body, const BodyCalibration& rest, AnimationFrame& frame) {
    const Quat back = unturn(rest.heading);
    // A position relative to the rest head, in the rest heading's axes.
    auto relative = [&](const Vec& p) {
        return rotate(back, {p[0] - rest.headPosition[0], p[1] - rest.headPosition[1], p[2] - rest.headPosition[2]});
    };
    auto rotation = [&](const Quat& q) { return toAvatar(normalized(multiply(back, normalized(q)))); };

    if (body.head.tracked) {
        frame.head.position = toAvatar(relative(body.head.position));
        frame.head.rotation = rotation(body.head.rotation);
    }
    const struct {
        const TrackedPose& tracked;
        Pose& out;
        float side;  // the rest hand's x in the user's axes
    } hands[] = {{body.leftHand, frame.leftHand, -kHandRestSide}, {body.rightHand, frame.rightHand, kHandRestSide}};
    for (const auto& h : hands) {
        if (!h.tracked.tracked)
            continue;
        const Vec p = relative(h.tracked.position);
        h.out.position = toAvatar(Vec{p[0] - h.side, p[1] + kHandRestDrop, p[2]});
        h.out.rotation = rotation(h.tracked.rotation);
    }
}

} // namespace twinseal::calls
