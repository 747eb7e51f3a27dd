#include "transport.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QMetaObject>
#include <QNetworkRequest>
#include <QPointer>
#include <QSslCertificate>
#include <QSslError>
#include <QSslSocket>
#include <QTimer>

#include <memory>

#include <twinseal/security/request_auth.h>

#include "twinseal/proto/homenet.pb.h"
#include "wire.h"

namespace twinseal::netclient::detail {

namespace sec = twinseal::security;

namespace {

constexpr const char* kTimedOutProperty = "twinsealTimedOut";
constexpr const char* kCancelledProperty = "twinsealCancelled";
constexpr const char* kTooLargeProperty = "twinsealTooLarge";
constexpr const char* kSslErrorsProperty = "twinsealSslErrors";

// Text from the network shown to a person: printable characters only, bounded.
std::string printable(std::string_view text, std::size_t max) {
    std::string out;
    out.reserve(std::min(text.size(), max));
    for (const char c : text) {
        if (out.size() >= max)
            break;
        const auto u = static_cast<unsigned char>(c);
        out += (u < 0x20 || u == 0x7f) ? ' ' : c;
    }
    return out;
}

bool looksLikeReasonCode(const std::string& code) {
    if (code.empty() || code.size() > 64)
        return false;
    for (const char c : code)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'))
            return false;
    return true;
}

std::string seconds(std::chrono::milliseconds ms) {
    const auto s = (ms.count() + 999) / 1000;
    return std::to_string(s) + (s == 1 ? " second" : " seconds");
}

} // namespace

QByteArray encodeSegment(const std::string& segment) {
    return QUrl::toPercentEncoding(QString::fromStdString(segment));
}

Transport::Transport(QObject* owner, const sec::UsimProfileData& profile,
                     const ServiceClientOptions& options)
    : m_nam(new QNetworkAccessManager(owner)),
      m_clock(options.clock ? options.clock : &sec::SystemClock::instance()),
      m_random(options.random ? options.random : &sec::SystemRandom::instance()),
      m_timeout(options.requestTimeout),
      m_maxChunksInFlight(std::max(1, options.maxChunksInFlight)) {
    m_nam->setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy);

    const std::string& address =
        options.serviceUrlOverride.empty() ? profile.serviceUrl : options.serviceUrlOverride;
    m_base = QUrl(QString::fromStdString(address), QUrl::StrictMode);
    if (!m_base.isValid() || m_base.scheme() != QLatin1String("https") || m_base.host().isEmpty())
        m_tlsProblem = "the service address in the USIM profile (" + printable(address, 200) +
                       ") is not an https:// URL; ask your operator for a new profile";
    if (m_base.hasQuery() || m_base.hasFragment() || !m_base.userInfo().isEmpty())
        m_tlsProblem = "the service address in the USIM profile must be https://host[:port]"
                       "[/path] without user, query or fragment; ask your operator for a new "
                       "profile";
    m_basePath = m_base.path(QUrl::FullyEncoded).toStdString();
    while (!m_basePath.empty() && m_basePath.back() == '/')
        m_basePath.pop_back();

    m_tls = QSslConfiguration::defaultConfiguration();
    m_tls.setProtocol(QSsl::TlsV1_3OrLater);
    m_tls.setPeerVerifyMode(QSslSocket::VerifyPeer);
    // Only the operator's TLS CA: setCaCertificates replaces the system roots and turns off
    // loading further roots on demand.
    const auto cas =
        QSslCertificate::fromData(QByteArray::fromStdString(profile.tlsCaPem), QSsl::Pem);
    m_tls.setCaCertificates(cas);
    if (m_tlsProblem.empty() && cas.isEmpty())
        m_tlsProblem = "the USIM profile holds no usable TLS CA certificate; ask your operator "
                       "for a new profile";
    if (m_tlsProblem.empty() && !QSslSocket::supportsSsl())
        m_tlsProblem = "TLS is not available on this system (Qt's OpenSSL TLS backend is "
                       "missing); install the Qt 6 network TLS plugin";
}

Transport::~Transport() = default;

QString Transport::serviceName() const {
    return m_base.toDisplayString(QUrl::RemoveUserInfo | QUrl::RemovePath | QUrl::RemoveQuery |
                                  QUrl::RemoveFragment);
}

std::int64_t Transport::now() const {
    return m_clock->now();
}

sec::Random& Transport::random() const {
    return *m_random;
}

bool Transport::hasSession() const {
    return m_session.has_value() && (m_sessionExpiresAt == 0 || now() < m_sessionExpiresAt);
}

std::string Transport::aKid() const {
    return m_session ? m_session->aKid : std::string();
}

void Transport::setSession(sec::AkmaSession session, std::int64_t expiresAt) {
    m_session = std::move(session);
    m_sessionExpiresAt = expiresAt;
}

void Transport::noteRefusal(const ClientError& error, AuthKind auth) {
    if (auth != AuthKind::Akma || error.httpStatus != 401 || !m_session)
        return;
    clearSession();
    if (onSessionRejected)
        onSessionRejected();
}

void Transport::clearSession() {
    m_session.reset(); // K_AF is in SecureBytes: cleansed when freed
    m_sessionExpiresAt = 0;
}

ClientResult<QByteArray> Transport::authorization(const HttpRequest& request,
                                                  const QByteArray& macPath) {
    switch (request.auth) {
    case AuthKind::None:
        return QByteArray();
    case AuthKind::Grant:
        if (request.grantToken.empty() || request.grantToken.size() > 4096 ||
            request.grantToken.find_first_of("\r\n ,\"") != std::string::npos)
            return clientError(reason::kInvalidArgument,
                               "The access grant token is empty or malformed; ask the avatar's "
                               "owner for a new grant.");
        return QByteArray(sec::kGrantAuthScheme.data(),
                          static_cast<qsizetype>(sec::kGrantAuthScheme.size())) +
               ' ' + QByteArray::fromStdString(request.grantToken);
    case AuthKind::Akma: {
        if (!m_session)
            return clientError(reason::kNotAuthenticated,
                               "Not signed in to the home network: authenticate with your USIM "
                               "profile first.");
        const std::int64_t t = now();
        if (m_sessionExpiresAt != 0 && t >= m_sessionExpiresAt)
            return clientError(reason::kNotAuthenticated,
                               "The home network session has expired: authenticate again.");
        const auto body =
            sec::ByteView(reinterpret_cast<const std::uint8_t*>(request.body.constData()),
                          static_cast<std::size_t>(request.body.size()));
        auto auth =
            sec::authorizeRequest(m_session->kaf, m_session->aKid, request.method.toStdString(),
                                  macPath.toStdString(), body, t, *m_random);
        if (!auth.ok())
            return clientError(reason::kInternal,
                               "Could not sign the request: " + auth.error().message());
        return QByteArray::fromStdString(auth->format());
    }
    }
    return clientError(reason::kInternal, "unknown authorization kind");
}

ClientResult<Transport::Prepared> Transport::prepare(const HttpRequest& request) {
    if (!m_tlsProblem.empty())
        return clientError(reason::kTlsError, "Cannot connect securely: " + m_tlsProblem + ".");
    if (!request.path.startsWith('/'))
        return clientError(reason::kInternal, "request path must start with '/'");

    const QByteArray origin =
        m_base.toEncoded(QUrl::RemoveUserInfo | QUrl::RemovePath | QUrl::RemoveQuery |
                         QUrl::RemoveFragment | QUrl::StripTrailingSlash);
    const QUrl url = QUrl::fromEncoded(
        origin + QByteArray::fromStdString(m_basePath) + request.path, QUrl::StrictMode);
    if (!url.isValid())
        return clientError(reason::kInvalidArgument,
                           "Cannot form a valid request address for " +
                               printable(request.path.toStdString(), 200) + ".");
    // The path and query exactly as QNetworkAccessManager writes them in the request line: the
    // AKMA MAC covers these bytes.
    const QByteArray macPath =
        url.toEncoded(QUrl::RemoveScheme | QUrl::RemoveAuthority | QUrl::RemoveFragment |
                      QUrl::NormalizePathSegments | QUrl::FullyEncoded);

    auto auth = authorization(request, macPath);
    if (!auth.ok())
        return auth.error();

    QNetworkRequest r(url);
    r.setSslConfiguration(m_tls);
    r.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    r.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    r.setAttribute(QNetworkRequest::CacheSaveControlAttribute, false);
    r.setRawHeader("Accept", request.accept);
    if (!request.ifNoneMatch.isEmpty())
        r.setRawHeader("If-None-Match", request.ifNoneMatch);
    if (!auth->isEmpty())
        r.setRawHeader("Authorization", *auth);
    if (request.method == "POST" || request.method == "PUT")
        r.setHeader(QNetworkRequest::ContentTypeHeader, request.contentType);
    else if (request.method != "GET")
        return clientError(reason::kInternal, "unsupported method " + request.method.toStdString());
    return Prepared{r, request.method, request.body};
}

ClientResult<QNetworkReply*> Transport::start(const HttpRequest& request) {
    auto prepared = prepare(request);
    if (!prepared.ok())
        return prepared.error();
    return send(*prepared);
}

QNetworkReply* Transport::send(const Prepared& p) {
    QNetworkReply* reply = p.method == "GET"    ? m_nam->get(p.request)
                           : p.method == "POST" ? m_nam->post(p.request, p.body)
                                                : m_nam->put(p.request, p.body);

    // Inactivity timer: restarted whenever bytes move.
    auto* timer = new QTimer(reply);
    timer->setSingleShot(true);
    timer->setInterval(m_timeout);
    QObject::connect(timer, &QTimer::timeout, reply, [reply] {
        reply->setProperty(kTimedOutProperty, true);
        reply->abort();
    });
    QObject::connect(reply, &QNetworkReply::uploadProgress, timer, [timer] { timer->start(); });
    QObject::connect(reply, &QNetworkReply::downloadProgress, timer, [timer] { timer->start(); });
    QObject::connect(reply, &QNetworkReply::finished, timer, [timer] { timer->stop(); });
    QObject::connect(reply, &QNetworkReply::sslErrors, reply,
                     [reply](const QList<QSslError>& errors) {
                         QStringList texts;
                         for (const QSslError& e : errors)
                             texts << e.errorString();
                         reply->setProperty(kSslErrorsProperty, texts.join(QStringLiteral("; ")));
                     });
    timer->start();
    return reply;
}

namespace {

// Whether a failed exchange may be tried again: the connection dropped or was refused before an
// answer, or a balancer or the service said to come back (502, 503, 504).
bool worthRetrying(const QNetworkReply* reply, int status) {
    if (reply->property(kCancelledProperty).toBool() || reply->property(kTimedOutProperty).toBool() ||
        reply->property(kTooLargeProperty).toBool())
        return false;
    if (status != 0)
        return status == 502 || status == 503 || status == 504;
    switch (reply->error()) {
    case QNetworkReply::RemoteHostClosedError:
    case QNetworkReply::ConnectionRefusedError:
    case QNetworkReply::TemporaryNetworkFailureError:
    case QNetworkReply::NetworkSessionFailedError:
    case QNetworkReply::UnknownNetworkError:
        return true;
    default:
        return false;
    }
}

// The pause before attempt `number` (2, 3, ...).
std::chrono::milliseconds retryPause(int number) {
    return std::chrono::milliseconds(number == 2 ? 300 : 1000);
}

} // namespace

void Transport::callForResponse(const HttpRequest& request, QObject* context, ResponseCallback done) {
    auto prepared = prepare(request);
    if (!prepared.ok()) {
        post(context, [done = std::move(done), error = prepared.error()] { done(error); });
        return;
    }
    attempt(request, std::make_shared<const Prepared>(std::move(prepared).value()), 1,
            QPointer<QObject>(context), std::move(done));
}

void Transport::attempt(const HttpRequest& request, std::shared_ptr<const Prepared> prepared,
                        int number, const QPointer<QObject>& context, ResponseCallback done) {
    if (!context)
        return;
    QNetworkReply* reply = send(*prepared);
    auto buffer = std::make_shared<QByteArray>();
    QObject::connect(reply, &QNetworkReply::readyRead, reply, [reply, buffer] {
        if (reply->property(kTooLargeProperty).toBool())
            return;
        buffer->append(readAvailable(reply));
        if (buffer->size() > kMaxBufferedResponse) {
            reply->setProperty(kTooLargeProperty, true);
            buffer->clear();
            reply->abort();
        }
    });
    QObject::connect(reply, &QNetworkReply::finished, reply,
                     [this, reply, buffer, ctx = context, done = std::move(done), request, prepared,
                      number, akma = request.auth == AuthKind::Akma,
                      conditional = !request.ifNoneMatch.isEmpty()]() mutable {
                         reply->deleteLater();
                         if (!ctx)
                             return;
                         if (!reply->property(kTooLargeProperty).toBool())
                             buffer->append(readAvailable(reply));
                         const int status = httpStatus(reply);
                         if (number < kAttempts && !succeeded(reply) && worthRetrying(reply, status)) {
                             // A change goes again as it was (the service recognises it); a read
                             // is signed anew (a signed read is answered once).
                             if (prepared->method == "GET") {
                                 auto again = prepare(request);
                                 if (again.ok())
                                     prepared = std::make_shared<const Prepared>(std::move(again).value());
                             }
                             // The pause runs on the network manager: abortAll() stops it too.
                             auto* pause = new QTimer(m_nam);
                             pause->setSingleShot(true);
                             QObject::connect(pause, &QTimer::timeout, m_nam,
                                              [this, pause, request, prepared, number, ctx,
                                               done = std::move(done)]() mutable {
                                                  pause->deleteLater();
                                                  attempt(request, prepared, number + 1, ctx,
                                                          std::move(done));
                                              });
                             pause->start(retryPause(number + 1));
                             return;
                         }
                         if (succeeded(reply) ||
                             (conditional && status == 304 && reply->error() == QNetworkReply::NoError)) {
                             HttpResponse response;
                             response.status = status;
                             response.body = status == 304 ? QByteArray() : std::move(*buffer);
                             response.etag = reply->rawHeader("ETag");
                             done(std::move(response));
                             return;
                         }
                         ClientError error = replyError(reply, *buffer);
                         noteRefusal(error, akma ? AuthKind::Akma : AuthKind::None);
                         done(std::move(error));
                     });
}

void Transport::call(const HttpRequest& request, QObject* context, BodyCallback done) {
    HttpRequest unconditional = request;
    unconditional.ifNoneMatch.clear();
    callForResponse(unconditional, context, [done = std::move(done)](ClientResult<HttpResponse> r) {
        if (!r.ok())
            return done(r.error());
        done(std::move(r->body));
    });
}

QByteArray Transport::readAvailable(QNetworkReply* reply, qint64 max) {
    if (!reply->isOpen())
        return {};
    return max < 0 ? reply->readAll() : reply->read(max);
}

int Transport::httpStatus(const QNetworkReply* reply) {
    return reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
}

bool Transport::succeeded(const QNetworkReply* reply) {
    const int status = httpStatus(reply);
    return reply->error() == QNetworkReply::NoError && status >= 200 && status < 300;
}

void Transport::cancel(QNetworkReply* reply) {
    reply->setProperty(kCancelledProperty, true);
    reply->abort();
}

void Transport::post(QObject* context, std::function<void()> fn) {
    QMetaObject::invokeMethod(context, std::move(fn), Qt::QueuedConnection);
}

void Transport::abortAll() {
    for (QTimer* pause : m_nam->findChildren<QTimer*>(QString(), Qt::FindDirectChildrenOnly))
        delete pause; // a retry waiting for its turn
    for (QNetworkReply* reply : m_nam->findChildren<QNetworkReply*>()) {
        QObject::disconnect(reply, nullptr, nullptr, nullptr);
        reply->abort();
        reply->deleteLater();
    }
}

ClientError Transport::replyError(QNetworkReply* reply, const QByteArray& body) const {
    const std::string service = serviceName().toStdString();
    if (reply->property(kCancelledProperty).toBool())
        return clientError(reason::kCancelled, "The transfer was cancelled.");
    if (reply->property(kTimedOutProperty).toBool())
        return clientError(reason::kTimeout, "The home network service at " + service +
                                                 " did not respond within " + seconds(m_timeout) +
                                                 ". Check your network connection and try again.");
    const int status = httpStatus(reply);
    if (reply->property(kTooLargeProperty).toBool())
        return clientError(reason::kResponseTooLarge,
                           "The service's answer was larger than any valid answer; nothing was "
                           "accepted. Try again later or contact your operator.",
                           status);
    if (status != 0) {
        // The service answered: its ErrorResponse names the reason.
        std::string code, message;
        const QByteArray type = reply->header(QNetworkRequest::ContentTypeHeader).toByteArray();
        if (type.contains("json")) {
            const QJsonObject o = QJsonDocument::fromJson(body).object();
            code = o.value(QStringLiteral("code")).toString().toStdString();
            message = o.value(QStringLiteral("message")).toString().toStdString();
        } else {
            proto::ErrorResponse e;
            if (!body.isEmpty() &&
                detail::parseMessage(body, e)) {
                code = e.code();
                message = e.message();
            }
        }
        if (looksLikeReasonCode(code))
            return clientError(code,
                               message.empty() ? "The home network service refused the request."
                                               : printable(message, 1000),
                               status);
        if (status >= 300 && status < 400)
            return clientError(reason::kServiceError,
                               "The service at " + service + " answered with a redirection (HTTP " +
                                   std::to_string(status) +
                                   "), which this client does not follow. Check the service "
                                   "address in your profile.",
                               status);
        return clientError(reason::kServiceError,
                           "The home network service at " + service +
                               " refused the request (HTTP " + std::to_string(status) +
                               ") without giving a reason. Try again later; if it persists, "
                               "contact your operator.",
                           status);
    }
    const std::string detail = printable(reply->errorString().toStdString(), 300);
    switch (reply->error()) {
    case QNetworkReply::SslHandshakeFailedError: {
        std::string what = detail;
        const QString sslErrors = reply->property(kSslErrorsProperty).toString();
        if (!sslErrors.isEmpty())
            what = printable(sslErrors.toStdString(), 500);
        return clientError(reason::kTlsError,
                           "Could not establish a secure TLS 1.3 connection to " + service + " (" +
                               what +
                               "). The service must present a certificate for this address signed "
                               "by the CA in your USIM profile; if the operator changed it, ask "
                               "for a new profile.");
    }
    case QNetworkReply::TimeoutError:
        return clientError(reason::kTimeout, "The connection to " + service +
                                                 " timed out. Check your network connection "
                                                 "and try again.");
    case QNetworkReply::OperationCanceledError:
        return clientError(reason::kCancelled, "The request to " + service + " was cancelled.");
    default:
        return clientError(reason::kServiceUnreachable,
                           "Cannot reach the home network service at " + service + " (" + detail +
                               "). Check your network connection and that the service is "
                               "running.");
    }
}

} // namespace twinseal::netclient::detail
