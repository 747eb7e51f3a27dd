pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import TwinSeal.ViewModels

// Ownership: the subscriber's transfer handle, offering the twin (to a handle or with a one-time
// code), the offers in both directions with accept / decline / cancel, a code to accept, and the
// verified receipt and ownership history of an accepted transfer.
Page {
    id: page
    objectName: "ownershipPage"
    required property TwinController controller
    readonly property OwnershipController ownership: controller.ownership
    readonly property bool holdsTwin: controller.stage === TwinController.Ready
    readonly property var appWindow: ApplicationWindow.window
    background: Rectangle { color: Theme.background }
    Accessible.name: qsTr("Ownership")

    Component.onCompleted: page.ownership.refresh()

    Connections {
        target: page.ownership
        // The twin and its avatar are this client's now: show it.
        function onTransferAccepted() {
            if (page.appWindow)
                page.appWindow.currentPage = "myTwin"
        }
    }

    // A pane with a title, in the page's style.
    component Section: Card {
        id: section
        property string title
        default property alias content: body.data
        Layout.fillWidth: true
        Layout.alignment: Qt.AlignTop
        ColumnLayout {
            id: body
            anchors.fill: parent
            spacing: Theme.spacing
            Text {
                text: section.title
                font.pixelSize: Theme.titleSize
                font.weight: Font.DemiBold
                color: Theme.text
                Accessible.role: Accessible.Heading
                Accessible.name: text
            }
        }
    }

    // Why an action is not available, as a warning shape and words.
    component Hint: RowLayout {
        id: hint
        property string text
        visible: text.length > 0
        spacing: Theme.spacing
        Layout.fillWidth: true
        StateIcon { state: "warning"; Layout.preferredWidth: 16; Layout.preferredHeight: 16; Layout.alignment: Qt.AlignTop }
        Text {
            text: hint.text
            color: Theme.text
            font.pixelSize: Theme.fontSize
            wrapMode: Text.WordWrap
            Layout.fillWidth: true
        }
    }

    // Heading, failures and progress stay in view above the scrolling content.
    ColumnLayout {
        id: top
        anchors.left: parent.left
        anchors.right: parent.right
        anchors.top: parent.top
        anchors.leftMargin: Theme.pageMargin
        anchors.rightMargin: Theme.pageMargin
        spacing: Theme.padding
        Item { Layout.preferredHeight: Theme.spacing }
        RowLayout {
            Layout.fillWidth: true
            spacing: Theme.padding
            PageHeading {
                title: qsTr("Ownership")
                subtitle: qsTr("Hand your twin over to another subscriber, or receive one. The twin changes hands only when the recipient accepts; every transfer is recorded in the transparency log.")
                Layout.fillWidth: true
            }
            BusyIndicator {
                objectName: "ownershipLoading"
                running: page.ownership.loading
                visible: running
                Accessible.name: qsTr("Loading from your home network")
                Layout.preferredWidth: 32
                Layout.preferredHeight: 32
            }
            AppButton {
                objectName: "refreshTransfersButton"
                icon.source: Theme.icon("refresh")
                text: qsTr("Refresh")
                enabled: !page.ownership.loading
                Accessible.name: qsTr("Refresh the handle and the offers")
                onClicked: page.ownership.refresh()
            }
        }
        StatusStrip { operation: page.ownership.operation; twinOperation: page.controller.operation; Layout.fillWidth: true }
    }

    ScrollView {
        id: scroll
        anchors.top: top.bottom
        anchors.topMargin: Theme.padding
        anchors.left: parent.left
        anchors.right: parent.right
        anchors.bottom: parent.bottom
        contentWidth: availableWidth
        // The width does not follow the scroll bar's appearance (that would re-wrap text in a loop).
        ColumnLayout {
            width: scroll.width - 2 * Theme.pageMargin
            x: Theme.pageMargin
            spacing: Theme.padding


            // The holder key signs offers and acceptances.
            UnlockCard {
                objectName: "ownershipUnlockPane"
                controller: page.controller
                message: qsTr("Your holder key is locked. Offering or accepting a twin signs with it: enter your passphrase.")
                fieldName: "ownershipUnlockField"
                buttonName: "ownershipUnlockButton"
                accessibleName: qsTr("Passphrase to unlock your holder key")
                Layout.fillWidth: true
            }

            GridLayout {
                Layout.fillWidth: true
                columns: page.width > 1100 ? 2 : 1
                columnSpacing: Theme.padding
                rowSpacing: Theme.padding

                Section {
                    title: qsTr("Your transfer handle")
                    Text {
                        text: qsTr("Give this handle to someone who wants to offer you their twin. It does not reveal your subscription.")
                        color: Theme.mutedText
                        font.pixelSize: Theme.fontSize
                        wrapMode: Text.WordWrap
                        Layout.fillWidth: true
                    }
                    RowLayout {
                        spacing: Theme.spacing
                        Layout.fillWidth: true
                        AppTextField {
                            id: handleField
                            objectName: "transferHandleField"
                            readOnly: true
                            selectByMouse: true
                            text: page.ownership.handle
                            placeholderText: qsTr("Asking your home network…")
                            font.family: "monospace"
                            Accessible.name: qsTr("Your transfer handle: %1").arg(text)
                            Layout.fillWidth: true
                        }
                        AppButton {
                            objectName: "copyHandleButton"
                            text: qsTr("Copy")
                            enabled: handleField.text.length > 0
                            Accessible.name: qsTr("Copy your transfer handle")
                            onClicked: {
                                handleField.selectAll()
                                handleField.copy()
                                handleField.deselect()
                                copiedHandle.visible = true
                            }
                        }
                    }
                    Text {
                        id: copiedHandle
                        objectName: "handleCopiedText"
                        visible: false
                        text: qsTr("Copied to the clipboard.")
                        color: Theme.mutedText
                        font.pixelSize: Theme.smallSize
                    }
                }

                // ---- the owner: offer the twin
                Section {
                    objectName: "offerPane"
                    visible: page.holdsTwin
                    title: qsTr("Offer your twin")
                    Hint { objectName: "offerHint"; text: page.ownership.offerHint }
                    RowLayout {
                        spacing: Theme.padding
                        RadioButton {
                            id: byHandle
                            objectName: "offerByHandleRadio"
                            text: qsTr("To a subscriber's handle")
                            checked: true
                            Accessible.name: text
                        }
                        RadioButton {
                            id: byCode
                            objectName: "offerByCodeRadio"
                            text: qsTr("With a one-time code")
                            Accessible.name: text
                        }
                    }
                    AppTextField {
                        id: recipientField
                        objectName: "recipientHandleField"
                        visible: byHandle.checked
                        placeholderText: qsTr("Recipient's transfer handle (tw-…)")
                        font.family: "monospace"
                        Accessible.name: qsTr("Recipient's transfer handle")
                        Layout.fillWidth: true
                    }
                    Text {
                        visible: byCode.checked
                        text: qsTr("Anyone who enters the code can accept: give it only to the intended recipient, in person or over a channel you trust.")
                        color: Theme.mutedText
                        font.pixelSize: Theme.fontSize
                        wrapMode: Text.WordWrap
                        Layout.fillWidth: true
                    }
                    RowLayout {
                        spacing: Theme.spacing
                        Label { text: qsTr("Valid for"); color: Theme.text; font.pixelSize: Theme.fontSize }
                        ComboBox {
                            id: expiryBox
                            objectName: "offerExpiryBox"
                            textRole: "label"
                            valueRole: "seconds"
                            model: [
                                { label: qsTr("1 hour"), seconds: 3600 },
                                { label: qsTr("1 day"), seconds: 86400 },
                                { label: qsTr("7 days"), seconds: 604800 }
                            ]
                            currentIndex: 1
                            Accessible.name: qsTr("How long the offer can be accepted: %1").arg(displayText)
                        }
                        Item { Layout.fillWidth: true }
                        AppButton {
                            objectName: "offerButton"
                            icon.source: Theme.icon("send")
                            text: byCode.checked ? qsTr("Create transfer code") : qsTr("Offer my twin")
                            highlighted: true
                            enabled: page.ownership.canOffer && !page.ownership.operation.busy
                                     && (byCode.checked || recipientField.text.trim().length > 0)
                            Accessible.name: text
                            onClicked: page.ownership.offer(byCode.checked ? "" : recipientField.text, expiryBox.currentValue)
                        }
                    }
                    // The code exists only in the service's answer: shown once, until noted.
                    Rectangle {
                        objectName: "offerCodePane"
                        visible: page.ownership.offerCode.length > 0
                        Layout.fillWidth: true
                        implicitHeight: codeColumn.implicitHeight + 2 * Theme.padding
                        color: Theme.background
                        radius: Theme.radius
                        border.color: Theme.accent
                        border.width: 2
                        ColumnLayout {
                            id: codeColumn
                            anchors.fill: parent
                            anchors.margins: Theme.padding
                            spacing: Theme.spacing
                            Text {
                                text: qsTr("Transfer code (shown only now; valid until %1)").arg(page.ownership.offerCodeExpires)
                                color: Theme.text
                                font.pixelSize: Theme.fontSize
                                wrapMode: Text.WordWrap
                                Layout.fillWidth: true
                            }
                            AppTextField {
                                id: codeField
                                objectName: "offerCodeText"
                                readOnly: true
                                selectByMouse: true
                                text: page.ownership.offerCode
                                font.family: "monospace"
                                font.pixelSize: Theme.headlineSize
                                font.bold: true
                                Accessible.name: qsTr("Transfer code: %1").arg(text.split("").join(" "))
                                Layout.fillWidth: true
                            }
                            RowLayout {
                                spacing: Theme.spacing
                                AppButton {
                                    objectName: "copyCodeButton"
                                    text: qsTr("Copy code")
                                    Accessible.name: text
                                    onClicked: { codeField.selectAll(); codeField.copy(); codeField.deselect() }
                                }
                                AppButton {
                                    objectName: "dismissCodeButton"
                                    text: qsTr("I have noted the code")
                                    Accessible.name: qsTr("Hide the transfer code; it cannot be shown again")
                                    onClicked: page.ownership.dismissCode()
                                }
                            }
                        }
                    }
                }

                // ---- the recipient: accept with a code
                Section {
                    objectName: "receivePane"
                    visible: !page.holdsTwin
                    title: qsTr("Receive a twin offered to you")
                    Text {
                        text: qsTr("Offers made to your handle appear under Offers below. If the owner gave you a one-time code, enter it here. Accepting signs the twin's avatar with your holder key; the twin, its credential and its avatar then become yours.")
                        color: Theme.mutedText
                        font.pixelSize: Theme.fontSize
                        wrapMode: Text.WordWrap
                        Layout.fillWidth: true
                    }
                    Hint { objectName: "acceptHint"; text: page.ownership.acceptHint }
                    RowLayout {
                        spacing: Theme.spacing
                        Layout.fillWidth: true
                        AppTextField {
                            id: codeInput
                            objectName: "transferCodeField"
                            placeholderText: qsTr("Transfer code, e.g. ABCD-EFGH-JKLM-NPQR")
                            font.family: "monospace"
                            Accessible.name: qsTr("Transfer code")
                            Layout.fillWidth: true
                            onAccepted: acceptCodeButton.clicked()
                        }
                        AppButton {
                            id: acceptCodeButton
                            objectName: "acceptCodeButton"
                            icon.source: Theme.icon("receive")
                            text: qsTr("Accept with code")
                            highlighted: true
                            enabled: page.ownership.canAccept && !page.ownership.operation.busy && codeInput.text.trim().length > 0
                            Accessible.name: text
                            onClicked: {
                                page.ownership.acceptCode(codeInput.text)
                                codeInput.clear()
                            }
                        }
                    }
                }
            }

            // A twin accepted whose avatar download failed can be fetched again.
            AppButton {
                objectName: "fetchAvatarButton"
                icon.source: Theme.icon("receive")
                visible: page.holdsTwin && String(page.controller.modelUrl).length === 0 && !page.ownership.operation.busy
                text: qsTr("Fetch avatar again")
                Accessible.name: qsTr("Fetch your twin's avatar from the repository again")
                onClicked: page.ownership.fetchAvatar()
            }

            // ---- offers, both directions
            Section {
                title: qsTr("Offers")
                Text {
                    objectName: "noTransfersText"
                    visible: transferList.count === 0
                    text: page.ownership.loading ? qsTr("Loading…") : qsTr("No offers made by you or to you in the last 30 days.")
                    color: Theme.mutedText
                    font.pixelSize: Theme.fontSize
                }
                ListView {
                    id: transferList
                    objectName: "transferList"
                    model: page.ownership.transfers
                    implicitHeight: contentHeight
                    interactive: false
                    spacing: Theme.spacing
                    activeFocusOnTab: true
                    keyNavigationEnabled: true
                    Accessible.role: Accessible.List
                    Accessible.name: qsTr("Transfer offers")
                    Layout.fillWidth: true

                    delegate: Rectangle {
                        id: offerRow
                        required property int index
                        required property string transferId
                        required property string direction
                        required property string state
                        required property string stateText
                        required property string peer
                        required property string avatarId
                        required property bool codeBased
                        required property string expires
                        required property bool open
                        readonly property bool outgoing: direction === "outgoing"
                        readonly property string who: outgoing
                            ? (peer.length > 0 ? qsTr("You offered your twin to %1").arg(peer)
                                               : qsTr("You offered your twin with a one-time code"))
                            : qsTr("%1 offers you a twin").arg(peer.length > 0 ? peer : qsTr("Someone"))
                        readonly property string icon: state === "accepted" ? "passed"
                                                     : state === "pending" ? "skipped" : "failed"
                        objectName: "transfer_" + transferId
                        width: ListView.view.width
                        implicitHeight: rowLayout.implicitHeight + 2 * Theme.spacing
                        color: ListView.isCurrentItem && transferList.activeFocus ? Theme.background : "transparent"
                        border.color: Theme.border
                        radius: Theme.radius
                        Accessible.role: Accessible.ListItem
                        Accessible.name: who + ". " + avatarId + ". " + stateText + (expires ? ", " + expires : "")

                        RowLayout {
                            id: rowLayout
                            anchors.fill: parent
                            anchors.margins: Theme.spacing
                            spacing: Theme.spacing
                            StateIcon {
                                state: offerRow.icon
                                Layout.preferredWidth: 18
                                Layout.preferredHeight: 18
                                Layout.alignment: Qt.AlignTop
                            }
                            ColumnLayout {
                                spacing: 2
                                Layout.fillWidth: true
                                Text {
                                    text: offerRow.who
                                    color: Theme.text
                                    font.pixelSize: Theme.fontSize
                                    font.bold: true
                                    wrapMode: Text.WrapAnywhere
                                    Layout.fillWidth: true
                                }
                                Text {
                                    text: offerRow.avatarId
                                    color: Theme.mutedText
                                    font.pixelSize: Theme.smallSize
                                    elide: Text.ElideMiddle
                                    Layout.fillWidth: true
                                }
                                Text {
                                    objectName: "transferState_" + offerRow.transferId
                                    text: offerRow.stateText + (offerRow.expires ? " · " + offerRow.expires : "")
                                    color: Theme.text
                                    font.pixelSize: Theme.smallSize
                                    wrapMode: Text.WordWrap
                                    Layout.fillWidth: true
                                }
                            }
                            AppButton {
                                objectName: "acceptButton_" + offerRow.transferId
                                icon.source: Theme.icon("check")
                                visible: !offerRow.outgoing && offerRow.open
                                text: qsTr("Accept")
                                highlighted: true
                                enabled: page.ownership.canAccept && !page.ownership.operation.busy
                                Accessible.name: qsTr("Accept the twin offered by %1").arg(offerRow.peer)
                                Accessible.description: page.ownership.acceptHint
                                onClicked: page.ownership.accept(offerRow.transferId)
                            }
                            AppButton {
                                objectName: "declineButton_" + offerRow.transferId
                                flat: true
                                visible: !offerRow.outgoing && offerRow.open
                                text: qsTr("Decline")
                                enabled: !page.ownership.operation.busy
                                Accessible.name: qsTr("Decline the twin offered by %1").arg(offerRow.peer)
                                onClicked: page.ownership.decline(offerRow.transferId)
                            }
                            AppButton {
                                objectName: "cancelButton_" + offerRow.transferId
                                flat: true
                                visible: offerRow.outgoing && offerRow.open
                                text: qsTr("Withdraw")
                                enabled: !page.ownership.operation.busy
                                Accessible.name: qsTr("Withdraw your offer")
                                onClicked: page.ownership.cancel(offerRow.transferId)
                            }
                            AppButton {
                                objectName: "receiptButton_" + offerRow.transferId
                                icon.source: Theme.icon("file")
                                visible: offerRow.state === "accepted"
                                text: qsTr("Receipt and history")
                                enabled: !page.ownership.loading
                                Accessible.name: qsTr("Show the verified receipt and ownership history of this transfer")
                                onClicked: page.ownership.showReceipt(offerRow.transferId)
                            }
                        }
                    }
                }
            }

            // ---- receipt and history of an accepted transfer
            Section {
                objectName: "receiptPane"
                visible: page.ownership.receiptTransferId.length > 0
                title: qsTr("Transfer receipt")
                RowLayout {
                    spacing: Theme.spacing
                    StateIcon {
                        state: page.ownership.receiptVerified ? "passed" : (page.ownership.loading ? "skipped" : "failed")
                        Layout.preferredWidth: 20
                        Layout.preferredHeight: 20
                    }
                    Text {
                        objectName: "receiptVerdict"
                        text: page.ownership.receiptVerified
                              ? qsTr("Verified: the transfer is in the transparency log and both signatures check out.")
                              : page.ownership.loading ? qsTr("Checking…")
                              : page.ownership.receipt.problem.length > 0
                                ? qsTr("Not verified: %1").arg(page.ownership.receipt.problem)
                                : qsTr("Not verified: the receipt has not been checked yet.")
                        color: Theme.text
                        font.pixelSize: Theme.fontSize
                        wrapMode: Text.WordWrap
                        Layout.fillWidth: true
                    }
                }
                FactList {
                    objectName: "receiptFacts"
                    model: page.ownership.receipt
                    Accessible.name: qsTr("Transfer receipt")
                    Layout.fillWidth: true
                }
                Text {
                    text: qsTr("Ownership history of this twin")
                    font.pixelSize: Theme.titleSize
                    font.weight: Font.DemiBold
                    color: Theme.text
                    Accessible.role: Accessible.Heading
                    Accessible.name: text
                }
                FactList {
                    objectName: "historyFacts"
                    model: page.ownership.history
                    Accessible.name: qsTr("Ownership history, oldest first")
                    Layout.fillWidth: true
                }
            }
            Item { Layout.preferredHeight: Theme.padding }
        }
    }
}
