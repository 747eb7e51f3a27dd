#include <twinseal/xr/glx_surface.h>

#include <X11/Xlib.h>
#define GL_GLEXT_PROTOTYPES 1
#include <GL/gl.h>
#include <GL/glext.h>
#include <GL/glx.h>

#include <string>

namespace twinseal::xr {

Result<std::unique_ptr<GlxContextSurface>> GlxContextSurface::create(void* displayHandle, void* contextHandle) {
    auto* display = static_cast<Display*>(displayHandle);
    auto context = static_cast<GLXContext>(contextHandle);
    if (display == nullptr || context == nullptr)
        return Error{ErrorCode::Unsupported, "There is no X11 display or GLX context to render to the headset with."};
    int configId = 0;
    if (glXQueryContext(display, context, GLX_FBCONFIG_ID, &configId) != Success || configId == 0)
        return Error{ErrorCode::Unsupported,
                     "GLX cannot describe the window's OpenGL context (glXQueryContext GLX_FBCONFIG_ID failed)."};
    int screen = DefaultScreen(display);
    if (glXQueryContext(display, context, GLX_SCREEN, &screen) != Success)
        screen = DefaultScreen(display);
    const int wanted[] = {GLX_FBCONFIG_ID, configId, None};
    int count = 0;
    GLXFBConfig* configs = glXChooseFBConfig(display, screen, wanted, &count);
    if (configs == nullptr || count == 0) {
        if (configs != nullptr)
            XFree(configs);
        return Error{ErrorCode::Unsupported, "GLX has no framebuffer configuration " +
                                                 std::to_string(configId) + " for the window's OpenGL context."};
    }
    GLXFBConfig config = configs[0];
    XFree(configs);
    int drawableTypes = 0;
    glXGetFBConfigAttrib(display, config, GLX_DRAWABLE_TYPE, &drawableTypes);
    if ((drawableTypes & GLX_PBUFFER_BIT) == 0)
        return Error{ErrorCode::Unsupported,
                     "The window's OpenGL configuration has no pbuffer support, which the headset's frame thread needs."};
    const int pbufferAttributes[] = {GLX_PBUFFER_WIDTH, 16, GLX_PBUFFER_HEIGHT, 16, None};
    const GLXPbuffer pbuffer = glXCreatePbuffer(display, config, pbufferAttributes);
    if (pbuffer == 0)
        return Error{ErrorCode::Unsupported, "glXCreatePbuffer failed for the headset's frame thread."};
    int visual = 0;
    glXGetFBConfigAttrib(display, config, GLX_VISUAL_ID, &visual);
    std::unique_ptr<GlxContextSurface> surface(new GlxContextSurface());
    surface->binding_.display = display;
    surface->binding_.fbConfig = config;
    surface->binding_.drawable = pbuffer;
    surface->binding_.context = context;
    surface->binding_.visualId = static_cast<std::uint32_t>(visual);
    return surface;
}

GlxContextSurface::~GlxContextSurface() {
    if (binding_.display != nullptr && binding_.drawable != 0)
        glXDestroyPbuffer(static_cast<Display*>(binding_.display), static_cast<GLXPbuffer>(binding_.drawable));
}

RenderCallback clearColourRenderer(float red, float green, float blue) {
    return [red, green, blue](const EyeRender& eye) {
        GLuint fbo = 0;
        glGenFramebuffers(1, &fbo);
        glBindFramebuffer(GL_FRAMEBUFFER, fbo);
        glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, eye.texture, 0);
        if (glCheckFramebufferStatus(GL_FRAMEBUFFER) == GL_FRAMEBUFFER_COMPLETE) {
            glViewport(0, 0, eye.width, eye.height);
            glDisable(GL_SCISSOR_TEST);
            glClearColor(red, green, blue, 1.0f);
            glClear(GL_COLOR_BUFFER_BIT);
        }
        glBindFramebuffer(GL_FRAMEBUFFER, 0);
        glDeleteFramebuffers(1, &fbo);
    };
}

} // namespace twinseal::xr
