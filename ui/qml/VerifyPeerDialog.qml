import QtQuick
import QtQuick.Controls
import QtQuick.Dialogs
import QtQuick.Layouts
import TwinSeal.ViewModels

// Verify a peer: pick the assertion, credential, manifest and media a peer presented and this
// call's destination; the same verification as `twinsealctl assertion verify` runs off the UI
// thread, and its report is shown: the overall state as a shape and words, then every check.
Dialog {
    id: dialog
    objectName: "verifyPeerDialog"
    property PeerVerificationController verifier: null
    title: qsTr("Verify a peer")
    modal: true
    anchors.centerIn: Overlay.overlay
    width: Math.min(Overlay.overlay ? Overlay.overlay.width - 4 * Theme.padding : 760, 760)
    height: Math.min(Overlay.overlay ? Overlay.overlay.height - 4 * Theme.padding : 720, 720)
    // The app's own surface, title and buttons: drawn the same with or without a GPU (the
    // style's dialog frame and buttons need shader effects the software renderer lacks).
    background: Rectangle {
        color: Theme.surface
        radius: Theme.cardRadius
        border.color: Theme.border
        border.width: 1
    }
    header: Label {
        objectName: "verifyPeerTitle"
        text: dialog.title
        color: Theme.text
        font.pixelSize: Theme.titleSize
        font.weight: Font.Bold
        padding: Theme.padding + 4
        bottomPadding: Theme.spacing
    }
    footer: Item {
        objectName: "verifyPeerButtons"
        implicitHeight: Theme.controlHeight + Theme.spacing + Theme.padding
        AppButton {
            objectName: "verifyPeerCloseButton"
            anchors.right: parent.right
            anchors.rightMargin: Theme.padding + 4
            anchors.top: parent.top
            anchors.topMargin: Theme.spacing
            text: qsTr("Close")
            Accessible.name: qsTr("Close the peer verification")
            onClicked: dialog.reject()
        }
    }

    readonly property string shownState: {
        if (!dialog.verifier)
            return ""
        switch (dialog.verifier.state) {
        case "verified": return "verified"
        case "valid-untrusted-issuer": return "valid-untrusted-issuer"
        case "incomplete": return "incomplete"
        case "": return ""
        default: return "failed"
        }
    }

    // A file or folder field that, while it is not being edited, shows what people recognise:
    // the name first and prominently, then the folder it is in, shortened to its last two
    // levels. Editing it (a click or Tab) shows the whole path; so do its tooltip and its
    // accessible description.
    component PathField: AppTextField {
        id: pathField
        readonly property string trimmedPath: pathField.text.replace(/\/+$/, "")
        readonly property string shownName: pathField.trimmedPath.substring(pathField.trimmedPath.lastIndexOf("/") + 1)
        readonly property string shownFolder: {
            const cut = pathField.trimmedPath.lastIndexOf("/")
            if (cut < 0)
                return ""
            const parts = pathField.trimmedPath.substring(0, cut).split("/").filter(s => s.length > 0)
            return (parts.length > 2 ? "…/" : "/") + parts.slice(-2).join("/")
        }
        readonly property bool summarised: !pathField.activeFocus && pathField.text.length > 0
        Accessible.description: pathField.text
        ToolTip.visible: pathField.summarised && pathField.hovered
        ToolTip.text: pathField.text
        Binding {
            target: pathField
            property: "color"
            value: "transparent"
            when: pathField.summarised
            restoreMode: Binding.RestoreBindingOrValue
        }
        RowLayout {
            visible: pathField.summarised
            anchors.fill: parent
            anchors.leftMargin: pathField.leftPadding
            anchors.rightMargin: pathField.rightPadding
            anchors.topMargin: pathField.topPadding
            anchors.bottomMargin: pathField.bottomPadding
            spacing: Theme.spacing
            Text {
                objectName: pathField.objectName + "Name"
                text: pathField.shownName
                color: Theme.text
                font.pixelSize: Theme.fontSize
                font.weight: Font.DemiBold
                elide: Text.ElideMiddle
                verticalAlignment: Text.AlignVCenter
                Layout.fillHeight: true
                Layout.maximumWidth: parent.width * 0.6
            }
            Text {
                objectName: pathField.objectName + "Folder"
                visible: pathField.shownFolder.length > 0
                text: qsTr("in %1").arg(pathField.shownFolder)
                color: Theme.mutedText
                font.pixelSize: Theme.fontSize - 1
                elide: Text.ElideLeft
                verticalAlignment: Text.AlignVCenter
                Layout.fillHeight: true
                Layout.fillWidth: true
            }
        }
    }

    function pathOf(url) {
        const s = url.toString()
        return s.startsWith("file://") ? decodeURIComponent(s.substring(7)) : s
    }

    FileDialog {
        id: assertionPicker
        objectName: "verifyPeerAssertionPicker"
        title: qsTr("Choose the peer's call assertion")
        onAccepted: assertionField.text = dialog.pathOf(selectedFile)
    }
    FileDialog {
        id: credentialPicker
        objectName: "verifyPeerCredentialPicker"
        title: qsTr("Choose the peer's DT credential")
        onAccepted: credentialField.text = dialog.pathOf(selectedFile)
    }
    FileDialog {
        id: manifestPicker
        objectName: "verifyPeerManifestPicker"
        title: qsTr("Choose the peer's signed avatar manifest")
        onAccepted: manifestField.text = dialog.pathOf(selectedFile)
    }
    FolderDialog {
        id: packagePicker
        objectName: "verifyPeerPackagePicker"
        title: qsTr("Choose the peer's avatar folder")
        onAccepted: packageField.text = dialog.pathOf(selectedFolder)
    }

    ScrollView {
        objectName: "verifyPeerContent"
        anchors.fill: parent
        contentWidth: availableWidth
        Accessible.role: Accessible.Pane
        Accessible.name: qsTr("Verify a peer")
        ColumnLayout {
            width: parent.width
            spacing: Theme.spacing

            GridLayout {
                columns: 3
                columnSpacing: Theme.spacing
                rowSpacing: Theme.spacing
                Layout.fillWidth: true

                Label { text: qsTr("Call assertion") }
                PathField {
                    id: assertionField
                    objectName: "verifyPeerAssertionField"
                    placeholderText: qsTr("call.jws")
                    Accessible.name: qsTr("Call assertion file")
                    Layout.fillWidth: true
                }
                AppButton {
                    objectName: "verifyPeerAssertionBrowse"
                    text: qsTr("Choose…")
                    Accessible.name: qsTr("Choose the call assertion file")
                    onClicked: assertionPicker.open()
                }

                Label { text: qsTr("DT credential") }
                PathField {
                    id: credentialField
                    objectName: "verifyPeerCredentialField"
                    placeholderText: qsTr("credential.tsc")
                    Accessible.name: qsTr("DT credential file")
                    Layout.fillWidth: true
                }
                AppButton {
                    objectName: "verifyPeerCredentialBrowse"
                    text: qsTr("Choose…")
                    Accessible.name: qsTr("Choose the DT credential file")
                    onClicked: credentialPicker.open()
                }

                Label { text: qsTr("Avatar manifest") }
                PathField {
                    id: manifestField
                    objectName: "verifyPeerManifestField"
                    placeholderText: qsTr("manifest.tsm")
                    Accessible.name: qsTr("Signed avatar manifest file")
                    Layout.fillWidth: true
                }
                AppButton {
                    objectName: "verifyPeerManifestBrowse"
                    text: qsTr("Choose…")
                    Accessible.name: qsTr("Choose the signed avatar manifest file")
                    onClicked: manifestPicker.open()
                }

                Label { text: qsTr("Avatar media") }
                PathField {
                    id: packageField
                    objectName: "verifyPeerPackageField"
                    placeholderText: qsTr("the avatar folder (required for a complete check)")
                    Accessible.name: qsTr("Avatar media folder")
                    Layout.fillWidth: true
                }
                AppButton {
                    objectName: "verifyPeerPackageBrowse"
                    text: qsTr("Choose…")
                    Accessible.name: qsTr("Choose the avatar media folder")
                    onClicked: packagePicker.open()
                }

                Label { text: qsTr("Destination") }
                AppTextField {
                    id: destinationField
                    objectName: "verifyPeerDestinationField"
                    placeholderText: qsTr("urn:twinseal:room:…")
                    Accessible.name: qsTr("This call's destination")
                    Layout.fillWidth: true
                    Layout.columnSpan: 2
                }
            }

            AppButton {
                objectName: "verifyPeerRunButton"
                text: dialog.verifier && dialog.verifier.busy ? qsTr("Verifying…") : qsTr("Verify")
                highlighted: true
                enabled: !!dialog.verifier && !dialog.verifier.busy && assertionField.text.length > 0
                         && credentialField.text.length > 0 && destinationField.text.length > 0
                Accessible.name: qsTr("Verify the peer")
                onClicked: dialog.verifier.verify(assertionField.text, credentialField.text,
                                                  manifestField.text, packageField.text,
                                                  destinationField.text)
            }

            // The overall state: a shape and words, never colour alone.
            Pane {
                objectName: "verifyPeerResult"
                visible: dialog.shownState.length > 0
                Layout.fillWidth: true
                background: Rectangle {
                    color: Theme.surface
                    radius: Theme.radius
                    border.color: Theme.stateColor(dialog.shownState)
                    border.width: 2
                }
                Accessible.role: Accessible.StaticText
                Accessible.name: dialog.verifier ? dialog.verifier.headline + ". " + dialog.verifier.reason : ""
                RowLayout {
                    anchors.fill: parent
                    spacing: Theme.spacing
                    StateIcon {
                        objectName: "verifyPeerStateIcon"
                        state: dialog.shownState
                        Layout.preferredWidth: 24
                        Layout.preferredHeight: 24
                        Layout.alignment: Qt.AlignTop
                    }
                    ColumnLayout {
                        spacing: 2
                        Layout.fillWidth: true
                        Text {
                            objectName: "verifyPeerHeadline"
                            text: dialog.verifier ? dialog.verifier.headline
                                  + (dialog.verifier.subject ? " — " + dialog.verifier.subject : "") : ""
                            color: Theme.text
                            font.pixelSize: Theme.fontSize
                            font.bold: true
                            wrapMode: Text.WordWrap
                            Layout.fillWidth: true
                        }
                        Text {
                            objectName: "verifyPeerReason"
                            text: dialog.verifier ? dialog.verifier.reason : ""
                            color: Theme.mutedText
                            font.pixelSize: Theme.fontSize - 1
                            wrapMode: Text.WordWrap
                            Layout.fillWidth: true
                        }
                    }
                }
            }

            CheckList {
                objectName: "verifyPeerChecks"
                model: dialog.verifier ? dialog.verifier.checks : null
                Accessible.name: qsTr("Checks of the peer's verification")
                Layout.fillWidth: true
            }
        }
    }
}
