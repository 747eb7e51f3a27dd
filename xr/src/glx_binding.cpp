#include "glx_binding.h"

#include <X11/Xlib.h>
#include <GL/gl.h>
#include <GL/glx.h>

#define XR_USE_PLATFORM_XLIB
#define XR_USE_GRAPHICS_API_OPENGL
#include <openxr/openxr_platform.h>

#include <charconv>
#include <cstring>

namespace twinseal::xr::detail {

XrResult createGlxSession(XrInstance instance, XrSystemId system, const GlxHandles& glx,
                          XrSession* session) {
    XrGraphicsBindingOpenGLXlibKHR binding{};
    binding.type = XR_TYPE_GRAPHICS_BINDING_OPENGL_XLIB_KHR;
    binding.next = nullptr;
    binding.xDisplay = static_cast<Display*>(glx.display);
    binding.visualid = glx.visualId;
    binding.glxFBConfig = static_cast<GLXFBConfig>(glx.fbConfig);
    binding.glxDrawable = static_cast<GLXDrawable>(glx.drawable);
    binding.glxContext = static_cast<GLXContext>(glx.context);

    XrSessionCreateInfo info{};
    info.type = XR_TYPE_SESSION_CREATE_INFO;
    info.next = &binding;
    info.systemId = system;
    return xrCreateSession(instance, &info, session);
}

XrResult getGlRequirements(XrInstance instance, XrSystemId system, XrVersion& minVersion,
                           XrVersion& maxVersion, std::string& call) {
    PFN_xrGetOpenGLGraphicsRequirementsKHR get = nullptr;
    call = "xrGetInstanceProcAddr(xrGetOpenGLGraphicsRequirementsKHR)";
    XrResult r = xrGetInstanceProcAddr(instance, "xrGetOpenGLGraphicsRequirementsKHR",
                                       reinterpret_cast<PFN_xrVoidFunction*>(&get));
    if (XR_FAILED(r))
        return r;
    if (get == nullptr)
        return XR_ERROR_FUNCTION_UNSUPPORTED;
    call = "xrGetOpenGLGraphicsRequirementsKHR";
    XrGraphicsRequirementsOpenGLKHR req{};
    req.type = XR_TYPE_GRAPHICS_REQUIREMENTS_OPENGL_KHR;
    r = get(instance, system, &req);
    if (XR_SUCCEEDED(r)) {
        minVersion = req.minApiVersionSupported;
        maxVersion = req.maxApiVersionSupported;
    }
    return r;
}

XrResult enumerateGlImages(XrSwapchain swapchain, std::vector<std::uint32_t>& textures) {
    textures.clear();
    std::uint32_t count = 0;
    XrResult r = xrEnumerateSwapchainImages(swapchain, 0, &count, nullptr);
    if (XR_FAILED(r))
        return r;
    XrSwapchainImageOpenGLKHR blank{};
    blank.type = XR_TYPE_SWAPCHAIN_IMAGE_OPENGL_KHR;
    std::vector<XrSwapchainImageOpenGLKHR> images(count, blank);
    r = xrEnumerateSwapchainImages(
        swapchain, count, &count, reinterpret_cast<XrSwapchainImageBaseHeader*>(images.data()));
    if (XR_FAILED(r))
        return r;
    for (std::uint32_t i = 0; i < count && i < images.size(); ++i)
        textures.push_back(images[i].image);
    return r;
}

bool makeCurrent(const GlxHandles& glx) {
    return glXMakeCurrent(static_cast<Display*>(glx.display), static_cast<GLXDrawable>(glx.drawable),
                          static_cast<GLXContext>(glx.context)) == True;
}

void releaseCurrent(const GlxHandles& glx) {
    glXMakeCurrent(static_cast<Display*>(glx.display), None, nullptr);
}

bool currentGlVersion(int& major, int& minor) {
    if (glXGetCurrentContext() == nullptr)
        return false;
    const auto* text = reinterpret_cast<const char*>(glGetString(GL_VERSION));
    if (text == nullptr)
        return false;
    // "major.minor[.release][ vendor text]"
    const char* end = text + std::strlen(text);
    const auto first = std::from_chars(text, end, major);
    if (first.ec != std::errc() || first.ptr == end || *first.ptr != '.')
        return false;
    return std::from_chars(first.ptr + 1, end, minor).ec == std::errc();
}

} // namespace twinseal::xr::detail
