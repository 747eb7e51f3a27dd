// A test participant of the room host's call channel (/v1/ws): a QWebSocket over TLS to a test
// home network, binary CallMessages in and out, an inbox to wait on, and the evidence a
// registered twin presents (a fresh call assertion for a destination, its credential and
// disclosures). A raw participant that joins and then never reads again models a receiver the
// relay must drop.
#pragma once

#include <QObject>
#include <QSslSocket>
#include <QWebSocket>

#include <deque>
#include <functional>
#include <optional>
#include <string>

#include <twinseal/netclient/client_types.h>
#include <twinseal/proto/call.pb.h>
#include <twinseal/security/keys.h>

#include "homenet_fixture.h"

namespace twinseal::test {

class CallWsClient : public QObject {
    Q_OBJECT
  public:
    explicit CallWsClient(const HomenetServer& server);
    ~CallWsClient() override;

    // Connects to wss://localhost:<port>/v1/ws; false when the connection failed.
    [[nodiscard]] bool open();
    void send(const proto::CallMessage& m);
    void sendBinary(const QByteArray& bytes);
    void sendText(const QString& text);

    // The next message of `kind` (or a CallError, whichever comes first); the other messages
    // stay in the inbox. nullopt when none came in `timeoutMs` or the connection closed.
    [[nodiscard]] std::optional<proto::CallMessage> expect(proto::CallMessage::BodyCase kind,
                                                           int timeoutMs = 20000);
    // Sends `m` and waits for `kind` (or a CallError).
    [[nodiscard]] std::optional<proto::CallMessage> request(const proto::CallMessage& m,
                                                            proto::CallMessage::BodyCase kind);
    // Waits for the connection to close.
    [[nodiscard]] bool waitClosed(int timeoutMs = 20000);
    [[nodiscard]] bool connected() const;
    [[nodiscard]] QWebSocketProtocol::CloseCode closeCode() const { return m_ws.closeCode(); }
    [[nodiscard]] QString closeReason() const { return m_ws.closeReason(); }
    // Every message received and not taken yet.
    [[nodiscard]] std::deque<proto::CallMessage>& inbox() { return m_inbox; }
    [[nodiscard]] std::size_t count(proto::CallMessage::BodyCase kind) const;
    // Runs the event loop until `done` holds.
    [[nodiscard]] bool waitUntil(const std::function<bool()>& done, int timeoutMs = 20000);
    // Waits until `n` messages of `kind` are in the inbox.
    [[nodiscard]] bool waitFor(proto::CallMessage::BodyCase kind, std::size_t n,
                               int timeoutMs = 20000);

  private:
    QWebSocket m_ws;
    QString m_url;
    std::deque<proto::CallMessage> m_inbox;
    int m_malformed = 0;
};

// A participant that completes the TLS and WebSocket handshakes, sends its messages and then
// stops reading the socket (its read buffer is tiny, so TCP's window closes).
class NonReadingCallClient : public QObject {
    Q_OBJECT
  public:
    explicit NonReadingCallClient(const HomenetServer& server);
    [[nodiscard]] bool open();
    // One masked binary WebSocket frame.
    void send(const proto::CallMessage& m);
    [[nodiscard]] bool connected() const;
    [[nodiscard]] bool waitDisconnected(int timeoutMs);

  private:
    QSslSocket m_socket;
    const HomenetServer& m_server;
};

// A registered twin taking part in calls.
struct CallParticipant {
    TestSubscriber subscriber;
    netclient::Registration registration;
    std::string handle;

    // A fresh assertion for `dest` with the credential and all its disclosures.
    [[nodiscard]] proto::Evidence evidence(const std::string& dest) const;
};

// Adds subscriber `number` to `server`, authenticates, registers a twin of its own copy of the
// sample avatar (variant `number`: one media root is certified to one subscriber) and
// fetches its transfer handle. Aborts the test run on failure.
CallParticipant makeParticipant(HomenetServer& server, const QString& name, int number);

// "urn:twinseal:room-host:<operator>" for the test home network's operator name.
std::string roomHostUri(const std::string& operatorName = "TwinSeal Demo Operator");

} // namespace twinseal::test
