// The Calls page's alerts: prominent and explained, newest first. Each says what happened to
// whom, its reason code and the message a person can act on; a key change of a pinned identity
// waits for the user's decision (accept the new key deliberately, or block the participant).
//
// Kinds: "verification-failed" (a peer's report is Failed), "key-change" (a pinned identity
// presented another key), "revoked" (a peer's credential was revoked during the call),
// "not-verified" (Valid, untrusted issuer or Incomplete: not shown), "frames-refused" (frames of
// a participant were not shown: altered, replayed, too old...; one per participant and reason,
// not one per frame), "key-refused" (a participant's frame key was refused), "call" (the room
// host refused or the call ended with a reason).
// Roles: alertId, kind, participantId, title, code, message, needsDecision, decision.
#pragma once

#include <QtQml/qqmlregistration.h>

#include <QAbstractListModel>
#include <QString>
#include <QVector>

namespace twinseal::viewmodels {

class CallAlertListModel : public QAbstractListModel {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("CallAlertListModel is created by the client, not by QML")
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)
public:
    enum Role { IdRole = Qt::UserRole + 1, KindRole, ParticipantRole, TitleRole, CodeRole, MessageRole,
                NeedsDecisionRole, DecisionRole };
    struct Alert {
        int id = 0;
        QString kind;
        quint32 participantId = 0;
        QString title;
        QString code;
        QString message;
        bool needsDecision = false;
        QString decision; // "accepted", "blocked" once decided
    };
    using QAbstractListModel::QAbstractListModel;

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    // Adds an alert (newest first) and returns its id. An alert of the same kind, participant
    // and code that is still shown is not repeated (its id is returned).
    int raise(Alert alert);
    void decide(int id, const QString& decision);
    void dismiss(int id);
    void clear();
    [[nodiscard]] const Alert* find(int id) const;
    [[nodiscard]] const QVector<Alert>& alerts() const noexcept { return m_alerts; }

signals:
    void countChanged();

private:
    QVector<Alert> m_alerts;
    int m_next = 1;
};

} // namespace twinseal::viewmodels
