pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Layouts
import TwinSeal.ViewModels

// The headset's participant panel (rendered to a texture by app/headset_layers and shown as a
// world-locked quad): the desktop's participants with their VerificationBadge, the selected
// participant's full verification report (CheckList), and Leave. Input reaches it through
// HeadsetLayers' methods (toggle, show a participant's report, leave), not through this item.
Rectangle {
    id: panel
    objectName: "headsetPanel"
    required property CallsController calls
    color: Theme.background
    border.color: Theme.border
    border.width: 2

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: Theme.padding
        spacing: Theme.spacing

        PageHeading {
            title: panel.calls.inRoom ? panel.calls.roomTitle : qsTr("Not in a call")
            subtitle: qsTr("%1 participant(s) · %2").arg(panel.calls.participants.count).arg(panel.calls.callStateText)
            Layout.fillWidth: true
        }
        Repeater {
            objectName: "headsetParticipants"
            model: panel.calls.participants
            delegate: Item {
                id: row
                required property int participantId
                required property bool isLocal
                required property string title
                required property string state
                required property string reasonText
                objectName: "headsetParticipant_" + row.participantId
                implicitHeight: badge.implicitHeight
                Layout.fillWidth: true
                VerificationBadge {
                    id: badge
                    anchors.left: parent.left
                    anchors.right: parent.right
                    state: row.state === "pending" ? "incomplete" : row.state
                    subject: row.isLocal ? qsTr("You") : row.title
                    reason: row.reasonText
                }
            }
        }
        Text {
            objectName: "headsetReportHeading"
            visible: panel.calls.reportParticipant >= 0
            text: qsTr("Report — %1: %2").arg(panel.calls.reportSubject).arg(panel.calls.reportSummary)
            color: Theme.text
            font.pixelSize: Theme.fontSize
            font.bold: true
            elide: Text.ElideRight
            Layout.fillWidth: true
        }
        CheckList {
            objectName: "headsetReport"
            visible: panel.calls.reportParticipant >= 0
            model: panel.calls.report
            Layout.fillWidth: true
        }
        Item { Layout.fillHeight: true }
        AppButton {
            objectName: "headsetLeaveButton"
            visible: panel.calls.inRoom
            text: qsTr("Leave the call")
            onClicked: panel.calls.leave()
        }
    }
}
