// The tests' render callback: clears each eye's swapchain texture to the eye's colour (left red,
// right blue) and draws a white square in the eye's own quarter (left: x from w/8, right: x from
// 5w/8; y from h/4; w/4 x h/2), through a framebuffer object on the frame thread. It remembers
// the last EyeRender of each eye and any GL failure.
#pragma once

#include <twinseal/xr/frame.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>

namespace twinseal::xr::test {

inline constexpr std::uint32_t kLeftColour = 0xFF0000FFu;   // RGBA
inline constexpr std::uint32_t kRightColour = 0x0000FFFFu;
inline constexpr std::uint32_t kMarkerColour = 0xFFFFFFFFu;

class EyePainter {
public:
    // The callback to hand to OpenXrOptions::render (captures this painter).
    RenderCallback callback();

    [[nodiscard]] std::array<EyeRender, 2> lastViews() const;
    [[nodiscard]] std::uint64_t calls() const noexcept { return calls_.load(); }
    [[nodiscard]] std::string glError() const;
    // Makes every later call throw (to test that the loop survives a failing callback).
    void throwFromNow() noexcept { throwing_ = true; }

    // Where eye `eye`'s marker square starts, for images of width w / height h.
    static std::uint32_t markerX(std::uint32_t eye, std::uint32_t w) { return eye == 0 ? w / 8 : 5 * w / 8; }
    static std::uint32_t markerY(std::uint32_t h) { return h / 4; }

private:
    void paint(const EyeRender& eye);

    mutable std::mutex mutex_;
    std::array<EyeRender, 2> last_{};
    std::string glError_;
    std::atomic<std::uint64_t> calls_{0};
    std::atomic<bool> throwing_{false};
};

} // namespace twinseal::xr::test
