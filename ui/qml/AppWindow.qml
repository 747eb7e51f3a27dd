import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// The twinseal desktop client's window: onboarding until the holder key exists, then the pages
// (My Twin — onboarding until the twin is registered —, Ownership, Privacy, Activity log,
// Settings) in a navigation rail. Ctrl+1 … Ctrl+5 switch pages.
ApplicationWindow {
    id: window
    objectName: "appWindow"
    required property var controller
    property bool startDark: false
    // "myTwin", "ownership", "privacy", "audit", "settings"
    property string currentPage: "myTwin"
    readonly property bool navigable: controller.stage === "avatar" || controller.stage === "ready"
    readonly property var pages: [
        { key: "myTwin", label: qsTr("My Twin"), hint: qsTr("Your certified avatar and credential") },
        { key: "ownership", label: qsTr("Ownership"), hint: qsTr("Offer, accept and follow transfers of your twin") },
        { key: "privacy", label: qsTr("Privacy"), hint: qsTr("What peers see of you, pseudonyms, lawful disclosures") },
        { key: "audit", label: qsTr("Activity log"), hint: qsTr("Tamper-evident record of everything done with your twin") },
        { key: "settings", label: qsTr("Settings"), hint: qsTr("Home network, trust list, data directory, theme") }
    ]
    Component.onCompleted: Theme.dark = startDark || controller.settings.theme === "dark"
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
                onToggled: {
                    Theme.dark = checked
                    window.controller.settings.theme = checked ? "dark" : "light"
                }
                Accessible.name: qsTr("Dark theme")
            }
        }
    }

    Repeater {
        model: window.pages
        Item {
            required property var modelData
            required property int index
            Shortcut {
                sequence: "Ctrl+" + (index + 1)
                enabled: window.navigable
                onActivated: window.currentPage = modelData.key
            }
        }
    }

    RowLayout {
        anchors.fill: parent
        spacing: 0

        // Navigation rail: a column of page buttons (Tab / arrow keys / Ctrl+N).
        Rectangle {
            objectName: "navigationRail"
            visible: window.navigable
            color: Theme.surface
            border.color: Theme.border
            Layout.fillHeight: true
            Layout.preferredWidth: 200
            ColumnLayout {
                anchors.fill: parent
                anchors.margins: Theme.spacing
                spacing: 4
                Repeater {
                    model: window.pages
                    ItemDelegate {
                        required property var modelData
                        required property int index
                        objectName: "nav_" + modelData.key
                        text: modelData.label
                        highlighted: window.currentPage === modelData.key
                        focusPolicy: Qt.StrongFocus
                        Layout.fillWidth: true
                        Accessible.name: modelData.label
                        Accessible.description: modelData.hint
                        ToolTip.visible: hovered
                        ToolTip.delay: 600
                        ToolTip.text: modelData.hint + " (Ctrl+" + (index + 1) + ")"
                        contentItem: Text {
                            text: parent.text
                            color: parent.highlighted ? Theme.accent : Theme.text
                            font.pixelSize: Theme.fontSize
                            font.bold: parent.highlighted
                            verticalAlignment: Text.AlignVCenter
                        }
                        background: Rectangle {
                            radius: Theme.radius
                            color: parent.highlighted ? Qt.rgba(Theme.accent.r, Theme.accent.g, Theme.accent.b, 0.12) : "transparent"
                            border.color: parent.visualFocus ? Theme.accent : "transparent"
                            border.width: 2
                        }
                        onClicked: window.currentPage = modelData.key
                        Keys.onDownPressed: nextItemInFocusChain(true).forceActiveFocus()
                        Keys.onUpPressed: nextItemInFocusChain(false).forceActiveFocus()
                    }
                }
                Item { Layout.fillHeight: true }
            }
        }

        Loader {
            objectName: "pageLoader"
            Layout.fillWidth: true
            Layout.fillHeight: true
            sourceComponent: {
                if (!window.navigable)
                    return onboarding
                switch (window.currentPage) {
                case "ownership": return ownership
                case "privacy": return privacy
                case "audit": return audit
                case "settings": return settings
                default: return window.controller.stage === "ready" ? myTwin : onboarding
                }
            }
        }
    }
    Component {
        id: onboarding
        OnboardingPage { controller: window.controller }
    }
    Component {
        id: myTwin
        MyTwinPage { controller: window.controller }
    }
    Component {
        id: ownership
        OwnershipPage { controller: window.controller }
    }
    Component {
        id: privacy
        PrivacyPage { controller: window.controller }
    }
    Component {
        id: audit
        AuditPage { controller: window.controller }
    }
    Component {
        id: settings
        SettingsPage { controller: window.controller }
    }
}
