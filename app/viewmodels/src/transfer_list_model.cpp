#include "twinseal/viewmodels/transfer_list_model.h"

#include <QDateTime>

namespace twinseal::viewmodels {

namespace {

// "1 hour", "3 days": the largest whole unit.
QString amount(qint64 seconds) {
    const qint64 s = seconds < 0 ? -seconds : seconds;
    auto unit = [](qint64 n, const char* one, const char* many) {
        return n == 1 ? TransferListModel::tr(one) : TransferListModel::tr(many).arg(n);
    };
    if (s < 60)
        return TransferListModel::tr("less than a minute");
    if (s < 3600)
        return unit(s / 60, "1 minute", "%1 minutes");
    if (s < 86400)
        return unit(s / 3600, "1 hour", "%1 hours");
    return unit(s / 86400, "1 day", "%1 days");
}

QString date(qint64 t) {
    return QDateTime::fromSecsSinceEpoch(t, Qt::UTC).toString(QStringLiteral("yyyy-MM-dd HH:mm 'UTC'"));
}

} // namespace

int TransferListModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

QVariant TransferListModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const TransferRow& r = m_rows.at(index.row());
    const bool expired = isExpired(r);
    switch (role) {
    case Qt::DisplayRole:
    case TransferIdRole: return r.transferId;
    case DirectionRole: return r.outgoing ? QStringLiteral("outgoing") : QStringLiteral("incoming");
    case StateRole: return expired && r.state == QLatin1String("pending") ? QStringLiteral("expired") : r.state;
    case StateTextRole: return stateText(r, expired);
    case PeerRole: return r.peer;
    case DtIdRole: return r.dtId;
    case AvatarIdRole: return r.avatarId;
    case CodeBasedRole: return r.codeBased;
    case ExpiresAtRole: return r.expiresAt;
    case ExpiresRole: return expiresText(r);
    case ExpiredRole: return expired;
    case OpenRole: return isOpen(r);
    case FinishedTextRole: return r.finishedAt > 0 ? date(r.finishedAt) : QString();
    default: return {};
    }
}

QHash<int, QByteArray> TransferListModel::roleNames() const {
    return {{TransferIdRole, "transferId"}, {DirectionRole, "direction"}, {StateRole, "state"},
            {StateTextRole, "stateText"},   {PeerRole, "peer"},           {DtIdRole, "dtId"},
            {AvatarIdRole, "avatarId"},     {CodeBasedRole, "codeBased"}, {ExpiresAtRole, "expiresAt"},
            {ExpiresRole, "expires"},       {ExpiredRole, "expired"},     {OpenRole, "open"},
            {FinishedTextRole, "finishedText"}};
}

void TransferListModel::setTransfers(QVector<TransferRow> rows, qint64 now) {
    const auto oldCount = m_rows.size();
    const int oldOpen = openIncoming();
    beginResetModel();
    m_rows = std::move(rows);
    m_now = now;
    endResetModel();
    if (m_rows.size() != oldCount || openIncoming() != oldOpen)
        emit countChanged();
}

void TransferListModel::setNow(qint64 now) {
    const int oldOpen = openIncoming();
    m_now = now;
    if (!m_rows.isEmpty())
        emit dataChanged(index(0), index(static_cast<int>(m_rows.size()) - 1));
    if (openIncoming() != oldOpen)
        emit countChanged();
}

qint64 TransferListModel::nextExpiry() const {
    qint64 next = 0;
    for (const TransferRow& r : m_rows)
        if (r.state == QLatin1String("pending") && r.expiresAt > m_now && (next == 0 || r.expiresAt < next))
            next = r.expiresAt;
    return next;
}

const TransferRow* TransferListModel::find(const QString& transferId) const {
    for (const TransferRow& r : m_rows)
        if (r.transferId == transferId)
            return &r;
    return nullptr;
}

int TransferListModel::openIncoming() const {
    int n = 0;
    for (const TransferRow& r : m_rows)
        if (!r.outgoing && isOpen(r))
            ++n;
    return n;
}

bool TransferListModel::isExpired(const TransferRow& row) const {
    return row.state == QLatin1String("expired") ||
           (row.state == QLatin1String("pending") && row.expiresAt > 0 && row.expiresAt <= m_now);
}

bool TransferListModel::isOpen(const TransferRow& row) const {
    return row.state == QLatin1String("pending") && !isExpired(row);
}

QString TransferListModel::relativeTime(qint64 at, qint64 now) {
    return at >= now ? tr("in %1").arg(amount(at - now)) : tr("%1 ago").arg(amount(now - at));
}

QString TransferListModel::expiresText(const TransferRow& row) const {
    if (row.state == QLatin1String("pending"))
        return isExpired(row) ? tr("expired %1").arg(relativeTime(row.expiresAt, m_now))
                              : tr("expires %1").arg(relativeTime(row.expiresAt, m_now));
    if (row.state == QLatin1String("expired"))
        return tr("expired %1").arg(relativeTime(row.expiresAt, m_now));
    if (row.finishedAt > 0)
        return tr("%1 %2").arg(stateText(row, false), relativeTime(row.finishedAt, m_now));
    return {};
}

QString TransferListModel::stateText(const TransferRow& row, bool expired) {
    if (expired)
        return tr("expired");
    if (row.state == QLatin1String("pending"))
        return row.outgoing ? tr("waiting for the recipient") : tr("waiting for your answer");
    if (row.state == QLatin1String("accepted"))
        return tr("accepted");
    if (row.state == QLatin1String("declined"))
        return tr("declined");
    if (row.state == QLatin1String("cancelled"))
        return tr("cancelled");
    if (row.state == QLatin1String("stale"))
        return tr("no longer valid (the twin changed since the offer)");
    return row.state;
}

} // namespace twinseal::viewmodels
