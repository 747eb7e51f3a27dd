import QtQuick

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
    // A tint of the failure colour on the card surface, a frame, the cross shape and the words.
    color: Qt.tint(Theme.surface, Qt.rgba(Theme.failed.r, Theme.failed.g, Theme.failed.b, 0.08))
    border.color: Theme.failed
    border.width: 1
    radius: Theme.cardRadius
    implicitWidth: 480
    implicitHeight: visible ? Math.max(icon.height + 2 * Theme.padding, words.implicitHeight + 2 * Theme.padding,
                                       dismiss.implicitHeight + 2 * Theme.spacing) : 0
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
            font.weight: Font.Medium
            wrapMode: Text.WordWrap
        }
        Text {
            objectName: "errorCode"
            width: parent.width
            text: qsTr("Reason code: %1").arg(banner.code)
            color: Theme.mutedText
            font.pixelSize: Theme.smallSize
            elide: Text.ElideRight
        }
    }
    AppButton {
        id: dismiss
        objectName: "dismissErrorButton"
        x: banner.width - width - Theme.padding
        y: Theme.spacing
        flat: true
        icon.source: Theme.icon("close")
        text: qsTr("Dismiss")
        Accessible.name: qsTr("Dismiss the problem message")
        onClicked: banner.dismissed()
    }
}
