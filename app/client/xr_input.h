// The headset's controllers and tracking in the client: after each poll of the OpenXR session
// (XrMode's pump, on the GUI thread) the buttons pressed since the last poll become the call's
// actions, and the newest head and hand poses drive the local avatar's animation frames.
//
//   select             the next participant (CallsController::selectNextParticipant)
//   show-report        that participant's verification report (showSelectedReport)
//   leave-call         leave the call (leave)
//   participant-panel  participantPanelRequested(), for the XR panel to open or close
// The controls behind each action per controller are in the README (xr/src/actions.cpp).
#pragma once

#include <QObject>
#include <QPointer>

#include <cstdint>

#include <twinseal/calls/tracked_pose.h>
#include <twinseal/xr/input.h>

namespace twinseal::xr {
class OpenXrBackend;
}
namespace twinseal::viewmodels {
class CallsController;
}

namespace twinseal::client {

// Pure: the head (VIEW) and the hands' grip poses, from LOCAL space as located.
[[nodiscard]] calls::TrackedBody trackedBody(const xr::TrackedPoses& poses);

class XrInput : public QObject {
    Q_OBJECT
public:
    explicit XrInput(QObject* parent = nullptr);

    // The Calls page's controller the buttons and poses act on (may be set once, before pumping).
    void drive(viewmodels::CallsController& calls);
    // Takes the backend's input (null: the session is gone, tracking ends).
    void pump(xr::OpenXrBackend* backend);

signals:
    void selectPressed();
    void reportRequested();
    void leaveRequested();
    // The participant panel should open (or close when open): connected to the XR panel.
    void participantPanelRequested();

private:
    QPointer<viewmodels::CallsController> m_calls;
    std::uint64_t m_lastSequence = 0;
    bool m_tracking = false;
};

} // namespace twinseal::client
