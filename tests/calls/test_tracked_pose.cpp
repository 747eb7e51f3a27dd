// A headset's tracked poses turned into the avatar's animation frame (calls/tracked_pose.h): the
// rest pose taken from the first head sample, positions and rotations relative to the rest
// heading, the half turn from the user's axes to the avatar's, and untracked parts left alone.
// The expected numbers are worked out by hand in each case.
#include <QtTest>

#include <cmath>
#include <numbers>

#include "testmain.h"

#include <twinseal/calls/tracked_pose.h>

namespace twinseal::test::calls {

using namespace twinseal::calls;

namespace {

constexpr float s = std::numbers::sqrt2_v<float> / 2; // sqrt(1/2)

bool near(const std::array<float, 3>& a, const std::array<float, 3>& b) {
    for (int i = 0; i < 3; ++i)
        if (std::fabs(a[i] - b[i]) > 1e-5f)
            return false;
    return true;
}
bool near(const std::array<float, 4>& a, const std::array<float, 4>& b) {
    // q and -q are the same rotation.
    float same = 0, opposite = 0;
    for (int i = 0; i < 4; ++i) {
        same = std::max(same, std::fabs(a[i] - b[i]));
        opposite = std::max(opposite, std::fabs(a[i] + b[i]));
    }
    return std::min(same, opposite) < 1e-5f;
}
QByteArray text(const std::array<float, 3>& v) {
    return QStringLiteral("(%1, %2, %3)").arg(v[0]).arg(v[1]).arg(v[2]).toUtf8();
}

TrackedPose pose(std::array<float, 3> p, std::array<float, 4> q = {0.f, 0.f, 0.f, 1.f}) {
    TrackedPose t;
    t.tracked = true;
    t.position = p;
    t.rotation = q;
    return t;
}

} // namespace

class TrackedPoseTest : public QObject {
    Q_OBJECT
private slots:
    void restPoseGivesTheRestFrame() {
        const TrackedPose head = pose({0.f, 1.6f, 0.f});
        const BodyCalibration rest = calibrateFromHead(head);
        TrackedBody body{head, pose({-kHandRestSide, 1.6f - kHandRestDrop, 0.f}),
                         pose({kHandRestSide, 1.6f - kHandRestDrop, 0.f})};
        AnimationFrame f;
        f.head.position = {9.f, 9.f, 9.f};
        applyTracking(body, rest, f);
        QVERIFY2(near(f.head.position, {0.f, 0.f, 0.f}), text(f.head.position));
        QVERIFY(near(f.head.rotation, {0.f, 0.f, 0.f, 1.f}));
        QVERIFY2(near(f.leftHand.position, {0.f, 0.f, 0.f}), text(f.leftHand.position));
        QVERIFY2(near(f.rightHand.position, {0.f, 0.f, 0.f}), text(f.rightHand.position));
    }

    void userAxesBecomeTheAvatarsAxes() {
        const BodyCalibration rest = calibrateFromHead(pose({0.f, 0.f, 0.f}));
        // The user steps 10 cm to their right and 20 cm forward (-Z) and turns the head left.
        TrackedBody body;
        body.head = pose({0.1f, 0.f, -0.2f}, {0.f, s, 0.f, s});
        AnimationFrame f;
        applyTracking(body, rest, f);
        // The avatar faces +Z with its left at +X: its right is -X.
        QVERIFY2(near(f.head.position, {-0.1f, 0.f, 0.2f}), text(f.head.position));
        // Turned to its own left: +90 degrees about +Y, as for the user.
        QVERIFY(near(f.head.rotation, {0.f, s, 0.f, s}));
        // A nod down (about the user's +X, their right) is about the avatar's -X.
        body.head = pose({0.f, 0.f, 0.f}, {-std::sin(0.2f), 0.f, 0.f, std::cos(0.2f)});
        applyTracking(body, rest, f);
        QVERIFY(near(f.head.rotation, {std::sin(0.2f), 0.f, 0.f, std::cos(0.2f)}));
    }

    void relativeToTheRestHeading() {
        // At calibration the user faced the tracking space's +X (turned 90 degrees right).
        const BodyCalibration rest = calibrateFromHead(pose({1.f, 1.5f, 2.f}, {0.f, -s, 0.f, s}));
        QVERIFY(std::fabs(rest.heading + static_cast<float>(M_PI) / 2) < 1e-5f);
        // Then steps 30 cm forward (along +X) with the head still facing that way.
        TrackedBody body;
        body.head = pose({1.3f, 1.5f, 2.f}, {0.f, -s, 0.f, s});
        // The right hand 40 cm ahead of the rest head at hand height, on the user's right (+Z).
        body.rightHand = pose({1.4f, 1.5f - kHandRestDrop, 2.f + kHandRestSide}, {0.f, -s, 0.f, s});
        AnimationFrame f;
        applyTracking(body, rest, f);
        QVERIFY2(near(f.head.position, {0.f, 0.f, 0.3f}), text(f.head.position));
        QVERIFY(near(f.head.rotation, {0.f, 0.f, 0.f, 1.f}));
        QVERIFY2(near(f.rightHand.position, {0.f, 0.f, 0.4f}), text(f.rightHand.position));
        QVERIFY(near(f.rightHand.rotation, {0.f, 0.f, 0.f, 1.f}));
    }

    void untrackedPartsKeepTheFrame() {
        const BodyCalibration rest = calibrateFromHead(pose({0.f, 0.f, 0.f}));
        AnimationFrame f;
        f.head.rotation = {0.1f, 0.f, 0.f, 0.99498744f};
        f.leftHand.position = {0.05f, 0.2f, 0.2f};
        TrackedBody body;  // nothing tracked
        body.rightHand = pose({0.2f, -0.65f, -0.1f});
        applyTracking(body, rest, f);
        QVERIFY(near(f.head.rotation, {0.1f, 0.f, 0.f, 0.99498744f}));
        QVERIFY(near(f.leftHand.position, {0.05f, 0.2f, 0.2f}));
        QVERIFY2(near(f.rightHand.position, {0.f, 0.f, 0.1f}), text(f.rightHand.position));
    }
};

TWINSEAL_TEST(TrackedPoseTest, "tracked-pose")

} // namespace twinseal::test::calls

#include "test_tracked_pose.moc"
