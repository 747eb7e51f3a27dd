// AvatarRig: finds the humanoid joints and morph targets of a glTF model that QtQuick3D's
// RuntimeLoader has loaded. Qt 6.4's loader builds one Node per glTF node, in the glTF order,
// but without the glTF node names; the rig reads the names from the model file's glTF JSON and
// matches the two trees node by node (same children, same translations).
#pragma once

#include <QObject>
#include <QStringList>
#include <QUrl>
#include <QVariantMap>
#include <QtQml/qqmlregistration.h>

class AvatarRig : public QObject {
    Q_OBJECT
    QML_ELEMENT
    // Joint and model nodes by glTF node name ("head", "leftHand", ...).
    Q_PROPERTY(QVariantMap nodes READ nodes NOTIFY changed FINAL)
    // Morph target names in the order of blend-shape weights, and for each name the
    // MorphTarget objects (one per model carrying it) whose weight to set.
    Q_PROPERTY(QStringList morphTargetNames READ morphTargetNames NOTIFY changed FINAL)
    Q_PROPERTY(QVariantList morphTargets READ morphTargets NOTIFY changed FINAL)
    Q_PROPERTY(bool ready READ ready NOTIFY changed FINAL)
    Q_PROPERTY(QString errorString READ errorString NOTIFY changed FINAL)

public:
    using QObject::QObject;

    // Matches the loaded node tree under `loader` (a RuntimeLoader) with the glTF file at
    // `source` (file: or qrc: URL). Returns ready; on failure errorString says why.
    Q_INVOKABLE bool bind(QObject* loader, const QUrl& source);
    Q_INVOKABLE void clear();

    [[nodiscard]] QVariantMap nodes() const { return m_nodes; }
    [[nodiscard]] QStringList morphTargetNames() const { return m_morphNames; }
    [[nodiscard]] QVariantList morphTargets() const { return m_morphTargets; }
    [[nodiscard]] bool ready() const { return m_ready; }
    [[nodiscard]] QString errorString() const { return m_error; }

signals:
    void changed();

private:
    bool fail(const QString& message);

    QVariantMap m_nodes;
    QStringList m_morphNames;
    QVariantList m_morphTargets;
    bool m_ready = false;
    QString m_error;
};
