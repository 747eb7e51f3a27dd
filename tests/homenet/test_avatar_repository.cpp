// The avatar repository against the real service: multi-MiB avatars of random bytes uploaded with
// the default 256 KiB chunks (by the real client, and raw, pipelined and one after another on a
// keep-alive connection, and with a body arriving in one large piece after its headers) and
// fetched back verified against the credential's media root; the same package certified by two
// subscribers (one media root, two owners) fetched by root by each owner and by a grantee, while
// anyone else gets one answer whether or not the root exists; the chunks of media no DT
// certifies any more removed at re-certification.
#include <QDir>
#include <QFile>
#include <QtTest>

#include <algorithm>
#include <random>

#include <twinseal/netclient/avatar_transfer.h>
#include <twinseal/netclient/service_client.h>
#include <twinseal/security/manifest.h>

#include "homenet_fixture.h"
#include "raw_client.h"
#include "test_macros.h"
#include "testmain.h"

namespace {
namespace test_avatar_repository {

using namespace twinseal;
using namespace twinseal::security;
using namespace twinseal::test;
using netclient::ClientResult;
using netclient::ServiceClient;

namespace {

// A subscriber who certifies (and uploads) an avatar.
struct Owner : TestSubscriber {
    Manifest manifest;
    netclient::Registration registration;
};

Owner subscriber(HomenetServer& server, int n) {
    Owner s;
    static_cast<TestSubscriber&>(s) =
        addTestSubscriber(server, QStringLiteral("ue%1.profile").arg(n), 3000 + n);
    return s;
}

// Authenticates and registers a DT for `package` with chunks of `chunkSize`.
bool registerOwner(Owner& o, const QString& package, std::uint32_t chunkSize = kDefaultChunkSize) {
    auto session = authenticate(*o.client);
    if (!session.ok())
        return false;
    Bytes m = signedManifest(package, o.holder, &o.manifest, chunkSize);
    auto reg = await<netclient::Registration>(
        [&](auto cb) { o.client->registerDt(o.holder, m, std::move(cb)); });
    if (!reg.ok()) {
        qWarning("registration failed: %s", reg.error().describe().c_str());
        return false;
    }
    o.registration = std::move(reg).value();
    return true;
}

const std::string& avatarIdOf(const Owner& o) { return o.registration.credential.claims.avatarId; }
const Digest& mediaRootOf(const Owner& o) { return o.registration.credential.claims.mediaRoot; }

// The sample avatar plus a file of random bytes and a file of capital letters without a blank
// line (a body fragment of it looks like the start of request headers), several MiB in all.
QString largePackage(const QString& where, int variant, std::uint64_t seed) {
    avatarCopy(where, variant);
    std::mt19937_64 rng(seed);
    QFile noise(QDir(where).filePath(QStringLiteral("texture-noise.bin")));
    QFile letters(QDir(where).filePath(QStringLiteral("notes-upper.txt")));
    if (!noise.open(QIODevice::WriteOnly) || !letters.open(QIODevice::WriteOnly))
        qFatal("cannot write the test package");
    QByteArray bytes(3 * 1024 * 1024 + 12345, '\0');
    for (auto& b : bytes)
        b = char(rng());
    noise.write(bytes);
    QByteArray text(1536 * 1024 + 777, 'A');
    for (auto& c : text)
        c = char('A' + rng() % 26);
    letters.write(text);
    return where;
}

bool isCapitals(const QByteArray& bytes) {
    return std::all_of(bytes.begin(), bytes.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

ClientResult<netclient::AvatarRecord> upload(Owner& o, const QString& package) {
    return await<netclient::AvatarRecord>([&](auto cb) {
        o.client->uploadAvatar(avatarIdOf(o), o.manifest, package, std::move(cb));
    });
}

ClientResult<netclient::FetchedAvatar> fetch(ServiceClient& client, netclient::AvatarFetchRequest req) {
    return await<netclient::FetchedAvatar>([&](auto cb) { client.fetchAvatar(req, std::move(cb)); });
}

netclient::AvatarFetchRequest byRoot(const Owner& certified, const QString& destination,
                                const std::string& grant = {}) {
    netclient::AvatarFetchRequest req;
    req.mediaRoot = mediaRootOf(certified);
    req.expectedMediaRoot = mediaRootOf(certified);
    req.grantToken = grant;
    req.destination = destination;
    return req;
}

// Every chunk of `package` as a raw signed PUT, in manifest order.
QList<QByteArray> chunkPuts(const AkmaSession& akma, const std::string& avatarId,
                            const Manifest& m, const QString& package) {
    QList<QByteArray> out;
    for (std::size_t i = 0; i < m.files.size(); ++i) {
        QFile f(QDir(package).filePath(QString::fromStdString(m.files[i].path)));
        if (!f.open(QIODevice::ReadOnly))
            qFatal("cannot read the package");
        for (std::size_t c = 0; c < m.files[i].chunkHashes.size(); ++c) {
            const QByteArray data = f.read(m.chunkSize);
            const QByteArray path = "/v1/avatars/" + QByteArray::fromStdString(avatarId) +
                                    "/files/" + QByteArray::number(qulonglong(i)) + "/chunks/" +
                                    QByteArray::number(qulonglong(c));
            out.append(rawRequest("PUT", path, data, "application/octet-stream",
                                  {{"Authorization", akmaAuthorization(akma, "PUT", path, data)}}));
        }
    }
    return out;
}

} // namespace

class AvatarRepositoryTest : public QObject {
    Q_OBJECT

private slots:
    // Chunks of 256 KiB arrive over TLS in many pieces; none of them may be mistaken for request
    // headers, whether the client waits for each answer or pipelines its requests.
    void largeAvatarWithDefaultChunks() {
        HomenetServer server;
        QVERIFY(server.start(noRateLimit()));
        const QString pkg = largePackage(server.scratch(QStringLiteral("pkg")), 0, 1);
        Owner a = subscriber(server, 1);
        QVERIFY(registerOwner(a, pkg));
        QVERIFY(a.manifest.chunkSize == kDefaultChunkSize);

        auto uploaded = upload(a, pkg);
        REQUIRE_OK(uploaded);
        QVERIFY(uploaded->complete);
        netclient::AvatarFetchRequest req;
        req.avatarId = avatarIdOf(a);
        req.expectedMediaRoot = mediaRootOf(a);
        req.expectedHolderKey = a.holder.publicKey();
        req.destination = server.scratch(QStringLiteral("fetched-a"));
        auto fetched = fetch(*a.client, req);
        REQUIRE_OK(fetched);
        QVERIFY(fetched->bytes > 4UL * 1024 * 1024);
        QVERIFY(verifyMedia(a.manifest, req.destination.toStdString()).ok());

        // Another avatar, uploaded raw: every chunk pipelined on one connection, then again one
        // after another on another connection (a repeated chunk is accepted as it is).
        const QString pkgB = largePackage(server.scratch(QStringLiteral("pkg-b")), 1, 2);
        Owner b = subscriber(server, 2);
        QVERIFY(registerOwner(b, pkgB));
        RawClient raw(server);
        UsimProfileData ue = *UsimProfileData::load(b.path.toStdString());
        const AkmaSession akma = akmaLogin(raw, ue);
        const QList<QByteArray> puts = chunkPuts(akma, avatarIdOf(b), b.manifest, pkgB);
        QVERIFY(puts.size() > 16);
        const QList<HttpResult> piped = onOneConnection(server, puts, true);
        QCOMPARE(piped.size(), puts.size());
        for (const HttpResult& r : piped)
            QVERIFY2(r.status == 200, r.code.c_str());
        // A chunk whose body reaches the service in one large piece after its headers were read
        // (a body of capital letters: it must not be taken for request headers).
        const QList<QByteArray> all = chunkPuts(akma, avatarIdOf(b), b.manifest, pkgB);
        QByteArray lettersChunk;
        for (const QByteArray& put : all) {
            const QByteArray body = put.mid(put.indexOf("\r\n\r\n") + 4);
            if (lettersChunk.isEmpty() && body.size() > 64LL * 1024 && isCapitals(body))
                lettersChunk = put;
        }
        QVERIFY(!lettersChunk.isEmpty());
        const HttpResult split =
            sendInTwoParts(server, lettersChunk, lettersChunk.indexOf("\r\n\r\n") + 5);
        QVERIFY2(split.status == 200, split.code.c_str());
        const QList<QByteArray> again = chunkPuts(akma, avatarIdOf(b), b.manifest, pkgB);
        const QList<HttpResult> oneByOne = onOneConnection(server, again, false);
        QCOMPARE(oneByOne.size(), again.size());
        for (const HttpResult& r : oneByOne)
            QVERIFY2(r.status == 200, r.code.c_str());

        req.avatarId = avatarIdOf(b);
        req.expectedMediaRoot = mediaRootOf(b);
        req.expectedHolderKey = b.holder.publicKey();
        req.destination = server.scratch(QStringLiteral("fetched-b"));
        REQUIRE_OK(fetch(*b.client, req));
        QVERIFY(verifyMedia(b.manifest, req.destination.toStdString()).ok());
        QVERIFY(!server.pollLog().contains("headers-too-large"));
    }

    // The bundled sample avatar certified by two subscribers, the second after the first one's
    // twin was revoked (one active twin per media root): one media root, two DTs.
    void sharedMediaRoot() {
        HomenetServer server;
        QVERIFY(server.start());
        const QString pkg = avatarCopy(server.scratch(QStringLiteral("pkg")));
        Owner a = subscriber(server, 1);
        Owner b = subscriber(server, 2);
        Owner grantee = subscriber(server, 3);
        Owner stranger = subscriber(server, 4);
        QVERIFY(registerOwner(b, pkg));
        REQUIRE_OK(upload(b, pkg));
        REQUIRE_OK(await<netclient::DtRecord>([&](auto cb) {
            b.client->revoke(b.registration.credential.claims.dtId, "replaced", std::move(cb));
        }));
        QVERIFY(registerOwner(a, pkg));
        QVERIFY(mediaRootOf(a) == mediaRootOf(b));
        QVERIFY(avatarIdOf(a) != avatarIdOf(b));
        REQUIRE_OK(upload(a, pkg));
        REQUIRE_OK(await<netclient::AuthSession>(
            [&](auto cb) { grantee.client->authenticate(std::move(cb)); }));
        REQUIRE_OK(await<netclient::AuthSession>(
            [&](auto cb) { stranger.client->authenticate(std::move(cb)); }));

        // Each owner fetching by the root gets their own avatar, whoever registered it last.
        for (Owner* o : {&a, &b}) {
            auto info = await<netclient::AvatarRecord>([&](auto cb) {
                o->client->fetchAvatarInfo(byRoot(*o, {}), std::move(cb));
            });
            REQUIRE_OK(info);
            QCOMPARE(info->avatarId, avatarIdOf(*o));
            QCOMPARE(info->dtId, o->registration.credential.claims.dtId);
            const QString dest = server.scratch(QStringLiteral("own-%1").arg(o == &a ? 1 : 2));
            auto fetched = fetch(*o->client, byRoot(*o, dest));
            REQUIRE_OK(fetched);
            QCOMPARE(fetched->avatarId, avatarIdOf(*o));
            QVERIFY(verifyMedia(o->manifest, dest.toStdString()).ok());
        }

        // A holder of the first owner's grant gets the first owner's avatar by the root.
        auto grant = await<netclient::AccessGrant>(
            [&](auto cb) { a.client->createGrant(avatarIdOf(a), 600, std::move(cb)); });
        REQUIRE_OK(grant);
        const QString viaGrant = server.scratch(QStringLiteral("via-grant"));
        auto granted = fetch(*grantee.client, byRoot(a, viaGrant, grant->token));
        REQUIRE_OK(granted);
        QCOMPARE(granted->avatarId, avatarIdOf(a));
        QVERIFY(verifyMedia(a.manifest, viaGrant.toStdString()).ok());

        // Anyone else gets the same answer whether or not a root exists.
        Digest unknown = mediaRootOf(a);
        unknown[0] ^= 0x01;
        RawClient raw(server);
        UsimProfileData ue = *UsimProfileData::load(stranger.path.toStdString());
        const AkmaSession akma = akmaLogin(raw, ue);
        auto askByRoot = [&](const Digest& root, const RawHeaders& auth) {
            return raw.send("GET", QStringLiteral("/v1/avatars/by-root/") +
                                       QString::fromStdString(toHex(root)),
                            {}, {}, auth);
        };
        auto signedAsk = [&](const Digest& root) {
            const QByteArray path = "/v1/avatars/by-root/" + QByteArray::fromStdString(toHex(root));
            return askByRoot(root, {{"Authorization", akmaAuthorization(akma, "GET", path, {})}});
        };
        const HttpResult existing = signedAsk(mediaRootOf(a));
        const HttpResult missing = signedAsk(unknown);
        EXPECT_REFUSAL(existing, 404, "unknown-avatar");
        EXPECT_REFUSAL(missing, 404, "unknown-avatar");
        QCOMPARE(existing.body, missing.body);
        // ... and so does a grant holder asking for a root its grant does not cover.
        const RawHeaders grantAuth{{"Authorization", "TwinSeal-Grant " + QByteArray::fromStdString(grant->token)}};
        const HttpResult grantMissing = askByRoot(unknown, grantAuth);
        EXPECT_REFUSAL(grantMissing, 404, "unknown-avatar");
        QCOMPARE(grantMissing.body, existing.body);
        // Without any authorisation: asked to authenticate, root or not.
        EXPECT_REFUSAL(askByRoot(mediaRootOf(a), {}), 401, "not-authenticated");
        EXPECT_REFUSAL(askByRoot(unknown, {}), 401, "not-authenticated");
        // The client reports the refusal with its reason code.
        auto refused = fetch(*stranger.client, byRoot(a, server.scratch(QStringLiteral("no"))));
        QVERIFY(!refused.ok());
        QCOMPARE(QString::fromStdString(refused.error().code), QStringLiteral("unknown-avatar"));
    }

    // A model that is not valid glTF (here a node that is its own child) cannot be checked
    // before the home network certifies it (issuance precedes the upload), but the chunk that
    // would complete it is refused with the validator's reason: the avatar is never served.
    void brokenModelNeverServed() {
        HomenetServer server;
        QVERIFY(server.start());
        const QString pkg = avatarCopy(server.scratch(QStringLiteral("pkg")));
        QVERIFY(QFile::remove(QDir(pkg).filePath(QStringLiteral("sample-avatar.glb"))));
        QFile model(QDir(pkg).filePath(QStringLiteral("model.gltf")));
        QVERIFY(model.open(QIODevice::WriteOnly));
        model.write(R"({"asset":{"version":"2.0"},"nodes":[{"children":[0]}]})");
        model.close();
        Owner o = subscriber(server, 1);
        REQUIRE_OK(authenticate(*o.client));
        // Signed as a hostile holder would: without buildManifest's checks.
        Manifest m;
        m.chunkSize = 4096;
        HashOptions opt;
        opt.chunkSize = m.chunkSize;
        for (const QString& name : QDir(pkg).entryList(QDir::Files, QDir::Name)) {
            auto file = hashMediaFile(QDir(pkg).filePath(name).toStdString(), name.toStdString(), opt);
            QVERIFY(file.ok());
            file->mediaType = name.endsWith(QStringLiteral(".gltf")) ? "model/gltf+json"
                              : name.endsWith(QStringLiteral(".json")) ? "application/json"
                                                                        : "text/plain";
            m.files.push_back(std::move(file).value());
        }
        m.packageRoot = computePackageRoot(m.files, m.chunkSize);
        m.modelPath = "model.gltf";
        m.metadataPath = "avatar.json";
        auto meta = buildManifest(TWINSEAL_SOURCE_DIR "/resources/avatar");
        QVERIFY(meta.ok());
        m.metadata = meta->metadata;
        auto signedM = signManifest(m, o.holder);
        QVERIFY(signedM.ok());
        auto reg = await<netclient::Registration>(
            [&](auto cb) { o.client->registerDt(o.holder, *signedM, std::move(cb)); });
        REQUIRE_OK(reg);
        o.registration = std::move(reg).value();
        o.manifest = parseSignedManifest(*signedM)->manifest;
        auto uploaded = upload(o, pkg);
        QVERIFY(!uploaded.ok());
        QCOMPARE(QString::fromStdString(uploaded.error().code),
                 QStringLiteral("gltf-node-graph-invalid"));
        auto info = await<netclient::AvatarRecord>([&](auto cb) {
            o.client->fetchAvatarInfo(byRoot(o, {}), std::move(cb));
        });
        REQUIRE_OK(info);
        QVERIFY(!info->complete);
        auto fetched = fetch(*o.client, byRoot(o, server.scratch(QStringLiteral("fetched"))));
        QVERIFY(!fetched.ok());
        QCOMPARE(QString::fromStdString(fetched.error().code), QStringLiteral("avatar-incomplete"));
    }

    // A re-certification to other media removes the chunks of the media no DT names any more,
    // and keeps those another DT still certifies.
    void supersededChunksRemoved() {
        HomenetServer server;
        QVERIFY(server.start());
        const QString v0 = avatarCopy(server.scratch(QStringLiteral("v0")));
        Owner a = subscriber(server, 1);
        Owner b = subscriber(server, 2);
        // B certified the media first; its revoked twin still certifies it (B may still fetch
        // it), and A certifies it after that revocation (one active twin per media root).
        QVERIFY(registerOwner(b, v0, 4096));
        REQUIRE_OK(await<netclient::DtRecord>([&](auto cb) {
            b.client->revoke(b.registration.credential.claims.dtId, "replaced", std::move(cb));
        }));
        QVERIFY(registerOwner(a, v0, 4096));
        REQUIRE_OK(upload(a, v0));
        auto rootOf = [](const Owner& o) {
            return QByteArray(reinterpret_cast<const char*>(mediaRootOf(o).data()),
                              qsizetype(mediaRootOf(o).size()));
        };
        const QByteArray root0 = rootOf(a);
        const QString chunksOf = QStringLiteral("SELECT COUNT(*) FROM avatar_chunks WHERE media_root = ?");
        const QString filesOf = QStringLiteral("SELECT COUNT(*) FROM avatar_files WHERE media_root = ?");
        const qint64 stored = countInDatabase(server, chunksOf, root0);
        QVERIFY(stored > 1);

        auto recertify = [&](Owner& o, const QString& package) {
            Bytes m = signedManifest(package, o.holder, &o.manifest, 4096);
            auto r = await<netclient::Registration>([&](auto cb) {
                o.client->recertify(o.registration.credential.claims.dtId, o.holder, m,
                                    std::move(cb));
            });
            if (!r.ok())
                return false;
            o.registration = std::move(r).value();
            return true;
        };
        // The other (revoked) twin still certifies the media: nothing is removed.
        const QString v1 = avatarCopy(server.scratch(QStringLiteral("v1")), 1);
        QVERIFY(recertify(a, v1));
        QCOMPARE(countInDatabase(server, chunksOf, root0), stored);
        REQUIRE_OK(upload(a, v1));
        const QByteArray root1 = rootOf(a);
        QVERIFY(countInDatabase(server, chunksOf, root1) > 1);
        // Now nobody certifies v1: its chunks and files are gone; the new media is untouched.
        const QString v2 = avatarCopy(server.scratch(QStringLiteral("v2")), 2);
        QVERIFY(recertify(a, v2));
        QCOMPARE(countInDatabase(server, chunksOf, root1), qint64(0));
        QCOMPARE(countInDatabase(server, filesOf, root1), qint64(0));
        QCOMPARE(countInDatabase(server, chunksOf, root0), stored);
        REQUIRE_OK(upload(a, v2));
        QVERIFY(countInDatabase(server, chunksOf, rootOf(a)) > 1);
        netclient::AvatarFetchRequest req = byRoot(a, server.scratch(QStringLiteral("fetched")));
        REQUIRE_OK(fetch(*a.client, req));
        QVERIFY(verifyMedia(a.manifest, req.destination.toStdString()).ok());
        // The client refuses a fetch that does not say which media root the bytes must match.
        req.expectedMediaRoot.reset();
        auto unstated = fetch(*a.client, req);
        QVERIFY(!unstated.ok());
        QCOMPARE(QString::fromStdString(unstated.error().code), QStringLiteral("invalid-argument"));
    }
};

TWINSEAL_TEST(AvatarRepositoryTest, "avatar-repository")
} // namespace test_avatar_repository
} // namespace

#include "test_avatar_repository.moc"
