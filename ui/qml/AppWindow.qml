import QtQuick
import QtQuick.Controls
import QtQuick.Controls.impl
import QtQuick.Controls.Material
import QtQuick.Layouts
import TwinSeal.ViewModels

// The twinseal desktop client's window: onboarding until the holder key exists, then the pages
// (My Twin — onboarding until the twin is registered —, Ownership, Calls, Privacy, Activity log,
// Settings) in a navigation rail. Ctrl+1 … Ctrl+6 switch pages.
ApplicationWindow {
    id: window
    objectName: "appWindow"
    required property TwinController controller
    // The headset's status (--xr); null in a window without XR (its notice is then never shown).
    property XrStatusController xrStatus: null
    property bool startDark: false
    // "myTwin", "ownership", "calls", "privacy", "audit", "settings"
    property string currentPage: "myTwin"
    readonly property bool navigable: controller.stage === TwinController.Avatar || controller.stage === TwinController.Ready
    readonly property var pages: [
        { key: "myTwin", label: qsTr("My Twin"), icon: "twin", hint: qsTr("Your certified avatar and credential") },
        { key: "ownership", label: qsTr("Ownership"), icon: "ownership", hint: qsTr("Offer, accept and follow transfers of your twin") },
        { key: "calls", label: qsTr("Calls"), icon: "call", hint: qsTr("Rooms with verified participants") },
        { key: "privacy", label: qsTr("Privacy"), icon: "privacy", hint: qsTr("What peers see of you, pseudonyms, lawful disclosures") },
        { key: "audit", label: qsTr("Activity log"), icon: "activity", hint: qsTr("Tamper-evident record of everything done with your twin") },
        { key: "settings", label: qsTr("Settings"), icon: "settings", hint: qsTr("Home network, trust list, data directory, theme") }
    ]
    Component.onCompleted: Theme.dark = startDark || controller.settings.theme === "dark"
    width: 1280
    height: 800
    minimumWidth: 960
    minimumHeight: 640
    visible: true
    title: qsTr("TwinSeal")
    color: Theme.background
    // Material, light or dark with the app's theme; its controls take the app's colours.
    Material.theme: Theme.dark ? Material.Dark : Material.Light
    Material.accent: Theme.accent
    Material.primary: Theme.accent
    Material.background: Theme.background
    Material.foreground: Theme.text
    font.pixelSize: Theme.fontSize

    header: ToolBar {
        objectName: "toolBar"
        implicitHeight: Theme.headerHeight
        background: Rectangle {
            color: Theme.surface
            Rectangle { anchors.bottom: parent.bottom; width: parent.width; height: 1; color: Theme.border }
        }
        RowLayout {
            anchors.fill: parent
            anchors.leftMargin: Theme.padding + 4
            anchors.rightMargin: Theme.padding
            spacing: Theme.padding
            IconImage {
                source: Theme.icon("seal")
                color: Theme.accent
                sourceSize.width: 28
                sourceSize.height: 28
                Layout.preferredWidth: 28
                Layout.preferredHeight: 28
                Accessible.ignored: true
            }
            Text {
                text: "TwinSeal"
                font.pixelSize: Theme.titleSize
                font.weight: Font.Bold
                color: Theme.text
            }
            Text {
                text: window.controller.operatorName.length > 0
                      ? qsTr("Home network: %1").arg(window.controller.operatorName) : ""
                color: Theme.mutedText
                font.pixelSize: Theme.fontSize
                elide: Text.ElideNone
                Layout.fillWidth: true
            }
            // Signed in or not: a filled or hollow dot and the words.
            Rectangle {
                implicitWidth: sessionRow.implicitWidth + 2 * Theme.padding - 4
                implicitHeight: 28
                radius: height / 2
                color: window.controller.authenticated ? Theme.accentContainer : Theme.surfaceVariant
                Row {
                    id: sessionRow
                    anchors.centerIn: parent
                    spacing: 6
                    Text {
                        objectName: "sessionState"
                        text: window.controller.authenticated ? qsTr("● authenticated") : qsTr("○ not authenticated")
                        color: window.controller.authenticated ? Theme.accentContainerText : Theme.mutedText
                        font.pixelSize: Theme.smallSize
                        font.weight: Font.Medium
                    }
                }
            }
            Switch {
                id: themeSwitch
                objectName: "themeSwitch"
                text: qsTr("Dark")
                checked: Theme.dark
                font.pixelSize: Theme.fontSize
                // Track and knob: the knob's side says on or off, besides the colour.
                indicator: Rectangle {
                    x: themeSwitch.leftPadding
                    y: (themeSwitch.height - height) / 2
                    implicitWidth: 40
                    implicitHeight: 22
                    radius: height / 2
                    color: themeSwitch.checked ? Theme.accent : Theme.surfaceVariant
                    border.color: themeSwitch.checked ? Theme.accent : Theme.mutedText
                    border.width: themeSwitch.visualFocus ? 3 : 1
                    Rectangle {
                        x: themeSwitch.checked ? parent.width - width - 4 : 4
                        anchors.verticalCenter: parent.verticalCenter
                        width: 14
                        height: 14
                        radius: 7
                        color: themeSwitch.checked ? Theme.accentText : Theme.mutedText
                    }
                }
                onToggled: {
                    Theme.dark = checked
                    window.controller.settings.theme = checked ? "dark" : "light"
                }
                Accessible.name: qsTr("Dark theme")
            }
        }
    }

    // Ctrl+1 … Ctrl+6: the pages in the rail's order.
    Shortcut { sequence: "Ctrl+1"; enabled: window.navigable; onActivated: window.currentPage = window.pages[0].key }
    Shortcut { sequence: "Ctrl+2"; enabled: window.navigable; onActivated: window.currentPage = window.pages[1].key }
    Shortcut { sequence: "Ctrl+3"; enabled: window.navigable; onActivated: window.currentPage = window.pages[2].key }
    Shortcut { sequence: "Ctrl+4"; enabled: window.navigable; onActivated: window.currentPage = window.pages[3].key }
    Shortcut { sequence: "Ctrl+5"; enabled: window.navigable; onActivated: window.currentPage = window.pages[4].key }
    Shortcut { sequence: "Ctrl+6"; enabled: window.navigable; onActivated: window.currentPage = window.pages[5].key }

    // Why the headset is not used, under the header (the pages start below it).
    XrNotice {
        id: xrNotice
        status: window.xrStatus
        width: parent.width
    }

    RowLayout {
        anchors.fill: parent
        anchors.topMargin: xrNotice.height
        spacing: 0

        NavigationRail {
            visible: window.navigable
            pages: window.pages
            currentPage: window.currentPage
            onPageChosen: (key) => window.currentPage = key
            Layout.fillHeight: true
            Layout.preferredWidth: Theme.railWidth
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
                case "calls": return callsPage
                case "privacy": return privacy
                case "audit": return audit
                case "settings": return settings
                default: return window.controller.stage === TwinController.Ready ? myTwin : onboarding
                }
            }
        }
    }
    // The pages. Loader gives each its own context (Qt 6.4), so these components cannot be
    // "Bound"; qmllint would take their roots' required properties for a delegate's.
    // qmllint disable unqualified
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
        id: callsPage
        CallsPage { controller: window.controller }
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
    // qmllint enable unqualified
}
