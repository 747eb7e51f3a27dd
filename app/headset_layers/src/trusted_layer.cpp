#include <twinseal/headset_layers/trusted_layer.h>

#include <QAbstractItemModel>
#include <QTimer>

#include <twinseal/viewmodels/call_alert_list_model.h>
#include <twinseal/viewmodels/calls_controller.h>
#include <twinseal/viewmodels/participant_list_model.h>
#include <twinseal/viewmodels/security_image.h>
#include <twinseal/viewmodels/settings_controller.h>

#include <cstdint>
#include <cstring>
#include <functional>
#include <vector>

namespace twinseal::headset_layers {

namespace {

// The alert kinds the trusted layer shows (the verification ones; frame refusals stay on the panel).
bool trustedKind(const QString& kind) {
    return kind == QLatin1String("verification-failed") || kind == QLatin1String("key-change") ||
           kind == QLatin1String("revoked") || kind == QLatin1String("not-verified");
}

void watch(QAbstractItemModel* model, TrustedLayer* layer, const std::function<void()>& changed) {
    QObject::connect(model, &QAbstractItemModel::dataChanged, layer, changed);
    QObject::connect(model, &QAbstractItemModel::rowsInserted, layer, changed);
    QObject::connect(model, &QAbstractItemModel::rowsRemoved, layer, changed);
    QObject::connect(model, &QAbstractItemModel::modelReset, layer, changed);
    QObject::connect(model, &QAbstractItemModel::layoutChanged, layer, changed);
}

} // namespace

TrustedLayerContent trustedContentOf(viewmodels::CallsController& calls) {
    TrustedLayerContent c;
    c.inRoom = calls.inRoom();
    for (const auto& row : calls.participants()->rows())
        c.participants.push_back({row.title, row.state, row.local});
    if (calls.inRoom() && calls.integrityOnly())
        c.alerts.push_back({QStringLiteral("integrity-only"), QString()});
    for (const auto& alert : calls.alerts()->alerts()) {
        if (!trustedKind(alert.kind) || alert.decision == QLatin1String("accepted"))
            continue;
        c.alerts.push_back({alert.kind, alert.title});
    }
    return c;
}

TrustedLayer::TrustedLayer(viewmodels::CallsController& calls, viewmodels::SettingsController& settings,
                           QObject* parent)
    : QObject(parent), m_calls(calls), m_settings(settings) {
    const auto changed = [this] { schedule(); };
    connect(&calls, &viewmodels::CallsController::callChanged, this, changed);
    connect(&settings, &viewmodels::SettingsController::securityImageChanged, this, [this] {
        m_security = viewmodels::SecurityImageStore(m_settings.dataDir()).load();
        paint();
    });
    watch(calls.participants(), this, changed);
    watch(calls.alerts(), this, changed);
    m_security = viewmodels::SecurityImageStore(settings.dataDir()).load();
    m_content = trustedContentOf(calls);
    paint();
}

TrustedLayer::~TrustedLayer() = default;

xr::QuadLayerConfig TrustedLayer::quad() {
    xr::QuadLayerConfig q;
    q.name = "trusted verification layer";
    q.space = xr::LayerSpace::View;
    q.pose.position[0] = 0.0f;
    q.pose.position[1] = -0.18f;
    q.pose.position[2] = -0.9f;
    q.widthMetres = 0.5f;
    q.heightMetres = 0.25f;
    q.widthPixels = kPixels.width();
    q.heightPixels = kPixels.height();
    q.trusted = true;
    q.render = m_source.renderer();
    return q;
}

void TrustedLayer::schedule() {
    if (m_scheduled)
        return;
    m_scheduled = true;
    QTimer::singleShot(0, this, [this] { repaint(); });
}

void TrustedLayer::repaint() {
    m_scheduled = false;
    TrustedLayerContent now = trustedContentOf(m_calls);
    if (now == m_content)
        return;
    m_content = std::move(now);
    paint();
}

void TrustedLayer::paint() {
    m_image = paintTrustedLayer(m_content, m_security, kPixels);
    std::vector<std::uint8_t> rgba(static_cast<std::size_t>(m_image.sizeInBytes()));
    for (int y = 0; y < m_image.height(); ++y)
        std::memcpy(rgba.data() + std::size_t(y) * std::size_t(m_image.width()) * 4, m_image.constScanLine(y),
                    std::size_t(m_image.width()) * 4);
    m_source.publish(m_image.width(), m_image.height(), std::move(rgba));
}

} // namespace twinseal::headset_layers
