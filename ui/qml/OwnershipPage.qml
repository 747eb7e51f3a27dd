import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// Ownership (being built).
Page {
    id: page
    objectName: "ownershipPage"
    required property var controller
    background: Rectangle { color: Theme.background }
    Accessible.name: qsTr("Ownership")
    ColumnLayout {
        anchors.fill: parent
        anchors.margins: 2 * Theme.padding
        PageHeading { title: qsTr("Ownership"); Layout.fillWidth: true }
        StatusStrip { controller: page.controller; Layout.fillWidth: true }
        Item { Layout.fillHeight: true }
    }
}
