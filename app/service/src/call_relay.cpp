#include "twinseal/service/call_relay.h"

#include <QWebSocket>

#include <twinseal/proto/codec.h>

#include "call_connection.h"
#include "twinseal/service/service_log.h"

namespace twinseal::service {

namespace {
constexpr int kTickMs = 200;
constexpr int kRevocationEveryTicks = 5; // once a second while own subscribers are in calls
// What Qt itself buffers of one incoming message at most (a larger one is cut off by Qt with
// close code 1009); between config.callMaxMessageBytes and this, the host answers with a
// CallError "message-too-large" first.
constexpr qint64 kQtMessageCeiling = qint64{1024} * 1024;
} // namespace

CallRelay::CallRelay(CallRooms& rooms, const ServiceConfig& config, QObject* parent)
    : QObject(parent), m_rooms(rooms), m_config(config) {
    m_clock.start();
    m_rooms.setOutbox(this);
    m_tick.setInterval(kTickMs);
    connect(&m_tick, &QTimer::timeout, this, [this] {
        for (auto& [id, conn] : m_conns)
            if (conn->fallenBehind()) {
                conn->abort(QStringLiteral("send-queue-full: the receiver stayed more than %1 "
                                           "bytes behind")
                                .arg(m_config.callMaxQueueBytes));
                retire(id);
            }
        m_rooms.tick(now());
        if (++m_ticks % kRevocationEveryTicks == 0)
            m_rooms.checkRevocations(now());
    });
    m_tick.start();
}

CallRelay::~CallRelay() {
    m_rooms.setOutbox(nullptr);
    for (auto& [id, conn] : m_conns)
        m_rooms.connectionClosed(id, now());
    m_conns.clear();
}

void CallRelay::accept(QWebSocket* socket) {
    const CallConnectionId id = m_next++;
    const qint64 ceiling =
        std::min<qint64>(m_config.maxBodyBytes,
                         std::max<qint64>(kQtMessageCeiling, 4 * m_config.callMaxMessageBytes));
    socket->setMaxAllowedIncomingMessageSize(static_cast<quint64>(ceiling));
    socket->setMaxAllowedIncomingFrameSize(static_cast<quint64>(ceiling));
    auto conn = std::make_unique<CallConnection>(socket, m_config);
    connect(socket, &QWebSocket::binaryMessageReceived, this,
            [this, id](const QByteArray& bytes) { onMessage(id, bytes); });
    connect(socket, &QWebSocket::textMessageReceived, this, [this, id] {
        auto it = m_conns.find(id);
        if (it == m_conns.end() || it->second->closing())
            return;
        it->second->refuseAndClose(callRefusal(
            "text-not-supported",
            "send binary WebSocket messages, each one twinseal.proto.CallMessage"));
        retire(id);
    });
    connect(socket, &QWebSocket::disconnected, this, [this, id] { retire(id); });
    m_conns.emplace(id, std::move(conn));
    logEvent(LogLevel::Info, "call-connected",
             {{QStringLiteral("connection"), double(id)},
              {QStringLiteral("client"), socket->peerAddress().toString()}});
}

void CallRelay::onMessage(CallConnectionId id, const QByteArray& bytes) {
    auto it = m_conns.find(id);
    if (it == m_conns.end() || it->second->closing())
        return;
    auto message = it->second->admit(bytes, now());
    if (!message.ok()) {
        it->second->refuseAndClose(message.error());
        return retire(id);
    }
    m_rooms.receive(id, *message, now());
}

void CallRelay::send(CallConnectionId to, const proto::CallMessage& message) {
    proto::CallMessage copy = message;
    copy.clear_seq();
    sendEncoded(to, proto::serialize<QByteArray>(copy));
}

void CallRelay::sendEncoded(CallConnectionId to, const QByteArray& message) {
    auto it = m_conns.find(to);
    if (it == m_conns.end() || it->second->closing())
        return;
    if (!it->second->queue(message)) {
        it->second->abort(QStringLiteral("send-queue-full: the receiver fell more than %1 bytes "
                                         "behind")
                              .arg(std::max<qint64>(4 * m_config.callMaxQueueBytes,
                                                    qint64{4} * 1024 * 1024)));
        retire(to);
    }
}

void CallRelay::retire(CallConnectionId id) {
    QTimer::singleShot(0, this, [this, id] {
        auto it = m_conns.find(id);
        if (it == m_conns.end())
            return;
        m_rooms.connectionClosed(id, now());
        // A connection being closed keeps its socket until the close handshake ends (or its
        // abort): `disconnected` retires it again then.
        QWebSocket* s = it->second->socket();
        if (s != nullptr && s->state() != QAbstractSocket::UnconnectedState)
            return;
        m_conns.erase(it);
    });
}

} // namespace twinseal::service
