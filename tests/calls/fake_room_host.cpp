#include "fake_room_host.h"

#include <QSslConfiguration>
#include <QSslKey>

#include <twinseal/proto/codec.h>
#include <twinseal/security/bytes.h>
#include <twinseal/security/clock.h>
#include <twinseal/security/keys.h>
#include <twinseal/security/x509.h>

namespace twinseal::test::calls {

using namespace twinseal::security;

FakeRoomHost::FakeRoomHost() : m_server(QStringLiteral("fake room host"), QWebSocketServer::SecureMode) {
    connect(&m_server, &QWebSocketServer::newConnection, this, [this] {
        while (QWebSocket* socket = m_server.nextPendingConnection()) {
            ++m_connections;
            m_seq = 0; // each connection numbers its messages afresh
            if (m_client)
                m_client->deleteLater();
            socket->setParent(this); // destroyed with the host at the latest
            m_client = socket;
            connect(socket, &QWebSocket::binaryMessageReceived, this, [this](const QByteArray& frame) {
                proto::CallMessage m;
                const ByteView bytes(reinterpret_cast<const std::uint8_t*>(frame.constData()),
                                     static_cast<std::size_t>(frame.size()));
                if (!proto::parseMessage(bytes, m))
                    return;
                m_received.push_back(m);
                emit messageReceived(m);
            });
        }
    });
}

FakeRoomHost::~FakeRoomHost() {
    if (m_client)
        m_client->abort();
    m_server.close();
}

bool FakeRoomHost::start() {
    const std::int64_t now = SystemClock::instance().now();
    auto caKey = SigningKey::generate(KeyAlgorithm::EcdsaP256);
    if (!caKey.ok())
        return false;
    auto ca = createRootCertificate(*caKey, {"Test Room Host TLS CA", "Test", now - 300, now + 3600, true, {}});
    auto leafKey = SigningKey::generate(KeyAlgorithm::EcdsaP256);
    if (!ca.ok() || !leafKey.ok())
        return false;
    auto leaf = issueCertificate(*caKey, *ca, leafKey->publicKey(),
                                 {"localhost", "Test", now - 300, now + 3600, false, {"DNS:localhost", "IP:127.0.0.1"}});
    auto pem = leafKey->exportPkcs8PemForTls();
    if (!leaf.ok() || !pem.ok())
        return false;
    QByteArray pemBytes(reinterpret_cast<const char*>(pem->data()), static_cast<qsizetype>(pem->size()));
    const QSslKey key(pemBytes, QSsl::Ec, QSsl::Pem, QSsl::PrivateKey);
    cleanse(pemBytes.data(), static_cast<std::size_t>(pemBytes.size()));
    if (key.isNull())
        return false;
    m_caPem = ca->pem();
    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    tls.setLocalCertificateChain(QSslCertificate::fromData(QByteArray::fromStdString(leaf->pem() + ca->pem())));
    tls.setPrivateKey(key);
    tls.setProtocol(QSsl::TlsV1_3OrLater);
    tls.setPeerVerifyMode(QSslSocket::VerifyNone);
    m_server.setSslConfiguration(tls);
    return m_server.listen(QHostAddress::LocalHost, 0);
}

QUrl FakeRoomHost::url() const {
    return QUrl(QStringLiteral("wss://localhost:%1/v1/ws").arg(m_server.serverPort()));
}

bool FakeRoomHost::connected() const {
    return m_client && m_client->state() == QAbstractSocket::ConnectedState;
}

void FakeRoomHost::send(proto::CallMessage message) {
    message.set_seq(++m_seq);
    sendRaw(proto::serialize<QByteArray>(message));
}

void FakeRoomHost::sendRaw(const QByteArray& frame) {
    if (m_client)
        m_client->sendBinaryMessage(frame);
}

void FakeRoomHost::sendText(const QString& text) {
    if (m_client)
        m_client->sendTextMessage(text);
}

void FakeRoomHost::drop() {
    if (m_client)
        m_client->abort();
}

} // namespace twinseal::test::calls
