// OpenXR through the system loader (libopenxr_loader, which finds the active runtime from
// XR_RUNTIME_JSON or active_runtime.json). OpenXR types stay out of this header: results are
// plain XrResult values (int32) and versions plain XrVersion values (uint64).
#pragma once

#include <twinseal/xr/backend.h>
#include <twinseal/xr/frame.h>
#include <twinseal/xr/input.h>
#include <twinseal/xr/quad_layer.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace twinseal::xr {

// "XR_ERROR_RUNTIME_UNAVAILABLE" for an XrResult value; "XR_RESULT_<n>" when unknown.
[[nodiscard]] std::string xrResultName(std::int32_t result);
// "1.0.20" for an XrVersion value.
[[nodiscard]] std::string xrVersionString(std::uint64_t version);

struct ProbeOptions {
    std::string applicationName = "TwinSeal";
    std::uint32_t applicationVersion = 1;
    // Also ask the runtime for a head-mounted display (xrGetSystem). A runtime without one is
    // then not usable (chooseBackend falls back to desktop).
    bool querySystem = false;
};

struct RuntimeProbe {
    bool available = false;            // a runtime was loaded and an instance created
    std::string runtimeName;           // XrInstanceProperties::runtimeName
    std::uint64_t runtimeVersion = 0;  // XrVersion
    std::vector<std::string> extensions; // instance extensions, as reported through the loader
    std::int32_t result = 0;           // XrResult of the call that decided the outcome
    std::string failedCall;            // that call's name when it failed, e.g. "xrCreateInstance"
    ErrorCode error = ErrorCode::Ok;   // why it is not usable (RuntimeUnavailable, ...), else Ok
    std::string message;               // one plain sentence for the user
    std::string detail;                // technical detail for logs, e.g. "xrCreateInstance: XR_..."
    bool systemQueried = false;
    bool systemAvailable = false;
    std::string systemName;            // XrSystemProperties::systemName

    // Available, and (when asked) a headset is connected.
    [[nodiscard]] bool usable() const noexcept {
        return available && (!systemQueried || systemAvailable);
    }
    [[nodiscard]] bool hasExtension(const std::string& name) const;
};

// Loads the active runtime through the real loader: xrEnumerateInstanceExtensionProperties,
// xrCreateInstance, xrGetInstanceProperties, (xrGetSystem), xrDestroyInstance. Never throws and
// never exits; "no runtime" is an ordinary answer.
// Probe before starting an OpenXrBackend: the OpenXR loader (1.0.20) allows one XrInstance per
// process, so a probe while a backend is started fails with XR_ERROR_LIMIT_REACHED.
[[nodiscard]] RuntimeProbe probeOpenXr(const ProbeOptions& options = {});

// The OpenXR extension the OpenGL graphics binding needs.
inline constexpr const char* kOpenGlExtensionName = "XR_KHR_opengl_enable";

struct OpenXrOptions {
    std::string applicationName = "TwinSeal";
    std::uint32_t applicationVersion = 1;
    // The OpenGL context to render with. With one, the runtime must offer XR_KHR_opengl_enable
    // (otherwise start() fails with MissingExtension) and sessions render through swapchains.
    // Without one, the session is headless (XR_MND_headless): state only, no frames.
    std::optional<GlxBinding> glx;
    // Called on the frame thread for each eye of each frame (see frame.h).
    RenderCallback render;
    // How many frames' timings are kept for takeFrameTimings() (the newest).
    std::size_t timingCapacity = 4096;
    // The controller bindings suggested to the runtime, per interaction profile (input.h).
    std::vector<ProfileBindings> bindings = defaultBindings();
    // Quad layers submitted after the projection layer (trusted ones last), see quad_layer.h.
    // Head-locked quads use the session's VIEW reference space.
    std::vector<QuadLayerConfig> quads;
};

// The OpenXR session, in hello_xr's shape without exceptions: start() creates the instance,
// finds the head-mounted display and creates the session (state Idle); poll() drains
// xrPollEvent and follows the runtime (Ready -> xrBeginSession and the frame loop starts,
// Stopping -> the frame loop stops and xrEndSession, Exiting / LossPending / instance loss ->
// teardown), refusing state changes the state machine does not allow. stop() asks the runtime to
// exit (xrRequestExitSession) and follows it down to Exiting. After Exiting, start() may begin
// again with a new instance.
//
// With a GlxBinding, start() also calls xrGetOpenGLGraphicsRequirementsKHR, creates the session
// with XrGraphicsBindingOpenGLXlibKHR, the LOCAL reference space (and STAGE when offered), and
// picks a swapchain format (GL_SRGB8_ALPHA8, else GL_RGBA8). While the session runs, a frame
// thread owned by the backend renders both eyes through the render callback into one swapchain
// per eye (recommended size) and submits them as a projection layer in LOCAL space. Errors on
// that thread stop the loop and are returned by the next poll().
class OpenXrBackend final : public Backend {
public:
    explicit OpenXrBackend(OpenXrOptions options = {});
    ~OpenXrBackend() override;

    [[nodiscard]] BackendKind kind() const noexcept override { return BackendKind::OpenXR; }
    Status start() override;
    Status stop() override;
    Status poll() override;

    // Valid after a successful start().
    [[nodiscard]] const std::string& runtimeName() const noexcept;
    [[nodiscard]] const std::string& systemName() const noexcept;

    // The graphics session's swapchain format (a GL internal format; 0 when headless) and
    // per-eye image size, valid after a successful start() with a GlxBinding.
    [[nodiscard]] std::int64_t swapchainFormat() const noexcept;
    [[nodiscard]] std::int32_t eyeWidth(std::uint32_t eye) const noexcept;
    [[nodiscard]] std::int32_t eyeHeight(std::uint32_t eye) const noexcept;
    // True when the runtime offered a STAGE reference space and it was created.
    [[nodiscard]] bool hasStageSpace() const noexcept;

    // True while the frame thread runs frames.
    [[nodiscard]] bool frameLoopRunning() const noexcept;
    // Frames submitted with xrEndFrame since the backend was made (across sessions).
    [[nodiscard]] std::uint64_t framesSubmitted() const noexcept;
    // The per-frame timings collected since the last call (see OpenXrOptions::timingCapacity).
    [[nodiscard]] std::vector<FrameTiming> takeFrameTimings();

    // Controller input (input.h). start() creates TwinSeal's action set, suggests
    // OpenXrOptions::bindings (a refusal fails start() naming the profile and the XrResult) and
    // attaches it; the frame thread syncs the actions each frame and locates the head (VIEW) and
    // the hands' grip and aim poses in LOCAL space for the predicted display time (a headless
    // session syncs in poll(), buttons only). Thread-safe.
    // The buttons pressed since the last call, oldest first.
    [[nodiscard]] std::vector<InputEvent> takeInputEvents();
    // The newest located poses (sequence 0: none yet).
    [[nodiscard]] TrackedPoses trackedPoses() const;
    // The interaction profile the runtime uses for the hands (e.g.
    // "/interaction_profiles/oculus/touch_controller"); empty until it says.
    [[nodiscard]] std::string interactionProfile() const;

private:
    Status pollEvents();

    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace twinseal::xr
