import QtQuick
import QtQuick.Layouts

// What every page shows above its content: a failure with its reason code, the latest notice,
// and progress of slow work.
ColumnLayout {
    id: strip
    required property var controller
    spacing: Theme.spacing

    ErrorBanner {
        code: strip.controller.errorCode
        message: strip.controller.errorMessage
        onDismissed: strip.controller.dismissError()
        Layout.fillWidth: true
    }
    Text {
        objectName: "noticeText"
        visible: strip.controller.notice.length > 0
        text: strip.controller.notice
        color: Theme.text
        font.pixelSize: Theme.fontSize
        wrapMode: Text.WordWrap
        Layout.fillWidth: true
    }
    BusyPanel {
        controller: strip.controller
        Layout.fillWidth: true
    }
}
