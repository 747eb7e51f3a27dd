// The participants of the call on the Calls page: one row per tile, the local user's own first.
// A row says who the participant is as far as it was verified, its verification state in the
// VerificationBadge's words (verified / valid-untrusted-issuer / incomplete / failed, or
// "pending" while its evidence is being checked), the reason code and message of a report that is
// not Verified, and its latest animation pose. `modelUrl` is set only while the report is
// Verified (the peer's verified package from the media cache, or the user's own avatar): nothing
// unverified is ever rendered.
//
// Roles: participantId, isLocal, title, subject, state, reasonCode, reasonText, modelUrl,
// headRotation ([x, y, z, w]), headPosition, leftHandPosition, rightHandPosition ([x, y, z],
// metres relative to the avatar's root), leftHandRotation, rightHandRotation ([x, y, z, w],
// relative to the forearm), blendShapes (list of weights), frames (received so far),
// refusedFrames (frames from this participant that were not shown: not authentic, replayed, too
// old, under an unknown key...), refusedCode and refusedText (the reason of the latest one).
#pragma once

#include <QtQml/qqmlregistration.h>

#include <QAbstractListModel>
#include <QString>
#include <QUrl>
#include <QVariantList>
#include <QVector>

namespace twinseal::viewmodels {

class ParticipantListModel : public QAbstractListModel {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("ParticipantListModel is created by the client, not by QML")
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)
public:
    enum Role {
        IdRole = Qt::UserRole + 1, LocalRole, TitleRole, SubjectRole, StateRole, ReasonCodeRole,
        ReasonTextRole, ModelUrlRole, HeadRotationRole, HeadPositionRole, LeftHandRole, RightHandRole,
        BlendShapesRole, FramesRole, RefusedFramesRole, RefusedCodeRole, RefusedTextRole,
        LeftHandRotationRole, RightHandRotationRole
    };
    struct Pose {
        QVariantList headRotation{0.0, 0.0, 0.0, 1.0};
        QVariantList headPosition{0.0, 0.0, 0.0};
        QVariantList leftHand{0.0, 0.0, 0.0};
        QVariantList rightHand{0.0, 0.0, 0.0};
        QVariantList leftHandRotation{0.0, 0.0, 0.0, 1.0};
        QVariantList rightHandRotation{0.0, 0.0, 0.0, 1.0};
        QVariantList blendShapes;
    };
    struct Row {
        quint32 id = 0;
        bool local = false;
        QString title;
        QString subject;
        QString state = QStringLiteral("pending");
        QString reasonCode;
        QString reasonText;
        QUrl modelUrl;
        Pose pose;
        int frames = 0;
        int refusedFrames = 0;
        QString refusedCode;
        QString refusedText;
    };
    using QAbstractListModel::QAbstractListModel;

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    // Adds the row or replaces everything but its pose and frame counts.
    void upsert(const Row& row);
    void setPose(quint32 id, const Pose& pose, bool countFrame);
    // One more frame of `id` refused, with its reason; returns whether the row exists.
    bool noteRefused(quint32 id, const QString& code, const QString& text);
    void remove(quint32 id);
    void clear();
    [[nodiscard]] const Row* find(quint32 id) const;
    [[nodiscard]] const QVector<Row>& rows() const noexcept { return m_rows; }
    // For QML and tests: the row of participant `id` as a map of its roles (empty when absent).
    Q_INVOKABLE QVariantMap get(int row) const;

signals:
    void countChanged();

private:
    [[nodiscard]] int indexOf(quint32 id) const;
    QVector<Row> m_rows;
};

} // namespace twinseal::viewmodels
