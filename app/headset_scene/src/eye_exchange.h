// The hand-over of finished eye images from the GUI thread (where Qt Quick renders the call room
// into textures of the headset's share group) to the XR frame thread (which copies the newest one
// into the runtime's swapchain image). Three textures per eye: the newest finished one, possibly
// one the frame thread is still copying, and one the GUI thread renders into. OpenGL fences order
// the two contexts: the frame thread waits (on the GPU) for the rendering fence before copying, the
// GUI thread for the copy's fence before rendering into that texture again. The mutex guards only
// the bookkeeping; no GL call waits on the CPU while holding it.
#pragma once

#include <twinseal/xr/frame.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>

namespace twinseal::headset::detail {

// What the frame thread last located for one eye.
struct EyeView {
    bool valid = false;
    xr::ViewPose pose;
    xr::ViewFov fov;
    std::int32_t width = 0;
    std::int32_t height = 0;
};

class EyeExchange {
public:
    static constexpr int kSlots = 3;

    // ---- the frame thread (the headset's GL context current) ----
    // Records the eye's view; after the last eye of a frame, asks the GUI thread for new images
    // (once: requests do not pile up while one is pending).
    void publish(const xr::EyeRender& eye);
    // Copies the newest finished image of `eye.eye` into `eye.texture`; without one yet, clears it
    // to the room's background. Never blocks on the CPU.
    void copyNewest(const xr::EyeRender& eye);

    // ---- the GUI thread (the scene's GL context current) ----
    [[nodiscard]] std::array<EyeView, 2> views();
    // The slot to render eye `eye` into next, its texture sized width x height (made or remade
    // here); the GPU waits for any copy still reading it. Returns its texture name.
    std::uint32_t beginWrite(std::uint32_t eye, std::int32_t width, std::int32_t height, int& index);
    // The slot's image is finished once the GPU passes the fence made here: it becomes the newest.
    void endWrite(std::uint32_t eye, int index);
    // Deletes every texture and fence (the GUI thread, once the frame thread stopped).
    void release();

    // Who renders the next images when the frame thread asks: called on the frame thread, so it
    // must only post work to the GUI thread. Cleared (null) before the GUI side goes away.
    void setRequester(std::function<void()> requester);
    // The GUI thread took the request (before rendering), so the next frame may ask again.
    void requestTaken() noexcept { m_requested.store(false); }
    // Frames the frame thread copied a finished image into, since this object was made.
    [[nodiscard]] std::uint64_t framesCopied() const noexcept { return m_copied.load(); }

private:
    struct Slot {
        std::uint32_t texture = 0;
        std::int32_t width = 0;
        std::int32_t height = 0;
        void* rendered = nullptr;  // GLsync: the GUI thread's rendering of this image
        void* copied = nullptr;    // GLsync: the frame thread's last copy out of it
        bool reading = false;      // the frame thread is copying out of it
    };

    std::mutex m_mutex;
    std::array<EyeView, 2> m_views{};
    std::array<std::array<Slot, kSlots>, 2> m_slots{};
    std::array<int, 2> m_newest{-1, -1};
    std::function<void()> m_requester;
    std::atomic<bool> m_requested{false};
    std::atomic<std::uint64_t> m_copied{0};
};

} // namespace twinseal::headset::detail
