#include <twinseal/headset_layers/headset_layers.h>

#include <twinseal/viewmodels/calls_controller.h>

namespace twinseal::headset_layers {

HeadsetLayers::HeadsetLayers(viewmodels::CallsController& calls, viewmodels::SettingsController& settings,
                             QObject* parent)
    : QObject(parent), m_calls(calls), m_trusted(calls, settings) {
    auto panel = std::make_unique<HeadsetPanel>(calls);
    if (panel->initialize())
        m_panel = std::move(panel);
    else
        m_panelError = panel->error();
}

HeadsetLayers::~HeadsetLayers() = default;

std::vector<xr::QuadLayerConfig> HeadsetLayers::quads() {
    std::vector<xr::QuadLayerConfig> out;
    if (m_panel)
        out.push_back(m_panel->quad());
    out.push_back(m_trusted.quad());
    return out;
}

void HeadsetLayers::toggleParticipantPanel() {
    if (m_panel)
        m_panel->setShown(!m_panel->shown());
}

void HeadsetLayers::showParticipantReport(int participantId) {
    m_calls.showReport(participantId);
    if (m_panel)
        m_panel->setShown(true);
}

void HeadsetLayers::leaveCall() {
    m_calls.leave();
}

} // namespace twinseal::headset_layers
