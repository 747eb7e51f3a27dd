#include "twinseal/viewmodels/fact_list_model.h"

namespace twinseal::viewmodels {

int FactListModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_facts.size());
}

QVariant FactListModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Fact& f = m_facts.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case LabelRole: return f.label;
    case ValueRole: return f.value;
    case StateRole: return f.state;
    case DetailRole: return f.detail;
    default: return {};
    }
}

QHash<int, QByteArray> FactListModel::roleNames() const {
    return {{LabelRole, "label"}, {ValueRole, "value"}, {StateRole, "state"}, {DetailRole, "detail"}};
}

void FactListModel::setFacts(QVector<Fact> facts) {
    const bool countChanges = facts.size() != m_facts.size();
    beginResetModel();
    m_facts = std::move(facts);
    endResetModel();
    if (countChanges)
        emit countChanged();
    emit factsChanged();
}

QString FactListModel::problem() const {
    for (const Fact& f : m_facts)
        if (f.state == QLatin1String("failed"))
            return f.detail.isEmpty() ? f.value : f.detail;
    return {};
}

QString FactListModel::valueOf(const QString& label) const {
    for (const Fact& f : m_facts)
        if (f.label == label)
            return f.value;
    return {};
}

} // namespace twinseal::viewmodels
