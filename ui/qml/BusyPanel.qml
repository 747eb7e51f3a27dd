import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import TwinSeal.ViewModels

// Progress of slow work (hashing, key protection, network), in words and as a bar.
ColumnLayout {
    id: panel
    required property OperationState operation
    visible: operation.busy
    spacing: 4
    Accessible.role: Accessible.ProgressBar
    Accessible.name: operation.progressText
    Text {
        objectName: "progressText"
        text: panel.operation.progressText
        color: Theme.text
        font.pixelSize: Theme.fontSize
        Layout.fillWidth: true
        wrapMode: Text.WordWrap
    }
    ProgressBar {
        objectName: "progressBar"
        from: 0
        to: 1
        value: Math.max(0, panel.operation.progress)
        indeterminate: panel.operation.progress < 0
        Layout.fillWidth: true
    }
}
