#include "eye_target.h"

#define GL_GLEXT_PROTOTYPES 1
#include <GL/gl.h>
#include <GL/glext.h>

namespace twinseal::headset::detail {

std::uint32_t makeEyeTexture(std::int32_t width, std::int32_t height) {
    GLuint texture = 0;
    glGenTextures(1, &texture);
    glBindTexture(GL_TEXTURE_2D, texture);
    glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, width, height, 0, GL_RGBA, GL_UNSIGNED_BYTE, nullptr);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAX_LEVEL, 0);
    glBindTexture(GL_TEXTURE_2D, 0);
    return texture;
}

bool EyeTarget::ensure(std::int32_t width, std::int32_t height) {
    if (m_texture != 0 && m_width == width && m_height == height)
        return false;
    if (m_texture != 0) {
        const GLuint old = m_texture;
        glDeleteTextures(1, &old);
    }
    m_texture = makeEyeTexture(width, height);
    m_width = width;
    m_height = height;
    return true;
}

void EyeTarget::copyTo(std::uint32_t texture, std::int32_t width, std::int32_t height) {
    if (m_texture == 0 || texture == 0)
        return;
    if (m_read == 0) {
        GLuint fbos[2] = {0, 0};
        glGenFramebuffers(2, fbos);
        m_read = fbos[0];
        m_draw = fbos[1];
    }
    // Qt Quick's own state between its frames is left as it was.
    const GLboolean scissor = glIsEnabled(GL_SCISSOR_TEST);
    glDisable(GL_SCISSOR_TEST);
    glBindFramebuffer(GL_READ_FRAMEBUFFER, m_read);
    glFramebufferTexture2D(GL_READ_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, m_texture, 0);
    glBindFramebuffer(GL_DRAW_FRAMEBUFFER, m_draw);
    glFramebufferTexture2D(GL_DRAW_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, texture, 0);
    const bool same = width == m_width && height == m_height;
    glBlitFramebuffer(0, 0, m_width, m_height, 0, 0, width, height, GL_COLOR_BUFFER_BIT, same ? GL_NEAREST : GL_LINEAR);
    glBindFramebuffer(GL_READ_FRAMEBUFFER, 0);
    glBindFramebuffer(GL_DRAW_FRAMEBUFFER, 0);
    if (scissor == GL_TRUE)
        glEnable(GL_SCISSOR_TEST);
}

void EyeTarget::release() {
    if (m_read != 0) {
        const GLuint fbos[2] = {m_read, m_draw};
        glDeleteFramebuffers(2, fbos);
    }
    if (m_texture != 0) {
        const GLuint t = m_texture;
        glDeleteTextures(1, &t);
    }
    m_read = m_draw = m_texture = 0;
    m_width = m_height = 0;
}

} // namespace twinseal::headset::detail
