import QtQuick
import QtQuick.Layouts

// A page's title and one line saying what the page is for.
ColumnLayout {
    property string title
    property string subtitle
    spacing: 4
    Text {
        text: parent.title
        font.pixelSize: Theme.displaySize
        font.weight: Font.Bold
        color: Theme.text
        Accessible.role: Accessible.Heading
        Accessible.name: text
    }
    Text {
        visible: text.length > 0
        text: parent.subtitle
        color: Theme.mutedText
        font.pixelSize: Theme.fontSize
        wrapMode: Text.WordWrap
        Layout.fillWidth: true
    }
}
