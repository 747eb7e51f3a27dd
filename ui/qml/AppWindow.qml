import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// The twinseal desktop client's window: onboarding until the twin is registered, then My Twin.
ApplicationWindow {
    id: window
    objectName: "appWindow"
    required property var controller
    property bool startDark: false
    Component.onCompleted: Theme.dark = startDark
    width: 1280
    height: 800
    minimumWidth: 960
    minimumHeight: 640
    visible: true
    title: qsTr("TwinSeal")
    color: Theme.background
    palette.window: Theme.background
    palette.windowText: Theme.text
    palette.base: Theme.surface
    palette.text: Theme.text
    palette.button: Theme.surface
    palette.buttonText: Theme.text
    palette.highlight: Theme.accent
    palette.highlightedText: "#ffffff"
    palette.placeholderText: Theme.mutedText

    header: ToolBar {
        objectName: "toolBar"
        background: Rectangle { color: Theme.surface; border.color: Theme.border }
        RowLayout {
            anchors.fill: parent
            anchors.leftMargin: Theme.padding
            anchors.rightMargin: Theme.padding
            spacing: Theme.padding
            Text {
                text: "TwinSeal"
                font.pixelSize: Theme.titleSize
                font.bold: true
                color: Theme.text
            }
            Text {
                text: window.controller.operatorName.length > 0
                      ? qsTr("home network: %1").arg(window.controller.operatorName) : ""
                color: Theme.mutedText
                font.pixelSize: Theme.fontSize
                Layout.fillWidth: true
            }
            Text {
                objectName: "sessionState"
                text: window.controller.authenticated ? qsTr("● authenticated") : qsTr("○ not authenticated")
                color: Theme.mutedText
                font.pixelSize: Theme.fontSize - 2
            }
            Switch {
                objectName: "themeSwitch"
                text: qsTr("Dark")
                checked: Theme.dark
                onToggled: Theme.dark = checked
                Accessible.name: qsTr("Dark theme")
            }
        }
    }

    Loader {
        anchors.fill: parent
        sourceComponent: window.controller.stage === "ready" ? myTwin : onboarding
    }
    Component {
        id: onboarding
        OnboardingPage { controller: window.controller }
    }
    Component {
        id: myTwin
        MyTwinPage { controller: window.controller }
    }
}
