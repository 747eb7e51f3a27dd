// The PROXY protocol version 2 header (HAProxy's "The PROXY protocol", section 2.2), which a TCP
// load balancer such as HAProxy (`send-proxy-v2`) sends before the client's own bytes: the
// client's real address, so that per-client limits and the log see the client, not the
// balancer. Binary: a 12-byte signature, version and command, address family and transport, the
// length of the rest, the addresses, then TLVs (skipped here).
#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QPair>
#include <QString>

#include <optional>
#include <string>

namespace twinseal::service {

struct ProxyHeader {
    enum class State { Incomplete, Invalid, Complete };
    State state = State::Incomplete;
    qsizetype length = 0; // the whole header's bytes, when Complete
    // The client's address for a PROXY command over TCP (IPv4 or IPv6); none for LOCAL (the
    // balancer's own health check) and for an unspecified or non-TCP family.
    std::optional<QHostAddress> source;
    quint16 sourcePort = 0;
    std::string reason; // why it is Invalid ("proxy-header-...")
};

// The longest header accepted: the addresses and up to 1 KiB of TLVs.
inline constexpr qsizetype kMaxProxyHeader = 16 + 1024;

// Reads a header from the first bytes of a connection: Incomplete while fewer bytes than it
// needs have arrived (`bytes` may go on past it).
[[nodiscard]] ProxyHeader parseProxyHeader(const QByteArray& bytes);

// Which peers may send a header: `from`, comma-separated addresses and CIDR subnets
// ("127.0.0.1, 10.0.0.0/8, ::1"). Empty on a malformed entry, with `error` set.
[[nodiscard]] std::optional<QList<QPair<QHostAddress, int>>> parseProxySources(const QString& from,
                                                                              QString* error);

} // namespace twinseal::service
