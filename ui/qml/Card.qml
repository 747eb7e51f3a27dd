import QtQuick
import QtQuick.Controls

// A card: one section of a page on a raised surface with rounded corners. Its content is one
// layout filling it, as in a Pane. A card that needs attention (e.g. the locked twin) sets
// frameColor to a state colour; its words and StateIcon say the same, colour is never alone.
Pane {
    id: card
    property color frameColor: "transparent"
    padding: Theme.cardPadding
    background: Rectangle {
        color: Theme.surface
        radius: Theme.cardRadius
        border.color: card.frameColor.a > 0 ? card.frameColor : Theme.border
        border.width: card.frameColor.a > 0 ? 2 : 1
    }
}
