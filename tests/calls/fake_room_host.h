// A scripted room host for CallClient tests: a TLS WebSocket server on loopback (its own CA and
// a certificate for localhost, made with security/x509) that records every call message it
// receives and sends whatever the test tells it to. Real TLS, real WebSocket framing, real
// codec; the room logic is the test's script.
#pragma once

#include <QObject>
#include <QPointer>
#include <QWebSocket>
#include <QWebSocketServer>

#include <string>
#include <vector>

#include <twinseal/proto/call.pb.h>

namespace twinseal::test::calls {

class FakeRoomHost : public QObject {
    Q_OBJECT

public:
    FakeRoomHost();
    ~FakeRoomHost() override;

    [[nodiscard]] bool start();
    [[nodiscard]] const std::string& caPem() const noexcept { return m_caPem; }
    [[nodiscard]] QUrl url() const;

    void send(proto::CallMessage message);
    void sendRaw(const QByteArray& frame);
    void sendText(const QString& text);
    // Drops the current connection (as a network failure would).
    void drop();

    [[nodiscard]] const std::vector<proto::CallMessage>& received() const noexcept { return m_received; }
    [[nodiscard]] int connections() const noexcept { return m_connections; }
    [[nodiscard]] bool connected() const;

signals:
    void messageReceived(const twinseal::proto::CallMessage& message);

private:
    QWebSocketServer m_server;
    QPointer<QWebSocket> m_client;
    std::string m_caPem;
    std::vector<proto::CallMessage> m_received;
    int m_connections = 0;
    std::uint64_t m_seq = 0;
};

} // namespace twinseal::test::calls
