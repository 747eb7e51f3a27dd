#include "twinseal/service/proxy_protocol.h"

#include <QtEndian>

#include <cstring>

namespace twinseal::service {

namespace {

constexpr char kSignature[12] = {'\r', '\n', '\r', '\n', '\0', '\r',
                                 '\n', 'Q',  'U',  'I',  'T',  '\n'};

ProxyHeader invalid(std::string reason) {
    ProxyHeader h;
    h.state = ProxyHeader::State::Invalid;
    h.reason = std::move(reason);
    return h;
}

} // namespace

ProxyHeader parseProxyHeader(const QByteArray& bytes) {
    // The signature, checked as far as it has arrived: a wrong first byte is refused at once.
    const qsizetype seen = std::min<qsizetype>(bytes.size(), sizeof kSignature);
    if (std::memcmp(bytes.constData(), kSignature, static_cast<std::size_t>(seen)) != 0)
        return invalid("proxy-header-missing");
    if (bytes.size() < 16)
        return {};
    const auto* b = reinterpret_cast<const uchar*>(bytes.constData());
    const int version = b[12] >> 4;
    const int command = b[12] & 0x0f;
    if (version != 2)
        return invalid("proxy-header-version");
    if (command > 1)
        return invalid("proxy-header-command");
    const qsizetype rest = qFromBigEndian<quint16>(b + 14);
    if (16 + rest > kMaxProxyHeader)
        return invalid("proxy-header-too-long");
    if (bytes.size() < 16 + rest)
        return {};
    ProxyHeader h;
    h.state = ProxyHeader::State::Complete;
    h.length = 16 + rest;
    if (command == 0) // LOCAL: the balancer speaking for itself; the addresses are ignored
        return h;
    const int family = b[13] >> 4;
    const int transport = b[13] & 0x0f;
    if (family > 3 || transport > 2)
        return invalid("proxy-header-family");
    if (transport != 1) // UNSPEC or DGRAM: no TCP client to name
        return h;
    const uchar* a = b + 16;
    if (family == 1) { // AF_INET: src, dst, src port, dst port
        if (rest < 12)
            return invalid("proxy-header-truncated");
        h.source = QHostAddress(qFromBigEndian<quint32>(a));
        h.sourcePort = qFromBigEndian<quint16>(a + 8);
    } else if (family == 2) { // AF_INET6
        if (rest < 36)
            return invalid("proxy-header-truncated");
        Q_IPV6ADDR v6;
        std::memcpy(v6.c, a, 16);
        h.source = QHostAddress(v6);
        h.sourcePort = qFromBigEndian<quint16>(a + 32);
    }
    return h; // AF_UNIX or UNSPEC: no address
}

std::optional<QList<QPair<QHostAddress, int>>> parseProxySources(const QString& from,
                                                                QString* error) {
    QList<QPair<QHostAddress, int>> out;
    for (QString entry : from.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        entry = entry.trimmed();
        if (entry.isEmpty())
            continue;
        QPair<QHostAddress, int> subnet = entry.contains(QLatin1Char('/'))
                                              ? QHostAddress::parseSubnet(entry)
                                              : qMakePair(QHostAddress(entry), -1);
        if (subnet.first.isNull()) {
            *error = QStringLiteral("'%1' is not an address or subnet").arg(entry);
            return std::nullopt;
        }
        if (subnet.second < 0)
            subnet.second = subnet.first.protocol() == QAbstractSocket::IPv4Protocol ? 32 : 128;
        out.append(subnet);
    }
    return out;
}

} // namespace twinseal::service
