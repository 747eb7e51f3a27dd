// The frame thread's side of the quad layers (twinseal/xr/quad_layer.h): one swapchain per quad,
// created and destroyed with the projection swapchains; each rendered frame acquires, fills
// (the quad's callback) and releases every quad's image and returns the XrCompositionLayerQuad
// structures to submit after the projection layer, trusted layers last.
#pragma once

#include <twinseal/xr/quad_layer.h>
#include <twinseal/xr/status.h>

#include <openxr/openxr.h>

#include <cstdint>
#include <vector>

namespace twinseal::xr::detail {

class QuadLayers {
public:
    // `local` and `view` are the session's LOCAL and VIEW reference spaces.
    void configure(std::vector<QuadLayerConfig> quads, XrSpace local, XrSpace view);
    [[nodiscard]] bool empty() const noexcept { return quads_.empty(); }

    Status createSwapchains(XrSession session, std::int64_t format);
    void destroySwapchains() noexcept;
    // Places every LOCAL quad relative to `head` (a pose in LOCAL): its configured pose turned by
    // the head's yaw (level: no pitch, no roll) and moved to the head's position.
    void recenter(const ViewPose& head);
    // Fills every quad for this frame; `out` receives the layers to submit, in submission order
    // (pointers into `out` stay valid until the next call).
    Status render(std::uint64_t frameIndex, std::vector<XrCompositionLayerQuad>& out);

private:
    struct Quad {
        QuadLayerConfig config;
        ViewPose pose;  // where it is submitted (config.pose until recentered)
        XrSwapchain swapchain = XR_NULL_HANDLE;
        std::vector<std::uint32_t> textures;
        std::uint64_t serial = 0;
    };
    std::vector<Quad> quads_;
    std::vector<std::size_t> order_;
    XrSpace local_ = XR_NULL_HANDLE;
    XrSpace view_ = XR_NULL_HANDLE;
    std::int64_t format_ = 0;
};

} // namespace twinseal::xr::detail
