#include <twinseal/headset_scene/eye_projection.h>

#include <cmath>

namespace twinseal::headset {

QMatrix4x4 offAxisProjection(const xr::ViewFov& fov, float nearZ, float farZ) {
    const float tanLeft = std::tan(fov.angleLeft);
    const float tanRight = std::tan(fov.angleRight);
    const float tanUp = std::tan(fov.angleUp);
    const float tanDown = std::tan(fov.angleDown);
    const float width = tanRight - tanLeft;
    const float height = tanUp - tanDown;
    // Row-major arguments.
    return QMatrix4x4(2.0f / width, 0.0f, (tanRight + tanLeft) / width, 0.0f,
                      0.0f, 2.0f / height, (tanUp + tanDown) / height, 0.0f,
                      0.0f, 0.0f, -(farZ + nearZ) / (farZ - nearZ), -2.0f * farZ * nearZ / (farZ - nearZ),
                      0.0f, 0.0f, -1.0f, 0.0f);
}

QVector3D viewPosition(const xr::ViewPose& pose) {
    return {pose.position[0], pose.position[1], pose.position[2]};
}

QQuaternion viewRotation(const xr::ViewPose& pose) {
    // OpenXR stores x, y, z, w; QQuaternion takes the scalar first.
    return QQuaternion(pose.orientation[3], pose.orientation[0], pose.orientation[1], pose.orientation[2]);
}

} // namespace twinseal::headset
