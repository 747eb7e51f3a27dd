import QtQuick
import QtQuick.Controls
import QtTest
import TwinSeal.UI

// The style's tokens and parts: every icon loads, the button roles follow highlighted / flat,
// and text stays readable on its background in both themes (WCAG 2 contrast ratios).
TestCase {
    id: testCase
    name: "Style"
    when: windowShown
    width: 480
    height: 320

    Component { id: imageComponent; Image { sourceSize.width: 24; sourceSize.height: 24 } }
    Component { id: buttonComponent; AppButton { text: "Do it" } }

    function cleanup() { Theme.dark = false }

    function test_icons_load_data() {
        return ["twin", "ownership", "privacy", "activity", "settings", "seal", "refresh", "lock", "unlock",
                "file", "folder", "close", "add", "send", "receive", "export", "check", "key", "upload"]
            .map(name => ({ tag: name, name: name }))
    }

    // Each icon the views name exists in the module and decodes (the SVG image plugin is there).
    function test_icons_load(data) {
        const image = createTemporaryObject(imageComponent, testCase, { source: Theme.icon(data.name) })
        verify(image)
        tryCompare(image, "status", Image.Ready)
        compare(image.implicitWidth, 24)
    }

    function test_button_roles() {
        const primary = createTemporaryObject(buttonComponent, testCase, { highlighted: true })
        const secondary = createTemporaryObject(buttonComponent, testCase)
        const flat = createTemporaryObject(buttonComponent, testCase, { flat: true })
        compare(primary.role, "primary")
        compare(secondary.role, "secondary")
        compare(flat.role, "flat")
        // One height for every role; the label is in the words' own case.
        compare(primary.height, Theme.controlHeight)
        compare(flat.height, Theme.controlHeight)
        compare(secondary.font.capitalization, Font.MixedCase)
        // A primary button's label contrasts with its fill; the others' with the page.
        verify(contrast(primary.labelColor, Theme.accent) >= 4.5)
        verify(contrast(secondary.labelColor, Theme.surface) >= 4.5)
        secondary.enabled = false
        compare(secondary.labelColor, Theme.mutedText)
    }

    function luminance(c) {
        const lin = v => v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4)
        return 0.2126 * lin(c.r) + 0.7152 * lin(c.g) + 0.0722 * lin(c.b)
    }
    function contrast(a, b) {
        const la = luminance(a), lb = luminance(b)
        return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05)
    }

    function test_contrast_data() {
        return [{ tag: "light", dark: false }, { tag: "dark", dark: true }]
    }

    // Body text and secondary text at least 4.5:1 on the page and on cards; state colours
    // (icons, frames) at least 3:1 on cards; the selected page's label on its pill 4.5:1.
    function test_contrast(data) {
        Theme.dark = data.dark
        for (const bg of [Theme.background, Theme.surface]) {
            verify(contrast(Theme.text, bg) >= 4.5, "text")
            verify(contrast(Theme.mutedText, bg) >= 4.5, "muted text " + contrast(Theme.mutedText, bg))
            verify(contrast(Theme.accent, bg) >= 4.5, "accent " + contrast(Theme.accent, bg))
        }
        for (const state of ["verified", "warning", "failed"])
            verify(contrast(Theme.stateColor(state), Theme.surface) >= 3, state)
        verify(contrast(Theme.accentText, Theme.accent) >= 4.5, "primary button label")
        verify(contrast(Theme.accentContainerText, Theme.accentContainer) >= 4.5, "selected page")
    }
}
