// The one texture Qt Quick renders the call room into, for both eyes in turn, kept from frame to
// frame: Qt Quick wraps a render target (its framebuffer and depth-stencil buffer) around the
// texture it is given, and makes that again whenever it is given another texture, so rendering
// straight into the exchange's rotating images would remake it for every eye of every frame.
// Each finished eye is copied from here into the exchange's image (a GPU blit). Made again only
// when the eyes' size changes. GUI thread, the scene's GL context current.
#pragma once

#include <cstdint>

namespace twinseal::headset::detail {

// A new RGBA8 texture of width x height (linear filtering, one level) for an eye's image; the
// caller owns it. The scene's GL context current.
[[nodiscard]] std::uint32_t makeEyeTexture(std::int32_t width, std::int32_t height);

class EyeTarget {
public:
    EyeTarget() = default;
    EyeTarget(const EyeTarget&) = delete;
    EyeTarget& operator=(const EyeTarget&) = delete;

    // Makes the texture width x height unless it already is; true when it was (re)made (Qt Quick
    // must then be given the new texture). The previous texture, if any, is deleted.
    bool ensure(std::int32_t width, std::int32_t height);
    [[nodiscard]] std::uint32_t texture() const noexcept { return m_texture; }
    [[nodiscard]] std::int32_t width() const noexcept { return m_width; }
    [[nodiscard]] std::int32_t height() const noexcept { return m_height; }

    // Copies the whole image into `texture` (a GL_TEXTURE_2D of width x height; scaled when the
    // sizes differ).
    void copyTo(std::uint32_t texture, std::int32_t width, std::int32_t height);
    // Deletes the texture and the framebuffers.
    void release();

private:
    std::uint32_t m_texture = 0;
    std::int32_t m_width = 0;
    std::int32_t m_height = 0;
    std::uint32_t m_read = 0;  // framebuffers for the copy, made once
    std::uint32_t m_draw = 0;
};

} // namespace twinseal::headset::detail
