pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Controls.impl
import QtQuick.Layouts

// The column of pages at the window's left: an icon and a label each, the current page marked
// by a filled pill and bold words (not colour alone). Tab / arrow keys / Ctrl+N move between them.
Rectangle {
    id: rail
    objectName: "navigationRail"
    // [{ key, label, hint, icon }]
    property var pages: []
    property string currentPage
    signal pageChosen(string key)
    color: Theme.surface
    implicitWidth: Theme.railWidth

    Rectangle { // the rail's edge
        anchors.right: parent.right
        width: 1
        height: parent.height
        color: Theme.border
    }

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: Theme.spacing + 4
        spacing: 4
        Repeater {
            model: rail.pages
            ItemDelegate {
                id: entry
                required property var modelData
                required property int index
                readonly property bool current: rail.currentPage === modelData.key
                objectName: "nav_" + modelData.key
                text: modelData.label
                highlighted: current
                focusPolicy: Qt.StrongFocus
                Layout.fillWidth: true
                implicitHeight: Theme.controlHeight + 4
                leftPadding: Theme.padding
                rightPadding: Theme.padding
                topPadding: 0
                bottomPadding: 0
                spacing: Theme.padding - 4
                icon.source: Theme.icon(modelData.icon)
                icon.width: Theme.iconSize
                icon.height: Theme.iconSize
                icon.color: current ? Theme.accentContainerText : Theme.mutedText
                font.pixelSize: Theme.fontSize
                font.weight: current ? Font.Bold : Font.Medium
                Accessible.name: modelData.label
                Accessible.description: modelData.hint
                ToolTip.visible: hovered
                ToolTip.delay: 600
                ToolTip.text: modelData.hint + " (Ctrl+" + (index + 1) + ")"
                contentItem: IconLabel {
                    spacing: entry.spacing
                    display: entry.display
                    alignment: Qt.AlignLeft | Qt.AlignVCenter
                    icon: entry.icon
                    text: entry.text
                    font: entry.font
                    color: entry.current ? Theme.accentContainerText : Theme.text
                }
                background: Rectangle {
                    radius: height / 2
                    color: entry.current ? Theme.accentContainer
                                         : entry.hovered ? Theme.surfaceVariant : "transparent"
                    border.color: entry.visualFocus ? Theme.accent : "transparent"
                    border.width: 2
                }
                onClicked: rail.pageChosen(modelData.key)
                Keys.onDownPressed: nextItemInFocusChain(true).forceActiveFocus()
                Keys.onUpPressed: nextItemInFocusChain(false).forceActiveFocus()
            }
        }
        Item { Layout.fillHeight: true }
    }
}
