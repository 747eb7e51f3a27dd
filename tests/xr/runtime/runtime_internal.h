// Inside the TwinSeal Test Runtime: what test_runtime.cpp (instances, sessions, reference spaces,
// frames) and input.cpp (paths, actions, action spaces, the scripted controller and head) share.
// Every function named ...Locked expects runtimeMutex() held by the caller. Nothing here is
// exported from the module (hidden visibility).
#pragma once

#include <openxr/openxr.h>

#include <cmath>
#include <cstddef>
#include <mutex>

namespace twinseal_test_runtime {

// The one lock over all runtime state.
std::mutex& runtimeMutex();

// test_runtime.cpp
bool instanceAliveLocked(XrInstance instance);
// The session's instance and whether it runs and has focus; false for an unknown handle.
bool sessionLocked(XrSession handle, XrInstance* instance, bool* running, bool* focused);
void queueEventLocked(XrInstance instance, const void* event, std::size_t size);
// A reference space's session and pose in that session's LOCAL space; false when `handle` is not
// one of the runtime's reference spaces. `tracked` is false for VIEW while the head is not.
bool referenceSpaceLocked(XrSpace handle, XrSession* session, XrPosef* inLocal, bool* tracked);

// input.cpp
// The input functions (xrStringToPath, xrCreateActionSet, xrSyncActions, xrLocateSpace, ...);
// null for other names.
PFN_xrVoidFunction inputFunction(const char* name);
// Destroys an action space; false when `space` is not one.
bool destroyActionSpaceLocked(XrSpace space);
void forgetSessionLocked(XrSession session);
void forgetInstanceLocked(XrInstance instance);
// The scripted head pose in LOCAL space (identity at the origin until a test sets one).
XrPosef headPoseLocked(bool* tracked);

// ---- pose arithmetic (unit quaternions x, y, z, w) ----

inline XrQuaternionf multiply(const XrQuaternionf& a, const XrQuaternionf& b) {
    return {a.w * b.x + a.x * b.w + a.y * b.z - a.z * b.y, a.w * b.y - a.x * b.z + a.y * b.w + a.z * b.x,
            a.w * b.z + a.x * b.y - a.y * b.x + a.z * b.w, a.w * b.w - a.x * b.x - a.y * b.y - a.z * b.z};
}
inline XrQuaternionf conjugate(const XrQuaternionf& q) { return {-q.x, -q.y, -q.z, q.w}; }
inline XrVector3f rotate(const XrQuaternionf& q, const XrVector3f& v) {
    const XrQuaternionf p = multiply(multiply(q, XrQuaternionf{v.x, v.y, v.z, 0.f}), conjugate(q));
    return {p.x, p.y, p.z};
}
// `b` expressed in `a`'s frame, then `a` applied: a * b.
inline XrPosef compose(const XrPosef& a, const XrPosef& b) {
    const XrVector3f r = rotate(a.orientation, b.position);
    return {multiply(a.orientation, b.orientation),
            {a.position.x + r.x, a.position.y + r.y, a.position.z + r.z}};
}
inline XrPosef inverse(const XrPosef& a) {
    const XrQuaternionf c = conjugate(a.orientation);
    const XrVector3f p = rotate(c, a.position);
    return {c, {-p.x, -p.y, -p.z}};
}
inline XrPosef identityPose() { return {{0.f, 0.f, 0.f, 1.f}, {0.f, 0.f, 0.f}}; }

} // namespace twinseal_test_runtime
