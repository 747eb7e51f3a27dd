pragma ComponentBehavior: Bound
import QtQuick

// A participant's avatar in a call, posed by the animation frames. Placeholder of the 3D view:
// a capsule figure whose head follows headRotation / headPosition and whose hands follow the
// hand positions (metres relative to the avatar's root). `source` is a verified model, or empty
// (the capsule fallback).
Item {
    id: avatar
    property url source
    property quaternion headRotation
    property vector3d headPosition
    property vector3d leftHandPosition
    property vector3d rightHandPosition
    property var blendShapes
    property bool local: false

    // Yaw and pitch of the head (radians) from the quaternion, for the 2D figure.
    readonly property real yaw: Math.atan2(2 * (headRotation.scalar * headRotation.y + headRotation.x * headRotation.z),
                                           1 - 2 * (headRotation.x * headRotation.x + headRotation.y * headRotation.y))
    readonly property real pitch: Math.asin(Math.max(-1, Math.min(1, 2 * (headRotation.scalar * headRotation.x - headRotation.y * headRotation.z))))
    readonly property real unit: Math.min(width, height) / 2.2 // pixels per metre
    // Before the first frame (all zero): standing at rest.
    readonly property bool posed: headPosition.y > 0.5
    readonly property vector3d leftHand: posed ? leftHandPosition : Qt.vector3d(-0.25, 1.0, 0.1)
    readonly property vector3d rightHand: posed ? rightHandPosition : Qt.vector3d(0.25, 1.0, 0.1)
    implicitWidth: 160
    implicitHeight: 200
    Accessible.role: Accessible.Graphic
    Accessible.name: local ? qsTr("Your avatar") : qsTr("Participant's avatar")

    Item {
        id: figure
        width: avatar.unit * 0.8
        height: avatar.unit * 2.0
        anchors.horizontalCenter: parent.horizontalCenter
        anchors.bottom: parent.bottom
        Rectangle { // body
            width: parent.width * 0.62
            height: parent.height * 0.5
            radius: width / 2
            anchors.horizontalCenter: parent.horizontalCenter
            anchors.bottom: parent.bottom
            color: Theme.accentContainer
            border.color: Theme.accent
        }
        Rectangle { // head
            width: parent.width * 0.42
            height: width * 1.15
            radius: width / 2
            x: (parent.width - width) / 2 + avatar.yaw * width * 0.5
            y: parent.height * 0.5 - height - 4 - (avatar.posed ? avatar.headPosition.y - 1.6 : 0) * avatar.unit - avatar.pitch * height * 0.3
            rotation: avatar.yaw * 20
            color: Theme.accentContainer
            border.color: Theme.accent
        }
        Repeater {
            model: [avatar.leftHand, avatar.rightHand]
            Rectangle {
                required property var modelData
                width: figure.width * 0.16
                height: width
                radius: width / 2
                x: figure.width / 2 + modelData.x * avatar.unit - width / 2
                y: figure.height - modelData.y * avatar.unit * 0.9 - height / 2
                color: Theme.accent
            }
        }
    }
}
