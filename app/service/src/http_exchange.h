// One request being answered by the front end: what a route handler reads (method, path,
// query, body, content type, whether to answer in JSON) and the reply it sets, with the checks
// every handler shares (content type, Protobuf decoding, caller authentication).
#pragma once

#include <QByteArray>
#include <QString>
#include <QUrlQuery>

#include <google/protobuf/message.h>

#include "http_reply.h"
#include "twinseal/service/homenet_service.h"

QT_BEGIN_NAMESPACE
class QHttpServerRequest;
QT_END_NAMESPACE

namespace twinseal::service::http {

// A request header by name (case-insensitive); empty when absent.
[[nodiscard]] QByteArray header(const QHttpServerRequest& r, const char* name);

struct Exchange {
    Exchange(HomenetService& service, const QHttpServerRequest& request);

    HomenetService& service;
    QByteArray method;       // "GET", "POST", ...
    QString path;            // percent-encoded, as received
    QStringList segments;    // the path's segments, percent-decoded
    QByteArray pathAndQuery; // what a request MAC covers
    QUrlQuery query;
    QByteArray body;
    QByteArray contentType; // the media type, lower case, without parameters
    QByteArray authorization;
    QByteArray ifNoneMatch; // the If-None-Match header of a conditional GET
    QByteArray source;      // the client's address, for per-source limits
    bool json = false; // answer in Protobuf's JSON mapping
    Reply reply;

    // Sets the reply to a refusal.
    void refuse(int status, std::string code, std::string message);
    template <typename T> void answer(ServiceResult<T>&& result) {
        reply = replyOf(std::move(result), json);
    }
    // The body has the expected content type (a Protobuf body may also come as JSON); else
    // refused with 415.
    [[nodiscard]] bool needsBody(const QByteArray& expected);
    // The body decoded into `m`; else refused with 400 malformed-request.
    [[nodiscard]] bool decode(google::protobuf::Message* m);
    // The caller named by the Authorization header; else refused with its reason. A
    // state-changing request (not GET or HEAD) signed by an AKMA key has its outcome recorded
    // (once()); a retry of one already answered gets the recorded answer and returns false.
    [[nodiscard]] bool authenticated(Caller* out);
    // Runs the rest of this request at most once (request_outcomes.h): false, with the
    // recorded answer (or a refusal) set, when a request with this key was answered before;
    // true after starting the request's store scope, which finishOutcome() ends.
    [[nodiscard]] bool once(const QByteArray& key, const QByteArray& digest, qint64 expiresAt);
    // After the handler: records the reply with the request's changes (or sets the answer of
    // an instance that answered the same request first). Nothing when once() did not start.
    void finishOutcome();

  private:
    // The reply becomes an answer recorded before (this request's, or another instance's).
    void answerRecorded(RecordedAnswer&& answer);

    bool m_outcomeStarted = false;
    QByteArray m_outcomeKey;
    QByteArray m_outcomeDigest;
    qint64 m_outcomeExpiresAt = 0;
};

} // namespace twinseal::service::http
