import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// A failure in words: what happened (the reason code, for support) and what to do.
Rectangle {
    id: banner
    objectName: "errorBanner"
    property string code: ""
    property string message: ""
    signal dismissed()
    visible: code.length > 0
    color: Theme.surface
    border.color: Theme.failed
    border.width: 2
    radius: Theme.radius
    implicitHeight: visible ? layout.implicitHeight + 2 * Theme.padding : 0
    Accessible.role: Accessible.AlertMessage
    Accessible.name: qsTr("Problem: %1").arg(message)

    RowLayout {
        id: layout
        anchors.fill: parent
        anchors.margins: Theme.padding
        spacing: Theme.padding
        StateIcon {
            state: "failed"
            Layout.preferredWidth: 22
            Layout.preferredHeight: 22
            Layout.alignment: Qt.AlignTop
        }
        ColumnLayout {
            Layout.fillWidth: true
            // A fixed preferred width: the wrapped message's implicit width must not feed back
            // into the row's layout (a polish loop with long messages).
            Layout.preferredWidth: 100
            spacing: 2
            Text {
                objectName: "errorMessage"
                text: banner.message
                color: Theme.text
                font.pixelSize: Theme.fontSize
                wrapMode: Text.WordWrap
                Layout.fillWidth: true
            }
            Text {
                objectName: "errorCode"
                text: qsTr("Reason code: %1").arg(banner.code)
                color: Theme.mutedText
                font.pixelSize: Theme.fontSize - 2
                Layout.fillWidth: true
            }
        }
        Button {
            objectName: "dismissErrorButton"
            text: qsTr("Dismiss")
            Accessible.name: qsTr("Dismiss the problem message")
            onClicked: banner.dismissed()
        }
    }
}
