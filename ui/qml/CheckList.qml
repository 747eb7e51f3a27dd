pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// Every check of a verification report: shape icon, title, and the detail in words.
// The model has roles `title`, `state` ("passed" | "failed" | "warning" | "skipped"), `detail`.
ListView {
    id: list
    objectName: "checkList"
    implicitHeight: contentHeight
    interactive: false
    spacing: 2
    activeFocusOnTab: true
    keyNavigationEnabled: true
    // No highlight item: the current row is shown by its own delegate. Not animating one also
    // keeps Qt 6.4's animation clock from running for nothing when rows change size.
    highlightFollowsCurrentItem: false
    Accessible.role: Accessible.List
    Accessible.name: qsTr("Verification checks")

    delegate: ItemDelegate {
        id: row
        required property int index
        required property string title
        required property string state
        required property string detail
        objectName: "checkRow_" + index
        width: ListView.view.width
        Accessible.name: title + ": " + Theme.stateName(state) + (detail ? ". " + detail : "")
        contentItem: RowLayout {
            spacing: Theme.spacing
            StateIcon {
                state: row.state
                Layout.preferredWidth: 16
                Layout.preferredHeight: 16
                Layout.alignment: Qt.AlignTop
            }
            ColumnLayout {
                spacing: 0
                Layout.fillWidth: true
                Text {
                    text: row.title
                    color: Theme.text
                    font.pixelSize: Theme.fontSize
                    Layout.fillWidth: true
                    elide: Text.ElideRight
                }
                Text {
                    visible: row.detail.length > 0
                    text: row.detail
                    color: Theme.mutedText
                    font.pixelSize: Theme.smallSize
                    wrapMode: Text.WordWrap
                    Layout.fillWidth: true
                }
            }
        }
    }
}
