// TwinSeal Test Runtime: a tiny OpenXR runtime that the real OpenXR loader loads through a
// runtime manifest (XR_RUNTIME_JSON). It exists so xr/ is tested through the real loader.
//
// It exports only xrNegotiateLoaderRuntimeInterface; everything else is reached through its
// xrGetInstanceProcAddr. Entry points are internal (rt*) functions, never global xr* symbols,
// so nothing can interpose on the loader's own exported xr* functions or the other way round.
//
// What it implements (OpenXR 1.0 core, XR_MND_headless and XR_KHR_opengl_enable on Xlib/GLX):
// instances and their properties, a simulated head-mounted display with two eyes, headless
// sessions and OpenGL sessions, reference spaces (VIEW, LOCAL, STAGE), swapchains whose images
// are real GL textures, a paced frame loop (xrWaitFrame / xrBeginFrame / xrEndFrame),
// xrLocateViews, and state events. Paths, actions, suggested bindings, action spaces and the
// scripted controller and head are in input.cpp. After xrBeginSession the session moves straight to FOCUSED,
// and xrRequestExitSession steps it back down to STOPPING.
//
// OpenGL: the swapchain textures are created in the application's own GL context, which must be
// current on the calling thread for xrCreateSwapchain, xrDestroySwapchain and xrEndFrame (as in
// hello_xr, where one thread renders and submits). xrEndFrame reads the submitted images back
// (glGetTexImage) and keeps the last projection layer and every layer of the last frame
// (projection and quad layers: type, order, pose, size, space, a quad's pixels; runtime/layers.*)
// for tests, through the C functions of test_runtime_control.h.
//
// Behaviour switches, read from the environment at call time:
//   TWINSEAL_TEST_RUNTIME_SYSTEM=1        xrGetSystem finds a head-mounted display (otherwise
//                                         XR_ERROR_FORM_FACTOR_UNAVAILABLE, like a runtime
//                                         with no headset connected)
//   TWINSEAL_TEST_RUNTIME_NO_HEADLESS=1   do not offer XR_MND_headless
//   TWINSEAL_TEST_RUNTIME_NO_OPENGL=1     do not offer XR_KHR_opengl_enable
//   TWINSEAL_TEST_RUNTIME_NO_STAGE=1      do not offer the STAGE reference space
//   TWINSEAL_TEST_RUNTIME_HZ=<n>          display refresh rate pacing xrWaitFrame (default 90)
//   TWINSEAL_TEST_RUNTIME_IPD_MM=<n>      distance between the eyes in mm (default 64)
//   TWINSEAL_TEST_RUNTIME_READBACK=0      do not read submitted images back (benchmarks)
//   TWINSEAL_TEST_RUNTIME_SKIP_TO_FOCUSED=1  after xrBeginSession jump READY -> FOCUSED (an
//                                         illegal sequence, for the client to refuse)
//   TWINSEAL_TEST_RUNTIME_LOSE_SESSION=1  after FOCUSED report LOSS_PENDING
//   TWINSEAL_TEST_RUNTIME_FAIL_CREATE=1   xrCreateInstance fails with XR_ERROR_RUNTIME_FAILURE
//                                         (a runtime that is installed but broken)
#include <X11/Xlib.h>
#include <GL/gl.h>
#include <GL/glx.h>

#define XR_USE_PLATFORM_XLIB
#define XR_USE_GRAPHICS_API_OPENGL
#include <openxr/openxr.h>
#include <openxr/openxr_platform.h>
#include <openxr/openxr_reflection.h>

#include "layers.h"
#include "loader_negotiation.h"
#include "runtime_internal.h"
#include "test_runtime_control.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#define TWINSEAL_RUNTIME_EXPORT extern "C" __attribute__((visibility("default")))

namespace {

constexpr const char* kRuntimeName = "TwinSeal Test Runtime";
constexpr const char* kSystemName = "TwinSeal Test HMD";
constexpr XrVersion kRuntimeVersion = XR_MAKE_VERSION(0, 1, 0);
constexpr XrSystemId kSystemId = 1;
constexpr std::uint32_t kViewCount = 2;
constexpr std::uint32_t kRecommendedWidth = 320;  // not square: a swapped width/height shows
constexpr std::uint32_t kRecommendedHeight = 240;
constexpr std::uint32_t kMaxImageSize = 2048;
constexpr std::uint32_t kImagesPerSwapchain = 3;
constexpr float kStageEyeHeight = 1.6f;  // the head above the STAGE floor, in metres
// Offered in this order (the runtime's preference); GL_RGBA8 first, so a client that prefers
// sRGB has to look past the first entry.
constexpr std::int64_t kFormats[] = {0x8058 /* GL_RGBA8 */, 0x8C43 /* GL_SRGB8_ALPHA8 */};

// A setting of the runtime, from the environment of the process that loaded it. The tests set
// these (qputenv) before they create an instance or a session, never while a runtime call runs;
// the runtime, loaded by the OpenXR loader without Qt, has no lock of Qt's to take.
const char* envValue(const char* name) {
    return std::getenv(name); // NOLINT(concurrency-mt-unsafe): set only before, see above
}

bool envFlag(const char* name) {
    const char* v = envValue(name);
    return v != nullptr && std::strcmp(v, "1") == 0;
}

double envNumber(const char* name, double fallback) {
    const char* v = envValue(name);
    if (v == nullptr || *v == '\0')
        return fallback;
    char* end = nullptr;
    const double d = std::strtod(v, &end);
    return (end != nullptr && *end == '\0' && d > 0) ? d : fallback;
}

struct Instance;
struct Session;

struct Swapchain {
    Session* session = nullptr;
    std::int64_t format = 0;
    std::uint32_t width = 0, height = 0;
    GLXContext context = nullptr;  // where the textures live
    std::vector<GLuint> textures;
    std::deque<std::uint32_t> acquired;  // acquisition order
    bool frontWaited = false;
    std::uint32_t nextIndex = 0;
    int lastReleased = -1;
};

struct Space {
    Session* session = nullptr;
    XrReferenceSpaceType type = XR_REFERENCE_SPACE_TYPE_LOCAL;
    XrPosef poseInReferenceSpace{};
};

struct Session {
    Instance* instance = nullptr;
    XrSessionState state = XR_SESSION_STATE_UNKNOWN;  // the latest state queued for the app
    bool running = false;                              // xrBeginSession .. xrEndSession
    bool exitRequested = false;
    bool gl = false;  // created with XrGraphicsBindingOpenGLXlibKHR
    Display* display = nullptr;
    GLXContext context = nullptr;
    std::vector<std::unique_ptr<Swapchain>> swapchains;
    std::vector<std::unique_ptr<Space>> spaces;
    // Frame loop.
    std::chrono::steady_clock::time_point nextWake{};
    std::uint64_t framesWaited = 0;
    bool frameBegun = false;
};

struct Instance {
    bool headless = false;
    bool opengl = false;
    bool graphicsRequirementsQueried = false;
    std::vector<std::unique_ptr<Session>> sessions;
    std::deque<XrEventDataBuffer> events;
};

// The last submitted projection layer, for tests.
struct RecordedView {
    TwinSealTestRuntimeView view{};
    std::vector<std::uint8_t> pixels;  // empty when not read back
};

// All runtime state, behind one lock.
std::mutex g_mutex;
std::set<Instance*> g_instances;
std::uint64_t g_framesEnded = 0;
std::uint32_t g_lastLayerCount = 0;
std::vector<RecordedView> g_lastViews;

// When the loader unloads the runtime (after the last xrDestroyInstance) or the process exits,
// every instance must have been destroyed: a client that forgets xrDestroyInstance fails its
// test here, in every build. (Under LeakSanitizer the loader's own allocations are suppressed,
// see tests/xr/lsan_openxr_loader.supp, which would also hide objects leaked here.)
struct UnloadCheck {
    UnloadCheck() = default;
    UnloadCheck(const UnloadCheck&) = delete;
    UnloadCheck& operator=(const UnloadCheck&) = delete;
    ~UnloadCheck() {
        if (!g_instances.empty()) {
            (void)std::fprintf(stderr, "TwinSeal Test Runtime: %zu XrInstance(s) never destroyed\n",
                         g_instances.size());
            std::abort();
        }
    }
};
UnloadCheck g_unloadCheck;  // defined after g_instances, so destroyed before it

XrTime now() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

XrTime toXrTime(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

Instance* findInstance(XrInstance handle) {
    auto* p = reinterpret_cast<Instance*>(handle);
    return g_instances.count(p) != 0 ? p : nullptr;
}

Session* findSession(XrSession handle) {
    auto* wanted = reinterpret_cast<Session*>(handle);
    for (Instance* instance : g_instances)
        for (const auto& s : instance->sessions)
            if (s.get() == wanted)
                return wanted;
    return nullptr;
}

Swapchain* findSwapchain(XrSwapchain handle) {
    auto* wanted = reinterpret_cast<Swapchain*>(handle);
    for (Instance* instance : g_instances)
        for (const auto& s : instance->sessions)
            for (const auto& c : s->swapchains)
                if (c.get() == wanted)
                    return wanted;
    return nullptr;
}

Space* findSpace(XrSpace handle) {
    auto* wanted = reinterpret_cast<Space*>(handle);
    for (Instance* instance : g_instances)
        for (const auto& s : instance->sessions)
            for (const auto& sp : s->spaces)
                if (sp.get() == wanted)
                    return wanted;
    return nullptr;
}

XrSession handleOf(Session* s) { return reinterpret_cast<XrSession>(s); }

void queueEvent(Instance* instance, const void* event, std::size_t size) {
    XrEventDataBuffer buffer{};
    std::memcpy(static_cast<void*>(&buffer), event, std::min(size, sizeof buffer));
    instance->events.push_back(buffer);
}

void queueState(Session* s, XrSessionState state) {
    XrEventDataSessionStateChanged event{};
    event.type = XR_TYPE_EVENT_DATA_SESSION_STATE_CHANGED;
    event.next = nullptr;
    event.session = handleOf(s);
    event.state = state;
    event.time = now();
    queueEvent(s->instance, &event, sizeof event);
    s->state = state;
}

// FOCUSED -> VISIBLE -> SYNCHRONIZED -> STOPPING, from wherever the session is.
void stepDownToStopping(Session* s) {
    if (s->state == XR_SESSION_STATE_FOCUSED)
        queueState(s, XR_SESSION_STATE_VISIBLE);
    if (s->state == XR_SESSION_STATE_VISIBLE)
        queueState(s, XR_SESSION_STATE_SYNCHRONIZED);
    if (s->state == XR_SESSION_STATE_SYNCHRONIZED)
        queueState(s, XR_SESSION_STATE_STOPPING);
}

struct Offered {
    const char* name;
    std::uint32_t version;
};

std::vector<Offered> offeredExtensions() {
    std::vector<Offered> out;
    if (!envFlag("TWINSEAL_TEST_RUNTIME_NO_HEADLESS"))
        out.push_back({XR_MND_HEADLESS_EXTENSION_NAME, XR_MND_headless_SPEC_VERSION});
    if (!envFlag("TWINSEAL_TEST_RUNTIME_NO_OPENGL"))
        out.push_back({XR_KHR_OPENGL_ENABLE_EXTENSION_NAME, XR_KHR_opengl_enable_SPEC_VERSION});
    return out;
}

void copyString(char* out, std::size_t size, const char* text) {
    (void)std::snprintf(out, size, "%s", text);
}

// The two-call idiom: count first, then fill.
template <typename T, typename Fill>
XrResult twoCall(std::uint32_t capacity, std::uint32_t* count, T* out, std::uint32_t available,
                 Fill fill) {
    if (count == nullptr)
        return XR_ERROR_VALIDATION_FAILURE;
    *count = available;
    if (capacity == 0)
        return XR_SUCCESS;
    if (capacity < available)
        return XR_ERROR_SIZE_INSUFFICIENT;
    if (out == nullptr)
        return XR_ERROR_VALIDATION_FAILURE;
    for (std::uint32_t i = 0; i < available; ++i)
        if (XrResult r = fill(i, out[i]); XR_FAILED(r))
            return r;
    return XR_SUCCESS;
}

// Deletes a swapchain's textures when its context is current here; otherwise they go with the
// context (the application destroyed the swapchain from another thread, or late).
void releaseTextures(Swapchain& c) {
    if (!c.textures.empty() && glXGetCurrentContext() == c.context)
        glDeleteTextures(static_cast<GLsizei>(c.textures.size()), c.textures.data());
    c.textures.clear();
}

void destroySessionObjects(Session& s) {
    for (auto& c : s.swapchains)
        releaseTextures(*c);
    s.swapchains.clear();
    s.spaces.clear();
}

// ---- global commands ----

XrResult XRAPI_CALL rtEnumerateInstanceExtensionProperties(const char* layerName,
                                                           uint32_t capacity, uint32_t* count,
                                                           XrExtensionProperties* properties) {
    if (layerName != nullptr && layerName[0] != '\0')
        return XR_ERROR_API_LAYER_NOT_PRESENT;
    const auto offered = offeredExtensions();
    return twoCall(capacity, count, properties, static_cast<std::uint32_t>(offered.size()),
                   [&](std::uint32_t i, XrExtensionProperties& p) {
                       if (p.type != XR_TYPE_EXTENSION_PROPERTIES)
                           return XR_ERROR_VALIDATION_FAILURE;
                       copyString(p.extensionName, sizeof p.extensionName, offered[i].name);
                       p.extensionVersion = offered[i].version;
                       return XR_SUCCESS;
                   });
}

XrResult XRAPI_CALL rtEnumerateApiLayerProperties(uint32_t, uint32_t* count,
                                                  XrApiLayerProperties*) {
    if (count == nullptr)
        return XR_ERROR_VALIDATION_FAILURE;
    *count = 0;
    return XR_SUCCESS;
}

XrResult XRAPI_CALL rtCreateInstance(const XrInstanceCreateInfo* info, XrInstance* out) {
    if (info == nullptr || out == nullptr || info->type != XR_TYPE_INSTANCE_CREATE_INFO)
        return XR_ERROR_VALIDATION_FAILURE;
    if (envFlag("TWINSEAL_TEST_RUNTIME_FAIL_CREATE"))
        return XR_ERROR_RUNTIME_FAILURE;
    if (info->applicationInfo.applicationName[0] == '\0')
        return XR_ERROR_NAME_INVALID;
    const XrVersion api = info->applicationInfo.apiVersion;
    if (XR_VERSION_MAJOR(api) != 1 || XR_VERSION_MINOR(api) != 0)
        return XR_ERROR_API_VERSION_UNSUPPORTED;
    auto instance = std::make_unique<Instance>();
    const auto offered = offeredExtensions();
    for (uint32_t i = 0; i < info->enabledExtensionCount; ++i) {
        const char* name = info->enabledExtensionNames[i];
        bool found = false;
        for (const Offered& o : offered)
            found = found || std::strcmp(o.name, name) == 0;
        if (!found)
            return XR_ERROR_EXTENSION_NOT_PRESENT;
        if (std::strcmp(name, XR_MND_HEADLESS_EXTENSION_NAME) == 0)
            instance->headless = true;
        if (std::strcmp(name, XR_KHR_OPENGL_ENABLE_EXTENSION_NAME) == 0)
            instance->opengl = true;
    }
    std::lock_guard lock(g_mutex);
    Instance* p = instance.release();
    g_instances.insert(p);
    *out = reinterpret_cast<XrInstance>(p);
    return XR_SUCCESS;
}

// ---- instance commands ----

XrResult XRAPI_CALL rtDestroyInstance(XrInstance handle) {
    std::lock_guard lock(g_mutex);
    Instance* instance = findInstance(handle);
    if (instance == nullptr)
        return XR_ERROR_HANDLE_INVALID;
    for (auto& s : instance->sessions) {
        twinseal_test_runtime::forgetSessionLocked(handleOf(s.get()));
        destroySessionObjects(*s);
    }
    twinseal_test_runtime::forgetInstanceLocked(handle);
    g_instances.erase(instance);
    delete instance;
    return XR_SUCCESS;
}

XrResult XRAPI_CALL rtGetInstanceProperties(XrInstance handle, XrInstanceProperties* props) {
    std::lock_guard lock(g_mutex);
    if (findInstance(handle) == nullptr)
        return XR_ERROR_HANDLE_INVALID;
    if (props == nullptr || props->type != XR_TYPE_INSTANCE_PROPERTIES)
        return XR_ERROR_VALIDATION_FAILURE;
    props->runtimeVersion = kRuntimeVersion;
    copyString(props->runtimeName, sizeof props->runtimeName, kRuntimeName);
    return XR_SUCCESS;
}

XrResult XRAPI_CALL rtResultToString(XrInstance handle, XrResult value, char* buffer) {
    {
        std::lock_guard lock(g_mutex);
        if (findInstance(handle) == nullptr)
            return XR_ERROR_HANDLE_INVALID;
    }
    if (buffer == nullptr)
        return XR_ERROR_VALIDATION_FAILURE;
    const char* name = nullptr;
    switch (value) {
#define TWINSEAL_RT_RESULT(n, v)                                                                   \
    case v: name = #n; break;
        XR_LIST_ENUM_XrResult(TWINSEAL_RT_RESULT)
#undef TWINSEAL_RT_RESULT
    default: break;
    }
    if (name != nullptr)
        copyString(buffer, XR_MAX_RESULT_STRING_SIZE, name);
    else
        (void)std::snprintf(buffer, XR_MAX_RESULT_STRING_SIZE, "XR_UNKNOWN_%s_%d",
                      XR_SUCCEEDED(value) ? "SUCCESS" : "FAILURE", static_cast<int>(value));
    return XR_SUCCESS;
}

XrResult XRAPI_CALL rtStructureTypeToString(XrInstance handle, XrStructureType value,
                                            char* buffer) {
    {
        std::lock_guard lock(g_mutex);
        if (findInstance(handle) == nullptr)
            return XR_ERROR_HANDLE_INVALID;
    }
    if (buffer == nullptr)
        return XR_ERROR_VALIDATION_FAILURE;
    const char* name = nullptr;
    switch (value) {
#define TWINSEAL_RT_STRUCT(n, v)                                                                   \
    case v: name = #n; break;
        XR_LIST_ENUM_XrStructureType(TWINSEAL_RT_STRUCT)
#undef TWINSEAL_RT_STRUCT
    default: break;
    }
    if (name != nullptr)
        copyString(buffer, XR_MAX_STRUCTURE_NAME_SIZE, name);
    else
        (void)std::snprintf(buffer, XR_MAX_STRUCTURE_NAME_SIZE, "XR_UNKNOWN_STRUCTURE_TYPE_%d",
                      static_cast<int>(value));
    return XR_SUCCESS;
}

XrResult XRAPI_CALL rtGetSystem(XrInstance handle, const XrSystemGetInfo* info,
                                XrSystemId* system) {
    std::lock_guard lock(g_mutex);
    if (findInstance(handle) == nullptr)
        return XR_ERROR_HANDLE_INVALID;
    if (info == nullptr || system == nullptr || info->type != XR_TYPE_SYSTEM_GET_INFO)
        return XR_ERROR_VALIDATION_FAILURE;
    if (info->formFactor != XR_FORM_FACTOR_HEAD_MOUNTED_DISPLAY &&
        info->formFactor != XR_FORM_FACTOR_HANDHELD_DISPLAY)
        return XR_ERROR_FORM_FACTOR_UNSUPPORTED;
    if (info->formFactor != XR_FORM_FACTOR_HEAD_MOUNTED_DISPLAY ||
        !envFlag("TWINSEAL_TEST_RUNTIME_SYSTEM"))
        return XR_ERROR_FORM_FACTOR_UNAVAILABLE;
    *system = kSystemId;
    return XR_SUCCESS;
}

XrResult XRAPI_CALL rtGetSystemProperties(XrInstance handle, XrSystemId system,
                                          XrSystemProperties* props) {
    std::lock_guard lock(g_mutex);
    if (findInstance(handle) == nullptr)
        return XR_ERROR_HANDLE_INVALID;
    if (system != kSystemId)
        return XR_ERROR_SYSTEM_INVALID;
    if (props == nullptr || props->type != XR_TYPE_SYSTEM_PROPERTIES)
        return XR_ERROR_VALIDATION_FAILURE;
    props->systemId = kSystemId;
    props->vendorId = 0;
    copyString(props->systemName, sizeof props->systemName, kSystemName);
    props->graphicsProperties.maxSwapchainImageHeight = kMaxImageSize;
    props->graphicsProperties.maxSwapchainImageWidth = kMaxImageSize;
    props->graphicsProperties.maxLayerCount = XR_MIN_COMPOSITION_LAYERS_SUPPORTED;
    props->trackingProperties.orientationTracking = XR_TRUE;
    props->trackingProperties.positionTracking = XR_TRUE;
    return XR_SUCCESS;
}

XrResult XRAPI_CALL rtEnumerateViewConfigurations(XrInstance handle, XrSystemId system,
                                                  uint32_t capacity, uint32_t* count,
                                                  XrViewConfigurationType* types) {
    std::lock_guard lock(g_mutex);
    if (findInstance(handle) == nullptr)
        return XR_ERROR_HANDLE_INVALID;
    if (system != kSystemId)
        return XR_ERROR_SYSTEM_INVALID;
    return twoCall(capacity, count, types, 1, [](std::uint32_t, XrViewConfigurationType& t) {
        t = XR_VIEW_CONFIGURATION_TYPE_PRIMARY_STEREO;
        return XR_SUCCESS;
    });
}

XrResult XRAPI_CALL rtEnumerateViewConfigurationViews(XrInstance handle, XrSystemId system,
                                                      XrViewConfigurationType type,
                                                      uint32_t capacity, uint32_t* count,
                                                      XrViewConfigurationView* views) {
    std::lock_guard lock(g_mutex);
    if (findInstance(handle) == nullptr)
        return XR_ERROR_HANDLE_INVALID;
    if (system != kSystemId)
        return XR_ERROR_SYSTEM_INVALID;
    if (type != XR_VIEW_CONFIGURATION_TYPE_PRIMARY_STEREO)
        return XR_ERROR_VIEW_CONFIGURATION_TYPE_UNSUPPORTED;
    return twoCall(capacity, count, views, kViewCount,
                   [](std::uint32_t, XrViewConfigurationView& v) {
                       if (v.type != XR_TYPE_VIEW_CONFIGURATION_VIEW)
                           return XR_ERROR_VALIDATION_FAILURE;
                       v.recommendedImageRectWidth = kRecommendedWidth;
                       v.recommendedImageRectHeight = kRecommendedHeight;
                       v.maxImageRectWidth = kMaxImageSize;
                       v.maxImageRectHeight = kMaxImageSize;
                       v.recommendedSwapchainSampleCount = 1;
                       v.maxSwapchainSampleCount = 1;
                       return XR_SUCCESS;
                   });
}

XrResult XRAPI_CALL rtGetOpenGLGraphicsRequirementsKHR(XrInstance handle, XrSystemId system,
                                                       XrGraphicsRequirementsOpenGLKHR* req) {
    std::lock_guard lock(g_mutex);
    Instance* instance = findInstance(handle);
    if (instance == nullptr)
        return XR_ERROR_HANDLE_INVALID;
    if (!instance->opengl)
        return XR_ERROR_FUNCTION_UNSUPPORTED;
    if (system != kSystemId)
        return XR_ERROR_SYSTEM_INVALID;
    if (req == nullptr || req->type != XR_TYPE_GRAPHICS_REQUIREMENTS_OPENGL_KHR)
        return XR_ERROR_VALIDATION_FAILURE;
    req->minApiVersionSupported = XR_MAKE_VERSION(3, 0, 0);
    req->maxApiVersionSupported = XR_MAKE_VERSION(4, 6, 0);
    instance->graphicsRequirementsQueried = true;
    return XR_SUCCESS;
}

XrResult XRAPI_CALL rtCreateSession(XrInstance handle, const XrSessionCreateInfo* info,
                                    XrSession* out) {
    std::lock_guard lock(g_mutex);
    Instance* instance = findInstance(handle);
    if (instance == nullptr)
        return XR_ERROR_HANDLE_INVALID;
    if (info == nullptr || out == nullptr || info->type != XR_TYPE_SESSION_CREATE_INFO)
        return XR_ERROR_VALIDATION_FAILURE;
    if (info->systemId != kSystemId)
        return XR_ERROR_SYSTEM_INVALID;
    auto session = std::make_unique<Session>();
    session->instance = instance;
    const auto* binding = static_cast<const XrGraphicsBindingOpenGLXlibKHR*>(info->next);
    if (binding == nullptr) {
        // A headless session (XR_MND_headless) or nothing.
        if (!instance->headless)
            return XR_ERROR_GRAPHICS_DEVICE_INVALID;
    } else {
        if (binding->type != XR_TYPE_GRAPHICS_BINDING_OPENGL_XLIB_KHR || !instance->opengl)
            return XR_ERROR_GRAPHICS_DEVICE_INVALID;
        if (!instance->graphicsRequirementsQueried)
            return XR_ERROR_GRAPHICS_REQUIREMENTS_CALL_MISSING;
        if (binding->xDisplay == nullptr || binding->glxContext == nullptr ||
            binding->glxFBConfig == nullptr || binding->glxDrawable == 0)
            return XR_ERROR_GRAPHICS_DEVICE_INVALID;
        session->gl = true;
        session->display = binding->xDisplay;
        session->context = binding->glxContext;
    }
    Session* s = session.get();
    instance->sessions.push_back(std::move(session));
    queueState(s, XR_SESSION_STATE_IDLE);
    queueState(s, XR_SESSION_STATE_READY);
    *out = handleOf(s);
    return XR_SUCCESS;
}

XrResult XRAPI_CALL rtDestroySession(XrSession handle) {
    std::lock_guard lock(g_mutex);
    Session* s = findSession(handle);
    if (s == nullptr)
        return XR_ERROR_HANDLE_INVALID;
    Instance* instance = s->instance;
    twinseal_test_runtime::forgetSessionLocked(handle);
    destroySessionObjects(*s);
    // Events of a destroyed session are dropped (a later session may reuse the address).
    std::erase_if(instance->events, [&](const XrEventDataBuffer& e) {
        return e.type == XR_TYPE_EVENT_DATA_SESSION_STATE_CHANGED &&
               reinterpret_cast<const XrEventDataSessionStateChanged&>(e).session == handle;
    });
    std::erase_if(instance->sessions, [&](const auto& p) { return p.get() == s; });
    return XR_SUCCESS;
}

XrResult XRAPI_CALL rtBeginSession(XrSession handle, const XrSessionBeginInfo* info) {
    std::lock_guard lock(g_mutex);
    Session* s = findSession(handle);
    if (s == nullptr)
        return XR_ERROR_HANDLE_INVALID;
    if (info == nullptr || info->type != XR_TYPE_SESSION_BEGIN_INFO)
        return XR_ERROR_VALIDATION_FAILURE;
    if (info->primaryViewConfigurationType != XR_VIEW_CONFIGURATION_TYPE_PRIMARY_STEREO &&
        info->primaryViewConfigurationType != XR_VIEW_CONFIGURATION_TYPE_PRIMARY_MONO)
        return XR_ERROR_VIEW_CONFIGURATION_TYPE_UNSUPPORTED;
    if (s->running)
        return XR_ERROR_SESSION_RUNNING;
    if (s->state != XR_SESSION_STATE_READY)
        return XR_ERROR_SESSION_NOT_READY;
    s->running = true;
    s->framesWaited = 0;
    s->frameBegun = false;
    if (!envFlag("TWINSEAL_TEST_RUNTIME_SKIP_TO_FOCUSED")) {
        queueState(s, XR_SESSION_STATE_SYNCHRONIZED);
        queueState(s, XR_SESSION_STATE_VISIBLE);
    }
    queueState(s, XR_SESSION_STATE_FOCUSED);
    if (envFlag("TWINSEAL_TEST_RUNTIME_LOSE_SESSION"))
        queueState(s, XR_SESSION_STATE_LOSS_PENDING);
    return XR_SUCCESS;
}

XrResult XRAPI_CALL rtRequestExitSession(XrSession handle) {
    std::lock_guard lock(g_mutex);
    Session* s = findSession(handle);
    if (s == nullptr)
        return XR_ERROR_HANDLE_INVALID;
    if (!s->running)
        return XR_ERROR_SESSION_NOT_RUNNING;
    if (s->state == XR_SESSION_STATE_LOSS_PENDING)
        return XR_SESSION_LOSS_PENDING;
    s->exitRequested = true;
    stepDownToStopping(s);
    return XR_SUCCESS;
}

XrResult XRAPI_CALL rtEndSession(XrSession handle) {
    std::lock_guard lock(g_mutex);
    Session* s = findSession(handle);
    if (s == nullptr)
        return XR_ERROR_HANDLE_INVALID;
    if (!s->running)
        return XR_ERROR_SESSION_NOT_RUNNING;
    if (s->state != XR_SESSION_STATE_STOPPING)
        return XR_ERROR_SESSION_NOT_STOPPING;
    s->running = false;
    queueState(s, XR_SESSION_STATE_IDLE);
    if (s->exitRequested)
        queueState(s, XR_SESSION_STATE_EXITING);
    else
        queueState(s, XR_SESSION_STATE_READY);  // a pause is over: the session may run again
    return XR_SUCCESS;
}

XrResult XRAPI_CALL rtPollEvent(XrInstance handle, XrEventDataBuffer* buffer) {
    std::lock_guard lock(g_mutex);
    Instance* instance = findInstance(handle);
    if (instance == nullptr)
        return XR_ERROR_HANDLE_INVALID;
    if (buffer == nullptr || buffer->type != XR_TYPE_EVENT_DATA_BUFFER)
        return XR_ERROR_VALIDATION_FAILURE;
    if (instance->events.empty())
        return XR_EVENT_UNAVAILABLE;
    const XrEventDataBuffer event = instance->events.front();
    instance->events.pop_front();
    std::memcpy(static_cast<void*>(buffer), &event, sizeof event);
    return XR_SUCCESS;
}

// ---- reference spaces ----

std::vector<XrReferenceSpaceType> offeredSpaces() {
    std::vector<XrReferenceSpaceType> out{XR_REFERENCE_SPACE_TYPE_VIEW,
                                          XR_REFERENCE_SPACE_TYPE_LOCAL};
    if (!envFlag("TWINSEAL_TEST_RUNTIME_NO_STAGE"))
        out.push_back(XR_REFERENCE_SPACE_TYPE_STAGE);
    return out;
}

XrResult XRAPI_CALL rtEnumerateReferenceSpaces(XrSession handle, uint32_t capacity,
                                               uint32_t* count, XrReferenceSpaceType* spaces) {
    std::lock_guard lock(g_mutex);
    if (findSession(handle) == nullptr)
        return XR_ERROR_HANDLE_INVALID;
    const auto offered = offeredSpaces();
    return twoCall(capacity, count, spaces, static_cast<std::uint32_t>(offered.size()),
                   [&](std::uint32_t i, XrReferenceSpaceType& t) {
                       t = offered[i];
                       return XR_SUCCESS;
                   });
}

XrResult XRAPI_CALL rtCreateReferenceSpace(XrSession handle,
                                           const XrReferenceSpaceCreateInfo* info,
                                           XrSpace* out) {
    std::lock_guard lock(g_mutex);
    Session* s = findSession(handle);
    if (s == nullptr)
        return XR_ERROR_HANDLE_INVALID;
    if (info == nullptr || out == nullptr || info->type != XR_TYPE_REFERENCE_SPACE_CREATE_INFO)
        return XR_ERROR_VALIDATION_FAILURE;
    const auto offered = offeredSpaces();
    if (std::find(offered.begin(), offered.end(), info->referenceSpaceType) == offered.end())
        return XR_ERROR_REFERENCE_SPACE_UNSUPPORTED;
    auto space = std::make_unique<Space>();
    space->session = s;
    space->type = info->referenceSpaceType;
    space->poseInReferenceSpace = info->poseInReferenceSpace;
    *out = reinterpret_cast<XrSpace>(space.get());
    s->spaces.push_back(std::move(space));
    return XR_SUCCESS;
}

XrResult XRAPI_CALL rtDestroySpace(XrSpace handle) {
    std::lock_guard lock(g_mutex);
    Space* space = findSpace(handle);
    if (space == nullptr)
        return twinseal_test_runtime::destroyActionSpaceLocked(handle) ? XR_SUCCESS
                                                                       : XR_ERROR_HANDLE_INVALID;
    std::erase_if(space->session->spaces, [&](const auto& p) { return p.get() == space; });
    return XR_SUCCESS;
}

// A reference space's pose in LOCAL: the LOCAL origin is the head at start, the STAGE origin is
// on the floor below it, VIEW is the (scripted) head; then the space's own offset.
XrPosef spaceInLocal(const Space& space, bool* tracked) {
    using namespace twinseal_test_runtime;
    XrPosef origin = identityPose();
    *tracked = true;
    if (space.type == XR_REFERENCE_SPACE_TYPE_STAGE)
        origin.position.y = -kStageEyeHeight;
    if (space.type == XR_REFERENCE_SPACE_TYPE_VIEW)
        origin = headPoseLocked(tracked);
    return compose(origin, space.poseInReferenceSpace);
}

XrResult XRAPI_CALL rtLocateViews(XrSession handle, const XrViewLocateInfo* info,
                                  XrViewState* state, uint32_t capacity, uint32_t* count,
                                  XrView* views) {
    std::lock_guard lock(g_mutex);
    Session* s = findSession(handle);
    if (s == nullptr)
        return XR_ERROR_HANDLE_INVALID;
    if (info == nullptr || state == nullptr || info->type != XR_TYPE_VIEW_LOCATE_INFO ||
        state->type != XR_TYPE_VIEW_STATE)
        return XR_ERROR_VALIDATION_FAILURE;
    if (info->viewConfigurationType != XR_VIEW_CONFIGURATION_TYPE_PRIMARY_STEREO)
        return XR_ERROR_VIEW_CONFIGURATION_TYPE_UNSUPPORTED;
    Space* space = findSpace(info->space);
    if (space == nullptr || space->session != s)
        return XR_ERROR_HANDLE_INVALID;
    if (info->displayTime <= 0)
        return XR_ERROR_TIME_INVALID;
    const float halfIpd =
        static_cast<float>(envNumber("TWINSEAL_TEST_RUNTIME_IPD_MM", 64.0) / 2000.0);
    // The eyes beside the (scripted) head, in the space asked for.
    bool headTracked = true;
    bool spaceTracked = true;
    const XrPosef head = twinseal_test_runtime::headPoseLocked(&headTracked);
    const XrPosef toSpace = twinseal_test_runtime::inverse(spaceInLocal(*space, &spaceTracked));
    state->viewStateFlags = headTracked ? XR_VIEW_STATE_ORIENTATION_VALID_BIT |
                                              XR_VIEW_STATE_POSITION_VALID_BIT |
                                              XR_VIEW_STATE_ORIENTATION_TRACKED_BIT |
                                              XR_VIEW_STATE_POSITION_TRACKED_BIT
                                        : 0;
    return twoCall(capacity, count, views, kViewCount, [&](std::uint32_t i, XrView& v) {
        if (v.type != XR_TYPE_VIEW)
            return XR_ERROR_VALIDATION_FAILURE;
        XrPosef eye = twinseal_test_runtime::identityPose();
        eye.position.x = i == 0 ? -halfIpd : halfIpd;
        v.pose = twinseal_test_runtime::compose(toSpace, twinseal_test_runtime::compose(head, eye));
        // A slightly asymmetric frustum per eye, wider on the outer side.
        v.fov.angleLeft = i == 0 ? -0.80f : -0.70f;
        v.fov.angleRight = i == 0 ? 0.70f : 0.80f;
        v.fov.angleUp = 0.75f;
        v.fov.angleDown = -0.75f;
        return XR_SUCCESS;
    });
}

// ---- swapchains (XR_KHR_opengl_enable) ----

XrResult XRAPI_CALL rtEnumerateSwapchainFormats(XrSession handle, uint32_t capacity,
                                                uint32_t* count, int64_t* formats) {
    std::lock_guard lock(g_mutex);
    Session* s = findSession(handle);
    if (s == nullptr)
        return XR_ERROR_HANDLE_INVALID;
    const std::uint32_t n = s->gl ? static_cast<std::uint32_t>(std::size(kFormats)) : 0;
    return twoCall(capacity, count, formats, n, [](std::uint32_t i, int64_t& f) {
        f = kFormats[i];
        return XR_SUCCESS;
    });
}

XrResult XRAPI_CALL rtCreateSwapchain(XrSession handle, const XrSwapchainCreateInfo* info,
                                      XrSwapchain* out) {
    std::lock_guard lock(g_mutex);
    Session* s = findSession(handle);
    if (s == nullptr)
        return XR_ERROR_HANDLE_INVALID;
    if (info == nullptr || out == nullptr || info->type != XR_TYPE_SWAPCHAIN_CREATE_INFO)
        return XR_ERROR_VALIDATION_FAILURE;
    if (!s->gl)
        return XR_ERROR_GRAPHICS_DEVICE_INVALID;
    if (std::find(std::begin(kFormats), std::end(kFormats), info->format) == std::end(kFormats))
        return XR_ERROR_SWAPCHAIN_FORMAT_UNSUPPORTED;
    if (info->createFlags != 0 || info->sampleCount != 1 || info->faceCount != 1 ||
        info->arraySize != 1 || info->mipCount != 1 || info->width == 0 || info->height == 0 ||
        info->width > kMaxImageSize || info->height > kMaxImageSize)
        return XR_ERROR_VALIDATION_FAILURE;
    if ((info->usageFlags & XR_SWAPCHAIN_USAGE_COLOR_ATTACHMENT_BIT) == 0)
        return XR_ERROR_VALIDATION_FAILURE;
    // The textures are made in the application's context, current on this thread.
    if (glXGetCurrentContext() != s->context) {
        (void)std::fprintf(stderr, "TwinSeal Test Runtime: xrCreateSwapchain needs the session's GL "
                             "context current on the calling thread\n");
        return XR_ERROR_GRAPHICS_DEVICE_INVALID;
    }
    auto chain = std::make_unique<Swapchain>();
    chain->session = s;
    chain->format = info->format;
    chain->width = info->width;
    chain->height = info->height;
    chain->context = s->context;
    chain->textures.resize(kImagesPerSwapchain);
    GLint previous = 0;
    glGetIntegerv(GL_TEXTURE_BINDING_2D, &previous);
    glGenTextures(static_cast<GLsizei>(kImagesPerSwapchain), chain->textures.data());
    for (GLuint t : chain->textures) {
        glBindTexture(GL_TEXTURE_2D, t);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
        glTexImage2D(GL_TEXTURE_2D, 0, static_cast<GLint>(info->format),
                     static_cast<GLsizei>(info->width), static_cast<GLsizei>(info->height), 0,
                     GL_RGBA, GL_UNSIGNED_BYTE, nullptr);
    }
    glBindTexture(GL_TEXTURE_2D, static_cast<GLuint>(previous));
    if (glGetError() != GL_NO_ERROR) {
        releaseTextures(*chain);
        return XR_ERROR_RUNTIME_FAILURE;
    }
    *out = reinterpret_cast<XrSwapchain>(chain.get());
    s->swapchains.push_back(std::move(chain));
    return XR_SUCCESS;
}

XrResult XRAPI_CALL rtDestroySwapchain(XrSwapchain handle) {
    std::lock_guard lock(g_mutex);
    Swapchain* c = findSwapchain(handle);
    if (c == nullptr)
        return XR_ERROR_HANDLE_INVALID;
    releaseTextures(*c);
    std::erase_if(c->session->swapchains, [&](const auto& p) { return p.get() == c; });
    return XR_SUCCESS;
}

XrResult XRAPI_CALL rtEnumerateSwapchainImages(XrSwapchain handle, uint32_t capacity,
                                               uint32_t* count,
                                               XrSwapchainImageBaseHeader* images) {
    std::lock_guard lock(g_mutex);
    Swapchain* c = findSwapchain(handle);
    if (c == nullptr)
        return XR_ERROR_HANDLE_INVALID;
    auto* gl = reinterpret_cast<XrSwapchainImageOpenGLKHR*>(images);
    return twoCall(capacity, count, gl, static_cast<std::uint32_t>(c->textures.size()),
                   [&](std::uint32_t i, XrSwapchainImageOpenGLKHR& image) {
                       if (image.type != XR_TYPE_SWAPCHAIN_IMAGE_OPENGL_KHR)
                           return XR_ERROR_VALIDATION_FAILURE;
                       image.image = c->textures[i];
                       return XR_SUCCESS;
                   });
}

XrResult XRAPI_CALL rtAcquireSwapchainImage(XrSwapchain handle,
                                            const XrSwapchainImageAcquireInfo* info,
                                            uint32_t* index) {
    std::lock_guard lock(g_mutex);
    Swapchain* c = findSwapchain(handle);
    if (c == nullptr)
        return XR_ERROR_HANDLE_INVALID;
    if (index == nullptr || (info != nullptr && info->type != XR_TYPE_SWAPCHAIN_IMAGE_ACQUIRE_INFO))
        return XR_ERROR_VALIDATION_FAILURE;
    if (c->acquired.size() >= c->textures.size())
        return XR_ERROR_CALL_ORDER_INVALID;
    *index = c->nextIndex;
    c->acquired.push_back(c->nextIndex);
    c->nextIndex = (c->nextIndex + 1) % static_cast<std::uint32_t>(c->textures.size());
    return XR_SUCCESS;
}

XrResult XRAPI_CALL rtWaitSwapchainImage(XrSwapchain handle,
                                         const XrSwapchainImageWaitInfo* info) {
    std::lock_guard lock(g_mutex);
    Swapchain* c = findSwapchain(handle);
    if (c == nullptr)
        return XR_ERROR_HANDLE_INVALID;
    if (info == nullptr || info->type != XR_TYPE_SWAPCHAIN_IMAGE_WAIT_INFO)
        return XR_ERROR_VALIDATION_FAILURE;
    if (c->acquired.empty() || c->frontWaited)
        return XR_ERROR_CALL_ORDER_INVALID;
    c->frontWaited = true;  // images are ready at once: nothing else renders into them
    return XR_SUCCESS;
}

XrResult XRAPI_CALL rtReleaseSwapchainImage(XrSwapchain handle,
                                            const XrSwapchainImageReleaseInfo* info) {
    std::lock_guard lock(g_mutex);
    Swapchain* c = findSwapchain(handle);
    if (c == nullptr)
        return XR_ERROR_HANDLE_INVALID;
    if (info != nullptr && info->type != XR_TYPE_SWAPCHAIN_IMAGE_RELEASE_INFO)
        return XR_ERROR_VALIDATION_FAILURE;
    if (c->acquired.empty() || !c->frontWaited)
        return XR_ERROR_CALL_ORDER_INVALID;
    c->lastReleased = static_cast<int>(c->acquired.front());
    c->acquired.pop_front();
    c->frontWaited = false;
    return XR_SUCCESS;
}

// ---- frames ----

bool sessionShouldRender(const Session& s) {
    return s.state == XR_SESSION_STATE_VISIBLE || s.state == XR_SESSION_STATE_FOCUSED;
}

XrResult XRAPI_CALL rtWaitFrame(XrSession handle, const XrFrameWaitInfo* info,
                                XrFrameState* state) {
    using Clock = std::chrono::steady_clock;
    Clock::time_point wake;
    Clock::duration period;
    {
        std::lock_guard lock(g_mutex);
        Session* s = findSession(handle);
        if (s == nullptr)
            return XR_ERROR_HANDLE_INVALID;
        if ((info != nullptr && info->type != XR_TYPE_FRAME_WAIT_INFO) || state == nullptr ||
            state->type != XR_TYPE_FRAME_STATE)
            return XR_ERROR_VALIDATION_FAILURE;
        if (!s->running)
            return XR_ERROR_SESSION_NOT_RUNNING;
        period = std::chrono::duration_cast<Clock::duration>(
            std::chrono::duration<double>(1.0 / envNumber("TWINSEAL_TEST_RUNTIME_HZ", 90.0)));
        const Clock::time_point t = Clock::now();
        // The next display refresh; a late application skips to the next one, no catching up.
        s->nextWake = s->framesWaited == 0 ? t : std::max(s->nextWake + period, t);
        wake = s->nextWake;
        ++s->framesWaited;
    }
    std::this_thread::sleep_until(wake);  // never while holding the lock
    std::lock_guard lock(g_mutex);
    Session* s = findSession(handle);
    if (s == nullptr)
        return XR_ERROR_SESSION_LOST;
    state->predictedDisplayPeriod =
        std::chrono::duration_cast<std::chrono::nanoseconds>(period).count();
    state->predictedDisplayTime = toXrTime(wake + period);
    state->shouldRender = sessionShouldRender(*s) ? XR_TRUE : XR_FALSE;
    return s->state == XR_SESSION_STATE_LOSS_PENDING ? XR_SESSION_LOSS_PENDING : XR_SUCCESS;
}

XrResult XRAPI_CALL rtBeginFrame(XrSession handle, const XrFrameBeginInfo* info) {
    std::lock_guard lock(g_mutex);
    Session* s = findSession(handle);
    if (s == nullptr)
        return XR_ERROR_HANDLE_INVALID;
    if (info != nullptr && info->type != XR_TYPE_FRAME_BEGIN_INFO)
        return XR_ERROR_VALIDATION_FAILURE;
    if (!s->running)
        return XR_ERROR_SESSION_NOT_RUNNING;
    if (s->framesWaited == 0)
        return XR_ERROR_CALL_ORDER_INVALID;
    const bool discarded = s->frameBegun;
    s->frameBegun = true;
    return discarded ? XR_FRAME_DISCARDED : XR_SUCCESS;
}

// Reads one submitted view back from its swapchain image (the session's context is current).
bool readBack(const Swapchain& c, const XrRect2Di& rect, std::vector<std::uint8_t>& out) {
    std::vector<std::uint8_t> full(std::size_t(c.width) * c.height * 4);
    GLint previous = 0;
    glGetIntegerv(GL_TEXTURE_BINDING_2D, &previous);
    GLint pack = 4;
    glGetIntegerv(GL_PACK_ALIGNMENT, &pack);
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    glBindTexture(GL_TEXTURE_2D, c.textures[static_cast<std::size_t>(c.lastReleased)]);
    glGetTexImage(GL_TEXTURE_2D, 0, GL_RGBA, GL_UNSIGNED_BYTE, full.data());
    glBindTexture(GL_TEXTURE_2D, static_cast<GLuint>(previous));
    glPixelStorei(GL_PACK_ALIGNMENT, pack);
    if (glGetError() != GL_NO_ERROR)
        return false;
    out.resize(std::size_t(rect.extent.width) * rect.extent.height * 4);
    for (std::int32_t row = 0; row < rect.extent.height; ++row) {
        const std::size_t from =
            (std::size_t(rect.offset.y + row) * c.width + std::size_t(rect.offset.x)) * 4;
        std::memcpy(out.data() + std::size_t(row) * rect.extent.width * 4, full.data() + from,
                    std::size_t(rect.extent.width) * 4);
    }
    return true;
}

// Validates one quad layer (OpenXR 1.0, 12.6.3) and records it, with its pixels when asked.
XrResult recordQuad(const Session& s, const XrCompositionLayerQuad& quad, bool readback,
                    twinseal::xr::testruntime::RecordedLayer& out) {
    const Space* space = findSpace(quad.space);
    if (space == nullptr || space->session != &s)
        return XR_ERROR_HANDLE_INVALID;
    if (quad.eyeVisibility != XR_EYE_VISIBILITY_BOTH && quad.eyeVisibility != XR_EYE_VISIBILITY_LEFT &&
        quad.eyeVisibility != XR_EYE_VISIBILITY_RIGHT)
        return XR_ERROR_VALIDATION_FAILURE;
    const Swapchain* c = findSwapchain(quad.subImage.swapchain);
    if (c == nullptr || c->session != &s)
        return XR_ERROR_HANDLE_INVALID;
    if (c->lastReleased < 0)
        return XR_ERROR_LAYER_INVALID;
    const XrRect2Di& rect = quad.subImage.imageRect;
    if (rect.offset.x < 0 || rect.offset.y < 0 || rect.extent.width <= 0 || rect.extent.height <= 0 ||
        std::uint32_t(rect.offset.x + rect.extent.width) > c->width ||
        std::uint32_t(rect.offset.y + rect.extent.height) > c->height ||
        quad.subImage.imageArrayIndex != 0)
        return XR_ERROR_SWAPCHAIN_RECT_INVALID;
    const XrQuaternionf& o = quad.pose.orientation;
    const float norm = o.x * o.x + o.y * o.y + o.z * o.z + o.w * o.w;
    if (std::abs(norm - 1.0f) > 1e-3f)
        return XR_ERROR_POSE_INVALID;
    if (!(quad.size.width > 0) || !(quad.size.height > 0))
        return XR_ERROR_VALIDATION_FAILURE;
    TwinSealTestRuntimeLayer& l = out.layer;
    l.type = XR_TYPE_COMPOSITION_LAYER_QUAD;
    l.space = static_cast<std::int32_t>(space->type);
    l.flags = quad.layerFlags;
    l.position[0] = quad.pose.position.x;
    l.position[1] = quad.pose.position.y;
    l.position[2] = quad.pose.position.z;
    l.orientation[0] = o.x;
    l.orientation[1] = o.y;
    l.orientation[2] = o.z;
    l.orientation[3] = o.w;
    l.size[0] = quad.size.width;
    l.size[1] = quad.size.height;
    l.width = static_cast<std::uint32_t>(rect.extent.width);
    l.height = static_cast<std::uint32_t>(rect.extent.height);
    l.format = c->format;
    if (readback) {
        if (glXGetCurrentContext() != c->context)
            return XR_ERROR_GRAPHICS_DEVICE_INVALID;
        if (!readBack(*c, rect, out.pixels))
            return XR_ERROR_RUNTIME_FAILURE;
    }
    return XR_SUCCESS;
}

XrResult XRAPI_CALL rtEndFrame(XrSession handle, const XrFrameEndInfo* info) {
    std::lock_guard lock(g_mutex);
    Session* s = findSession(handle);
    if (s == nullptr)
        return XR_ERROR_HANDLE_INVALID;
    if (info == nullptr || info->type != XR_TYPE_FRAME_END_INFO)
        return XR_ERROR_VALIDATION_FAILURE;
    if (!s->running)
        return XR_ERROR_SESSION_NOT_RUNNING;
    if (!s->frameBegun)
        return XR_ERROR_CALL_ORDER_INVALID;
    if (info->displayTime <= 0)
        return XR_ERROR_TIME_INVALID;
    if (info->environmentBlendMode != XR_ENVIRONMENT_BLEND_MODE_OPAQUE)
        return XR_ERROR_ENVIRONMENT_BLEND_MODE_UNSUPPORTED;
    if (info->layerCount > XR_MIN_COMPOSITION_LAYERS_SUPPORTED)
        return XR_ERROR_LAYER_LIMIT_EXCEEDED;
    if (info->layerCount > 0 && info->layers == nullptr)
        return XR_ERROR_VALIDATION_FAILURE;

    const char* readbackSetting = envValue("TWINSEAL_TEST_RUNTIME_READBACK");
    const bool readback = readbackSetting == nullptr || std::strcmp(readbackSetting, "0") != 0;
    std::vector<RecordedView> recorded;
    std::vector<twinseal::xr::testruntime::RecordedLayer> layers;
    bool projection = false;
    for (std::uint32_t l = 0; l < info->layerCount; ++l) {
        const XrCompositionLayerBaseHeader* layer = info->layers[l];
        if (layer == nullptr)
            return XR_ERROR_LAYER_INVALID;
        if (layer->type == XR_TYPE_COMPOSITION_LAYER_QUAD) {
            twinseal::xr::testruntime::RecordedLayer r;
            if (XrResult q = recordQuad(*s, *reinterpret_cast<const XrCompositionLayerQuad*>(layer),
                                        readback, r);
                XR_FAILED(q))
                return q;
            layers.push_back(std::move(r));
            continue;
        }
        if (layer->type != XR_TYPE_COMPOSITION_LAYER_PROJECTION)
            return XR_ERROR_LAYER_INVALID;  // projection and quad layers only
        const auto* p = reinterpret_cast<const XrCompositionLayerProjection*>(layer);
        const Space* space = findSpace(p->space);
        if (space == nullptr || space->session != s)
            return XR_ERROR_HANDLE_INVALID;
        if (p->viewCount != kViewCount || p->views == nullptr)
            return XR_ERROR_VALIDATION_FAILURE;
        for (std::uint32_t v = 0; v < p->viewCount; ++v) {
            const XrCompositionLayerProjectionView& view = p->views[v];
            if (view.type != XR_TYPE_COMPOSITION_LAYER_PROJECTION_VIEW)
                return XR_ERROR_VALIDATION_FAILURE;
            const Swapchain* c = findSwapchain(view.subImage.swapchain);
            if (c == nullptr || c->session != s)
                return XR_ERROR_HANDLE_INVALID;
            if (c->lastReleased < 0)
                return XR_ERROR_LAYER_INVALID;  // never released: nothing to show
            const XrRect2Di& rect = view.subImage.imageRect;
            if (rect.offset.x < 0 || rect.offset.y < 0 || rect.extent.width <= 0 ||
                rect.extent.height <= 0 ||
                std::uint32_t(rect.offset.x + rect.extent.width) > c->width ||
                std::uint32_t(rect.offset.y + rect.extent.height) > c->height ||
                view.subImage.imageArrayIndex != 0)
                return XR_ERROR_SWAPCHAIN_RECT_INVALID;
            RecordedView r;
            r.view.width = static_cast<std::uint32_t>(rect.extent.width);
            r.view.height = static_cast<std::uint32_t>(rect.extent.height);
            r.view.format = c->format;
            r.view.position[0] = view.pose.position.x;
            r.view.position[1] = view.pose.position.y;
            r.view.position[2] = view.pose.position.z;
            r.view.orientation[0] = view.pose.orientation.x;
            r.view.orientation[1] = view.pose.orientation.y;
            r.view.orientation[2] = view.pose.orientation.z;
            r.view.orientation[3] = view.pose.orientation.w;
            r.view.fov[0] = view.fov.angleLeft;
            r.view.fov[1] = view.fov.angleRight;
            r.view.fov[2] = view.fov.angleUp;
            r.view.fov[3] = view.fov.angleDown;
            r.view.space = static_cast<std::int32_t>(space->type);
            if (readback) {
                if (glXGetCurrentContext() != c->context)
                    return XR_ERROR_GRAPHICS_DEVICE_INVALID;
                if (!readBack(*c, rect, r.pixels))
                    return XR_ERROR_RUNTIME_FAILURE;
            }
            recorded.push_back(std::move(r));
        }
        twinseal::xr::testruntime::RecordedLayer whole;
        whole.layer.type = XR_TYPE_COMPOSITION_LAYER_PROJECTION;
        whole.layer.space = static_cast<std::int32_t>(space->type);
        whole.layer.flags = p->layerFlags;
        whole.layer.width = recorded.empty() ? 0 : recorded.back().view.width;
        whole.layer.height = recorded.empty() ? 0 : recorded.back().view.height;
        whole.layer.format = recorded.empty() ? 0 : recorded.back().view.format;
        layers.push_back(std::move(whole));
        projection = true;
    }
    s->frameBegun = false;
    g_lastLayerCount = info->layerCount;
    if (!layers.empty())
        twinseal::xr::testruntime::storeLayers(std::move(layers));
    if (projection) {
        ++g_framesEnded;
        g_lastViews = std::move(recorded);
    }
    return s->state == XR_SESSION_STATE_LOSS_PENDING ? XR_SESSION_LOSS_PENDING : XR_SUCCESS;
}

XrResult XRAPI_CALL rtGetInstanceProcAddr(XrInstance handle, const char* name,
                                          PFN_xrVoidFunction* function);

template <typename F>
PFN_xrVoidFunction asVoid(F f) {
    return reinterpret_cast<PFN_xrVoidFunction>(f);
}

struct Entry {
    const char* name;
    PFN_xrVoidFunction function;
};

XrResult XRAPI_CALL rtGetInstanceProcAddr(XrInstance handle, const char* name,
                                          PFN_xrVoidFunction* function) {
    if (name == nullptr || function == nullptr)
        return XR_ERROR_VALIDATION_FAILURE;
    *function = nullptr;
    // Callable without an instance (OpenXR 1.0, xrGetInstanceProcAddr).
    static const Entry global[] = {
        {"xrEnumerateInstanceExtensionProperties", asVoid(&rtEnumerateInstanceExtensionProperties)},
        {"xrEnumerateApiLayerProperties", asVoid(&rtEnumerateApiLayerProperties)},
        {"xrCreateInstance", asVoid(&rtCreateInstance)},
    };
    static const Entry perInstance[] = {
        {"xrGetInstanceProcAddr", asVoid(&rtGetInstanceProcAddr)},
        {"xrDestroyInstance", asVoid(&rtDestroyInstance)},
        {"xrGetInstanceProperties", asVoid(&rtGetInstanceProperties)},
        {"xrResultToString", asVoid(&rtResultToString)},
        {"xrStructureTypeToString", asVoid(&rtStructureTypeToString)},
        {"xrGetSystem", asVoid(&rtGetSystem)},
        {"xrGetSystemProperties", asVoid(&rtGetSystemProperties)},
        {"xrEnumerateViewConfigurations", asVoid(&rtEnumerateViewConfigurations)},
        {"xrEnumerateViewConfigurationViews", asVoid(&rtEnumerateViewConfigurationViews)},
        {"xrCreateSession", asVoid(&rtCreateSession)},
        {"xrDestroySession", asVoid(&rtDestroySession)},
        {"xrBeginSession", asVoid(&rtBeginSession)},
        {"xrEndSession", asVoid(&rtEndSession)},
        {"xrRequestExitSession", asVoid(&rtRequestExitSession)},
        {"xrPollEvent", asVoid(&rtPollEvent)},
        {"xrEnumerateReferenceSpaces", asVoid(&rtEnumerateReferenceSpaces)},
        {"xrCreateReferenceSpace", asVoid(&rtCreateReferenceSpace)},
        {"xrDestroySpace", asVoid(&rtDestroySpace)},
        {"xrLocateViews", asVoid(&rtLocateViews)},
        {"xrEnumerateSwapchainFormats", asVoid(&rtEnumerateSwapchainFormats)},
        {"xrCreateSwapchain", asVoid(&rtCreateSwapchain)},
        {"xrDestroySwapchain", asVoid(&rtDestroySwapchain)},
        {"xrEnumerateSwapchainImages", asVoid(&rtEnumerateSwapchainImages)},
        {"xrAcquireSwapchainImage", asVoid(&rtAcquireSwapchainImage)},
        {"xrWaitSwapchainImage", asVoid(&rtWaitSwapchainImage)},
        {"xrReleaseSwapchainImage", asVoid(&rtReleaseSwapchainImage)},
        {"xrWaitFrame", asVoid(&rtWaitFrame)},
        {"xrBeginFrame", asVoid(&rtBeginFrame)},
        {"xrEndFrame", asVoid(&rtEndFrame)},
    };
    for (const Entry& e : global) {
        if (std::strcmp(name, e.name) == 0) {
            *function = e.function;
            return XR_SUCCESS;
        }
    }
    if (handle == XR_NULL_HANDLE)
        return XR_ERROR_HANDLE_INVALID;
    bool opengl = false;
    {
        std::lock_guard lock(g_mutex);
        const Instance* instance = findInstance(handle);
        if (instance == nullptr)
            return XR_ERROR_HANDLE_INVALID;
        opengl = instance->opengl;
    }
    for (const Entry& e : perInstance) {
        if (std::strcmp(name, e.name) == 0) {
            *function = e.function;
            return XR_SUCCESS;
        }
    }
    if (PFN_xrVoidFunction input = twinseal_test_runtime::inputFunction(name)) {
        *function = input;
        return XR_SUCCESS;
    }
    // Extension commands only for instances that enabled the extension.
    if (opengl && std::strcmp(name, "xrGetOpenGLGraphicsRequirementsKHR") == 0) {
        *function = asVoid(&rtGetOpenGLGraphicsRequirementsKHR);
        return XR_SUCCESS;
    }
    return XR_ERROR_FUNCTION_UNSUPPORTED;
}

} // namespace

// ---- what input.cpp uses (runtime_internal.h) ----

namespace twinseal_test_runtime {

std::mutex& runtimeMutex() { return g_mutex; }

bool instanceAliveLocked(XrInstance instance) { return findInstance(instance) != nullptr; }

bool sessionLocked(XrSession handle, XrInstance* instance, bool* running, bool* focused) {
    Session* s = findSession(handle);
    if (s == nullptr)
        return false;
    *instance = reinterpret_cast<XrInstance>(s->instance);
    *running = s->running;
    *focused = s->state == XR_SESSION_STATE_FOCUSED;
    return true;
}

void queueEventLocked(XrInstance instance, const void* event, std::size_t size) {
    if (Instance* i = findInstance(instance))
        queueEvent(i, event, size);
}

bool referenceSpaceLocked(XrSpace handle, XrSession* session, XrPosef* inLocal, bool* tracked) {
    const Space* space = findSpace(handle);
    if (space == nullptr)
        return false;
    *session = handleOf(space->session);
    *inLocal = spaceInLocal(*space, tracked);
    return true;
}

} // namespace twinseal_test_runtime

TWINSEAL_RUNTIME_EXPORT XrResult XRAPI_CALL xrNegotiateLoaderRuntimeInterface(
    const XrNegotiateLoaderInfo* loaderInfo, XrNegotiateRuntimeRequest* runtimeRequest) {
    if (loaderInfo == nullptr || runtimeRequest == nullptr)
        return XR_ERROR_INITIALIZATION_FAILED;
    if (loaderInfo->structType != XR_LOADER_INTERFACE_STRUCT_LOADER_INFO ||
        loaderInfo->structVersion != XR_LOADER_INFO_STRUCT_VERSION ||
        loaderInfo->structSize != sizeof(XrNegotiateLoaderInfo))
        return XR_ERROR_INITIALIZATION_FAILED;
    if (runtimeRequest->structType != XR_LOADER_INTERFACE_STRUCT_RUNTIME_REQUEST ||
        runtimeRequest->structVersion != XR_RUNTIME_INFO_STRUCT_VERSION ||
        runtimeRequest->structSize != sizeof(XrNegotiateRuntimeRequest))
        return XR_ERROR_INITIALIZATION_FAILED;
    if (loaderInfo->minInterfaceVersion > XR_CURRENT_LOADER_RUNTIME_VERSION ||
        loaderInfo->maxInterfaceVersion < XR_CURRENT_LOADER_RUNTIME_VERSION)
        return XR_ERROR_INITIALIZATION_FAILED;
    // We implement OpenXR 1.0: the loader must accept some 1.0.x.
    if (XR_VERSION_MAJOR(loaderInfo->minApiVersion) > 1 ||
        XR_VERSION_MAJOR(loaderInfo->maxApiVersion) < 1)
        return XR_ERROR_INITIALIZATION_FAILED;
    runtimeRequest->runtimeInterfaceVersion = XR_CURRENT_LOADER_RUNTIME_VERSION;
    runtimeRequest->runtimeApiVersion = XR_CURRENT_API_VERSION;
    runtimeRequest->getInstanceProcAddr = &rtGetInstanceProcAddr;
    return XR_SUCCESS;
}

// ---- the test-facing interface (test_runtime_control.h) ----

TWINSEAL_RUNTIME_EXPORT uint64_t twinseal_test_runtime_frames_ended(void) {
    std::lock_guard lock(g_mutex);
    return g_framesEnded;
}

TWINSEAL_RUNTIME_EXPORT uint32_t twinseal_test_runtime_last_layer_count(void) {
    std::lock_guard lock(g_mutex);
    return g_lastLayerCount;
}

TWINSEAL_RUNTIME_EXPORT int twinseal_test_runtime_submitted_view(uint32_t eye,
                                                                 TwinSealTestRuntimeView* view,
                                                                 uint8_t* pixels,
                                                                 size_t capacity) {
    std::lock_guard lock(g_mutex);
    if (eye >= g_lastViews.size())
        return -1;
    const RecordedView& r = g_lastViews[eye];
    if (view != nullptr)
        *view = r.view;
    if (pixels != nullptr) {
        if (r.pixels.empty())
            return -1;
        if (capacity < r.pixels.size())
            return -2;
        std::memcpy(pixels, r.pixels.data(), r.pixels.size());
    }
    return 0;
}

TWINSEAL_RUNTIME_EXPORT int twinseal_test_runtime_script(int event) {
    std::lock_guard lock(g_mutex);
    Session* s = nullptr;
    for (Instance* instance : g_instances)
        if (!instance->sessions.empty())
            s = instance->sessions.back().get();
    if (s == nullptr)
        return -1;
    switch (event) {
    case TWINSEAL_TEST_EVENT_LOSS_PENDING:
        if (s->state == XR_SESSION_STATE_EXITING || s->state == XR_SESSION_STATE_LOSS_PENDING)
            return -1;
        queueState(s, XR_SESSION_STATE_LOSS_PENDING);
        return 0;
    case TWINSEAL_TEST_EVENT_EXITING:
    case TWINSEAL_TEST_EVENT_STOPPING:
        if (!s->running)
            return -1;
        s->exitRequested = event == TWINSEAL_TEST_EVENT_EXITING;
        stepDownToStopping(s);
        return 0;
    case TWINSEAL_TEST_EVENT_INSTANCE_LOSS: {
        XrEventDataInstanceLossPending loss{};
        loss.type = XR_TYPE_EVENT_DATA_INSTANCE_LOSS_PENDING;
        loss.lossTime = now();
        queueEvent(s->instance, &loss, sizeof loss);
        return 0;
    }
    case TWINSEAL_TEST_EVENT_LOCAL_SPACE_CHANGE: {
        XrEventDataReferenceSpaceChangePending change{};
        change.type = XR_TYPE_EVENT_DATA_REFERENCE_SPACE_CHANGE_PENDING;
        change.session = handleOf(s);
        change.referenceSpaceType = XR_REFERENCE_SPACE_TYPE_LOCAL;
        change.changeTime = now();
        change.poseValid = XR_FALSE;
        change.poseInPreviousSpace.orientation.w = 1.0f;
        queueEvent(s->instance, &change, sizeof change);
        return 0;
    }
    default: return -1;
    }
}

TWINSEAL_RUNTIME_EXPORT void twinseal_test_runtime_reset(void) {
    std::lock_guard lock(g_mutex);
    g_framesEnded = 0;
    g_lastLayerCount = 0;
    g_lastViews.clear();
    twinseal::xr::testruntime::clearLayers();
}
