#include "xr_input.h"

#include <twinseal/viewmodels/calls_controller.h>
#include <twinseal/xr/openxr_backend.h>

namespace twinseal::client {

namespace {

calls::TrackedPose fromXr(const xr::TrackedPose& p) {
    calls::TrackedPose out;
    out.tracked = p.tracked;
    out.position = p.position;
    out.rotation = p.orientation;
    return out;
}

} // namespace

calls::TrackedBody trackedBody(const xr::TrackedPoses& poses) {
    calls::TrackedBody body;
    body.head = fromXr(poses.head);
    body.leftHand = fromXr(poses.leftGrip);
    body.rightHand = fromXr(poses.rightGrip);
    return body;
}

XrInput::XrInput(QObject* parent) : QObject(parent) {}

void XrInput::drive(viewmodels::CallsController& calls) {
    m_calls = &calls;
    connect(this, &XrInput::selectPressed, &calls, &viewmodels::CallsController::selectNextParticipant);
    connect(this, &XrInput::reportRequested, &calls, &viewmodels::CallsController::showSelectedReport);
    connect(this, &XrInput::leaveRequested, &calls, [c = &calls] {
        if (c->inRoom())
            c->leave();
    });
}

void XrInput::pump(xr::OpenXrBackend* backend) {
    if (backend == nullptr) {
        m_lastSequence = 0;
        if (m_tracking && m_calls)
            m_calls->clearTrackedPose();
        m_tracking = false;
        return;
    }
    for (const xr::InputEvent& e : backend->takeInputEvents()) {
        switch (e.action) {
        case xr::InputAction::Select: emit selectPressed(); break;
        case xr::InputAction::ShowReport: emit reportRequested(); break;
        case xr::InputAction::LeaveCall: emit leaveRequested(); break;
        case xr::InputAction::ParticipantPanel: emit participantPanelRequested(); break;
        case xr::InputAction::Recenter:  // the XR backend moves the panel itself
        case xr::InputAction::GripPose:
        case xr::InputAction::AimPose: break;
        }
    }
    const xr::TrackedPoses poses = backend->trackedPoses();
    if (poses.sequence == 0 || poses.sequence == m_lastSequence)
        return;
    m_lastSequence = poses.sequence;
    if (m_calls) {
        m_calls->setTrackedPose(trackedBody(poses));
        m_tracking = true;
    }
}

} // namespace twinseal::client
