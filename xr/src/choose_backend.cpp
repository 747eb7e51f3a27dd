#include <twinseal/xr/choose_backend.h>

namespace twinseal::xr {

std::optional<BackendPreference> parseBackendPreference(std::string_view text) {
    if (text == "auto") return BackendPreference::Auto;
    if (text == "desktop") return BackendPreference::Desktop;
    if (text == "openxr") return BackendPreference::OpenXR;
    if (text == "null") return BackendPreference::Null;
    return std::nullopt;
}

BackendChoice chooseBackend(BackendPreference preference, const RuntimeProbe& probe,
                            const OpenXrOptions& options) {
    BackendChoice choice;
    switch (preference) {
    case BackendPreference::Null:
        choice.backend = std::make_unique<NullBackend>();
        choice.reason = "The null XR backend was requested (tests).";
        return choice;
    case BackendPreference::Desktop:
        choice.backend = std::make_unique<DesktopBackend>();
        choice.reason = "Desktop mode was requested.";
        return choice;
    case BackendPreference::Auto:
    case BackendPreference::OpenXR:
        break;
    }
    if (probe.usable() && options.glx && !probe.hasExtension(kOpenGlExtensionName)) {
        choice.backend = std::make_unique<DesktopBackend>();
        choice.reason = "OpenXR runtime \"" +
                        (probe.runtimeName.empty() ? std::string("(unnamed)") : probe.runtimeName) +
                        "\" does not offer " + kOpenGlExtensionName +
                        " (OpenGL on X11), which TwinSeal needs to render to the headset; TwinSeal "
                        "runs in desktop mode.";
    } else if (probe.usable()) {
        choice.backend = std::make_unique<OpenXrBackend>(options);
        choice.reason = probe.message;
    } else {
        choice.backend = std::make_unique<DesktopBackend>();
        choice.reason = probe.message.empty()
                            ? std::string("OpenXR was not probed; TwinSeal runs in desktop mode.")
                            : probe.message;
    }
    return choice;
}

} // namespace twinseal::xr
