pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Layouts

// One participant of the call: the avatar (only for the local user and a Verified peer:
// nothing unverified is ever rendered), the verification badge in shape and words, the reason
// of a report that is not Verified, how many of its frames were refused (altered, replayed, too
// old...) with the latest reason, and the full report one click away.
Rectangle {
    id: tile
    required property int participantId
    required property bool isLocal
    required property string title
    required property string subject
    required property string state
    required property string reasonCode
    required property string reasonText
    required property url modelUrl
    required property var headRotation
    required property var headPosition
    required property var leftHandPosition
    required property var rightHandPosition
    required property var leftHandRotation
    required property var rightHandRotation
    required property var blendShapes
    required property int frames
    required property int refusedFrames
    required property string refusedCode
    required property string refusedText
    readonly property bool shown: isLocal || state === "verified"
    signal reportRequested(int participantId)
    // The local user's head movement from the mouse or the keyboard (radians).
    signal headInput(real yaw, real pitch)

    objectName: "participantTile_" + participantId
    radius: Theme.cardRadius
    color: Theme.surface
    border.color: isLocal ? Theme.border : Theme.stateColor(state === "pending" ? "skipped" : state)
    border.width: isLocal ? 1 : 2
    implicitWidth: 320
    implicitHeight: 360
    Accessible.role: Accessible.Grouping
    Accessible.name: (isLocal ? qsTr("You") : title) + ": " + (isLocal ? qsTr("your own avatar") : badge.headline)

    function vec(v) { return Qt.vector3d(v[0], v[1], v[2]) }
    // [x, y, z, w] from the model to a quaternion (scalar first).
    function quat(q) { return Qt.quaternion(q[3], q[0], q[1], q[2]) }

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: Theme.padding
        spacing: Theme.spacing

        Rectangle {
            Layout.fillWidth: true
            Layout.fillHeight: true
            radius: Theme.radius
            color: Theme.dark ? "#0f1216" : "#e9edf2"
            CallAvatar {
                objectName: "tileAvatar"
                visible: tile.shown
                anchors.fill: parent
                anchors.margins: Theme.spacing
                source: tile.shown ? tile.modelUrl : ""
                local: tile.isLocal
                headRotation: tile.quat(tile.headRotation)
                headPosition: tile.vec(tile.headPosition)
                leftHandPosition: tile.vec(tile.leftHandPosition)
                rightHandPosition: tile.vec(tile.rightHandPosition)
                leftHandRotation: tile.quat(tile.leftHandRotation)
                rightHandRotation: tile.quat(tile.rightHandRotation)
                blendShapes: tile.blendShapes
            }
            Text {
                objectName: "tileHidden"
                visible: !tile.shown
                anchors.centerIn: parent
                width: parent.width - 2 * Theme.padding
                horizontalAlignment: Text.AlignHCenter
                wrapMode: Text.WordWrap
                text: tile.state === "pending" ? qsTr("Checking this participant…")
                                               : qsTr("Not shown: this participant is not verified.")
                color: Theme.mutedText
                font.pixelSize: Theme.fontSize
            }
            // Head movement of the local avatar: drag with the mouse, or the arrow keys.
            MouseArea {
                enabled: tile.isLocal
                anchors.fill: parent
                property real startX
                property real startY
                onPressed: (mouse) => { startX = mouse.x; startY = mouse.y; parent.forceActiveFocus() }
                onPositionChanged: (mouse) => tile.headInput((mouse.x - startX) / width * 2, (mouse.y - startY) / height)
                onReleased: tile.headInput(0, 0)
            }
            activeFocusOnTab: tile.isLocal
            Keys.onLeftPressed: tile.headInput(-0.5, 0)
            Keys.onRightPressed: tile.headInput(0.5, 0)
            Keys.onUpPressed: tile.headInput(0, -0.3)
            Keys.onDownPressed: tile.headInput(0, 0.3)
            Keys.onReleased: tile.headInput(0, 0)
        }

        Text {
            objectName: "tileTitle"
            text: tile.isLocal ? qsTr("You") : tile.title
            color: Theme.text
            font.pixelSize: Theme.subtitleSize
            font.bold: true
            elide: Text.ElideRight
            Layout.fillWidth: true
        }
        VerificationBadge {
            id: badge
            objectName: "tileBadge_" + tile.participantId
            visible: !tile.isLocal
            state: tile.state === "pending" ? "incomplete" : tile.state
            subject: ""
            reason: tile.state === "pending" ? qsTr("Checking…")
                    : tile.state === "verified" ? tile.subject
                    : tile.reasonCode + ": " + tile.reasonText
            Layout.fillWidth: true
        }
        // Frames from this participant that were not shown (altered, replayed, too old...): how
        // many, and the reason of the latest.
        Text {
            objectName: "tileRefusedFrames"
            visible: !tile.isLocal && tile.refusedFrames > 0
            text: qsTr("%n frame(s) not shown", "", tile.refusedFrames) + " — " + tile.refusedCode
            color: Theme.stateColor("failed")
            font.pixelSize: Theme.smallSize
            wrapMode: Text.WordWrap
            Layout.fillWidth: true
            Accessible.name: text + ": " + tile.refusedText
        }
        Text {
            objectName: "tileLocalHint"
            visible: tile.isLocal
            text: qsTr("Drag or use the arrow keys to move your head.")
            color: Theme.mutedText
            font.pixelSize: Theme.smallSize
            wrapMode: Text.WordWrap
            Layout.fillWidth: true
        }
        AppButton {
            objectName: "tileReportButton_" + tile.participantId
            visible: !tile.isLocal && tile.state !== "pending"
            flat: true
            text: qsTr("Full report")
            Accessible.name: qsTr("Full verification report of %1").arg(tile.title)
            onClicked: tile.reportRequested(tile.participantId)
        }
    }
}
