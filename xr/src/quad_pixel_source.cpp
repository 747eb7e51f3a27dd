#include <twinseal/xr/quad_layer.h>

#include <GL/gl.h>

#include <algorithm>
#include <cstring>
#include <utility>

namespace twinseal::xr {

std::vector<std::size_t> quadSubmissionOrder(const std::vector<QuadLayerConfig>& quads) {
    std::vector<std::size_t> order;
    order.reserve(quads.size());
    for (std::size_t i = 0; i < quads.size(); ++i)
        if (!quads[i].trusted)
            order.push_back(i);
    for (std::size_t i = 0; i < quads.size(); ++i)
        if (quads[i].trusted)
            order.push_back(i);
    return order;
}

void QuadPixelSource::publish(std::int32_t width, std::int32_t height, std::vector<std::uint8_t> rgba) {
    // Stored bottom-up, as OpenGL (and so an OpenXR OpenGL swapchain image) keeps rows.
    const std::size_t row = std::size_t(std::max(width, 0)) * 4;
    std::vector<std::uint8_t> flipped(rgba.size());
    const std::size_t rows = row == 0 ? 0 : rgba.size() / row;
    for (std::size_t y = 0; y < rows; ++y)
        std::memcpy(flipped.data() + (rows - 1 - y) * row, rgba.data() + y * row, row);
    std::lock_guard lock(mutex_);
    width_ = width;
    height_ = height;
    rgba_ = std::move(flipped);
    ++version_;
    visible_ = true;
}

void QuadPixelSource::clear() {
    std::lock_guard lock(mutex_);
    visible_ = false;
}

std::uint64_t QuadPixelSource::version() const {
    std::lock_guard lock(mutex_);
    return version_;
}

QuadRenderCallback QuadPixelSource::renderer() {
    return [this](const QuadRender& target) { return upload(target); };
}

bool QuadPixelSource::upload(const QuadRender& target) {
    std::lock_guard lock(mutex_);
    if (!visible_ || width_ != target.width || height_ != target.height ||
        rgba_.size() != std::size_t(width_) * std::size_t(height_) * 4)
        return false;
    if (uploaded_.size() != target.imageCount || serial_ != target.swapchainSerial) {
        uploaded_.assign(target.imageCount, 0);  // a new swapchain holds nothing yet
        serial_ = target.swapchainSerial;
    }
    if (target.imageIndex >= uploaded_.size())
        return false;
    if (uploaded_[target.imageIndex] == version_)
        return true;  // this swapchain image already holds the newest picture
    GLint previous = 0;
    glGetIntegerv(GL_TEXTURE_BINDING_2D, &previous);
    GLint unpack = 4;
    glGetIntegerv(GL_UNPACK_ALIGNMENT, &unpack);
    glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
    glBindTexture(GL_TEXTURE_2D, target.texture);
    glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, width_, height_, GL_RGBA, GL_UNSIGNED_BYTE, rgba_.data());
    glBindTexture(GL_TEXTURE_2D, static_cast<GLuint>(previous));
    glPixelStorei(GL_UNPACK_ALIGNMENT, unpack);
    if (glGetError() != GL_NO_ERROR)
        return false;
    uploaded_[target.imageIndex] = version_;
    return true;
}

} // namespace twinseal::xr
