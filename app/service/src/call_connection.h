// One participant's TLS WebSocket to the room host (/v1/ws): what it may send (one binary
// CallMessage of a client kind per WebSocket message, at most config.callMaxMessageBytes,
// signalling and frames each under a per-connection rate) and what it has not received yet
// (a bounded send queue: a receiver that falls further behind is dropped, not the room).
#pragma once

#include <QByteArray>
#include <QPointer>
#include <QWebSocket>

#include <twinseal/proto/call.pb.h>

#include "twinseal/service/call_admission.h"
#include "twinseal/service/config.h"

QT_BEGIN_NAMESPACE
class QSslSocket;
QT_END_NAMESPACE

namespace twinseal::service {

class TokenBucket {
  public:
    TokenBucket(double rate, double burst) : m_rate(rate), m_burst(std::max(burst, 1.0)),
                                              m_tokens(m_burst) {}
    [[nodiscard]] bool take(qint64 nowMs);

  private:
    double m_rate;
    double m_burst;
    double m_tokens;
    qint64 m_last = -1;
};

class CallConnection {
  public:
    CallConnection(QWebSocket* socket, const ServiceConfig& config);
    ~CallConnection();
    CallConnection(const CallConnection&) = delete;
    CallConnection& operator=(const CallConnection&) = delete;

    [[nodiscard]] QWebSocket* socket() const noexcept { return m_ws; }
    [[nodiscard]] bool closing() const noexcept { return m_closing; }

    // One received WebSocket message: the CallMessage, or why the connection must be closed.
    [[nodiscard]] CallResult<proto::CallMessage> admit(const QByteArray& bytes, qint64 nowMs);
    // Sends a CallMessage serialized without `seq` (the next one is added); false when the
    // unsent bytes exceed the hard ceiling (four times config.callMaxQueueBytes, at least
    // 4 MiB), which bounds the memory a receiver can hold even between two checks.
    [[nodiscard]] bool queue(const QByteArray& message);
    // Called periodically (between events, when the socket has had its chance to write): true
    // once the receiver stayed more than config.callMaxQueueBytes behind on two checks in a row.
    [[nodiscard]] bool fallenBehind();
    // Bytes handed to the socket that have not reached the network yet.
    [[nodiscard]] qint64 pending() const;
    // A CallError, then the WebSocket closes.
    void refuseAndClose(const CallRefusal& why);
    // Closed at once (a receiver that does not read gets no close handshake).
    void abort(const QString& reason);

  private:
    QPointer<QWebSocket> m_ws;
    QPointer<QSslSocket> m_tls;
    qint64 m_maxMessage;
    qint64 m_maxQueue;
    qint64 m_ceiling;
    int m_behind = 0;
    TokenBucket m_signalling;
    TokenBucket m_frames;
    quint64 m_seq = 0;
    QByteArray m_scratch; // the message being handed to the socket
    qint64 m_queued = 0;
    qint64 m_written = 0;
    bool m_closing = false;
};

} // namespace twinseal::service
