// The Ownership page's list of transfer offers, outgoing and incoming, open and recently
// finished, newest first. Each row says who the peer is, which twin, its state and when it
// expires, in words; `open` rows can still be accepted, declined or cancelled.
// Roles: transferId, direction ("outgoing" / "incoming"), state, stateText, peer, dtId,
// avatarId, codeBased, expiresAt, expires (words), expired, open, finishedText.
#pragma once

#include <QtQml/qqmlregistration.h>

#include <QAbstractListModel>
#include <QString>
#include <QVector>

namespace twinseal::viewmodels {

struct TransferRow {
    QString transferId;
    bool outgoing = false;
    QString state; // pending, accepted, declined, cancelled, expired, stale
    QString peer;  // the other party's transfer handle; empty for an unanswered code-based offer
    QString dtId;
    QString avatarId;
    bool codeBased = false;
    qint64 createdAt = 0;
    qint64 expiresAt = 0;
    qint64 finishedAt = 0;
};

class TransferListModel : public QAbstractListModel {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("TransferListModel is created by the client, not by QML")
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)
    Q_PROPERTY(int openIncoming READ openIncoming NOTIFY countChanged)
public:
    enum Role {
        TransferIdRole = Qt::UserRole + 1,
        DirectionRole,
        StateRole,
        StateTextRole,
        PeerRole,
        DtIdRole,
        AvatarIdRole,
        CodeBasedRole,
        ExpiresAtRole,
        ExpiresRole,
        ExpiredRole,
        OpenRole,
        FinishedTextRole,
    };
    using QAbstractListModel::QAbstractListModel;

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    // Replaces the rows; `now` (seconds since the epoch) is what expiry is judged against.
    void setTransfers(QVector<TransferRow> rows, qint64 now);
    [[nodiscard]] const QVector<TransferRow>& transfers() const noexcept { return m_rows; }
    // Judges expiry against `now` again (rows that expired meanwhile are no longer open).
    void setNow(qint64 now);
    // The earliest expiry after `now` of a pending offer, or 0 when none will expire.
    [[nodiscard]] qint64 nextExpiry() const;
    // The row of `transferId`, or nullptr.
    [[nodiscard]] const TransferRow* find(const QString& transferId) const;
    // Pending incoming offers that have not expired.
    [[nodiscard]] int openIncoming() const;
    [[nodiscard]] bool isExpired(const TransferRow& row) const;
    [[nodiscard]] bool isOpen(const TransferRow& row) const;

    // "in 3 hours", "2 days ago", ... relative to `now`.
    [[nodiscard]] static QString relativeTime(qint64 at, qint64 now);

signals:
    void countChanged();

private:
    [[nodiscard]] QString expiresText(const TransferRow& row) const;
    [[nodiscard]] static QString stateText(const TransferRow& row, bool expired);

    QVector<TransferRow> m_rows;
    qint64 m_now = 0;
};

} // namespace twinseal::viewmodels
