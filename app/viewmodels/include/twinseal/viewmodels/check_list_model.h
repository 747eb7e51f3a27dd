// The checks of a verification report for the UI: one row per check with its title, its state
// ("passed", "failed", "warning" for an untrusted issuer, "skipped") and the detail in words.
// Roles: title, state, detail, required (a skipped required check made the report Incomplete).
#pragma once

#include <QtQml/qqmlregistration.h>

#include <QAbstractListModel>
#include <QString>
#include <QVector>

#include <twinseal/security/verify.h>

namespace twinseal::viewmodels {

class CheckListModel : public QAbstractListModel {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("CheckListModel is created by the client, not by QML")
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)
public:
    enum Role { TitleRole = Qt::UserRole + 1, StateRole, DetailRole, RequiredRole };
    struct Row {
        QString title;
        QString state;
        QString detail;
        bool required = true;
    };
    using QAbstractListModel::QAbstractListModel;

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    void setReport(const security::VerificationReport& report);
    void clear();
    [[nodiscard]] const QVector<Row>& rows() const noexcept { return m_rows; }

signals:
    void countChanged();

private:
    QVector<Row> m_rows;
};

} // namespace twinseal::viewmodels
