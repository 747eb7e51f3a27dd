import QtQuick
import QtQuick3D
import QtQuick3D.AssetUtils
import TwinSeal.UI

// A call participant's avatar, animated by the participant's animation frames.
//
// source: the verified avatar model (glTF 2.0 / GLB, a file: URL). Its humanoid joints ("head",
// "neck", "spine", "chest", "hips", "left/rightUpperArm", "left/rightLowerArm", "left/rightHand")
// are driven by the frame; without a model, or when it does not load, a capsule figure stands in.
// With the software renderer a flat 2D figure shows the same motion.
//
// The frame, in the avatar's own space (metres, Y up, the avatar facing +Z, its left at +X):
//   headRotation       the head's rotation relative to the upper body (identity: looking ahead)
//   headPosition       the head's offset from its rest position: sideways and forwards lean the
//                      spine, up and down raise or lower the whole body
//   left/rightHandPosition  each hand's offset from its rest position (arms hanging at the sides),
//                      reached by bending the shoulder and elbow
//   left/rightHandRotation  each hand's rotation relative to the forearm (identity: the rest pose),
//                      about the avatar's axes as they are at rest: with the arm at rest the
//                      hand joint turns by exactly this rotation; a bent arm carries it along
//   blendShapes        morph target weights in [0, 1]: an array in the frame's order (app/calls
//                      animation_frame.h: mouthOpen, blink), applied to the model's morph targets
//                      of those names (or in the model's order when it has none of them), or an
//                      object by target name
//   local              the local participant's own view: shown mirrored, like a mirror
//
// Seen from outside (the headset's eyes, HeadsetRoom.qml): with eyeView set, the avatar is drawn
// on a transparent background through a camera at eyePosition / eyeRotation (in the avatar's own
// space, metres) with the projection eyeProjection (an off-axis frustum from the eye's field of
// view), instead of the tile's own framing.
Item {
    id: root
    property url source
    property quaternion headRotation
    property vector3d headPosition
    property vector3d leftHandPosition
    property vector3d rightHandPosition
    property quaternion leftHandRotation
    property quaternion rightHandRotation
    property var blendShapes
    property bool local: false
    property bool eyeView: false
    property vector3d eyePosition
    property quaternion eyeRotation
    property matrix4x4 eyeProjection

    // What is shown: "model" (the avatar model), "figure" (the capsule fallback) or "flat" (2D,
    // software renderer). rig: the joints found in the model (AvatarRig).
    readonly property string mode: !hardware ? "flat" : (modelLoaded ? "model" : "figure")
    readonly property alias rig: rig
    readonly property bool hardware: GraphicsInfo.api !== GraphicsInfo.Software
                                     && GraphicsInfo.api !== GraphicsInfo.Unknown
    property bool modelLoaded: false
    // The blend shapes of an animation frame, by index (app/calls animation_frame.h).
    readonly property var frameShapeNames: ["mouthOpen", "blink"]

    Accessible.role: Accessible.Graphic
    Accessible.name: root.local ? qsTr("Your avatar") : qsTr("Participant's avatar")

    // The frame as seen: mirrored for the local participant (x -> -x swaps the hands).
    QtObject {
        id: pose
        readonly property vector3d headOffset: root.local ? pose.mirror(root.headPosition) : root.headPosition
        readonly property vector3d leftHand: root.local ? pose.mirror(root.rightHandPosition) : root.leftHandPosition
        readonly property vector3d rightHand: root.local ? pose.mirror(root.leftHandPosition) : root.rightHandPosition
        readonly property quaternion head: root.local ? pose.mirrorRotation(root.headRotation) : root.headRotation
        readonly property quaternion leftHandTurn: root.local ? pose.mirrorRotation(root.rightHandRotation)
                                                              : root.leftHandRotation
        readonly property quaternion rightHandTurn: root.local ? pose.mirrorRotation(root.leftHandRotation)
                                                               : root.rightHandRotation
        function mirror(v: vector3d): vector3d { return Qt.vector3d(-v.x, v.y, v.z) }
        // A rotation seen in the mirror x -> -x: the same angle about (x, -y, -z).
        function mirrorRotation(q: quaternion): quaternion { return Qt.quaternion(q.scalar, q.x, -q.y, -q.z) }
        // Each part of the frame moves only its own joints.
        onHeadChanged: root.turnHead()
        onHeadOffsetChanged: root.lean()
        onLeftHandChanged: root.reach("left", 1, pose.leftHand)
        onRightHandChanged: root.reach("right", -1, pose.rightHand)
        onLeftHandTurnChanged: root.turnHand("left", pose.leftHandTurn)
        onRightHandTurnChanged: root.turnHand("right", pose.rightHandTurn)
    }
    onBlendShapesChanged: applyBlendShapes()

    AvatarRig { id: rig }
    Timer {
        id: rebind
        property RuntimeLoader loader
        interval: 0
        onTriggered: if (loader) root.bindModel(loader, loader.status === RuntimeLoader.Success)
    }

    // The rest pose of the driven joints, read when the model is bound.
    QtObject {
        id: rest
        property var rotations: ({})
        property var positions: ({})
        property real spineToHead: 0.5
    }

    // ---- quaternions as [w, x, y, z] ----------------------------------------------------------
    function qmul(a, b) {
        return [a[0] * b[0] - a[1] * b[1] - a[2] * b[2] - a[3] * b[3],
                a[0] * b[1] + a[1] * b[0] + a[2] * b[3] - a[3] * b[2],
                a[0] * b[2] - a[1] * b[3] + a[2] * b[0] + a[3] * b[1],
                a[0] * b[3] + a[1] * b[2] - a[2] * b[1] + a[3] * b[0]]
    }
    function qconj(q) { return [q[0], -q[1], -q[2], -q[3]] }
    function qrot(q, v) {
        const r = qmul(qmul(q, [0, v[0], v[1], v[2]]), qconj(q))
        return [r[1], r[2], r[3]]
    }
    function qaxis(x, y, z, angle) {
        const s = Math.sin(angle / 2)
        return [Math.cos(angle / 2), x * s, y * s, z * s]
    }
    // The shortest rotation taking direction u to direction v.
    function qfromto(u, v) {
        const lu = Math.hypot(u[0], u[1], u[2]), lv = Math.hypot(v[0], v[1], v[2])
        const c = [u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]]
        let q = [lu * lv + u[0] * v[0] + u[1] * v[1] + u[2] * v[2], c[0], c[1], c[2]]
        if (q[0] < 1e-9 * lu * lv)   // opposite directions: half a turn about any perpendicular
            q = Math.abs(u[0]) > Math.abs(u[2]) ? [0, -u[1], u[0], 0] : [0, 0, -u[2], u[1]]
        const n = Math.hypot(q[0], q[1], q[2], q[3]) || 1
        return [q[0] / n, q[1] / n, q[2] / n, q[3] / n]
    }
    // A unit quaternion; one of length 0 (or not finite) is no rotation.
    function qnorm(q) {
        const n = Math.hypot(q[0], q[1], q[2], q[3])
        return n > 1e-9 && isFinite(n) ? [q[0] / n, q[1] / n, q[2] / n, q[3] / n] : [1, 0, 0, 0]
    }
    function fromQt(q) { return [q.scalar, q.x, q.y, q.z] }
    function toQt(q) { return Qt.quaternion(q[0], q[1], q[2], q[3]) }
    function vec(v) { return [v.x, v.y, v.z] }
    function add(a, b) { return [a[0] + b[0], a[1] + b[1], a[2] + b[2]] }
    function sub(a, b) { return [a[0] - b[0], a[1] - b[1], a[2] - b[2]] }
    function scale(a, s) { return [a[0] * s, a[1] * s, a[2] * s] }
    function dot(a, b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2] }
    function len(a) { return Math.hypot(a[0], a[1], a[2]) }

    // ---- binding the model ----------------------------------------------------------------------
    function bindModel(loader: Node, loaded: bool) {
        if (!loaded) {
            rig.clear()
            modelLoaded = false
            return
        }
        if (rig.bind(loader, root.source)) {
            const rotations = {}, positions = {}
            for (const name in rig.nodes) {
                rotations[name] = fromQt(rig.nodes[name].rotation)
                positions[name] = vec(rig.nodes[name].position)
            }
            rest.rotations = rotations
            rest.positions = positions
            const p = positions
            if (p.chest && p.neck && p.head)
                rest.spineToHead = Math.max(len(add(add(p.chest, p.neck), p.head)), 0.1)
        } else if (scene.item && scene.item.window) {   // outside a window the nodes are not there yet
            console.info("call avatar:", rig.errorString)
        }
        modelLoaded = true
        applyPose()
        applyBlendShapes()
    }

    function joint(name: string): Node { return rig.nodes[name] ?? null }

    function setRotation(name, q) {
        const node = joint(name)
        if (node)
            node.rotation = toQt(qmul(q, rest.rotations[name]))
    }

    function applyPose() {
        turnHead()
        lean()
        reach("left", 1, pose.leftHand)
        reach("right", -1, pose.rightHand)
        turnHand("left", pose.leftHandTurn)
        turnHand("right", pose.rightHandTurn)
    }

    function turnHead() {
        if (rig.ready)
            setRotation("head", fromQt(pose.head))
    }

    // Leaning: the head's sideways and forward offset tilts spine and chest, half each; its
    // height raises or lowers the hips.
    function lean() {
        if (!rig.ready)
            return
        const o = pose.headOffset
        const forward = Math.atan2(o.z, rest.spineToHead) / 2
        const sideways = -Math.atan2(o.x, rest.spineToHead) / 2
        const tilt = qmul(qaxis(0, 0, 1, sideways), qaxis(1, 0, 0, forward))
        setRotation("spine", tilt)
        setRotation("chest", tilt)
        const hips = joint("hips")
        if (hips && rest.positions.hips) {
            const p = rest.positions.hips
            hips.position = Qt.vector3d(p[0], p[1] + Math.min(Math.max(o.y, -0.6), 0.2), p[2])
        }
    }

    // Two-bone inverse kinematics in the upper body's frame: the hand moves by `offset` from its
    // rest position, the elbow bends outwards and back.
    function reach(side, sx, offset) {
        if (!rig.ready)
            return
        const upper = side + "UpperArm", lower = side + "LowerArm", hand = side + "Hand"
        const p = rest.positions, r = rest.rotations
        if (!p[upper] || !p[lower] || !p[hand])
            return
        const shoulder = p[upper]
        const elbow0 = add(shoulder, qrot(r[upper], p[lower]))
        const hand0 = add(elbow0, qrot(qmul(r[upper], r[lower]), p[hand]))
        const a = len(sub(elbow0, shoulder)), b = len(sub(hand0, elbow0))
        let d = sub(add(hand0, vec(offset)), shoulder)
        let dl = len(d)
        if (dl < 1e-6 || a < 1e-6 || b < 1e-6)
            return
        const reachable = Math.min(Math.max(dl, Math.abs(a - b) + 1e-3), a + b - 1e-4)
        d = scale(d, reachable / dl)
        dl = reachable
        const dn = scale(d, 1 / dl)
        const along = (a * a - b * b + dl * dl) / (2 * dl)
        const height = Math.sqrt(Math.max(a * a - along * along, 0))
        const pole = [0.35 * sx, -0.2, -1]
        let perp = sub(pole, scale(dn, dot(pole, dn)))
        const pl = len(perp)
        perp = pl > 1e-6 ? scale(perp, 1 / pl) : [0, 0, -1]
        const elbow = add(add(shoulder, scale(dn, along)), scale(perp, height))
        // The upper arm turns its rest direction onto the new one; the lower arm then turns its
        // (carried along) direction onto the hand's.
        const upperTurn = qfromto(sub(elbow0, shoulder), sub(elbow, shoulder))
        const carried = qrot(upperTurn, sub(hand0, elbow0))
        const lowerTurn = qfromto(carried, sub(add(shoulder, d), elbow))
        setRotation(upper, upperTurn)
        setRotation(lower, qmul(qmul(qconj(upperTurn), lowerTurn), upperTurn))
    }

    // The hand's rotation relative to the forearm: the frame's rotation `turn` (about the avatar's
    // axes at rest) expressed in the forearm's rest frame, on top of the hand's rest rotation.
    // The arm's inverse kinematics (reach) moves only the shoulder and elbow, so each part of the
    // frame keeps its own joints.
    function turnHand(side, turn) {
        if (!rig.ready)
            return
        const r = rest.rotations
        if (!r[side + "Hand"])
            return
        const forearm = qmul(r[side + "UpperArm"] ?? [1, 0, 0, 0], r[side + "LowerArm"] ?? [1, 0, 0, 0])
        setRotation(side + "Hand", qmul(qmul(qconj(forearm), qnorm(fromQt(turn))), forearm))
    }

    function applyBlendShapes() {
        if (!rig.ready)
            return
        const shapes = root.blendShapes
        const names = rig.morphTargetNames
        let byFrameName = false
        for (let j = 0; j < names.length && !byFrameName; ++j)
            byFrameName = root.frameShapeNames.indexOf(names[j]) >= 0
        for (let i = 0; i < names.length; ++i) {
            let w = 0
            const index = byFrameName ? root.frameShapeNames.indexOf(names[i]) : i
            if (Array.isArray(shapes) && index >= 0 && index < shapes.length)
                w = Number(shapes[index])
            else if (shapes && typeof shapes === "object" && !Array.isArray(shapes))
                w = Number(shapes[rig.morphTargetNames[i]] ?? 0)
            w = isFinite(w) ? Math.min(Math.max(w, 0), 1) : 0
            const targets = rig.morphTargets[i]
            for (let t = 0; t < targets.length; ++t)
                targets[t].weight = w
        }
    }

    // The 3D view. Loader gives the scene a context of its own (Qt 6.4), so qmllint cannot see
    // the root's names from inside it.
    // qmllint disable unqualified
    Loader {
        id: scene
        anchors.fill: parent
        active: root.hardware
        sourceComponent: View3D {
            // Outside a window the loader keeps the loaded nodes to itself: bind once shown.
            onWindowChanged: {
                if (window) {
                    rebind.loader = model
                    rebind.restart()
                }
            }
            environment: SceneEnvironment {
                clearColor: Theme.dark ? "#0f1216" : "#e9edf2"
                backgroundMode: root.eyeView ? SceneEnvironment.Transparent : SceneEnvironment.Color
                antialiasingMode: SceneEnvironment.MSAA
            }
            id: view3d
            camera: root.eyeView ? eyeCamera : tileCamera
            // A headset's eye (see eyeView above).
            CustomCamera {
                id: eyeCamera
                position: root.eyePosition
                rotation: root.eyeRotation
                projection: root.eyeProjection
            }
            // The upper body and the hands, in tiles of any shape: narrow tiles fit the width.
            PerspectiveCamera {
                id: tileCamera
                readonly property bool narrow: view3d.width < view3d.height * 0.85
                position: Qt.vector3d(0, 1.33, 1.6)
                eulerRotation.x: -4
                fieldOfViewOrientation: narrow ? PerspectiveCamera.Horizontal : PerspectiveCamera.Vertical
                fieldOfView: narrow ? 36 : 40
                clipNear: 0.01
            }
            DirectionalLight { eulerRotation.x: -35; eulerRotation.y: -30; brightness: 1.4 }
            DirectionalLight { eulerRotation.x: 20; eulerRotation.y: 150; brightness: 0.5 }

            RuntimeLoader {
                id: model
                source: root.source
                visible: root.modelLoaded
                onStatusChanged: root.bindModel(model, status === RuntimeLoader.Success)
                Component.onCompleted: root.bindModel(model, status === RuntimeLoader.Success)
                // A new source may load without a status change (Success to Success).
                onSourceChanged: {
                    rebind.loader = model
                    rebind.restart()
                }
                // Normalised to 1.7 units tall, feet on the floor, centred. (Qt 6.4's QtQuick3D
                // type information lacks the bounds' type, so qmllint cannot check these.)
                // qmllint disable type
                readonly property real extent: Math.max(bounds.maximum.y - bounds.minimum.y, 0.001)
                scale: Qt.vector3d(1.7 / extent, 1.7 / extent, 1.7 / extent)
                position: Qt.vector3d(-(bounds.minimum.x + bounds.maximum.x) / 2 * 1.7 / extent,
                                      -bounds.minimum.y * 1.7 / extent,
                                      -(bounds.minimum.z + bounds.maximum.z) / 2 * 1.7 / extent)
                // qmllint enable type
            }

            // The capsule figure: the same head and hands, without a model.
            Node {
                visible: !root.modelLoaded
                Model {
                    source: "#Cylinder"
                    position: Qt.vector3d(0, 1.16, 0)
                    scale: Qt.vector3d(0.0034, 0.0058, 0.0022)
                    materials: PrincipledMaterial { baseColor: "#0d8c99"; roughness: 0.7 }
                }
                Node {
                    objectName: "figureHead"
                    position: Qt.vector3d(pose.headOffset.x, 1.52 + pose.headOffset.y, pose.headOffset.z)
                    rotation: pose.head
                    Model {
                        source: "#Sphere"
                        y: 0.1
                        scale: Qt.vector3d(0.0021, 0.0025, 0.0022)
                        materials: PrincipledMaterial { baseColor: "#edb894"; roughness: 0.7 }
                    }
                    Repeater3D {
                        model: [-1, 1]
                        Model {
                            required property int modelData
                            source: "#Sphere"
                            position: Qt.vector3d(0.04 * modelData, 0.12, 0.1)
                            scale: Qt.vector3d(0.0003, 0.0003, 0.0003)
                            materials: PrincipledMaterial { baseColor: "#0a0a0f" }
                        }
                    }
                }
                Model {
                    source: "#Sphere"
                    position: Qt.vector3d(0.22 + pose.leftHand.x, 0.82 + pose.leftHand.y, pose.leftHand.z)
                    scale: Qt.vector3d(0.0011, 0.0011, 0.0011)
                    materials: PrincipledMaterial { baseColor: "#edb894"; roughness: 0.7 }
                }
                Model {
                    source: "#Sphere"
                    position: Qt.vector3d(-0.22 + pose.rightHand.x, 0.82 + pose.rightHand.y, pose.rightHand.z)
                    scale: Qt.vector3d(0.0011, 0.0011, 0.0011)
                    materials: PrincipledMaterial { baseColor: "#edb894"; roughness: 0.7 }
                }
            }
        }
    }
    // qmllint enable unqualified

    // The flat figure for the software renderer: a head that leans, tilts and turns, two hands.
    Rectangle {
        id: flat
        visible: !root.hardware
        anchors.fill: parent
        color: Theme.dark ? "#0f1216" : "#e9edf2"
        readonly property real unit: Math.min(width, height) / 1.2 // pixels per metre
        // roll and yaw of the head quaternion, in degrees
        readonly property real roll: {
            const q = pose.head
            return Math.atan2(2 * (q.scalar * q.z + q.x * q.y), 1 - 2 * (q.y * q.y + q.z * q.z)) * 180 / Math.PI
        }
        readonly property real yaw: {
            const q = pose.head
            return Math.asin(Math.max(-1, Math.min(1, 2 * (q.scalar * q.y - q.z * q.x)))) * 180 / Math.PI
        }
        Rectangle {
            id: body
            width: 0.36 * flat.unit
            height: 0.5 * flat.unit
            radius: width / 3
            x: (flat.width - width) / 2 + pose.headOffset.x * flat.unit / 2
            y: flat.height * 0.55 - pose.headOffset.y * flat.unit
            color: "#0d8c99"
        }
        Rectangle {
            objectName: "flatHead"
            width: 0.22 * flat.unit
            height: 0.26 * flat.unit
            radius: width / 2
            x: (flat.width - width) / 2 + pose.headOffset.x * flat.unit
            y: body.y - height - 0.04 * flat.unit
            rotation: -flat.roll
            color: "#edb894"
            Rectangle {
                width: parent.width * 0.12
                height: width
                radius: width / 2
                color: "#0a0a0f"
                x: parent.width * (0.3 + flat.yaw / 90 * 0.3) - width / 2
                y: parent.height * 0.4
            }
            Rectangle {
                width: parent.width * 0.12
                height: width
                radius: width / 2
                color: "#0a0a0f"
                x: parent.width * (0.7 + flat.yaw / 90 * 0.3) - width / 2
                y: parent.height * 0.4
            }
        }
        // The viewer faces the avatar: its left hand is on the viewer's right.
        Rectangle {
            objectName: "flatLeftHand"
            width: 0.09 * flat.unit
            height: width
            radius: width / 2
            color: "#edb894"
            x: flat.width / 2 + (0.24 + pose.leftHand.x) * flat.unit - width / 2
            y: body.y + body.height * 0.8 - pose.leftHand.y * flat.unit
        }
        Rectangle {
            objectName: "flatRightHand"
            width: 0.09 * flat.unit
            height: width
            radius: width / 2
            color: "#edb894"
            x: flat.width / 2 + (-0.24 + pose.rightHand.x) * flat.unit - width / 2
            y: body.y + body.height * 0.8 - pose.rightHand.y * flat.unit
        }
    }
}
