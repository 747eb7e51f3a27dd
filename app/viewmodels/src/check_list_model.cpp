#include "twinseal/viewmodels/check_list_model.h"

namespace twinseal::viewmodels {

using namespace twinseal::security;

int CheckListModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

QVariant CheckListModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row& r = m_rows[index.row()];
    switch (role) {
    case TitleRole: return r.title;
    case StateRole: return r.state;
    case DetailRole: return r.detail;
    case RequiredRole: return r.required;
    default: return {};
    }
}

QHash<int, QByteArray> CheckListModel::roleNames() const {
    return {{TitleRole, "title"}, {StateRole, "state"}, {DetailRole, "detail"}, {RequiredRole, "required"}};
}

void CheckListModel::setReport(const VerificationReport& report) {
    QVector<Row> rows;
    for (const CheckResult& c : report.checks) {
        Row r;
        r.title = QString::fromUtf8(checkIdTitle(c.id).data(), static_cast<qsizetype>(checkIdTitle(c.id).size()));
        r.required = c.required;
        QString detail = QString::fromStdString(c.detail);
        switch (c.state) {
        case CheckState::Passed: r.state = QStringLiteral("passed"); break;
        case CheckState::Failed:
            r.state = c.id == CheckId::IssuerTrust && c.code == ErrorCode::UntrustedIssuer
                          ? QStringLiteral("warning")
                          : QStringLiteral("failed");
            detail = QString::fromUtf8(errorCodeName(c.code).data(),
                                       static_cast<qsizetype>(errorCodeName(c.code).size())) +
                     (detail.isEmpty() ? QString() : QStringLiteral(": ") + detail);
            break;
        case CheckState::Skipped:
            r.state = QStringLiteral("skipped");
            detail = (c.required ? tr("Not checked, but required: %1") : tr("Not checked: %1")).arg(detail);
            break;
        }
        r.detail = detail;
        rows.push_back(std::move(r));
    }
    beginResetModel();
    m_rows = std::move(rows);
    endResetModel();
    emit countChanged();
}

void CheckListModel::clear() {
    beginResetModel();
    m_rows.clear();
    endResetModel();
    emit countChanged();
}

} // namespace twinseal::viewmodels
