import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

Page {
    id: page
    objectName: "auditPage"
    required property var controller
    background: Rectangle { color: Theme.background }
    ColumnLayout {
        anchors.fill: parent
        anchors.margins: 2 * Theme.padding
        PageHeading { title: qsTr("Audit"); Layout.fillWidth: true }
        StatusStrip { controller: page.controller; Layout.fillWidth: true }
        Item { Layout.fillHeight: true }
    }
}
