// A list of labelled facts for the UI ("Avatar-ID" → "urn:…"), with an optional state per row
// ("passed", "failed", "warning", "skipped") so views can show an icon and words, never colour
// alone. Roles: label, value, state, detail.
#pragma once

#include <QtQml/qqmlregistration.h>

#include <QAbstractListModel>
#include <QString>
#include <QVector>

namespace twinseal::viewmodels {

struct Fact {
    QString label;
    QString value;
    QString state;  // empty, or passed / failed / warning / skipped
    QString detail; // extra words for the state, or a longer value
};

class FactListModel : public QAbstractListModel {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("FactListModel is created by the client, not by QML")
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)
    // Why the first failed fact failed (its detail, else its value), or empty: for a verdict line.
    Q_PROPERTY(QString problem READ problem NOTIFY factsChanged)
public:
    enum Role { LabelRole = Qt::UserRole + 1, ValueRole, StateRole, DetailRole };
    using QAbstractListModel::QAbstractListModel;

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    void setFacts(QVector<Fact> facts);
    [[nodiscard]] const QVector<Fact>& facts() const noexcept { return m_facts; }
    Q_INVOKABLE QString valueOf(const QString& label) const;
    [[nodiscard]] QString problem() const;

signals:
    void countChanged();
    void factsChanged();

private:
    QVector<Fact> m_facts;
};

} // namespace twinseal::viewmodels
