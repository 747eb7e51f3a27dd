#include <twinseal/headset_layers/trusted_layer_painter.h>

#include <QFont>
#include <QFontMetrics>
#include <QObject>
#include <QPainter>
#include <QPainterPath>

#include <algorithm>

namespace twinseal::headset_layers {

namespace {

constexpr int kRowHeight = 44;
constexpr int kBadgeSize = 36;
constexpr int kGap = 8;
constexpr int kHeaderHeight = 30;
constexpr int kAlertHeight = 30;
constexpr QRgb kSurface = 0xFF15181D;
constexpr QRgb kText = 0xFFE6E8EE;
constexpr QRgb kMuted = 0xFFA9B0BD;

QString headline(const QString& state) {
    if (state == QLatin1String("verified"))
        return QObject::tr("Verified");
    if (state == QLatin1String("valid-untrusted-issuer"))
        return QObject::tr("Not trusted");
    if (state == QLatin1String("incomplete"))
        return QObject::tr("Incomplete");
    if (state == QLatin1String("pending"))
        return QObject::tr("Checking");
    return QObject::tr("Verification failed");
}

QString alertWords(const TrustedAlert& a) {
    if (a.kind == QLatin1String("verification-failed"))
        return QObject::tr("Verification failed");
    if (a.kind == QLatin1String("key-change"))
        return QObject::tr("Key changed");
    if (a.kind == QLatin1String("revoked"))
        return QObject::tr("Revoked during the call");
    if (a.kind == QLatin1String("integrity-only"))
        return QObject::tr("Integrity only: the call's animation is not confidential");
    if (a.kind == QLatin1String("not-verified"))
        return QObject::tr("Not verified");
    return QObject::tr("Alert");
}

// The badge's shape in white on its colour (StateIcon.qml's shapes).
void drawBadge(QPainter& p, const QRect& r, const QString& state) {
    p.setPen(Qt::NoPen);
    p.setBrush(QColor::fromRgb(trustedStateColour(state)));
    p.drawRoundedRect(r, 6, 6);
    QPen pen(Qt::white, std::max(3, r.width() / 9), Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin);
    p.setPen(pen);
    p.setBrush(Qt::NoBrush);
    const double x = r.x(), y = r.y(), w = r.width(), h = r.height();
    auto at = [&](double fx, double fy) { return QPointF(x + fx * w, y + fy * h); };
    if (state == QLatin1String("verified")) {
        const QPointF pts[] = {at(0.25, 0.55), at(0.45, 0.72), at(0.76, 0.32)};
        p.drawPolyline(pts, 3);
    } else if (state == QLatin1String("valid-untrusted-issuer")) {
        const QPointF pts[] = {at(0.5, 0.25), at(0.78, 0.75), at(0.22, 0.75)};
        p.drawPolygon(pts, 3);
        p.drawLine(at(0.5, 0.45), at(0.5, 0.58));
    } else if (state == QLatin1String("failed")) {
        p.drawLine(at(0.3, 0.3), at(0.7, 0.7));
        p.drawLine(at(0.7, 0.3), at(0.3, 0.7));
    } else if (state == QLatin1String("incomplete")) {
        p.drawArc(QRectF(at(0.27, 0.27), at(0.73, 0.73)), -45 * 16, 270 * 16);
        p.drawPoint(at(0.5, 0.5));
    } else {
        p.drawLine(at(0.3, 0.5), at(0.7, 0.5));
    }
}

} // namespace

TrustedLayerLayout::TrustedLayerLayout(QSize s) : size(s), frame(std::max(16, std::min(s.width(), s.height()) / 12)) {}

QRect TrustedLayerLayout::inner() const {
    return QRect(QPoint(frame, frame), size - QSize(2 * frame, 2 * frame));
}

int TrustedLayerLayout::alertRows() const { return 3; }

int TrustedLayerLayout::rows() const {
    const int h = inner().height() - kHeaderHeight - alertRows() * kAlertHeight - 2 * kGap;
    return std::max(0, h / kRowHeight);
}

QRect TrustedLayerLayout::badge(int row) const {
    const QRect in = inner();
    return QRect(in.x() + kGap, in.y() + kHeaderHeight + row * kRowHeight + (kRowHeight - kBadgeSize) / 2,
                 kBadgeSize, kBadgeSize);
}

QRect TrustedLayerLayout::name(int row) const {
    const QRect in = inner();
    const QRect b = badge(row);
    return QRect(b.right() + 1 + kGap, in.y() + kHeaderHeight + row * kRowHeight,
                 in.right() - kGap - (b.right() + 1 + kGap), kRowHeight);
}

QRect TrustedLayerLayout::alert(int index) const {
    const QRect in = inner();
    const int top = in.bottom() + 1 - kGap - (alertRows() - index) * kAlertHeight;
    return QRect(in.x() + kGap, top, in.width() - 2 * kGap, kAlertHeight - 4);
}

QRgb trustedStateColour(const QString& state) {
    if (state == QLatin1String("verified"))
        return 0xFF5CC28A;
    if (state == QLatin1String("valid-untrusted-issuer") || state == QLatin1String("incomplete"))
        return 0xFFF0B35A;
    if (state == QLatin1String("pending"))
        return 0xFF6B7280;
    return 0xFFFF8A80;  // failed, and anything unknown
}

QRgb trustedAlertColour() { return 0xFFB3261E; }

QString cleanPeerText(const QString& text) {
    QString out;
    for (const QChar c : text) {
        const QChar::Category cat = c.category();
        if (cat == QChar::Other_Control || cat == QChar::Other_Format || cat == QChar::Separator_Line ||
            cat == QChar::Separator_Paragraph)
            continue;
        out.append(c);
    }
    out = out.simplified();
    if (out.size() > 48)
        out = out.left(47) + QChar(0x2026);
    return out;
}

QImage paintTrustedLayer(const TrustedLayerContent& content, const QImage& securityImage, QSize size) {
    QImage image(size, QImage::Format_RGBA8888);
    image.fill(QColor::fromRgb(kSurface));
    const TrustedLayerLayout layout(size);
    QPainter p(&image);
    p.setRenderHint(QPainter::Antialiasing);
    p.setRenderHint(QPainter::TextAntialiasing);

    // 1. Peer-chosen text first, each name clipped to its own column inside the frame.
    QFont nameFont = p.font();
    nameFont.setPixelSize(15);
    QFont boldFont = nameFont;
    boldFont.setBold(true);
    const int shown = std::min<int>(layout.rows(), static_cast<int>(content.participants.size()));
    for (int i = 0; i < shown; ++i) {
        const TrustedParticipant& who = content.participants[i];
        const QRect r = layout.name(i);
        p.save();
        p.setClipRect(r);
        p.setFont(boldFont);
        p.setPen(QColor::fromRgb(trustedStateColour(who.state)));
        const QString head = headline(who.state);
        const int headWidth = QFontMetrics(boldFont).horizontalAdvance(head) + 12;
        p.drawText(QRect(r.x(), r.y(), headWidth, r.height()), Qt::AlignVCenter | Qt::AlignLeft, head);
        p.setFont(nameFont);
        p.setPen(QColor::fromRgb(kText));
        const QString name = who.local ? QObject::tr("You") : cleanPeerText(who.name);
        const QRect nameRect(r.x() + headWidth, r.y(), std::max(0, r.width() - headWidth), r.height());
        p.drawText(nameRect, Qt::AlignVCenter | Qt::AlignLeft,
                   QFontMetrics(nameFont).elidedText(name, Qt::ElideRight, nameRect.width()));
        p.restore();
    }
    const int alertsShown = std::min<int>(layout.alertRows(), static_cast<int>(content.alerts.size()));
    for (int i = 0; i < alertsShown; ++i) {
        const QRect r = layout.alert(i);
        p.save();
        p.setPen(Qt::NoPen);
        p.setBrush(QColor::fromRgb(trustedAlertColour()));
        p.drawRoundedRect(r, 4, 4);
        p.setClipRect(r.adjusted(6, 0, -6, 0));
        p.setPen(Qt::white);
        p.setFont(boldFont);
        const TrustedAlert& a = content.alerts[i];
        const QString text = a.kind == QLatin1String("integrity-only")
                                 ? alertWords(a)
                                 : alertWords(a) + QStringLiteral(" — ") + cleanPeerText(a.title);
        p.drawText(r.adjusted(6, 0, -6, 0), Qt::AlignVCenter | Qt::AlignLeft,
                   QFontMetrics(boldFont).elidedText(text, Qt::ElideRight, r.width() - 12));
        p.restore();
    }

    // 2. The application's own marks, drawn over anything above: the header, the badges...
    p.setClipping(false);
    p.setFont(boldFont);
    p.setPen(QColor::fromRgb(kMuted));
    const QRect in = layout.inner();
    QString header = content.inRoom ? QObject::tr("TwinSeal — verification of everyone in the call")
                                    : QObject::tr("TwinSeal — not in a call");
    if (content.participants.size() > shown)
        header += QObject::tr(" (%1 more on the panel)").arg(content.participants.size() - shown);
    p.drawText(QRect(in.x() + 8, in.y(), in.width() - 16, 30), Qt::AlignVCenter | Qt::AlignLeft, header);
    for (int i = 0; i < shown; ++i)
        drawBadge(p, layout.badge(i), content.participants[i].state);

    // ...and last the frame of the owner's security image, all around.
    const QRect whole(QPoint(0, 0), size);
    QPainterPath ring;
    ring.addRect(whole);
    ring.addRect(in);
    p.save();
    p.setClipPath(ring);
    if (securityImage.isNull()) {
        p.fillRect(whole, QColor(0x44, 0x44, 0x44));
        p.setPen(Qt::white);
        QFont small = nameFont;
        small.setPixelSize(std::max(9, layout.frame - 6));
        p.setFont(small);
        p.drawText(QRect(0, 0, size.width(), layout.frame), Qt::AlignCenter,
                   QObject::tr("No security image chosen: choose one in Settings"));
    } else {
        const int tile = 2 * layout.frame;
        const QImage scaled = securityImage.scaled(tile, tile, Qt::KeepAspectRatioByExpanding, Qt::SmoothTransformation)
                                  .copy(0, 0, tile, tile);
        for (int y = 0; y < size.height(); y += tile)
            for (int x = 0; x < size.width(); x += tile)
                p.drawImage(QPoint(x, y), scaled);
    }
    p.restore();
    p.end();
    return image;
}

} // namespace twinseal::headset_layers
