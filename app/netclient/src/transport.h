// HTTPS transport of the home-network client (private to app/netclient): TLS 1.3 trusting only the
// profile's CA, Protobuf bodies, AKMA or grant Authorization headers, an inactivity timeout per
// request, and the mapping of every failure to a ClientError.
#pragma once

#include <QByteArray>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QPointer>
#include <QObject>
#include <QSslConfiguration>
#include <QUrl>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "twinseal/netclient/client_error.h"
#include "twinseal/netclient/service_client.h"

namespace twinseal::netclient::detail {

inline constexpr const char* kProtobufType = "application/x-protobuf";
inline constexpr const char* kOctetStreamType = "application/octet-stream";
// What raw-byte endpoints (status list, tree head, avatar files) are asked for: their bytes, or
// an ErrorResponse in binary Protobuf when they refuse.
inline constexpr const char* kRawAccept = "application/octet-stream, application/x-protobuf";
// Upper bound for a response that is buffered whole (the status list is at most 16 MiB).
inline constexpr qint64 kMaxBufferedResponse = qint64{64} * 1024 * 1024;
// Upper bound for an error body read from a streamed response.
inline constexpr qint64 kMaxErrorBody = qint64{64} * 1024;

enum class AuthKind { None, Akma, Grant };

struct HttpRequest {
    QByteArray method; // "GET", "POST" or "PUT"
    QByteArray path;   // path and query, percent-encoded, e.g. "/v1/log/head"
    QByteArray body;
    QByteArray contentType = kProtobufType; // sent with POST and PUT
    QByteArray accept = kProtobufType;
    AuthKind auth = AuthKind::None;
    std::string grantToken; // for AuthKind::Grant
    // A conditional GET: the entity tag of the representation the caller holds. The service
    // answers 304 Not Modified (no body) while it is still current.
    QByteArray ifNoneMatch;
};

// A buffered response: its status (200..299, or 304 to a conditional request), body and
// entity tag (empty when the service sent none).
struct HttpResponse {
    int status = 0;
    QByteArray body;
    QByteArray etag;
    [[nodiscard]] bool notModified() const noexcept { return status == 304; }
};

using BodyCallback = std::function<void(ClientResult<QByteArray>)>;
using ResponseCallback = std::function<void(ClientResult<HttpResponse>)>;

// A path segment percent-encoded (everything but RFC 3986 unreserved characters).
[[nodiscard]] QByteArray encodeSegment(const std::string& segment);

class Transport {
public:
    // The network manager is created as a child of `owner`.
    Transport(QObject* owner, const security::UsimProfileData& profile,
              const ServiceClientOptions& options);
    ~Transport();
    Transport(const Transport&) = delete;
    Transport& operator=(const Transport&) = delete;

    // Starts a request. The reply belongs to the caller (deleteLater it when finished); it
    // carries the inactivity timer. Fails without sending when TLS is unusable, the session is
    // missing (AKMA) or the URL cannot be formed.
    [[nodiscard]] ClientResult<QNetworkReply*> start(const HttpRequest& request);
    // A request whose response is buffered whole: `done` runs once, on `context`'s thread,
    // later; never if `context` is destroyed first. A 401 to an AKMA request drops the session.
    // When the connection drops or is refused before an answer, or a balancer or the service
    // answers 502/503/504, the request is sent again (at most kAttempts in all, after a short
    // pause): a state-changing request byte for byte (the service answers a retry of a request
    // it already carried out with its first answer, request_outcomes.h), a read signed anew.
    void call(const HttpRequest& request, QObject* context, BodyCallback done);
    // The same with the status and entity tag; a 304 to a conditional request (ifNoneMatch)
    // is a success without a body.
    void callForResponse(const HttpRequest& request, QObject* context, ResponseCallback done);

    // The failure a finished reply stands for: the service's refusal (its ErrorResponse code
    // and message), or the transport failure (unreachable, TLS, timeout, cancelled).
    [[nodiscard]] ClientError replyError(QNetworkReply* reply, const QByteArray& body) const;
    [[nodiscard]] static int httpStatus(const QNetworkReply* reply);
    // What can be read from a reply now (nothing once it was aborted and closed).
    [[nodiscard]] static QByteArray readAvailable(QNetworkReply* reply, qint64 max = -1);
    [[nodiscard]] static bool succeeded(const QNetworkReply* reply);
    // Aborts a reply so that replyError() says "cancelled".
    static void cancel(QNetworkReply* reply);
    // Runs `fn` later on `context`'s thread (not if `context` is destroyed first).
    static void post(QObject* context, std::function<void()> fn);
    // Disconnects and aborts every request in flight (no callback runs).
    void abortAll();

    // ---- the AKMA session ----
    [[nodiscard]] bool hasSession() const;
    [[nodiscard]] std::string aKid() const;
    void setSession(security::AkmaSession session, std::int64_t expiresAt);
    void clearSession();
    // Called when the service answers 401 to an AKMA-authenticated request.
    std::function<void()> onSessionRejected;
    // For requests handled outside call(): drops the session when `error` is a 401 to an AKMA
    // request.
    void noteRefusal(const ClientError& error, AuthKind auth);

    [[nodiscard]] std::int64_t now() const;
    [[nodiscard]] security::Random& random() const;
    [[nodiscard]] int maxChunksInFlight() const noexcept { return m_maxChunksInFlight; }
    void setTimeout(std::chrono::milliseconds timeout) { m_timeout = timeout; }
    [[nodiscard]] std::chrono::milliseconds timeout() const noexcept { return m_timeout; }
    [[nodiscard]] QString serviceName() const;

    static constexpr int kAttempts = 3;

private:
    // A request ready to send: signed, with its body.
    struct Prepared {
        QNetworkRequest request;
        QByteArray method;
        QByteArray body;
    };
    [[nodiscard]] ClientResult<Prepared> prepare(const HttpRequest& request);
    [[nodiscard]] QNetworkReply* send(const Prepared& prepared);
    void attempt(const HttpRequest& request, std::shared_ptr<const Prepared> prepared, int number,
                 const QPointer<QObject>& context, ResponseCallback done);
    [[nodiscard]] ClientResult<QByteArray> authorization(const HttpRequest& request,
                                                         const QByteArray& macPath);

    QNetworkAccessManager* m_nam;
    QSslConfiguration m_tls;
    std::string m_tlsProblem; // why TLS cannot be used, if it cannot
    QUrl m_base;
    std::string m_basePath; // the service URL's own path, without a trailing '/'
    const security::Clock* m_clock;
    security::Random* m_random;
    std::chrono::milliseconds m_timeout;
    int m_maxChunksInFlight;
    std::optional<security::AkmaSession> m_session;
    std::int64_t m_sessionExpiresAt = 0;
};

} // namespace twinseal::netclient::detail
