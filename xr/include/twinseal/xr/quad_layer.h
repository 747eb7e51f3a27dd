// Composition layers beyond the projection: quad layers (XrCompositionLayerQuad), each with its
// own swapchain, pose, size and space, and its own content. The frame loop submits them after the
// projection layer, in the order given, except that a layer marked `trusted` always goes last
// (on top of everything else the application submits). No OpenXR or GL type appears here.
//
// Content: the frame thread only copies a ready image into the acquired swapchain image (the
// application draws on its own thread and publishes the result through a QuadPixelSource), so
// the frame thread's work stays tiny.
#pragma once

#include <twinseal/xr/frame.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace twinseal::xr {

// Which reference space a quad is placed in.
enum class LayerSpace {
    // World-locked: stays where it is put while the head moves (panels). Its pose is relative to
    // where the head was when last recentered, turned by the head's yaw only (kept level): at the
    // session's start the LOCAL origin, and again on a Recenter press (input.h) or when the
    // runtime announces a new LOCAL origin (XrEventDataReferenceSpaceChangePending).
    Local,
    View,   // head-locked: follows the head (allowed for the trusted verification layer)
};

// One frame's content request for a quad: draw into `texture` (a GL_TEXTURE_2D of width x height
// in `format`, one of the swapchain's images, `imageIndex` of `imageCount`) with the GL context
// current. Return false to leave the quad out of this frame (nothing to show).
struct QuadRender {
    std::uint32_t texture = 0;
    std::uint32_t imageIndex = 0;
    std::uint32_t imageCount = 0;
    std::int64_t format = 0;
    std::int32_t width = 0;
    std::int32_t height = 0;
    std::uint64_t frameIndex = 0;
    std::uint64_t swapchainSerial = 0;  // changes whenever the quad's swapchain is made again
};
using QuadRenderCallback = std::function<bool(const QuadRender&)>;

struct QuadLayerConfig {
    std::string name;                   // for errors, e.g. "trusted verification layer"
    LayerSpace space = LayerSpace::Local;
    ViewPose pose;                      // the quad's centre and orientation in `space` (Local: see above)
    float widthMetres = 0.5f;           // the quad's size in the world
    float heightMetres = 0.5f;
    std::int32_t widthPixels = 512;     // its swapchain's image size
    std::int32_t heightPixels = 512;
    bool trusted = false;               // submitted last, above every other layer
    QuadRenderCallback render;          // called on the frame thread, once per rendered frame
};

// The order quads are submitted in: the given order, trusted layers moved to the end (stable).
[[nodiscard]] std::vector<std::size_t> quadSubmissionOrder(const std::vector<QuadLayerConfig>& quads);

// A ready image handed from the application's thread to the frame thread: RGBA8, rows top-down
// (as QImage::Format_RGBA8888 stores them). publish() copies it under a lock; the frame thread
// uploads it into each swapchain image once per new version (glTexSubImage2D), so an unchanged
// image costs nothing per frame.
class QuadPixelSource {
public:
    // Replaces the image. `rgba` holds width * height * 4 bytes. An image of another size than
    // the swapchain's is refused by the frame thread (the quad is left out).
    void publish(std::int32_t width, std::int32_t height, std::vector<std::uint8_t> rgba);
    // Hides the quad (no layer is submitted until the next publish()).
    void clear();
    // How many images were published so far.
    [[nodiscard]] std::uint64_t version() const;

    // The render callback that copies the newest image into the swapchain (see QuadRender).
    [[nodiscard]] QuadRenderCallback renderer();

private:
    bool upload(const QuadRender& target);

    mutable std::mutex mutex_;
    std::int32_t width_ = 0;
    std::int32_t height_ = 0;
    std::vector<std::uint8_t> rgba_;
    std::uint64_t version_ = 0;
    bool visible_ = false;
    std::vector<std::uint64_t> uploaded_;  // frame thread: the version in each swapchain image
    std::uint64_t serial_ = 0;             // of the swapchain `uploaded_` describes
};

} // namespace twinseal::xr
