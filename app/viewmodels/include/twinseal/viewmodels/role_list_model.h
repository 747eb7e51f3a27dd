// The role credentials the twin holds, as the My Twin page lists them: the role and its
// organisation, the enterprise that vouches for it, its validity, and its state in a word and an
// icon shape (valid, expired, not valid yet, for another key), never colour alone.
#pragma once

#include <QtQml/qqmlregistration.h>

#include <QAbstractListModel>
#include <QString>
#include <QVector>

namespace twinseal::viewmodels {

class RoleListModel : public QAbstractListModel {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("RoleListModel belongs to the RolesController")
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)
public:
    struct Row {
        QString id;           // the stored credential's id (hex SHA-256 of its envelope)
        QString role;         // "surgeon"
        QString organisation; // "St. Mary's"
        QString enterprise;   // the enterprise that signed it
        QString validFrom;    // "2026-12-06"
        QString validUntil;
        QString state;        // valid / expired / not-yet-valid / other-key
        QString stateText;    // the state in words
        QString shape;        // the StateIcon shape: passed / failed / warning
        QString serial;       // hex

        bool operator==(const Row&) const = default;
    };
    enum Role {
        IdRole = Qt::UserRole + 1,
        RoleNameRole,
        OrganisationRole,
        EnterpriseRole,
        ValidFromRole,
        ValidUntilRole,
        StateRole,
        StateTextRole,
        ShapeRole,
        SerialRole,
    };
    using QAbstractListModel::QAbstractListModel;

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    void setRows(QVector<Row> rows);
    [[nodiscard]] const QVector<Row>& rows() const noexcept { return m_rows; }

signals:
    void countChanged();

private:
    QVector<Row> m_rows;
};

} // namespace twinseal::viewmodels
