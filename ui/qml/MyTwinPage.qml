import QtQuick
import QtQuick.Controls
import QtQuick.Dialogs
import QtQuick.Layouts
import TwinSeal.ViewModels

// My Twin: the certified avatar in 3D, the credential in plain words, the media manifest,
// re-certification after changing the avatar, and lock / unlock.
Page {
    id: page
    objectName: "myTwinPage"
    required property TwinController controller
    background: Rectangle { color: Theme.background }
    Accessible.name: qsTr("My Twin")

    FolderDialog {
        id: recertifyDialog
        objectName: "recertifyDialog"
        title: qsTr("Choose the changed avatar folder")
        onAccepted: page.controller.recertify(selectedFolder)
    }

    VerifyPeerDialog {
        id: verifyPeerDialog
        verifier: page.controller.peerVerification
    }

    ScrollView {
        anchors.fill: parent
        contentWidth: availableWidth
        ColumnLayout {
            width: parent.width - 2 * Theme.pageMargin
            x: Theme.pageMargin
            spacing: Theme.padding

            Item { Layout.preferredHeight: Theme.spacing }
            RowLayout {
                Layout.fillWidth: true
                spacing: Theme.padding
                // Takes the row's free width, so the buttons line up with the content's right edge.
                PageHeading {
                    objectName: "twinSummary"
                    title: qsTr("My Twin")
                    subtitle: qsTr("%1 · certified by %2").arg(page.controller.pseudonym).arg(page.controller.operatorName)
                    Layout.fillWidth: true
                }
                AppButton {
                    objectName: "verifyPeerButton"
                    text: qsTr("Verify a peer…")
                    icon.source: Theme.icon("seal")
                    Accessible.name: qsTr("Verify a peer")
                    Accessible.description: qsTr("Checks another avatar's call assertion, credential and media")
                    onClicked: verifyPeerDialog.open()
                }
                AppButton {
                    objectName: "refreshStatusButton"
                    text: qsTr("Check status")
                    icon.source: Theme.icon("refresh")
                    enabled: !page.controller.operation.busy
                    Accessible.description: qsTr("Fetches the revocation status list and the log inclusion proof")
                    onClicked: page.controller.refreshStatus()
                }
                AppButton {
                    objectName: "recertifyButton"
                    text: qsTr("Re-certify changed avatar…")
                    icon.source: Theme.icon("upload")
                    enabled: !page.controller.operation.busy && !page.controller.locked
                    onClicked: recertifyDialog.open()
                }
                AppButton {
                    objectName: "lockButton"
                    text: page.controller.locked ? qsTr("Locked") : qsTr("Lock")
                    icon.source: Theme.icon("lock")
                    enabled: !page.controller.locked
                    onClicked: page.controller.lock()
                }
            }

            StatusStrip { operation: page.controller.operation; Layout.fillWidth: true }

            // Split view: the home network showed two histories of its transparency log. Stays
            // (across restarts) until the evidence is dealt with; shape, words and colour.
            Card {
                objectName: "logForkAlert"
                visible: page.controller.logFork
                Layout.fillWidth: true
                frameColor: Theme.failed
                Accessible.role: Accessible.AlertMessage
                Accessible.name: qsTr("Your home network's log was forked")
                Accessible.description: page.controller.logForkMessage
                RowLayout {
                    anchors.fill: parent
                    spacing: Theme.padding
                    StateIcon {
                        state: "failed"
                        Layout.preferredWidth: 28
                        Layout.preferredHeight: 28
                        Layout.alignment: Qt.AlignTop
                    }
                    ColumnLayout {
                        spacing: 4
                        Layout.fillWidth: true
                        Text {
                            text: qsTr("Your home network showed two different histories of its log")
                            color: Theme.failed
                            font.pixelSize: Theme.fontSize + 2
                            font.bold: true
                            Layout.fillWidth: true
                            wrapMode: Text.WordWrap
                        }
                        Text {
                            objectName: "logForkMessage"
                            text: page.controller.logForkMessage
                            color: Theme.text
                            font.pixelSize: Theme.fontSize
                            Layout.fillWidth: true
                            wrapMode: Text.WordWrap
                            textFormat: Text.PlainText
                        }
                    }
                }
            }

            // Unlock: the holder key is needed to sign (calls, re-certification).
            UnlockCard {
                objectName: "unlockPane"
                controller: page.controller
                message: qsTr("Your twin is locked. Enter your passphrase to use it.")
                Layout.fillWidth: true
            }

            GridLayout {
                Layout.fillWidth: true
                columns: page.width > 1100 ? 3 : 2
                columnSpacing: Theme.padding
                rowSpacing: Theme.padding

                AvatarPreview {
                    objectName: "avatarPreview"
                    source: page.controller.modelUrl
                    caption: page.controller.avatarId
                    Layout.preferredWidth: 340
                    Layout.preferredHeight: 420
                    Layout.alignment: Qt.AlignTop
                }
                Card {
                    Layout.fillWidth: true
                    Layout.preferredWidth: 420
                    Layout.alignment: Qt.AlignTop
                    ColumnLayout {
                        anchors.fill: parent
                        Text { text: qsTr("Credential"); font.pixelSize: Theme.titleSize; font.weight: Font.DemiBold; color: Theme.text }
                        FactList {
                            objectName: "credentialFacts"
                            model: page.controller.credential
                            Layout.fillWidth: true
                            Accessible.name: qsTr("Your credential")
                        }
                    }
                }
                Card {
                    Layout.fillWidth: true
                    Layout.preferredWidth: 420
                    Layout.alignment: Qt.AlignTop
                    Layout.columnSpan: page.width > 1100 ? 1 : 2
                    ColumnLayout {
                        anchors.fill: parent
                        Text { text: qsTr("Avatar media manifest"); font.pixelSize: Theme.titleSize; font.weight: Font.DemiBold; color: Theme.text }
                        FactList {
                            objectName: "manifestFacts"
                            model: page.controller.manifest
                            Layout.fillWidth: true
                            Accessible.name: qsTr("Files of your certified avatar")
                        }
                    }
                }
            }
            RolesCard {
                roles: page.controller.roles
                Layout.fillWidth: true
            }
            Item { Layout.preferredHeight: Theme.padding }
        }
    }
}
