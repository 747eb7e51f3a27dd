// HTTPS front end of twinseal-homenet (Qt HttpServer over a QSslServer, TLS 1.3 only): routes
// /v1 requests through a routing table (src/http_routes.cpp) to HomenetService, speaks binary
// Protobuf or Protobuf's JSON mapping, enforces the body-size limit before a body is buffered
// and a per-client request rate, and logs every request as one structured line. /v1/ws is the
// call signalling and frame relay WebSocket (CallRelay).
#pragma once

#include <QAbstractHttpServer>
#include <QElapsedTimer>
#include <QHash>
#include <QHostAddress>

#include <list>
#include <memory>

#include "twinseal/service/homenet_service.h"

QT_BEGIN_NAMESPACE
class QSslServer;
class QWebSocket;
QT_END_NAMESPACE

namespace twinseal::service {

namespace http {
struct Exchange;
template <typename Context> class Router;
} // namespace http

class CallRelay;
class ProxiedTlsServer;

class HttpFrontend : public QAbstractHttpServer {
    Q_OBJECT
public:
    HttpFrontend(HomenetService& service, const OperatorKeys& keys, QObject* parent = nullptr);
    ~HttpFrontend() override;

    // Starts listening on config.listenAddress:config.port; returns the bound port.
    [[nodiscard]] ServiceResult<quint16> start();
    // Stops accepting connections (graceful shutdown: requests in progress finish first).
    void stopListening();
    [[nodiscard]] quint64 requestsServed() const noexcept { return m_served; }

protected:
    bool handleRequest(const QHttpServerRequest& request, QTcpSocket* socket) override;
    void missingHandler(const QHttpServerRequest& request, QTcpSocket* socket) override;

private:
    struct Bucket {
        QHostAddress peer;
        double tokens = 0;
        qint64 lastMs = 0;
    };
    void guardSocket(QTcpSocket* socket);
    void onWebSocket();
    [[nodiscard]] bool allow(const QHostAddress& peer);

    HomenetService& m_service;
    const OperatorKeys& m_keys;
    std::unique_ptr<http::Router<http::Exchange>> m_routes; // method + path -> handler
    ProxiedTlsServer* m_tls = nullptr;
    CallRelay* m_calls = nullptr; // a child: the /v1/ws connections
    // Rate-limit buckets by last use, most recent first; at most kMaxRateBuckets addresses.
    std::list<Bucket> m_recent;
    QHash<QHostAddress, std::list<Bucket>::iterator> m_buckets;
    QElapsedTimer m_clock;
    quint64 m_served = 0;
};

} // namespace twinseal::service
