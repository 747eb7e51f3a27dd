// Hand-made requests to the real service for the bad-input and repository tests: a plain HTTPS
// client, a subscriber's AKMA key obtained like the USIM does (SUCI, 5G-AKA, AKMA) to sign
// requests with the same helper the real client uses, and raw pipelined requests on one
// keep-alive TLS connection.
#pragma once

#include <QList>
#include <QNetworkAccessManager>
#include <QPair>
#include <QSslConfiguration>

#include <optional>
#include <string>

#include <twinseal/netclient/service_client.h>
#include <twinseal/proto/homenet.pb.h>
#include <twinseal/security/aka.h>
#include <twinseal/security/registration.h>
#include <twinseal/security/subscriber.h>

#include "homenet_fixture.h"

namespace twinseal::test {

struct HttpResult {
    int status = 0;
    QByteArray body;
    std::string code; // ErrorResponse.code when the body is one
    QByteArray contentType;
    QByteArray cacheControl;
    QByteArray retryAfter;
};

using RawHeaders = QList<QPair<QByteArray, QByteArray>>;

class RawClient {
public:
    explicit RawClient(const HomenetServer& server);
    // Through another port of this machine (a balancer in front of `server`).
    RawClient(const HomenetServer& server, quint16 port);
    HttpResult send(const QByteArray& method, const QString& path, const QByteArray& body = {},
                    const QByteArray& contentType = "application/x-protobuf",
                    const RawHeaders& headers = {});
    template <typename M> HttpResult post(const QString& path, const M& message) {
        return send("POST", path, QByteArray::fromStdString(message.SerializeAsString()));
    }
    // The request signed with the subscriber's AKMA key (path with its query, percent-encoded).
    HttpResult sendSigned(const security::AkmaSession& akma, const QByteArray& method,
                          const QByteArray& path, const QByteArray& body = {},
                          const QByteArray& contentType = "application/x-protobuf");

private:
    QString m_base;
    QSslConfiguration m_tls;
    QNetworkAccessManager m_nam;
};

// A subscriber's own session for hand-made requests: authenticates like the USIM (SUCI, 5G-AKA,
// AKMA) on a copy of its profile, then signs each request with its AKMA key.
class SignedSession {
  public:
    SignedSession(const HomenetServer& server, security::UsimProfileData profile);
    [[nodiscard]] const std::string& aKid() const { return m_akma.aKid; }
    // `sign` false: sent without an Authorization header.
    HttpResult send(const QByteArray& method, const QByteArray& path, const QByteArray& body = {},
                    bool sign = true, const QByteArray& contentType = "application/x-protobuf");

  private:
    RawClient m_raw;
    security::UsimProfileData m_profile;
    security::AkmaSession m_akma;
};

std::string suciFor(const security::UsimProfileData& p, const std::string& supiText,
                    security::ByteView hnKey);
// Answers a challenge as the USIM would (advancing its SEQ_MS array); `kausf` receives the key for
// the AKMA derivation.
security::Bytes resStar(security::UsimProfileData& p, const proto::AuthChallenge& c,
                        security::SecureBytes* kausf = nullptr);
proto::AuthChallenge challenge(RawClient& raw, const security::UsimProfileData& p);
// A full authentication of `ue` (its SQN advances): the AKMA session it ends in.
security::AkmaSession akmaLogin(RawClient& raw, security::UsimProfileData& ue);
// The Authorization header of one request, signed with the subscriber's K_AF.
QByteArray akmaAuthorization(const security::AkmaSession& akma, const QByteArray& method,
                             const QByteArray& pathAndQuery, const QByteArray& body);
// What a refusal must leave unchanged: the log's size, a subscriber's DTs and avatar record (as
// the service serialises them) and the status list's statuses.
struct ServiceState {
    quint64 logSize = 0;
    QByteArray dts;
    QByteArray avatar;
    std::uint64_t statuses = 0;
    security::Bytes revoked;
    bool operator==(const ServiceState&) const = default;
};
// `reader` fetches and verifies the status list; `avatarId` may be empty.
ServiceState serviceState(RawClient& raw, netclient::ServiceClient& reader,
                          const security::AkmaSession& owner, const std::string& avatarId = {});

// A registration envelope (purpose Register unless told) signed by `holder` for `akma`'s session.
QByteArray registrationBody(const security::AkmaSession& akma, const security::SigningKey& holder,
                            const security::Bytes& signedManifest,
                            security::RegistrationPurpose purpose =
                                security::RegistrationPurpose::Register,
                            const std::string& dtId = {});

// Runs a counting query (one bound value) against the service's database, read-only: -1 when
// it cannot be run.
qint64 countInDatabase(const HomenetServer& server, const QString& sql, const QVariant& value);

// The reason code of an error body (protobuf or JSON).
std::string reasonCode(int status, const QByteArray& contentType, const QByteArray& body);

// Sends the requests on one keep-alive TLS connection, all at once (HTTP/1.1 pipelining) or each
// after the previous answer, and reads the answers in order; fewer answers than requests when
// the service closed the connection.
QList<HttpResult> onOneConnection(const HomenetServer& server, const QList<QByteArray>& requests,
                                  bool pipeline, int timeoutMs = 120000);
// Sends the request's first `split` bytes, lets the service read them, then the rest in one
// write (so that the rest reaches the service as one large piece), and reads the answer.
HttpResult sendInTwoParts(const HomenetServer& server, const QByteArray& request, qsizetype split);
// One raw HTTP/1.1 request with a Content-Length.
QByteArray rawRequest(const QByteArray& method, const QByteArray& pathAndQuery,
                      const QByteArray& body, const QByteArray& contentType,
                      const RawHeaders& headers = {});

} // namespace twinseal::test

#define EXPECT_REFUSAL(result, httpStatus, reason)                                                 \
    do {                                                                                           \
        const ::twinseal::test::HttpResult& r_ = (result);                                         \
        QCOMPARE(QString::fromStdString(r_.code), QStringLiteral(reason));                         \
        QCOMPARE(r_.status, httpStatus);                                                           \
    } while (0)
