#include <twinseal/headset_scene/headset_scene.h>

#include <twinseal/headset_scene/eye_projection.h>

#include "eye_exchange.h"
#include "eye_target.h"

#include <QAbstractItemModel>
#include <QOffscreenSurface>
#include <QOpenGLContext>
#include <QQmlComponent>
#include <QQmlEngine>
#include <QQuickGraphicsDevice>
#include <QQuickItem>
#include <QQuickRenderControl>
#include <QQuickRenderTarget>
#include <QQuickWindow>

#include <algorithm>
#include <chrono>

namespace twinseal::headset {

namespace {

// Clipping distances of the eyes' cameras (metres).
constexpr float kNear = 0.05f;
constexpr float kFar = 100.0f;

xr::Error unsupported(const QString& what) {
    return xr::Error{xr::ErrorCode::Unsupported, what.toStdString()};
}

} // namespace

HeadsetScene::HeadsetScene()
    : m_exchange(std::make_shared<detail::EyeExchange>()), m_target(std::make_unique<detail::EyeTarget>()) {}

xr::Result<std::unique_ptr<HeadsetScene>> HeadsetScene::create(QQmlEngine& engine, QOpenGLContext& headsetContext,
                                                               QAbstractItemModel* participants) {
    std::unique_ptr<HeadsetScene> scene(new HeadsetScene());
    scene->m_context = std::make_unique<QOpenGLContext>();
    scene->m_context->setFormat(headsetContext.format());
    scene->m_context->setShareContext(&headsetContext);
    if (!scene->m_context->create() || !QOpenGLContext::areSharing(scene->m_context.get(), &headsetContext))
        return unsupported(QStringLiteral("Qt could not create an OpenGL context sharing textures with the headset's "
                                          "to draw the call room in"));
    scene->m_surface = std::make_unique<QOffscreenSurface>();
    scene->m_surface->setFormat(scene->m_context->format());
    scene->m_surface->create();
    if (!scene->m_context->makeCurrent(scene->m_surface.get()))
        return unsupported(QStringLiteral("the OpenGL context for the headset's call room cannot be made current"));

    scene->m_control = std::make_unique<QQuickRenderControl>();
    scene->m_window = std::make_unique<QQuickWindow>(scene->m_control.get());
    scene->m_window->setGraphicsDevice(QQuickGraphicsDevice::fromOpenGLContext(scene->m_context.get()));
    if (!scene->m_control->initialize())
        return unsupported(QStringLiteral("Qt Quick could not render the headset's call room with OpenGL "
                                          "(QQuickRenderControl::initialize failed)"));

    // From the module's own folder (as the client loads AppWindow.qml), so HeadsetRoom sees
    // CallAvatar and the Theme singleton beside it.
    QQmlComponent component(&engine, QUrl(QStringLiteral("qrc:/qt/qml/TwinSeal/UI/HeadsetRoom.qml")));
    QObject* object = component.create();
    auto* room = qobject_cast<QQuickItem*>(object);
    if (room == nullptr) {
        delete object;
        return unsupported(QStringLiteral("the headset's call room (HeadsetRoom.qml) does not load: ") +
                           component.errorString().trimmed());
    }
    room->setParent(scene->m_window->contentItem());
    room->setParentItem(scene->m_window->contentItem());
    scene->m_room = room;
    scene->setParticipants(participants);

    HeadsetScene* self = scene.get();
    scene->m_exchange->setRequester([self] {
        QMetaObject::invokeMethod(self, [self] { self->renderEyes(); }, Qt::QueuedConnection);
    });
    return scene;
}

HeadsetScene::~HeadsetScene() {
    m_exchange->setRequester(nullptr);
    if (m_context != nullptr && m_surface != nullptr && m_context->makeCurrent(m_surface.get())) {
        delete m_room.data();
        m_control.reset();
        m_window.reset();
        m_target->release();
        m_exchange->release();
        m_context->doneCurrent();
    }
}

void HeadsetScene::setParticipants(QAbstractItemModel* participants) {
    if (m_room != nullptr)
        m_room->setProperty("participants", QVariant::fromValue(static_cast<QObject*>(participants)));
}

xr::RenderCallback HeadsetScene::renderCallback() const {
    return [exchange = m_exchange](const xr::EyeRender& eye) {
        exchange->publish(eye);
        exchange->copyNewest(eye);
    };
}

std::uint64_t HeadsetScene::framesCopied() const noexcept {
    return m_exchange->framesCopied();
}

std::vector<std::int64_t> HeadsetScene::takeRenderTimings() {
    return std::exchange(m_timings, {});
}

bool HeadsetScene::renderEyes() {
    m_exchange->requestTaken();
    const auto views = m_exchange->views();
    if (!views[0].valid || !views[1].valid || m_room == nullptr)
        return false;
    const auto start = std::chrono::steady_clock::now();
    // One target for both eyes, as large as the larger (runtimes recommend the same size for both).
    const bool ok = ensureTarget(std::max(views[0].width, views[1].width), std::max(views[0].height, views[1].height)) &&
                    renderEye(0) && renderEye(1);
    m_timings.push_back(
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start).count());
    constexpr std::size_t kKept = 1u << 16;
    if (m_timings.size() > kKept)
        m_timings.erase(m_timings.begin(), m_timings.begin() + static_cast<std::ptrdiff_t>(m_timings.size() - kKept));
    if (ok) {
        ++m_rendered;
        emit eyesRendered();
    }
    return ok;
}

bool HeadsetScene::ensureTarget(std::int32_t width, std::int32_t height) {
    if (width <= 0 || height <= 0)
        return false;
    if (QOpenGLContext::currentContext() != m_context.get() && !m_context->makeCurrent(m_surface.get()))
        return false;
    if (!m_target->ensure(width, height))
        return true;
    // A new texture: Qt Quick makes its render target around it once, and keeps it.
    const QSize size(width, height);
    m_window->setRenderTarget(QQuickRenderTarget::fromOpenGLTexture(m_target->texture(), size));
    if (m_window->size() != size) {
        m_window->setGeometry(0, 0, size.width(), size.height());
        m_room->setSize(size);
    }
    ++m_targetsMade;
    return true;
}

bool HeadsetScene::renderEye(std::uint32_t eye) {
    const detail::EyeView view = m_exchange->views()[eye];
    if (view.width <= 0 || view.height <= 0)
        return false;
    m_room->setProperty("eyePosition", viewPosition(view.pose));
    m_room->setProperty("eyeRotation", viewRotation(view.pose));
    m_room->setProperty("eyeProjection", offAxisProjection(view.fov, kNear, kFar));
    m_control->polishItems();
    m_control->beginFrame();
    m_control->sync();
    m_control->render();
    m_control->endFrame();
    if (QOpenGLContext::currentContext() != m_context.get() && !m_context->makeCurrent(m_surface.get()))
        return false;
    int slot = -1;
    const std::uint32_t texture = m_exchange->beginWrite(eye, view.width, view.height, slot);
    if (texture == 0)
        return false;
    m_target->copyTo(texture, view.width, view.height);
    m_exchange->endWrite(eye, slot);
    return true;
}

} // namespace twinseal::headset
