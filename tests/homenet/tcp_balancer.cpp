#include "tcp_balancer.h"

#include <QHostAddress>
#include <QTcpSocket>

#include <memory>

namespace twinseal::test {

// One client connection and its instance connection.
struct TcpBalancer::Link {
    QTcpSocket* client = nullptr;
    QTcpSocket* upstream = nullptr;
    QByteArray pending;    // client bytes before the instance connection is up
    qint64 clientBytes = 0; // since the balancer was last armed
    quint64 armSerial = 0;
};

TcpBalancer::TcpBalancer(QList<quint16> backends, QObject* parent)
    : QObject(parent), m_backends(std::move(backends)), m_perBackend(m_backends.size(), 0) {
    if (!m_server.listen(QHostAddress::LocalHost, 0))
        qFatal("balancer: cannot listen on loopback");
    connect(&m_server, &QTcpServer::newConnection, this, &TcpBalancer::accept);
}

void TcpBalancer::loseNextAnswer(qint64 afterClientBytes) {
    m_armed = true;
    m_threshold = afterClientBytes;
    ++m_armSerial;
}

void TcpBalancer::accept() {
    while (QTcpSocket* client = m_server.nextPendingConnection()) {
        ++m_accepted;
        auto link = std::make_shared<Link>();
        link->client = client;
        link->armSerial = m_armSerial;
        connect(client, &QTcpSocket::readyRead, this, [this, link] {
            const QByteArray bytes = link->client->readAll();
            if (link->armSerial != m_armSerial) {
                link->armSerial = m_armSerial;
                link->clientBytes = 0;
            }
            link->clientBytes += bytes.size();
            if (link->upstream && link->upstream->state() == QAbstractSocket::ConnectedState)
                link->upstream->write(bytes);
            else
                link->pending += bytes;
        });
        connect(client, &QTcpSocket::disconnected, this, [link, client] {
            if (link->upstream)
                link->upstream->disconnectFromHost();
            client->deleteLater();
        });
        connectUpstream(link, int(m_backends.size()));
    }
}

void TcpBalancer::connectUpstream(const std::shared_ptr<Link>& link, int tries) {
    const int backend = m_next++ % int(m_backends.size());
    if (link->upstream)
        link->upstream->deleteLater();
    auto* upstream = new QTcpSocket(link->client);
    link->upstream = upstream;
    auto connected = std::make_shared<bool>(false);
    connect(upstream, &QTcpSocket::connected, this, [this, link, upstream, backend, connected] {
        *connected = true;
        ++m_perBackend[backend];
        upstream->write(link->pending);
        link->pending.clear();
    });
    connect(upstream, &QTcpSocket::readyRead, this, [this, link, upstream] {
        const QByteArray bytes = upstream->readAll();
        if (m_armed && link->armSerial == m_armSerial && link->clientBytes > m_threshold) {
            // The answer is lost: the client's connection closes without it.
            m_armed = false;
            ++m_lost;
            link->client->abort();
            upstream->abort();
            return;
        }
        link->client->write(bytes);
    });
    connect(upstream, &QTcpSocket::errorOccurred, this, [this, link, upstream, connected, tries] {
        if (link->upstream != upstream)
            return;
        if (!*connected && tries > 1) // refused: the next instance
            return connectUpstream(link, tries - 1);
        link->client->disconnectFromHost();
    });
    connect(upstream, &QTcpSocket::disconnected, this, [link, upstream] {
        if (link->upstream == upstream)
            link->client->disconnectFromHost();
    });
    upstream->connectToHost(QHostAddress::LocalHost, m_backends[backend]);
}

} // namespace twinseal::test
