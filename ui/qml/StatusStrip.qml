import QtQuick
import QtQuick.Layouts
import TwinSeal.ViewModels

// What every page shows above its content: a failure with its reason code, the latest notice,
// and progress of slow work — of the page's own view-model (`operation`) and, on pages that also
// offer the twin's own actions (unlocking), of the twin's (`twinOperation`, optional).
ColumnLayout {
    id: strip
    required property OperationState operation
    property OperationState twinOperation: null
    // The state whose failure is shown: the page's first.
    readonly property OperationState failing: strip.operation.errorCode.length > 0 || !strip.twinOperation
                                              ? strip.operation : strip.twinOperation
    readonly property string shownNotice: strip.operation.notice.length > 0 || !strip.twinOperation
                                     ? strip.operation.notice : strip.twinOperation.notice
    spacing: Theme.spacing

    ErrorBanner {
        code: strip.failing.errorCode
        message: strip.failing.errorMessage
        onDismissed: strip.failing.dismissError()
        Layout.fillWidth: true
    }
    // The latest notice, on a soft tint of the accent (its words carry it; the tint only groups).
    Rectangle {
        visible: strip.shownNotice.length > 0
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
            text: strip.shownNotice
            color: Theme.text
            font.pixelSize: Theme.fontSize
            wrapMode: Text.WordWrap
        }
    }
    BusyPanel {
        operation: strip.operation.busy || !strip.twinOperation ? strip.operation : strip.twinOperation
        Layout.fillWidth: true
    }
}
