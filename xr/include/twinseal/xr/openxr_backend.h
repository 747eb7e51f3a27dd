// OpenXR through the system loader (libopenxr_loader, which finds the active runtime from
// XR_RUNTIME_JSON or active_runtime.json). OpenXR types stay out of this header: results are
// plain XrResult values (int32) and versions plain XrVersion values (uint64).
#pragma once

#include <twinseal/xr/backend.h>

#include <cstdint>
#include <memory>
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

struct OpenXrOptions {
    std::string applicationName = "TwinSeal";
    std::uint32_t applicationVersion = 1;
};

// The OpenXR session, in hello_xr's shape without exceptions: start() creates the instance,
// finds the head-mounted display and creates the session (state Idle); poll() drains
// xrPollEvent and follows the runtime (Ready -> xrBeginSession, Stopping -> xrEndSession,
// Exiting / LossPending -> xrDestroySession), refusing state changes the state machine does not
// allow. stop() asks the runtime to exit (xrRequestExitSession) and follows it down to Exiting.
//
// Sessions are created headless (XR_MND_headless) when the runtime offers it. A runtime that
// needs a graphics binding is refused with Unsupported: swapchains and the graphics binding
// are not part of this backend yet.
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

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace twinseal::xr
