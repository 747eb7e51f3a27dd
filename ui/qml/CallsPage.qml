pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import TwinSeal.ViewModels

// Calls (DESIGN §4): create a room with its policy, invite by transfer handle, answer a ring,
// join by the room's address and code; in the room, a tile per participant with its verified
// avatar, its badge in shape and words and the full report one click away, and the call's
// alerts (failed verification, key change with its decision, revocation during the call).
// An integrity-only room says so for the whole call.
Page {
    id: page
    objectName: "callsPage"
    required property TwinController controller
    readonly property CallsController calls: controller.calls
    readonly property bool wide: width > 1000
    background: Rectangle { color: Theme.background }
    Accessible.name: qsTr("Calls")

    ScrollView {
        anchors.fill: parent
        contentWidth: availableWidth
        ColumnLayout {
            width: parent.width - 2 * Theme.pageMargin
            x: Theme.pageMargin
            spacing: Theme.padding

            Item { Layout.preferredHeight: Theme.spacing }
            PageHeading {
                title: qsTr("Calls")
                subtitle: qsTr("Everyone in a room is verified by you before you see them.")
                Layout.fillWidth: true
            }
            StatusStrip { operation: page.calls.operation; twinOperation: page.controller.operation; Layout.fillWidth: true }

            // ---- integrity-only: for the whole call
            Rectangle {
                objectName: "integrityBanner"
                visible: page.calls.integrityOnly
                Layout.fillWidth: true
                radius: Theme.radius
                color: Qt.tint(Theme.surface, Qt.rgba(Theme.untrusted.r, Theme.untrusted.g, Theme.untrusted.b, 0.12))
                border.color: Theme.untrusted
                border.width: 2
                implicitHeight: integrityRow.implicitHeight + 2 * Theme.padding
                Accessible.role: Accessible.AlertMessage
                Accessible.name: integrityText.text
                RowLayout {
                    id: integrityRow
                    anchors.fill: parent
                    anchors.margins: Theme.padding
                    spacing: Theme.spacing
                    StateIcon { state: "warning"; Layout.preferredWidth: 22; Layout.preferredHeight: 22 }
                    Text {
                        id: integrityText
                        objectName: "integrityBannerText"
                        text: qsTr("Integrity only: this room's policy forbids encryption. Everyone's movements are authenticated (no one can alter or forge them) but NOT confidential: the room host and anyone on the path can see them.")
                        color: Theme.text
                        font.pixelSize: Theme.fontSize
                        font.bold: true
                        wrapMode: Text.WordWrap
                        Layout.fillWidth: true
                    }
                }
            }

            // ---- the call's state, in words and shape
            Card {
                objectName: "callStatePane"
                Layout.fillWidth: true
                RowLayout {
                    anchors.fill: parent
                    spacing: Theme.padding
                    StateIcon {
                        state: page.calls.callState === "in-call" && page.calls.allVerified ? "verified"
                               : page.calls.callState === "ended" ? "failed"
                               : page.calls.inRoom || page.calls.callState === "ringing" ? "warning" : "skipped"
                        Layout.preferredWidth: 24
                        Layout.preferredHeight: 24
                    }
                    ColumnLayout {
                        spacing: 2
                        Layout.fillWidth: true
                        Text {
                            objectName: "callStateText"
                            text: page.calls.callStateText
                            color: Theme.text
                            font.pixelSize: Theme.subtitleSize
                            font.bold: true
                            Layout.fillWidth: true
                            wrapMode: Text.WordWrap
                        }
                        Text {
                            objectName: "roomTitleText"
                            visible: page.calls.inRoom
                            text: qsTr("Room “%1”").arg(page.calls.roomTitle)
                            color: Theme.text
                            font.pixelSize: Theme.fontSize
                        }
                        TextEdit {
                            objectName: "roomUriText"
                            visible: page.calls.inRoom
                            readOnly: true
                            selectByMouse: true
                            text: page.calls.roomUri
                            color: Theme.mutedText
                            font.family: "monospace"
                            font.pixelSize: Theme.smallSize
                            Layout.fillWidth: true
                            wrapMode: TextEdit.WrapAnywhere
                        }
                        TextEdit {
                            objectName: "roomCodeText"
                            visible: page.calls.inRoom && page.calls.roomCode.length > 0
                            readOnly: true
                            selectByMouse: true
                            text: qsTr("Room code: %1").arg(page.calls.roomCode)
                            color: Theme.text
                            font.family: "monospace"
                            font.pixelSize: Theme.fontSize
                        }
                        Text {
                            objectName: "ownHandleText"
                            visible: page.calls.handle.length > 0
                            text: qsTr("Your transfer handle: %1").arg(page.calls.handle)
                            color: Theme.mutedText
                            font.pixelSize: Theme.smallSize
                        }
                    }
                    AppButton {
                        objectName: "goOnlineButton"
                        visible: !page.calls.inRoom && !page.calls.reachable
                        icon.source: Theme.icon("receive")
                        text: qsTr("Receive calls")
                        enabled: !page.calls.operation.busy
                        onClicked: page.calls.goOnline()
                    }
                    AppButton {
                        id: copyInvitationButton
                        objectName: "copyInvitationButton"
                        property string copied
                        visible: page.calls.inRoom
                        icon.source: Theme.icon("copy")
                        text: qsTr("Copy invitation")
                        ToolTip.visible: hovered
                        ToolTip.text: qsTr("The room's address and code, for the people you ask to join")
                        onClicked: {
                            page.calls.copyInvitation()
                            copied = page.calls.invitation
                        }
                    }
                    Text {
                        objectName: "invitationCopiedText"
                        visible: page.calls.inRoom && copyInvitationButton.copied === page.calls.invitation
                        text: qsTr("Copied")
                        color: Theme.mutedText
                        font.pixelSize: Theme.smallSize
                    }
                    AppButton {
                        objectName: "leaveButton"
                        visible: page.calls.inRoom
                        highlighted: true
                        text: qsTr("Leave")
                        onClicked: page.calls.leave()
                    }
                }
            }

            // ---- an incoming ring
            Card {
                objectName: "incomingCallPane"
                visible: page.calls.callState === "ringing"
                frameColor: Theme.accent
                Layout.fillWidth: true
                RowLayout {
                    anchors.fill: parent
                    spacing: Theme.padding
                    Text {
                        objectName: "incomingCallText"
                        text: qsTr("%1 is calling you. Everyone in the room is verified by you before you see them.").arg(page.calls.ringingFrom)
                        color: Theme.text
                        font.pixelSize: Theme.subtitleSize
                        wrapMode: Text.WordWrap
                        Layout.fillWidth: true
                    }
                    AppButton { objectName: "acceptCallButton"; highlighted: true; text: qsTr("Accept"); onClicked: page.calls.accept() }
                    AppButton { objectName: "declineCallButton"; text: qsTr("Decline"); onClicked: page.calls.decline() }
                }
            }

            // ---- alerts, newest first
            Repeater {
                model: page.calls.alerts
                CallAlert {
                    Layout.fillWidth: true
                    onAcceptKey: (id) => page.calls.acceptNewKey(id)
                    onBlock: (id) => page.calls.blockParticipant(id)
                    onDismiss: (id) => page.calls.dismissAlert(id)
                }
            }

            // ---- not in a room: create, join
            GridLayout {
                visible: !page.calls.inRoom && page.calls.callState !== "ringing"
                columns: page.wide ? 2 : 1
                columnSpacing: Theme.padding
                rowSpacing: Theme.padding
                Layout.fillWidth: true

                Card {
                    objectName: "createRoomPane"
                    Layout.fillWidth: true
                    Layout.alignment: Qt.AlignTop
                    ColumnLayout {
                        anchors.fill: parent
                        spacing: Theme.spacing
                        Text { text: qsTr("New room"); color: Theme.text; font.pixelSize: Theme.titleSize; font.bold: true }
                        AppTextField { id: titleField; objectName: "roomTitleField"; Accessible.name: qsTr("Room title"); placeholderText: qsTr("Title, e.g. Theatre 3"); Layout.fillWidth: true }
                        Text { text: qsTr("Who may join"); color: Theme.mutedText; font.pixelSize: Theme.fontSize }
                        RadioButton { id: byCode; objectName: "byCodeRadio"; checked: true; text: qsTr("Anyone with the room code") }
                        RadioButton { id: byInvite; objectName: "byInviteRadio"; text: qsTr("Only the people I invite") }
                        AppTextField {
                            id: invitedField
                            objectName: "invitedField"
                            Accessible.name: qsTr("Transfer handles to invite")
                            visible: byInvite.checked
                            placeholderText: qsTr("Their transfer handles, separated by commas")
                            Layout.fillWidth: true
                        }
                        AppTextField { id: roleField; objectName: "requiredRoleField"; Accessible.name: qsTr("Required role"); placeholderText: qsTr("Required role (optional), e.g. surgeon"); Layout.fillWidth: true }
                        AppTextField {
                            id: roleRootField
                            objectName: "roleRootField"
                            Accessible.name: qsTr("Enterprise root certificate file")
                            visible: roleField.text.length > 0
                            placeholderText: qsTr("PEM file of the enterprise that vouches for the role")
                            Layout.fillWidth: true
                        }
                        Switch {
                            id: integritySwitch
                            objectName: "integrityOnlySwitch"
                            text: qsTr("Integrity only (where the law forbids encryption)")
                        }
                        AppButton {
                            objectName: "createRoomButton"
                            highlighted: true
                            icon.source: Theme.icon("add")
                            text: qsTr("Create room")
                            enabled: !page.calls.operation.busy
                            onClicked: page.calls.createRoom(titleField.text, byCode.checked, invitedField.text,
                                                             roleField.text, roleRootField.text, integritySwitch.checked)
                        }
                    }
                }
                Card {
                    objectName: "joinRoomPane"
                    Layout.fillWidth: true
                    Layout.alignment: Qt.AlignTop
                    ColumnLayout {
                        anchors.fill: parent
                        spacing: Theme.spacing
                        Text { text: qsTr("Join a room"); color: Theme.text; font.pixelSize: Theme.titleSize; font.bold: true }
                        AppTextField { id: uriField; objectName: "joinUriField"; Accessible.name: qsTr("Room address"); placeholderText: qsTr("Invitation or room address"); Layout.fillWidth: true }
                        AppTextField { id: codeField; objectName: "joinCodeField"; Accessible.name: qsTr("Room code"); placeholderText: qsTr("Room code"); Layout.fillWidth: true }
                        AppButton {
                            objectName: "joinRoomButton"
                            highlighted: true
                            text: qsTr("Join")
                            enabled: !page.calls.operation.busy && uriField.text.length > 0
                            onClicked: page.calls.joinRoom(uriField.text, codeField.text)
                        }
                    }
                }
            }

            // ---- in the room: invite, the tiles, the report
            RowLayout {
                visible: page.calls.inRoom
                spacing: Theme.spacing
                Layout.fillWidth: true
                AppTextField { id: inviteField; objectName: "inviteField"; Accessible.name: qsTr("Transfer handle to invite"); placeholderText: qsTr("Invite by transfer handle"); Layout.fillWidth: true }
                AppButton {
                    objectName: "inviteButton"
                    icon.source: Theme.icon("send")
                    text: qsTr("Invite")
                    enabled: inviteField.text.length > 0
                    onClicked: { page.calls.invite(inviteField.text); inviteField.text = "" }
                }
            }
            Flow {
                objectName: "participantGrid"
                visible: page.calls.inRoom
                spacing: Theme.padding
                Layout.fillWidth: true
                Repeater {
                    model: page.calls.participants
                    ParticipantTile {
                        width: page.wide ? 320 : 280
                        height: 380
                        onReportRequested: (id) => page.calls.showReport(id)
                        onHeadInput: (yaw, pitch) => page.calls.setHeadInput(yaw, pitch)
                    }
                }
            }
            Card {
                objectName: "reportPane"
                visible: page.calls.reportParticipant >= 0
                Layout.fillWidth: true
                ColumnLayout {
                    anchors.fill: parent
                    spacing: Theme.spacing
                    RowLayout {
                        Layout.fillWidth: true
                        Text {
                            text: qsTr("Verification report")
                            color: Theme.text
                            font.pixelSize: Theme.titleSize
                            font.bold: true
                            Layout.fillWidth: true
                        }
                        AppButton { objectName: "closeReportButton"; flat: true; text: qsTr("Close"); onClicked: page.calls.closeReport() }
                    }
                    VerificationBadge {
                        objectName: "reportBadge"
                        state: page.calls.reportState
                        subject: page.calls.reportSubject
                        reason: page.calls.reportSummary
                        Layout.fillWidth: true
                    }
                    CheckList { model: page.calls.report; Layout.fillWidth: true }
                }
            }
            Item { Layout.preferredHeight: Theme.pageMargin }
        }
    }
}
