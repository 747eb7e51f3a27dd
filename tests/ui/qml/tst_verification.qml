import QtQuick
import QtTest
import TwinSeal.UI

TestCase {
    id: testCase
    name: "Verification"
    when: windowShown
    width: 480
    height: 320

    Component { id: badgeComponent; VerificationBadge { width: 420 } }
    Component {
        id: listComponent
        CheckList {
            width: 420
            model: ListModel {
                ListElement { title: "Assertion signed by the holder key"; state: "passed"; detail: "" }
                ListElement { title: "Issuer chains to a trusted root"; state: "warning"; detail: "not in your trust list" }
                ListElement { title: "Media bytes match the manifest"; state: "failed"; detail: "sample-avatar.glb: chunk 2" }
                ListElement { title: "Credential is in the transparency log"; state: "skipped"; detail: "no signed tree head" }
            }
        }
    }

    function test_badge_states_data() {
        return [
            { tag: "verified", state: "verified", headline: "Verified", iconName: "passed" },
            { tag: "untrusted", state: "valid-untrusted-issuer", headline: "Not trusted", iconName: "warning" },
            { tag: "incomplete", state: "incomplete", headline: "Incomplete", iconName: "incomplete" },
            { tag: "failed", state: "failed", headline: "Verification failed", iconName: "failed" },
        ]
    }

    // Each state has its own words and icon shape, and the reason is spoken with it.
    function test_badge_states(data) {
        const badge = createTemporaryObject(badgeComponent, testCase,
            { state: data.state, reason: "the reason", subject: "Quiet Heron" })
        verify(badge)
        compare(badge.headline, data.headline)
        const headline = findChild(badge, "verificationBadgeHeadline")
        verify(headline)
        compare(headline.text, data.headline + " — Quiet Heron")
        compare(findChild(badge, "verificationBadgeReason").text, "the reason")
        compare(findChild(badge, "verificationBadgeIcon").Accessible.name, data.iconName)
        verify(badge.Accessible.name.indexOf("the reason") > 0)
        verify(badge.implicitHeight > 0)
    }

    function test_badge_without_reason_hides_it() {
        const badge = createTemporaryObject(badgeComponent, testCase, { state: "verified" })
        verify(!findChild(badge, "verificationBadgeReason").visible)
    }

    function test_check_list_rows() {
        const list = createTemporaryObject(listComponent, testCase)
        verify(list)
        tryCompare(list, "count", 4)
        const failedRow = findChild(list, "checkRow_2")
        verify(failedRow)
        verify(failedRow.Accessible.name.indexOf("failed") > 0)
        verify(failedRow.Accessible.name.indexOf("chunk 2") > 0)
        verify(findChild(list, "checkRow_1").Accessible.name.indexOf("warning") > 0)
        verify(findChild(list, "checkRow_3").Accessible.name.indexOf("not checked") > 0)
    }

    // An incomplete report is never drawn as verified: not green, not the check mark.
    function test_incomplete_is_never_verified() {
        verify(Theme.stateColor("incomplete") !== Theme.stateColor("verified"))
        verify(Theme.stateName("incomplete") !== Theme.stateName("verified"))
        const badge = createTemporaryObject(badgeComponent, testCase, { state: "incomplete" })
        verify(badge.headline !== qsTr("Verified"))
        verify(badge.border.color !== Theme.stateColor("verified"))
    }

    function test_dark_theme_keeps_states_apart() {
        Theme.dark = true
        verify(Theme.stateColor("verified") !== Theme.stateColor("failed"))
        verify(Theme.stateColor("failed") !== Theme.stateColor("warning"))
        Theme.dark = false
    }
}
