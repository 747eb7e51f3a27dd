import QtQuick
import QtQuick3D
import QtTest
import TwinSeal.UI

// CallAvatar: the frame drives the sample avatar's rig (head joint rotation, hands reached by
// the arms and turned at the wrist, morph target weights, a mirrored local view); without a usable model the capsule
// figure follows the frame; with the software renderer the flat figure does.
TestCase {
    id: testCase
    name: "CallAvatar"
    when: windowShown
    width: 400
    height: 500

    Component {
        id: avatarComponent
        CallAvatar { width: 300; height: 400 }
    }

    readonly property bool gpu: expectedRenderer === "gpu"

    function init() {
        verify(expectedRenderer === "gpu" || expectedRenderer === "software",
               "TWINSEAL_EXPECT_RENDERER must be gpu or software")
    }

    // Rotation by `degrees` about the unit axis (x, y, z).
    function axisAngle(x, y, z, degrees) {
        const h = degrees * Math.PI / 360
        return Qt.quaternion(Math.cos(h), x * Math.sin(h), y * Math.sin(h), z * Math.sin(h))
    }

    function compareQuaternion(actual, expected, what) {
        // q and -q are the same rotation
        const d = actual.scalar * expected.scalar + actual.x * expected.x + actual.y * expected.y
                + actual.z * expected.z
        verify(Math.abs(Math.abs(d) - 1) < 1e-4, what + ": " + actual + " is not " + expected)
    }

    function compareVector(actual, expected, tolerance, what) {
        const d = Math.hypot(actual.x - expected.x, actual.y - expected.y, actual.z - expected.z)
        verify(d < tolerance, what + ": " + actual + " is not " + expected + " (off by " + d + ")")
    }

    // A copy: reading a vector property gives a reference that follows later changes.
    function copy(v) { return Qt.vector3d(v.x, v.y, v.z) }

    function findObject(object, name) {
        if (!object)
            return null
        if (object.objectName === name)
            return object
        const next = []
        if (object.children)
            for (let i = 0; i < object.children.length; ++i)
                next.push(object.children[i])
        if (object.scene)           // View3D: its nodes live under its scene root
            next.push(object.scene)
        for (const child of next) {
            const found = findObject(child, name)
            if (found)
                return found
        }
        return null
    }

    function createAvatar(properties) {
        const avatar = createTemporaryObject(avatarComponent, testCase, properties)
        verify(avatar)
        return avatar
    }

    function test_renderer() {
        const avatar = createAvatar({ source: sampleAvatarUrl })
        compare(avatar.hardware, gpu)
        if (!gpu)
            compare(avatar.mode, "flat")
    }

    function test_sample_avatar_is_rigged() {
        if (!gpu)
            skip("needs the GPU renderer")
        const avatar = createAvatar({ source: sampleAvatarUrl })
        tryCompare(avatar, "mode", "model")
        verify(avatar.rig.ready, avatar.rig.errorString)
        for (const joint of ["hips", "spine", "chest", "neck", "head", "leftUpperArm", "leftLowerArm",
                             "leftHand", "rightUpperArm", "rightLowerArm", "rightHand"])
            verify(avatar.rig.nodes[joint], "no joint " + joint)
        compare(avatar.rig.morphTargetNames, ["mouthOpen", "blink"])
    }

    function test_head_rotation_drives_head_joint() {
        if (!gpu)
            skip("needs the GPU renderer")
        const avatar = createAvatar({ source: sampleAvatarUrl })
        tryCompare(avatar, "mode", "model")
        const head = avatar.rig.nodes.head
        compareQuaternion(head.rotation, Qt.quaternion(1, 0, 0, 0), "head at rest")
        const turn = axisAngle(0, 1, 0, 35)
        avatar.headRotation = turn
        compareQuaternion(head.rotation, turn, "head turned")
        const nod = axisAngle(0.6, 0, 0.8, -20)
        avatar.headRotation = nod
        compareQuaternion(head.rotation, nod, "head nodding and tilting")
        // The rest of the body stays where it was.
        compareQuaternion(avatar.rig.nodes.neck.rotation, Qt.quaternion(1, 0, 0, 0), "neck")
    }

    function test_head_position_leans_the_body() {
        if (!gpu)
            skip("needs the GPU renderer")
        const avatar = createAvatar({ source: sampleAvatarUrl })
        tryCompare(avatar, "mode", "model")
        const head = avatar.rig.nodes.head
        const hips = avatar.rig.nodes.hips
        const unit = hips.sceneScale.x // the view's normalisation of the model
        const rest = copy(head.scenePosition)
        avatar.headPosition = Qt.vector3d(0.1, 0, 0.1)
        const moved = copy(head.scenePosition)
        verify(moved.x - rest.x > 0.05 * unit, "the head leans towards +x: " + rest + " -> " + moved)
        verify(moved.z - rest.z > 0.05 * unit, "the head leans forwards: " + rest + " -> " + moved)
        avatar.headPosition = Qt.vector3d(0, -0.2, 0)
        compareVector(head.scenePosition, rest.minus(Qt.vector3d(0, 0.2 * unit, 0)), 1e-3 * unit, "ducking")
    }

    function test_hand_positions_reach() {
        if (!gpu)
            skip("needs the GPU renderer")
        const avatar = createAvatar({ source: sampleAvatarUrl })
        tryCompare(avatar, "mode", "model")
        const unit = avatar.rig.nodes.hips.sceneScale.x
        const left = avatar.rig.nodes.leftHand
        const right = avatar.rig.nodes.rightHand
        const leftRest = copy(left.scenePosition)
        const rightRest = copy(right.scenePosition)
        const reachLeft = Qt.vector3d(0.05, 0.35, 0.3)   // forward and up: a wave
        const reachRight = Qt.vector3d(0.1, 0.2, 0.25)   // across the body
        avatar.leftHandPosition = reachLeft
        avatar.rightHandPosition = reachRight
        compareVector(left.scenePosition, leftRest.plus(reachLeft.times(unit)), 2e-3 * unit, "left hand")
        compareVector(right.scenePosition, rightRest.plus(reachRight.times(unit)), 2e-3 * unit, "right hand")
        // Further than the arm reaches: the arm stretches towards it.
        avatar.leftHandPosition = Qt.vector3d(0, 0, 5)
        const stretched = left.scenePosition.minus(avatar.rig.nodes.leftUpperArm.scenePosition)
        verify(stretched.z > 0.5 * unit, "the arm points forwards: " + stretched)
        // Back to rest.
        avatar.leftHandPosition = Qt.vector3d(0, 0, 0)
        compareVector(left.scenePosition, leftRest, 2e-3 * unit, "left hand back at rest")
    }

    function qmul(a, b) {
        return Qt.quaternion(a.scalar * b.scalar - a.x * b.x - a.y * b.y - a.z * b.z,
                             a.scalar * b.x + a.x * b.scalar + a.y * b.z - a.z * b.y,
                             a.scalar * b.y - a.x * b.z + a.y * b.scalar + a.z * b.x,
                             a.scalar * b.z + a.x * b.y - a.y * b.x + a.z * b.scalar)
    }
    function qconj(q) { return Qt.quaternion(q.scalar, -q.x, -q.y, -q.z) }
    function copyQuaternion(q) { return Qt.quaternion(q.scalar, q.x, q.y, q.z) }

    function test_hand_rotations_turn_the_hands() {
        if (!gpu)
            skip("needs the GPU renderer")
        const avatar = createAvatar({ source: sampleAvatarUrl })
        tryCompare(avatar, "mode", "model")
        const unit = avatar.rig.nodes.hips.sceneScale.x
        const left = avatar.rig.nodes.leftHand
        const right = avatar.rig.nodes.rightHand
        const leftRest = copyQuaternion(left.sceneRotation)
        const rightRest = copyQuaternion(right.sceneRotation)
        const leftRestPosition = copy(left.scenePosition)
        // A zero rotation (identity) leaves the rest pose.
        avatar.leftHandRotation = Qt.quaternion(1, 0, 0, 0)
        compareQuaternion(left.sceneRotation, leftRest, "left hand at rest")
        // With the arm at rest the hand joint turns by exactly the frame's rotation, in the
        // avatar's space; the wrist stays where it was and the other hand does not move.
        const flex = axisAngle(1, 0, 0, -50)             // palm up towards the camera
        const twist = axisAngle(0, 1, 0, 70)             // turned about the forearm
        avatar.leftHandRotation = flex
        avatar.rightHandRotation = twist
        compareQuaternion(left.sceneRotation, qmul(flex, leftRest), "left hand turned")
        compareQuaternion(right.sceneRotation, qmul(twist, rightRest), "right hand turned")
        compareVector(left.scenePosition, leftRestPosition, 1e-3 * unit, "the wrist stays")
        // Relative to the forearm: reaching carries the turned hand along with the forearm.
        avatar.leftHandPosition = Qt.vector3d(0.05, 0.35, 0.3)
        const forearm = avatar.rig.nodes.leftLowerArm.sceneRotation
        compareQuaternion(qmul(qconj(forearm), left.sceneRotation), flex, "turned relative to the forearm")
        // Back to no rotation: the hand's rest relative to its forearm again.
        avatar.leftHandRotation = Qt.quaternion(1, 0, 0, 0)
        compareQuaternion(left.rotation, Qt.quaternion(1, 0, 0, 0), "left hand back at rest")
        avatar.leftHandPosition = Qt.vector3d(0, 0, 0)
        compareQuaternion(left.sceneRotation, leftRest, "left hand at rest again")
    }

    function test_local_hand_rotations_are_mirrored() {
        if (!gpu)
            skip("needs the GPU renderer")
        const avatar = createAvatar({ source: sampleAvatarUrl, local: true })
        tryCompare(avatar, "mode", "model")
        const right = avatar.rig.nodes.rightHand
        const left = avatar.rig.nodes.leftHand
        const rightRest = copyQuaternion(right.sceneRotation)
        const leftRest = copyQuaternion(left.sceneRotation)
        // The local left hand turning about +y (and +z) is the mirror image's right hand turning
        // the other way about them; the rotation about x is the same.
        avatar.leftHandRotation = axisAngle(0, 0.6, 0.8, 40)
        compareQuaternion(right.sceneRotation, qmul(axisAngle(0, 0.6, 0.8, -40), rightRest),
                          "the local left hand turns the mirror image's right hand")
        compareQuaternion(left.sceneRotation, leftRest, "the mirror image's left hand stays")
        avatar.rightHandRotation = axisAngle(1, 0, 0, 30)
        compareQuaternion(left.sceneRotation, qmul(axisAngle(1, 0, 0, 30), leftRest),
                          "a turn about x is its own mirror image")
    }

    function test_local_is_mirrored() {
        if (!gpu)
            skip("needs the GPU renderer")
        const avatar = createAvatar({ source: sampleAvatarUrl, local: true })
        tryCompare(avatar, "mode", "model")
        const unit = avatar.rig.nodes.hips.sceneScale.x
        const right = avatar.rig.nodes.rightHand
        const rightRest = copy(right.scenePosition)
        avatar.leftHandPosition = Qt.vector3d(0.1, 0.3, 0.2)
        compareVector(right.scenePosition, rightRest.plus(Qt.vector3d(-0.1, 0.3, 0.2).times(unit)), 2e-3 * unit,
                      "the local left hand is the mirror image's right hand")
        avatar.headRotation = axisAngle(0, 1, 0, 30)
        compareQuaternion(avatar.rig.nodes.head.rotation, axisAngle(0, 1, 0, -30), "mirrored head turn")
    }

    function test_blend_shapes_drive_morph_targets() {
        if (!gpu)
            skip("needs the GPU renderer")
        const avatar = createAvatar({ source: sampleAvatarUrl })
        tryCompare(avatar, "mode", "model")
        const mouth = avatar.rig.morphTargets[0][0]
        const blink = avatar.rig.morphTargets[1][0]
        compare(mouth.weight, 0)
        avatar.blendShapes = [0.75, 0.25]
        fuzzyCompare(mouth.weight, 0.75, 1e-6)
        fuzzyCompare(blink.weight, 0.25, 1e-6)
        avatar.blendShapes = { blink: 1 }
        compare(mouth.weight, 0)
        compare(blink.weight, 1)
        avatar.blendShapes = [7, -3]         // clamped to [0, 1]
        compare(mouth.weight, 1)
        compare(blink.weight, 0)
    }

    function test_fallback_figure_follows_the_frame_data() {
        return [
            { tag: "no model", source: "" },
            { tag: "not a model", source: notAModelUrl },
            { tag: "missing file", source: "file:///nonexistent/avatar.glb" },
        ]
    }

    function test_fallback_figure_follows_the_frame(data) {
        if (!gpu)
            skip("needs the GPU renderer")
        const avatar = createAvatar({ source: data.source === "" ? "" : data.source })
        compare(avatar.mode, "figure")
        verify(!avatar.rig.ready)
        const head = findObject(avatar, "figureHead")
        verify(head, "the capsule figure's head")
        const turn = axisAngle(0, 1, 0, 40)
        avatar.headRotation = turn
        compareQuaternion(head.rotation, turn, "figure head turned")
        const rest = copy(head.position)
        avatar.headPosition = Qt.vector3d(0.05, 0, 0)
        compareVector(head.position, rest.plus(Qt.vector3d(0.05, 0, 0)), 1e-6, "figure head moved")
    }

    function test_a_new_source_rebinds() {
        if (!gpu)
            skip("needs the GPU renderer")
        const avatar = createAvatar({ source: "" })
        compare(avatar.mode, "figure")
        avatar.source = sampleAvatarUrl
        tryCompare(avatar, "mode", "model")
        tryVerify(() => avatar.rig.ready)
        avatar.headRotation = axisAngle(1, 0, 0, 15)
        compareQuaternion(avatar.rig.nodes.head.rotation, axisAngle(1, 0, 0, 15), "head after the new source")
        avatar.source = notAModelUrl
        tryCompare(avatar, "mode", "figure")
        verify(!avatar.rig.ready)
    }

    function test_flat_figure_follows_the_frame() {
        if (gpu)
            skip("the flat figure is for the software renderer")
        const avatar = createAvatar({ source: sampleAvatarUrl })
        compare(avatar.mode, "flat")
        const head = findObject(avatar, "flatHead")
        const hand = findObject(avatar, "flatLeftHand")
        verify(head && hand)
        compare(head.rotation, 0)
        avatar.headRotation = axisAngle(0, 0, 1, 20)   // tilt towards the avatar's left
        fuzzyCompare(head.rotation, -20, 1e-3)
        const x0 = hand.x, y0 = hand.y
        avatar.leftHandPosition = Qt.vector3d(0.1, 0.2, 0)
        verify(hand.x > x0 && hand.y < y0, "the left hand moves right and up on screen")
    }
}
