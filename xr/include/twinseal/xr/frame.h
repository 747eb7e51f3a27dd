// What the OpenXR backend's frame loop needs from the application and gives back: the native
// OpenGL context to render with (X11/GLX, as opaque handles so no X11, GL or OpenXR type appears
// here), the per-eye render callback, and per-frame timings.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

namespace twinseal::xr {

// An X11/GLX OpenGL context for XR_KHR_opengl_enable (XrGraphicsBindingOpenGLXlibKHR). The
// backend makes the context current on its frame thread while a session runs, so the
// application must not have it current on any other thread then. The display must have been
// opened after XInitThreads (Qt's xcb platform does this).
struct GlxBinding {
    void* display = nullptr;     // Display*
    void* fbConfig = nullptr;    // GLXFBConfig
    std::uint64_t drawable = 0;  // GLXDrawable (an X resource id: a window or a pbuffer)
    void* context = nullptr;     // GLXContext
    std::uint32_t visualId = 0;  // the fbConfig's X visual id (0 when it has none)

    [[nodiscard]] bool complete() const noexcept {
        return display != nullptr && fbConfig != nullptr && drawable != 0 && context != nullptr;
    }
};

// A view's pose in the session's LOCAL space (metres; orientation as a unit quaternion x, y, z, w)
// and its field of view (radians; left and down negative).
struct ViewPose {
    float position[3] = {0, 0, 0};
    float orientation[4] = {0, 0, 0, 1};
};
struct ViewFov {
    float angleLeft = 0, angleRight = 0, angleUp = 0, angleDown = 0;
};

// One eye of one frame, for the render callback: draw into `texture` (a GL_TEXTURE_2D of
// width x height in `format`, owned by the runtime's swapchain) with the GL context current.
struct EyeRender {
    std::uint32_t eye = 0;  // 0 left, 1 right
    std::uint32_t texture = 0;
    std::int64_t format = 0;  // GL internal format, e.g. GL_SRGB8_ALPHA8
    std::int32_t width = 0;
    std::int32_t height = 0;
    ViewPose pose;
    ViewFov fov;
    std::int64_t displayTime = 0;  // XrTime the frame will be shown at (nanoseconds)
    std::uint64_t frameIndex = 0;  // counts the session's rendered frames from 0
};

// Runs on the frame thread, once per eye per rendered frame. It must not throw; an exception
// stops the frame loop with an error (reported by OpenXrBackend::poll()).
using RenderCallback = std::function<void(const EyeRender&)>;

// One frame loop iteration, in nanoseconds. Elapsed (wall-clock) time blocked in xrWaitFrame;
// from xrBeginFrame through the last swapchain release (locate, acquire, render callbacks,
// release); in xrEndFrame. And the CPU time the frame thread itself used from the end of
// xrWaitFrame to the end of xrEndFrame (CLOCK_THREAD_CPUTIME_ID): the application's own CPU cost
// of the frame, which time spent preempted by other processes does not inflate.
struct FrameTiming {
    std::int64_t waitNs = 0;
    std::int64_t renderNs = 0;
    std::int64_t submitNs = 0;
    std::int64_t cpuNs = 0;
    bool rendered = false;  // false when the runtime said not to render (no projection layer)
};

// Percentiles of a run of frame timings (nearest rank), in nanoseconds.
struct TimingSummary {
    std::size_t frames = 0;
    std::int64_t waitP50 = 0, waitP99 = 0;
    std::int64_t renderP50 = 0, renderP99 = 0;
    std::int64_t submitP50 = 0, submitP99 = 0;
    std::int64_t busyP50 = 0, busyP99 = 0;  // render + submit: the application's own frame time
    std::int64_t cpuP50 = 0, cpuP99 = 0;    // the frame thread's CPU time (FrameTiming::cpuNs)
};

[[nodiscard]] TimingSummary summarizeTimings(const std::vector<FrameTiming>& timings);

} // namespace twinseal::xr
