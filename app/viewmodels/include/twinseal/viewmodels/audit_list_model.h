// The activity log's entries for the Audit page, newest first, filtered by event category,
// outcome and text (security::AuditFilter). Roles: sequence, time, type, description, outcome,
// reason, details, signedEntry.
#pragma once

#include <QtQml/qqmlregistration.h>

#include <QAbstractListModel>
#include <QString>

#include <vector>

#include <twinseal/security/audit.h>

namespace twinseal::viewmodels {

class AuditListModel : public QAbstractListModel {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("AuditListModel is created by the client, not by QML")
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)
    Q_PROPERTY(int total READ total NOTIFY countChanged)
public:
    enum Role {
        SequenceRole = Qt::UserRole + 1,
        TimeRole,
        TypeRole,
        DescriptionRole,
        OutcomeRole,
        ReasonRole,
        DetailsRole,
        SignedRole,
    };
    using QAbstractListModel::QAbstractListModel;

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    // All entries of the log, and how many of the first ones a checkpoint covers.
    void setEntries(std::vector<security::AuditEntry> entries, std::uint64_t signedCount);
    void setFilter(security::AuditFilter filter);
    [[nodiscard]] int total() const { return static_cast<int>(m_all.size()); }
    [[nodiscard]] const security::AuditEntry& entryAt(int row) const { return m_all[m_rows[row]]; }

signals:
    void countChanged();

private:
    void refilter();

    std::vector<security::AuditEntry> m_all;
    std::uint64_t m_signed = 0;
    security::AuditFilter m_filter;
    std::vector<std::size_t> m_rows; // indexes into m_all, newest first
};

} // namespace twinseal::viewmodels
