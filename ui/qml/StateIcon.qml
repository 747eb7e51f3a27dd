import QtQuick

// A state drawn as a distinct shape, so it reads without colour: a check mark (verified /
// passed), a triangle with "!" (untrusted / warning), a cross (failed), an open ring with a dot
// (incomplete: some checks could not run), a dash (skipped).
Canvas {
    id: icon
    property string state: "skipped"
    property color color: Theme.stateColor(state)
    implicitWidth: 20
    implicitHeight: 20
    Accessible.role: Accessible.Graphic
    Accessible.name: Theme.stateName(state)
    onStateChanged: requestPaint()
    onColorChanged: requestPaint()

    onPaint: {
        const ctx = getContext("2d")
        const w = width, h = height
        ctx.reset()
        ctx.strokeStyle = color
        ctx.fillStyle = color
        ctx.lineWidth = Math.max(2, w / 8)
        ctx.lineCap = "round"
        ctx.beginPath()
        switch (state) {
        case "verified": case "passed":
            ctx.moveTo(w * 0.15, h * 0.55); ctx.lineTo(w * 0.42, h * 0.8); ctx.lineTo(w * 0.85, h * 0.2)
            ctx.stroke(); break
        case "valid-untrusted-issuer": case "warning":
            ctx.moveTo(w * 0.5, h * 0.08); ctx.lineTo(w * 0.95, h * 0.9); ctx.lineTo(w * 0.05, h * 0.9)
            ctx.closePath(); ctx.stroke()
            ctx.beginPath(); ctx.moveTo(w * 0.5, h * 0.38); ctx.lineTo(w * 0.5, h * 0.62); ctx.stroke()
            ctx.beginPath(); ctx.arc(w * 0.5, h * 0.76, ctx.lineWidth / 2, 0, 2 * Math.PI); ctx.fill(); break
        case "failed":
            ctx.moveTo(w * 0.2, h * 0.2); ctx.lineTo(w * 0.8, h * 0.8)
            ctx.moveTo(w * 0.8, h * 0.2); ctx.lineTo(w * 0.2, h * 0.8)
            ctx.stroke(); break
        case "incomplete":
            ctx.arc(w * 0.5, h * 0.5, w * 0.38, -0.25 * Math.PI, 1.25 * Math.PI)
            ctx.stroke()
            ctx.beginPath(); ctx.arc(w * 0.5, h * 0.5, ctx.lineWidth / 2, 0, 2 * Math.PI); ctx.fill(); break
        default:
            ctx.moveTo(w * 0.25, h * 0.5); ctx.lineTo(w * 0.75, h * 0.5); ctx.stroke()
        }
    }
}
