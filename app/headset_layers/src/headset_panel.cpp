#include <twinseal/headset_layers/headset_panel.h>

#include <QOffscreenSurface>
#include <QOpenGLContext>
#include <QOpenGLExtraFunctions>
#include <QQmlComponent>
#include <QQmlEngine>
#include <QQuickGraphicsDevice>
#include <QQuickItem>
#include <QQuickRenderControl>
#include <QQuickRenderTarget>
#include <QQuickWindow>
#include <QTimer>

#include <twinseal/viewmodels/calls_controller.h>

#include <cstring>
#include <vector>

namespace twinseal::headset_layers {

namespace {
constexpr unsigned kGlTexture2D = 0x0DE1, kGlRgba8 = 0x8058, kGlRgba = 0x1908, kGlUnsignedByte = 0x1401,
                   kGlLinear = 0x2601, kGlMinFilter = 0x2801, kGlMagFilter = 0x2800, kGlFramebuffer = 0x8D40,
                   kGlColorAttachment0 = 0x8CE0, kGlFramebufferComplete = 0x8CD5, kGlPackAlignment = 0x0D05;
}

HeadsetPanel::HeadsetPanel(viewmodels::CallsController& calls, QObject* parent) : QObject(parent), m_calls(calls) {}

HeadsetPanel::~HeadsetPanel() {
    m_root = nullptr;
    if (m_context && m_surface && m_context->makeCurrent(m_surface.get())) {
        m_component.reset();
        m_window.reset();  // deletes the QML items with it
        m_control.reset();
        auto* gl = m_context->extraFunctions();
        if (m_framebuffer != 0)
            gl->glDeleteFramebuffers(1, &m_framebuffer);
        if (m_texture != 0)
            gl->glDeleteTextures(1, &m_texture);
        m_context->doneCurrent();
    }
    m_component.reset();
    m_window.reset();
    m_control.reset();
    m_engine.reset();
}

bool HeadsetPanel::initialize() {
    if (QQuickWindow::graphicsApi() != QSGRendererInterface::OpenGL) {
        m_error = QStringLiteral("the participant panel needs Qt Quick on OpenGL");
        return false;
    }
    m_context = std::make_unique<QOpenGLContext>();
    if (!m_context->create()) {
        m_error = QStringLiteral("Qt could not create an OpenGL context for the participant panel");
        return false;
    }
    m_surface = std::make_unique<QOffscreenSurface>();
    m_surface->setFormat(m_context->format());
    m_surface->create();
    if (!m_context->makeCurrent(m_surface.get())) {
        m_error = QStringLiteral("the participant panel's OpenGL context cannot be made current");
        return false;
    }
    auto* gl = m_context->extraFunctions();
    gl->glGenTextures(1, &m_texture);
    gl->glBindTexture(kGlTexture2D, m_texture);
    gl->glTexParameteri(kGlTexture2D, kGlMinFilter, kGlLinear);
    gl->glTexParameteri(kGlTexture2D, kGlMagFilter, kGlLinear);
    gl->glTexImage2D(kGlTexture2D, 0, kGlRgba8, kPixels.width(), kPixels.height(), 0, kGlRgba, kGlUnsignedByte, nullptr);
    gl->glBindTexture(kGlTexture2D, 0);
    gl->glGenFramebuffers(1, &m_framebuffer);
    gl->glBindFramebuffer(kGlFramebuffer, m_framebuffer);
    gl->glFramebufferTexture2D(kGlFramebuffer, kGlColorAttachment0, kGlTexture2D, m_texture, 0);
    const bool complete = gl->glCheckFramebufferStatus(kGlFramebuffer) == kGlFramebufferComplete;
    gl->glBindFramebuffer(kGlFramebuffer, m_context->defaultFramebufferObject());
    if (!complete) {
        m_error = QStringLiteral("the participant panel's framebuffer is incomplete");
        return false;
    }

    m_control = std::make_unique<QQuickRenderControl>();
    m_window = std::make_unique<QQuickWindow>(m_control.get());
    m_window->setGraphicsDevice(QQuickGraphicsDevice::fromOpenGLContext(m_context.get()));
    m_window->setColor(Qt::transparent);
    if (!m_control->initialize()) {
        m_error = QStringLiteral("Qt Quick could not render the participant panel off screen");
        return false;
    }
    m_window->setRenderTarget(QQuickRenderTarget::fromOpenGLTexture(m_texture, kPixels));
    m_window->resize(kPixels);
    m_window->contentItem()->setSize(kPixels);

    m_engine = std::make_unique<QQmlEngine>();
    m_component = std::make_unique<QQmlComponent>(m_engine.get(),
                                                  QUrl(QStringLiteral("qrc:/qt/qml/TwinSeal/UI/HeadsetPanel.qml")));
    if (m_component->isError()) {
        m_error = m_component->errorString();
        return false;
    }
    QObject* created = m_component->createWithInitialProperties(
        {{QStringLiteral("calls"), QVariant::fromValue(&m_calls)}});
    m_root = qobject_cast<QQuickItem*>(created);
    if (m_root == nullptr) {
        delete created;
        m_error = QStringLiteral("HeadsetPanel.qml did not make an item: ") + m_component->errorString();
        return false;
    }
    m_root->setParentItem(m_window->contentItem());
    m_root->setParent(m_window.get());
    m_root->setSize(kPixels);
    connect(m_control.get(), &QQuickRenderControl::renderRequested, this, [this] { schedule(); });
    connect(m_control.get(), &QQuickRenderControl::sceneChanged, this, [this] { schedule(); });
    m_context->doneCurrent();
    return true;
}

xr::QuadLayerConfig HeadsetPanel::quad() {
    xr::QuadLayerConfig q;
    q.name = "participant panel";
    q.space = xr::LayerSpace::Local;
    q.pose.position[0] = -0.35f;
    q.pose.position[1] = 0.0f;
    q.pose.position[2] = -1.2f;
    q.widthMetres = 0.6f;
    q.heightMetres = 0.75f;
    q.widthPixels = kPixels.width();
    q.heightPixels = kPixels.height();
    q.render = m_source.renderer();
    return q;
}

void HeadsetPanel::setShown(bool shown) {
    if (shown == m_shown)
        return;
    m_shown = shown;
    if (!m_shown) {
        m_source.clear();
        return;
    }
    (void)renderNow();
}

void HeadsetPanel::schedule() {
    if (m_scheduled || !m_shown)
        return;
    m_scheduled = true;
    QTimer::singleShot(0, this, [this] { (void)renderNow(); });
}

bool HeadsetPanel::renderNow() {
    m_scheduled = false;
    if (!m_control || !m_context->makeCurrent(m_surface.get()))
        return false;
    m_control->polishItems();
    m_control->beginFrame();
    m_control->sync();
    m_control->render();
    m_control->endFrame();

    auto* gl = m_context->extraFunctions();
    std::vector<std::uint8_t> bottomUp(std::size_t(kPixels.width()) * std::size_t(kPixels.height()) * 4);
    gl->glBindFramebuffer(kGlFramebuffer, m_framebuffer);
    gl->glPixelStorei(kGlPackAlignment, 1);
    gl->glReadPixels(0, 0, kPixels.width(), kPixels.height(), kGlRgba, kGlUnsignedByte, bottomUp.data());
    gl->glBindFramebuffer(kGlFramebuffer, m_context->defaultFramebufferObject());
    m_context->doneCurrent();

    // OpenGL rows are bottom-up; the picture and QuadPixelSource take them top-down.
    const std::size_t row = std::size_t(kPixels.width()) * 4;
    std::vector<std::uint8_t> topDown(bottomUp.size());
    for (int y = 0; y < kPixels.height(); ++y)
        std::memcpy(topDown.data() + std::size_t(y) * row,
                    bottomUp.data() + std::size_t(kPixels.height() - 1 - y) * row, row);
    m_image = QImage(kPixels, QImage::Format_RGBA8888_Premultiplied);
    for (int y = 0; y < kPixels.height(); ++y)
        std::memcpy(m_image.scanLine(y), topDown.data() + std::size_t(y) * row, row);
    if (m_shown)
        m_source.publish(kPixels.width(), kPixels.height(), std::move(topDown));
    return true;
}

} // namespace twinseal::headset_layers
