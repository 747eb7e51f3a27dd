pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import TwinSeal.ViewModels

// Privacy (DESIGN §7): the pseudonym peers see, what the owner discloses per room or party
// (everyone else sees the pseudonym only), pseudonym rotation, and the lawful disclosures the
// home network recorded about the twin.
Page {
    id: page
    objectName: "privacyPage"
    required property TwinController controller
    readonly property PrivacyController privacy: controller.privacy
    readonly property bool wide: width > 1000
    background: Rectangle { color: Theme.background }
    Accessible.name: qsTr("Privacy")

    // Fills the rule editor from an existing rule (Edit) or clears it (New).
    function editRule(target, name, role, organisation, licenceId) {
        targetField.text = target
        nameCheck.checked = name
        roleCheck.checked = role
        organisationCheck.checked = organisation
        licenceIdCheck.checked = licenceId
        targetField.forceActiveFocus()
    }

    ScrollView {
        anchors.fill: parent
        contentWidth: availableWidth
        ColumnLayout {
            width: parent.width - 2 * Theme.pageMargin
            x: Theme.pageMargin
            spacing: Theme.padding

            Item { Layout.preferredHeight: Theme.spacing }
            PageHeading {
                title: qsTr("Privacy")
                subtitle: qsTr("Peers see your pseudonym. You choose who sees more.")
                Layout.fillWidth: true
            }
            StatusStrip { operation: page.privacy.operation; twinOperation: page.controller.operation; Layout.fillWidth: true }

            // ---- the pseudonym and its rotation
            Card {
                objectName: "pseudonymPane"
                Layout.fillWidth: true
                ColumnLayout {
                    anchors.fill: parent
                    spacing: Theme.spacing
                    RowLayout {
                        Layout.fillWidth: true
                        spacing: Theme.padding
                        ColumnLayout {
                            Layout.fillWidth: true
                            spacing: 2
                            Text {
                                text: qsTr("Peers see you as")
                                color: Theme.mutedText
                                font.pixelSize: Theme.fontSize
                            }
                            Text {
                                objectName: "pseudonymText"
                                text: page.privacy.pseudonym.length > 0 ? page.privacy.pseudonym : qsTr("no pseudonym yet")
                                color: Theme.text
                                font.pixelSize: Theme.headlineSize
                                font.bold: true
                                font.family: "monospace"
                                elide: Text.ElideRight
                                Layout.fillWidth: true
                                Accessible.role: Accessible.StaticText
                                Accessible.name: qsTr("Your pseudonym: %1").arg(text)
                            }
                        }
                        AppButton {
                            id: rotateButton
                            objectName: "rotatePseudonymButton"
                            icon.source: Theme.icon("refresh")
                            text: qsTr("Rotate pseudonym…")
                            enabled: !page.privacy.operation.busy && !page.controller.locked
                                     && page.controller.dtId.length > 0 && !confirmPane.visible
                            Accessible.name: qsTr("Rotate pseudonym")
                            Accessible.description: qsTr("Asks the home network for a new credential with a new pseudonym")
                            onClicked: {
                                confirmPane.visible = true
                                confirmRotateButton.forceActiveFocus()
                            }
                        }
                    }
                    RowLayout {
                        visible: page.controller.locked
                        spacing: Theme.spacing
                        Layout.fillWidth: true
                        StateIcon { state: "warning"; Layout.preferredWidth: 18; Layout.preferredHeight: 18 }
                        Text {
                            objectName: "rotateLockedHint"
                            text: qsTr("Unlock your twin on My Twin to rotate the pseudonym: the home network needs proof that you hold its key.")
                            color: Theme.text
                            font.pixelSize: Theme.fontSize
                            wrapMode: Text.WordWrap
                            Layout.fillWidth: true
                        }
                    }
                    Text {
                        text: qsTr("A new pseudonym makes it harder to follow you from call to call. Your previous credential is superseded; peers who knew the old pseudonym will not recognise the new one.")
                        color: Theme.mutedText
                        font.pixelSize: Theme.smallSize
                        wrapMode: Text.WordWrap
                        Layout.fillWidth: true
                    }

                    // Confirmation, inline so that it is part of the page's keyboard order.
                    Rectangle {
                        id: confirmPane
                        objectName: "rotateConfirmPane"
                        visible: false
                        Layout.fillWidth: true
                        implicitHeight: confirmLayout.implicitHeight + 2 * Theme.padding
                        color: Theme.background
                        radius: Theme.radius
                        border.color: Theme.untrusted
                        border.width: 2
                        Accessible.role: Accessible.Dialog
                        Accessible.name: qsTr("Confirm pseudonym rotation")
                        RowLayout {
                            id: confirmLayout
                            anchors.fill: parent
                            anchors.margins: Theme.padding
                            spacing: Theme.padding
                            StateIcon { state: "warning"; Layout.preferredWidth: 20; Layout.preferredHeight: 20 }
                            Text {
                                text: qsTr("Get a new pseudonym now? Your current credential stops being valid.")
                                color: Theme.text
                                font.pixelSize: Theme.fontSize
                                wrapMode: Text.WordWrap
                                Layout.fillWidth: true
                            }
                            AppButton {
                                id: confirmRotateButton
                                objectName: "confirmRotateButton"
                                text: qsTr("Rotate")
                                highlighted: true
                                Accessible.name: qsTr("Confirm: rotate the pseudonym")
                                onClicked: {
                                    confirmPane.visible = false
                                    page.privacy.rotatePseudonym()
                                }
                            }
                            AppButton {
                                objectName: "cancelRotateButton"
                                flat: true
                                text: qsTr("Cancel")
                                Accessible.name: qsTr("Cancel the pseudonym rotation")
                                onClicked: {
                                    confirmPane.visible = false
                                    rotateButton.forceActiveFocus()
                                }
                            }
                        }
                    }
                }
            }

            GridLayout {
                Layout.fillWidth: true
                columns: page.wide ? 2 : 1
                columnSpacing: Theme.padding
                rowSpacing: Theme.padding

                // ---- disclosure rules
                Card {
                    objectName: "rulesPane"
                    Layout.fillWidth: true
                    Layout.preferredWidth: 1
                    Layout.alignment: Qt.AlignTop
                    ColumnLayout {
                        anchors.fill: parent
                        spacing: Theme.spacing
                        Text { text: qsTr("What you disclose, and where"); font.pixelSize: Theme.titleSize; font.weight: Font.DemiBold; color: Theme.text; Accessible.role: Accessible.Heading; Accessible.name: text }
                        Text {
                            text: qsTr("Everywhere else, peers see only your pseudonym.")
                            color: Theme.mutedText
                            font.pixelSize: Theme.fontSize
                            wrapMode: Text.WordWrap
                            Layout.fillWidth: true
                        }
                        AppTextField {
                            id: targetField
                            objectName: "ruleTargetField"
                            placeholderText: qsTr("Room or party, e.g. theatre-3 or a peer's Avatar-ID")
                            Accessible.name: qsTr("Room or party the rule is for")
                            Layout.fillWidth: true
                            onAccepted: saveRuleButton.clicked()
                        }
                        Flow {
                            Layout.fillWidth: true
                            spacing: Theme.spacing
                            CheckBox { id: nameCheck; objectName: "ruleNameCheck"; text: qsTr("Name"); Accessible.name: qsTr("Disclose your name") }
                            CheckBox { id: roleCheck; objectName: "ruleRoleCheck"; text: qsTr("Role"); Accessible.name: qsTr("Disclose your role") }
                            CheckBox { id: organisationCheck; objectName: "ruleOrganisationCheck"; text: qsTr("Organisation"); Accessible.name: qsTr("Disclose your organisation") }
                            CheckBox { id: licenceIdCheck; objectName: "ruleLicenceIdCheck"; text: qsTr("Licence ID"); Accessible.name: qsTr("Disclose your licence ID") }
                        }
                        RowLayout {
                            spacing: Theme.spacing
                            AppButton {
                                id: saveRuleButton
                                objectName: "saveRuleButton"
                                icon.source: Theme.icon("check")
                                highlighted: true
                                text: qsTr("Save rule")
                                enabled: targetField.text.trim().length > 0
                                Accessible.name: qsTr("Save the disclosure rule")
                                onClicked: {
                                    if (page.privacy.setRule(targetField.text, nameCheck.checked, roleCheck.checked,
                                                             organisationCheck.checked, licenceIdCheck.checked))
                                        page.editRule("", false, false, false, false)
                                }
                            }
                            AppButton {
                                objectName: "clearRuleButton"
                                flat: true
                                text: qsTr("Clear")
                                Accessible.name: qsTr("Clear the rule editor")
                                onClicked: page.editRule("", false, false, false, false)
                            }
                        }
                        Text {
                            objectName: "noRulesText"
                            visible: page.privacy.rules.count === 0
                            text: qsTr("No rules yet: pseudonym only, everywhere.")
                            color: Theme.mutedText
                            font.pixelSize: Theme.fontSize
                        }
                        Repeater {
                            objectName: "rulesList"
                            model: page.privacy.rules
                            delegate: Rectangle {
                                id: ruleRow
                                required property var model
                                required property int index
                                objectName: "rule_" + index
                                Layout.fillWidth: true
                                implicitHeight: ruleLayout.implicitHeight + Theme.spacing * 2
                                color: "transparent"
                                border.color: Theme.border
                                radius: Theme.radius
                                RowLayout {
                                    id: ruleLayout
                                    anchors.fill: parent
                                    anchors.margins: Theme.spacing
                                    spacing: Theme.spacing
                                    StateIcon {
                                        state: (ruleRow.model.name || ruleRow.model.role || ruleRow.model.organisation || ruleRow.model.licenceId) ? "warning" : "skipped"
                                        Layout.preferredWidth: 16
                                        Layout.preferredHeight: 16
                                    }
                                    ColumnLayout {
                                        Layout.fillWidth: true
                                        spacing: 0
                                        Text {
                                            objectName: "ruleTarget_" + ruleRow.index
                                            text: ruleRow.model.target
                                            color: Theme.text
                                            font.pixelSize: Theme.fontSize
                                            font.bold: true
                                            elide: Text.ElideMiddle
                                            Layout.fillWidth: true
                                        }
                                        Text {
                                            objectName: "ruleSummary_" + ruleRow.index
                                            text: qsTr("Sees: %1").arg(ruleRow.model.summary)
                                            color: Theme.mutedText
                                            font.pixelSize: Theme.smallSize
                                            wrapMode: Text.WordWrap
                                            Layout.fillWidth: true
                                        }
                                    }
                                    AppButton {
                                        objectName: "editRule_" + ruleRow.index
                                        flat: true
                                        text: qsTr("Edit")
                                        Accessible.name: qsTr("Edit the rule for %1").arg(ruleRow.model.target)
                                        onClicked: page.editRule(ruleRow.model.target, ruleRow.model.name, ruleRow.model.role,
                                                                 ruleRow.model.organisation, ruleRow.model.licenceId)
                                    }
                                    AppButton {
                                        objectName: "removeRule_" + ruleRow.index
                                        flat: true
                                        text: qsTr("Remove")
                                        Accessible.name: qsTr("Remove the rule for %1").arg(ruleRow.model.target)
                                        onClicked: page.privacy.removeRule(ruleRow.model.target)
                                    }
                                }
                            }
                        }
                    }
                }

                // ---- lawful disclosures
                Card {
                    objectName: "lawfulPane"
                    Layout.fillWidth: true
                    Layout.preferredWidth: 1
                    Layout.alignment: Qt.AlignTop
                    ColumnLayout {
                        anchors.fill: parent
                        spacing: Theme.spacing
                        RowLayout {
                            Layout.fillWidth: true
                            Text {
                                text: qsTr("Lawful disclosures")
                                font.pixelSize: Theme.titleSize
                                font.weight: Font.DemiBold
                                color: Theme.text
                                Accessible.role: Accessible.Heading
                                Accessible.name: text
                                Layout.fillWidth: true
                            }
                            AppButton {
                                objectName: "refreshDisclosuresButton"
                                icon.source: Theme.icon("refresh")
                                text: page.privacy.refreshing ? qsTr("Checking…") : qsTr("Check now")
                                enabled: !page.privacy.refreshing
                                Accessible.name: qsTr("Check the home network for lawful disclosures")
                                onClicked: page.privacy.refreshDisclosures()
                            }
                        }
                        Text {
                            text: qsTr("Only your home network can disclose who you are, and only on a legal basis. Every disclosure it records is listed here.")
                            color: Theme.mutedText
                            font.pixelSize: Theme.fontSize
                            wrapMode: Text.WordWrap
                            Layout.fillWidth: true
                        }
                        RowLayout {
                            objectName: "noDisclosuresRow"
                            visible: page.privacy.lawfulDisclosures.count === 0
                            spacing: Theme.spacing
                            StateIcon {
                                state: page.privacy.disclosuresLoaded ? "passed" : "skipped"
                                Layout.preferredWidth: 16
                                Layout.preferredHeight: 16
                            }
                            Text {
                                objectName: "noDisclosuresText"
                                text: page.privacy.disclosuresLoaded ? qsTr("None recorded.") : qsTr("Not checked yet.")
                                color: Theme.text
                                font.pixelSize: Theme.fontSize
                            }
                        }
                        Repeater {
                            objectName: "lawfulList"
                            model: page.privacy.lawfulDisclosures
                            delegate: Rectangle {
                                id: lawfulRow
                                required property var model
                                required property int index
                                objectName: "lawful_" + index
                                Layout.fillWidth: true
                                implicitHeight: lawfulLayout.implicitHeight + Theme.spacing * 2
                                color: "transparent"
                                border.color: Theme.untrusted
                                radius: Theme.radius
                                Accessible.role: Accessible.ListItem
                                Accessible.name: qsTr("Disclosed to %1 on %2: %3. %4").arg(lawfulRow.model.authority).arg(lawfulRow.model.disclosedAt).arg(lawfulRow.model.attributes).arg(lawfulRow.model.verification)
                                RowLayout {
                                    id: lawfulLayout
                                    anchors.fill: parent
                                    anchors.margins: Theme.spacing
                                    spacing: Theme.spacing
                                    StateIcon {
                                        state: "warning"
                                        Layout.preferredWidth: 18
                                        Layout.preferredHeight: 18
                                        Layout.alignment: Qt.AlignTop
                                    }
                                    GridLayout {
                                        Layout.fillWidth: true
                                        columns: 2
                                        columnSpacing: Theme.spacing
                                        rowSpacing: 2
                                        Text { text: qsTr("Authority"); color: Theme.mutedText; font.pixelSize: Theme.smallSize }
                                        Text { objectName: "lawfulAuthority_" + lawfulRow.index; text: lawfulRow.model.authority; color: Theme.text; font.pixelSize: Theme.fontSize; font.bold: true; wrapMode: Text.WordWrap; Layout.fillWidth: true }
                                        Text { text: qsTr("Case"); color: Theme.mutedText; font.pixelSize: Theme.smallSize }
                                        Text { objectName: "lawfulCaseRef_" + lawfulRow.index; text: lawfulRow.model.caseRef; color: Theme.text; font.pixelSize: Theme.fontSize; wrapMode: Text.WordWrap; Layout.fillWidth: true }
                                        Text { text: qsTr("Legal basis"); color: Theme.mutedText; font.pixelSize: Theme.smallSize }
                                        Text { objectName: "lawfulLegalBasis_" + lawfulRow.index; text: lawfulRow.model.legalBasis; color: Theme.text; font.pixelSize: Theme.fontSize; wrapMode: Text.WordWrap; Layout.fillWidth: true }
                                        Text { text: qsTr("Disclosed"); color: Theme.mutedText; font.pixelSize: Theme.smallSize }
                                        Text { objectName: "lawfulAttributes_" + lawfulRow.index; text: lawfulRow.model.attributes; color: Theme.text; font.pixelSize: Theme.fontSize; wrapMode: Text.WordWrap; Layout.fillWidth: true }
                                        Text { text: qsTr("When"); color: Theme.mutedText; font.pixelSize: Theme.smallSize }
                                        Text { objectName: "lawfulTime_" + lawfulRow.index; text: lawfulRow.model.disclosedAt; color: Theme.text; font.pixelSize: Theme.fontSize; Layout.fillWidth: true }
                                        Text { text: qsTr("Shown to you"); color: Theme.mutedText; font.pixelSize: Theme.smallSize; visible: lawfulRow.model.visibleAt !== "" }
                                        Text { objectName: "lawfulVisibleAt_" + lawfulRow.index; text: lawfulRow.model.visibleAt; color: Theme.text; font.pixelSize: Theme.fontSize; visible: text !== ""; Layout.fillWidth: true }
                                        Text { text: qsTr("Log"); color: Theme.mutedText; font.pixelSize: Theme.smallSize; Layout.alignment: Qt.AlignLeft | Qt.AlignTop; topPadding: 2 }
                                        Text { objectName: "lawfulVerification_" + lawfulRow.index; text: lawfulRow.model.verification; color: lawfulRow.model.verified ? Theme.text : Theme.failed; font.pixelSize: Theme.fontSize; wrapMode: Text.WordWrap; Layout.fillWidth: true; Accessible.name: text }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            Item { Layout.preferredHeight: Theme.padding }
        }
    }
}
