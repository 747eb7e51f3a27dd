// An OpenXR view as Qt Quick 3D wants it: the off-axis projection of the view's four field-of-view
// angles (OpenGL clip space, like OpenXR's own xr_linear.h for OpenGL), and the view's pose.
#pragma once

#include <QMatrix4x4>
#include <QQuaternion>
#include <QVector3D>

#include <twinseal/xr/frame.h>

namespace twinseal::headset {

// The projection of a view whose frustum spans tan(angleLeft)..tan(angleRight) horizontally and
// tan(angleDown)..tan(angleUp) vertically at distance 1 (left and down negative), looking down -Z,
// clipping at nearZ and farZ metres (0 < nearZ < farZ).
[[nodiscard]] QMatrix4x4 offAxisProjection(const xr::ViewFov& fov, float nearZ, float farZ);

[[nodiscard]] QVector3D viewPosition(const xr::ViewPose& pose);
[[nodiscard]] QQuaternion viewRotation(const xr::ViewPose& pose);

} // namespace twinseal::headset
