// The call signalling and frame relay endpoint (/v1/ws): takes the WebSocket connections the
// HTTPS front end upgrades, checks every message on them (CallConnection: size, kind, rate) and
// hands it to CallRooms, and delivers what CallRooms sends through each connection's bounded
// queue. A connection that sends bad input gets a CallError and is closed; one that falls too
// far behind is dropped; the rooms and every other participant carry on.
#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

#include <memory>
#include <unordered_map>

#include "twinseal/service/call_rooms.h"
#include "twinseal/service/config.h"

QT_BEGIN_NAMESPACE
class QWebSocket;
QT_END_NAMESPACE

namespace twinseal::service {

class CallConnection;

class CallRelay : public QObject, public CallOutbox {
    Q_OBJECT
  public:
    CallRelay(CallRooms& rooms, const ServiceConfig& config, QObject* parent = nullptr);
    ~CallRelay() override;

    // Takes over an upgraded /v1/ws connection.
    void accept(QWebSocket* socket);
    [[nodiscard]] std::size_t connectionCount() const noexcept { return m_conns.size(); }

    void send(CallConnectionId to, const proto::CallMessage& message) override;
    void sendEncoded(CallConnectionId to, const QByteArray& message) override;

  private:
    void onMessage(CallConnectionId id, const QByteArray& bytes);
    // Stops delivering to the connection; CallRooms hears of it from the event loop (never in
    // the middle of one of its own loops).
    void retire(CallConnectionId id);
    [[nodiscard]] qint64 now() const { return m_clock.elapsed(); }

    CallRooms& m_rooms;
    const ServiceConfig& m_config;
    std::unordered_map<CallConnectionId, std::unique_ptr<CallConnection>> m_conns;
    CallConnectionId m_next = 1;
    QElapsedTimer m_clock;
    QTimer m_tick;
    int m_ticks = 0;
};

} // namespace twinseal::service
