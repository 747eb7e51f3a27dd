pragma Singleton
import QtQuick

// The design tokens of every page, light and dark: colours, a type scale, spacing and sizes.
// Views take sizes from here, never literal numbers of their own. Colour never carries meaning
// alone: every state also has an icon shape and words (see StateIcon, VerificationBadge).
QtObject {
    id: theme
    property bool dark: false

    // Surfaces: the window, the navigation rail and cards, and tinted areas inside a card.
    readonly property color background: dark ? "#15181d" : "#f4f6fa"
    readonly property color surface: dark ? "#1b1e24" : "#ffffff"
    readonly property color surfaceVariant: dark ? "#252a32" : "#eef1f6"
    readonly property color text: dark ? "#e6e8ee" : "#1a1c21"
    readonly property color mutedText: dark ? "#a9b0bd" : "#5a6170"
    readonly property color border: dark ? "#363c46" : "#dde1e8"
    // The brand colour: primary buttons, the selected page, focus and links.
    readonly property color accent: dark ? "#9db4ff" : "#2f56c9"
    readonly property color accentText: dark ? "#0c1d52" : "#ffffff"
    readonly property color accentContainer: dark ? "#263766" : "#dde5ff"
    readonly property color accentContainerText: dark ? "#dde5ff" : "#0d2369"

    // State colours chosen to stay distinguishable for common colour-vision deficiencies.
    readonly property color verified: dark ? "#5cc28a" : "#1e7a46"
    readonly property color untrusted: dark ? "#f0b35a" : "#9a5b00"
    readonly property color failed: dark ? "#ff8a80" : "#b3261e"
    readonly property color skipped: mutedText

    // Type scale (pixels): page title, section title, emphasised line, body, secondary, fine print.
    readonly property int displaySize: 26
    readonly property int headlineSize: 22
    readonly property int titleSize: 18
    readonly property int subtitleSize: 16
    readonly property int fontSize: 14
    readonly property int smallSize: 12
    readonly property int captionSize: 11

    // Spacing (pixels): inside a row, inside a card, between cards, around a page.
    readonly property int spacing: 8
    readonly property int padding: 16
    readonly property int sectionGap: 24
    readonly property int pageMargin: 32
    readonly property int cardPadding: 20
    // Widest a page's content grows on large screens, so lines stay readable.
    readonly property int contentMaxWidth: 1120

    // Sizes (pixels).
    readonly property int radius: 8
    readonly property int cardRadius: 12
    readonly property int controlHeight: 40
    readonly property int iconSize: 20
    readonly property int stateIconSize: 18
    readonly property int railWidth: 224
    readonly property int headerHeight: 56

    function stateColor(state) {
        switch (state) {
        case "verified": case "passed": return verified
        case "valid-untrusted-issuer": case "warning": case "incomplete": return untrusted
        case "failed": return failed
        default: return skipped
        }
    }

    // A state in words, for screen readers and next to a StateIcon.
    function stateName(state) {
        switch (state) {
        case "verified": case "passed": return qsTr("passed")
        case "valid-untrusted-issuer": case "warning": return qsTr("warning")
        case "failed": return qsTr("failed")
        case "incomplete": return qsTr("incomplete")
        default: return qsTr("not checked")
        }
    }

    // An icon of the module (resources/icons), for `icon.source`.
    function icon(name) {
        return "qrc:/qt/qml/TwinSeal/UI/icons/" + name + ".svg"
    }
}
