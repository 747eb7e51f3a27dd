// The front end's TLS listener. With the PROXY protocol on, each accepted connection first has
// its PROXY v2 header read off the socket, byte-exact (peeked, then exactly its length taken,
// so the TLS handshake that follows is untouched), from a peer the configuration trusts;
// then TLS starts as for any connection, and the client the header names is attached to the
// socket (clientAddress()). A connection from an untrusted peer, without a valid header, or
// silent for kHeaderTimeoutMs is closed and logged with its reason.
#pragma once

#include <QHash>
#include <QHostAddress>
#include <QList>
#include <QPair>
#include <QSslServer>

namespace twinseal::service {

class ProxiedTlsServer : public QSslServer {
    Q_OBJECT

  public:
    static constexpr int kHeaderTimeoutMs = 5000;

    // `sources` empty and `proxyProtocol` false: a plain TLS listener.
    ProxiedTlsServer(bool proxyProtocol, QList<QPair<QHostAddress, int>> sources,
                     QObject* parent = nullptr);
    ~ProxiedTlsServer() override;
    // Called from startedEncryptionHandshake: attaches the client its header named.
    void attachClient(QTcpSocket* socket);

  protected:
    void incomingConnection(qintptr descriptor) override;

  private:
    void readHeader(qintptr descriptor);
    void drop(qintptr descriptor, const char* reason, const QHostAddress& peer);

    bool m_proxyProtocol;
    QList<QPair<QHostAddress, int>> m_sources;
    struct Waiting;
    QHash<qintptr, Waiting*> m_waiting;      // headers still to arrive
    QHash<qintptr, QHostAddress> m_clients;  // read, for the socket about to be made
};

// The client of a front-end socket: the address its PROXY header named, else its peer.
[[nodiscard]] QHostAddress clientAddress(const QTcpSocket* socket);

} // namespace twinseal::service
