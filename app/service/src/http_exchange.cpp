#include "http_exchange.h"

#include <QHttpServerRequest>

#include <google/protobuf/util/json_util.h>
#include <twinseal/proto/codec.h>

#include "twinseal/service/library_logs.h"

namespace twinseal::service::http {

namespace {

QByteArray mediaType(const QByteArray& contentType) {
    const qsizetype semi = contentType.indexOf(';');
    return (semi < 0 ? contentType : contentType.left(semi)).trimmed().toLower();
}

QByteArray methodName(QHttpServerRequest::Method m) {
    switch (m) {
    case QHttpServerRequest::Method::Get:
        return "GET";
    case QHttpServerRequest::Method::Put:
        return "PUT";
    case QHttpServerRequest::Method::Post:
        return "POST";
    case QHttpServerRequest::Method::Delete:
        return "DELETE";
    case QHttpServerRequest::Method::Head:
        return "HEAD";
    default:
        return "OTHER";
    }
}

} // namespace

QByteArray header(const QHttpServerRequest& r, const char* name) {
    for (const auto& [k, v] : r.headers())
        if (k.compare(name, Qt::CaseInsensitive) == 0)
            return v;
    return {};
}

Exchange::Exchange(HomenetService& s, const QHttpServerRequest& request)
    : service(s), method(methodName(request.method())) {
    const QUrl url = request.url();
    path = url.path(QUrl::FullyEncoded);
    contentType = mediaType(header(request, "content-type"));
    // The Protobuf JSON mapping when the client asks for it (Accept) or sends JSON, unless it
    // accepts binary Protobuf.
    const QByteArray accept = header(request, "accept");
    json = !accept.contains(kProtobuf) && (accept.contains(kJson) || contentType == kJson);
    pathAndQuery = path.toUtf8();
    if (url.hasQuery())
        pathAndQuery += '?' + url.query(QUrl::FullyEncoded).toUtf8();
    body = request.body();
    authorization = header(request, "authorization");
    ifNoneMatch = header(request, "if-none-match");
    source = request.remoteAddress().toString().toUtf8();
    segments = path.split(QLatin1Char('/'));
    if (!segments.isEmpty() && segments.first().isEmpty())
        segments.removeFirst();
    for (QString& seg : segments)
        seg = QUrl::fromPercentEncoding(seg.toUtf8());
    query = QUrlQuery(url);
}

void Exchange::refuse(int status, std::string code, std::string message) {
    reply = http::refuse(serviceError(status, std::move(code), std::move(message)), json);
}

bool Exchange::needsBody(const QByteArray& expected) {
    if (contentType == expected || (expected == kProtobuf && contentType == kJson))
        return true;
    refuse(415, "unsupported-content-type",
           "send the body as " + expected.toStdString() +
               (expected == kProtobuf ? " or application/json" : ""));
    return false;
}

bool Exchange::decode(google::protobuf::Message* m) {
    bool ok;
    (void)takeInvalidUtf8Report();
    if (contentType == kJson) {
        google::protobuf::util::JsonParseOptions o;
        ok = google::protobuf::util::JsonStringToMessage(body.toStdString(), m, o).ok();
    } else {
        ok = proto::parseMessage(
            security::ByteView(reinterpret_cast<const std::uint8_t*>(body.constData()),
                               static_cast<std::size_t>(body.size())),
            *m);
    }
    if (!ok && takeInvalidUtf8Report())
        refuse(400, "string-not-utf8",
               "a text field of the " + m->GetTypeName() +
                   " message is not valid UTF-8; send text fields as UTF-8");
    else if (!ok)
        refuse(400, "malformed-request",
               "the body is not a valid " + m->GetTypeName() + " message");
    return ok;
}

bool Exchange::authenticated(Caller* out) {
    const bool changes = method != "GET" && method != "HEAD";
    auto caller = service.authenticate(authorization, method, pathAndQuery, body, changes);
    if (!caller.ok()) {
        reply = http::refuse(caller.error(), json);
        return false;
    }
    *out = std::move(caller).value();
    if (!out->requestKey.isEmpty())
        return once(out->requestKey, out->requestDigest, out->requestKeyExpiresAt);
    return true;
}

bool Exchange::once(const QByteArray& key, const QByteArray& digest, qint64 expiresAt) {
    auto answered = service.outcomes().recorded(key, digest);
    if (!answered.ok()) {
        reply = http::refuse(answered.error(), json);
        return false;
    }
    if (answered->has_value()) {
        answerRecorded(std::move(**answered));
        return false;
    }
    service.outcomes().start();
    m_outcomeStarted = true;
    m_outcomeKey = key;
    m_outcomeDigest = digest;
    m_outcomeExpiresAt = expiresAt;
    return true;
}

void Exchange::finishOutcome() {
    if (!m_outcomeStarted)
        return;
    m_outcomeStarted = false;
    if (reply.stream) { // not an answer to record (no state-changing route streams)
        service.outcomes().abandon();
        return;
    }
    auto sent = service.outcomes().finish(m_outcomeKey, m_outcomeDigest, m_outcomeExpiresAt,
                                          RecordedAnswer{reply.status, reply.contentType, reply.body});
    if (!sent.ok()) {
        reply = http::refuse(sent.error(), json);
        return;
    }
    if (sent->status != reply.status || sent->body != reply.body)
        answerRecorded(std::move(sent).value());
}

void Exchange::answerRecorded(RecordedAnswer&& answer) {
    reply.status = answer.status;
    reply.contentType = std::move(answer.contentType);
    reply.body = std::move(answer.body);
    reply.retryAfter.clear();
    reply.etag.clear();
    reply.code = "answered-before";
}

} // namespace twinseal::service::http
