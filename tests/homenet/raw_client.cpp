#include "raw_client.h"

#include <QDir>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkReply>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QSslSocket>
#include <QTest>
#include <QUrlQuery>

#include <twinseal/security/milenage.h>
#include <twinseal/security/request_auth.h>
#include <twinseal/security/statuslist.h>
#include <twinseal/security/suci.h>

namespace twinseal::test {

using namespace twinseal::security;

namespace {

QSslConfiguration tlsFor(const HomenetServer& server) {
    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    tls.setCaCertificates(QSslCertificate::fromData(server.tlsCaPem().toLatin1()));
    tls.setProtocol(QSsl::TlsV1_3OrLater);
    return tls;
}

std::string_view sv(const QByteArray& b) {
    return {b.constData(), static_cast<std::size_t>(b.size())};
}

// Parses one answer from the front of `buffer` (removing it); false while it is incomplete.
bool takeResponse(QByteArray* buffer, HttpResult* out) {
    const qsizetype end = buffer->indexOf("\r\n\r\n");
    if (end < 0)
        return false;
    const QList<QByteArray> lines = buffer->left(end).split('\n');
    qint64 length = 0;
    QByteArray type;
    for (const QByteArray& line : lines.mid(1)) {
        const qsizetype colon = line.indexOf(':');
        const QByteArray name = line.left(colon).trimmed().toLower();
        if (name == "content-length")
            length = line.mid(colon + 1).trimmed().toLongLong();
        else if (name == "content-type")
            type = line.mid(colon + 1).trimmed();
    }
    if (buffer->size() < end + 4 + length)
        return false;
    const QList<QByteArray> statusLine = lines.value(0).split(' ');
    out->status = statusLine.value(1).toInt();
    out->body = buffer->mid(end + 4, length);
    out->code = reasonCode(out->status, type, out->body);
    buffer->remove(0, end + 4 + length);
    return true;
}

} // namespace

RawClient::RawClient(const HomenetServer& server) : m_base(server.url()), m_tls(tlsFor(server)) {}

RawClient::RawClient(const HomenetServer& server, quint16 port)
    : m_base(QStringLiteral("https://localhost:%1").arg(port)), m_tls(tlsFor(server)) {}

HttpResult RawClient::send(const QByteArray& method, const QString& path, const QByteArray& body,
                           const QByteArray& contentType, const RawHeaders& headers) {
    QNetworkRequest req(QUrl(m_base + path));
    req.setSslConfiguration(m_tls);
    if (!contentType.isEmpty())
        req.setHeader(QNetworkRequest::ContentTypeHeader, contentType);
    for (const auto& [k, v] : headers)
        req.setRawHeader(k, v);
    QNetworkReply* reply = m_nam.sendCustomRequest(req, method, body);
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    QTimer::singleShot(30000, &loop, &QEventLoop::quit);
    loop.exec();
    HttpResult r;
    r.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    r.body = reply->readAll();
    r.contentType = reply->rawHeader("Content-Type");
    r.cacheControl = reply->rawHeader("Cache-Control");
    r.retryAfter = reply->rawHeader("Retry-After");
    r.code = reasonCode(r.status, reply->header(QNetworkRequest::ContentTypeHeader).toByteArray(),
                        r.body);
    reply->deleteLater();
    return r;
}

HttpResult RawClient::sendSigned(const AkmaSession& akma, const QByteArray& method,
                                 const QByteArray& path, const QByteArray& body,
                                 const QByteArray& contentType) {
    return send(method, QString::fromLatin1(path), body, contentType,
                {{"Authorization", akmaAuthorization(akma, method, path, body)}});
}

SignedSession::SignedSession(const HomenetServer& server, UsimProfileData profile)
    : m_raw(server), m_profile(std::move(profile)), m_akma(akmaLogin(m_raw, m_profile)) {}

HttpResult SignedSession::send(const QByteArray& method, const QByteArray& path,
                               const QByteArray& body, bool sign, const QByteArray& contentType) {
    if (sign)
        return m_raw.sendSigned(m_akma, method, path, body, contentType);
    return m_raw.send(method, QString::fromLatin1(path), body, contentType);
}

ServiceState serviceState(RawClient& raw, netclient::ServiceClient& reader, const AkmaSession& owner,
                          const std::string& avatarId) {
    ServiceState s;
    proto::ServiceInfo info;
    const HttpResult i = raw.send("GET", QStringLiteral("/v1/info"));
    if (i.status != 200 || !info.ParseFromArray(i.body.constData(), int(i.body.size())))
        qFatal("GET /v1/info failed: %d", i.status);
    s.logSize = info.log_size();
    const HttpResult dts = raw.sendSigned(owner, "GET", "/v1/dt");
    s.dts = QByteArray::number(dts.status) + ' ' + dts.body;
    if (!avatarId.empty()) {
        const HttpResult a =
            raw.sendSigned(owner, "GET", "/v1/avatars/" + QByteArray::fromStdString(avatarId));
        s.avatar = QByteArray::number(a.status) + ' ' + a.body;
    }
    auto list = await<StatusList>([&](auto cb) { reader.fetchStatusList(std::move(cb)); });
    if (!list.ok())
        qFatal("status list: %s", list.error().describe().c_str());
    s.statuses = list->info().size;
    s.revoked = list->bits();
    return s;
}

QByteArray registrationBody(const AkmaSession& akma, const SigningKey& holder,
                            const Bytes& signedManifest, RegistrationPurpose purpose,
                            const std::string& dtId) {
    RegistrationRequest r;
    r.aKid = akma.aKid;
    r.timestamp = SystemClock::instance().now();
    r.nonce = std::move(SystemRandom::instance().bytes(16)).value();
    r.holderKey = holder.publicKey();
    r.signedManifest = signedManifest;
    r.dtId = dtId;
    r.purpose = purpose;
    auto b = signRegistration(r, holder);
    if (!b.ok())
        qFatal("signRegistration: %s", b.error().message().c_str());
    return QByteArray(reinterpret_cast<const char*>(b->data()), qsizetype(b->size()));
}

qint64 countInDatabase(const HomenetServer& server, const QString& sql, const QVariant& value) {
    qint64 count = -1;
    (void)server.withDatabase(
        [&](QSqlDatabase& db) {
            QSqlQuery q(db);
            q.prepare(sql);
            q.addBindValue(value);
            if (q.exec() && q.next())
                count = q.value(0).toLongLong();
        },
        true);
    return count;
}

std::string reasonCode(int status, const QByteArray& contentType, const QByteArray& body) {
    if (status < 400)
        return {};
    if (contentType.startsWith("application/json"))
        return QJsonDocument::fromJson(body)
            .object()
            .value(QStringLiteral("code"))
            .toString()
            .toStdString();
    proto::ErrorResponse er;
    if (er.ParseFromArray(body.constData(), int(body.size())))
        return er.code();
    return {};
}

std::string suciFor(const UsimProfileData& p, const std::string& supiText, ByteView hnKey) {
    auto supi = Supi::parse(supiText, 2);
    auto suci = concealSupi(*supi, p.routingIndicator, SuciProtectionScheme::ProfileA, p.hnKeyId,
                            hnKey, SystemRandom::instance());
    return suci->toString();
}

Bytes resStar(UsimProfileData& p, const proto::AuthChallenge& c, SecureBytes* kausf) {
    auto m = Milenage::create(p.k, p.opc);
    auto out = verifyChallenge(*m, view(c.rand()), view(c.autn()), p.sqn,
                               c.serving_network_name());
    if (!out.result.ok())
        qFatal("USIM refused the challenge: %s", out.result.error().message().c_str());
    p.sqn.accept(out.result->sqn);
    if (kausf)
        *kausf = out.result->kausf;
    return Bytes(out.result->resStar.begin(), out.result->resStar.end());
}

proto::AuthChallenge challenge(RawClient& raw, const UsimProfileData& p) {
    proto::AuthStartRequest start;
    start.set_suci(suciFor(p, p.supi.toString(), p.hnPublicKey));
    HttpResult r = raw.post(QStringLiteral("/v1/auth/start"), start);
    proto::AuthChallenge c;
    if (r.status != 200 || !c.ParseFromArray(r.body.constData(), int(r.body.size())))
        qFatal("auth/start failed: %d %s", r.status, r.code.c_str());
    return c;
}

AkmaSession akmaLogin(RawClient& raw, UsimProfileData& ue) {
    proto::AuthChallenge c = challenge(raw, ue);
    proto::AuthFinishRequest finish;
    finish.set_auth_id(c.auth_id());
    SecureBytes kausf;
    finish.set_res_star(toString(resStar(ue, c, &kausf)));
    HttpResult r = raw.post(QStringLiteral("/v1/auth/finish"), finish);
    if (r.status != 200)
        qFatal("auth/finish failed: %d %s", r.status, r.code.c_str());
    auto akma = deriveAkmaSession(kausf, ue.supi, ue.routingIndicator);
    if (!akma.ok())
        qFatal("AKMA derivation failed");
    return std::move(akma).value();
}

QByteArray akmaAuthorization(const AkmaSession& akma, const QByteArray& method,
                             const QByteArray& pathAndQuery, const QByteArray& body) {
    auto auth = authorizeRequest(
        akma.kaf, akma.aKid, sv(method), sv(pathAndQuery),
        ByteView(reinterpret_cast<const std::uint8_t*>(body.constData()),
                 static_cast<std::size_t>(body.size())),
        SystemClock::instance().now(), SystemRandom::instance());
    if (!auth.ok())
        qFatal("authorizeRequest failed");
    return QByteArray::fromStdString(auth->format());
}

QByteArray rawRequest(const QByteArray& method, const QByteArray& pathAndQuery,
                      const QByteArray& body, const QByteArray& contentType,
                      const RawHeaders& headers) {
    QByteArray out = method + ' ' + pathAndQuery + " HTTP/1.1\r\nHost: localhost\r\n";
    if (!contentType.isEmpty())
        out += "Content-Type: " + contentType + "\r\n";
    for (const auto& [k, v] : headers)
        out += k + ": " + v + "\r\n";
    out += "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n";
    return out + body;
}

HttpResult sendInTwoParts(const HomenetServer& server, const QByteArray& request, qsizetype split) {
    QSslSocket socket;
    socket.setSslConfiguration(tlsFor(server));
    socket.connectToHostEncrypted(QStringLiteral("localhost"), server.port());
    HttpResult r;
    if (!socket.waitForEncrypted(10000))
        return r;
    socket.write(request.left(split));
    socket.waitForBytesWritten(10000);
    // Not a synchronisation the result depends on: it only gives the service the time to read
    // the first part on its own, which is the case under test.
    QTest::qWait(300);
    socket.write(request.mid(split));
    QByteArray buffer;
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < 60000) {
        buffer += socket.readAll();
        if (takeResponse(&buffer, &r))
            return r;
        if (!socket.waitForReadyRead(1000) && socket.state() != QAbstractSocket::ConnectedState &&
            socket.bytesAvailable() == 0)
            break;
    }
    return r;
}

QList<HttpResult> onOneConnection(const HomenetServer& server, const QList<QByteArray>& requests,
                                  bool pipeline, int timeoutMs) {
    QSslSocket socket;
    socket.setSslConfiguration(tlsFor(server));
    socket.connectToHostEncrypted(QStringLiteral("localhost"), server.port());
    QList<HttpResult> answers;
    if (!socket.waitForEncrypted(10000))
        return answers;
    qsizetype written = 0;
    QByteArray buffer;
    QElapsedTimer t;
    t.start();
    while (answers.size() < requests.size() && t.elapsed() < timeoutMs) {
        // Pipelined: everything at once. Otherwise the next request once the previous answer is in.
        while (written < requests.size() && (pipeline || written == answers.size()))
            socket.write(requests[written++]);
        buffer += socket.readAll();
        HttpResult r;
        if (takeResponse(&buffer, &r)) {
            answers.append(std::move(r));
            continue;
        }
        if (!socket.waitForReadyRead(1000) && socket.state() != QAbstractSocket::ConnectedState &&
            socket.bytesAvailable() == 0)
            break;
    }
    return answers;
}

} // namespace twinseal::test
