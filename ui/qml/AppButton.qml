import QtQuick
import QtQuick.Controls
import QtQuick.Controls.impl

// The app's button, in three roles taken from the standard properties:
//   primary   (highlighted: true) — the page's or card's main action, filled with the accent;
//   secondary (the default)       — other actions, outlined;
//   flat      (flat: true)        — quiet actions (dismiss, remove), text only.
// Same height, type and icon size everywhere; a visible ring shows keyboard focus.
Button {
    id: control
    readonly property string role: highlighted ? "primary" : flat ? "flat" : "secondary"
    readonly property color labelColor: !enabled ? Theme.mutedText
                                                 : role === "primary" ? Theme.accentText : Theme.accent

    implicitWidth: Math.max(implicitBackgroundWidth + leftInset + rightInset,
                            implicitContentWidth + leftPadding + rightPadding)
    implicitHeight: Theme.controlHeight
    topInset: 0
    bottomInset: 0
    leftInset: 0
    rightInset: 0
    topPadding: 0
    bottomPadding: 0
    leftPadding: role === "flat" ? 12 : String(icon.source).length > 0 ? 16 : 20
    rightPadding: role === "flat" ? 12 : 20
    spacing: Theme.spacing
    font.pixelSize: Theme.fontSize
    font.weight: Font.DemiBold
    font.capitalization: Font.MixedCase
    icon.width: Theme.iconSize
    icon.height: Theme.iconSize
    icon.color: labelColor

    contentItem: IconLabel {
        spacing: control.spacing
        mirrored: control.mirrored
        display: control.display
        icon: control.icon
        text: control.text
        font: control.font
        color: control.labelColor
    }

    background: Rectangle {
        implicitWidth: 64
        implicitHeight: Theme.controlHeight
        radius: height / 2
        readonly property color tint: control.role === "primary" ? Theme.accentText : Theme.accent
        readonly property real tintAlpha: control.down ? 0.16 : control.hovered ? 0.08 : 0
        color: {
            if (control.role === "primary")
                return control.enabled ? Qt.tint(Theme.accent, Qt.rgba(tint.r, tint.g, tint.b, tintAlpha))
                                       : Theme.surfaceVariant
            return Qt.rgba(tint.r, tint.g, tint.b, tintAlpha)
        }
        border.width: control.visualFocus ? 2 : control.role === "secondary" ? 1 : 0
        border.color: control.visualFocus ? Theme.accent
                      : control.enabled ? Theme.border : Qt.rgba(Theme.border.r, Theme.border.g, Theme.border.b, 0.6)
    }
}
