// The headset's participant panel: the desktop's QML (HeadsetPanel.qml from TwinSeal.UI: the
// participants with their badges, a participant's verification report, Leave) rendered off
// screen on the GUI thread with QQuickRenderControl into an OpenGL texture of its own context,
// read back and handed to the frame thread (xr::QuadPixelSource), which shows it as a
// world-locked quad (LOCAL space) in front of the user. Rendering follows the scene: a frame is
// rendered only when Qt Quick says the scene changed, and only while the panel is shown.
#pragma once

#include <QImage>
#include <QObject>
#include <QSize>
#include <QString>

#include <memory>

#include <twinseal/xr/quad_layer.h>

class QOffscreenSurface;
class QOpenGLContext;
class QQmlComponent;
class QQmlEngine;
class QQuickItem;
class QQuickRenderControl;
class QQuickWindow;

namespace twinseal::viewmodels {
class CallsController;
}

namespace twinseal::headset_layers {

class HeadsetPanel : public QObject {
public:
    static constexpr QSize kPixels{512, 640};

    explicit HeadsetPanel(viewmodels::CallsController& calls, QObject* parent = nullptr);
    ~HeadsetPanel() override;

    // Sets up the GL context, the render control and the QML; false (with error()) when it
    // cannot (e.g. no OpenGL): the headset then runs without the panel.
    bool initialize();
    [[nodiscard]] const QString& error() const noexcept { return m_error; }

    // The world-locked quad (LOCAL space, 0.6 x 0.75 m, 1.2 m ahead and a little left). Its
    // renderer refers to this object, which must outlive the backend using it.
    [[nodiscard]] xr::QuadLayerConfig quad();

    [[nodiscard]] bool shown() const noexcept { return m_shown; }
    void setShown(bool shown);
    // Renders now (otherwise after the scene changes) and publishes the picture.
    bool renderNow();
    // The last picture rendered (for tests), rows top-down.
    [[nodiscard]] const QImage& image() const noexcept { return m_image; }
    // The panel's QML root (HeadsetPanel.qml), for tests.
    [[nodiscard]] QQuickItem* root() const noexcept { return m_root; }

private:
    void schedule();

    viewmodels::CallsController& m_calls;
    QString m_error;
    std::unique_ptr<QOpenGLContext> m_context;
    std::unique_ptr<QOffscreenSurface> m_surface;
    std::unique_ptr<QQuickRenderControl> m_control;
    std::unique_ptr<QQuickWindow> m_window;
    std::unique_ptr<QQmlEngine> m_engine;
    std::unique_ptr<QQmlComponent> m_component;
    QQuickItem* m_root = nullptr;
    unsigned m_texture = 0;
    unsigned m_framebuffer = 0;
    xr::QuadPixelSource m_source;
    QImage m_image;
    bool m_shown = false;
    bool m_scheduled = false;
};

} // namespace twinseal::headset_layers
