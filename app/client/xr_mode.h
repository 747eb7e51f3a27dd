// The client's XR mode (--xr=auto|openxr|desktop): decides whether the window also drives an
// OpenXR headset, starts and polls the OpenXR session, and falls back to the desktop — telling the
// user why through XrStatusController — whenever OpenXR is missing, refuses or fails mid-session.
// It never exits, hangs or throws into the Qt event loop. In the headset it shows the call room
// (app/headset_scene: the Calls page's participants, each verified avatar, seen from each eye).
#pragma once

#include <QObject>
#include <QPointer>
#include <QString>
#include <QTimer>

#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include <twinseal/xr/choose_backend.h>
#include <twinseal/xr/frame.h>
#include <twinseal/xr/glx_surface.h>
#include <twinseal/xr/openxr_backend.h>

class QAbstractItemModel;
class QOpenGLContext;
class QQuickWindow;

namespace twinseal::headset {
class HeadsetScene;
}

namespace twinseal::viewmodels {
class CallsController;
class SettingsController;
class XrStatusController;
}
namespace twinseal::headset_layers {
class HeadsetLayers;
}

namespace twinseal::client {

// What the window can lend the headset: the Qt platform ("xcb", "offscreen", ...) and whether
// Qt Quick renders with OpenGL.
struct XrWindowInfo {
    QString platform;
    bool openGl = false;
};

// The verdict before any session is created: try OpenXR, or stay on the desktop with a notice
// (code empty: nothing to tell, e.g. auto mode on a machine without a runtime).
struct XrDecision {
    bool tryOpenXr = false;
    QString code;  // xr::errorCodeName, e.g. "runtime-unavailable"
    QString text;  // "Headset not available: ... TwinSeal runs on the desktop."
};

// Pure: from the preference, the runtime probe and the window.
[[nodiscard]] XrDecision decideXr(xr::BackendPreference preference, const xr::RuntimeProbe& probe,
                                  const XrWindowInfo& window);

// "Headset not available: <what happened>. TwinSeal runs on the desktop."
[[nodiscard]] QString headsetNotice(const std::string& what);

class XrMode : public QObject {
public:
    explicit XrMode(viewmodels::XrStatusController& status, QObject* parent = nullptr);
    ~XrMode() override;

    // The view-models the headset's own layers show (the trusted verification layer and the
    // participant panel); without them (tests of the session alone) only the projection runs.
    void setCallViews(viewmodels::CallsController* calls, viewmodels::SettingsController* settings);
    // The call's participants (the Calls page's ParticipantListModel) the headset shows; set
    // before start(). Without it the headset shows an empty room.
    void setParticipants(QAbstractItemModel* participants);

    // Probes the runtime and, when the decision says so, starts the OpenXR session with an
    // OpenGL context of its own that shares with the window's (xcb + OpenGL only), and the call
    // room rendered for it from the window's QML engine. Desktop preference: no probe at all.
    // Always leaves `status` saying which mode runs and why.
    void start(xr::BackendPreference preference, QQuickWindow* window);
    // Ends the OpenXR session (if any), following the runtime down to Exiting.
    void stop();

    // The headset's layers while an OpenXR session runs with call views (else null): their
    // methods are what the headset's input requests (toggle the panel, show a report, leave).
    [[nodiscard]] headset_layers::HeadsetLayers* headsetLayers() const noexcept { return m_layers.get(); }

    // True once an OpenXR session was started (for --xr-stats).
    [[nodiscard]] bool openXrRan() const noexcept { return m_ran; }
    // Every frame timing collected so far (the backend's, drained by each poll and by stop()).
    [[nodiscard]] const std::vector<xr::FrameTiming>& timings() const noexcept { return m_timings; }
    // Called after each successful poll with the running OpenXR backend, and with null once the
    // session is gone (controller input: xr_input.h).
    void setPump(std::function<void(xr::OpenXrBackend*)> pump) { m_pump = std::move(pump); }
    // Opens or closes the headset's participant panel (the controllers' panel button); nothing
    // without a session.
    void toggleParticipantPanel();
    // The GUI thread's time to render both eyes of the call room, per rendered pair (ns).
    [[nodiscard]] const std::vector<std::int64_t>& sceneTimings() const noexcept { return m_sceneTimings; }
    // The call room while the session runs (null otherwise).
    [[nodiscard]] headset::HeadsetScene* scene() const noexcept { return m_scene.get(); }

private:
    void poll();
    void fallBack(const xr::Error& error);
    void collectTimings();

    viewmodels::XrStatusController& m_status;
    viewmodels::CallsController* m_calls = nullptr;
    viewmodels::SettingsController* m_settings = nullptr;
    // Declared before the backend: the backend's frame thread reads the layers' pictures, so
    // the backend goes first (stop() and the destructor).
    std::unique_ptr<headset_layers::HeadsetLayers> m_layers;
    std::unique_ptr<QOpenGLContext> m_context;
    std::unique_ptr<xr::GlxContextSurface> m_surface;
    std::unique_ptr<headset::HeadsetScene> m_scene;
    QPointer<QAbstractItemModel> m_participants;
    std::unique_ptr<xr::Backend> m_backend;
    xr::OpenXrBackend* m_openXr = nullptr;  // m_backend when it is the OpenXR one
    QTimer m_pollTimer;
    bool m_ran = false;
    std::vector<xr::FrameTiming> m_timings;
    std::function<void(xr::OpenXrBackend*)> m_pump;
    std::vector<std::int64_t> m_sceneTimings;
};

} // namespace twinseal::client
