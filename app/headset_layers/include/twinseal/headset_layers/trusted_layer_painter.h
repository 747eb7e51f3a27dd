// The trusted verification layer's picture, drawn by the application alone from the view-models'
// verified state: the owner's security image as a frame all around, a badge per participant
// (the VerificationBadge's colour and shape: a check for Verified, a triangle for Not trusted, a
// ring for Incomplete, a cross for Failed, a dash while checking) and the call's alerts (failed,
// key change, revoked mid-call, integrity-only). Names are peer-chosen text: they are cleaned of
// control and direction-override characters, elided and clipped to their own column inside the
// frame, and drawn before the badges and the frame, so no name can draw, cover or imitate either.
#pragma once

#include <QImage>
#include <QRect>
#include <QSize>
#include <QString>
#include <QVector>

namespace twinseal::headset_layers {

struct TrustedParticipant {
    QString name;   // the participant's title (peer-chosen, shown as text only)
    QString state;  // verified | valid-untrusted-issuer | incomplete | failed | pending
    bool local = false;
    bool operator==(const TrustedParticipant&) const = default;
};

struct TrustedAlert {
    QString kind;   // verification-failed | key-change | revoked | integrity-only | ...
    QString title;  // what happened to whom (may contain a peer-chosen name)
    bool operator==(const TrustedAlert&) const = default;
};

struct TrustedLayerContent {
    bool inRoom = false;
    QVector<TrustedParticipant> participants;
    QVector<TrustedAlert> alerts;
    bool operator==(const TrustedLayerContent&) const = default;
};

// Where things are drawn, for a picture of `size` (tests sample these).
struct TrustedLayerLayout {
    explicit TrustedLayerLayout(QSize size);
    QSize size;
    int frame = 0;                          // the security image's border width
    [[nodiscard]] QRect inner() const;      // inside the frame
    [[nodiscard]] QRect badge(int row) const;
    [[nodiscard]] QRect name(int row) const;
    [[nodiscard]] QRect alert(int index) const;
    [[nodiscard]] int rows() const;         // participant rows that fit
    [[nodiscard]] int alertRows() const;
};

// The colour of a state's badge (the dark theme's: the layer is drawn on a dark surface).
[[nodiscard]] QRgb trustedStateColour(const QString& state);
// The colour of an alert's box.
[[nodiscard]] QRgb trustedAlertColour();
// A peer-chosen name made safe to show: no control, format (bidi override) or line-break
// characters, at most 48 characters.
[[nodiscard]] QString cleanPeerText(const QString& text);

// Paints the layer (opaque, Format_RGBA8888). A null security image leaves a plain frame with
// "No security image chosen" in it.
[[nodiscard]] QImage paintTrustedLayer(const TrustedLayerContent& content, const QImage& securityImage,
                                       QSize size);

} // namespace twinseal::headset_layers
