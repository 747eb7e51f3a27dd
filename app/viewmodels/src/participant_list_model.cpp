#include "twinseal/viewmodels/participant_list_model.h"

namespace twinseal::viewmodels {

int ParticipantListModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

QVariant ParticipantListModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row& r = m_rows.at(index.row());
    switch (role) {
    case IdRole: return r.id;
    case LocalRole: return r.local;
    case TitleRole: return r.title;
    case SubjectRole: return r.subject;
    case StateRole: return r.state;
    case ReasonCodeRole: return r.reasonCode;
    case ReasonTextRole: return r.reasonText;
    case ModelUrlRole: return r.modelUrl;
    case HeadRotationRole: return r.pose.headRotation;
    case HeadPositionRole: return r.pose.headPosition;
    case LeftHandRole: return r.pose.leftHand;
    case RightHandRole: return r.pose.rightHand;
    case LeftHandRotationRole: return r.pose.leftHandRotation;
    case RightHandRotationRole: return r.pose.rightHandRotation;
    case BlendShapesRole: return r.pose.blendShapes;
    case FramesRole: return r.frames;
    case RefusedFramesRole: return r.refusedFrames;
    case RefusedCodeRole: return r.refusedCode;
    case RefusedTextRole: return r.refusedText;
    default: return {};
    }
}

QHash<int, QByteArray> ParticipantListModel::roleNames() const {
    return {{IdRole, "participantId"}, {LocalRole, "isLocal"}, {TitleRole, "title"},
            {SubjectRole, "subject"}, {StateRole, "state"}, {ReasonCodeRole, "reasonCode"},
            {ReasonTextRole, "reasonText"}, {ModelUrlRole, "modelUrl"},
            {HeadRotationRole, "headRotation"}, {HeadPositionRole, "headPosition"},
            {LeftHandRole, "leftHandPosition"}, {RightHandRole, "rightHandPosition"},
            {LeftHandRotationRole, "leftHandRotation"}, {RightHandRotationRole, "rightHandRotation"},
            {BlendShapesRole, "blendShapes"}, {FramesRole, "frames"},
            {RefusedFramesRole, "refusedFrames"}, {RefusedCodeRole, "refusedCode"},
            {RefusedTextRole, "refusedText"}};
}

int ParticipantListModel::indexOf(quint32 id) const {
    for (int i = 0; i < m_rows.size(); ++i)
        if (m_rows.at(i).id == id)
            return i;
    return -1;
}

const ParticipantListModel::Row* ParticipantListModel::find(quint32 id) const {
    const int i = indexOf(id);
    return i < 0 ? nullptr : &m_rows.at(i);
}

void ParticipantListModel::upsert(const Row& row) {
    const int i = indexOf(row.id);
    if (i < 0) {
        // The local user's tile first, then the peers in the order they came.
        const int at = row.local ? 0 : static_cast<int>(m_rows.size());
        beginInsertRows({}, at, at);
        m_rows.insert(at, row);
        endInsertRows();
        emit countChanged();
        return;
    }
    Row& r = m_rows[i];
    const Pose pose = r.pose;
    const int frames = r.frames;
    const int refused = r.refusedFrames;
    const QString refusedCode = r.refusedCode;
    const QString refusedText = r.refusedText;
    r = row;
    r.pose = pose;
    r.frames = frames;
    r.refusedFrames = refused;
    r.refusedCode = refusedCode;
    r.refusedText = refusedText;
    // A tile that is no longer Verified stops showing the avatar at once.
    if (r.state != QLatin1String("verified") && !r.local)
        r.modelUrl = QUrl();
    emit dataChanged(index(i), index(i), {LocalRole, TitleRole, SubjectRole, StateRole, ReasonCodeRole,
                                          ReasonTextRole, ModelUrlRole});
}

void ParticipantListModel::setPose(quint32 id, const Pose& pose, bool countFrame) {
    const int i = indexOf(id);
    if (i < 0)
        return;
    m_rows[i].pose = pose;
    if (countFrame)
        ++m_rows[i].frames;
    emit dataChanged(index(i), index(i), {HeadRotationRole, HeadPositionRole, LeftHandRole, RightHandRole,
                                          LeftHandRotationRole, RightHandRotationRole, BlendShapesRole,
                                          FramesRole});
}

bool ParticipantListModel::noteRefused(quint32 id, const QString& code, const QString& text) {
    const int i = indexOf(id);
    if (i < 0)
        return false;
    Row& r = m_rows[i];
    ++r.refusedFrames;
    r.refusedCode = code;
    r.refusedText = text;
    emit dataChanged(index(i), index(i), {RefusedFramesRole, RefusedCodeRole, RefusedTextRole});
    return true;
}

void ParticipantListModel::remove(quint32 id) {
    const int i = indexOf(id);
    if (i < 0)
        return;
    beginRemoveRows({}, i, i);
    m_rows.removeAt(i);
    endRemoveRows();
    emit countChanged();
}

void ParticipantListModel::clear() {
    if (m_rows.isEmpty())
        return;
    beginResetModel();
    m_rows.clear();
    endResetModel();
    emit countChanged();
}

QVariantMap ParticipantListModel::get(int row) const {
    QVariantMap out;
    if (row < 0 || row >= m_rows.size())
        return out;
    const auto names = roleNames();
    for (auto it = names.cbegin(); it != names.cend(); ++it)
        out.insert(QString::fromLatin1(it.value()), data(index(row), it.key()));
    return out;
}

} // namespace twinseal::viewmodels
