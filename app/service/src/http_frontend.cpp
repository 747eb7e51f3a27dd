#include "twinseal/service/http_frontend.h"

#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QJsonObject>
#include <QSet>
#include <QSslConfiguration>
#include <QSslKey>
#include <QSslServer>
#include <QSslSocket>
#include <QTimer>
#include <QUrlQuery>
#include <QWebSocket>

#include <cstring>
#include <memory>

#include "http_exchange.h"
#include "http_reply.h"
#include "http_routes.h"
#include "proxied_tls_server.h"
#include "request_metrics.h"
#include "twinseal/service/proxy_protocol.h"
#include "twinseal/service/call_relay.h"
#include "twinseal/service/service_log.h"

namespace twinseal::service {

using http::Exchange;
using http::refuse;
using http::Reply;

namespace {

constexpr qsizetype kMaxHeaderBytes = qsizetype{16} * 1024;
constexpr qsizetype kMaxRateBuckets = 100000;
// Set on a connection once its WebSocket switch has been accepted: no longer HTTP from then on.
// Only an accepted switch ends the guarding of request bodies, never an Upgrade header alone.
constexpr const char* kSwitchedProperty = "twinsealWebSocket";

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
    if (guard.discard <= 0 || bodyBytes > 64LL * 1024 * 1024)
        s->disconnectFromHost();
    else
        QTimer::singleShot(10000, s, [s] { s->abort(); });
    logEvent(LogLevel::Warning, "request-refused",
             {{QStringLiteral("status"), status},
              {QStringLiteral("code"), QString::fromStdString(code)},
              {QStringLiteral("client"), clientAddress(s).toString()}});
}

// A header field name is an RFC 9110 token: visible ASCII letters, digits and !#$%&'*+-.^_`|~.
bool isToken(const QByteArray& name) {
    if (name.isEmpty())
        return false;
    for (const char c : name) {
        const auto u = static_cast<unsigned char>(c);
        if (!((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') ||
              std::strchr("!#$%&'*+-.^_`|~", c) != nullptr))
            return false;
    }
    return true;
}

// A Sec-WebSocket-Key is 16 bytes in base64 (RFC 6455 §4.1).
bool isWebSocketKey(const QByteArray& key) {
    const auto decoded =
        QByteArray::fromBase64Encoding(key, QByteArray::AbortOnBase64DecodingErrors);
    return key.size() == 24 && decoded.decodingStatus == QByteArray::Base64DecodingStatus::Ok &&
           decoded.decoded.size() == 16;
}

// The headers of one request (without the blank line): its body length, or a refusal. The
// framing is checked strictly, so that no proxy in front can read the request differently.
void inspectHeaders(QTcpSocket* s, RequestGuard& guard, const QByteArray& head, qint64 limit,
                    qint64 buffered) {
    guard.json = head.toLower().contains("application/json");
    auto bad = [&](const char* code, const std::string& message) {
        rejectRequest(s, guard, 400, "Bad Request", code, message, 0, buffered);
    };
    QList<QByteArray> lines = head.split('\n');
    for (QByteArray& line : lines)
        if (line.endsWith('\r'))
            line.chop(1);
    const QList<QByteArray> requestLine = lines.value(0).split(' ');
    if (requestLine.size() != 3 || requestLine[0].isEmpty() || requestLine[1].isEmpty())
        return bad("request-line-malformed",
                   "the request line must be METHOD TARGET HTTP/1.1, separated by single spaces");
    const QByteArray& version = requestLine[2];
    if (version != "HTTP/1.1" && version != "HTTP/1.0")
        return rejectRequest(s, guard, 505, "HTTP Version Not Supported",
                             "http-version-unsupported",
                             "this service speaks HTTP/1.1 (and HTTP/1.0); the request line says " +
                                 version.left(32).toPercentEncoding("/.").toStdString(),
                             0, buffered);
    const QByteArray& method = requestLine[0];
    qint64 length = 0;
    bool hasLength = false;
    bool websocket = false;
    QByteArray webSocketKey;
    for (const QByteArray& line : lines.mid(1)) {
        if (line.contains('\0'))
            return bad("header-nul-byte", "a header line contains a NUL byte");
        const qsizetype colon = line.indexOf(':');
        if (colon < 0)
            return bad("header-line-malformed",
                       "every header line must be NAME: VALUE; one has no colon");
        const QByteArray rawName = line.left(colon);
        if (!rawName.isEmpty() && (rawName.back() == ' ' || rawName.back() == '\t'))
            return bad("header-name-whitespace",
                       "no whitespace is allowed between a header name and its colon "
                       "(RFC 9112 section 5.1)");
        if (!isToken(rawName))
            return bad("header-name-invalid",
                       "a header name is empty or has characters other than ASCII letters, "
                       "digits and !#$%&'*+-.^_`|~");
        const QByteArray name = rawName.toLower();
        const QByteArray value = line.mid(colon + 1).trimmed();
        if (name == "content-length") {
            bool ok = false;
            const qint64 n = value.toLongLong(&ok);
            if (!ok || n < 0 || (hasLength && n != length))
                return bad("content-length-invalid",
                           "the Content-Length header is not one non-negative number");
            hasLength = true;
            length = n;
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
            websocket = value.compare("websocket", Qt::CaseInsensitive) == 0;
        } else if (name == "sec-websocket-key") {
            webSocketKey = value;
        }
    }
    if (websocket && !isWebSocketKey(webSocketKey))
        return bad("websocket-key-invalid",
                   "a WebSocket upgrade needs a Sec-WebSocket-Key of 16 random bytes in base64");
    if (!hasLength && (method == "POST" || method == "PUT" || method == "PATCH"))
        return rejectRequest(s, guard, 411, "Length Required", "length-required",
                             "send the body with a Content-Length header (0 for none)", 0,
                             buffered);
    guard.bodyLeft = length;
}

// The first query parameter given more than once, or empty.
QString duplicateQueryParameter(const QUrlQuery& query) {
    QSet<QString> seen;
    for (const auto& item : query.queryItems(QUrl::FullyDecoded)) {
        if (seen.contains(item.first))
            return item.first;
        seen.insert(item.first);
    }
    return {};
}

} // namespace

HttpFrontend::HttpFrontend(HomenetService& service, const OperatorKeys& keys, QObject* parent)
    : QAbstractHttpServer(parent), m_service(service), m_keys(keys),
      m_routes(std::make_unique<http::Routes>()) {
    http::addRoutes(*m_routes);
    declareRequestMetrics(service.metrics());
    m_clock.start();
    connect(this, &QAbstractHttpServer::newWebSocketConnection, this, &HttpFrontend::onWebSocket);
    m_calls = new CallRelay(service.calls(), service.config(), this);
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

    QString why;
    auto sources = parseProxySources(config.proxyProtocolFrom, &why);
    if (!sources)
        return serviceError(500, "proxy-protocol-from-invalid",
                            "proxy-protocol-from: " + why.toStdString());
    m_tls = new ProxiedTlsServer(config.proxyProtocol, *sources, this);
    m_tls->setSslConfiguration(tls);
    connect(m_tls, &QSslServer::startedEncryptionHandshake, this, [this](QSslSocket* s) {
        m_tls->attachClient(s);
        guardSocket(s);
    });
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
    // Small answers and relayed call frames go out at once (no Nagle delay).
    s->setSocketOption(QAbstractSocket::LowDelayOption, 1);
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
        while (at < available && !guard->rejected &&
               !s->property(kSwitchedProperty).toBool()) {
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
        if (s->requestUrl().path() != QLatin1String("/v1/ws")) {
            connect(s, &QWebSocket::disconnected, s, &QObject::deleteLater);
            s->close(QWebSocketProtocol::CloseCodePolicyViolated,
                     QStringLiteral("unknown WebSocket endpoint"));
            continue;
        }
        m_calls->accept(s); // call signalling and frame relay
    }
}

bool HttpFrontend::handleRequest(const QHttpServerRequest& request, QTcpSocket* socket) {
    QElapsedTimer timer;
    timer.start();
    Exchange x(m_service, request);
    // The client: named by the balancer's PROXY header, else the connection's peer.
    const QHostAddress client = clientAddress(socket);
    x.source = client.toString().toUtf8();
    if (http::header(request, "upgrade").toLower() == "websocket") {
        // Qt HttpServer 6.4 upgrades a WebSocket request when this returns true (see
        // onWebSocket()) and drops the connection when it returns false.
        const bool accept = x.path == QLatin1String("/v1/ws") && allow(client);
        if (accept)
            socket->setProperty(kSwitchedProperty, true);
        logEvent(LogLevel::Info, "websocket",
                 {{QStringLiteral("path"), x.path},
                  {QStringLiteral("accepted"), accept},
                  {QStringLiteral("client"), client.toString()}});
        return accept;
    }

    QString pattern; // of the route that answered
    if (!allow(client)) {
        x.refuse(429, "rate-limited", "too many requests from this address; slow down and retry");
        x.reply.retryAfter = QByteArrayLiteral("1");
    } else if (const QString duplicate = duplicateQueryParameter(x.query); !duplicate.isEmpty()) {
        x.refuse(400, "query-parameter-duplicate",
                 "the query parameter '" + duplicate.left(64).toStdString() +
                     "' is given more than once; give each parameter once");
    } else if (x.body.size() > m_service.config().maxBodyBytes) {
        x.refuse(413, "body-too-large", "the request body is too large");
    } else {
        const auto match = m_routes->route(x.method, x.segments);
        // A prefix check that refuses the path has answered it.
        if (!match.check || (*match.check)(x, match.checkCaptures)) {
            switch (match.outcome) {
            case http::Routes::Outcome::Found:
                pattern = match.pattern;
                (*match.handler)(x, match.captures);
                x.finishOutcome();
                break;
            case http::Routes::Outcome::WrongMethod:
                x.refuse(405, "method-not-allowed",
                         x.method.toStdString() + " is not allowed on " + x.path.toStdString());
                break;
            case http::Routes::Outcome::NotFound:
                x.refuse(404, "not-found", "no such endpoint: " + x.method.toStdString() + " " +
                                               x.path.toStdString());
                break;
            }
        }
    }
    Reply& reply = x.reply;

    QHttpServerResponder responder = makeResponder(request, socket);
    const auto status = static_cast<QHttpServerResponder::StatusCode>(reply.status);
    if (reply.stream) {
        responder.write(reply.stream.release(), {{"Content-Type", reply.contentType},
                                                 {"Cache-Control", reply.cacheControl}},
                        status);
    } else if (!reply.retryAfter.isEmpty()) {
        responder.write(reply.body, {{"Content-Type", reply.contentType},
                                     {"Cache-Control", reply.cacheControl},
                                     {"Retry-After", reply.retryAfter}},
                        status);
    } else if (!reply.etag.isEmpty()) {
        responder.write(reply.body, {{"Content-Type", reply.contentType},
                                     {"Cache-Control", reply.cacheControl},
                                     {"ETag", reply.etag}},
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
             {{QStringLiteral("method"), QString::fromLatin1(x.method)},
              {QStringLiteral("path"), x.path},
              {QStringLiteral("status"), reply.status},
              {QStringLiteral("code"), QString::fromStdString(reply.code)},
              {QStringLiteral("client"), client.toString()},
              {QStringLiteral("ms"), double(timer.nsecsElapsed()) / 1e6}});
    countRequest(m_service, {x.method, pattern, reply.status, reply.code, x.source,
                             double(timer.nsecsElapsed()) / 1e9});
    return true;
}

void HttpFrontend::missingHandler(const QHttpServerRequest& request, QTcpSocket* socket) {
    Reply r = refuse(serviceError(404, "not-found", "no such endpoint"), false);
    makeResponder(request, socket).write(r.body, {{"Content-Type", r.contentType}},
                                         QHttpServerResponder::StatusCode::NotFound);
}

} // namespace twinseal::service
