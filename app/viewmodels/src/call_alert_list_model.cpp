#include "twinseal/viewmodels/call_alert_list_model.h"

namespace twinseal::viewmodels {

int CallAlertListModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_alerts.size());
}

QVariant CallAlertListModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Alert& a = m_alerts.at(index.row());
    switch (role) {
    case IdRole: return a.id;
    case KindRole: return a.kind;
    case ParticipantRole: return a.participantId;
    case TitleRole: return a.title;
    case CodeRole: return a.code;
    case MessageRole: return a.message;
    case NeedsDecisionRole: return a.needsDecision && a.decision.isEmpty();
    case DecisionRole: return a.decision;
    default: return {};
    }
}

QHash<int, QByteArray> CallAlertListModel::roleNames() const {
    return {{IdRole, "alertId"}, {KindRole, "kind"}, {ParticipantRole, "participantId"},
            {TitleRole, "title"}, {CodeRole, "code"}, {MessageRole, "message"},
            {NeedsDecisionRole, "needsDecision"}, {DecisionRole, "decision"}};
}

int CallAlertListModel::raise(Alert alert) {
    for (const Alert& a : m_alerts)
        if (a.kind == alert.kind && a.participantId == alert.participantId && a.code == alert.code &&
            a.decision.isEmpty())
            return a.id;
    alert.id = m_next++;
    beginInsertRows({}, 0, 0);
    m_alerts.prepend(alert);
    endInsertRows();
    emit countChanged();
    return alert.id;
}

void CallAlertListModel::decide(int id, const QString& decision) {
    for (int i = 0; i < m_alerts.size(); ++i) {
        if (m_alerts.at(i).id != id)
            continue;
        m_alerts[i].decision = decision;
        emit dataChanged(index(i), index(i), {NeedsDecisionRole, DecisionRole});
        return;
    }
}

void CallAlertListModel::dismiss(int id) {
    for (int i = 0; i < m_alerts.size(); ++i) {
        if (m_alerts.at(i).id != id)
            continue;
        beginRemoveRows({}, i, i);
        m_alerts.removeAt(i);
        endRemoveRows();
        emit countChanged();
        return;
    }
}

void CallAlertListModel::clear() {
    if (m_alerts.isEmpty())
        return;
    beginResetModel();
    m_alerts.clear();
    endResetModel();
    emit countChanged();
}

const CallAlertListModel::Alert* CallAlertListModel::find(int id) const {
    for (const Alert& a : m_alerts)
        if (a.id == id)
            return &a;
    return nullptr;
}

} // namespace twinseal::viewmodels
