#include "eye_exchange.h"
#include "eye_target.h"

#define GL_GLEXT_PROTOTYPES 1
#include <GL/gl.h>
#include <GL/glext.h>

#include <utility>

namespace twinseal::headset::detail {

namespace {

// The room's background (HeadsetRoom.qml), shown until the first image is finished.
constexpr float kBackground[3] = {0x1b / 255.0f, 0x21 / 255.0f, 0x28 / 255.0f};

GLsync asSync(void* s) { return static_cast<GLsync>(s); }

} // namespace

void EyeExchange::publish(const xr::EyeRender& eye) {
    if (eye.eye > 1)
        return;
    std::lock_guard lock(m_mutex);
    EyeView& v = m_views[eye.eye];
    v.valid = true;
    v.pose = eye.pose;
    v.fov = eye.fov;
    v.width = eye.width;
    v.height = eye.height;
    // Posts an event; under the lock, so the GUI side cannot go away meanwhile.
    if (eye.eye == 1 && m_requester && !m_requested.exchange(true))
        m_requester();
}

void EyeExchange::copyNewest(const xr::EyeRender& eye) {
    if (eye.eye > 1)
        return;
    Slot* slot = nullptr;
    GLsync rendered = nullptr;
    {
        std::lock_guard lock(m_mutex);
        const int newest = m_newest[eye.eye];
        if (newest >= 0) {
            slot = &m_slots[eye.eye][static_cast<std::size_t>(newest)];
            slot->reading = true;
            rendered = asSync(slot->rendered);
        }
    }
    GLuint fbos[2] = {0, 0};
    glGenFramebuffers(2, fbos);
    glBindFramebuffer(GL_DRAW_FRAMEBUFFER, fbos[1]);
    glFramebufferTexture2D(GL_DRAW_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, eye.texture, 0);
    // The images hold sRGB-encoded colours already (Qt Quick's): copy them as they are.
    glDisable(GL_FRAMEBUFFER_SRGB);
    glDisable(GL_SCISSOR_TEST);
    if (slot == nullptr) {
        glViewport(0, 0, eye.width, eye.height);
        glClearColor(kBackground[0], kBackground[1], kBackground[2], 1.0f);
        glClear(GL_COLOR_BUFFER_BIT);
    } else {
        if (rendered != nullptr)
            glWaitSync(rendered, 0, GL_TIMEOUT_IGNORED);  // the GPU waits, not this thread
        glBindFramebuffer(GL_READ_FRAMEBUFFER, fbos[0]);
        glFramebufferTexture2D(GL_READ_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, slot->texture, 0);
        const bool same = slot->width == eye.width && slot->height == eye.height;
        glBlitFramebuffer(0, 0, slot->width, slot->height, 0, 0, eye.width, eye.height, GL_COLOR_BUFFER_BIT,
                          same ? GL_NEAREST : GL_LINEAR);
    }
    glBindFramebuffer(GL_READ_FRAMEBUFFER, 0);
    glBindFramebuffer(GL_DRAW_FRAMEBUFFER, 0);
    glDeleteFramebuffers(2, fbos);
    if (slot == nullptr)
        return;
    GLsync copied = glFenceSync(GL_SYNC_GPU_COMMANDS_COMPLETE, 0);
    glFlush();  // so the GUI thread's context can wait for it
    std::lock_guard lock(m_mutex);
    if (slot->copied != nullptr)
        glDeleteSync(asSync(slot->copied));
    slot->copied = copied;
    slot->reading = false;
    if (eye.eye == 1)
        ++m_copied;
}

std::array<EyeView, 2> EyeExchange::views() {
    std::lock_guard lock(m_mutex);
    return m_views;
}

std::uint32_t EyeExchange::beginWrite(std::uint32_t eye, std::int32_t width, std::int32_t height, int& index) {
    GLsync copied = nullptr;
    Slot* slot = nullptr;
    {
        std::lock_guard lock(m_mutex);
        // With three slots one is always free: at most one is the newest and one being read.
        for (int i = 0; i < kSlots && slot == nullptr; ++i) {
            Slot& s = m_slots[eye][static_cast<std::size_t>(i)];
            if (i != m_newest[eye] && !s.reading) {
                slot = &s;
                index = i;
            }
        }
        if (slot == nullptr)
            return 0;
        copied = asSync(std::exchange(slot->copied, nullptr));
    }
    if (copied != nullptr) {
        glWaitSync(copied, 0, GL_TIMEOUT_IGNORED);
        glDeleteSync(copied);
    }
    if (slot->texture == 0 || slot->width != width || slot->height != height) {
        if (slot->texture != 0) {
            const GLuint old = slot->texture;
            glDeleteTextures(1, &old);
        }
        slot->texture = makeEyeTexture(width, height);
        slot->width = width;
        slot->height = height;
    }
    return slot->texture;
}

void EyeExchange::endWrite(std::uint32_t eye, int index) {
    GLsync rendered = glFenceSync(GL_SYNC_GPU_COMMANDS_COMPLETE, 0);
    glFlush();  // so the frame thread's context can wait for it
    std::lock_guard lock(m_mutex);
    Slot& slot = m_slots[eye][static_cast<std::size_t>(index)];
    if (slot.rendered != nullptr)
        glDeleteSync(asSync(slot.rendered));
    slot.rendered = rendered;
    m_newest[eye] = index;
}

void EyeExchange::release() {
    std::lock_guard lock(m_mutex);
    for (auto& eye : m_slots) {
        for (Slot& s : eye) {
            if (s.rendered != nullptr)
                glDeleteSync(asSync(s.rendered));
            if (s.copied != nullptr)
                glDeleteSync(asSync(s.copied));
            if (s.texture != 0) {
                const GLuint t = s.texture;
                glDeleteTextures(1, &t);
            }
            s = Slot{};
        }
    }
    m_newest = {-1, -1};
    m_views = {};
}

void EyeExchange::setRequester(std::function<void()> requester) {
    std::lock_guard lock(m_mutex);
    m_requester = std::move(requester);
    m_requested.store(false);
}

} // namespace twinseal::headset::detail
