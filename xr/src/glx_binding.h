// The Xlib/GLX side of XR_KHR_opengl_enable, kept in one translation unit: Xlib's macros
// (Status, None, Bool, ...) must never meet TwinSeal's headers. Everything here speaks OpenXR
// handles and the caller's opaque native handles only.
#pragma once

#include <openxr/openxr.h>

#include <cstdint>
#include <string>
#include <vector>

namespace twinseal::xr::detail {

// GL internal formats a swapchain may use (from GL/glext.h).
inline constexpr std::int64_t kGlSrgb8Alpha8 = 0x8C43;
inline constexpr std::int64_t kGlRgba8 = 0x8058;

struct GlxHandles {
    void* display = nullptr;   // Display*
    void* fbConfig = nullptr;  // GLXFBConfig
    std::uint64_t drawable = 0; // GLXDrawable
    void* context = nullptr;   // GLXContext
    std::uint32_t visualId = 0;
};

// xrCreateSession with XrGraphicsBindingOpenGLXlibKHR chained.
XrResult createGlxSession(XrInstance instance, XrSystemId system, const GlxHandles& glx,
                          XrSession* session);

// xrGetOpenGLGraphicsRequirementsKHR through xrGetInstanceProcAddr (an extension command).
// `call` names the call that failed.
XrResult getGlRequirements(XrInstance instance, XrSystemId system, XrVersion& minVersion,
                           XrVersion& maxVersion, std::string& call);

// xrEnumerateSwapchainImages with XrSwapchainImageOpenGLKHR: the GL texture names.
XrResult enumerateGlImages(XrSwapchain swapchain, std::vector<std::uint32_t>& textures);

// Makes the context current on the calling thread (glXMakeCurrent); false when GLX refuses.
bool makeCurrent(const GlxHandles& glx);
// Releases whatever context is current on the calling thread for this display.
void releaseCurrent(const GlxHandles& glx);
// The current context's GL version (GL_VERSION), e.g. 4.5; false when none is current.
bool currentGlVersion(int& major, int& minor);

} // namespace twinseal::xr::detail
