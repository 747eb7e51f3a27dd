#include "twinseal/viewmodels/role_list_model.h"

namespace twinseal::viewmodels {

int RoleListModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

QVariant RoleListModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row& r = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case RoleNameRole: return r.role;
    case IdRole: return r.id;
    case OrganisationRole: return r.organisation;
    case EnterpriseRole: return r.enterprise;
    case ValidFromRole: return r.validFrom;
    case ValidUntilRole: return r.validUntil;
    case StateRole: return r.state;
    case StateTextRole: return r.stateText;
    case ShapeRole: return r.shape;
    case SerialRole: return r.serial;
    default: return {};
    }
}

QHash<int, QByteArray> RoleListModel::roleNames() const {
    return {{IdRole, "roleId"},           {RoleNameRole, "roleName"},   {OrganisationRole, "organisation"},
            {EnterpriseRole, "enterprise"}, {ValidFromRole, "validFrom"}, {ValidUntilRole, "validUntil"},
            {StateRole, "roleState"},      {StateTextRole, "stateText"}, {ShapeRole, "shape"},
            {SerialRole, "serial"}};
}

void RoleListModel::setRows(QVector<Row> rows) {
    if (rows == m_rows)
        return;
    const bool countChanges = rows.size() != m_rows.size();
    beginResetModel();
    m_rows = std::move(rows);
    endResetModel();
    if (countChanges)
        emit countChanged();
}

} // namespace twinseal::viewmodels
