// The OpenXR frame loop on a thread of its own (hello_xr's RenderFrame, without exceptions):
// xrWaitFrame -> xrBeginFrame -> xrLocateViews -> per eye acquire / wait / render / release ->
// xrEndFrame with one projection layer. The GL context is current on that thread while it runs;
// the swapchains are created there when the loop starts and destroyed when it stops.
#pragma once

#include <twinseal/xr/frame.h>
#include <twinseal/xr/status.h>

#include "glx_binding.h"
#include "quad_layers.h"

#include <array>
#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace twinseal::xr::detail {

struct FrameLoopConfig {
    XrSession session = XR_NULL_HANDLE;
    XrSpace space = XR_NULL_HANDLE;  // views are located and submitted in this space
    GlxHandles glx;
    XrVersion minGlVersion = 0;      // from xrGetOpenGLGraphicsRequirementsKHR
    std::int64_t format = 0;
    std::array<std::int32_t, 2> width{};
    std::array<std::int32_t, 2> height{};
    RenderCallback render;
    std::size_t timingCapacity = 4096;
    // Runs after each xrWaitFrame with the predicted display time (controller input: actions.h);
    // an error stops the loop.
    std::function<Status(XrTime)> afterWait;
    std::vector<QuadLayerConfig> quads;  // submitted after the projection layer (quad_layer.h)
    XrSpace viewSpace = XR_NULL_HANDLE;  // for head-locked quads
};

class FrameLoop {
public:
    FrameLoop() = default;
    FrameLoop(const FrameLoop&) = delete;
    FrameLoop& operator=(const FrameLoop&) = delete;
    ~FrameLoop() { stop(); }

    // Starts the thread (stopping a previous one first). Fails only when no thread can be made.
    Status start(FrameLoopConfig config);
    // Asks the loop to finish its frame and joins the thread. Safe to call at any time.
    void stop() noexcept;

    // True while the thread runs frames (false once it stopped by itself after an error).
    [[nodiscard]] bool running() const noexcept { return active_.load(); }
    // Frames ended with xrEndFrame since this object was made.
    [[nodiscard]] std::uint64_t framesSubmitted() const noexcept { return frames_.load(); }
    // The error that stopped the loop, once.
    std::optional<Error> takeError();
    // The timings collected so far (at most timingCapacity, the newest), oldest first.
    std::vector<FrameTiming> takeTimings();
    // Any thread: re-place the LOCAL quads in front of the head (QuadLayers::recenter) on the
    // first frame displayed at or after `notBefore` (an XrTime; 0: the next frame), located
    // where the head is at that frame's display time.
    void requestRecenter(std::int64_t notBefore) noexcept;

private:
    void run() noexcept;
    Status runFrames(std::uint64_t& frameIndex);
    Status createSwapchains();
    void destroySwapchains() noexcept;
    void recenterIfAsked(XrTime displayTime);
    Status renderFrame(std::int64_t displayTime, std::uint64_t frameIndex,
                       std::vector<XrCompositionLayerProjectionView>& out);
    void fail(Error error);
    void record(const FrameTiming& timing);

    FrameLoopConfig config_;
    std::thread thread_;
    std::atomic<bool> stopRequested_{false};
    std::atomic<bool> active_{false};
    std::atomic<std::uint64_t> frames_{0};
    std::atomic<std::int64_t> recenterAt_{-1};  // -1: none asked

    struct Eye {
        XrSwapchain swapchain = XR_NULL_HANDLE;
        std::vector<std::uint32_t> textures;
    };
    std::array<Eye, 2> eyes_{};  // frame thread only
    QuadLayers quads_;           // frame thread only

    std::mutex mutex_;  // guards error_ and timings_
    std::optional<Error> error_;
    std::deque<FrameTiming> timings_;
};

} // namespace twinseal::xr::detail
