import QtQuick
import QtQuick.Layouts

// The overall verification state of a peer: icon, words and the reason. Never just a colour.
//   state: "verified" | "valid-untrusted-issuer" | "incomplete" | "failed"
// Incomplete (a check could not run, e.g. the media was not given) has its own shape and words:
// it is never shown as verified, nor as a failure.
Rectangle {
    id: badge
    property string state: "failed"
    property string reason: ""      // the failure's or warning's explanation
    property string subject: ""     // who: pseudonym (Avatar-ID)

    readonly property string headline: {
        switch (state) {
        case "verified": return qsTr("Verified")
        case "valid-untrusted-issuer": return qsTr("Not trusted")
        case "incomplete": return qsTr("Incomplete")
        default: return qsTr("Verification failed")
        }
    }

    objectName: "verificationBadge"
    implicitWidth: row.implicitWidth + 2 * Theme.padding
    implicitHeight: row.implicitHeight + 2 * Theme.spacing
    radius: Theme.radius
    color: Theme.surface
    border.color: Theme.stateColor(state)
    border.width: 2
    Accessible.role: Accessible.StaticText
    Accessible.name: headline + (subject ? ": " + subject : "") + (reason ? ". " + reason : "")

    RowLayout {
        id: row
        anchors.fill: parent
        anchors.leftMargin: Theme.padding
        anchors.rightMargin: Theme.padding
        spacing: Theme.spacing
        StateIcon {
            objectName: "verificationBadgeIcon"
            state: badge.state
            Layout.preferredWidth: 24
            Layout.preferredHeight: 24
        }
        ColumnLayout {
            spacing: 2
            Layout.fillWidth: true
            Text {
                objectName: "verificationBadgeHeadline"
                text: badge.headline + (badge.subject ? " — " + badge.subject : "")
                color: Theme.text
                font.pixelSize: Theme.fontSize
                font.bold: true
                Layout.fillWidth: true
                elide: Text.ElideRight
            }
            Text {
                objectName: "verificationBadgeReason"
                visible: badge.reason.length > 0
                text: badge.reason
                color: Theme.mutedText
                font.pixelSize: Theme.smallSize
                wrapMode: Text.WrapAtWordBoundaryOrAnywhere // long IDs have no spaces
                Layout.fillWidth: true
            }
        }
    }
}
