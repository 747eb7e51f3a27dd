import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// Privacy (being built).
Page {
    id: page
    objectName: "privacyPage"
    required property var controller
    background: Rectangle { color: Theme.background }
    Accessible.name: qsTr("Privacy")
    ColumnLayout {
        anchors.fill: parent
        anchors.margins: 2 * Theme.padding
        PageHeading { title: qsTr("Privacy"); Layout.fillWidth: true }
        StatusStrip { controller: page.controller; Layout.fillWidth: true }
        Item { Layout.fillHeight: true }
    }
}
