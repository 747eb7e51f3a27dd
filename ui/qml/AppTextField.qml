pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls

// The app's text field: the style's field, with a steady cursor in the accent colour. (The
// Material cursor blinks with a QML Timer; in Qt 6.4 stopping that timer when it is the only
// animation left can make Qt's animation clock warn, and a steady cursor also reads better.)
TextField {
    id: field
    font.pixelSize: Theme.fontSize
    cursorDelegate: Rectangle {
        width: 2
        color: Theme.accent
        visible: field.activeFocus && !field.readOnly && field.selectionStart === field.selectionEnd
    }
}
