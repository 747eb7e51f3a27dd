// TwinSeal Test Runtime: a tiny OpenXR runtime that the real OpenXR loader loads through a
// runtime manifest (XR_RUNTIME_JSON). It exists so xr/ is tested through the real loader.
//
// It exports only xrNegotiateLoaderRuntimeInterface; everything else is reached through its
// xrGetInstanceProcAddr. Entry points are internal (rt*) functions, never global xr* symbols,
// so nothing can interpose on the loader's own exported xr* functions or the other way round.
//
// What it implements (OpenXR 1.0 core, and XR_MND_headless): instances and their properties, a
// simulated head-mounted display, headless sessions and their state events. Session state
// changes are simulated without a frame loop: after xrBeginSession the session moves straight
// to FOCUSED, and xrRequestExitSession steps it back down to STOPPING.
//
// Behaviour switches, read from the environment at call time:
//   TWINSEAL_TEST_RUNTIME_SYSTEM=1        xrGetSystem finds a head-mounted display (otherwise
//                                         XR_ERROR_FORM_FACTOR_UNAVAILABLE, like a runtime
//                                         with no headset connected)
//   TWINSEAL_TEST_RUNTIME_NO_HEADLESS=1   do not offer XR_MND_headless
//   TWINSEAL_TEST_RUNTIME_SKIP_TO_FOCUSED=1  after xrBeginSession jump READY -> FOCUSED (an
//                                         illegal sequence, for the client to refuse)
//   TWINSEAL_TEST_RUNTIME_LOSE_SESSION=1  after FOCUSED report LOSS_PENDING
//   TWINSEAL_TEST_RUNTIME_FAIL_CREATE=1   xrCreateInstance fails with XR_ERROR_RUNTIME_FAILURE
//                                         (a runtime that is installed but broken)
#include <openxr/openxr.h>
#include <openxr/openxr_reflection.h>

#include "loader_negotiation.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#define TWINSEAL_RUNTIME_EXPORT extern "C" __attribute__((visibility("default")))

namespace {

constexpr const char* kRuntimeName = "TwinSeal Test Runtime";
constexpr const char* kSystemName = "TwinSeal Test HMD";
constexpr XrVersion kRuntimeVersion = XR_MAKE_VERSION(0, 1, 0);
constexpr XrSystemId kSystemId = 1;

bool envFlag(const char* name) {
    const char* v = std::getenv(name);
    return v != nullptr && std::strcmp(v, "1") == 0;
}

struct Instance;

struct Session {
    Instance* instance = nullptr;
    XrSessionState state = XR_SESSION_STATE_UNKNOWN;  // the latest state queued for the app
    bool running = false;                              // xrBeginSession .. xrEndSession
    bool exitRequested = false;
};

struct Instance {
    bool headless = false;
    std::vector<std::unique_ptr<Session>> sessions;
    std::deque<XrEventDataSessionStateChanged> events;
};

// All runtime state, behind one lock.
std::mutex g_mutex;
std::set<Instance*> g_instances;

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
            std::fprintf(stderr, "TwinSeal Test Runtime: %zu XrInstance(s) never destroyed\n",
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

XrSession handleOf(Session* s) { return reinterpret_cast<XrSession>(s); }

void queueState(Session* s, XrSessionState state) {
    XrEventDataSessionStateChanged event{};
    event.type = XR_TYPE_EVENT_DATA_SESSION_STATE_CHANGED;
    event.next = nullptr;
    event.session = handleOf(s);
    event.state = state;
    event.time = now();
    s->instance->events.push_back(event);
    s->state = state;
}

std::vector<const char*> offeredExtensions() {
    std::vector<const char*> out;
    if (!envFlag("TWINSEAL_TEST_RUNTIME_NO_HEADLESS"))
        out.push_back(XR_MND_HEADLESS_EXTENSION_NAME);
    return out;
}

void copyString(char* out, std::size_t size, const char* text) {
    std::snprintf(out, size, "%s", text);
}

// ---- global commands ----

XrResult XRAPI_CALL rtEnumerateInstanceExtensionProperties(const char* layerName,
                                                           uint32_t capacity, uint32_t* count,
                                                           XrExtensionProperties* properties) {
    if (layerName != nullptr && layerName[0] != '\0')
        return XR_ERROR_API_LAYER_NOT_PRESENT;
    if (count == nullptr)
        return XR_ERROR_VALIDATION_FAILURE;
    const auto offered = offeredExtensions();
    *count = static_cast<uint32_t>(offered.size());
    if (capacity == 0)
        return XR_SUCCESS;
    if (capacity < offered.size())
        return XR_ERROR_SIZE_INSUFFICIENT;
    if (properties == nullptr)
        return XR_ERROR_VALIDATION_FAILURE;
    for (std::size_t i = 0; i < offered.size(); ++i) {
        if (properties[i].type != XR_TYPE_EXTENSION_PROPERTIES)
            return XR_ERROR_VALIDATION_FAILURE;
        copyString(properties[i].extensionName, sizeof properties[i].extensionName, offered[i]);
        properties[i].extensionVersion = XR_MND_headless_SPEC_VERSION;
    }
    return XR_SUCCESS;
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
        for (const char* o : offered)
            found = found || std::strcmp(o, name) == 0;
        if (!found)
            return XR_ERROR_EXTENSION_NOT_PRESENT;
        if (std::strcmp(name, XR_MND_HEADLESS_EXTENSION_NAME) == 0)
            instance->headless = true;
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
        std::snprintf(buffer, XR_MAX_RESULT_STRING_SIZE, "XR_UNKNOWN_%s_%d",
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
        std::snprintf(buffer, XR_MAX_STRUCTURE_NAME_SIZE, "XR_UNKNOWN_STRUCTURE_TYPE_%d",
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
    props->graphicsProperties.maxSwapchainImageHeight = 0;
    props->graphicsProperties.maxSwapchainImageWidth = 0;
    props->graphicsProperties.maxLayerCount = XR_MIN_COMPOSITION_LAYERS_SUPPORTED;
    props->trackingProperties.orientationTracking = XR_FALSE;
    props->trackingProperties.positionTracking = XR_FALSE;
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
    // Only headless sessions: this runtime has no graphics binding to offer.
    if (!instance->headless || info->next != nullptr)
        return XR_ERROR_GRAPHICS_DEVICE_INVALID;
    auto session = std::make_unique<Session>();
    session->instance = instance;
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
    // Events of a destroyed session are dropped (a later session may reuse the address).
    std::erase_if(instance->events, [&](const auto& e) { return e.session == handle; });
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
    if (s->state == XR_SESSION_STATE_FOCUSED)
        queueState(s, XR_SESSION_STATE_VISIBLE);
    if (s->state == XR_SESSION_STATE_VISIBLE)
        queueState(s, XR_SESSION_STATE_SYNCHRONIZED);
    if (s->state == XR_SESSION_STATE_SYNCHRONIZED)
        queueState(s, XR_SESSION_STATE_STOPPING);
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
    static_assert(sizeof(XrEventDataSessionStateChanged) <= sizeof(XrEventDataBuffer));
    const XrEventDataSessionStateChanged event = instance->events.front();
    instance->events.pop_front();
    std::memcpy(static_cast<void*>(buffer), &event, sizeof event);
    return XR_SUCCESS;
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
        {"xrCreateSession", asVoid(&rtCreateSession)},
        {"xrDestroySession", asVoid(&rtDestroySession)},
        {"xrBeginSession", asVoid(&rtBeginSession)},
        {"xrEndSession", asVoid(&rtEndSession)},
        {"xrRequestExitSession", asVoid(&rtRequestExitSession)},
        {"xrPollEvent", asVoid(&rtPollEvent)},
    };
    for (const Entry& e : global) {
        if (std::strcmp(name, e.name) == 0) {
            *function = e.function;
            return XR_SUCCESS;
        }
    }
    if (handle == XR_NULL_HANDLE)
        return XR_ERROR_HANDLE_INVALID;
    {
        std::lock_guard lock(g_mutex);
        if (findInstance(handle) == nullptr)
            return XR_ERROR_HANDLE_INVALID;
    }
    for (const Entry& e : perInstance) {
        if (std::strcmp(name, e.name) == 0) {
            *function = e.function;
            return XR_SUCCESS;
        }
    }
    return XR_ERROR_FUNCTION_UNSUPPORTED;
}

} // namespace

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
