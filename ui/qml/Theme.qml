pragma Singleton
import QtQuick

// Colours, spacing and type for both themes. Colour never carries meaning alone: every state
// also has an icon shape and words (see StateIcon, VerificationBadge).
QtObject {
    id: theme
    property bool dark: false

    readonly property color background: dark ? "#15181d" : "#f6f7f9"
    readonly property color surface: dark ? "#1f242b" : "#ffffff"
    readonly property color text: dark ? "#e8eaed" : "#1b1f24"
    readonly property color mutedText: dark ? "#a9b0ba" : "#59606b"
    readonly property color border: dark ? "#343b45" : "#d5d9df"
    readonly property color accent: dark ? "#6ea8ff" : "#1f5fbf"

    // State colours chosen to stay distinguishable for common colour-vision deficiencies.
    readonly property color verified: dark ? "#5cc28a" : "#1e7a46"
    readonly property color untrusted: dark ? "#f0b35a" : "#9a5b00"
    readonly property color failed: dark ? "#ff7b72" : "#b3261e"
    readonly property color skipped: mutedText

    readonly property int spacing: 8
    readonly property int padding: 16
    readonly property int radius: 6
    readonly property int fontSize: 14
    readonly property int titleSize: 18

    function stateColor(state) {
        switch (state) {
        case "verified": case "passed": return verified
        case "valid-untrusted-issuer": case "warning": return untrusted
        case "failed": return failed
        default: return skipped
        }
    }
}
