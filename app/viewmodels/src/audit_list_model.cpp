#include "twinseal/viewmodels/audit_list_model.h"

#include <QDateTime>

namespace twinseal::viewmodels {

using namespace twinseal::security;

namespace {

QString describeType(const std::string& type) {
    for (const auto& e : knownAuditEvents())
        if (type == e.type)
            return QString::fromUtf8(e.description);
    return QString::fromStdString(type);
}

} // namespace

int AuditListModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

QVariant AuditListModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const AuditEntry& e = m_all[m_rows[static_cast<std::size_t>(index.row())]];
    switch (role) {
    case Qt::DisplayRole:
    case TypeRole:
        return QString::fromStdString(e.type);
    case SequenceRole:
        return QVariant::fromValue<qulonglong>(e.sequence);
    case TimeRole:
        return QDateTime::fromSecsSinceEpoch(e.timestamp, Qt::UTC).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss 'UTC'"));
    case DescriptionRole:
        return describeType(e.type);
    case OutcomeRole:
        return QString::fromUtf8(auditOutcomeName(e.outcome).data());
    case ReasonRole:
        return QString::fromStdString(e.reason);
    case DetailsRole: {
        QStringList parts;
        for (const auto& f : e.fields)
            parts << QStringLiteral("%1: %2").arg(QString::fromStdString(f.key), QString::fromStdString(f.value));
        return parts.join(QStringLiteral(" · "));
    }
    case SignedRole:
        return e.sequence < m_signed;
    default:
        return {};
    }
}

QHash<int, QByteArray> AuditListModel::roleNames() const {
    return {{SequenceRole, "sequence"}, {TimeRole, "time"},       {TypeRole, "type"},
            {DescriptionRole, "description"}, {OutcomeRole, "outcome"}, {ReasonRole, "reason"},
            {DetailsRole, "details"}, {SignedRole, "signedEntry"}};
}

void AuditListModel::setEntries(std::vector<AuditEntry> entries, std::uint64_t signedCount) {
    m_all = std::move(entries);
    m_signed = signedCount;
    refilter();
}

void AuditListModel::setFilter(AuditFilter filter) {
    m_filter = std::move(filter);
    refilter();
}

void AuditListModel::refilter() {
    beginResetModel();
    m_rows.clear();
    for (std::size_t i = m_all.size(); i-- > 0;)
        if (m_filter.matches(m_all[i]))
            m_rows.push_back(i);
    endResetModel();
    emit countChanged();
}

} // namespace twinseal::viewmodels
