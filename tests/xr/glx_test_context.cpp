#include "glx_test_context.h"

#include <X11/Xlib.h>
#include <GL/gl.h>
#include <GL/glx.h>

namespace twinseal::xr::test {

namespace {

// One X connection for the whole process, never closed: closing the last one unloads Mesa's DRI
// driver, whose one-time allocations LeakSanitizer would then report from an unknown module.
Display* sharedDisplay() {
    static Display* display = [] {
        XInitThreads();  // the backend makes the context current on its own thread
        return XOpenDisplay(nullptr);
    }();
    return display;
}

} // namespace

GlxTestContext::GlxTestContext() {
    Display* display = sharedDisplay();
    if (display == nullptr) {
        error_ = "no X display (run the test under xvfb-run)";
        return;
    }
    const int attributes[] = {GLX_X_RENDERABLE, True, GLX_DRAWABLE_TYPE, GLX_PBUFFER_BIT,
                              GLX_RENDER_TYPE, GLX_RGBA_BIT, GLX_RED_SIZE, 8, GLX_GREEN_SIZE, 8,
                              GLX_BLUE_SIZE, 8, GLX_ALPHA_SIZE, 8, None};
    int count = 0;
    GLXFBConfig* configs = glXChooseFBConfig(display, DefaultScreen(display), attributes, &count);
    if (configs == nullptr || count == 0) {
        error_ = "no GLX framebuffer configuration with RGBA8 and pbuffers";
        if (configs != nullptr)
            XFree(configs);
        return;
    }
    GLXFBConfig config = configs[0];
    XFree(configs);
    const int pbufferAttributes[] = {GLX_PBUFFER_WIDTH, 16, GLX_PBUFFER_HEIGHT, 16, None};
    const GLXPbuffer pbuffer = glXCreatePbuffer(display, config, pbufferAttributes);
    GLXContext context = glXCreateNewContext(display, config, GLX_RGBA_TYPE, nullptr, True);
    if (pbuffer == 0 || context == nullptr) {
        error_ = "glXCreatePbuffer or glXCreateNewContext failed";
        if (context != nullptr)
            glXDestroyContext(display, context);
        if (pbuffer != 0)
            glXDestroyPbuffer(display, pbuffer);
        return;
    }
    int visual = 0;
    glXGetFBConfigAttrib(display, config, GLX_VISUAL_ID, &visual);
    if (glXMakeContextCurrent(display, pbuffer, pbuffer, context) == True) {
        if (const auto* r = reinterpret_cast<const char*>(glGetString(GL_RENDERER)))
            renderer_ = r;
        glXMakeContextCurrent(display, None, None, nullptr);  // the backend's thread takes it
    }
    binding_.display = display;
    binding_.fbConfig = config;
    binding_.drawable = pbuffer;
    binding_.context = context;
    binding_.visualId = static_cast<std::uint32_t>(visual);
}

GlxTestContext::~GlxTestContext() {
    if (!ok())
        return;
    auto* display = static_cast<Display*>(binding_.display);
    glXDestroyContext(display, static_cast<GLXContext>(binding_.context));
    glXDestroyPbuffer(display, static_cast<GLXPbuffer>(binding_.drawable));
}

} // namespace twinseal::xr::test
