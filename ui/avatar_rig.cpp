#include "avatar_rig.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QQmlListReference>
#include <QVector3D>
#include <QtEndian>
#include <QtQuick3D/qquick3dobject.h>

#include <functional>

namespace {

constexpr qint64 kMaxJson = qint64{16} * 1024 * 1024; // the avatar package reader's limit too

QString localPath(const QUrl& url) {
    if (url.isLocalFile()) return url.toLocalFile();
    if (url.scheme() == QLatin1String("qrc")) return QLatin1Char(':') + url.path();
    return {};
}

// The glTF JSON of a .glb (its first chunk) or a .gltf file; an empty object and the reason
// when it cannot be read.
QJsonObject readGltfJson(const QUrl& source, QString* error) {
    const QString path = localPath(source);
    if (path.isEmpty()) {
        *error = QStringLiteral("the avatar model is not a local file: %1").arg(source.toString());
        return {};
    }
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read the avatar model %1: %2").arg(path, file.errorString());
        return {};
    }
    QByteArray json;
    const QByteArray header = file.read(20);
    if (header.size() == 20 && header.startsWith("glTF")) {
        const quint32 length = qFromLittleEndian<quint32>(header.constData() + 12);
        if (header.mid(16, 4) != "JSON" || length > kMaxJson) {
            *error = QStringLiteral("%1: the GLB does not start with a JSON chunk of at most 16 MiB").arg(path);
            return {};
        }
        json = file.read(length);
    } else {
        if (file.size() > kMaxJson) {
            *error = QStringLiteral("%1: the glTF JSON is larger than 16 MiB").arg(path);
            return {};
        }
        json = header + file.readAll();
    }
    QJsonParseError parseError{};
    const QJsonDocument doc = QJsonDocument::fromJson(json, &parseError);
    if (!doc.isObject()) {
        *error = QStringLiteral("%1: the glTF JSON cannot be read: %2").arg(path, parseError.errorString());
        return {};
    }
    return doc.object();
}

QList<QQuick3DObject*> nodeChildren(QObject* object) {
    QList<QQuick3DObject*> out;
    if (auto* item = qobject_cast<QQuick3DObject*>(object)) {
        for (QQuick3DObject* child : item->childItems())
            if (child->inherits("QQuick3DNode")) out.append(child);
    }
    return out;
}

QVector3D translationOf(const QJsonObject& node) {
    const QJsonArray t = node.value(QLatin1String("translation")).toArray();
    if (t.size() == 3) return QVector3D(float(t[0].toDouble()), float(t[1].toDouble()), float(t[2].toDouble()));
    const QJsonArray m = node.value(QLatin1String("matrix")).toArray();
    if (m.size() == 16) return QVector3D(float(m[12].toDouble()), float(m[13].toDouble()), float(m[14].toDouble()));
    return {};
}

} // namespace

bool AvatarRig::fail(const QString& message) {
    m_nodes.clear();
    m_morphNames.clear();
    m_morphTargets.clear();
    m_ready = false;
    m_error = message;
    emit changed();
    return false;
}

void AvatarRig::clear() {
    m_nodes.clear();
    m_morphNames.clear();
    m_morphTargets.clear();
    m_ready = false;
    m_error.clear();
    emit changed();
}

bool AvatarRig::bind(QObject* loader, const QUrl& source) {
    if (!loader) return fail(QStringLiteral("no loaded avatar model to rig"));
    QString error;
    const QJsonObject gltf = readGltfJson(source, &error);
    if (gltf.isEmpty()) return fail(error);
    const QJsonArray gltfNodes = gltf.value(QLatin1String("nodes")).toArray();
    const QJsonArray scenes = gltf.value(QLatin1String("scenes")).toArray();
    const int sceneIndex = gltf.value(QLatin1String("scene")).toInt(0);
    if (sceneIndex < 0 || sceneIndex >= scenes.size())
        return fail(QStringLiteral("the avatar model has no scene %1").arg(sceneIndex));
    const QJsonArray roots = scenes[sceneIndex].toObject().value(QLatin1String("nodes")).toArray();

    // Does the runtime node `runtime` stand for glTF node `index`, with the same subtree?
    QVariantMap found;
    std::function<bool(int, QQuick3DObject*, int)> match = [&](int index, QQuick3DObject* runtime, int depth) {
        if (index < 0 || index >= gltfNodes.size() || depth > 256) return false;
        const QJsonObject node = gltfNodes[index].toObject();
        const QVector3D expected = translationOf(node);
        if ((runtime->property("position").value<QVector3D>() - expected).length() > 1e-4f) return false;
        const QJsonArray children = node.value(QLatin1String("children")).toArray();
        const QList<QQuick3DObject*> runtimeChildren = nodeChildren(runtime);
        if (children.size() != runtimeChildren.size()) return false;
        for (int i = 0; i < children.size(); ++i)
            if (!match(children[i].toInt(-1), runtimeChildren[i], depth + 1)) return false;
        const QString name = node.value(QLatin1String("name")).toString();
        if (!name.isEmpty() && !found.contains(name))
            found.insert(name, QVariant::fromValue<QObject*>(runtime));
        return true;
    };
    auto matchRoots = [&](const QList<QQuick3DObject*>& candidates) {
        if (candidates.size() != roots.size()) return false;
        found.clear();
        for (int i = 0; i < roots.size(); ++i)
            if (!match(roots[i].toInt(-1), candidates[i], 0)) return false;
        return true;
    };
    // The loader wraps the scene in a few nodes of its own: try each level from the top.
    QList<QQuick3DObject*> level = nodeChildren(loader);
    bool matched = false;
    for (int depth = 0; depth < 4 && !level.isEmpty() && !matched; ++depth) {
        matched = matchRoots(level);
        if (!matched && level.size() == 1) level = nodeChildren(level.front());
        else if (!matched) break;
    }
    if (!matched)
        return fail(QStringLiteral("the loaded avatar model does not have the node tree of %1")
                        .arg(source.fileName()));

    // Morph targets: names from each mesh's extras.targetNames, objects from its Model.
    QStringList morphNames;
    QList<QVariantList> morphObjects;
    const QJsonArray meshes = gltf.value(QLatin1String("meshes")).toArray();
    for (int i = 0; i < gltfNodes.size(); ++i) {
        const QJsonObject node = gltfNodes[i].toObject();
        const int mesh = node.value(QLatin1String("mesh")).toInt(-1);
        QObject* model = found.value(node.value(QLatin1String("name")).toString()).value<QObject*>();
        if (mesh < 0 || mesh >= meshes.size() || !model) continue;
        const QJsonArray names = meshes[mesh].toObject().value(QLatin1String("extras")).toObject()
                                     .value(QLatin1String("targetNames")).toArray();
        QQmlListReference targets(model, "morphTargets");
        if (!targets.isValid()) continue;
        for (qsizetype t = 0; t < targets.count() && t < names.size(); ++t) {
            const QString name = names[t].toString();
            qsizetype slot = morphNames.indexOf(name);
            if (slot < 0) {
                morphNames.append(name);
                morphObjects.append(QVariantList());
                slot = morphNames.size() - 1;
            }
            morphObjects[slot].append(QVariant::fromValue<QObject*>(targets.at(t)));
        }
    }
    m_nodes = found;
    m_morphNames = morphNames;
    m_morphTargets.clear();
    for (const QVariantList& objects : morphObjects) m_morphTargets.append(QVariant(objects));
    m_ready = true;
    m_error.clear();
    emit changed();
    return true;
}
