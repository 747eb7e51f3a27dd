#include "twinseal/viewmodels/privacy_models.h"

#include <QDateTime>

namespace twinseal::viewmodels {

QString attributeLabel(const QString& name) {
    if (name == QLatin1String("name"))
        return QObject::tr("Name");
    if (name == QLatin1String("role"))
        return QObject::tr("Role");
    if (name == QLatin1String("organisation"))
        return QObject::tr("Organisation");
    if (name == QLatin1String("licence_id"))
        return QObject::tr("Licence ID");
    if (name == QLatin1String("pseudonym"))
        return QObject::tr("Pseudonym");
    return name;
}

namespace {

QString inWords(const QStringList& attributes, const QString& none) {
    if (attributes.isEmpty())
        return none;
    QStringList labels;
    for (const QString& a : attributes)
        labels << attributeLabel(a);
    return labels.join(QStringLiteral(", "));
}

} // namespace

// ---- DisclosureRuleModel ------------------------------------------------------------------------

int DisclosureRuleModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_rules.size());
}

QVariant DisclosureRuleModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const DisclosureRule& r = m_rules.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case TargetRole:
        return r.target;
    case NameRole:
        return r.attributes.contains(QStringLiteral("name"));
    case RoleRole:
        return r.attributes.contains(QStringLiteral("role"));
    case OrganisationRole:
        return r.attributes.contains(QStringLiteral("organisation"));
    case LicenceIdRole:
        return r.attributes.contains(QStringLiteral("licence_id"));
    case SummaryRole:
        return inWords(r.attributes, tr("Pseudonym only"));
    default:
        return {};
    }
}

QHash<int, QByteArray> DisclosureRuleModel::roleNames() const {
    return {{TargetRole, "target"},
            {NameRole, "name"},
            {RoleRole, "role"},
            {OrganisationRole, "organisation"},
            {LicenceIdRole, "licenceId"},
            {SummaryRole, "summary"}};
}

void DisclosureRuleModel::setRules(QVector<DisclosureRule> rules) {
    const bool countChanges = rules.size() != m_rules.size();
    beginResetModel();
    m_rules = std::move(rules);
    endResetModel();
    if (countChanges)
        emit countChanged();
}

int DisclosureRuleModel::indexOf(const QString& target) const {
    for (qsizetype i = 0; i < m_rules.size(); ++i)
        if (m_rules.at(i).target.compare(target, Qt::CaseInsensitive) == 0)
            return static_cast<int>(i);
    return -1;
}

void DisclosureRuleModel::upsert(const DisclosureRule& rule) {
    if (const int row = indexOf(rule.target); row >= 0) {
        m_rules[row] = rule;
        emit dataChanged(index(row), index(row));
        return;
    }
    const int row = static_cast<int>(m_rules.size());
    beginInsertRows({}, row, row);
    m_rules.append(rule);
    endInsertRows();
    emit countChanged();
}

bool DisclosureRuleModel::remove(const QString& target) {
    const int row = indexOf(target);
    if (row < 0)
        return false;
    beginRemoveRows({}, row, row);
    m_rules.removeAt(row);
    endRemoveRows();
    emit countChanged();
    return true;
}

// ---- LawfulDisclosureModel ----------------------------------------------------------------------

int LawfulDisclosureModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

QVariant LawfulDisclosureModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const LawfulDisclosureRow& r = m_rows.at(index.row());
    switch (role) {
    case DisclosureIdRole:
        return r.disclosureId;
    case DtIdRole:
        return r.dtId;
    case Qt::DisplayRole:
    case AuthorityRole:
        return r.authority;
    case CaseRefRole:
        return r.caseRef;
    case LegalBasisRole:
        return r.legalBasis;
    case AttributesRole:
        return inWords(r.attributes, tr("none"));
    case DisclosedAtRole:
        return QDateTime::fromSecsSinceEpoch(r.disclosedAt).toString(QStringLiteral("yyyy-MM-dd HH:mm"));
    case DisclosedAtSecsRole:
        return QVariant::fromValue(static_cast<qlonglong>(r.disclosedAt));
    case VisibleAtRole:
        return r.visibleAt == 0 ? QString()
                                : QDateTime::fromSecsSinceEpoch(r.visibleAt)
                                      .toString(QStringLiteral("yyyy-MM-dd HH:mm"));
    case VerifiedRole:
        return r.verified;
    case VerificationRole:
        return r.verified ? tr("Verified: %1").arg(r.verificationMessage)
                          : tr("Not verified (%1): %2")
                                .arg(r.verificationCode, r.verificationMessage);
    case VerificationCodeRole:
        return r.verificationCode;
    default:
        return {};
    }
}

QHash<int, QByteArray> LawfulDisclosureModel::roleNames() const {
    return {{DisclosureIdRole, "disclosureId"}, {DtIdRole, "dtId"},
            {AuthorityRole, "authority"},       {CaseRefRole, "caseRef"},
            {LegalBasisRole, "legalBasis"},     {AttributesRole, "attributes"},
            {DisclosedAtRole, "disclosedAt"},   {DisclosedAtSecsRole, "disclosedAtSecs"},
            {VisibleAtRole, "visibleAt"},       {VerifiedRole, "verified"},
            {VerificationRole, "verification"}, {VerificationCodeRole, "verificationCode"}};
}

void LawfulDisclosureModel::setRows(QVector<LawfulDisclosureRow> rows) {
    const bool countChanges = rows.size() != m_rows.size();
    beginResetModel();
    m_rows = std::move(rows);
    endResetModel();
    if (countChanges)
        emit countChanged();
}

} // namespace twinseal::viewmodels
