#include "eye_painter.h"

#define GL_GLEXT_PROTOTYPES 1
#include <GL/gl.h>
#include <GL/glext.h>

#include <stdexcept>

namespace twinseal::xr::test {

namespace {

void clearTo(std::uint32_t rgba) {
    glClearColor(float((rgba >> 24) & 0xFF) / 255.0f, float((rgba >> 16) & 0xFF) / 255.0f,
                 float((rgba >> 8) & 0xFF) / 255.0f, float(rgba & 0xFF) / 255.0f);
    glClear(GL_COLOR_BUFFER_BIT);
}

} // namespace

RenderCallback EyePainter::callback() {
    return [this](const EyeRender& eye) { paint(eye); };
}

std::array<EyeRender, 2> EyePainter::lastViews() const {
    std::lock_guard lock(mutex_);
    return last_;
}

std::string EyePainter::glError() const {
    std::lock_guard lock(mutex_);
    return glError_;
}

void EyePainter::paint(const EyeRender& eye) {
    ++calls_;
    if (throwing_.load())
        throw std::runtime_error("scripted render failure");
    GLuint fbo = 0;
    glGenFramebuffers(1, &fbo);
    glBindFramebuffer(GL_FRAMEBUFFER, fbo);
    glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, eye.texture, 0);
    const GLenum status = glCheckFramebufferStatus(GL_FRAMEBUFFER);
    if (status == GL_FRAMEBUFFER_COMPLETE) {
        glViewport(0, 0, eye.width, eye.height);
        glDisable(GL_SCISSOR_TEST);
        clearTo(eye.eye == 0 ? kLeftColour : kRightColour);
        const auto w = static_cast<std::uint32_t>(eye.width);
        const auto h = static_cast<std::uint32_t>(eye.height);
        glEnable(GL_SCISSOR_TEST);
        glScissor(GLint(markerX(eye.eye, w)), GLint(markerY(h)), GLsizei(w / 4), GLsizei(h / 2));
        clearTo(kMarkerColour);
        glDisable(GL_SCISSOR_TEST);
    }
    glBindFramebuffer(GL_FRAMEBUFFER, 0);
    glDeleteFramebuffers(1, &fbo);
    const GLenum error = glGetError();

    std::lock_guard lock(mutex_);
    if (eye.eye < last_.size())
        last_[eye.eye] = eye;
    if (glError_.empty() && status != GL_FRAMEBUFFER_COMPLETE)
        glError_ = "framebuffer incomplete: " + std::to_string(status);
    if (glError_.empty() && error != GL_NO_ERROR)
        glError_ = "GL error " + std::to_string(error);
}

} // namespace twinseal::xr::test
