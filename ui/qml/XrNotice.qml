import QtQuick
import TwinSeal.ViewModels

// Why the headset is not used (--xr): a warning triangle, the words and the reason code, under
// the window's header until dismissed. Nothing is shown without a notice: desktop mode by choice,
// or an OpenXR session that runs.
//
// Anchors and explicit widths, as ErrorBanner: the wrapped words' height follows the width and
// nothing feeds back into it.
Rectangle {
    id: notice
    objectName: "xrNotice"
    property XrStatusController status: null
    visible: status !== null && status.noticeShown
    color: Qt.tint(Theme.surface, Qt.rgba(Theme.untrusted.r, Theme.untrusted.g, Theme.untrusted.b, 0.10))
    implicitHeight: visible ? Math.max(icon.height + 2 * Theme.padding, words.implicitHeight + 2 * Theme.spacing + 4,
                                       dismiss.implicitHeight + 2 * Theme.spacing) : 0
    Accessible.role: Accessible.AlertMessage
    Accessible.name: visible ? qsTr("Headset: %1").arg(status.noticeText) : ""

    Rectangle { anchors.bottom: parent.bottom; width: parent.width; height: 1; color: Theme.border }
    StateIcon {
        id: icon
        state: "warning"
        color: Theme.untrusted
        width: 22
        height: 22
        x: Theme.padding + 4
        anchors.verticalCenter: parent.verticalCenter
    }
    Column {
        id: words
        x: icon.x + icon.width + Theme.padding
        anchors.verticalCenter: parent.verticalCenter
        width: Math.max(0, dismiss.x - Theme.padding - x)
        spacing: 2
        Text {
            objectName: "xrNoticeText"
            width: parent.width
            text: notice.status !== null ? notice.status.noticeText : ""
            color: Theme.text
            font.pixelSize: Theme.fontSize
            font.weight: Font.Medium
            wrapMode: Text.WordWrap
        }
        Text {
            objectName: "xrNoticeCode"
            width: parent.width
            text: notice.status !== null ? qsTr("Reason code: %1").arg(notice.status.noticeCode) : ""
            color: Theme.mutedText
            font.pixelSize: Theme.smallSize
            elide: Text.ElideRight
        }
    }
    AppButton {
        id: dismiss
        objectName: "dismissXrNoticeButton"
        x: notice.width - width - Theme.padding
        anchors.verticalCenter: parent.verticalCenter
        flat: true
        icon.source: Theme.icon("close")
        text: qsTr("Dismiss")
        Accessible.name: qsTr("Dismiss the headset notice")
        onClicked: if (notice.status !== null) notice.status.dismissNotice()
    }
}
