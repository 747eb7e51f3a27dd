// A round-robin TCP balancer on loopback in front of service instances, as an operator runs
// HAProxy in TCP mode: each client connection goes to the next instance, its bytes pass through
// untouched (TLS is end to end), and a connection an instance refuses (it is down) goes to the
// next instance, as HAProxy's redispatch does; a connection whose instance dies mid-request is
// closed, and the client connects again. It can lose an answer: once armed, when the client has sent more than
// `afterClientBytes` bytes on a connection since, the next bytes the instance sends back close the
// client's connection instead of reaching it: the instance carried the request out, the client
// never heard (a failover between commit and answer).
#pragma once

#include <QList>
#include <QObject>
#include <QTcpServer>

#include <memory>

class QTcpSocket;

namespace twinseal::test {

class TcpBalancer : public QObject {
    Q_OBJECT

  public:
    explicit TcpBalancer(QList<quint16> backends, QObject* parent = nullptr);
    [[nodiscard]] quint16 port() const { return m_server.serverPort(); }
    // Loses the answer to the next request larger than `afterClientBytes`, on any connection.
    void loseNextAnswer(qint64 afterClientBytes);
    [[nodiscard]] int answersLost() const { return m_lost; }
    // Connections accepted, and how many went to each instance (in the order given).
    [[nodiscard]] int connections() const { return m_accepted; }
    [[nodiscard]] QList<int> perBackend() const { return m_perBackend; }

  private:
    struct Link;
    void accept();
    void connectUpstream(const std::shared_ptr<Link>& link, int tries);

    QTcpServer m_server;
    QList<quint16> m_backends;
    QList<int> m_perBackend;
    int m_next = 0;
    int m_accepted = 0;
    int m_lost = 0;
    bool m_armed = false;
    qint64 m_threshold = 0;
    quint64 m_armSerial = 0;
};

} // namespace twinseal::test
