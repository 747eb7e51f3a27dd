pragma ComponentBehavior: Bound
import QtQuick

// The call room in the headset, as one eye sees it: every other participant of the call stands
// on an arc in front of the user, facing them, each drawn by the desktop's CallAvatar (its
// verified avatar, animated by its frames) seen through this eye. The same rule as the desktop's
// tiles: only a participant whose report is Verified is drawn; any other participant keeps its
// place on the arc, empty (the headset's trusted layer says why, never the scene).
//
// The eye (set by app/headset_scene for each eye of each frame): eyePosition and eyeRotation, its
// pose in the session's LOCAL space (metres, Y up, -Z ahead; the origin is the user's head when
// the session started), and eyeProjection, the off-axis projection of its field of view.
//
// Layout: participant row i (the model's order; the local user's own row is not drawn) stands
// `distance` metres away at the angle (i - (peers + 1) / 2) * `spacing` to the right of straight
// ahead, its feet `floorY` metres below the user's head.
Item {
    id: room
    property var participants
    property vector3d eyePosition
    property quaternion eyeRotation
    property matrix4x4 eyeProjection
    property real distance: 2.0
    property real spacing: 0.55
    property real floorY: -1.45
    readonly property int peers: Math.max((participants ? participants.count : 0) - 1, 0)

    Rectangle {
        anchors.fill: parent
        color: "#1b2128"
    }

    Repeater {
        id: repeater
        model: room.participants
        delegate: Item {
            id: place
            required property int index
            required property bool isLocal
            required property string state
            required property url modelUrl
            required property var headRotation
            required property var headPosition
            required property var leftHandPosition
            required property var rightHandPosition
            required property var leftHandRotation
            required property var rightHandRotation
            required property var blendShapes
            // Nothing unverified is ever rendered; the user's own avatar is their own body.
            readonly property bool shown: !isLocal && state === "verified" && String(modelUrl) !== ""
            readonly property real angle: (index - (room.peers + 1) / 2) * room.spacing
            // The avatar's place: on the arc, facing the user (its +Z towards the origin).
            readonly property real c: Math.cos(angle)
            readonly property real s: Math.sin(angle)
            // The eye in the avatar's own space: the avatar's placement undone (a turn by +angle
            // about Y of the eye's offset from the avatar's feet).
            readonly property vector3d eyeHere: {
                const dx = room.eyePosition.x - room.distance * s
                const dy = room.eyePosition.y - room.floorY
                const dz = room.eyePosition.z + room.distance * c
                return Qt.vector3d(dx * c + dz * s, dy, -dx * s + dz * c)
            }
            readonly property quaternion eyeTurnHere: {
                const q = room.eyeRotation
                const rw = Math.cos(angle / 2), ry = Math.sin(angle / 2)
                return Qt.quaternion(rw * q.scalar - ry * q.y, rw * q.x + ry * q.z,
                                     rw * q.y + ry * q.scalar, rw * q.z - ry * q.x)
            }

            anchors.fill: parent
            // Hidden (never rendered, no model loaded) unless shown.
            CallAvatar {
                anchors.fill: parent
                visible: place.shown
                objectName: "headsetAvatar_" + place.index
                source: place.shown ? place.modelUrl : ""
                eyeView: true
                eyePosition: place.eyeHere
                eyeRotation: place.eyeTurnHere
                eyeProjection: room.eyeProjection
                headRotation: Qt.quaternion(place.headRotation[3], place.headRotation[0], place.headRotation[1],
                                            place.headRotation[2])
                headPosition: Qt.vector3d(place.headPosition[0], place.headPosition[1], place.headPosition[2])
                leftHandPosition: Qt.vector3d(place.leftHandPosition[0], place.leftHandPosition[1],
                                              place.leftHandPosition[2])
                rightHandPosition: Qt.vector3d(place.rightHandPosition[0], place.rightHandPosition[1],
                                               place.rightHandPosition[2])
                leftHandRotation: Qt.quaternion(place.leftHandRotation[3], place.leftHandRotation[0],
                                                place.leftHandRotation[1], place.leftHandRotation[2])
                rightHandRotation: Qt.quaternion(place.rightHandRotation[3], place.rightHandRotation[0],
                                                 place.rightHandRotation[1], place.rightHandRotation[2])
                blendShapes: place.blendShapes
            }
        }
    }
}
