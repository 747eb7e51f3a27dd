import QtQuick
import QtQuick.Layouts
import TwinSeal.ViewModels

// What every page shows above its content: a failure with its reason code, the latest notice,
// and progress of slow work.
ColumnLayout {
    id: strip
    required property TwinController controller
    spacing: Theme.spacing

    ErrorBanner {
        code: strip.controller.errorCode
        message: strip.controller.errorMessage
        onDismissed: strip.controller.dismissError()
        Layout.fillWidth: true
    }
    // The latest notice, on a soft tint of the accent (its words carry it; the tint only groups).
    Rectangle {
        visible: strip.controller.notice.length > 0
        color: Qt.tint(Theme.surface, Qt.rgba(Theme.accent.r, Theme.accent.g, Theme.accent.b, 0.08))
        radius: Theme.radius
        implicitHeight: notice.implicitHeight + 2 * (Theme.spacing + 2)
        Layout.fillWidth: true
        Text {
            id: notice
            objectName: "noticeText"
            x: Theme.padding
            y: Theme.spacing + 2
            width: parent.width - 2 * Theme.padding
            text: strip.controller.notice
            color: Theme.text
            font.pixelSize: Theme.fontSize
            wrapMode: Text.WordWrap
        }
    }
    BusyPanel {
        controller: strip.controller
        Layout.fillWidth: true
    }
}
