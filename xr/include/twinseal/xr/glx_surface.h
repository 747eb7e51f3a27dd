// A GlxBinding for a GLX context the application already has (e.g. the one behind a
// QOpenGLContext on Qt's xcb platform): the context's own framebuffer configuration (found by its
// GLX_FBCONFIG_ID) and a small pbuffer of that configuration to make it current on, so the frame
// thread never touches the application's windows. X11 and GLX types stay in the .cpp.
#pragma once

#include <twinseal/xr/frame.h>
#include <twinseal/xr/status.h>

#include <memory>

namespace twinseal::xr {

class GlxContextSurface {
public:
    // `display` is a Display*, `context` a GLXContext that is not current on any thread while
    // the session runs. Unsupported when GLX cannot describe the context or make a pbuffer.
    [[nodiscard]] static Result<std::unique_ptr<GlxContextSurface>> create(void* display, void* context);

    ~GlxContextSurface();  // destroys the pbuffer (the context stays the application's)
    GlxContextSurface(const GlxContextSurface&) = delete;
    GlxContextSurface& operator=(const GlxContextSurface&) = delete;

    [[nodiscard]] const GlxBinding& binding() const noexcept { return binding_; }

private:
    GlxContextSurface() = default;
    GlxBinding binding_;
};

// A render callback that clears each eye's swapchain texture to one colour (components 0..1),
// through a framebuffer object on the frame thread.
[[nodiscard]] RenderCallback clearColourRenderer(float red, float green, float blue);

} // namespace twinseal::xr
