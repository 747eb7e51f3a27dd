// A GLX context for the XR tests: plain Xlib + GLX on the X display the test runs under
// (xvfb-run: Mesa llvmpipe), drawing into a small pbuffer. X11 types stay in the .cpp.
#pragma once

#include <twinseal/xr/frame.h>

#include <string>

namespace twinseal::xr::test {

class GlxTestContext {
public:
    GlxTestContext();  // see ok() / error()
    ~GlxTestContext();
    GlxTestContext(const GlxTestContext&) = delete;
    GlxTestContext& operator=(const GlxTestContext&) = delete;

    [[nodiscard]] bool ok() const noexcept { return binding_.complete(); }
    [[nodiscard]] const std::string& error() const noexcept { return error_; }
    [[nodiscard]] const GlxBinding& binding() const noexcept { return binding_; }
    // GL_RENDERER of the context, e.g. "llvmpipe (LLVM 15.0.6, 256 bits)".
    [[nodiscard]] const std::string& renderer() const noexcept { return renderer_; }

private:
    GlxBinding binding_;
    std::string error_;
    std::string renderer_;
};

} // namespace twinseal::xr::test
