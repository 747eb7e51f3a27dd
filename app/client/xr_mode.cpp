#include "xr_mode.h"

#include <QAbstractItemModel>
#include <QGuiApplication>
#include <QOpenGLContext>
#include <QQmlEngine>
#include <QQuickWindow>
#include <QSGRendererInterface>
#include <QtGui/qguiapplication_platform.h>
#include <QtGui/qopenglcontext_platform.h>

#include <cstdio>

#include <twinseal/headset_layers/headset_layers.h>
#include <twinseal/headset_scene/headset_scene.h>
#include <twinseal/viewmodels/xr_status_controller.h>

namespace twinseal::client {

namespace {

QString codeOf(xr::ErrorCode code) {
    return QString::fromLatin1(xr::errorCodeName(code).data(),
                               static_cast<qsizetype>(xr::errorCodeName(code).size()));
}

std::string runtimeShownName(const xr::RuntimeProbe& probe) {
    return probe.runtimeName.empty() ? std::string("(unnamed)") : probe.runtimeName;
}

// The probe's failure, with the call and its XrResult.
std::string probeFailure(const xr::RuntimeProbe& probe) {
    const std::string call = probe.failedCall.empty() ? std::string("the OpenXR loader") : probe.failedCall;
    const std::string where = " (" + xr::xrResultName(probe.result) + " from " + call + ")";
    switch (probe.error) {
    case xr::ErrorCode::RuntimeUnavailable:
        return "no OpenXR runtime is installed" + where;
    case xr::ErrorCode::FormFactorUnavailable:
        return "OpenXR runtime \"" + runtimeShownName(probe) + "\" is active but no headset is connected" + where;
    default:
        return "the OpenXR runtime could not be started" + where;
    }
}

// The OpenGL context the headset renders with: a context of its own, sharing with the window's
// (Qt's global share context), never made current by Qt. Xlib/GLX handles through Qt's native
// interfaces.
xr::Result<std::unique_ptr<QOpenGLContext>> headsetContext(QQuickWindow* window) {
    auto context = std::make_unique<QOpenGLContext>();
    context->setFormat(window != nullptr ? window->requestedFormat() : QSurfaceFormat::defaultFormat());
    context->setShareContext(QOpenGLContext::globalShareContext());
    if (!context->create())
        return xr::Error{xr::ErrorCode::Unsupported, "Qt could not create an OpenGL context for the headset"};
    return context;
}

} // namespace

QString headsetNotice(const std::string& what) {
    std::string s = what;
    for (const char* tail : {"; TwinSeal runs in desktop mode.", ". TwinSeal runs in desktop mode."}) {
        const std::string t(tail);
        if (s.size() >= t.size() && s.compare(s.size() - t.size(), t.size(), t) == 0)
            s.erase(s.size() - t.size());
    }
    while (!s.empty() && (s.back() == '.' || s.back() == ' '))
        s.pop_back();
    if (!s.empty() && s.compare(0, 4, "The ") == 0)
        s[0] = 't';
    return QStringLiteral("Headset not available: %1. TwinSeal runs on the desktop.").arg(QString::fromStdString(s));
}

XrDecision decideXr(xr::BackendPreference preference, const xr::RuntimeProbe& probe, const XrWindowInfo& window) {
    XrDecision d;
    if (preference == xr::BackendPreference::Desktop || preference == xr::BackendPreference::Null)
        return d;
    const bool insisted = preference == xr::BackendPreference::OpenXR;
    if (!probe.usable()) {
        // Auto mode on a machine without a runtime or headset is the ordinary desktop: nothing to say.
        const bool ordinary = probe.error == xr::ErrorCode::RuntimeUnavailable ||
                              probe.error == xr::ErrorCode::FormFactorUnavailable;
        if (insisted || !ordinary) {
            d.code = codeOf(probe.error == xr::ErrorCode::Ok ? xr::ErrorCode::RuntimeError : probe.error);
            d.text = headsetNotice(probeFailure(probe));
        }
        return d;
    }
    if (!probe.hasExtension(xr::kOpenGlExtensionName)) {
        d.code = codeOf(xr::ErrorCode::MissingExtension);
        d.text = headsetNotice("OpenXR runtime \"" + runtimeShownName(probe) + "\" does not offer " +
                               xr::kOpenGlExtensionName +
                               " (OpenGL on X11), which TwinSeal needs to draw in the headset");
        return d;
    }
    if (window.platform != QLatin1String("xcb") || !window.openGl) {
        d.code = codeOf(xr::ErrorCode::Unsupported);
        d.text = headsetNotice("the window runs on the \"" + window.platform.toStdString() + "\" platform " +
                               (window.openGl ? "" : "without OpenGL ") +
                               "and TwinSeal draws in a headset only with OpenGL on X11 (xcb)");
        return d;
    }
    d.tryOpenXr = true;
    return d;
}

XrMode::XrMode(viewmodels::XrStatusController& status, QObject* parent) : QObject(parent), m_status(status) {
    m_pollTimer.setInterval(10);
    connect(&m_pollTimer, &QTimer::timeout, this, &XrMode::poll);
}

XrMode::~XrMode() {
    stop();
}

void XrMode::setCallViews(viewmodels::CallsController* calls, viewmodels::SettingsController* settings) {
    m_calls = calls;
    m_settings = settings;
}

void XrMode::setParticipants(QAbstractItemModel* participants) {
    m_participants = participants;
    if (m_scene != nullptr)
        m_scene->setParticipants(participants);
}

void XrMode::toggleParticipantPanel() {
    if (m_layers != nullptr)
        m_layers->toggleParticipantPanel();
}

void XrMode::start(xr::BackendPreference preference, QQuickWindow* window) {
    if (preference == xr::BackendPreference::Desktop || preference == xr::BackendPreference::Null) {
        m_status.enterDesktop();
        return;
    }
    xr::ProbeOptions probeOptions;
    probeOptions.querySystem = true;
    const xr::RuntimeProbe probe = xr::probeOpenXr(probeOptions);
    XrWindowInfo info;
    info.platform = QGuiApplication::platformName();
    info.openGl = QQuickWindow::graphicsApi() == QSGRendererInterface::OpenGL;
    const XrDecision decision = decideXr(preference, probe, info);
    if (!decision.tryOpenXr) {
        m_status.enterDesktop(decision.code, decision.text);
        return;
    }

    auto context = headsetContext(window);
    if (!context.ok()) {
        fallBack(context.error());
        return;
    }
    auto* x11 = qGuiApp->nativeInterface<QNativeInterface::QX11Application>();
    auto* glx = (*context)->nativeInterface<QNativeInterface::QGLXContext>();
    if (x11 == nullptr || glx == nullptr) {
        fallBack(xr::Error{xr::ErrorCode::Unsupported, "the window's OpenGL context is not a GLX context on X11"});
        return;
    }
    auto surface = xr::GlxContextSurface::create(x11->display(), glx->nativeContext());
    if (!surface.ok()) {
        fallBack(surface.error());
        return;
    }
    QQmlEngine* engine = window != nullptr ? qmlEngine(window) : nullptr;
    if (engine == nullptr) {
        fallBack(xr::Error{xr::ErrorCode::Unsupported, "the window has no QML engine to draw the call room with"});
        return;
    }
    auto scene = headset::HeadsetScene::create(*engine, **context, m_participants.data());
    if (!scene.ok()) {
        fallBack(scene.error());
        return;
    }
    m_context = std::move(*context);
    m_surface = std::move(*surface);
    m_scene = std::move(*scene);

    xr::OpenXrOptions options;
    options.glx = m_surface->binding();
    // The frame thread only copies the newest finished eye images of the call room.
    options.render = m_scene->renderCallback();
    // Above it, the participant panel and, always on top, the trusted verification layer.
    if (m_calls != nullptr && m_settings != nullptr) {
        m_layers = std::make_unique<headset_layers::HeadsetLayers>(*m_calls, *m_settings);
        if (!m_layers->panelError().isEmpty())
            (void)std::fprintf(stderr, "twinseal: XR: no participant panel: %s\n", qPrintable(m_layers->panelError()));
        options.quads = m_layers->quads();
    }
    xr::BackendChoice choice = xr::chooseBackend(preference, probe, options);
    if (choice.backend->kind() != xr::BackendKind::OpenXR) {
        fallBack(xr::Error{xr::ErrorCode::MissingExtension, choice.reason});
        return;
    }
    m_backend = std::move(choice.backend);
    m_openXr = static_cast<xr::OpenXrBackend*>(m_backend.get());
    if (auto st = m_backend->start(); !st.ok()) {
        fallBack(st.error());
        return;
    }
    m_ran = true;
    m_status.enterOpenXr();
    (void)std::fprintf(stderr, "twinseal: OpenXR session on runtime \"%s\", headset \"%s\"\n",
                 m_openXr->runtimeName().c_str(), m_openXr->systemName().c_str());
    m_pollTimer.start();
}

void XrMode::poll() {
    if (m_backend == nullptr)
        return;
    auto st = m_backend->poll();
    collectTimings();
    if (!st.ok()) {
        fallBack(st.error());
        return;
    }
    if (!m_backend->started()) {
        // The runtime ended the session (it exited, or the session was lost).
        fallBack(xr::Error{xr::ErrorCode::NotRunning,
                           "the OpenXR runtime ended the session (state " +
                               std::string(xr::sessionStateName(m_backend->state())) + ")"});
        return;
    }
    if (m_pump && m_openXr != nullptr)
        m_pump(m_openXr);
}

void XrMode::stop() {
    m_pollTimer.stop();
    if (m_backend != nullptr) {
        if (auto st = m_backend->stop(); !st.ok())
            (void)std::fprintf(stderr, "twinseal: XR: %s: %s\n", xr::errorCodeName(st.error().code).data(),
                         st.error().message.c_str());
        collectTimings();
        m_openXr = nullptr;
        m_backend.reset();
        if (m_pump)
            m_pump(nullptr);
    }
    m_layers.reset();  // after the backend: its frame thread read their pictures
    if (m_scene != nullptr) {
        auto more = m_scene->takeRenderTimings();
        m_sceneTimings.insert(m_sceneTimings.end(), more.begin(), more.end());
    }
    m_scene.reset();  // after the frame thread stopped
    m_surface.reset();
    m_context.reset();
}

void XrMode::fallBack(const xr::Error& error) {
    stop();
    (void)std::fprintf(stderr, "twinseal: XR: %s: %s\n", xr::errorCodeName(error.code).data(), error.message.c_str());
    m_status.enterDesktop(codeOf(error.code), headsetNotice(error.message));
}

void XrMode::collectTimings() {
    if (m_openXr == nullptr)
        return;
    auto more = m_openXr->takeFrameTimings();
    m_timings.insert(m_timings.end(), more.begin(), more.end());
    if (m_scene != nullptr) {
        auto scene = m_scene->takeRenderTimings();
        m_sceneTimings.insert(m_sceneTimings.end(), scene.begin(), scene.end());
    }
    // The newest frames only (about an hour and a half at 90 Hz).
    constexpr std::size_t kKept = 1u << 19;
    if (m_timings.size() > kKept)
        m_timings.erase(m_timings.begin(), m_timings.end() - static_cast<std::ptrdiff_t>(kKept));
    if (m_sceneTimings.size() > kKept)
        m_sceneTimings.erase(m_sceneTimings.begin(), m_sceneTimings.end() - static_cast<std::ptrdiff_t>(kKept));
}

} // namespace twinseal::client
