// The composition layers the client adds to the headset's projection layer: the participant
// panel (world-locked) and the trusted verification layer (head-locked, always on top), with the
// requests the headset's input turns into (toggle the participant panel, show a participant's
// verification report, leave the call) as plain methods.
#pragma once

#include <QObject>
#include <QString>

#include <memory>
#include <vector>

#include <twinseal/headset_layers/headset_panel.h>
#include <twinseal/headset_layers/trusted_layer.h>
#include <twinseal/xr/quad_layer.h>

namespace twinseal::headset_layers {

class HeadsetLayers : public QObject {
public:
    HeadsetLayers(viewmodels::CallsController& calls, viewmodels::SettingsController& settings,
                  QObject* parent = nullptr);
    ~HeadsetLayers() override;

    // The quads for xr::OpenXrOptions::quads: the panel (when it could be set up), then the
    // trusted layer (submitted last whatever the order). This object must outlive the backend.
    [[nodiscard]] std::vector<xr::QuadLayerConfig> quads();
    // Why there is no panel (empty when there is one).
    [[nodiscard]] const QString& panelError() const noexcept { return m_panelError; }

    [[nodiscard]] TrustedLayer& trusted() noexcept { return m_trusted; }
    [[nodiscard]] HeadsetPanel* panel() noexcept { return m_panel.get(); }

    // Input requests.
    void toggleParticipantPanel();
    void showParticipantReport(int participantId);
    void leaveCall();

private:
    viewmodels::CallsController& m_calls;
    TrustedLayer m_trusted;
    std::unique_ptr<HeadsetPanel> m_panel;
    QString m_panelError;
};

} // namespace twinseal::headset_layers
