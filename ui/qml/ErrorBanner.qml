import QtQuick
import QtQuick.Controls

// A failure in words: what happened (the reason code, for support) and what to do.
//
// Laid out with anchors and explicit widths, not a RowLayout: the wrapped message's height
// follows the banner's width and nothing feeds back into that width, so a long message can
// never start a layout polish loop in the page around it.
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
    implicitWidth: 480
    implicitHeight: visible ? Math.max(icon.height, words.implicitHeight, dismiss.implicitHeight) + 2 * Theme.padding : 0
    Accessible.role: Accessible.AlertMessage
    Accessible.name: qsTr("Problem: %1").arg(message)

    StateIcon {
        id: icon
        state: "failed"
        width: 22
        height: 22
        x: Theme.padding
        y: Theme.padding
    }
    Column {
        id: words
        x: icon.x + icon.width + Theme.padding
        y: Theme.padding
        width: Math.max(0, dismiss.x - Theme.padding - x)
        spacing: 2
        Text {
            objectName: "errorMessage"
            width: parent.width
            text: banner.message
            color: Theme.text
            font.pixelSize: Theme.fontSize
            wrapMode: Text.WordWrap
        }
        Text {
            objectName: "errorCode"
            width: parent.width
            text: qsTr("Reason code: %1").arg(banner.code)
            color: Theme.mutedText
            font.pixelSize: Theme.fontSize - 2
            elide: Text.ElideRight
        }
    }
    Button {
        id: dismiss
        objectName: "dismissErrorButton"
        x: banner.width - width - Theme.padding
        y: Theme.padding
        text: qsTr("Dismiss")
        Accessible.name: qsTr("Dismiss the problem message")
        onClicked: banner.dismissed()
    }
}
