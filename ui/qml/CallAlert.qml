import QtQuick
import QtQuick.Layouts

// One alert of the call, prominent and explained: what happened to whom, the reason code and
// what it means; a key change waits for the user's decision (accept the new key deliberately,
// or block the participant).
Rectangle {
    id: alert
    required property int alertId
    required property string kind
    required property int participantId
    required property string title
    required property string code
    required property string message
    required property bool needsDecision
    required property string decision
    signal acceptKey(int alertId)
    signal block(int alertId)
    signal dismiss(int alertId)

    readonly property string shape: kind === "not-verified" ? "warning" : "failed"
    // One refused-frames alert per participant and reason: the reason is part of its name.
    objectName: "callAlert_" + kind + "_" + participantId + (kind === "frames-refused" ? "_" + code : "")
    radius: Theme.radius
    color: Qt.tint(Theme.surface, Qt.rgba(Theme.stateColor(shape).r, Theme.stateColor(shape).g,
                                          Theme.stateColor(shape).b, 0.10))
    border.color: Theme.stateColor(shape)
    border.width: 2
    implicitHeight: layout.implicitHeight + 2 * Theme.padding
    Accessible.role: Accessible.AlertMessage
    Accessible.name: title + ". " + code + ": " + message

    ColumnLayout {
        id: layout
        anchors.fill: parent
        anchors.margins: Theme.padding
        spacing: Theme.spacing
        RowLayout {
            spacing: Theme.spacing
            Layout.fillWidth: true
            StateIcon { state: alert.shape; Layout.preferredWidth: 22; Layout.preferredHeight: 22 }
            Text {
                objectName: "callAlertTitle"
                text: alert.title
                color: Theme.text
                font.pixelSize: Theme.subtitleSize
                font.bold: true
                wrapMode: Text.WordWrap
                Layout.fillWidth: true
            }
            Text {
                objectName: "callAlertCode"
                text: alert.code
                color: Theme.stateColor(alert.shape)
                font.family: "monospace"
                font.pixelSize: Theme.smallSize
            }
        }
        Text {
            objectName: "callAlertMessage"
            text: alert.message
            color: Theme.text
            font.pixelSize: Theme.fontSize
            wrapMode: Text.WordWrap
            Layout.fillWidth: true
        }
        Text {
            objectName: "callAlertDecision"
            visible: alert.decision.length > 0
            text: alert.decision === "accepted" ? qsTr("Decision: the new key was accepted and pinned.")
                                                : qsTr("Decision: blocked. This participant stays hidden.")
            color: Theme.text
            font.pixelSize: Theme.fontSize
            font.bold: true
            Layout.fillWidth: true
        }
        RowLayout {
            spacing: Theme.spacing
            Layout.alignment: Qt.AlignRight
            AppButton {
                objectName: "acceptKeyButton"
                visible: alert.needsDecision
                text: qsTr("Accept the new key…")
                Accessible.description: qsTr("Only if you confirmed the new key with this person another way")
                onClicked: confirm.visible = true
            }
            AppButton {
                objectName: "blockParticipantButton"
                visible: alert.needsDecision
                highlighted: true
                text: qsTr("Block")
                onClicked: alert.block(alert.alertId)
            }
            AppButton {
                objectName: "dismissAlertButton"
                visible: !alert.needsDecision
                flat: true
                text: qsTr("Dismiss")
                onClicked: alert.dismiss(alert.alertId)
            }
        }
        // Accepting a new key is deliberate: a second, explicit step.
        RowLayout {
            id: confirm
            visible: false
            spacing: Theme.spacing
            Layout.fillWidth: true
            Text {
                text: qsTr("Accept the new key only if this person confirmed it to you another way (in person, by phone).")
                color: Theme.text
                font.pixelSize: Theme.fontSize
                wrapMode: Text.WordWrap
                Layout.fillWidth: true
            }
            AppButton {
                objectName: "confirmAcceptKeyButton"
                text: qsTr("I confirmed it: accept")
                onClicked: { confirm.visible = false; alert.acceptKey(alert.alertId) }
            }
            AppButton {
                flat: true
                text: qsTr("Cancel")
                onClicked: confirm.visible = false
            }
        }
    }
}
