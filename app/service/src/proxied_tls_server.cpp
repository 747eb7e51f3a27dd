#include "proxied_tls_server.h"

#include <QSocketNotifier>
#include <QSslSocket>
#include <QTimer>

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "twinseal/service/proxy_protocol.h"
#include "twinseal/service/service_log.h"

namespace twinseal::service {

namespace {
constexpr const char* kClientProperty = "twinsealProxiedClient";

QHostAddress peerOf(qintptr descriptor) {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    if (::getpeername(static_cast<int>(descriptor), reinterpret_cast<sockaddr*>(&ss), &len) != 0)
        return {};
    return QHostAddress(reinterpret_cast<const sockaddr*>(&ss));
}
} // namespace

struct ProxiedTlsServer::Waiting {
    QSocketNotifier* notifier = nullptr;
    QTimer* timer = nullptr;
    QHostAddress peer;
};

ProxiedTlsServer::ProxiedTlsServer(bool proxyProtocol, QList<QPair<QHostAddress, int>> sources,
                                   QObject* parent)
    : QSslServer(parent), m_proxyProtocol(proxyProtocol), m_sources(std::move(sources)) {}

ProxiedTlsServer::~ProxiedTlsServer() {
    for (auto it = m_waiting.begin(); it != m_waiting.end(); ++it) {
        ::close(static_cast<int>(it.key()));
        delete it.value()->notifier;
        delete it.value()->timer;
        delete it.value();
    }
}

void ProxiedTlsServer::incomingConnection(qintptr descriptor) {
    if (!m_proxyProtocol)
        return QSslServer::incomingConnection(descriptor);
    const QHostAddress peer = peerOf(descriptor);
    bool trusted = false;
    for (const auto& subnet : std::as_const(m_sources))
        trusted = trusted || peer.isInSubnet(subnet);
    if (!trusted)
        return drop(descriptor, "proxy-source-untrusted", peer);
    auto* w = new Waiting;
    w->peer = peer;
    w->notifier = new QSocketNotifier(descriptor, QSocketNotifier::Read);
    w->timer = new QTimer;
    w->timer->setSingleShot(true);
    connect(w->notifier, &QSocketNotifier::activated, this, [this, descriptor] { readHeader(descriptor); });
    connect(w->timer, &QTimer::timeout, this, [this, descriptor] {
        if (auto* waiting = m_waiting.value(descriptor))
            drop(descriptor, "proxy-header-timeout", waiting->peer);
    });
    m_waiting.insert(descriptor, w);
    w->timer->start(kHeaderTimeoutMs);
}

void ProxiedTlsServer::readHeader(qintptr descriptor) {
    Waiting* w = m_waiting.value(descriptor);
    if (w == nullptr)
        return;
    QByteArray peek(kMaxProxyHeader, Qt::Uninitialized);
    const ssize_t n = ::recv(static_cast<int>(descriptor), peek.data(),
                             static_cast<std::size_t>(peek.size()), MSG_PEEK);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return;
    if (n <= 0)
        return drop(descriptor, "proxy-header-missing", w->peer); // closed before a header
    peek.truncate(n);
    const ProxyHeader h = parseProxyHeader(peek);
    if (h.state == ProxyHeader::State::Incomplete)
        return;
    if (h.state == ProxyHeader::State::Invalid)
        return drop(descriptor, h.reason.c_str(), w->peer);
    // Exactly the header: what follows (the TLS ClientHello) stays in the socket.
    QByteArray header(h.length, Qt::Uninitialized);
    if (::recv(static_cast<int>(descriptor), header.data(), static_cast<std::size_t>(h.length), 0) !=
        h.length)
        return drop(descriptor, "proxy-header-missing", w->peer);
    m_clients.insert(descriptor, h.source.value_or(w->peer));
    m_waiting.remove(descriptor);
    w->notifier->setEnabled(false);
    w->notifier->deleteLater();
    w->timer->deleteLater();
    delete w;
    // The client stays noted under the descriptor until its socket's handshake starts
    // (attachClient); a descriptor used again replaces it.
    QSslServer::incomingConnection(descriptor);
}

void ProxiedTlsServer::attachClient(QTcpSocket* socket) {
    const auto it = m_clients.find(socket->socketDescriptor());
    if (it == m_clients.end())
        return;
    socket->setProperty(kClientProperty, QVariant::fromValue(it.value()));
    m_clients.erase(it);
}

void ProxiedTlsServer::drop(qintptr descriptor, const char* reason, const QHostAddress& peer) {
    if (Waiting* w = m_waiting.take(descriptor)) {
        w->notifier->setEnabled(false);
        w->notifier->deleteLater();
        w->timer->deleteLater();
        delete w;
    }
    ::close(static_cast<int>(descriptor));
    logEvent(LogLevel::Warning, "connection-refused",
             {{QStringLiteral("code"), QString::fromLatin1(reason)},
              {QStringLiteral("peer"), peer.toString()}});
}

QHostAddress clientAddress(const QTcpSocket* socket) {
    const QVariant v = socket->property(kClientProperty);
    return v.isValid() ? v.value<QHostAddress>() : socket->peerAddress();
}

} // namespace twinseal::service
