pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Controls.impl
import QtQuick.Dialogs
import QtQuick.Layouts
import TwinSeal.ViewModels

// My Twin's Roles card: the role credentials an enterprise (e.g. a hospital) issued for this
// twin's key ("surgeon, St. Mary's"), presented in rooms that require the role. Add one from a
// file (file picker, drag and drop or its path), see each with its enterprise and validity (an
// expired one is marked by shape and words) and remove one after confirming.
Card {
    id: card
    objectName: "rolesCard"
    required property RolesController roles
    Accessible.role: Accessible.Grouping
    Accessible.name: qsTr("Roles")

    FileDialog {
        id: roleDialog
        objectName: "roleFileDialog"
        title: qsTr("Choose a role credential your enterprise issued")
        nameFilters: [qsTr("Role credentials (*.tsrc)"), qsTr("Any file (*)")]
        onAccepted: card.roles.importFile(String(selectedFile))
    }

    // Asks before a role credential is removed: it cannot be undone here (the enterprise would
    // have to send the file again).
    Dialog {
        id: confirmRemove
        objectName: "confirmRemoveRoleDialog"
        property string roleId: ""
        property string roleText: ""
        title: qsTr("Remove this role credential?")
        modal: true
        anchors.centerIn: Overlay.overlay
        width: Math.min(Overlay.overlay ? Overlay.overlay.width - 4 * Theme.padding : 480, 480)
        background: Rectangle {
            color: Theme.surface
            radius: Theme.cardRadius
            border.color: Theme.border
            border.width: 1
        }
        header: Label {
            text: confirmRemove.title
            color: Theme.text
            font.pixelSize: Theme.titleSize
            font.weight: Font.Bold
            padding: Theme.padding + 4
            bottomPadding: Theme.spacing
        }
        contentItem: Text {
            objectName: "confirmRemoveRoleText"
            text: qsTr("%1 will no longer be presented, so rooms that require this role will refuse you. To use it again you need the file from the enterprise.").arg(confirmRemove.roleText)
            color: Theme.text
            font.pixelSize: Theme.fontSize
            wrapMode: Text.WordWrap
        }
        footer: Item {
            implicitHeight: Theme.controlHeight + Theme.spacing + Theme.padding
            RowLayout {
                anchors.right: parent.right
                anchors.rightMargin: Theme.padding + 4
                anchors.top: parent.top
                anchors.topMargin: Theme.spacing
                spacing: Theme.spacing
                AppButton {
                    objectName: "cancelRemoveRoleButton"
                    text: qsTr("Keep it")
                    onClicked: confirmRemove.reject()
                }
                AppButton {
                    objectName: "confirmRemoveRoleButton"
                    text: qsTr("Remove")
                    highlighted: true
                    Accessible.name: qsTr("Remove %1").arg(confirmRemove.roleText)
                    onClicked: {
                        card.roles.remove(confirmRemove.roleId)
                        confirmRemove.accept()
                    }
                }
            }
        }
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: Theme.spacing

        Text {
            text: qsTr("Roles")
            font.pixelSize: Theme.titleSize
            font.weight: Font.DemiBold
            color: Theme.text
            Accessible.role: Accessible.Heading
            Accessible.name: text
        }
        Text {
            text: qsTr("Roles an enterprise (e.g. your hospital) vouches for, issued for your twin's key. Rooms that require a role admit you with a valid one.")
            color: Theme.mutedText
            font.pixelSize: Theme.fontSize
            wrapMode: Text.WordWrap
            Layout.fillWidth: true
        }
        StatusStrip { operation: card.roles.operation; Layout.fillWidth: true }

        Text {
            objectName: "noRolesText"
            visible: card.roles.roles.count === 0
            text: qsTr("No role credentials yet.")
            color: Theme.mutedText
            font.pixelSize: Theme.fontSize
            font.italic: true
        }
        Repeater {
            model: card.roles.roles
            delegate: RowLayout {
                id: roleRow
                required property int index
                required property string roleId
                required property string roleName
                required property string organisation
                required property string enterprise
                required property string roleState
                required property string stateText
                required property string shape
                readonly property string title: roleRow.organisation.length > 0 && roleRow.organisation !== roleRow.roleName
                                                ? qsTr("%1, %2").arg(roleRow.roleName).arg(roleRow.organisation) : roleRow.roleName
                objectName: "roleRow_" + roleRow.index
                Layout.fillWidth: true
                spacing: Theme.spacing
                Accessible.role: Accessible.ListItem
                Accessible.name: qsTr("%1, from %2: %3").arg(roleRow.title).arg(roleRow.enterprise).arg(roleRow.stateText)
                StateIcon {
                    state: roleRow.shape
                    Layout.preferredWidth: Theme.stateIconSize
                    Layout.preferredHeight: Theme.stateIconSize
                    Layout.alignment: Qt.AlignTop
                }
                ColumnLayout {
                    spacing: 0
                    Layout.fillWidth: true
                    Text {
                        objectName: "roleTitle_" + roleRow.index
                        text: roleRow.title
                        color: roleRow.roleState === "valid" ? Theme.text : Theme.mutedText
                        font.pixelSize: Theme.subtitleSize
                        font.weight: Font.DemiBold
                        font.strikeout: roleRow.roleState === "expired" || roleRow.roleState === "other-key"
                        wrapMode: Text.WordWrap
                        Layout.fillWidth: true
                    }
                    Text {
                        text: qsTr("Vouched for by %1").arg(roleRow.enterprise)
                        color: Theme.mutedText
                        font.pixelSize: Theme.smallSize
                        wrapMode: Text.WordWrap
                        Layout.fillWidth: true
                    }
                    Text {
                        objectName: "roleState_" + roleRow.index
                        text: roleRow.stateText
                        color: roleRow.roleState === "valid" ? Theme.text : Theme.stateColor(roleRow.shape)
                        font.pixelSize: Theme.smallSize
                        font.weight: roleRow.roleState === "valid" ? Font.Normal : Font.DemiBold
                        wrapMode: Text.WordWrap
                        Layout.fillWidth: true
                    }
                }
                AppButton {
                    objectName: "removeRoleButton_" + roleRow.index
                    flat: true
                    icon.source: Theme.icon("close")
                    text: qsTr("Remove")
                    Accessible.name: qsTr("Remove the role credential %1").arg(roleRow.title)
                    Layout.alignment: Qt.AlignTop
                    onClicked: {
                        confirmRemove.roleId = roleRow.roleId
                        confirmRemove.roleText = roleRow.title
                        confirmRemove.open()
                    }
                }
            }
        }

        // A file dragged over it is announced in words and a thicker frame, not only a tint.
        Rectangle {
            objectName: "roleDropArea"
            visible: card.roles.canImport
            Layout.fillWidth: true
            Layout.preferredHeight: 72
            Layout.topMargin: Theme.spacing
            radius: Theme.radius
            color: roleDrop.containsDrag ? Qt.rgba(Theme.accent.r, Theme.accent.g, Theme.accent.b, 0.12) : Theme.background
            border.color: roleDrop.containsDrag ? Theme.accent : Theme.border
            border.width: roleDrop.containsDrag ? 4 : 2
            Accessible.role: Accessible.Grouping
            Accessible.name: qsTr("Drop area for a role credential file")
            Accessible.description: roleDropHint.text
            RowLayout {
                anchors.centerIn: parent
                width: Math.min(implicitWidth, parent.width - 2 * Theme.padding)
                spacing: Theme.spacing
                IconImage {
                    source: Theme.icon("upload")
                    sourceSize.width: 24
                    sourceSize.height: 24
                    color: roleDrop.containsDrag ? Theme.accent : Theme.mutedText
                    Accessible.ignored: true
                }
                Text {
                    id: roleDropHint
                    objectName: "roleDropHint"
                    text: roleDrop.containsDrag ? qsTr("⤓ Release to add this role credential")
                                                : qsTr("Drop a role credential file (.tsrc) here")
                    color: roleDrop.containsDrag ? Theme.text : Theme.mutedText
                    font.pixelSize: Theme.fontSize
                    font.bold: roleDrop.containsDrag
                    wrapMode: Text.WordWrap
                    Layout.fillWidth: true
                }
            }
            DropArea {
                id: roleDrop
                objectName: "roleDropTarget"
                anchors.fill: parent
                keys: ["text/uri-list"]
                onDropped: (d) => { if (d.hasUrls) card.roles.importFile(String(d.urls[0])) }
            }
        }
        RowLayout {
            visible: card.roles.canImport
            Layout.fillWidth: true
            spacing: Theme.spacing
            AppTextField {
                id: rolePathField
                objectName: "rolePathField"
                placeholderText: qsTr("…or the file's path")
                Accessible.name: qsTr("Path of a role credential file")
                Layout.fillWidth: true
                onAccepted: addRolePath.clicked()
            }
            AppButton {
                id: addRolePath
                objectName: "addRolePathButton"
                text: qsTr("Add")
                enabled: rolePathField.text.trim().length > 0
                onClicked: {
                    if (card.roles.importFile(rolePathField.text))
                        rolePathField.clear()
                }
            }
            AppButton {
                objectName: "chooseRoleFileButton"
                text: qsTr("Choose file…")
                icon.source: Theme.icon("file")
                onClicked: roleDialog.open()
            }
        }
    }
}
