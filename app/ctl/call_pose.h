// The scripted pose stream of a headless call participant: a deterministic head and hand
// animation (a slow look-around, hands circling, a blink) that depends only on the frame number
// and the rate, so a test or a QA script knows exactly what each frame carries.
#pragma once

#include <cstdint>

#include <twinseal/calls/animation_frame.h>

namespace twinseal::ctl {

// Frame `n` of the stream sent at `hz` frames per second (timestamp n / hz seconds).
[[nodiscard]] calls::AnimationFrame scriptedPose(std::uint64_t n, double hz);

} // namespace twinseal::ctl
