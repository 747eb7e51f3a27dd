// The call room in the headset: Qt Quick 3D renders HeadsetRoom.qml (ui/) — every verified
// participant's avatar, by the desktop's CallAvatar, from the same participant model as the Calls
// page — once per eye on the GUI thread, through a QQuickRenderControl and an offscreen
// QQuickWindow with an OpenGL context of its own that shares textures with the headset's. Each
// eye's camera is the pose and field of view the frame thread last located for it (an off-axis
// projection from the four angles). The frame thread's render callback only copies the newest
// finished image of each eye into the swapchain image, ordered by OpenGL fences, and asks the GUI
// thread for the next pair: no Qt Quick, QML or scene work on the frame thread. Qt Quick renders
// both eyes into one texture it keeps as its render target from frame to frame (made again only
// when the eyes' size changes); each finished eye is copied from there into the exchange's image.
#pragma once

#include <QObject>
#include <QPointer>
#include <QQuickItem>

#include <cstdint>
#include <memory>
#include <vector>

#include <twinseal/xr/frame.h>
#include <twinseal/xr/status.h>

class QAbstractItemModel;
class QOffscreenSurface;
class QOpenGLContext;
class QQmlEngine;
class QQuickRenderControl;
class QQuickWindow;

namespace twinseal::headset {

namespace detail {
class EyeExchange;
class EyeTarget;
}

class HeadsetScene : public QObject {
    Q_OBJECT
public:
    // `engine` has the TwinSeal.UI module (the client's); `headsetContext` is the OpenGL context
    // the XR frame thread renders with (not current anywhere yet); `participants` is the call's
    // participant model (ParticipantListModel's roles), or null for an empty room. Unsupported
    // when no sharing OpenGL context can be made or the room does not load.
    [[nodiscard]] static xr::Result<std::unique_ptr<HeadsetScene>> create(QQmlEngine& engine,
                                                                          QOpenGLContext& headsetContext,
                                                                          QAbstractItemModel* participants);
    ~HeadsetScene() override;
    HeadsetScene(const HeadsetScene&) = delete;
    HeadsetScene& operator=(const HeadsetScene&) = delete;

    void setParticipants(QAbstractItemModel* participants);

    // For xr::OpenXrOptions::render: runs on the frame thread, once per eye per frame. It keeps
    // what it needs alive by itself; stop the frame loop before destroying the scene all the same.
    [[nodiscard]] xr::RenderCallback renderCallback() const;

    // GUI thread: renders both eyes with the views last located (done by itself whenever the
    // frame thread asks). False when no view has been located yet or rendering failed.
    bool renderEyes();

    // Pairs of eye images rendered on the GUI thread, and copied into swapchains by the frame
    // thread, since the scene was made.
    [[nodiscard]] std::uint64_t framesRendered() const noexcept { return m_rendered; }
    [[nodiscard]] std::uint64_t framesCopied() const noexcept;
    // Render targets Qt Quick was given since the scene was made: one, plus one whenever the
    // eyes' size changed (not one per eye per frame).
    [[nodiscard]] std::uint64_t renderTargetsMade() const noexcept { return m_targetsMade; }
    // GUI-thread CPU time of each renderEyes() since the last call (nanoseconds, both eyes).
    [[nodiscard]] std::vector<std::int64_t> takeRenderTimings();
    // The room (HeadsetRoom.qml), for tests.
    [[nodiscard]] QQuickItem* room() const noexcept { return m_room; }

signals:
    void eyesRendered();

private:
    HeadsetScene();
    bool renderEye(std::uint32_t eye);
    bool ensureTarget(std::int32_t width, std::int32_t height);

    std::shared_ptr<detail::EyeExchange> m_exchange;
    std::unique_ptr<detail::EyeTarget> m_target;
    std::unique_ptr<QOpenGLContext> m_context;
    std::unique_ptr<QOffscreenSurface> m_surface;
    std::unique_ptr<QQuickRenderControl> m_control;
    std::unique_ptr<QQuickWindow> m_window;
    QPointer<QQuickItem> m_room;
    std::uint64_t m_rendered = 0;
    std::uint64_t m_targetsMade = 0;
    std::vector<std::int64_t> m_timings;
};

} // namespace twinseal::headset
