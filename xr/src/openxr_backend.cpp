// The OpenXR probe and backend, through the system OpenXR loader.
#include <twinseal/xr/openxr_backend.h>

#include "actions.h"
#include "frame_loop.h"
#include "glx_binding.h"

#include <openxr/openxr.h>
#include <openxr/openxr_reflection.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <exception>
#include <thread>
#include <utility>

namespace twinseal::xr {

namespace {

// Our SessionState mirrors XrSessionState one-to-one (IDLE = 1 ... EXITING = 8).
static_assert(XR_SESSION_STATE_IDLE == 1 && XR_SESSION_STATE_EXITING == 8);

// OpenXR 1.0 core is all we use; every 1.x runtime accepts a 1.0 application.
constexpr XrVersion kApiVersion = XR_MAKE_VERSION(1, 0, 0);
// A misbehaving runtime must not keep poll() busy forever.
constexpr int kMaxEventsPerPoll = 256;

std::optional<SessionState> fromXr(XrSessionState state) {
    switch (state) {
    case XR_SESSION_STATE_IDLE: return SessionState::Idle;
    case XR_SESSION_STATE_READY: return SessionState::Ready;
    case XR_SESSION_STATE_SYNCHRONIZED: return SessionState::Synchronized;
    case XR_SESSION_STATE_VISIBLE: return SessionState::Visible;
    case XR_SESSION_STATE_FOCUSED: return SessionState::Focused;
    case XR_SESSION_STATE_STOPPING: return SessionState::Stopping;
    case XR_SESSION_STATE_LOSS_PENDING: return SessionState::LossPending;
    case XR_SESSION_STATE_EXITING: return SessionState::Exiting;
    default: return std::nullopt;
    }
}

// Results meaning "there is no runtime to talk to" (no manifest, a manifest naming a missing
// library, or one the loader could not use).
bool meansNoRuntime(XrResult r) {
    return r == XR_ERROR_RUNTIME_UNAVAILABLE || r == XR_ERROR_FILE_ACCESS_ERROR ||
           r == XR_ERROR_FILE_CONTENTS_INVALID;
}

std::string callDetail(const char* call, XrResult r) {
    return std::string(call) + " returned " + xrResultName(r);
}

std::string noRuntimeMessage(XrResult r) {
    if (meansNoRuntime(r))
        return "No OpenXR runtime is installed or active; TwinSeal runs in desktop mode.";
    // The 1.0.20 loader refuses a second simultaneous XrInstance in one process.
    if (r == XR_ERROR_LIMIT_REACHED)
        return "OpenXR is already in use in this process (the OpenXR loader allows one instance "
               "at a time).";
    return "The OpenXR runtime could not be started (" + xrResultName(r) +
           "); TwinSeal runs in desktop mode.";
}

void copyName(char* out, std::size_t size, const std::string& name) {
    const std::size_t n = std::min(name.size(), size - 1);
    std::memcpy(out, name.data(), n);
    out[n] = '\0';
}

std::string fixedString(const char* text, std::size_t size) {
    return std::string(text, strnlen(text, size));
}

// Instance extensions as reported through the loader (runtime's plus the loader's own).
XrResult enumerateExtensions(std::vector<std::string>& out) {
    out.clear();
    std::uint32_t count = 0;
    XrResult r = xrEnumerateInstanceExtensionProperties(nullptr, 0, &count, nullptr);
    if (XR_FAILED(r) || count == 0)
        return r;
    XrExtensionProperties blank{};
    blank.type = XR_TYPE_EXTENSION_PROPERTIES;
    std::vector<XrExtensionProperties> props(count, blank);
    r = xrEnumerateInstanceExtensionProperties(nullptr, count, &count, props.data());
    if (XR_FAILED(r))
        return r;
    props.resize(std::min<std::size_t>(count, props.size()));
    for (const auto& p : props)
        out.push_back(fixedString(p.extensionName, sizeof p.extensionName));
    return r;
}

XrResult createInstance(const std::string& appName, std::uint32_t appVersion,
                        const std::vector<const char*>& extensions, XrInstance& instance) {
    XrInstanceCreateInfo info{};
    info.type = XR_TYPE_INSTANCE_CREATE_INFO;
    copyName(info.applicationInfo.applicationName, sizeof info.applicationInfo.applicationName,
             appName.empty() ? std::string("TwinSeal") : appName);
    info.applicationInfo.applicationVersion = appVersion;
    copyName(info.applicationInfo.engineName, sizeof info.applicationInfo.engineName, "TwinSeal");
    info.applicationInfo.engineVersion = 1;
    info.applicationInfo.apiVersion = kApiVersion;
    info.enabledExtensionCount = static_cast<std::uint32_t>(extensions.size());
    info.enabledExtensionNames = extensions.empty() ? nullptr : extensions.data();
    instance = XR_NULL_HANDLE;
    return xrCreateInstance(&info, &instance);
}

struct InstanceGuard {
    XrInstance instance = XR_NULL_HANDLE;
    InstanceGuard() = default;
    InstanceGuard(const InstanceGuard&) = delete;
    InstanceGuard& operator=(const InstanceGuard&) = delete;
    ~InstanceGuard() {
        if (instance != XR_NULL_HANDLE)
            xrDestroyInstance(instance);
    }
};

XrResult getHeadMountedSystem(XrInstance instance, XrSystemId& system, std::string& name) {
    XrSystemGetInfo info{};
    info.type = XR_TYPE_SYSTEM_GET_INFO;
    info.formFactor = XR_FORM_FACTOR_HEAD_MOUNTED_DISPLAY;
    system = XR_NULL_SYSTEM_ID;
    XrResult r = xrGetSystem(instance, &info, &system);
    if (XR_FAILED(r))
        return r;
    XrSystemProperties props{};
    props.type = XR_TYPE_SYSTEM_PROPERTIES;
    if (XR_SUCCEEDED(xrGetSystemProperties(instance, system, &props)))
        name = fixedString(props.systemName, sizeof props.systemName);
    return r;
}

RuntimeProbe probeImpl(const ProbeOptions& options) {
    RuntimeProbe probe;

    const XrResult enumerated = enumerateExtensions(probe.extensions);

    InstanceGuard guard;
    const XrResult created =
        createInstance(options.applicationName, options.applicationVersion, {}, guard.instance);
    probe.result = created;
    if (XR_FAILED(created)) {
        probe.failedCall = "xrCreateInstance";
        probe.error = meansNoRuntime(created) ? ErrorCode::RuntimeUnavailable : ErrorCode::RuntimeError;
        probe.message = noRuntimeMessage(created);
        probe.detail = callDetail("xrCreateInstance", created);
        if (XR_FAILED(enumerated))
            probe.detail += "; " + callDetail("xrEnumerateInstanceExtensionProperties", enumerated);
        return probe;
    }
    probe.available = true;

    XrInstanceProperties props{};
    props.type = XR_TYPE_INSTANCE_PROPERTIES;
    if (const XrResult r = xrGetInstanceProperties(guard.instance, &props); XR_SUCCEEDED(r)) {
        probe.runtimeName = fixedString(props.runtimeName, sizeof props.runtimeName);
        probe.runtimeVersion = props.runtimeVersion;
    } else {
        probe.detail = callDetail("xrGetInstanceProperties", r);
    }
    const std::string shownName = probe.runtimeName.empty() ? "(unnamed)" : probe.runtimeName;
    probe.message = "OpenXR runtime \"" + shownName + "\" " +
                    xrVersionString(probe.runtimeVersion) + " is available.";

    if (options.querySystem) {
        probe.systemQueried = true;
        XrSystemId system = XR_NULL_SYSTEM_ID;
        const XrResult r = getHeadMountedSystem(guard.instance, system, probe.systemName);
        probe.systemAvailable = XR_SUCCEEDED(r);
        if (!probe.systemAvailable) {
            probe.result = r;
            probe.failedCall = "xrGetSystem";
            probe.error = r == XR_ERROR_FORM_FACTOR_UNAVAILABLE ? ErrorCode::FormFactorUnavailable
                                                                : ErrorCode::RuntimeError;
            probe.detail = callDetail("xrGetSystem", r);
            probe.message = r == XR_ERROR_FORM_FACTOR_UNAVAILABLE
                                ? "OpenXR runtime \"" + shownName +
                                      "\" is active but no headset is connected; TwinSeal runs "
                                      "in desktop mode."
                                : "OpenXR runtime \"" + shownName + "\" found no headset (" +
                                      xrResultName(r) + "); TwinSeal runs in desktop mode.";
        } else {
            probe.message = "OpenXR runtime \"" + shownName + "\" " +
                            xrVersionString(probe.runtimeVersion) + " is available with headset \"" +
                            probe.systemName + "\".";
        }
    }
    return probe;  // guard destroys the instance
}

} // namespace

std::string xrResultName(std::int32_t result) {
    switch (result) {
#define TWINSEAL_XR_RESULT_CASE(name, value)                                                       \
    case value: return #name;
        XR_LIST_ENUM_XrResult(TWINSEAL_XR_RESULT_CASE)
#undef TWINSEAL_XR_RESULT_CASE
    default: break;
    }
    return "XR_RESULT_" + std::to_string(result);
}

std::string xrVersionString(std::uint64_t version) {
    return std::to_string(XR_VERSION_MAJOR(version)) + "." +
           std::to_string(XR_VERSION_MINOR(version)) + "." +
           std::to_string(XR_VERSION_PATCH(version));
}

bool RuntimeProbe::hasExtension(const std::string& name) const {
    return std::find(extensions.begin(), extensions.end(), name) != extensions.end();
}

RuntimeProbe probeOpenXr(const ProbeOptions& options) {
    try {
        return probeImpl(options);
    } catch (const std::exception& e) {
        RuntimeProbe probe;
        probe.result = XR_ERROR_RUNTIME_FAILURE;
        probe.error = ErrorCode::RuntimeError;
        probe.message = "The OpenXR runtime could not be probed; TwinSeal runs in desktop mode.";
        probe.detail = e.what();
        return probe;
    } catch (...) {
        RuntimeProbe probe;
        probe.result = XR_ERROR_RUNTIME_FAILURE;
        probe.error = ErrorCode::RuntimeError;
        probe.message = "The OpenXR runtime could not be probed; TwinSeal runs in desktop mode.";
        probe.detail = "unknown exception";
        return probe;
    }
}

// ---- OpenXrBackend ----

struct OpenXrBackend::Impl {
    OpenXrOptions options;
    XrInstance instance = XR_NULL_HANDLE;
    XrSystemId system = XR_NULL_SYSTEM_ID;
    XrSession session = XR_NULL_HANDLE;
    bool sessionRunning = false;     // between xrBeginSession and xrEndSession
    bool awaitingFirstIdle = false;  // a new session's first event is IDLE (from UNKNOWN)
    std::string runtimeName;
    std::string systemName;
    // A graphics session (XR_KHR_opengl_enable), set up by start().
    bool graphics = false;
    XrVersion minGlVersion = 0;
    XrSpace localSpace = XR_NULL_HANDLE;
    XrSpace stageSpace = XR_NULL_HANDLE;
    XrSpace viewSpace = XR_NULL_HANDLE;  // for head-locked quad layers
    std::int64_t format = 0;
    std::array<std::int32_t, 2> width{};
    std::array<std::int32_t, 2> height{};
    detail::FrameLoop loop;
    detail::InputActions input;

    void destroySession() {
        loop.stop();  // the frame thread uses the session: it goes first
        (void)loop.takeError();  // explained by the teardown itself
        input.destroy();
        if (stageSpace != XR_NULL_HANDLE)
            xrDestroySpace(stageSpace);
        if (viewSpace != XR_NULL_HANDLE)
            xrDestroySpace(viewSpace);
        viewSpace = XR_NULL_HANDLE;
        if (localSpace != XR_NULL_HANDLE)
            xrDestroySpace(localSpace);
        stageSpace = localSpace = XR_NULL_HANDLE;
        if (session != XR_NULL_HANDLE)
            xrDestroySession(session);
        session = XR_NULL_HANDLE;
        sessionRunning = false;
        awaitingFirstIdle = false;
    }
    void destroyAll() {
        destroySession();
        if (instance != XR_NULL_HANDLE)
            xrDestroyInstance(instance);
        instance = XR_NULL_HANDLE;
        system = XR_NULL_SYSTEM_ID;
    }

    detail::GlxHandles glxHandles() const {
        detail::GlxHandles h;
        if (options.glx) {
            h.display = options.glx->display;
            h.fbConfig = options.glx->fbConfig;
            h.drawable = options.glx->drawable;
            h.context = options.glx->context;
            h.visualId = options.glx->visualId;
        }
        return h;
    }
    // The graphics part of start(): after xrGetSystem, before the first poll().
    Status createGraphicsSession();
    Status startFrameLoop() {
        detail::FrameLoopConfig config;
        config.session = session;
        config.space = localSpace;
        config.glx = glxHandles();
        config.minGlVersion = minGlVersion;
        config.format = format;
        config.width = width;
        config.height = height;
        config.render = options.render;
        config.timingCapacity = options.timingCapacity;
        config.afterWait = [this](XrTime time) {
            Status s = input.sync(time);
            if (input.takeRecenterPress())
                loop.requestRecenter(0);
            return s;
        };
        config.quads = options.quads;
        config.viewSpace = viewSpace;
        return loop.start(std::move(config));
    }
};

namespace {

std::string hex(std::int64_t v) {
    char buffer[32];
    (void)std::snprintf(buffer, sizeof buffer, "0x%llX", static_cast<unsigned long long>(v));
    return buffer;
}

XrResult enumerateReferenceSpaces(XrSession session, std::vector<XrReferenceSpaceType>& out) {
    out.clear();
    std::uint32_t count = 0;
    XrResult r = xrEnumerateReferenceSpaces(session, 0, &count, nullptr);
    if (XR_FAILED(r))
        return r;
    out.resize(count);
    r = xrEnumerateReferenceSpaces(session, count, &count, out.data());
    out.resize(std::min<std::size_t>(count, out.size()));
    return r;
}

XrResult createSpace(XrSession session, XrReferenceSpaceType type, XrSpace& space) {
    XrReferenceSpaceCreateInfo info{};
    info.type = XR_TYPE_REFERENCE_SPACE_CREATE_INFO;
    info.referenceSpaceType = type;
    info.poseInReferenceSpace.orientation.w = 1.0f;
    space = XR_NULL_HANDLE;
    return xrCreateReferenceSpace(session, &info, &space);
}

} // namespace

Status OpenXrBackend::Impl::createGraphicsSession() {
    std::string call;
    XrVersion maxGl = 0;
    XrResult r = detail::getGlRequirements(instance, system, minGlVersion, maxGl, call);
    if (XR_FAILED(r))
        return Error{ErrorCode::RuntimeError, callDetail(call.c_str(), r)};

    r = detail::createGlxSession(instance, system, glxHandles(), &session);
    if (XR_FAILED(r)) {
        session = XR_NULL_HANDLE;
        return Error{ErrorCode::RuntimeError, callDetail("xrCreateSession", r)};
    }

    std::vector<XrReferenceSpaceType> spaces;
    r = enumerateReferenceSpaces(session, spaces);
    if (XR_FAILED(r))
        return Error{ErrorCode::RuntimeError, callDetail("xrEnumerateReferenceSpaces", r)};
    r = createSpace(session, XR_REFERENCE_SPACE_TYPE_LOCAL, localSpace);
    if (XR_FAILED(r))
        return Error{ErrorCode::RuntimeError, callDetail("xrCreateReferenceSpace(LOCAL)", r)};
    if (std::find(spaces.begin(), spaces.end(), XR_REFERENCE_SPACE_TYPE_STAGE) != spaces.end()) {
        r = createSpace(session, XR_REFERENCE_SPACE_TYPE_STAGE, stageSpace);
        if (XR_FAILED(r))
            return Error{ErrorCode::RuntimeError, callDetail("xrCreateReferenceSpace(STAGE)", r)};
    }
    // VIEW is required by the specification; a runtime without it only loses head-locked quads.
    if (std::find(spaces.begin(), spaces.end(), XR_REFERENCE_SPACE_TYPE_VIEW) != spaces.end()) {
        r = createSpace(session, XR_REFERENCE_SPACE_TYPE_VIEW, viewSpace);
        if (XR_FAILED(r))
            return Error{ErrorCode::RuntimeError, callDetail("xrCreateReferenceSpace(VIEW)", r)};
    }

    std::uint32_t count = 0;
    r = xrEnumerateSwapchainFormats(session, 0, &count, nullptr);
    std::vector<std::int64_t> formats(count);
    if (XR_SUCCEEDED(r) && count > 0)
        r = xrEnumerateSwapchainFormats(session, count, &count, formats.data());
    if (XR_FAILED(r))
        return Error{ErrorCode::RuntimeError, callDetail("xrEnumerateSwapchainFormats", r)};
    formats.resize(std::min<std::size_t>(count, formats.size()));
    format = 0;
    for (std::int64_t wanted : {detail::kGlSrgb8Alpha8, detail::kGlRgba8}) {
        if (std::find(formats.begin(), formats.end(), wanted) != formats.end()) {
            format = wanted;
            break;
        }
    }
    if (format == 0) {
        std::string offered;
        for (std::int64_t f : formats)
            offered += (offered.empty() ? "" : ", ") + hex(f);
        return Error{ErrorCode::Unsupported,
                     "The OpenXR runtime \"" + runtimeName +
                         "\" offers no swapchain format TwinSeal renders to (GL_SRGB8_ALPHA8 or "
                         "GL_RGBA8); it offers: " + (offered.empty() ? "none" : offered) + "."};
    }

    XrViewConfigurationView blank{};
    blank.type = XR_TYPE_VIEW_CONFIGURATION_VIEW;
    std::array<XrViewConfigurationView, 2> views{blank, blank};
    count = 0;
    r = xrEnumerateViewConfigurationViews(instance, system,
                                          XR_VIEW_CONFIGURATION_TYPE_PRIMARY_STEREO,
                                          static_cast<std::uint32_t>(views.size()), &count,
                                          views.data());
    if (XR_FAILED(r))
        return Error{ErrorCode::RuntimeError, callDetail("xrEnumerateViewConfigurationViews", r)};
    if (count != views.size())
        return Error{ErrorCode::Unsupported,
                     "The OpenXR runtime \"" + runtimeName + "\" has " + std::to_string(count) +
                         " stereo views; TwinSeal renders exactly two."};
    for (std::size_t eye = 0; eye < views.size(); ++eye) {
        width[eye] = static_cast<std::int32_t>(views[eye].recommendedImageRectWidth);
        height[eye] = static_cast<std::int32_t>(views[eye].recommendedImageRectHeight);
        if (width[eye] <= 0 || height[eye] <= 0)
            return Error{ErrorCode::RuntimeError,
                         "xrEnumerateViewConfigurationViews recommended an empty image"};
    }
    return {};
}

OpenXrBackend::OpenXrBackend(OpenXrOptions options) : impl_(std::make_unique<Impl>()) {
    impl_->options = std::move(options);
}

OpenXrBackend::~OpenXrBackend() {
    impl_->destroyAll();
}

const std::string& OpenXrBackend::runtimeName() const noexcept { return impl_->runtimeName; }
const std::string& OpenXrBackend::systemName() const noexcept { return impl_->systemName; }
std::int64_t OpenXrBackend::swapchainFormat() const noexcept { return impl_->format; }
std::int32_t OpenXrBackend::eyeWidth(std::uint32_t eye) const noexcept {
    return eye < 2 ? impl_->width[eye] : 0;
}
std::int32_t OpenXrBackend::eyeHeight(std::uint32_t eye) const noexcept {
    return eye < 2 ? impl_->height[eye] : 0;
}
bool OpenXrBackend::hasStageSpace() const noexcept { return impl_->stageSpace != XR_NULL_HANDLE; }
bool OpenXrBackend::frameLoopRunning() const noexcept { return impl_->loop.running(); }
std::uint64_t OpenXrBackend::framesSubmitted() const noexcept {
    return impl_->loop.framesSubmitted();
}
std::vector<FrameTiming> OpenXrBackend::takeFrameTimings() { return impl_->loop.takeTimings(); }
std::vector<InputEvent> OpenXrBackend::takeInputEvents() { return impl_->input.takeEvents(); }
TrackedPoses OpenXrBackend::trackedPoses() const { return impl_->input.poses(); }
std::string OpenXrBackend::interactionProfile() const { return impl_->input.interactionProfile(); }

Status OpenXrBackend::start() {
    if (started())
        return Error{ErrorCode::AlreadyRunning, "The OpenXR session is already running."};
    Impl& d = *impl_;
    d.destroyAll();
    d.format = 0;
    d.width = {};
    d.height = {};

    d.graphics = d.options.glx.has_value();
    if (d.graphics && !d.options.glx->complete())
        return Error{ErrorCode::Unsupported,
                     "The OpenGL context given to the OpenXR backend is incomplete (it needs the "
                     "X display, the GLX framebuffer configuration, a drawable and the context)."};

    std::vector<std::string> available;
    const XrResult enumerated = enumerateExtensions(available);
    const auto offers = [&](const char* name) {
        return std::find(available.begin(), available.end(), name) != available.end();
    };
    std::vector<const char*> enabled;
    bool headless = false;
    if (d.graphics) {
        // A runtime without any answer here is reported by xrCreateInstance below.
        if (XR_SUCCEEDED(enumerated) && !available.empty() && !offers(kOpenGlExtensionName))
            return Error{ErrorCode::MissingExtension,
                         std::string("The OpenXR runtime does not offer ") + kOpenGlExtensionName +
                             " (OpenGL on X11), which TwinSeal needs to render to the headset; "
                             "TwinSeal can run in desktop mode."};
        enabled.push_back(kOpenGlExtensionName);
    } else {
        headless = offers(XR_MND_HEADLESS_EXTENSION_NAME);
        if (headless)
            enabled.push_back(XR_MND_HEADLESS_EXTENSION_NAME);
    }

    XrResult r = createInstance(d.options.applicationName, d.options.applicationVersion, enabled,
                                d.instance);
    if (XR_FAILED(r)) {
        d.instance = XR_NULL_HANDLE;
        if (r == XR_ERROR_EXTENSION_NOT_PRESENT && d.graphics)
            return Error{ErrorCode::MissingExtension,
                         std::string("The OpenXR runtime refused ") + kOpenGlExtensionName +
                             " (xrCreateInstance returned XR_ERROR_EXTENSION_NOT_PRESENT); "
                             "TwinSeal can run in desktop mode."};
        return Error{meansNoRuntime(r) ? ErrorCode::RuntimeUnavailable : ErrorCode::RuntimeError,
                noRuntimeMessage(r)};
    }
    XrInstanceProperties props{};
    props.type = XR_TYPE_INSTANCE_PROPERTIES;
    if (XR_SUCCEEDED(xrGetInstanceProperties(d.instance, &props)))
        d.runtimeName = fixedString(props.runtimeName, sizeof props.runtimeName);

    d.systemName.clear();
    r = getHeadMountedSystem(d.instance, d.system, d.systemName);
    if (XR_FAILED(r)) {
        d.destroyAll();
        if (r == XR_ERROR_FORM_FACTOR_UNAVAILABLE)
            return Error{ErrorCode::FormFactorUnavailable,
                    "No headset is connected to the OpenXR runtime \"" + d.runtimeName + "\"."};
        return Error{ErrorCode::RuntimeError, callDetail("xrGetSystem", r)};
    }

    if (d.graphics) {
        if (Status s = d.createGraphicsSession(); !s.ok()) {
            d.destroyAll();
            return s;
        }
    } else {
        if (!headless) {
            d.destroyAll();
            return Error{ErrorCode::Unsupported,
                    "The OpenXR runtime \"" + d.runtimeName +
                        "\" needs a graphics binding, and the OpenXR backend was given no "
                        "OpenGL context."};
        }
        XrSessionCreateInfo info{};
        info.type = XR_TYPE_SESSION_CREATE_INFO;
        info.next = nullptr;  // no graphics binding: a headless session (XR_MND_headless)
        info.systemId = d.system;
        r = xrCreateSession(d.instance, &info, &d.session);
        if (XR_FAILED(r)) {
            d.session = XR_NULL_HANDLE;
            d.destroyAll();
            return Error{ErrorCode::RuntimeError, callDetail("xrCreateSession", r)};
        }
    }
    if (Status s = d.input.create(d.instance, d.session, d.options.bindings); !s.ok()) {
        d.destroyAll();
        return s;
    }
    d.awaitingFirstIdle = true;
    beginNewSession();
    return poll();
}

Status OpenXrBackend::poll() {
    Impl& d = *impl_;
    if (d.instance == XR_NULL_HANDLE)
        return {};
    Status events = pollEvents();
    // A headless session has no frame loop: its buttons are read here (no display time, no poses).
    if (events.ok() && !d.graphics && d.sessionRunning)
        events = d.input.sync(0);
    // A frame loop that stopped on an error says so once, after the events it may explain.
    if (std::optional<Error> failed = d.loop.takeError(); failed && events.ok())
        return *failed;
    return events;
}

Status OpenXrBackend::pollEvents() {
    Impl& d = *impl_;
    for (int i = 0; i < kMaxEventsPerPoll; ++i) {
        if (d.instance == XR_NULL_HANDLE)
            return {};
        XrEventDataBuffer event{};
        event.type = XR_TYPE_EVENT_DATA_BUFFER;
        const XrResult r = xrPollEvent(d.instance, &event);
        if (r == XR_EVENT_UNAVAILABLE)
            return {};
        if (XR_FAILED(r))
            return Error{ErrorCode::RuntimeError, callDetail("xrPollEvent", r)};

        if (event.type == XR_TYPE_EVENT_DATA_INSTANCE_LOSS_PENDING) {
            // The whole instance is going away: the session with it.
            if (started()) {
                (void)enter(SessionState::LossPending);
                d.destroyAll();
                (void)enter(SessionState::Exiting);
            } else {
                d.destroyAll();
            }
            return {};
        }
        if (event.type == XR_TYPE_EVENT_DATA_INTERACTION_PROFILE_CHANGED) {
            d.input.refreshInteractionProfile();
            continue;
        }
        if (event.type == XR_TYPE_EVENT_DATA_REFERENCE_SPACE_CHANGE_PENDING) {
            // The user recentred through the runtime: LOCAL's origin moves at changeTime; the
            // panels follow to where the head is then.
            const auto& change = reinterpret_cast<const XrEventDataReferenceSpaceChangePending&>(event);
            if (change.session == d.session && change.referenceSpaceType == XR_REFERENCE_SPACE_TYPE_LOCAL)
                d.loop.requestRecenter(change.changeTime);
            continue;
        }
        if (event.type != XR_TYPE_EVENT_DATA_SESSION_STATE_CHANGED)
            continue;  // other events (events lost, ...) need no action here
        const auto& changed = reinterpret_cast<const XrEventDataSessionStateChanged&>(event);
        if (changed.session != d.session || d.session == XR_NULL_HANDLE)
            continue;

        const auto next = fromXr(changed.state);
        if (!next) {
            return Error{ErrorCode::IllegalTransition,
                    "The OpenXR runtime reported an unknown session state " +
                        std::to_string(static_cast<int>(changed.state)) + "."};
        }
        if (d.awaitingFirstIdle) {
            d.awaitingFirstIdle = false;
            if (*next == SessionState::Idle && state() == SessionState::Idle)
                continue;
        }
        if (Status s = enter(*next); !s.ok())
            return s;

        switch (*next) {
        case SessionState::Ready: {
            XrSessionBeginInfo begin{};
            begin.type = XR_TYPE_SESSION_BEGIN_INFO;
            begin.primaryViewConfigurationType = XR_VIEW_CONFIGURATION_TYPE_PRIMARY_STEREO;
            const XrResult b = xrBeginSession(d.session, &begin);
            if (XR_FAILED(b))
                return Error{ErrorCode::RuntimeError, callDetail("xrBeginSession", b)};
            d.sessionRunning = true;
            if (d.graphics) {
                if (Status s = d.startFrameLoop(); !s.ok())
                    return s;
            }
            break;
        }
        case SessionState::Stopping: {
            d.loop.stop();  // no frame may be in flight when the session ends
            const XrResult e = xrEndSession(d.session);
            d.sessionRunning = false;
            if (XR_FAILED(e))
                return Error{ErrorCode::RuntimeError, callDetail("xrEndSession", e)};
            break;
        }
        case SessionState::LossPending:
            d.destroyAll();
            return enter(SessionState::Exiting);
        case SessionState::Exiting:
            d.destroyAll();
            return {};
        default: break;
        }
    }
    return {};
}

Status OpenXrBackend::stop() {
    Impl& d = *impl_;
    if (!started()) {
        d.destroyAll();
        return {};
    }
    if (state() == SessionState::Idle) {
        d.destroyAll();
        return enter(SessionState::Exiting);
    }
    if (!d.sessionRunning && state() != SessionState::Stopping) {
        // Never began (e.g. xrBeginSession failed in Ready): nothing to end, abandon it.
        d.destroyAll();
        (void)enter(SessionState::LossPending);
        return enter(SessionState::Exiting);
    }
    if (state() != SessionState::Stopping) {
        const XrResult r = xrRequestExitSession(d.session);
        if (XR_FAILED(r)) {
            d.destroyAll();
            (void)enter(SessionState::LossPending);
            (void)enter(SessionState::Exiting);
            return Error{ErrorCode::RuntimeError, callDetail("xrRequestExitSession", r)};
        }
    }
    // Follow the runtime down (Visible, Synchronized, Stopping, Idle, Exiting).
    using namespace std::chrono_literals;
    Status last;
    for (int round = 0; round < 200 && started(); ++round) {
        last = pollEvents();  // a frame loop error does not change how the session ends
        if (!last.ok())
            break;
        if (started())
            std::this_thread::sleep_for(10ms);
    }
    if (started()) {
        // The runtime did not end the session: abandon it.
        d.destroyAll();
        (void)enter(SessionState::LossPending);
        (void)enter(SessionState::Exiting);
        if (last.ok())
            last = Error{ErrorCode::RuntimeError,
                          "The OpenXR runtime did not end the session; it was abandoned."};
        return last;
    }
    return last;
}

} // namespace twinseal::xr
