pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Controls.impl
import QtQuick.Dialogs
import QtQuick.Layouts
import TwinSeal.ViewModels

// First run: 1. import the USIM profile, 2. choose the passphrase that protects the holder key,
// 3. pick an avatar, then sign and register it with the home network.
Page {
    id: page
    objectName: "onboardingPage"
    required property TwinController controller
    readonly property int step: controller.stage === TwinController.Profile ? 0
                               : controller.stage === TwinController.Passphrase ? 1 : 2
    background: Rectangle { color: Theme.background }
    Accessible.name: qsTr("Set up your digital twin")

    FileDialog {
        id: profileDialog
        objectName: "profileDialog"
        title: qsTr("Choose your USIM profile")
        nameFilters: [qsTr("USIM profiles (*.usim *.profile)"), qsTr("All files (*)")]
        onAccepted: page.controller.importProfile(selectedFile)
    }
    FileDialog {
        id: restoreDialog
        objectName: "restoreDialog"
        title: qsTr("Choose the backup of your twin")
        nameFilters: [qsTr("TwinSeal backups (*.tsbackup)"), qsTr("All files (*)")]
        onAccepted: {
            page.controller.restoreTwin(selectedFile, restorePassphrase.text)
            restorePassphrase.text = ""
        }
    }
    FolderDialog {
        id: avatarDialog
        objectName: "avatarDialog"
        title: qsTr("Choose your avatar folder (glTF 2.0 / GLB)")
        onAccepted: page.controller.chooseAvatar(selectedFolder)
    }

    ScrollView {
        anchors.fill: parent
        contentWidth: availableWidth
        ColumnLayout {
            width: Math.min(parent.width - 2 * Theme.pageMargin, 880)
            x: (parent.width - width) / 2
            spacing: Theme.padding * 1.5

            Item { Layout.preferredHeight: Theme.padding }
            PageHeading {
                title: qsTr("Set up your digital twin")
                subtitle: qsTr("Your twin is bound to your subscription: your home network certifies it, "
                               + "and people you meet can check that the avatar is really yours.")
                Layout.fillWidth: true
            }

            // Step indicator: number, words and state, not colour alone.
            RowLayout {
                objectName: "stepIndicator"
                spacing: Theme.spacing
                Repeater {
                    model: [qsTr("USIM profile"), qsTr("Passphrase"), qsTr("Avatar and registration")]
                    delegate: RowLayout {
                        id: stepRow
                        required property int index
                        required property string modelData
                        spacing: Theme.spacing
                        // A line from the previous step.
                        Rectangle {
                            visible: stepRow.index > 0
                            color: stepRow.index <= page.step ? Theme.accent : Theme.border
                            Layout.preferredWidth: 40
                            Layout.preferredHeight: 2
                            Layout.rightMargin: Theme.spacing
                        }
                        // Done: a check mark; current: the number on a filled disc; to do: the
                        // number in a ring.
                        Rectangle {
                            Layout.preferredWidth: 28
                            Layout.preferredHeight: 28
                            radius: 14
                            color: stepRow.index === page.step ? Theme.accent
                                   : stepRow.index < page.step ? Theme.accentContainer : "transparent"
                            border.color: stepRow.index > page.step ? Theme.border : "transparent"
                            border.width: 2
                            StateIcon {
                                visible: stepRow.index < page.step
                                state: "passed"
                                color: Theme.accentContainerText
                                anchors.centerIn: parent
                                width: 16
                                height: 16
                            }
                            Text {
                                visible: stepRow.index >= page.step
                                anchors.centerIn: parent
                                text: stepRow.index + 1
                                color: stepRow.index === page.step ? Theme.accentText : Theme.mutedText
                                font.pixelSize: Theme.smallSize
                                font.weight: Font.Bold
                            }
                        }
                        Text {
                            text: stepRow.modelData
                            font.weight: stepRow.index === page.step ? Font.Bold : Font.Normal
                            color: stepRow.index === page.step ? Theme.text : Theme.mutedText
                            font.pixelSize: Theme.fontSize
                            Accessible.name: qsTr("Step %1 of 3: %2, %3").arg(stepRow.index + 1).arg(stepRow.modelData)
                                .arg(stepRow.index < page.step ? qsTr("done") : stepRow.index === page.step ? qsTr("current") : qsTr("to do"))
                        }
                    }
                }
            }

            ErrorBanner {
                code: page.controller.operation.errorCode
                message: page.controller.operation.errorMessage
                onDismissed: page.controller.operation.dismissError()
                Layout.fillWidth: true
            }

            // ---- 1. profile
            Card {
                visible: page.step === 0
                Layout.fillWidth: true
                ColumnLayout {
                    anchors.fill: parent
                    spacing: Theme.padding
                    Text {
                        text: qsTr("Import the USIM profile your operator gave you")
                        font.pixelSize: Theme.titleSize
                        font.weight: Font.DemiBold
                        color: Theme.text
                    }
                    Text {
                        text: qsTr("It identifies your subscription to your home network. Drop the file here or choose it.")
                        color: Theme.mutedText
                        wrapMode: Text.WordWrap
                        Layout.fillWidth: true
                        font.pixelSize: Theme.fontSize
                    }
                    // A file dragged over it is announced in words and a thicker frame, not
                    // only a tint.
                    Rectangle {
                        objectName: "profileDropArea"
                        Layout.fillWidth: true
                        Layout.preferredHeight: 128
                        radius: Theme.cardRadius
                        color: drop.containsDrag ? Qt.rgba(Theme.accent.r, Theme.accent.g, Theme.accent.b, 0.12) : Theme.background
                        border.color: drop.containsDrag ? Theme.accent : Theme.border
                        border.width: drop.containsDrag ? 4 : 2
                        IconImage {
                            anchors.horizontalCenter: parent.horizontalCenter
                            anchors.bottom: dropHint.top
                            anchors.bottomMargin: Theme.spacing
                            source: Theme.icon("upload")
                            sourceSize.width: 32
                            sourceSize.height: 32
                            color: drop.containsDrag ? Theme.accent : Theme.mutedText
                            Accessible.ignored: true
                        }
                        Accessible.role: Accessible.Grouping
                        Accessible.name: qsTr("Drop area for your USIM profile file")
                        Accessible.description: dropHint.text
                        Text {
                            id: dropHint
                            objectName: "profileDropHint"
                            anchors.centerIn: parent
                            anchors.verticalCenterOffset: 20
                            width: Math.min(implicitWidth, parent.width - 2 * Theme.padding)
                            text: drop.containsDrag ? qsTr("⤓ Release to import this profile")
                                                    : qsTr("Drop your profile file here")
                            color: drop.containsDrag ? Theme.text : Theme.mutedText
                            font.pixelSize: Theme.fontSize
                            font.bold: drop.containsDrag
                            horizontalAlignment: Text.AlignHCenter
                            wrapMode: Text.WordWrap
                        }
                        DropArea {
                            id: drop
                            objectName: "profileDropTarget"
                            anchors.fill: parent
                            keys: ["text/uri-list"]
                            onDropped: (d) => { if (d.hasUrls) page.controller.importProfile(d.urls[0]) }
                        }
                    }
                    RowLayout {
                        spacing: Theme.spacing
                        AppButton {
                            objectName: "chooseProfileButton"
                            text: qsTr("Choose profile file…")
                            icon.source: Theme.icon("file")
                            highlighted: page.controller.demoProfilePath.length === 0
                            onClicked: profileDialog.open()
                        }
                        AppButton {
                            objectName: "useDemoProfileButton"
                            visible: page.controller.demoProfilePath.length > 0
                            highlighted: true
                            text: qsTr("Use the local demo subscription")
                            icon.source: Theme.icon("seal")
                            Accessible.description: qsTr("Imports the profile the built-in local home network created for this computer")
                            onClicked: page.controller.importProfile("file://" + page.controller.demoProfilePath)
                        }
                    }
                }
            }

            // ---- or: a twin backed up on another device
            Card {
                objectName: "restoreCard"
                visible: page.step === 0
                Layout.fillWidth: true
                ColumnLayout {
                    anchors.fill: parent
                    spacing: Theme.padding
                    Text {
                        text: qsTr("Or restore a twin you backed up")
                        font.pixelSize: Theme.titleSize
                        font.weight: Font.DemiBold
                        color: Theme.text
                    }
                    Text {
                        text: qsTr("Moving to this computer? Choose the backup file made in Settings and type its backup passphrase. Afterwards you unlock the twin with your own passphrase.")
                        color: Theme.mutedText
                        wrapMode: Text.WordWrap
                        Layout.fillWidth: true
                        font.pixelSize: Theme.fontSize
                    }
                    RowLayout {
                        Layout.fillWidth: true
                        spacing: Theme.spacing
                        AppTextField {
                            id: restorePassphrase
                            objectName: "restorePassphraseField"
                            echoMode: TextInput.Password
                            placeholderText: qsTr("Backup passphrase")
                            Accessible.name: qsTr("Backup passphrase")
                            Layout.fillWidth: true
                            onAccepted: if (restoreButton.enabled) restoreButton.clicked()
                        }
                        AppButton {
                            id: restoreButton
                            objectName: "restoreTwinButton"
                            text: qsTr("Choose backup and restore…")
                            icon.source: Theme.icon("upload")
                            enabled: restorePassphrase.text.length > 0 && !page.controller.operation.busy
                            onClicked: restoreDialog.open()
                        }
                    }
                }
            }

            // ---- 2. passphrase
            Card {
                visible: page.step === 1
                Layout.fillWidth: true
                ColumnLayout {
                    anchors.fill: parent
                    spacing: Theme.padding
                    Text {
                        text: qsTr("Choose a passphrase")
                        font.pixelSize: Theme.titleSize
                        font.weight: Font.DemiBold
                        color: Theme.text
                    }
                    Text {
                        text: qsTr("A new holder key is created on this device for %1. The passphrase encrypts it: "
                                   + "nobody can use your twin from this device without it, and nobody can recover it for you.")
                                  .arg(page.controller.operatorName)
                        wrapMode: Text.WordWrap
                        color: Theme.mutedText
                        Layout.fillWidth: true
                        font.pixelSize: Theme.fontSize
                    }
                    AppTextField {
                        id: pass1
                        objectName: "passphraseField"
                        echoMode: TextInput.Password
                        placeholderText: qsTr("Passphrase (at least 12 characters)")
                        Accessible.name: qsTr("Passphrase")
                        Layout.preferredWidth: 420
                        onAccepted: pass2.forceActiveFocus()
                    }
                    Text {
                        // How strong the passphrase looks, in words (never colour alone).
                        objectName: "passphraseStrength"
                        visible: pass1.text.length > 0
                        text: page.controller.passphraseHint(pass1.text)
                        wrapMode: Text.WordWrap
                        color: Theme.mutedText
                        Layout.fillWidth: true
                        font.pixelSize: Theme.fontSize
                    }
                    AppTextField {
                        id: pass2
                        objectName: "passphraseRepeatField"
                        echoMode: TextInput.Password
                        placeholderText: qsTr("The same passphrase again")
                        Accessible.name: qsTr("Repeat the passphrase")
                        Layout.preferredWidth: 420
                        onAccepted: createKey.clicked()
                    }
                    AppButton {
                        id: createKey
                        objectName: "createKeyButton"
                        text: qsTr("Create and protect my key")
                        icon.source: Theme.icon("key")
                        highlighted: true
                        enabled: !page.controller.operation.busy
                        onClicked: {
                            page.controller.choosePassphrase(pass1.text, pass2.text)
                            pass1.clear()
                            pass2.clear()
                        }
                    }
                }
            }

            // ---- 3. avatar and registration; a restarted client's key is locked until then
            UnlockCard {
                visible: page.step === 2 && page.controller.locked
                controller: page.controller
                message: qsTr("Your holder key is locked. Enter your passphrase to register or receive a twin, and to finish one that was interrupted.")
                fieldName: "onboardingUnlockField"
                buttonName: "onboardingUnlockButton"
                accessibleName: qsTr("Passphrase to unlock your holder key")
                Layout.fillWidth: true
            }
            Card {
                visible: page.step === 2
                Layout.fillWidth: true
                RowLayout {
                    anchors.fill: parent
                    spacing: Theme.padding * 1.5
                    AvatarPreview {
                        source: page.controller.modelUrl
                        caption: page.controller.avatarDir
                        Layout.preferredWidth: 320
                        Layout.preferredHeight: 320
                    }
                    ColumnLayout {
                        Layout.fillWidth: true
                        spacing: Theme.padding
                        Text {
                            text: qsTr("Pick your avatar")
                            font.pixelSize: Theme.titleSize
                            font.weight: Font.DemiBold
                            color: Theme.text
                        }
                        Text {
                            text: qsTr("It is hashed chunk by chunk and signed with your key; %1 certifies exactly these bytes.")
                                      .arg(page.controller.operatorName)
                            wrapMode: Text.WordWrap
                            color: Theme.mutedText
                            Layout.fillWidth: true
                            font.pixelSize: Theme.fontSize
                        }
                        RowLayout {
                            spacing: Theme.spacing
                            AppButton {
                                objectName: "useSampleAvatarButton"
                                text: qsTr("Use the sample avatar")
                                icon.source: Theme.icon("twin")
                                enabled: !page.controller.operation.busy
                                onClicked: page.controller.useSampleAvatar()
                            }
                            AppButton {
                                objectName: "chooseAvatarButton"
                                text: qsTr("Choose avatar folder…")
                                icon.source: Theme.icon("folder")
                                enabled: !page.controller.operation.busy
                                onClicked: avatarDialog.open()
                            }
                        }
                        Text {
                            objectName: "chosenAvatar"
                            text: page.controller.avatarDir.length > 0 ? qsTr("Chosen: %1").arg(page.controller.avatarDir)
                                                                       : qsTr("No avatar chosen yet")
                            color: Theme.text
                            wrapMode: Text.WrapAnywhere
                            Layout.fillWidth: true
                            font.pixelSize: Theme.fontSize
                        }
                        AppButton {
                            objectName: "registerButton"
                            text: qsTr("Sign and register my twin")
                            icon.source: Theme.icon("check")
                            highlighted: true
                            enabled: page.controller.avatarDir.length > 0 && !page.controller.operation.busy
                            onClicked: page.controller.registerTwin()
                        }
                        // Someone is handing their twin over to this subscriber instead.
                        Text {
                            text: qsTr("Or take over an existing twin that its owner offers to you.")
                            wrapMode: Text.WordWrap
                            color: Theme.mutedText
                            Layout.fillWidth: true
                            font.pixelSize: Theme.fontSize
                        }
                        AppButton {
                            objectName: "receiveTwinButton"
                            text: qsTr("Receive a twin offered to you…")
                            icon.source: Theme.icon("receive")
                            enabled: !page.controller.operation.busy
                            Accessible.name: qsTr("Receive a twin offered to you: open the Ownership page")
                            onClicked: ApplicationWindow.window.currentPage = "ownership"
                        }
                    }
                }
            }

            BusyPanel {
                operation: page.controller.operation
                Layout.fillWidth: true
            }
            Text {
                visible: page.controller.serviceUrl.length > 0
                text: qsTr("Home network: %1 (%2) · %3").arg(page.controller.operatorName)
                          .arg(page.controller.serviceUrl).arg(page.controller.subscriberHint)
                color: Theme.mutedText
                font.pixelSize: Theme.smallSize
                Layout.fillWidth: true
                wrapMode: Text.WordWrap
            }
        }
    }
}
