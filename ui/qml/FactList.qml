pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// Labelled facts ("Avatar-ID: urn:…"), each with an optional state drawn as a shape and words.
// Model roles: label, value, state ("" | "passed" | "failed" | "warning" | "skipped"), detail.
ListView {
    id: list
    implicitHeight: contentHeight
    interactive: false
    spacing: 4
    activeFocusOnTab: true
    keyNavigationEnabled: true
    // No highlight item: the current row is shown by its own delegate. Not animating one also
    // keeps Qt 6.4's animation clock from running for nothing when rows change size.
    highlightFollowsCurrentItem: false
    Accessible.role: Accessible.List

    delegate: ItemDelegate {
        id: row
        required property int index
        required property string label
        required property string value
        required property string state
        required property string detail
        objectName: list.objectName + "_row_" + index
        width: ListView.view.width
        Accessible.name: label + ": " + value + (state ? ", " + Theme.stateName(state) : "")
                         + (detail ? ". " + detail : "")
        contentItem: RowLayout {
            spacing: Theme.spacing
            StateIcon {
                visible: row.state.length > 0
                state: row.state.length > 0 ? row.state : "skipped"
                Layout.preferredWidth: 16
                Layout.preferredHeight: 16
                Layout.alignment: Qt.AlignTop
            }
            ColumnLayout {
                spacing: 0
                Layout.fillWidth: true
                Text {
                    text: row.label
                    color: Theme.mutedText
                    font.pixelSize: Theme.smallSize
                    Layout.fillWidth: true
                    elide: Text.ElideRight
                }
                Text {
                    text: row.value
                    color: Theme.text
                    font.pixelSize: Theme.fontSize
                    wrapMode: Text.WrapAnywhere
                    Layout.fillWidth: true
                }
                Text {
                    visible: row.detail.length > 0 && row.state.length > 0
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
