import QtQuick
import QtQuick.Layouts

// The locked holder key, on every page that needs it: what is locked and why in words, a
// passphrase field and an Unlock button. The page names the field and button (tests and
// screen readers find them) and says what the key is needed for there.
Card {
    id: unlockCard
    required property var controller
    property string message
    property string fieldName: "unlockField"
    property string buttonName: "unlockButton"
    property string accessibleName: qsTr("Passphrase to unlock your twin")
    visible: unlockCard.controller.locked
    frameColor: Theme.untrusted
    RowLayout {
        anchors.fill: parent
        spacing: Theme.padding
        StateIcon { state: "warning"; Layout.preferredWidth: 20; Layout.preferredHeight: 20 }
        Text {
            text: unlockCard.message
            color: Theme.text
            font.pixelSize: Theme.fontSize
            wrapMode: Text.WordWrap
            Layout.fillWidth: true
        }
        AppTextField {
            id: unlockField
            objectName: unlockCard.fieldName
            echoMode: TextInput.Password
            placeholderText: qsTr("Passphrase")
            Accessible.name: unlockCard.accessibleName
            Layout.preferredWidth: 260
            onAccepted: unlockButton.clicked()
        }
        AppButton {
            id: unlockButton
            objectName: unlockCard.buttonName
            icon.source: Theme.icon("unlock")
            text: qsTr("Unlock")
            highlighted: true
            enabled: !unlockCard.controller.operation.busy && unlockField.text.length > 0
            Accessible.name: qsTr("Unlock the holder key")
            onClicked: {
                unlockCard.controller.unlock(unlockField.text)
                unlockField.clear()
            }
        }
    }
}
