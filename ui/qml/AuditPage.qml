pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Dialogs
import QtQuick.Layouts
import TwinSeal.ViewModels

// Activity log: the device's tamper-evident record of everything done with the twin (DESIGN
// section 8), newest first, filterable; exported as JSON or CBOR; verified on demand (the hash
// chain, the signed checkpoints, this device's audit key and the anchor kept outside the log).
Page {
    id: page
    objectName: "auditPage"
    required property TwinController controller
    readonly property AuditController audit: controller.audit
    background: Rectangle { color: Theme.background }
    Accessible.name: qsTr("Activity log")

    FileDialog {
        id: exportDialog
        title: qsTr("Export the activity log")
        fileMode: FileDialog.SaveFile
        nameFilters: [qsTr("JSON (*.json)"), qsTr("CBOR (*.cbor)")]
        onAccepted: exportPath.text = String(selectedFile).replace(/^file:\/\//, "")
    }
    FileDialog {
        id: verifyDialog
        title: qsTr("Choose an exported activity log to verify")
        nameFilters: [qsTr("Activity log exports (*.json *.cbor)"), qsTr("Any file (*)")]
        onAccepted: page.audit.verifyFile(selectedFile)
    }

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: Theme.pageMargin
        spacing: Theme.padding

        RowLayout {
            Layout.fillWidth: true
            spacing: Theme.padding
            PageHeading {
                title: qsTr("Activity log")
                subtitle: qsTr("Every operation on your twin, chained and signed on this device. %1 of %2 shown.")
                          .arg(page.audit.entries.count).arg(page.audit.entries.total)
                Layout.fillWidth: true
            }
            AppButton {
                objectName: "verifyAuditButton"
                icon.source: Theme.icon("seal")
                highlighted: true
                text: qsTr("Verify log")
                Accessible.description: qsTr("Checks the hash chain, the signatures and the anchor of this device's log")
                onClicked: page.audit.verify()
            }
            AppButton {
                objectName: "verifyExportButton"
                icon.source: Theme.icon("file")
                text: qsTr("Verify an export…")
                onClicked: verifyDialog.open()
            }
        }

        StatusStrip { operation: page.audit.operation; twinOperation: page.controller.operation; Layout.fillWidth: true }

        // The log could not be used as it was (tampered, damaged, cut short by a crash).
        Card {
            objectName: "auditIntegrityProblem"
            visible: page.audit.integrityProblem.length > 0
            Layout.fillWidth: true
            frameColor: Theme.untrusted
            RowLayout {
                anchors.fill: parent
                spacing: Theme.padding
                StateIcon { state: "warning"; Layout.preferredWidth: 20; Layout.preferredHeight: 20 }
                Text {
                    text: page.audit.integrityProblem
                    color: Theme.text
                    font.pixelSize: Theme.fontSize
                    wrapMode: Text.WordWrap
                    Layout.fillWidth: true
                }
            }
        }

        // The last verification, as shape, words and reason.
        Card {
            objectName: "auditVerification"
            visible: page.audit.verifyState.length > 0
            Layout.fillWidth: true
            Accessible.role: Accessible.StaticText
            Accessible.name: page.audit.verifySummary
            frameColor: Theme.stateColor(page.audit.verifyState)
            RowLayout {
                anchors.fill: parent
                spacing: Theme.padding
                StateIcon {
                    state: page.audit.verifyState
                    Layout.preferredWidth: 22
                    Layout.preferredHeight: 22
                    Layout.alignment: Qt.AlignTop
                }
                ColumnLayout {
                    spacing: 2
                    Layout.fillWidth: true
                    Text {
                        objectName: "auditVerifySummary"
                        text: page.audit.verifySummary
                        color: Theme.text
                        font.pixelSize: Theme.fontSize
                        font.bold: true
                        wrapMode: Text.WordWrap
                        Layout.fillWidth: true
                    }
                    Text {
                        text: page.audit.verifyDetail
                        color: Theme.mutedText
                        font.pixelSize: Theme.smallSize
                        wrapMode: Text.WrapAnywhere
                        Layout.fillWidth: true
                    }
                }
            }
        }

        // Filters.
        RowLayout {
            Layout.fillWidth: true
            spacing: Theme.padding
            ComboBox {
                id: categoryBox
                objectName: "auditCategoryFilter"
                model: page.audit.categories
                textRole: "label"
                valueRole: "key"
                Accessible.name: qsTr("Show activities of kind")
                Layout.preferredWidth: 320
                onActivated: page.audit.category = currentValue
                Component.onCompleted: currentIndex = indexOfValue(page.audit.category)
            }
            ComboBox {
                id: outcomeBox
                objectName: "auditOutcomeFilter"
                model: [
                    { key: "", label: qsTr("Any outcome") },
                    { key: "ok", label: qsTr("Succeeded") },
                    { key: "failed", label: qsTr("Failed") }
                ]
                textRole: "label"
                valueRole: "key"
                Accessible.name: qsTr("Show activities with outcome")
                Layout.preferredWidth: 180
                onActivated: page.audit.outcome = currentValue
                Component.onCompleted: currentIndex = indexOfValue(page.audit.outcome)
            }
            AppTextField {
                objectName: "auditSearchField"
                placeholderText: qsTr("Search reasons, twins, transfers…")
                text: page.audit.text
                Accessible.name: qsTr("Search the activity log")
                Layout.fillWidth: true
                onTextEdited: page.audit.text = text
            }
        }

        // The entries.
        Rectangle {
            Layout.fillWidth: true
            Layout.fillHeight: true
            color: Theme.surface
            radius: Theme.radius
            border.color: Theme.border
            ListView {
                id: entryList
                objectName: "auditEntryList"
                anchors.fill: parent
                anchors.margins: 1
                clip: true
                model: page.audit.entries
                activeFocusOnTab: true
                keyNavigationEnabled: true
                Accessible.role: Accessible.List
                Accessible.name: qsTr("Activity log entries")
                ScrollBar.vertical: ScrollBar {}
                Text {
                    anchors.centerIn: parent
                    visible: entryList.count === 0
                    text: page.audit.entries.total === 0 ? qsTr("Nothing recorded yet.")
                                                          : qsTr("No activity matches these filters.")
                    color: Theme.mutedText
                    font.pixelSize: Theme.fontSize
                }
                delegate: ItemDelegate {
                    id: entry
                    required property int index
                    required property var sequence
                    required property string time
                    required property string type
                    required property string description
                    required property string outcome
                    required property string reason
                    required property string details
                    required property bool signedEntry
                    objectName: "auditEntry_" + index
                    width: ListView.view.width
                    highlighted: ListView.isCurrentItem && entryList.activeFocus
                    Accessible.name: qsTr("%1, %2, %3%4").arg(time).arg(description)
                                     .arg(outcome === "ok" ? qsTr("succeeded") : qsTr("failed: %1").arg(reason))
                                     .arg(signedEntry ? qsTr(", signed") : qsTr(", not yet signed"))
                    onClicked: entryList.currentIndex = index
                    contentItem: RowLayout {
                        spacing: Theme.padding
                        StateIcon {
                            state: entry.outcome === "ok" ? "passed" : "failed"
                            Layout.preferredWidth: 16
                            Layout.preferredHeight: 16
                            Layout.alignment: Qt.AlignTop
                        }
                        ColumnLayout {
                            spacing: 1
                            Layout.fillWidth: true
                            RowLayout {
                                spacing: Theme.spacing
                                Layout.fillWidth: true
                                Text {
                                    text: entry.description
                                    color: Theme.text
                                    font.pixelSize: Theme.fontSize
                                    font.bold: true
                                    elide: Text.ElideRight
                                    Layout.fillWidth: true
                                }
                                Text {
                                    text: entry.outcome === "ok" ? qsTr("succeeded") : qsTr("failed: %1").arg(entry.reason)
                                    color: entry.outcome === "ok" ? Theme.mutedText : Theme.failed
                                    font.pixelSize: Theme.smallSize
                                }
                            }
                            Text {
                                text: "#" + entry.sequence + " · " + entry.time + " · " + entry.type
                                      + (entry.details.length > 0 ? " · " + entry.details : "")
                                color: Theme.mutedText
                                font.pixelSize: Theme.smallSize
                                wrapMode: Text.WrapAnywhere
                                Layout.fillWidth: true
                            }
                        }
                        Text {
                            text: entry.signedEntry ? qsTr("✓ signed") : qsTr("… not yet signed")
                            color: Theme.mutedText
                            font.pixelSize: Theme.smallSize
                            Layout.alignment: Qt.AlignTop
                            // Over the entry: why it is not signed yet.
                            ToolTip.visible: entry.hovered && !entry.signedEntry
                            ToolTip.text: qsTr("Entries made while locked are chained at once and signed when you unlock.")
                        }
                    }
                }
            }
        }

        // Export.
        RowLayout {
            Layout.fillWidth: true
            spacing: Theme.padding
            Label {
                text: qsTr("Export to")
                color: Theme.text
                font.pixelSize: Theme.fontSize
            }
            AppTextField {
                id: exportPath
                objectName: "auditExportPath"
                text: String(page.audit.suggestedExportFile("json")).replace(/^file:\/\//, "")
                Accessible.name: qsTr("File to export the activity log to")
                Layout.fillWidth: true
            }
            AppButton {
                objectName: "auditBrowseButton"
                icon.source: Theme.icon("folder")
                text: qsTr("Browse…")
                onClicked: exportDialog.open()
            }
            AppButton {
                objectName: "exportJsonButton"
                icon.source: Theme.icon("export")
                text: qsTr("Export JSON")
                onClicked: page.audit.exportTo("file://" + exportPath.text, "json")
            }
            AppButton {
                objectName: "exportCborButton"
                icon.source: Theme.icon("export")
                text: qsTr("Export CBOR")
                onClicked: page.audit.exportTo("file://" + exportPath.text.replace(/\.json$/, ".cbor"), "cbor")
            }
        }
    }
}
