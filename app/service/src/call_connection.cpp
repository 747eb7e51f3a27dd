#include "call_connection.h"

#include <QSslSocket>
#include <QTimer>

#include <algorithm>

#include <twinseal/proto/codec.h>

#include "twinseal/service/service_log.h"

namespace twinseal::service {

namespace {

// Appends the `seq` field (1, varint) of a CallMessage; protobuf merges it with the rest of
// the message that follows.
void appendSeqField(QByteArray& out, quint64 seq) {
    out.append(char(0x08));
    do {
        char b = char(seq & 0x7f);
        seq >>= 7;
        if (seq != 0)
            b = char(b | 0x80);
        out.append(b);
    } while (seq != 0);
}

QByteArray seqField(quint64 seq) {
    QByteArray out;
    appendSeqField(out, seq);
    return out;
}

bool fromClient(proto::CallMessage::BodyCase kind) {
    switch (kind) {
    case proto::CallMessage::kCreateRoom:
    case proto::CallMessage::kJoinRoom:
    case proto::CallMessage::kInvite:
    case proto::CallMessage::kListen:
    case proto::CallMessage::kAnswerInvite:
    case proto::CallMessage::kLeave:
    case proto::CallMessage::kAnnounce:
    case proto::CallMessage::kKeyUpdate:
    case proto::CallMessage::kFrame:
        return true;
    default:
        return false;
    }
}

} // namespace

bool TokenBucket::take(qint64 nowMs) {
    if (m_rate <= 0)
        return true;
    if (m_last >= 0)
        m_tokens = std::min(m_burst, m_tokens + double(nowMs - m_last) * m_rate / 1000.0);
    m_last = nowMs;
    if (m_tokens < 1.0)
        return false;
    m_tokens -= 1.0;
    return true;
}

CallConnection::CallConnection(QWebSocket* socket, const ServiceConfig& config)
    : m_ws(socket), m_tls(socket->findChild<QSslSocket*>()),
      m_maxMessage(config.callMaxMessageBytes), m_maxQueue(config.callMaxQueueBytes),
      m_ceiling(std::max<qint64>(4 * config.callMaxQueueBytes, qint64{4} * 1024 * 1024)),
      m_signalling(config.callSignalRate, config.callSignalBurst),
      m_frames(config.callFrameRate, config.callFrameBurst) {
    QObject::connect(m_ws, &QWebSocket::bytesWritten, m_ws, [this](qint64 n) {
        m_written = std::min(m_queued, m_written + n);
    });
}

CallConnection::~CallConnection() {
    if (m_ws.isNull())
        return;
    QObject::disconnect(m_ws, nullptr, nullptr, nullptr);
    m_ws->abort();
    m_ws->deleteLater();
}

CallResult<proto::CallMessage> CallConnection::admit(const QByteArray& bytes, qint64 nowMs) {
    if (bytes.size() > m_maxMessage)
        return callRefusal("message-too-large",
                           "a call message is at most " + std::to_string(m_maxMessage) +
                               " bytes; this one has " + std::to_string(bytes.size()));
    proto::CallMessage m;
    if (!proto::parseMessage(
            security::ByteView(reinterpret_cast<const std::uint8_t*>(bytes.constData()),
                               static_cast<std::size_t>(bytes.size())),
            m))
        return callRefusal("message-malformed",
                           "the WebSocket message is not a twinseal.proto.CallMessage");
    if (m.body_case() == proto::CallMessage::BODY_NOT_SET)
        return callRefusal("message-empty", "the CallMessage carries no request");
    if (!fromClient(m.body_case()))
        return callRefusal("message-unexpected",
                           "this kind of CallMessage is sent by the room host, not to it");
    const bool isFrame = m.body_case() == proto::CallMessage::kFrame;
    if (!(isFrame ? m_frames : m_signalling).take(nowMs))
        return callRefusal("rate-limited",
                           isFrame ? "too many frames on this connection: at most the "
                                     "configured frame rate per second"
                                   : "too many signalling messages on this connection; slow "
                                     "down and reconnect");
    return m;
}

bool CallConnection::queue(const QByteArray& message) {
    if (m_closing || m_ws.isNull())
        return true;
    // One buffer per connection, reused for every message: the socket copies what it is
    // given, so relaying a frame costs no allocation per recipient.
    m_scratch.resize(0);
    appendSeqField(m_scratch, ++m_seq);
    m_scratch.append(message);
    m_queued += m_ws->sendBinaryMessage(m_scratch);
    return pending() <= m_ceiling;
}

bool CallConnection::fallenBehind() {
    if (m_closing || m_ws.isNull())
        return false;
    m_behind = pending() > m_maxQueue ? m_behind + 1 : 0;
    return m_behind >= 2;
}

qint64 CallConnection::pending() const {
    if (m_ws.isNull())
        return 0;
    qint64 buffered = m_ws->bytesToWrite();
    if (m_tls)
        buffered += m_tls->encryptedBytesToWrite();
    return std::max(buffered, m_queued - m_written);
}

void CallConnection::refuseAndClose(const CallRefusal& why) {
    if (m_closing || m_ws.isNull())
        return;
    proto::CallMessage m;
    m.mutable_error()->set_code(why.code);
    m.mutable_error()->set_message(why.message);
    m_ws->sendBinaryMessage(seqField(++m_seq) + proto::serialize<QByteArray>(m));
    m_closing = true;
    logEvent(LogLevel::Warning, "call-connection-refused",
             {{QStringLiteral("code"), QString::fromStdString(why.code)},
              {QStringLiteral("client"), m_ws->peerAddress().toString()}});
    m_ws->close(why.code == "message-too-large" ? QWebSocketProtocol::CloseCodeTooMuchData
                                                : QWebSocketProtocol::CloseCodePolicyViolated,
                QString::fromStdString(why.code));
    // A peer that never answers the close handshake is cut off.
    QTimer::singleShot(5000, m_ws.data(), [ws = m_ws.data()] { ws->abort(); });
}

void CallConnection::abort(const QString& reason) {
    if (m_closing || m_ws.isNull())
        return;
    m_closing = true;
    logEvent(LogLevel::Warning, "call-connection-dropped",
             {{QStringLiteral("reason"), reason},
              {QStringLiteral("pending_bytes"), double(pending())},
              {QStringLiteral("client"), m_ws->peerAddress().toString()}});
    m_ws->abort();
}

} // namespace twinseal::service
