// Bad input against the real service: malformed bodies, wrong content types, oversized bodies,
// unknown and forged SUCIs, replayed and wrong AKA responses, expired challenges, replayed
// signed requests, rate limits, random bytes on every endpoint (also signed with a subscriber's
// valid AKMA key, so that the bodies are parsed). Each gets a 4xx with its own reason code, the
// state is unchanged, and the service keeps working afterwards.
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSslConfiguration>
#include <QWebSocket>
#include <QtTest>

#include <random>

#include <twinseal/netclient/service_client.h>
#include <google/protobuf/util/json_util.h>

#include <twinseal/proto/homenet.pb.h>
#include <twinseal/proto/twinseal.pb.h>
#include <twinseal/security/aka.h>
#include <twinseal/security/milenage.h>
#include <twinseal/security/statuslist.h>
#include <twinseal/security/translog.h>
#include <twinseal/security/request_auth.h>
#include <twinseal/security/subscriber.h>
#include <twinseal/security/suci.h>

#include "homenet_fixture.h"
#include "raw_client.h"
#include "testmain.h"

namespace {
namespace test_bad_input {

using namespace twinseal;
using namespace twinseal::security;
using namespace twinseal::test;

class BadInputTest : public QObject {
    Q_OBJECT

private slots:
    void malformedAndMisdirectedRequests() {
        HomenetServer server;
        QVERIFY(server.start());
        RawClient raw(server);
        EXPECT_REFUSAL(raw.send("POST", "/v1/auth/start", "\xff\xff\xff garbage"), 400, "malformed-request");
        EXPECT_REFUSAL(raw.send("POST", "/v1/auth/start", "{not json", "application/json"), 400,
                       "malformed-request");
        EXPECT_REFUSAL(raw.send("POST", "/v1/auth/start", "suci", "text/plain"), 415,
                       "unsupported-content-type");
        EXPECT_REFUSAL(raw.send("POST", "/v1/dt/register", "x", "application/json"), 415,
                       "unsupported-content-type");
        EXPECT_REFUSAL(raw.send("GET", "/v1/auth/start"), 405, "method-not-allowed");
        EXPECT_REFUSAL(raw.send("GET", "/v1/no-such-thing"), 404, "not-found");
        EXPECT_REFUSAL(raw.send("GET", "/v1/log/inclusion?index=abc"), 400, "malformed-request");
        EXPECT_REFUSAL(raw.send("GET", "/v1/log/inclusion?index=5&size=1"), 400, "tree-size-unknown");
        EXPECT_REFUSAL(raw.send("GET", "/v1/log/consistency?first=0&second=0"), 400, "tree-size-invalid");
        EXPECT_REFUSAL(raw.send("GET", "/v1/dt"), 401, "not-authenticated");
        EXPECT_REFUSAL(raw.send("GET", "/v1/dt", {}, {}, {{"Authorization", "Bearer x"}}), 401,
                       "authorization-malformed");
        EXPECT_REFUSAL(raw.send("GET", "/v1/avatars/urn:twinseal:avatar:nope"), 404, "unknown-avatar");
        // Oversized: refused from the headers, before the body is buffered.
        EXPECT_REFUSAL(raw.send("POST", "/v1/auth/start", QByteArray(9LL * 1024 * 1024, 'x')), 413,
                       "body-too-large");
        // JSON works where a person would use it, and answers in JSON.
        HttpResult info = raw.send("GET", "/v1/info", {}, {}, {{"Accept", "application/json"}});
        QCOMPARE(info.status, 200);
        QVERIFY(info.body.contains("\"operator_name\""));
        HttpResult json = raw.send("POST", "/v1/auth/start", "{\"suci\":\"suci-0-001-01-0-0-0-0001\"}",
                                   "application/json");
        QCOMPARE(json.status, 400);
        QVERIFY(json.body.contains("\"code\":\"suci-scheme-unsupported\""));
        QVERIFY(server.running());
    }

    // Known path families answer by what they are: a wrong method on any /v1/auth/{step} or
    // /v1/log/{name} is 405 (the right method on an unknown one is 404), and a file index that is
    // not a number is 400 whatever the method or the rest of the path.
    void knownPathFamiliesAnswerByMethodAndIndex() {
        HomenetServer server;
        QVERIFY(server.start());
        RawClient raw(server);
        struct Case {
            QByteArray method;
            QString path;
            int status;
            const char* code;
        };
        const QString files = QStringLiteral("/v1/avatars/urn:twinseal:avatar:x/files/");
        const Case cases[] = {
            {"GET", QStringLiteral("/v1/auth/no-such-step"), 405, "method-not-allowed"},
            {"PUT", QStringLiteral("/v1/auth/finish"), 405, "method-not-allowed"},
            {"POST", QStringLiteral("/v1/auth/no-such-step"), 404, "not-found"},
            {"GET", QStringLiteral("/v1/auth/start/more"), 404, "not-found"},
            {"POST", QStringLiteral("/v1/log/no-such-thing"), 405, "method-not-allowed"},
            {"POST", QStringLiteral("/v1/log/head"), 405, "method-not-allowed"},
            {"GET", QStringLiteral("/v1/log/no-such-thing"), 404, "not-found"},
            // A file index that is not a number: 400 whatever the method or the rest.
            {"GET", files + QStringLiteral("abc"), 400, "malformed-request"},
            {"PUT", files + QStringLiteral("abc"), 400, "malformed-request"},
            {"GET", files + QStringLiteral("abc/chunks/0"), 400, "malformed-request"},
            {"PUT", files + QStringLiteral("abc/chunks/0"), 400, "malformed-request"},
            {"GET", files + QStringLiteral("abc/other"), 400, "malformed-request"},
            // A numeric index: the method and the path decide again.
            {"PUT", files + QStringLiteral("0"), 405, "method-not-allowed"},
            {"GET", files + QStringLiteral("0/chunks/0"), 405, "method-not-allowed"},
            {"GET", files + QStringLiteral("0/other"), 404, "not-found"},
            {"PUT", files + QStringLiteral("0/chunks/abc"), 400, "malformed-request"},
        };
        for (const Case& c : cases) {
            const bool put = c.method == "PUT";
            const HttpResult r = raw.send(c.method, c.path, put ? QByteArray("x") : QByteArray(),
                                          put ? "application/octet-stream"
                                              : "application/x-protobuf");
            QVERIFY2(r.status == c.status && r.code == c.code,
                     qPrintable(QStringLiteral("%1 %2: %3 %4, expected %5 %6")
                                    .arg(QString::fromLatin1(c.method), c.path)
                                    .arg(r.status)
                                    .arg(QString::fromStdString(r.code))
                                    .arg(c.status)
                                    .arg(QString::fromLatin1(c.code))));
        }
        QVERIFY(server.running());
    }

    // The Protobuf JSON mapping on every response when asked for: a JSON body, or Accept:
    // application/json with a binary body; the signed status list and tree head are their
    // Signed envelopes with the signed bytes in base64, and still verify.
    void jsonMappingOnRequest() {
        HomenetServer server;
        QVERIFY(server.start());
        auto profile = server.addSubscriber(QStringLiteral("imsi-001010000000126"),
                                            server.scratch(QStringLiteral("ue.profile")));
        QVERIFY(profile);
        RawClient raw(server);
        const QList<QPair<QByteArray, QByteArray>> acceptJson{{"Accept", "application/json"}};
        auto fromJson = [](const HttpResult& r, google::protobuf::Message* m) {
            return r.contentType == "application/json" &&
                   google::protobuf::util::JsonStringToMessage(r.body.toStdString(), m).ok();
        };

        proto::AuthStartRequest start;
        start.set_suci(suciFor(*profile, profile->supi.toString(), profile->hnPublicKey));
        std::string startJson;
        QVERIFY(google::protobuf::util::MessageToJsonString(start, &startJson).ok());
        HttpResult started = raw.send("POST", QStringLiteral("/v1/auth/start"),
                                      QByteArray::fromStdString(startJson), "application/json");
        QCOMPARE(started.status, 200);
        proto::AuthChallenge challenge;
        QVERIFY2(fromJson(started, &challenge), started.body.constData());
        QVERIFY(!challenge.auth_id().empty());
        QCOMPARE(challenge.rand().size(), std::size_t{16});
        QCOMPARE(challenge.autn().size(), std::size_t{16});

        start.set_suci(suciFor(*profile, profile->supi.toString(), profile->hnPublicKey));
        HttpResult binaryIn = raw.send("POST", QStringLiteral("/v1/auth/start"),
                                       QByteArray::fromStdString(start.SerializeAsString()),
                                       "application/x-protobuf", acceptJson);
        QCOMPARE(binaryIn.status, 200);
        QVERIFY2(fromJson(binaryIn, &challenge), binaryIn.body.constData());

        const std::int64_t now = SystemClock::instance().now();
        HttpResult status = raw.send("GET", QStringLiteral("/v1/status"), {}, {}, acceptJson);
        QCOMPARE(status.status, 200);
        QVERIFY(status.cacheControl.startsWith("public, max-age="));
        proto::Signed listEnvelope;
        QVERIFY2(fromJson(status, &listEnvelope), status.body.constData());
        auto list = parseSignedStatusList(toBytes(listEnvelope.SerializeAsString()),
                                          profile->statusListKey, now);
        QVERIFY2(list.ok(), list.ok() ? "" : list.error().message().c_str());
        QVERIFY(list->info().sequence > 0);

        HttpResult head = raw.send("GET", QStringLiteral("/v1/log/head"), {}, {}, acceptJson);
        QCOMPARE(head.status, 200);
        QCOMPARE(head.cacheControl, QByteArray("no-store"));
        proto::Signed headEnvelope;
        QVERIFY2(fromJson(head, &headEnvelope), head.body.constData());
        auto sth = parseSignedTreeHead(toBytes(headEnvelope.SerializeAsString()), profile->logKey);
        QVERIFY2(sth.ok(), sth.ok() ? "" : sth.error().message().c_str());

        // Binary stays the default, and byte-for-byte what is signed.
        HttpResult binary = raw.send("GET", QStringLiteral("/v1/status"));
        QCOMPARE(binary.contentType, QByteArray("application/x-protobuf"));
        QVERIFY(parseSignedStatusList(toBytes(binary.body.toStdString()), profile->statusListKey,
                                      now)
                    .ok());
    }

    void subscriberAuthenticationRefusals() {
        HomenetServer server;
        QVERIFY(server.start());
        auto profile = server.addSubscriber(QStringLiteral("imsi-001010000000123"),
                                            server.scratch(QStringLiteral("ue.profile")));
        QVERIFY(profile);
        RawClient raw(server);

        // A SUCI of a subscriber this network does not have gets a challenge like any other (a
        // decoy: whether an IMSI is subscribed is not told), which no answer can meet.
        proto::AuthStartRequest start;
        start.set_suci(suciFor(*profile, "imsi-001010000000999", profile->hnPublicKey));
        {
            const HttpResult decoy = raw.post(QStringLiteral("/v1/auth/start"), start);
            QCOMPARE(decoy.status, 200);
            QVERIFY(decoy.code.empty());
            proto::AuthChallenge c;
            QVERIFY(c.ParseFromArray(decoy.body.constData(), int(decoy.body.size())));
            QCOMPARE(c.rand().size(), std::size_t{16});
            QCOMPARE(c.autn().size(), std::size_t{16});
            proto::AuthFinishRequest finish;
            finish.set_auth_id(c.auth_id());
            finish.set_res_star(std::string(16, '\x5a'));
            EXPECT_REFUSAL(raw.post(QStringLiteral("/v1/auth/finish"), finish), 401, "aka-res-mismatch");
        }
        // Concealed under another network's key.
        auto otherHn = generateSuciHomeNetworkKeyPair(SystemRandom::instance());
        start.set_suci(suciFor(*profile, profile->supi.toString(), otherHn->publicKey));
        EXPECT_REFUSAL(raw.post(QStringLiteral("/v1/auth/start"), start), 400, "suci-mac-failure");
        // The null scheme would reveal the SUPI: refused.
        start.set_suci("suci-0-001-01-0-0-0-0000000123");
        EXPECT_REFUSAL(raw.post(QStringLiteral("/v1/auth/start"), start), 400, "suci-scheme-unsupported");
        start.set_suci("suci-nonsense");
        EXPECT_REFUSAL(raw.post(QStringLiteral("/v1/auth/start"), start), 400, "suci-invalid");

        // A correct answer works once. The same request again (a client's retry after its
        // connection dropped) gets the same answer, not a second AKMA key; the answer sent in
        // another request is a replay.
        UsimProfileData ue = *profile;
        proto::AuthChallenge c = challenge(raw, ue);
        proto::AuthFinishRequest finish;
        finish.set_auth_id(c.auth_id());
        finish.set_res_star(toString(resStar(ue, c)));
        HttpResult ok = raw.post(QStringLiteral("/v1/auth/finish"), finish);
        QCOMPARE(ok.status, 200);
        HttpResult retried = raw.post(QStringLiteral("/v1/auth/finish"), finish);
        QCOMPARE(retried.status, 200);
        QCOMPARE(retried.body, ok.body);
        EXPECT_REFUSAL(raw.send("POST", QStringLiteral("/v1/auth/finish"),
                                "{\"authId\":\"" + QByteArray::fromStdString(finish.auth_id()) +
                                    "\",\"resStar\":\"" +
                                    QByteArray::fromStdString(finish.res_star()).toBase64() + "\"}",
                                "application/json"),
                       409, "aka-response-replayed");

        // A wrong answer fails, and the session cannot be retried.
        proto::AuthChallenge c2 = challenge(raw, ue);
        proto::AuthFinishRequest wrong;
        wrong.set_auth_id(c2.auth_id());
        Bytes bad = resStar(ue, c2);
        bad[0] ^= 1;
        wrong.set_res_star(toString(bad));
        EXPECT_REFUSAL(raw.post(QStringLiteral("/v1/auth/finish"), wrong), 401, "aka-res-mismatch");
        bad[0] ^= 1;
        wrong.set_res_star(toString(bad));
        EXPECT_REFUSAL(raw.post(QStringLiteral("/v1/auth/finish"), wrong), 403, "auth-session-failed");
        // Unknown session, malformed sizes.
        wrong.set_auth_id("no-such-session");
        EXPECT_REFUSAL(raw.post(QStringLiteral("/v1/auth/finish"), wrong), 404, "unknown-auth-session");
        wrong.set_res_star("short");
        EXPECT_REFUSAL(raw.post(QStringLiteral("/v1/auth/finish"), wrong), 400, "malformed-request");
        proto::AuthResyncRequest resync;
        resync.set_auth_id(c2.auth_id());
        resync.set_auts(std::string(14, '\0'));
        EXPECT_REFUSAL(raw.post(QStringLiteral("/v1/auth/resync"), resync), 403, "auth-session-failed");

        // A stale SQN on the USIM side: the client re-synchronises and still gets in.
        UsimProfileData stale = *profile;
        // The USIM has seen later SQNs than the network.
        const std::uint64_t seqAhead = sqnSeq(ue.sqn.sqnMs()) + 1000;
        stale.sqn = UsimSqnArray::fromHighest(makeSqn(seqAhead, 0));
        const QString stalePath = server.scratch(QStringLiteral("stale.profile"));
        QVERIFY(stale.save(stalePath.toStdString()).ok());
        netclient::ServiceClient client(stale, stalePath);
        auto session = await<netclient::AuthSession>([&](auto cb) { client.authenticate(std::move(cb)); });
        QVERIFY2(session.ok(), session.ok() ? "" : session.error().describe().c_str());
        // TS 33.102 clause 6.3.5: the network continued from SQN_MS, its next SEQ is SEQ_MS + 1.
        QCOMPARE(sqnSeq(UsimProfileData::load(stalePath.toStdString())->sqn.sqnMs()), seqAhead + 1);

        // A profile with the wrong K: the network's AUTN does not verify on the USIM.
        UsimProfileData forgedK = *profile;
        forgedK.k[0] ^= 0xff;
        netclient::ServiceClient forged(forgedK, server.scratch(QStringLiteral("forged.profile")));
        auto refused = await<netclient::AuthSession>([&](auto cb) { forged.authenticate(std::move(cb)); });
        QVERIFY(!refused.ok());
        QCOMPARE(QString::fromStdString(refused.error().code), QStringLiteral("aka-mac-failure"));
    }

    void expiredChallengeAndReplayedRequests() {
        HomenetServer server;
        const QString ini = writeServiceIni(server, "challenge-ttl = 1\n");
        QVERIFY(server.start({QStringLiteral("--config"), ini}));
        auto profile = server.addSubscriber(QStringLiteral("imsi-001010000000124"),
                                            server.scratch(QStringLiteral("ue.profile")));
        QVERIFY(profile);
        RawClient raw(server);
        UsimProfileData ue = *profile;
        proto::AuthChallenge c = challenge(raw, ue);
        QTest::qWait(2200);
        proto::AuthFinishRequest finish;
        finish.set_auth_id(c.auth_id());
        finish.set_res_star(toString(resStar(ue, c)));
        EXPECT_REFUSAL(raw.post(QStringLiteral("/v1/auth/finish"), finish), 410, "challenge-expired");

        // Get a session quickly, then replay a signed request verbatim.
        proto::AuthChallenge c2 = challenge(raw, ue);
        finish.set_auth_id(c2.auth_id());
        SecureBytes kausf;
        finish.set_res_star(toString(resStar(ue, c2, &kausf)));
        HttpResult ok = raw.post(QStringLiteral("/v1/auth/finish"), finish);
        QCOMPARE(ok.status, 200);
        proto::AuthResult result;
        QVERIFY(result.ParseFromArray(ok.body.constData(), int(ok.body.size())));
        auto akma = deriveAkmaSession(kausf, ue.supi, ue.routingIndicator);
        QVERIFY(akma.ok());
        QCOMPARE(QString::fromStdString(akma->aKid), QString::fromStdString(result.a_kid()));
        auto auth = authorizeRequest(akma->kaf, akma->aKid, "GET", "/v1/dt", {},
                                     SystemClock::instance().now(), SystemRandom::instance());
        const QByteArray header = QByteArray::fromStdString(auth->format());
        QCOMPARE(raw.send("GET", "/v1/dt", {}, {}, {{"Authorization", header}}).status, 200);
        EXPECT_REFUSAL(raw.send("GET", "/v1/dt", {}, {}, {{"Authorization", header}}), 409,
                       "request-replayed");
        // The MAC covers the path: the header does not authorise another request.
        auto other = authorizeRequest(akma->kaf, akma->aKid, "GET", "/v1/dt", {},
                                      SystemClock::instance().now(), SystemRandom::instance());
        proto::RevokeRequest revoke;
        revoke.set_dt_id("dt-x");
        EXPECT_REFUSAL(raw.send("POST", "/v1/dt/revoke",
                                QByteArray::fromStdString(revoke.SerializeAsString()),
                                "application/x-protobuf",
                                {{"Authorization", QByteArray::fromStdString(other->format())}}),
                       401, "request-auth-invalid");

        // The same request signed with the wrong key is refused as such.
        auto badAuth = authorizeRequest(SecureBytes(32, 1), result.a_kid(), "GET", "/v1/dt", {},
                                        SystemClock::instance().now(), SystemRandom::instance());
        EXPECT_REFUSAL(raw.send("GET", "/v1/dt", {}, {},
                                {{"Authorization", QByteArray::fromStdString(badAuth->format())}}),
                       401, "request-auth-invalid");
        auto unknown = authorizeRequest(SecureBytes(32, 1), "nobody@rid0.akma.example", "GET",
                                        "/v1/dt", {}, SystemClock::instance().now(),
                                        SystemRandom::instance());
        EXPECT_REFUSAL(raw.send("GET", "/v1/dt", {}, {},
                                {{"Authorization", QByteArray::fromStdString(unknown->format())}}),
                       401, "unknown-akma-key");
        QVERIFY(server.running());
    }

    // /v1/ws speaks the call protocol (binary CallMessages): a text message is answered with a
    // CallError and the connection closed; other WebSocket paths are closed at once.
    void webSocketEndpointSpeaksCallProtocol() {
        HomenetServer server;
        QVERIFY(server.start());
        QWebSocket ws;
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        tls.setCaCertificates(QSslCertificate::fromData(server.tlsCaPem().toLatin1()));
        ws.setSslConfiguration(tls);
        QByteArray answer;
        QObject::connect(&ws, &QWebSocket::binaryMessageReceived,
                         [&](const QByteArray& m) { answer = m; });
        QObject::connect(&ws, &QWebSocket::connected,
                         [&] { ws.sendTextMessage(QStringLiteral("{\"type\":\"hello\"}")); });
        QSignalSpy closed(&ws, &QWebSocket::disconnected);
        ws.open(QUrl(server.url().replace(QStringLiteral("https:"), QStringLiteral("wss:")) +
                     QStringLiteral("/v1/ws")));
        QVERIFY(closed.wait(10000));
        QVERIFY2(answer.contains("text-not-supported"),
                 qPrintable(QString::fromUtf8(answer + server.pollLog())));
        QCOMPARE(ws.closeCode(), QWebSocketProtocol::CloseCodePolicyViolated);

        QWebSocket other;
        other.setSslConfiguration(tls);
        QSignalSpy otherClosed(&other, &QWebSocket::disconnected);
        other.open(QUrl(server.url().replace(QStringLiteral("https:"), QStringLiteral("wss:")) +
                        QStringLiteral("/v1/other")));
        QVERIFY(otherClosed.wait(10000));
        QVERIFY(server.running());
    }

    // An Upgrade header that is not an accepted WebSocket switch leaves the connection guarded:
    // the next request on it is still refused from its headers when its body is too large.
    void upgradeHeaderKeepsBodyGuard() {
        HomenetServer server;
        QVERIFY(server.start());
        const QByteArray oversized = "POST /v1/auth/start HTTP/1.1\r\nHost: localhost\r\n"
                                     "Content-Type: application/x-protobuf\r\n"
                                     "Content-Length: 9437184\r\n\r\n";
        const QList<HttpResult> answers = onOneConnection(
            server, {rawRequest("GET", "/v1/info", {}, {}, {{"Upgrade", "x"}}), oversized}, false,
            20000);
        QCOMPARE(answers.size(), 2);
        QCOMPARE(answers[0].status, 200);
        EXPECT_REFUSAL(answers[1], 413, "body-too-large");
        QVERIFY(server.running());
    }

    // Malformed framing is refused from the headers with its own reason: header lines without
    // a colon, with a NUL byte, with an empty or non-token name, with whitespace before the
    // colon (RFC 9112 §5.1: request smuggling behind a proxy); HTTP versions other than 1.0 and
    // 1.1; a WebSocket upgrade with a key that is not 16 bytes in base64; a POST without a
    // Content-Length; duplicate or contradictory query parameters.
    void malformedFramingRefused() {
        HomenetServer server;
        QVERIFY(server.start());
        struct Case {
            QByteArray request;
            int status;
            const char* code;
        };
        const QByteArray start = "GET /v1/info HTTP/1.1\r\nHost: localhost\r\n";
        const Case cases[] = {
            {start + "NoColonHere\r\n\r\n", 400, "header-line-malformed"},
            {start + QByteArray("X-Nul: a\0b\r\n\r\n", 14), 400, "header-nul-byte"},
            {start + ": empty-name\r\n\r\n", 400, "header-name-invalid"},
            {start + "X-Caf\xc3\xa9: v\r\n\r\n", 400, "header-name-invalid"},
            {start + "Content-Length : 0\r\n\r\n", 400, "header-name-whitespace"},
            {"GET /v1/info HTTP/2.0\r\nHost: localhost\r\n\r\n", 505, "http-version-unsupported"},
            {"GET /v1/info HTTP/9.9\r\nHost: localhost\r\n\r\n", 505, "http-version-unsupported"},
            {"GET /v1/ws HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
             "Sec-WebSocket-Key: bogus\r\nSec-WebSocket-Version: 13\r\n\r\n",
             400, "websocket-key-invalid"},
            {"POST /v1/auth/start HTTP/1.1\r\nHost: localhost\r\n"
             "Content-Type: application/x-protobuf\r\n\r\n",
             411, "length-required"},
            {rawRequest("GET", "/v1/log/inclusion?index=0&index=1", {}, {}), 400,
             "query-parameter-duplicate"},
            {rawRequest("GET", "/v1/log/inclusion?index=0&size=0", {}, {}), 400,
             "tree-size-invalid"},
        };
        for (const Case& c : cases) {
            const QList<HttpResult> answers = onOneConnection(server, {c.request}, false, 20000);
            const HttpResult r = answers.value(0);
            QVERIFY2(answers.size() == 1 && r.status == c.status && r.code == c.code,
                     qPrintable(QStringLiteral("%1: %2 %3, expected %4 %5")
                                    .arg(QString::fromLatin1(c.request.left(60).toHex(' ')),
                                         QString::number(r.status),
                                         QString::fromStdString(r.code),
                                         QString::number(c.status), QString::fromLatin1(c.code))));
        }
        // Well-formed requests still pass.
        QCOMPARE(onOneConnection(server, {start + "\r\n"}, false).value(0).status, 200);
        QVERIFY(server.running());
    }

    // The status list is valid for a small multiple of its TTL (not a day), so a list an attacker
    // holds back stops hiding a revocation soon after verifiers were due to refresh it; a
    // verifier refuses it once expired.
    void statusListExpiresSoonAfterItsTtl() {
        HomenetServer server;
        const QString ini = writeServiceIni(server, "status-list-ttl = 120\n");
        QVERIFY(server.start({QStringLiteral("--config"), ini}));
        auto profile = server.addSubscriber(QStringLiteral("imsi-001010000000127"),
                                            server.scratch(QStringLiteral("ue.profile")));
        QVERIFY(profile);
        RawClient raw(server);
        const HttpResult r = raw.send("GET", QStringLiteral("/v1/status"));
        QCOMPARE(r.status, 200);
        const std::int64_t now = SystemClock::instance().now();
        auto list = parseSignedStatusList(toBytes(r.body.toStdString()), profile->statusListKey, now);
        QVERIFY2(list.ok(), list.ok() ? "" : list.error().message().c_str());
        const StatusListInfo& info = list->info();
        QCOMPARE(info.ttl, std::uint64_t{120});
        QCOMPARE(info.expiresAt - info.issuedAt, std::int64_t{3} * 120);
        QCOMPARE(parseSignedStatusList(toBytes(r.body.toStdString()), profile->statusListKey,
                                       info.expiresAt)
                     .code(),
                 ErrorCode::StatusListExpired);
    }

    // A string field that is not UTF-8 is refused with its own reason code (not a library
    // warning), and everything the service writes on stderr is a JSON line, including what
    // Protobuf and Qt report.
    void invalidUtf8RefusedAndStderrIsJsonLines() {
        HomenetServer server;
        QVERIFY(server.start());
        RawClient raw(server);
        // AuthStartRequest { suci (field 1, string) = 0xff 0xfe "suci" }.
        const QByteArray body("\x0a\x06\xff\xfesuci", 8);
        EXPECT_REFUSAL(raw.send("POST", "/v1/auth/start", body), 400, "string-not-utf8");
        // A connection closed in the middle of a request: whatever Qt says about it goes through
        // the JSON logger too.
        (void)onOneConnection(server, {"GET /v1/info HTTP/1.1\r\nHost: x"}, false, 2000);
        QCOMPARE(raw.send("GET", "/v1/info").status, 200);
        const QByteArray log = server.pollLog();
        QVERIFY(!log.contains("libprotobuf"));
        for (const QByteArray& line : log.split('\n')) {
            if (line.isEmpty())
                continue;
            QJsonParseError e{};
            const QJsonDocument doc = QJsonDocument::fromJson(line, &e);
            QVERIFY2(e.error == QJsonParseError::NoError && doc.isObject(), line.constData());
        }
    }

    void rateLimitPerClient() {
        HomenetServer server;
        QVERIFY(server.start({QStringLiteral("--rate-limit"), QStringLiteral("2"),
                              QStringLiteral("--rate-burst"), QStringLiteral("5")}));
        RawClient raw(server);
        int limited = 0, served = 0;
        for (int i = 0; i < 15; ++i) {
            HttpResult r = raw.send("GET", "/v1/info");
            if (r.status == 429) {
                QCOMPARE(QString::fromStdString(r.code), QStringLiteral("rate-limited"));
                ++limited;
            } else if (r.status == 200) {
                ++served;
            }
        }
        QVERIFY(served >= 5);
        QVERIFY(limited >= 5);
    }

    // Random bytes on every endpoint: always a 4xx with a reason, never a crash or a 5xx.
    void randomBytesEverywhere() {
        HomenetServer server;
        // Not rate limited, so that every answer is the endpoint's own.
        QVERIFY(server.start(noRateLimit()));
        RawClient raw(server);
        // NOLINTNEXTLINE(cert-msc32-c,cert-msc51-cpp): a fixed seed: reproducible input
        std::mt19937 rng(20261123);
        const QList<QPair<QByteArray, QString>> endpoints = {
            {"POST", "/v1/auth/start"},
            {"POST", "/v1/auth/resync"},
            {"POST", "/v1/auth/finish"},
            {"POST", "/v1/dt/register"},
            {"POST", "/v1/dt/recertify"},
            {"POST", "/v1/dt/revoke"},
            {"PUT", "/v1/avatars/x/files/0/chunks/0"},
            {"POST", "/v1/avatars/x/grants"},
            {"POST", "/v1/transfers"},
            {"POST", "/v1/transfers/by-code"},
            {"POST", "/v1/transfers/x/accept"},
            {"POST", "/v1/transfers/x/decline"},
            {"POST", "/v1/transfers/x/cancel"}};
        for (const auto& [method, path] : endpoints) {
            for (int i = 0; i < 25; ++i) {
                QByteArray body(int(rng() % 512), '\0');
                for (auto& b : body)
                    b = char(rng());
                const QByteArray type = path.contains(QLatin1String("chunks")) ? "application/octet-stream"
                                                                             : "application/x-protobuf";
                HttpResult r = raw.send(method, path, body, type);
                QVERIFY2(r.status >= 400 && r.status < 500,
                         qPrintable(QStringLiteral("%1 %2 -> %3").arg(QString::fromLatin1(method), path).arg(r.status)));
                QVERIFY(!r.code.empty());
            }
        }
        QVERIFY(server.running());
        // And it still serves a real subscriber.
        const QString profilePath = server.scratch(QStringLiteral("ue.profile"));
        auto profile = server.addSubscriber(QStringLiteral("imsi-001010000000125"), profilePath);
        QVERIFY(profile);
        netclient::ServiceClient client(*profile, profilePath);
        auto session = await<netclient::AuthSession>([&](auto cb) { client.authenticate(std::move(cb)); });
        QVERIFY(session.ok());

        // The same with a valid AKMA signature on every request, so the bodies are parsed: a
        // subscriber with a DT sends random bytes to every authenticated endpoint.
        UsimProfileData ue = *UsimProfileData::load(profilePath.toStdString());
        const AkmaSession akma = akmaLogin(raw, ue);
        const SigningKey holder = std::move(SigningKey::generate(KeyAlgorithm::Ed25519)).value();
        const QString pkg = avatarCopy(server.scratch(QStringLiteral("pkg")));
        QCOMPARE(raw.sendSigned(akma, "POST", "/v1/dt/register",
                                registrationBody(akma, holder, signedManifest(pkg, holder)))
                     .status,
                 200);
        proto::DtList dts;
        const HttpResult listed = raw.sendSigned(akma, "GET", "/v1/dt");
        QVERIFY(dts.ParseFromArray(listed.body.constData(), int(listed.body.size())));
        QCOMPARE(dts.dts_size(), 1);
        const QByteArray avatar = "/v1/avatars/" + QByteArray::fromStdString(dts.dts(0).avatar_id());
        const ServiceState before = serviceState(raw, client, akma, dts.dts(0).avatar_id());
        const QList<QPair<QByteArray, QByteArray>> signedEndpoints = {
            {"POST", "/v1/dt/register"},
            {"POST", "/v1/dt/recertify"},
            {"POST", "/v1/dt/rotate-pseudonym"},
            {"POST", "/v1/dt/revoke"},
            {"PUT", avatar + "/files/0/chunks/0"},
            {"PUT", avatar + "/files/1/chunks/3"},
            {"POST", avatar + "/grants"},
            {"POST", "/v1/transfers"},
            {"POST", "/v1/transfers/by-code"},
            {"POST", "/v1/transfers/x/accept"},
            {"POST", "/v1/transfers/x/decline"},
            {"GET", avatar + "/files/99"}};
        for (const auto& [method, path] : signedEndpoints) {
            for (int i = 0; i < 8; ++i) {
                // At least 16 bytes: shorter random bytes could happen to be a valid message.
                QByteArray body(16 + int(rng() % 496), '\0');
                for (auto& b : body)
                    b = char(rng());
                if (method == "GET")
                    body.clear();
                const QByteArray type = path.contains("chunks") ? "application/octet-stream"
                                                                : "application/x-protobuf";
                HttpResult r = raw.sendSigned(akma, method, path, body, type);
                QVERIFY2(r.status >= 400 && r.status < 500,
                         qPrintable(QStringLiteral("%1 %2 -> %3 %4")
                                        .arg(QString::fromLatin1(method), QString::fromLatin1(path))
                                        .arg(r.status)
                                        .arg(QString::fromStdString(r.code))));
                QVERIFY(!r.code.empty());
                QVERIFY(r.code != "request-replayed" && r.code != "request-auth-invalid");
            }
        }
        QVERIFY(server.running());
        QVERIFY2(before == serviceState(raw, client, akma, dts.dts(0).avatar_id()),
                 "random bytes changed the service's state");
    }
};

TWINSEAL_TEST(BadInputTest, "bad-input")
} // namespace test_bad_input
} // namespace

#include "test_bad_input.moc"
