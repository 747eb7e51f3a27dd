pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Dialogs
import QtQuick.Layouts
import TwinSeal.ViewModels

// Settings: the home network's address, the trust list (roots whose certified peers are
// trusted), the data directory and the theme. Kept in the data directory; no secrets.
Page {
    id: page
    objectName: "settingsPage"
    required property TwinController controller
    readonly property SettingsController settings: controller.settings
    background: Rectangle { color: Theme.background }
    Accessible.name: qsTr("Settings")

    FileDialog {
        id: rootDialog
        title: qsTr("Choose an operator's root certificate (PEM)")
        nameFilters: [qsTr("PEM certificates (*.pem *.crt)"), qsTr("Any file (*)")]
        onAccepted: page.settings.addTrustedRoot(selectedFile)
    }
    FileDialog {
        id: securityImageDialog
        title: qsTr("Choose your security image")
        nameFilters: [qsTr("Pictures (*.png *.jpg *.jpeg)"), qsTr("Any file (*)")]
        onAccepted: page.settings.chooseSecurityImageFile(selectedFile)
    }
    FileDialog {
        id: backupDialog
        objectName: "backupDialog"
        title: qsTr("Save the backup of your twin")
        fileMode: FileDialog.SaveFile
        nameFilters: [qsTr("TwinSeal backups (*.tsbackup)"), qsTr("Any file (*)")]
        onAccepted: {
            page.settings.backUpTwin(selectedFile, backupPassphrase.text, backupRepeat.text)
            backupPassphrase.text = ""
            backupRepeat.text = ""
        }
    }
    FolderDialog {
        id: dataDirDialog
        title: qsTr("Choose where TwinSeal keeps its data from the next start")
        onAccepted: page.settings.setNextDataDir(selectedFolder)
    }

    component Section: Card {
        property alias title: heading.text
        default property alias content: body.data
        Layout.fillWidth: true
        ColumnLayout {
            id: body
            anchors.fill: parent
            spacing: Theme.spacing
            Text {
                id: heading
                font.pixelSize: Theme.titleSize
                font.weight: Font.DemiBold
                color: Theme.text
                Accessible.role: Accessible.Heading
                Accessible.name: text
            }
        }
    }

    ScrollView {
        anchors.fill: parent
        contentWidth: availableWidth
        ColumnLayout {
            width: Math.min(parent.width - 2 * Theme.pageMargin, 1100)
            x: Theme.pageMargin
            spacing: Theme.padding

            Item { Layout.preferredHeight: Theme.spacing }
            PageHeading {
                title: qsTr("Settings")
                subtitle: qsTr("Kept in %1").arg(page.settings.dataDir)
                Layout.fillWidth: true
            }
            StatusStrip { operation: page.settings.operation; twinOperation: page.controller.operation; Layout.fillWidth: true }

            Section {
                title: qsTr("Home network")
                Text {
                    text: qsTr("Your profile names %1. Change the address only when your operator tells you it moved; leave it empty to use the profile's.")
                          .arg(page.settings.profileAddress.length > 0 ? page.settings.profileAddress : qsTr("no address yet"))
                    color: Theme.mutedText
                    font.pixelSize: Theme.fontSize
                    wrapMode: Text.WordWrap
                    Layout.fillWidth: true
                }
                RowLayout {
                    Layout.fillWidth: true
                    spacing: Theme.padding
                    AppTextField {
                        id: addressField
                        objectName: "homeNetworkAddressField"
                        text: page.settings.homeNetworkAddress === page.settings.profileAddress ? "" : page.settings.homeNetworkAddress
                        placeholderText: page.settings.profileAddress
                        Accessible.name: qsTr("Home network address")
                        Layout.fillWidth: true
                        onAccepted: applyAddress.clicked()
                    }
                    AppButton {
                        id: applyAddress
                        objectName: "applyHomeNetworkButton"
                        text: qsTr("Apply")
                        onClicked: page.settings.setHomeNetworkAddress(addressField.text)
                    }
                }
                Text {
                    objectName: "homeNetworkInUse"
                    text: qsTr("In use: %1").arg(page.settings.homeNetworkAddress)
                    color: Theme.text
                    font.pixelSize: Theme.fontSize
                }
            }

            Section {
                title: qsTr("Trust list")
                Text {
                    text: qsTr("Peers whose credentials chain to one of these roots are shown as verified. Your home network's roots come with your profile; add another operator's root to trust its subscribers.")
                    color: Theme.mutedText
                    font.pixelSize: Theme.fontSize
                    wrapMode: Text.WordWrap
                    Layout.fillWidth: true
                }
                Repeater {
                    model: page.settings.trustList
                    delegate: RowLayout {
                        id: rootRow
                        required property int index
                        required property string label
                        required property string value
                        required property string state
                        required property string detail
                        objectName: "trustRoot_" + rootRow.index
                        Layout.fillWidth: true
                        spacing: Theme.spacing
                        StateIcon { state: rootRow.state; Layout.preferredWidth: 16; Layout.preferredHeight: 16; Layout.alignment: Qt.AlignTop }
                        ColumnLayout {
                            spacing: 0
                            Layout.fillWidth: true
                            Text { text: rootRow.label; color: Theme.text; font.pixelSize: Theme.fontSize; wrapMode: Text.WrapAnywhere; Layout.fillWidth: true }
                            Text { text: rootRow.detail; color: Theme.mutedText; font.pixelSize: Theme.smallSize; wrapMode: Text.WordWrap; Layout.fillWidth: true }
                            Text { text: qsTr("SHA-256 %1").arg(rootRow.value); color: Theme.mutedText; font.pixelSize: Theme.captionSize; wrapMode: Text.WrapAnywhere; Layout.fillWidth: true }
                        }
                        AppButton {
                            objectName: "removeTrustRoot_" + rootRow.index
                            icon.source: Theme.icon("close")
                            flat: true
                            visible: rootRow.detail.indexOf(qsTr("added by you")) === 0
                            text: qsTr("Remove")
                            Accessible.name: qsTr("Remove %1 from the trust list").arg(rootRow.label)
                            onClicked: page.settings.removeTrustedRoot(rootRow.value)
                        }
                    }
                }
                AppButton {
                    objectName: "addTrustRootButton"
                    icon.source: Theme.icon("add")
                    text: qsTr("Add an operator root…")
                    onClicked: rootDialog.open()
                }
            }

            Section {
                title: qsTr("Appearance")
                RowLayout {
                    spacing: Theme.padding
                    RadioButton {
                        objectName: "themeLight"
                        text: qsTr("Light")
                        checked: page.settings.theme !== "dark"
                        onClicked: { page.settings.theme = "light"; Theme.dark = false }
                    }
                    RadioButton {
                        objectName: "themeDark"
                        text: qsTr("Dark")
                        checked: page.settings.theme === "dark"
                        onClicked: { page.settings.theme = "dark"; Theme.dark = true }
                    }
                }
            }

            Section {
                objectName: "backupCard"
                title: qsTr("Backup")
                Text {
                    text: qsTr("One file with everything of this twin: its keys (still encrypted under your passphrase), credential, avatar manifest, settings and activity log, sealed under a backup passphrase. Restore it on another computer from the first page of the setup.")
                    color: Theme.mutedText
                    font.pixelSize: Theme.fontSize
                    wrapMode: Text.WordWrap
                    Layout.fillWidth: true
                }
                RowLayout {
                    Layout.fillWidth: true
                    spacing: Theme.padding
                    AppTextField {
                        id: backupPassphrase
                        objectName: "backupPassphraseField"
                        echoMode: TextInput.Password
                        placeholderText: qsTr("Backup passphrase (12 characters or more)")
                        Accessible.name: qsTr("Backup passphrase")
                        Layout.fillWidth: true
                    }
                    AppTextField {
                        id: backupRepeat
                        objectName: "backupRepeatField"
                        echoMode: TextInput.Password
                        placeholderText: qsTr("The same again")
                        Accessible.name: qsTr("Backup passphrase, repeated")
                        Layout.fillWidth: true
                    }
                }
                Text {
                    objectName: "backupStrengthText"
                    visible: backupPassphrase.text.length > 0
                    // The strength in words first ("Weak: …"), as on the setup's passphrase step.
                    text: page.controller.passphraseHint(backupPassphrase.text)
                    color: Theme.text
                    font.pixelSize: Theme.smallSize
                    wrapMode: Text.WordWrap
                    Layout.fillWidth: true
                }
                RowLayout {
                    visible: page.settings.backupOutcome.length > 0
                    spacing: Theme.spacing
                    Layout.fillWidth: true
                    StateIcon {
                        state: page.settings.backupFailed ? "failed"
                             : page.settings.operation.busy ? "incomplete" : "passed"
                        Layout.preferredWidth: 18
                        Layout.preferredHeight: 18
                    }
                    Text {
                        objectName: "backupOutcomeText"
                        text: page.settings.backupOutcome
                        color: Theme.text
                        font.pixelSize: Theme.fontSize
                        wrapMode: Text.WordWrap
                        Layout.fillWidth: true
                    }
                }
                AppButton {
                    objectName: "backUpButton"
                    icon.source: Theme.icon("file")
                    text: qsTr("Back up this twin…")
                    enabled: backupPassphrase.text.length > 0 && backupRepeat.text.length > 0
                             && !page.settings.operation.busy
                             && page.controller.stage === TwinController.Ready
                    Accessible.description: qsTr("Asks where to save the backup file")
                    onClicked: backupDialog.open()
                }
            }

            Section {
                title: qsTr("Data directory")
                Text {
                    objectName: "dataDirText"
                    text: qsTr("Now: %1").arg(page.settings.dataDir)
                    color: Theme.text
                    font.pixelSize: Theme.fontSize
                    wrapMode: Text.WrapAnywhere
                    Layout.fillWidth: true
                }
                Text {
                    visible: page.settings.nextDataDir !== page.settings.dataDir
                    text: qsTr("From the next start: %1").arg(page.settings.nextDataDir)
                    color: Theme.text
                    font.pixelSize: Theme.fontSize
                    wrapMode: Text.WrapAnywhere
                    Layout.fillWidth: true
                }
                Text {
                    text: qsTr("Your profile, encrypted keys, credential and activity log live here. Moving elsewhere starts a new device state; your current data stays where it is.")
                    color: Theme.mutedText
                    font.pixelSize: Theme.smallSize
                    wrapMode: Text.WordWrap
                    Layout.fillWidth: true
                }
                AppButton {
                    objectName: "chooseDataDirButton"
                    icon.source: Theme.icon("folder")
                    text: qsTr("Use another folder from the next start…")
                    onClicked: dataDirDialog.open()
                }
            }
            Section {
                objectName: "securityImageCard"
                title: qsTr("Security image")
                Text {
                    text: qsTr("In a headset, TwinSeal draws the verification badges and alerts inside a frame made of this picture. Only you know it and it is never sent to anyone: a badge without your picture around it was not drawn by TwinSeal.")
                    color: Theme.mutedText
                    font.pixelSize: Theme.fontSize
                    wrapMode: Text.WordWrap
                    Layout.fillWidth: true
                }
                RowLayout {
                    spacing: Theme.padding
                    Layout.fillWidth: true
                    Rectangle {
                        objectName: "securityImageFrame"
                        Layout.preferredWidth: 96
                        Layout.preferredHeight: 96
                        radius: Theme.radius
                        color: Theme.surfaceVariant
                        border.color: Theme.border
                        Image {
                            id: securityPreview
                            objectName: "securityImagePreview"
                            anchors.fill: parent
                            anchors.margins: 2
                            source: page.settings.securityImage
                            fillMode: Image.PreserveAspectCrop
                            visible: securityPreview.status === Image.Ready
                            Accessible.role: Accessible.Graphic
                            Accessible.name: qsTr("Your security image")
                        }
                        Text {
                            anchors.centerIn: parent
                            visible: securityPreview.status !== Image.Ready
                            text: qsTr("None yet")
                            color: Theme.mutedText
                            font.pixelSize: Theme.smallSize
                        }
                    }
                    Flow {
                        spacing: Theme.spacing
                        Layout.fillWidth: true
                        Repeater {
                            model: page.settings.securityImageChoices
                            delegate: AbstractButton {
                                id: choice
                                required property string modelData
                                objectName: "securityImageChoice_" + choice.modelData
                                implicitWidth: 56
                                implicitHeight: 56
                                Accessible.name: qsTr("Use the picture \"%1\"").arg(choice.modelData)
                                onClicked: page.settings.chooseSecurityImage(choice.modelData)
                                contentItem: Image {
                                    source: page.settings.securityImageChoiceUrl(choice.modelData)
                                    fillMode: Image.PreserveAspectCrop
                                }
                                background: Rectangle {
                                    color: "transparent"
                                    radius: Theme.radius
                                    border.color: choice.activeFocus ? Theme.accent : Theme.border
                                    border.width: 2
                                }
                            }
                        }
                    }
                }
                AppButton {
                    objectName: "chooseSecurityImageFileButton"
                    icon.source: Theme.icon("folder")
                    text: qsTr("Use a picture of your own…")
                    onClicked: securityImageDialog.open()
                }
            }

            Item { Layout.preferredHeight: Theme.padding }
        }
    }
}
