// The trusted verification layer in the headset: a head-locked quad (its own composition layer,
// submitted last, above the projection layer and every panel) painted by the application from
// the Calls page's verified state (participants' report states and the call's alerts) framed by
// the owner's security image from Settings. It repaints on the GUI thread whenever that state
// changes and hands the finished picture to the frame thread (xr::QuadPixelSource), which only
// copies it into the quad's swapchain image.
#pragma once

#include <QImage>
#include <QObject>
#include <QSize>

#include <memory>

#include <twinseal/headset_layers/trusted_layer_painter.h>
#include <twinseal/xr/quad_layer.h>

namespace twinseal::viewmodels {
class CallsController;
class SettingsController;
}

namespace twinseal::headset_layers {

// The content from the view-models' verified state only.
[[nodiscard]] TrustedLayerContent trustedContentOf(viewmodels::CallsController& calls);

class TrustedLayer : public QObject {
public:
    static constexpr QSize kPixels{640, 320};

    TrustedLayer(viewmodels::CallsController& calls, viewmodels::SettingsController& settings,
                 QObject* parent = nullptr);
    ~TrustedLayer() override;

    // The quad to hand to xr::OpenXrOptions::quads: head-locked (VIEW), 0.5 x 0.25 m, 0.9 m ahead
    // and a little below the eyes, trusted (submitted last). Its renderer refers to this object,
    // which must outlive the backend using it.
    [[nodiscard]] xr::QuadLayerConfig quad();
    // The last picture painted (for tests and screenshots).
    [[nodiscard]] const QImage& image() const noexcept { return m_image; }
    // Paints now (otherwise it happens on the next turn of the event loop after a change). The
    // participants' rows change with every animation frame: the picture is only painted again
    // when what it shows changed.
    void repaint();

private:
    void schedule();
    void paint();

    viewmodels::CallsController& m_calls;
    viewmodels::SettingsController& m_settings;
    xr::QuadPixelSource m_source;
    QImage m_security;               // the owner's security image, reloaded when Settings change it
    TrustedLayerContent m_content;   // what m_image shows
    QImage m_image;
    bool m_scheduled = false;
};

} // namespace twinseal::headset_layers
