#include "twinseal/service/http_frontend.h"

#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QJsonObject>
#include <QSslConfiguration>
#include <QSslKey>
#include <QSslServer>
#include <QSslSocket>
#include <QTimer>
#include <QUrlQuery>
#include <QWebSocket>

#include <google/protobuf/util/json_util.h>

#include <memory>

#include <twinseal/proto/twinseal.pb.h>

#include "twinseal/service/service_log.h"

namespace twinseal::service {

using security::ByteView;

namespace {

constexpr qsizetype kMaxHeaderBytes = 16 * 1024;
constexpr qsizetype kMaxRateBuckets = 100000;
const QByteArray kProtobuf = QByteArrayLiteral("application/x-protobuf");
const QByteArray kJson = QByteArrayLiteral("application/json");
const QByteArray kOctets = QByteArrayLiteral("application/octet-stream");

QByteArray header(const QHttpServerRequest& r, const char* name) {
    for (const auto& [k, v] : r.headers())
        if (k.compare(name, Qt::CaseInsensitive) == 0)
            return v;
    return {};
}

QByteArray mediaType(const QByteArray& contentType) {
    const qsizetype semi = contentType.indexOf(';');
    return (semi < 0 ? contentType : contentType.left(semi)).trimmed().toLower();
}

QByteArray methodName(QHttpServerRequest::Method m) {
    switch (m) {
    case QHttpServerRequest::Method::Get: return "GET";
    case QHttpServerRequest::Method::Put: return "PUT";
    case QHttpServerRequest::Method::Post: return "POST";
    case QHttpServerRequest::Method::Delete: return "DELETE";
    case QHttpServerRequest::Method::Head: return "HEAD";
    default: return "OTHER";
    }
}

struct Reply {
    int status = 200;
    QByteArray contentType;
    QByteArray body;
    std::string code; // reason code of a refusal, for the log
    QByteArray cacheControl = QByteArrayLiteral("no-store");
    std::unique_ptr<QIODevice> stream;
};

Reply encode(const google::protobuf::Message& m, bool json, int status = 200) {
    Reply r;
    r.status = status;
    if (json) {
        std::string out;
        google::protobuf::util::JsonPrintOptions o;
        o.preserve_proto_field_names = true;
        (void)google::protobuf::util::MessageToJsonString(m, &out, o);
        r.contentType = kJson;
        r.body = QByteArray::fromStdString(out);
    } else {
        r.contentType = kProtobuf;
        r.body = QByteArray::fromStdString(m.SerializeAsString());
    }
    return r;
}

Reply refuse(const ServiceError& e, bool json) {
    proto::ErrorResponse er;
    er.set_code(e.code);
    er.set_message(e.message);
    Reply r = encode(er, json, e.httpStatus);
    r.code = e.code;
    return r;
}

template <typename T> Reply replyOf(ServiceResult<T>&& result, bool json) {
    if (!result.ok())
        return refuse(result.error(), json);
    return encode(result.value(), json);
}

// A stored signed envelope (proto::Signed), sent as it is stored; in the JSON mapping its
// bytes fields (the signed body, the signature) are base64, so a reader re-encodes exactly the
// signed bytes.
Reply signedReply(ServiceResult<QByteArray>&& result, bool json) {
    if (!result.ok())
        return refuse(result.error(), json);
    if (json) {
        proto::Signed envelope;
        if (!envelope.ParseFromArray(result->constData(), static_cast<int>(result->size())))
            return refuse(serviceError(500, "internal", "a stored signed object does not parse"),
                          json);
        return encode(envelope, json);
    }
    Reply r;
    r.contentType = kProtobuf;
    r.body = std::move(result).value();
    return r;
}

// Reads a stored avatar file chunk by chunk from the service while the response is written.
class ChunkDevice final : public QIODevice {
public:
    ChunkDevice(HomenetService& service, HomenetService::FileStream file)
        : m_service(service), m_file(std::move(file)) {}
    bool isSequential() const override { return false; }
    qint64 size() const override { return static_cast<qint64>(m_file.size); }
    bool prime(ServiceError* error) {
        if (m_file.chunks == 0)
            return open(QIODevice::ReadOnly);
        auto first = m_service.readChunk(m_file, 0);
        if (!first.ok()) {
            *error = first.error();
            return false;
        }
        m_chunkSize = static_cast<quint64>(first->size());
        m_loaded = 0;
        m_data = std::move(first).value();
        return m_chunkSize > 0 && open(QIODevice::ReadOnly);
    }

protected:
    qint64 readData(char* out, qint64 max) override {
        const quint64 at = static_cast<quint64>(pos());
        if (at >= m_file.size || max <= 0)
            return at >= m_file.size ? -1 : 0;
        const quint64 index = at / m_chunkSize;
        if (index != m_loaded) {
            auto c = m_service.readChunk(m_file, index);
            if (!c.ok())
                return -1;
            m_data = std::move(c).value();
            m_loaded = index;
        }
        const quint64 offset = at - index * m_chunkSize;
        const qint64 n = std::min<qint64>(max, m_data.size() - static_cast<qint64>(offset));
        if (n <= 0)
            return -1;
        std::memcpy(out, m_data.constData() + offset, static_cast<std::size_t>(n));
        return n;
    }
    qint64 writeData(const char*, qint64) override { return -1; }

private:
    HomenetService& m_service;
    HomenetService::FileStream m_file;
    quint64 m_chunkSize = 0;
    quint64 m_loaded = ~quint64{0};
    QByteArray m_data;
};

bool parseU64(const QString& s, quint64* out) {
    bool ok = false;
    *out = s.toULongLong(&ok);
    return ok && !s.isEmpty() && s.size() <= 20;
}

QByteArray rawErrorResponse(int status, const char* reason, const std::string& code,
                            const std::string& message, bool json) {
    Reply r = refuse(serviceError(status, code, message), json);
    QByteArray out = "HTTP/1.1 " + QByteArray::number(status) + ' ' + reason + "\r\n";
    out += "Content-Type: " + r.contentType + "\r\n";
    out += "Content-Length: " + QByteArray::number(r.body.size()) + "\r\n";
    out += "Connection: close\r\n\r\n";
    return out + r.body;
}

// What guardSocket knows about the requests on one connection.
struct RequestGuard {
    bool rejected = false;
    bool upgraded = false; // a WebSocket now: no longer HTTP
    bool watching = false; // the slot after Qt's reader is connected
    qint64 discard = 0;    // after a refusal: bytes of the refused request still to come
    qint64 bodyLeft = 0;   // body bytes of the current request still to come
    qint64 examined = 0;   // bytes at the buffer's start already examined (Qt left them)
    bool json = false;     // the current request is JSON (refusals answer in JSON)
    QByteArray head;       // header bytes of the next request so far
};

// Answers at once, then reads and discards the rest of the refused request (never buffered) so
// the client sees the answer; then the connection closes. `buffered` bytes of the body are in
// the socket's buffer already.
void rejectRequest(QTcpSocket* s, RequestGuard& guard, int status, const char* reason,
                   const std::string& code, const std::string& message, qint64 bodyBytes,
                   qint64 buffered) {
    guard.rejected = true;
    guard.discard = std::max<qint64>(bodyBytes, 0) - buffered;
    (void)s->skip(s->bytesAvailable());
    s->write(rawErrorResponse(status, reason, code, message, guard.json));
    if (guard.discard <= 0 || bodyBytes > 64ll * 1024 * 1024)
        s->disconnectFromHost();
    else
        QTimer::singleShot(10000, s, [s] { s->abort(); });
    logEvent(LogLevel::Warning, "request-refused",
             {{QStringLiteral("status"), status},
              {QStringLiteral("code"), QString::fromStdString(code)},
              {QStringLiteral("client"), s->peerAddress().toString()}});
}

// The headers of one request (without the blank line): its body length, or a refusal.
void inspectHeaders(QTcpSocket* s, RequestGuard& guard, const QByteArray& head, qint64 limit,
                    qint64 buffered) {
    guard.json = head.toLower().contains("application/json");
    qint64 length = 0;
    for (const QByteArray& line : head.split('\n')) {
        const qsizetype colon = line.indexOf(':');
        if (colon < 0)
            continue;
        const QByteArray name = line.left(colon).trimmed().toLower();
        const QByteArray value = line.mid(colon + 1).trimmed();
        if (name == "content-length") {
            bool ok = false;
            length = value.toLongLong(&ok);
            if (!ok || length < 0)
                return rejectRequest(s, guard, 400, "Bad Request", "content-length-invalid",
                                     "the Content-Length header is not a number", 0, buffered);
            if (length > limit)
                return rejectRequest(s, guard, 413, "Payload Too Large", "body-too-large",
                                     "the request body is " + std::to_string(length) +
                                         " bytes; this service accepts at most " +
                                         std::to_string(limit),
                                     length, buffered);
        } else if (name == "transfer-encoding") {
            return rejectRequest(s, guard, 411, "Length Required", "length-required",
                                 "send the body with a Content-Length, not chunked", 0, buffered);
        } else if (name == "upgrade") {
            guard.upgraded = true;
        }
    }
    guard.bodyLeft = length;
}

} // namespace

HttpFrontend::HttpFrontend(HomenetService& service, const OperatorKeys& keys, QObject* parent)
    : QAbstractHttpServer(parent), m_service(service), m_keys(keys) {
    m_clock.start();
    connect(this, &QAbstractHttpServer::newWebSocketConnection, this, &HttpFrontend::onWebSocket);
}

HttpFrontend::~HttpFrontend() = default;

ServiceResult<quint16> HttpFrontend::start() {
    const ServiceConfig& config = m_service.config();
    auto pem = m_keys.tlsKey().exportPkcs8PemForTls();
    if (!pem.ok())
        return fromSecurity(500, pem.error());
    QByteArray pemBytes(reinterpret_cast<const char*>(pem->data()), static_cast<qsizetype>(pem->size()));
    QSslKey key(pemBytes, QSsl::Ec, QSsl::Pem, QSsl::PrivateKey);
    security::cleanse(pemBytes.data(), static_cast<std::size_t>(pemBytes.size()));
    if (key.isNull())
        return serviceError(500, "tls-key-unusable", "the TLS key cannot be loaded into Qt");
    const auto certs = QSslCertificate::fromData(
        QByteArray::fromStdString(m_keys.tlsCertificate().pem() + m_keys.tlsCaCertificate().pem()));
    if (certs.size() != 2)
        return serviceError(500, "tls-certificate-unusable", "the TLS certificate cannot be loaded");
    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    tls.setLocalCertificateChain(certs);
    tls.setPrivateKey(key);
    tls.setProtocol(QSsl::TlsV1_3OrLater);
    tls.setPeerVerifyMode(QSslSocket::VerifyNone);

    m_tls = new QSslServer(this);
    m_tls->setSslConfiguration(tls);
    connect(m_tls, &QSslServer::startedEncryptionHandshake, this,
            [this](QSslSocket* s) { guardSocket(s); });
    connect(m_tls, &QSslServer::errorOccurred, this, [](QSslSocket*, QAbstractSocket::SocketError e) {
        logEvent(LogLevel::Debug, "tls-error", {{QStringLiteral("error"), int(e)}});
    });
    const QHostAddress address(config.listenAddress);
    if (address.isNull())
        return serviceError(500, "listen-address-invalid",
                            "listen address " + config.listenAddress.toStdString() +
                                " is not an IP address");
    if (!m_tls->listen(address, config.port))
        return serviceError(500, "listen-failed",
                            "cannot listen on " + config.listenAddress.toStdString() + ":" +
                                std::to_string(config.port) + ": " +
                                m_tls->errorString().toStdString());
    bind(m_tls);
    return m_tls->serverPort();
}

void HttpFrontend::stopListening() {
    if (m_tls != nullptr)
        m_tls->close();
}

void HttpFrontend::guardSocket(QTcpSocket* s) {
    // Runs before Qt HttpServer reads the socket: follows the requests on the connection (headers,
    // then Content-Length bytes of body) and refuses oversized or chunked bodies from the headers
    // alone, so a huge upload is never buffered. Body bytes are counted, never taken for headers.
    const qint64 limit = m_service.config().maxBodyBytes;
    auto guard = std::make_shared<RequestGuard>();
    connect(s, &QIODevice::readyRead, this, [this, s, limit, guard] {
        if (guard->rejected) {
            guard->discard -= s->skip(s->bytesAvailable());
            if (guard->discard <= 0)
                s->disconnectFromHost();
            return;
        }
        if (!guard->watching) {
            // Connected now, so it runs after Qt's reader: whatever Qt left in the buffer has
            // been examined already.
            guard->watching = true;
            connect(s, &QIODevice::readyRead, this,
                    [s, guard] { guard->examined = s->bytesAvailable(); });
        }
        const qint64 available = s->bytesAvailable();
        qint64 at = std::min(guard->examined, available);
        while (at < available && !guard->rejected && !guard->upgraded) {
            if (guard->bodyLeft > 0) {
                const qint64 n = std::min(guard->bodyLeft, available - at);
                guard->bodyLeft -= n;
                at += n;
                continue;
            }
            QByteArray piece = s->peek(at + kMaxHeaderBytes + 4 - guard->head.size()).mid(at);
            if (guard->head.isEmpty()) {
                // Line breaks between requests are allowed before a request line.
                qsizetype blank = 0;
                while (blank < piece.size() && (piece[blank] == '\r' || piece[blank] == '\n'))
                    ++blank;
                at += blank;
                piece.remove(0, blank);
            }
            const qsizetype before = guard->head.size();
            guard->head += piece;
            const qsizetype end =
                guard->head.indexOf("\r\n\r\n", std::max<qsizetype>(before - 3, 0));
            if (end < 0) {
                at += piece.size();
                guard->json = guard->head.toLower().contains("application/json");
                if (guard->head.size() > kMaxHeaderBytes)
                    rejectRequest(s, *guard, 431, "Request Header Fields Too Large",
                                  "headers-too-large", "request headers are limited to 16 KiB",
                                  0, available - at);
                break;
            }
            at += end + 4 - before;
            const QByteArray head = guard->head.left(end);
            guard->head.clear();
            inspectHeaders(s, *guard, head, limit, available - at);
        }
    });
}

bool HttpFrontend::allow(const QHostAddress& peer) {
    const double rate = m_service.config().rateLimit;
    if (rate <= 0)
        return true;
    const double burst = std::max(m_service.config().rateBurst, 1.0);
    const qint64 now = m_clock.elapsed();
    auto it = m_buckets.find(peer);
    if (it == m_buckets.end()) {
        // The table is full: forget the least recently seen addresses. One idle long enough has
        // a full bucket again, so forgetting it changes nothing; the busy ones are kept.
        while (m_buckets.size() >= kMaxRateBuckets) {
            m_buckets.remove(m_recent.back().peer);
            m_recent.pop_back();
        }
        m_recent.push_front(Bucket{peer, burst, now});
        it = m_buckets.insert(peer, m_recent.begin());
    } else {
        m_recent.splice(m_recent.begin(), m_recent, it.value());
    }
    Bucket& b = *it.value();
    b.tokens = std::min(burst, b.tokens + double(now - b.lastMs) * rate / 1000.0);
    b.lastMs = now;
    if (b.tokens < 1.0)
        return false;
    b.tokens -= 1.0;
    return true;
}

void HttpFrontend::onWebSocket() {
    while (hasPendingWebSocketConnections()) {
        std::unique_ptr<QWebSocket> ws = nextPendingWebSocketConnection();
        if (!ws)
            continue;
        QWebSocket* s = ws.release();
        s->setParent(this);
        connect(s, &QWebSocket::disconnected, s, &QObject::deleteLater);
        if (s->requestUrl().path() != QLatin1String("/v1/ws")) {
            s->close(QWebSocketProtocol::CloseCodePolicyViolated,
                     QStringLiteral("unknown WebSocket endpoint"));
            continue;
        }
        // Reserved for call signalling: announce the protocol and close until it is enabled.
        s->sendTextMessage(QStringLiteral(
            "{\"type\":\"hello\",\"protocol\":\"twinseal-signalling\",\"status\":\"reserved\"}"));
        s->close(QWebSocketProtocol::CloseCodeNormal,
                 QStringLiteral("call signalling is not enabled on this home network yet"));
    }
}

bool HttpFrontend::handleRequest(const QHttpServerRequest& request, QTcpSocket* socket) {
    QElapsedTimer timer;
    timer.start();
    const QUrl url = request.url();
    const QString path = url.path(QUrl::FullyEncoded);
    const QByteArray method = methodName(request.method());
    if (header(request, "upgrade").toLower() == "websocket") {
        // Qt HttpServer 6.4 upgrades a WebSocket request when this returns true (see
        // onWebSocket()) and drops the connection when it returns false.
        const bool accept = path == QLatin1String("/v1/ws") && allow(request.remoteAddress());
        logEvent(LogLevel::Info, "websocket",
                 {{QStringLiteral("path"), path},
                  {QStringLiteral("accepted"), accept},
                  {QStringLiteral("client"), request.remoteAddress().toString()}});
        return accept;
    }

    const QByteArray contentType = mediaType(header(request, "content-type"));
    // The Protobuf JSON mapping when the client asks for it (Accept) or sends JSON, unless it
    // accepts binary Protobuf.
    const QByteArray accept = header(request, "accept");
    const bool json =
        !accept.contains(kProtobuf) && (accept.contains(kJson) || contentType == kJson);
    QByteArray pathAndQuery = path.toUtf8();
    if (url.hasQuery())
        pathAndQuery += '?' + url.query(QUrl::FullyEncoded).toUtf8();
    const QByteArray body = request.body();
    QStringList seg = path.split(QLatin1Char('/'));
    if (!seg.isEmpty() && seg.first().isEmpty())
        seg.removeFirst();
    for (QString& s : seg)
        s = QUrl::fromPercentEncoding(s.toUtf8());
    const QUrlQuery query(url);

    Reply reply;
    auto needsBody = [&](const QByteArray& expected) -> bool {
        if (contentType == expected || (expected == kProtobuf && contentType == kJson))
            return true;
        reply = refuse(serviceError(415, "unsupported-content-type",
                                    "send the body as " + expected.toStdString() +
                                        (expected == kProtobuf ? " or application/json" : "")),
                       json);
        return false;
    };
    auto decode = [&](google::protobuf::Message* m) -> bool {
        bool ok;
        if (contentType == kJson) {
            google::protobuf::util::JsonParseOptions o;
            ok = google::protobuf::util::JsonStringToMessage(body.toStdString(), m, o).ok();
        } else {
            ok = m->ParseFromArray(body.constData(), static_cast<int>(body.size()));
        }
        if (!ok)
            reply = refuse(serviceError(400, "malformed-request",
                                        "the body is not a valid " + m->GetTypeName() + " message"),
                           json);
        return ok;
    };
    auto authenticated = [&](Caller* out) -> bool {
        auto caller = m_service.authenticate(header(request, "authorization"), method,
                                             pathAndQuery, body);
        if (!caller.ok()) {
            reply = refuse(caller.error(), json);
            return false;
        }
        *out = std::move(caller).value();
        return true;
    };
    const bool get = request.method() == QHttpServerRequest::Method::Get;
    const bool post = request.method() == QHttpServerRequest::Method::Post;
    const bool put = request.method() == QHttpServerRequest::Method::Put;
    bool routed = true;
    bool methodOk = true;

    if (!allow(request.remoteAddress())) {
        reply = refuse(serviceError(429, "rate-limited",
                                    "too many requests from this address; slow down and retry"),
                       json);
    } else if (body.size() > m_service.config().maxBodyBytes) {
        reply = refuse(serviceError(413, "body-too-large", "the request body is too large"), json);
    } else if (seg.size() < 2 || seg[0] != QLatin1String("v1")) {
        routed = false;
    } else if (seg.size() == 3 && seg[1] == QLatin1String("auth")) {
        if (!post) {
            methodOk = false;
        } else if (seg[2] == QLatin1String("start")) {
            proto::AuthStartRequest r;
            if (needsBody(kProtobuf) && decode(&r))
                reply = replyOf(m_service.authStart(r), json);
        } else if (seg[2] == QLatin1String("resync")) {
            proto::AuthResyncRequest r;
            if (needsBody(kProtobuf) && decode(&r))
                reply = replyOf(m_service.authResync(r), json);
        } else if (seg[2] == QLatin1String("finish")) {
            proto::AuthFinishRequest r;
            if (needsBody(kProtobuf) && decode(&r))
                reply = replyOf(m_service.authFinish(r), json);
        } else {
            routed = false;
        }
    } else if (seg[1] == QLatin1String("dt")) {
        Caller caller;
        if (seg.size() == 2) {
            if (!get)
                methodOk = false;
            else if (authenticated(&caller))
                reply = replyOf(m_service.listDts(caller), json);
        } else if (seg.size() == 3 && (seg[2] == QLatin1String("register") ||
                                       seg[2] == QLatin1String("recertify") ||
                                       seg[2] == QLatin1String("rotate-pseudonym"))) {
            if (!post)
                methodOk = false;
            else if (contentType != kProtobuf)
                reply = refuse(serviceError(415, "unsupported-content-type",
                                            "a registration is a signed binary envelope: send "
                                            "it as application/x-protobuf"),
                               json);
            else if (authenticated(&caller))
                reply = replyOf(seg[2] == QLatin1String("register")
                                    ? m_service.registerDt(caller, body)
                                : seg[2] == QLatin1String("recertify")
                                    ? m_service.recertify(caller, body)
                                    : m_service.rotatePseudonym(caller, body),
                                json);
        } else if (seg.size() == 3 && seg[2] == QLatin1String("revoke")) {
            proto::RevokeRequest r;
            if (!post)
                methodOk = false;
            else if (needsBody(kProtobuf) && authenticated(&caller) && decode(&r))
                reply = replyOf(m_service.revoke(caller, r), json);
        } else if (seg.size() == 4 && seg[3] == QLatin1String("history")) {
            if (!get)
                methodOk = false;
            else if (authenticated(&caller))
                reply = replyOf(m_service.dtHistory(caller, seg[2]), json);
        } else {
            routed = false;
        }
    } else if (seg.size() == 2 && seg[1] == QLatin1String("disclosures")) {
        // Lawful disclosures of the caller's DTs (DESIGN §7): the owner only.
        Caller caller;
        if (!get)
            methodOk = false;
        else if (authenticated(&caller))
            reply = replyOf(m_service.lawfulDisclosures(caller), json);
    } else if (seg.size() == 2 && seg[1] == QLatin1String("me")) {
        Caller caller;
        if (!get)
            methodOk = false;
        else if (authenticated(&caller))
            reply = replyOf(m_service.me(caller), json);
    } else if (seg[1] == QLatin1String("transfers")) {
        Caller caller;
        if (seg.size() == 2) {
            if (get) {
                if (authenticated(&caller))
                    reply = replyOf(m_service.listTransfers(caller), json);
            } else if (!post) {
                methodOk = false;
            } else if (contentType != kProtobuf) {
                reply = refuse(serviceError(415, "unsupported-content-type",
                                            "a transfer offer is a signed binary envelope: send "
                                            "it as application/x-protobuf"),
                               json);
            } else if (authenticated(&caller)) {
                reply = replyOf(m_service.offerTransfer(caller, body), json);
            }
        } else if (seg.size() == 3 && seg[2] == QLatin1String("by-code")) {
            proto::TransferCodeRequest r;
            if (!post)
                methodOk = false;
            else if (needsBody(kProtobuf) && authenticated(&caller) && decode(&r))
                reply = replyOf(m_service.transferByCode(caller, r), json);
        } else if (seg.size() == 3) {
            if (!get)
                methodOk = false;
            else if (authenticated(&caller))
                reply = replyOf(m_service.transferInfo(caller, seg[2]), json);
        } else if (seg.size() == 4) {
            const QString& id = seg[2];
            const QString& action = seg[3];
            if (action == QLatin1String("receipt")) {
                if (!get)
                    methodOk = false;
                else if (authenticated(&caller))
                    reply = replyOf(m_service.transferReceipt(caller, id), json);
            } else if (action == QLatin1String("accept")) {
                proto::TransferAcceptRequest r;
                if (!post)
                    methodOk = false;
                else if (needsBody(kProtobuf) && authenticated(&caller) && decode(&r))
                    reply = replyOf(m_service.acceptTransfer(caller, id, r), json);
            } else if (action == QLatin1String("decline")) {
                // The body (the code of a code-based offer) may be empty.
                proto::TransferCodeRequest r;
                if (!post)
                    methodOk = false;
                else if ((body.isEmpty() || needsBody(kProtobuf)) && authenticated(&caller) &&
                         (body.isEmpty() || decode(&r)))
                    reply = replyOf(m_service.declineTransfer(caller, id, r), json);
            } else if (action == QLatin1String("cancel")) {
                if (!post)
                    methodOk = false;
                else if (authenticated(&caller))
                    reply = replyOf(m_service.cancelTransfer(caller, id), json);
            } else {
                routed = false;
            }
        } else {
            routed = false;
        }
    } else if (seg.size() == 2 && seg[1] == QLatin1String("status")) {
        if (!get)
            methodOk = false;
        else {
            reply = signedReply(m_service.statusList(), json);
            // Public and signed: caches may keep it until verifiers are due to refresh it.
            if (reply.status == 200)
                reply.cacheControl =
                    "public, max-age=" + QByteArray::number(m_service.statusListMaxAge());
        }
    } else if (seg.size() == 2 && seg[1] == QLatin1String("info")) {
        if (!get)
            methodOk = false;
        else
            reply = replyOf(m_service.info(), json);
    } else if (seg.size() == 3 && seg[1] == QLatin1String("log")) {
        quint64 a = 0, b = 0;
        if (!get) {
            methodOk = false;
        } else if (seg[2] == QLatin1String("head")) {
            reply = signedReply(m_service.treeHead(), json);
        } else if (seg[2] == QLatin1String("inclusion")) {
            if (!parseU64(query.queryItemValue(QStringLiteral("index")), &a) ||
                (query.hasQueryItem(QStringLiteral("size")) &&
                 !parseU64(query.queryItemValue(QStringLiteral("size")), &b)))
                reply = refuse(serviceError(400, "malformed-request",
                                            "use /v1/log/inclusion?index=I&size=N"),
                               json);
            else
                reply = replyOf(m_service.inclusion(a, b), json);
        } else if (seg[2] == QLatin1String("inclusion-by-credential")) {
            const QByteArray digest =
                QByteArray::fromHex(query.queryItemValue(QStringLiteral("digest")).toLatin1());
            if (query.hasQueryItem(QStringLiteral("size")) &&
                !parseU64(query.queryItemValue(QStringLiteral("size")), &b))
                reply = refuse(serviceError(400, "malformed-request", "size must be a number"), json);
            else
                reply = replyOf(m_service.inclusionByCredential(digest, b), json);
        } else if (seg[2] == QLatin1String("consistency")) {
            if (!parseU64(query.queryItemValue(QStringLiteral("first")), &a) ||
                (query.hasQueryItem(QStringLiteral("second")) &&
                 !parseU64(query.queryItemValue(QStringLiteral("second")), &b)))
                reply = refuse(serviceError(400, "malformed-request",
                                            "use /v1/log/consistency?first=M&second=N"),
                               json);
            else
                reply = replyOf(m_service.consistency(a, b), json);
        } else {
            routed = false;
        }
    } else if (seg[1] == QLatin1String("avatars") && seg.size() >= 3) {
        Caller caller;
        const QString avatar = seg[2];
        if (seg.size() == 4 && seg[2] == QLatin1String("by-root")) {
            if (!get)
                methodOk = false;
            else if (authenticated(&caller))
                reply = replyOf(m_service.avatarInfoByRoot(caller, QByteArray::fromHex(seg[3].toLatin1())),
                                json);
        } else if (seg.size() == 3) {
            if (!get)
                methodOk = false;
            else if (authenticated(&caller))
                reply = replyOf(m_service.avatarInfo(caller, avatar), json);
        } else if (seg.size() == 4 && seg[3] == QLatin1String("grants")) {
            proto::GrantRequest r;
            if (!post)
                methodOk = false;
            else if (needsBody(kProtobuf) && authenticated(&caller) && decode(&r))
                reply = replyOf(m_service.createGrant(caller, avatar, r), json);
        } else if (seg.size() >= 5 && seg[3] == QLatin1String("files")) {
            bool okFile = false;
            const int file = seg[4].toInt(&okFile);
            quint64 chunk = 0;
            if (!okFile) {
                reply = refuse(serviceError(400, "malformed-request", "file index must be a number"), json);
            } else if (seg.size() == 7 && seg[5] == QLatin1String("chunks")) {
                if (!put)
                    methodOk = false;
                else if (!parseU64(seg[6], &chunk))
                    reply = refuse(serviceError(400, "malformed-request", "chunk index must be a number"), json);
                else if (needsBody(kOctets) && authenticated(&caller))
                    reply = replyOf(m_service.putChunk(caller, avatar, file, chunk, body), json);
            } else if (seg.size() == 5) {
                if (!get) {
                    methodOk = false;
                } else if (authenticated(&caller)) {
                    auto f = m_service.openFile(caller, avatar, file);
                    if (!f.ok()) {
                        reply = refuse(f.error(), json);
                    } else {
                        auto dev = std::make_unique<ChunkDevice>(m_service, *f);
                        ServiceError e;
                        if (!dev->prime(&e)) {
                            reply = refuse(e, json);
                        } else {
                            reply.contentType = kOctets;
                            reply.stream = std::move(dev);
                        }
                    }
                }
            } else {
                routed = false;
            }
        } else {
            routed = false;
        }
    } else {
        routed = false;
    }
    if (!routed)
        reply = refuse(serviceError(404, "not-found",
                                    "no such endpoint: " + method.toStdString() + " " +
                                        path.toStdString()),
                       json);
    else if (!methodOk)
        reply = refuse(serviceError(405, "method-not-allowed",
                                    method.toStdString() + " is not allowed on " + path.toStdString()),
                       json);

    QHttpServerResponder responder = makeResponder(request, socket);
    const auto status = static_cast<QHttpServerResponder::StatusCode>(reply.status);
    if (reply.stream) {
        responder.write(reply.stream.release(), {{"Content-Type", reply.contentType},
                                                 {"Cache-Control", reply.cacheControl}},
                        status);
    } else {
        responder.write(reply.body, {{"Content-Type", reply.contentType},
                                     {"Cache-Control", reply.cacheControl}},
                        status);
    }
    ++m_served;
    logEvent(reply.status >= 500 ? LogLevel::Error
                                 : (reply.status >= 400 ? LogLevel::Info : LogLevel::Debug),
             "request",
             {{QStringLiteral("method"), QString::fromLatin1(method)},
              {QStringLiteral("path"), path},
              {QStringLiteral("status"), reply.status},
              {QStringLiteral("code"), QString::fromStdString(reply.code)},
              {QStringLiteral("client"), request.remoteAddress().toString()},
              {QStringLiteral("ms"), double(timer.nsecsElapsed()) / 1e6}});
    return true;
}

void HttpFrontend::missingHandler(const QHttpServerRequest& request, QTcpSocket* socket) {
    Reply r = refuse(serviceError(404, "not-found", "no such endpoint"), false);
    makeResponder(request, socket).write(r.body, {{"Content-Type", r.contentType}},
                                         QHttpServerResponder::StatusCode::NotFound);
}

} // namespace twinseal::service
