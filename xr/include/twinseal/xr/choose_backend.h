// Choosing where to present: the user's preference and what the OpenXR probe found. Never
// fails: when OpenXR is not usable the answer is the desktop backend, with the reason.
#pragma once

#include <twinseal/xr/backend.h>
#include <twinseal/xr/openxr_backend.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace twinseal::xr {

enum class BackendPreference { Auto, Desktop, OpenXR, Null };

// "auto", "desktop", "openxr", "null" (case-sensitive); nothing for anything else.
[[nodiscard]] std::optional<BackendPreference> parseBackendPreference(std::string_view text);

struct BackendChoice {
    std::unique_ptr<Backend> backend;  // never null
    std::string reason;                // one sentence for the user (why this backend)
};

// Auto and OpenXR pick the OpenXR backend when probe.usable(), otherwise the desktop backend
// with probe.message as the reason; with an OpenGL context in `options`, also the desktop
// backend when the runtime does not offer XR_KHR_opengl_enable. Desktop and Null are taken as
// asked.
[[nodiscard]] BackendChoice chooseBackend(BackendPreference preference, const RuntimeProbe& probe,
                                          const OpenXrOptions& options = {});

} // namespace twinseal::xr
