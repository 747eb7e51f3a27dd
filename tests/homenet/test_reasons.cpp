// Refusals through the real service, each with its HTTP status and reason code, and each leaving
// the state as it was (the log's size, the subscriber's DTs and stored avatar, the status list):
// a registration not signed by its key, a replayed registration, an oversized avatar, chunks of
// the wrong size or content, a fetch before the upload is complete, an expired grant, an expired
// AKMA key, a SUCI under an unknown home network key, a forged AUTS, a chunked body,
// oversized headers, and a signed request replayed after a restart.
#include <QDir>
#include <QFile>
#include <QtTest>

#include <twinseal/netclient/service_client.h>
#include <twinseal/proto/homenet.pb.h>
#include <twinseal/security/manifest.h>

#include "homenet_fixture.h"
#include "raw_client.h"
#include "testmain.h"

namespace {
namespace test_reasons {

using namespace twinseal;
using namespace twinseal::security;
using namespace twinseal::test;

namespace {

QByteArray chunkPath(const std::string& avatarId, int file, int chunk) {
    return "/v1/avatars/" + QByteArray::fromStdString(avatarId) + "/files/" +
           QByteArray::number(file) + "/chunks/" + QByteArray::number(chunk);
}

// A subscriber with the service's real client (it reads the status list) and a raw AKMA
// session of its own for hand-made requests.
struct Party {
    QString path;
    std::unique_ptr<netclient::ServiceClient> client;
    AkmaSession akma;
    SigningKey holder = std::move(SigningKey::generate(KeyAlgorithm::Ed25519)).value();
};

Party party(HomenetServer& server, RawClient& raw, int n) {
    Party p;
    p.path = server.scratch(QStringLiteral("ue%1.profile").arg(n));
    auto profile = server.addSubscriber(QStringLiteral("imsi-00101000000%1").arg(4000 + n), p.path);
    if (!profile)
        qFatal("subscriber add failed");
    p.client = std::make_unique<netclient::ServiceClient>(*profile, p.path);
    UsimProfileData ue = *profile;
    p.akma = akmaLogin(raw, ue);
    if (!ue.save(p.path.toStdString()).ok())
        qFatal("cannot save the profile");
    return p;
}

#define EXPECT_UNCHANGED(before, after)                                                            \
    QVERIFY2((before) == (after), "the refusal changed the service's state")

} // namespace

class ReasonsTest : public QObject {
    Q_OBJECT

private slots:
    void registrationAndUploadRefusals() {
        HomenetServer server;
        QVERIFY(server.start({QStringLiteral("--config"),
                              writeServiceIni(server, "max-avatar-bytes = 400000\nrate-limit = 0\n")}));
        RawClient raw(server);
        Party a = party(server, raw, 1);
        const QString pkg = avatarCopy(server.scratch(QStringLiteral("pkg")));
        Manifest manifest;
        const Bytes signedM = signedManifest(pkg, a.holder, &manifest);
        const ServiceState empty = serviceState(raw, *a.client, a.akma);

        // Not signed by the holder key it names (a signature byte changed).
        QByteArray forged = registrationBody(a.akma, a.holder, signedM);
        forged[forged.size() - 1] = char(forged[forged.size() - 1] ^ 0x01);
        EXPECT_REFUSAL(raw.sendSigned(a.akma, "POST", "/v1/dt/register", forged), 400,
                       "proof-of-possession-failed");
        EXPECT_UNCHANGED(empty, serviceState(raw, *a.client, a.akma));

        // Larger than this network stores.
        const QString big = avatarCopy(server.scratch(QStringLiteral("big")), 1);
        QFile extra(QDir(big).filePath(QStringLiteral("extra.bin")));
        QVERIFY(extra.open(QIODevice::WriteOnly));
        extra.write(QByteArray(500000, 'x'));
        extra.close();
        EXPECT_REFUSAL(raw.sendSigned(a.akma, "POST", "/v1/dt/register",
                                      registrationBody(a.akma, a.holder,
                                                       signedManifest(big, a.holder))),
                       413, "avatar-too-large");
        EXPECT_UNCHANGED(empty, serviceState(raw, *a.client, a.akma));

        // Registered once; the same signed registration again (in a new request) is a replay.
        const QByteArray body = registrationBody(a.akma, a.holder, signedM);
        QCOMPARE(raw.sendSigned(a.akma, "POST", "/v1/dt/register", body).status, 200);
        proto::DtList dts;
        const HttpResult list = raw.sendSigned(a.akma, "GET", "/v1/dt");
        QVERIFY(dts.ParseFromArray(list.body.constData(), int(list.body.size())));
        QCOMPARE(dts.dts_size(), 1);
        const std::string avatarId = dts.dts(0).avatar_id();
        const ServiceState registered = serviceState(raw, *a.client, a.akma, avatarId);
        QCOMPARE(registered.logSize, empty.logSize + 1);
        EXPECT_REFUSAL(raw.sendSigned(a.akma, "POST", "/v1/dt/register", body), 409,
                       "registration-replayed");
        EXPECT_UNCHANGED(registered, serviceState(raw, *a.client, a.akma, avatarId));

        // Nothing uploaded yet: a fetch says so.
        EXPECT_REFUSAL(raw.sendSigned(a.akma, "GET",
                                      "/v1/avatars/" + QByteArray::fromStdString(avatarId) +
                                          "/files/0"),
                       409, "avatar-incomplete");
        // Chunks of the wrong size or content are refused and nothing is stored.
        QFile first(QDir(pkg).filePath(QString::fromStdString(manifest.files[0].path)));
        QVERIFY(first.open(QIODevice::ReadOnly));
        QByteArray chunk = first.read(manifest.chunkSize);
        EXPECT_REFUSAL(raw.sendSigned(a.akma, "PUT", chunkPath(avatarId, 0, 0), chunk.chopped(1),
                                      "application/octet-stream"),
                       400, "chunk-size-mismatch");
        chunk[0] = char(chunk[0] ^ 0x20);
        EXPECT_REFUSAL(raw.sendSigned(a.akma, "PUT", chunkPath(avatarId, 0, 0), chunk,
                                      "application/octet-stream"),
                       422, "chunk-hash-mismatch");
        EXPECT_UNCHANGED(registered, serviceState(raw, *a.client, a.akma, avatarId));

        // A grant that has expired (the service counts whole seconds).
        proto::GrantRequest gr;
        gr.set_ttl_seconds(1);
        const HttpResult g = raw.sendSigned(a.akma, "POST",
                                            "/v1/avatars/" + QByteArray::fromStdString(avatarId) +
                                                "/grants",
                                            QByteArray::fromStdString(gr.SerializeAsString()));
        proto::AccessGrant grant;
        QCOMPARE(g.status, 200);
        QVERIFY(grant.ParseFromArray(g.body.constData(), int(g.body.size())));
        const RawHeaders viaGrant{{"Authorization",
                                   "TwinSeal-Grant " + QByteArray::fromStdString(grant.token())}};
        const QString avatarPath = QStringLiteral("/v1/avatars/") + QString::fromStdString(avatarId);
        QCOMPARE(raw.send("GET", avatarPath, {}, {}, viaGrant).status, 200);
        HttpResult expired;
        QTRY_VERIFY_WITH_TIMEOUT((expired = raw.send("GET", avatarPath, {}, {}, viaGrant)).status != 200,
                                 10000);
        EXPECT_REFUSAL(expired, 401, "grant-expired");
        const ServiceState granted = serviceState(raw, *a.client, a.akma, avatarId);
        QCOMPARE(granted.logSize, registered.logSize);

        // A chunked body (no Content-Length) and headers over 16 KiB: refused from the headers.
        const QList<HttpResult> chunked = onOneConnection(
            server,
            {"POST /v1/auth/start HTTP/1.1\r\nHost: localhost\r\nContent-Type: "
             "application/x-protobuf\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"},
            false);
        QCOMPARE(chunked.size(), 1);
        EXPECT_REFUSAL(chunked[0], 411, "length-required");
        const QList<HttpResult> huge = onOneConnection(
            server,
            {rawRequest("GET", "/v1/info", {}, {}, {{"X-Padding", QByteArray(20000, 'p')}})}, false);
        QCOMPARE(huge.size(), 1);
        EXPECT_REFUSAL(huge[0], 431, "headers-too-large");
        EXPECT_UNCHANGED(granted, serviceState(raw, *a.client, a.akma, avatarId));
        QVERIFY(server.running());
    }

    void authenticationRefusals() {
        HomenetServer server;
        QVERIFY(server.start({QStringLiteral("--config"), writeServiceIni(server, "akma-key-ttl = 3\n")}));
        RawClient raw(server);
        Party a = party(server, raw, 1);
        const ServiceState before = serviceState(raw, *a.client, a.akma);
        UsimProfileData ue = *UsimProfileData::load(a.path.toStdString());

        // A SUCI concealed under a home network key id this network does not have.
        UsimProfileData otherKey = ue;
        otherKey.hnKeyId = static_cast<std::uint8_t>(ue.hnKeyId + 1);
        proto::AuthStartRequest start;
        start.set_suci(suciFor(otherKey, ue.supi.toString(), ue.hnPublicKey));
        EXPECT_REFUSAL(raw.post(QStringLiteral("/v1/auth/start"), start), 400, "unknown-hn-key");

        // A re-synchronisation token that does not verify.
        proto::AuthChallenge c = challenge(raw, ue);
        proto::AuthResyncRequest resync;
        resync.set_auth_id(c.auth_id());
        resync.set_auts(std::string(14, '\x5a'));
        EXPECT_REFUSAL(raw.post(QStringLiteral("/v1/auth/resync"), resync), 401, "auts-invalid");
        // The network's SQN did not move: the USIM's next authentication needs no resync.
        UsimProfileData next = ue;
        const AkmaSession again = akmaLogin(raw, next);
        QVERIFY(!again.aKid.empty());

        // The AKMA key expires: signed requests are then refused as such.
        HttpResult late;
        QTRY_VERIFY_WITH_TIMEOUT((late = raw.sendSigned(again, "GET", "/v1/dt")).status != 200,
                                 15000);
        EXPECT_REFUSAL(late, 401, "akma-key-expired");
        const AkmaSession fresh = akmaLogin(raw, next);
        EXPECT_UNCHANGED(before, serviceState(raw, *a.client, fresh));
    }

    // Request nonces are kept in the database for the whole window: a restart does not reopen
    // a replay window.
    // Starts over the per-subscriber and the per-source limit: 429 with a reason code and
    // Retry-After. A SUPI that is not subscribed gets an answer like a subscriber's.
    void authStartLimitsAndUnknownSubscribers() {
        HomenetServer server;
        QVERIFY(server.start({QStringLiteral("--config"),
                              writeServiceIni(server, "auth-start-burst = 2\nauth-start-per-minute = 1\n"
                                               "auth-start-source-burst = 5\n"
                                               "auth-start-source-per-minute = 1\n")}));
        RawClient raw(server);
        Party a = party(server, raw, 1); // one start (the party's login)
        const UsimProfileData ue = *UsimProfileData::load(a.path.toStdString());
        proto::AuthStartRequest known;
        known.set_suci(suciFor(ue, ue.supi.toString(), ue.hnPublicKey));
        const HttpResult first = raw.post(QStringLiteral("/v1/auth/start"), known);
        QCOMPARE(first.status, 200);
        const HttpResult limited = raw.post(QStringLiteral("/v1/auth/start"), known);
        EXPECT_REFUSAL(limited, 429, "auth-start-rate-limited");
        bool ok = false;
        const int wait = limited.retryAfter.toInt(&ok);
        QVERIFY2(ok && wait >= 1 && wait <= 60, limited.retryAfter.constData());

        proto::AuthStartRequest stranger;
        stranger.set_suci(suciFor(ue, "imsi-001010000000099", ue.hnPublicKey));
        const HttpResult unknown = raw.post(QStringLiteral("/v1/auth/start"), stranger);
        QCOMPARE(unknown.status, first.status);
        QCOMPARE(unknown.contentType, first.contentType);
        QCOMPARE(unknown.cacheControl, first.cacheControl);
        QCOMPARE(unknown.body.size(), first.body.size());
        proto::AuthChallenge c;
        QVERIFY(c.ParseFromArray(unknown.body.constData(), int(unknown.body.size())));
        proto::AuthFinishRequest finish;
        finish.set_auth_id(c.auth_id());
        finish.set_res_star(std::string(16, '\x01'));
        EXPECT_REFUSAL(raw.post(QStringLiteral("/v1/auth/finish"), finish), 401,
                       "aka-res-mismatch");

        QCOMPARE(raw.post(QStringLiteral("/v1/auth/start"), stranger).status, 200);
        const HttpResult fromHere = raw.post(QStringLiteral("/v1/auth/start"), stranger);
        EXPECT_REFUSAL(fromHere, 429, "auth-start-source-rate-limited");
        QVERIFY(!fromHere.retryAfter.isEmpty());
    }

    void requestReplayAcrossRestart() {
        HomenetServer server;
        QVERIFY(server.start());
        RawClient raw(server);
        Party a = party(server, raw, 1);
        const RawHeaders signedOnce{{"Authorization", akmaAuthorization(a.akma, "GET", "/v1/dt", {})}};
        QCOMPARE(raw.send("GET", QStringLiteral("/v1/dt"), {}, {}, signedOnce).status, 200);
        QVERIFY(server.restart());
        RawClient afterRestart(server);
        EXPECT_REFUSAL(afterRestart.send("GET", QStringLiteral("/v1/dt"), {}, {}, signedOnce), 409,
                       "request-replayed");
        QCOMPARE(afterRestart.sendSigned(a.akma, "GET", "/v1/dt").status, 200);
    }
};

TWINSEAL_TEST(ReasonsTest, "reasons")
} // namespace test_reasons
} // namespace

#include "test_reasons.moc"
