#include "call_ws_client.h"

#include <QEventLoop>
#include <QSslConfiguration>
#include <QTimer>
#include <QUrl>

#include <twinseal/proto/codec.h>
#include <twinseal/security/assertion.h>
#include <twinseal/security/clock.h>

#include "test_macros.h"

namespace twinseal::test {

namespace {

QSslConfiguration tlsFor(const HomenetServer& server) {
    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    tls.setCaCertificates(QSslCertificate::fromData(server.tlsCaPem().toLatin1()));
    tls.setProtocol(QSsl::TlsV1_3OrLater);
    return tls;
}

// Runs the event loop until `done` holds or `timeoutMs` passed.
bool spin(const std::function<bool()>& done, int timeoutMs) {
    QElapsedTimer t;
    t.start();
    while (!done()) {
        if (t.elapsed() > timeoutMs)
            return false;
        QEventLoop loop;
        QTimer::singleShot(10, &loop, &QEventLoop::quit);
        loop.exec();
    }
    return true;
}

} // namespace

CallWsClient::CallWsClient(const HomenetServer& server)
    : m_url(server.url().replace(QStringLiteral("https:"), QStringLiteral("wss:")) +
            QStringLiteral("/v1/ws")) {
    m_ws.setSslConfiguration(tlsFor(server));
    connect(&m_ws, &QWebSocket::binaryMessageReceived, this, [this](const QByteArray& bytes) {
        proto::CallMessage m;
        if (proto::parseMessage(security::ByteView(reinterpret_cast<const std::uint8_t*>(
                                                       bytes.constData()),
                                                   static_cast<std::size_t>(bytes.size())),
                                m))
            m_inbox.push_back(std::move(m));
        else
            ++m_malformed;
    });
}

CallWsClient::~CallWsClient() { m_ws.abort(); }

bool CallWsClient::open() {
    m_ws.open(QUrl(m_url));
    return spin([this] { return m_ws.state() == QAbstractSocket::ConnectedState; }, 20000);
}

void CallWsClient::send(const proto::CallMessage& m) {
    sendBinary(proto::serialize<QByteArray>(m));
}

void CallWsClient::sendBinary(const QByteArray& bytes) { m_ws.sendBinaryMessage(bytes); }

void CallWsClient::sendText(const QString& text) { m_ws.sendTextMessage(text); }

bool CallWsClient::connected() const { return m_ws.state() == QAbstractSocket::ConnectedState; }

std::size_t CallWsClient::count(proto::CallMessage::BodyCase kind) const {
    std::size_t n = 0;
    for (const auto& m : m_inbox)
        n += m.body_case() == kind ? 1 : 0;
    return n;
}

bool CallWsClient::waitUntil(const std::function<bool()>& done, int timeoutMs) {
    return spin(done, timeoutMs);
}

bool CallWsClient::waitFor(proto::CallMessage::BodyCase kind, std::size_t n, int timeoutMs) {
    return spin([&] { return count(kind) >= n; }, timeoutMs);
}

std::optional<proto::CallMessage> CallWsClient::expect(proto::CallMessage::BodyCase kind,
                                                       int timeoutMs) {
    std::optional<proto::CallMessage> found;
    spin(
        [&] {
            for (auto it = m_inbox.begin(); it != m_inbox.end(); ++it)
                if (it->body_case() == kind || it->body_case() == proto::CallMessage::kError) {
                    found = std::move(*it);
                    m_inbox.erase(it);
                    return true;
                }
            return m_ws.state() == QAbstractSocket::UnconnectedState;
        },
        timeoutMs);
    return found;
}

std::optional<proto::CallMessage> CallWsClient::request(const proto::CallMessage& m,
                                                        proto::CallMessage::BodyCase kind) {
    send(m);
    return expect(kind);
}

bool CallWsClient::waitClosed(int timeoutMs) {
    return spin([this] { return m_ws.state() == QAbstractSocket::UnconnectedState; }, timeoutMs);
}

// ---- a participant that stops reading ---------------------------------------------------------

NonReadingCallClient::NonReadingCallClient(const HomenetServer& server) : m_server(server) {
    m_socket.setSslConfiguration(tlsFor(server));
}

bool NonReadingCallClient::open() {
    m_socket.connectToHostEncrypted(QStringLiteral("localhost"), m_server.port());
    if (!spin([this] { return m_socket.isEncrypted(); }, 20000))
        return false;
    m_socket.write("GET /v1/ws HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n"
                   "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                   "Sec-WebSocket-Version: 13\r\n\r\n");
    QByteArray answer;
    if (!spin(
            [&] {
                answer += m_socket.readAll();
                return answer.contains("\r\n\r\n");
            },
            20000))
        return false;
    if (!answer.startsWith("HTTP/1.1 101"))
        return false;
    // From now on nothing is read: Qt stops taking bytes from the kernel, TCP's window closes.
    m_socket.setReadBufferSize(1);
    return true;
}

void NonReadingCallClient::send(const proto::CallMessage& m) {
    const QByteArray payload = proto::serialize<QByteArray>(m);
    QByteArray frame;
    frame.append(char(0x82)); // FIN, binary
    const qsizetype n = payload.size();
    if (n < 126) {
        frame.append(char(0x80 | n));
    } else if (n < 65536) {
        frame.append(char(0x80 | 126));
        frame.append(char(n >> 8));
        frame.append(char(n & 0xff));
    } else {
        frame.append(char(0x80 | 127));
        for (int i = 7; i >= 0; --i)
            frame.append(char((quint64(n) >> (8 * i)) & 0xff));
    }
    const char mask[4] = {0x11, 0x22, 0x33, 0x44};
    frame.append(mask, 4);
    for (qsizetype i = 0; i < n; ++i)
        frame.append(char(payload[i] ^ mask[i % 4]));
    m_socket.write(frame);
    m_socket.flush();
}

bool NonReadingCallClient::connected() const {
    return m_socket.state() == QAbstractSocket::ConnectedState;
}

bool NonReadingCallClient::waitDisconnected(int timeoutMs) {
    return spin([this] { return m_socket.state() == QAbstractSocket::UnconnectedState; },
                timeoutMs);
}

// ---- participants -----------------------------------------------------------------------------

proto::Evidence CallParticipant::evidence(const std::string& dest) const {
    using namespace twinseal::security;
    const Bytes epk(32, 0x42);
    auto claims = claimsForCall(registration.credential, {dest}, epk,
                                SystemClock::instance().now(), SystemRandom::instance());
    if (!claims.ok())
        qFatal("claimsForCall failed");
    auto assertion = createAssertion(*claims, subscriber.holder);
    if (!assertion.ok())
        qFatal("createAssertion failed");
    proto::Evidence e;
    e.set_assertion(assertion->compact);
    e.set_credential(std::string(registration.credentialBytes.begin(),
                                 registration.credentialBytes.end()));
    for (const auto& d : registration.disclosures)
        e.add_disclosures(d);
    e.set_display_hint("test participant");
    return e;
}

CallParticipant makeParticipant(HomenetServer& server, const QString& name, int number) {
    CallParticipant p;
    p.subscriber = addTestSubscriber(server, name + QStringLiteral(".profile"), number);
    if (!authenticate(*p.subscriber.client).ok())
        qFatal("authentication failed");
    // An avatar of its own (variant `number`): a media root is certified to one subscriber's twin.
    auto reg = registerDt(p.subscriber,
                          avatarCopy(server.scratch(name + QStringLiteral("-avatar")), number));
    if (!reg.ok())
        qFatal("registration failed: %s", reg.error().code.c_str());
    p.registration = std::move(*reg);
    auto me = await<netclient::SubscriberInfo>(
        [&](auto cb) { p.subscriber.client->me(std::move(cb)); });
    if (!me.ok())
        qFatal("me failed");
    p.handle = me->transferHandle;
    return p;
}

std::string roomHostUri(const std::string& operatorName) {
    return "urn:twinseal:room-host:" +
           QUrl::toPercentEncoding(QString::fromStdString(operatorName)).toStdString();
}

} // namespace twinseal::test
