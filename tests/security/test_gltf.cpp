// glTF 2.0 / GLB validation: one small crafted model per class of defect, refused by
// `avatar pack` (buildManifest) with its own reason code; a valid model and the sample avatar
// pass; a package whose bytes match its signed manifest but whose model is broken fails a
// peer's verification before anything renders it.
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <cstring>
#include <functional>

#include <nlohmann/json.hpp>

#include <twinseal/security/gltf_validate.h>
#include <twinseal/security/manifest.h>

#include "testmain.h"

namespace {
namespace test_gltf {

using namespace twinseal::security;
using json = nlohmann::json;

namespace {

const char* const kSampleGlb = TWINSEAL_SOURCE_DIR "/resources/avatar/sample-avatar.glb";
const char* const kSampleDir = TWINSEAL_SOURCE_DIR "/resources/avatar";

bool writeFile(const QString& path, const QByteArray& data) {
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(data) == data.size();
}

void putU16(QByteArray& b, std::uint16_t v) {
    b.append(static_cast<char>(v & 0xFF));
    b.append(static_cast<char>(v >> 8));
}
void putU32(QByteArray& b, std::uint32_t v) {
    for (int i = 0; i < 4; ++i)
        b.append(static_cast<char>((v >> (8 * i)) & 0xFF));
}
void putF32(QByteArray& b, float f) {
    std::uint32_t v = 0;
    std::memcpy(&v, &f, 4);
    putU32(b, v);
}

// A triangle: 3 positions (36 bytes) then 3 unsigned-short indices (6 bytes, padded to 8).
QByteArray triangleData(std::uint16_t lastIndex = 2) {
    QByteArray b;
    for (float f : {0.f, 0.f, 0.f, 1.f, 0.f, 0.f, 0.f, 1.f, 0.f})
        putF32(b, f);
    putU16(b, 0);
    putU16(b, 1);
    putU16(b, lastIndex);
    putU16(b, 0); // padding
    return b;
}

// A valid model: a textured triangle in a two-node scene, its buffer in mesh.bin.
json triangleGltf() {
    return json::parse(R"({
      "asset": {"version": "2.0"},
      "scene": 0,
      "scenes": [{"nodes": [0]}],
      "nodes": [{"mesh": 0, "children": [1]}, {"name": "child"}],
      "meshes": [{"primitives": [{"attributes": {"POSITION": 0}, "indices": 1, "material": 0}]}],
      "materials": [{"pbrMetallicRoughness": {"baseColorTexture": {"index": 0}}}],
      "textures": [{"source": 0}],
      "images": [{"uri": "textures/skin.png"}],
      "accessors": [
        {"bufferView": 0, "componentType": 5126, "count": 3, "type": "VEC3",
         "min": [0, 0, 0], "max": [1, 1, 0]},
        {"bufferView": 1, "componentType": 5123, "count": 3, "type": "SCALAR"}
      ],
      "bufferViews": [
        {"buffer": 0, "byteOffset": 0, "byteLength": 36, "target": 34962},
        {"buffer": 0, "byteOffset": 36, "byteLength": 6, "target": 34963}
      ],
      "buffers": [{"uri": "mesh.bin", "byteLength": 44}]
    })");
}

// A GLB of `doc` with `bin` as its binary chunk.
QByteArray glbOf(const json& doc, const QByteArray& bin) {
    QByteArray text = QByteArray::fromStdString(doc.dump());
    while (text.size() % 4)
        text.append(' ');
    QByteArray out("glTF");
    putU32(out, 2);
    putU32(out, static_cast<std::uint32_t>(12 + 8 + text.size() + 8 + bin.size()));
    putU32(out, static_cast<std::uint32_t>(text.size()));
    out.append("JSON");
    out.append(text);
    putU32(out, static_cast<std::uint32_t>(bin.size()));
    out.append(QByteArray("BIN\0", 4));
    out.append(bin);
    return out;
}

struct Package {
    QTemporaryDir dir;
    bool write(const json& doc, const QByteArray& bin = triangleData()) {
        return writeFile(dir.filePath("model.gltf"), QByteArray::fromStdString(doc.dump())) &&
               writeFile(dir.filePath("mesh.bin"), bin) &&
               writeFile(dir.filePath("textures/skin.png"), QByteArray("\x89PNG\r\n\x1a\n", 8));
    }
    Result<Manifest> pack() const {
        HashOptions o;
        o.chunkSize = 4096;
        return buildManifest(dir.path().toStdString(), o);
    }
};

// buildManifest refuses the package with `code` and a detail that mentions `mention`.
bool refused(const Result<Manifest>& m, ErrorCode code, const char* mention) {
    if (m.ok()) {
        qWarning("accepted, expected %s", std::string(errorCodeName(code)).c_str());
        return false;
    }
    if (m.code() != code || m.error().detail.find(mention) == std::string::npos) {
        qWarning("wrong refusal (expected %s mentioning '%s'): %s",
                 std::string(errorCodeName(code)).c_str(), mention, m.error().message().c_str());
        return false;
    }
    return true;
}

bool refusedEdit(const std::function<void(json&)>& edit, ErrorCode code, const char* mention,
                 const QByteArray& bin = triangleData()) {
    Package p;
    json doc = triangleGltf();
    edit(doc);
    if (!p.write(doc, bin))
        return false;
    return refused(p.pack(), code, mention);
}

} // namespace

class GltfTest : public QObject {
    Q_OBJECT
private slots:
    void validModelAndSampleAvatarPass() {
        Package p;
        QVERIFY(p.write(triangleGltf()));
        auto m = p.pack();
        QVERIFY2(m.ok(), m.ok() ? "" : m.error().message().c_str());
        QCOMPARE(m->modelPath, std::string("model.gltf"));

        // The sample avatar, as a directory package and as a single .glb.
        auto dir = buildManifest(kSampleDir);
        QVERIFY2(dir.ok(), dir.ok() ? "" : dir.error().message().c_str());
        auto glb = buildManifest(kSampleGlb);
        QVERIFY2(glb.ok(), glb.ok() ? "" : glb.error().message().c_str());

        // The same triangle as a GLB with its buffer in the binary chunk.
        json doc = triangleGltf();
        doc["buffers"][0].erase("uri");
        doc.erase("images");
        doc.erase("textures");
        doc.erase("materials");
        doc["meshes"][0]["primitives"][0].erase("material");
        QTemporaryDir single;
        QVERIFY(writeFile(single.filePath("tri.glb"), glbOf(doc, triangleData())));
        auto tri = buildManifest(single.filePath("tri.glb").toStdString());
        QVERIFY2(tri.ok(), tri.ok() ? "" : tri.error().message().c_str());
        // A URI may go up and down within the package, percent-encoded.
        Package up;
        json upDoc = triangleGltf();
        upDoc["images"][0]["uri"] = "textures/../textures/skin%2Epng";
        QVERIFY(up.write(upDoc));
        auto upManifest = up.pack();
        QVERIFY2(upManifest.ok(), upManifest.ok() ? "" : upManifest.error().message().c_str());
    }

    void missingBufferFile() {
        Package p;
        QVERIFY(p.write(triangleGltf()));
        QVERIFY(QFile::remove(p.dir.filePath("mesh.bin")));
        QVERIFY(refused(p.pack(), ErrorCode::GltfResourceMissing,
                        "buffers[0] refers to 'mesh.bin', which is not a file of the package"));
        // A buffer file shorter than the buffer's byteLength.
        QVERIFY(refusedEdit([](json&) {}, ErrorCode::GltfResourceMissing, "holds only 40",
                            triangleData().left(40)));
        // An image that is not in the package.
        QVERIFY(refusedEdit([](json& d) { d["images"][0]["uri"] = "textures/face.png"; },
                            ErrorCode::GltfResourceMissing, "images[0] refers to 'textures/face.png'"));
        // A GLB whose buffer uses a binary chunk it does not have.
        json doc = triangleGltf();
        doc["buffers"][0].erase("uri");
        QTemporaryDir single;
        QByteArray text = QByteArray::fromStdString(doc.dump());
        while (text.size() % 4)
            text.append(' ');
        QByteArray glb("glTF");
        putU32(glb, 2);
        putU32(glb, static_cast<std::uint32_t>(20 + text.size()));
        putU32(glb, static_cast<std::uint32_t>(text.size()));
        glb.append("JSON");
        glb.append(text);
        QVERIFY(writeFile(single.filePath("a.glb"), glb));
        QVERIFY(refused(buildManifest(single.filePath("a.glb").toStdString()),
                        ErrorCode::GltfResourceMissing, "the GLB has none"));
    }

    void recursiveNodeGraph() {
        // A cycle through two nodes, neither of them a root.
        QVERIFY(refusedEdit(
            [](json& d) {
                d["nodes"].push_back({{"children", {3}}});
                d["nodes"].push_back({{"children", {2}}});
            },
            ErrorCode::GltfNodeGraphInvalid, "lies on a cycle"));
        // A node that is its own child.
        QVERIFY(refusedEdit([](json& d) { d["nodes"][1]["children"] = {1}; },
                            ErrorCode::GltfNodeGraphInvalid, "nodes[1] is its own child"));
        // A node with two parents (a diamond).
        QVERIFY(refusedEdit(
            [](json& d) {
                d["nodes"][0]["children"] = {1, 2};
                d["nodes"].push_back({{"children", {1}}});
            },
            ErrorCode::GltfNodeGraphInvalid, "at most one parent"));
        // A scene that lists a child node as a root.
        QVERIFY(refusedEdit([](json& d) { d["scenes"][0]["nodes"] = {0, 1}; },
                            ErrorCode::GltfNodeGraphInvalid, "a scene lists only root nodes"));
        // A long cycle is found without recursion (no stack overflow).
        QVERIFY(refusedEdit(
            [](json& d) {
                const int n = 20000;
                for (int i = 0; i < n; ++i)
                    d["nodes"].push_back({{"children", {2 + (i + 1) % n}}});
            },
            ErrorCode::GltfNodeGraphInvalid, "lies on a cycle"));
    }

    void wrongJsonTypes() {
        QVERIFY(refusedEdit([](json& d) { d["nodes"] = json::object(); },
                            ErrorCode::GltfSchemaViolation, "nodes must be an array"));
        QVERIFY(refusedEdit([](json& d) { d["accessors"][0]["count"] = "3"; },
                            ErrorCode::GltfSchemaViolation, "accessors[0].count must be an integer"));
        QVERIFY(refusedEdit([](json& d) { d["accessors"][0]["count"] = 3.5; },
                            ErrorCode::GltfSchemaViolation, "accessors[0].count must be an integer"));
        QVERIFY(refusedEdit([](json& d) { d["accessors"][0]["type"] = 3; },
                            ErrorCode::GltfSchemaViolation, "accessors[0].type must be a string"));
        QVERIFY(refusedEdit([](json& d) { d["accessors"][0]["componentType"] = 5124; },
                            ErrorCode::GltfSchemaViolation, "componentType is 5124"));
        QVERIFY(refusedEdit([](json& d) { d["buffers"][0]["uri"] = 7; },
                            ErrorCode::GltfSchemaViolation, "buffers[0].uri must be a string"));
        QVERIFY(refusedEdit([](json& d) { d["nodes"][0]["translation"] = {1, "x", 3}; },
                            ErrorCode::GltfSchemaViolation, "nodes[0].translation must hold only numbers"));
        QVERIFY(refusedEdit([](json& d) { d["nodes"][0]["matrix"] = {1, 0, 0}; },
                            ErrorCode::GltfSchemaViolation, "nodes[0].matrix must have 16 numbers"));
        QVERIFY(refusedEdit([](json& d) { d["meshes"][0]["primitives"][0].erase("attributes"); },
                            ErrorCode::GltfSchemaViolation, "has no 'attributes' object"));
        QVERIFY(refusedEdit([](json& d) { d["scene"] = -1; },
                            ErrorCode::GltfSchemaViolation, "scene is -1"));
        // References to objects that do not exist.
        QVERIFY(refusedEdit([](json& d) { d["nodes"][0]["mesh"] = 5; },
                            ErrorCode::GltfSchemaViolation, "nodes[0].mesh refers to meshes[5]"));
        QVERIFY(refusedEdit([](json& d) { d["bufferViews"][0]["buffer"] = 1; },
                            ErrorCode::GltfSchemaViolation, "refers to buffers[1], but there is 1"));
    }

    void indicesPastAccessors() {
        // Index 3 in a triangle of 3 vertices (in mesh.bin).
        QVERIFY(refusedEdit([](json&) {}, ErrorCode::GltfIndexOutOfRange,
                            "index 2 of accessors[1] is 3, past the 3 vertices", triangleData(3)));
        // The same inside a GLB's binary chunk.
        json doc = triangleGltf();
        doc["buffers"][0].erase("uri");
        doc.erase("images");
        doc.erase("textures");
        doc.erase("materials");
        doc["meshes"][0]["primitives"][0].erase("material");
        QTemporaryDir single;
        QVERIFY(writeFile(single.filePath("tri.glb"), glbOf(doc, triangleData(60000))));
        QVERIFY(refused(buildManifest(single.filePath("tri.glb").toStdString()),
                        ErrorCode::GltfIndexOutOfRange, "is 60000, past the 3 vertices"));
        // The primitive-restart value is not an index.
        QVERIFY(refusedEdit([](json&) {}, ErrorCode::GltfIndexOutOfRange, "primitive-restart",
                            triangleData(0xFFFF)));
        // An index accessor that is not SCALAR unsigned.
        QVERIFY(refusedEdit([](json& d) { d["accessors"][1]["componentType"] = 5122; },
                            ErrorCode::GltfSchemaViolation, "not SCALAR of 5121, 5123 or 5125"));
    }

    void accessorPastBufferView() {
        // 4 positions of 12 bytes do not fit a 36-byte buffer view.
        QVERIFY(refusedEdit([](json& d) {
            d["accessors"][0]["count"] = 4;
        }, ErrorCode::GltfAccessorOutOfBounds, "accessors[0] needs 48 bytes from byte 0 of bufferViews[0]"));
        QVERIFY(refusedEdit([](json& d) { d["accessors"][1]["byteOffset"] = 2; },
                            ErrorCode::GltfAccessorOutOfBounds, "accessors[1] needs 6 bytes from byte 2"));
        // A buffer view past its buffer.
        QVERIFY(refusedEdit([](json& d) { d["bufferViews"][1]["byteLength"] = 10; },
                            ErrorCode::GltfAccessorOutOfBounds, "bufferViews[1] (bytes 36..46) runs past"));
        // A stride that spreads the elements past the view.
        QVERIFY(refusedEdit([](json& d) { d["bufferViews"][0]["byteStride"] = 16; },
                            ErrorCode::GltfAccessorOutOfBounds, "needs 44 bytes"));
        // A buffer larger than the GLB binary chunk.
        json doc = triangleGltf();
        doc["buffers"][0].erase("uri");
        doc["buffers"][0]["byteLength"] = 400;
        doc.erase("images");
        doc.erase("textures");
        doc.erase("materials");
        doc["meshes"][0]["primitives"][0].erase("material");
        QTemporaryDir single;
        QVERIFY(writeFile(single.filePath("tri.glb"), glbOf(doc, triangleData())));
        QVERIFY(refused(buildManifest(single.filePath("tri.glb").toStdString()),
                        ErrorCode::GltfAccessorOutOfBounds, "the GLB's binary chunk holds 44 bytes"));
    }

    void uriEscapingPackage() {
        QTemporaryDir outside;
        QVERIFY(writeFile(outside.filePath("mesh.bin"), triangleData()));
        for (const char* uri : {"../mesh.bin", "textures/../../mesh.bin", "%2E%2E/mesh.bin"})
            QVERIFY2(refusedEdit([&](json& d) { d["buffers"][0]["uri"] = uri; },
                                 ErrorCode::GltfUriNotInPackage, "leaves the package"),
                     uri);
        const std::string absolute = outside.filePath("mesh.bin").toStdString();
        QVERIFY(refusedEdit([&](json& d) { d["buffers"][0]["uri"] = absolute; },
                            ErrorCode::GltfUriNotInPackage, "is absolute"));
        QVERIFY(refusedEdit([&](json& d) { d["buffers"][0]["uri"] = "file://" + absolute; },
                            ErrorCode::GltfUriNotInPackage, "has a URI scheme"));
        QVERIFY(refusedEdit([](json& d) { d["images"][0]["uri"] = "https://example.org/a.png"; },
                            ErrorCode::GltfUriNotInPackage, "has a URI scheme"));
        QVERIFY(refusedEdit(
            [](json& d) { d["buffers"][0]["uri"] = "data:application/octet-stream;base64,AAAA"; },
            ErrorCode::GltfUriNotInPackage, "data: URI"));
        QVERIFY(refusedEdit([](json& d) { d["buffers"][0]["uri"] = "mesh.bin%00.png"; },
                            ErrorCode::GltfUriNotInPackage, "backslash or NUL"));
    }

    void boundedCountsAndSizes() {
        QVERIFY(refusedEdit([](json& d) { d["buffers"][0]["byteLength"] = 1ull << 40; },
                            ErrorCode::GltfLimitExceeded, "buffers[0].byteLength"));
        QVERIFY(refusedEdit([](json& d) { d["accessors"][0]["count"] = 1ull << 40; },
                            ErrorCode::GltfLimitExceeded, "accessors[0].count"));
        QVERIFY(refusedEdit(
            [](json& d) {
                json deep = json::array();
                for (int i = 0; i < 100; ++i)
                    deep = json::array({deep});
                d["extras"] = deep;
            },
            ErrorCode::GltfLimitExceeded, "deeper than 64 levels"));
        // The limits are the caller's: a package within them passes, one past them does not.
        Package p;
        QVERIFY(p.write(triangleGltf()));
        std::vector<std::pair<std::string, std::uint64_t>> files = {
            {"model.gltf", static_cast<std::uint64_t>(QFileInfo(p.dir.filePath("model.gltf")).size())},
            {"mesh.bin", 44},
            {"textures/skin.png", 8}};
        const DiskGltfFiles disk(p.dir.path().toStdString(), false, files);
        QVERIFY(validateGltf("model.gltf", disk).ok());
        GltfLimits small;
        small.maxObjects = 1;
        QCOMPARE(validateGltf("model.gltf", disk, small).code(), ErrorCode::GltfLimitExceeded);
        small = {};
        small.maxIndexBytesRead = 4;
        QCOMPARE(validateGltf("model.gltf", disk, small).code(), ErrorCode::GltfLimitExceeded);
    }

    // Bytes that match a holder-signed manifest can still be a broken model: the check a peer
    // runs before rendering (validatePackageModel, used by verifyPeer) refuses it.
    void verifiedBytesOfABrokenModelAreRefused() {
        Package p;
        QVERIFY(p.write(triangleGltf(), triangleData(7)));
        Manifest m;
        m.chunkSize = 4096;
        m.modelPath = "model.gltf";
        HashOptions o;
        o.chunkSize = m.chunkSize;
        for (const char* f : {"mesh.bin", "model.gltf", "textures/skin.png"}) {
            auto file = hashMediaFile(p.dir.filePath(f).toStdString(), f, o);
            QVERIFY2(file.ok(), file.ok() ? "" : file.error().message().c_str());
            m.files.push_back(std::move(file).value());
        }
        m.packageRoot = computePackageRoot(m.files, m.chunkSize);
        QVERIFY(verifyMedia(m, p.dir.path().toStdString()).ok());
        const Status st = validatePackageModel(m, p.dir.path().toStdString());
        QCOMPARE(st.code(), ErrorCode::GltfIndexOutOfRange);
        // A file on disk that the manifest does not list is not part of the package.
        Package q;
        QVERIFY(q.write(triangleGltf()));
        Manifest withoutBin = m;
        withoutBin.files.erase(withoutBin.files.begin());
        QCOMPARE(validatePackageModel(withoutBin, q.dir.path().toStdString()).code(),
                 ErrorCode::GltfResourceMissing);
    }
};

TWINSEAL_TEST(GltfTest, "gltf")
} // namespace test_gltf
} // namespace

#include "test_gltf.moc"
