// Protobuf <-> client value conversions (private to app/netclient).
#pragma once

#include <QByteArray>

#include <optional>
#include <string>

#include "twinseal/netclient/client_error.h"
#include "twinseal/netclient/client_types.h"
#include "twinseal/proto/codec.h"
#include "twinseal/proto/homenet.pb.h"

namespace twinseal::netclient::detail {

[[nodiscard]] inline security::Bytes bytesOf(const std::string& s) {
    return security::Bytes(s.begin(), s.end());
}
[[nodiscard]] inline security::Bytes bytesOf(const QByteArray& a) {
    return security::Bytes(a.begin(), a.end());
}
[[nodiscard]] inline QByteArray qbytes(security::ByteView b) {
    return QByteArray(reinterpret_cast<const char*>(b.data()), static_cast<qsizetype>(b.size()));
}
[[nodiscard]] inline security::ByteView viewOf(const QByteArray& a) {
    return {reinterpret_cast<const std::uint8_t*>(a.constData()),
            static_cast<std::size_t>(a.size())};
}
[[nodiscard]] inline security::ByteView viewOf(const std::string& s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

// Protobuf messages to and from the client's byte containers (twinseal/proto/codec.h).
template <typename Message> [[nodiscard]] bool parseMessage(const QByteArray& data, Message& m) {
    return proto::parseMessage(viewOf(data), m);
}
template <typename Message> [[nodiscard]] QByteArray serialize(const Message& m) {
    return proto::serialize<QByteArray>(m);
}
template <typename Message> [[nodiscard]] security::Bytes serializeBytes(const Message& m) {
    return proto::serialize(m);
}

[[nodiscard]] std::optional<security::Digest> digestOf(const std::string& bytes);

// "The service's answer to <what> is malformed (<detail>)..."
[[nodiscard]] ClientError malformed(const std::string& what, const std::string& detail = {});

[[nodiscard]] ClientResult<security::PublicKey> publicKeyFromProto(const proto::PublicKey& key,
                                                                   const std::string& what);
[[nodiscard]] DtRecord dtRecordFromProto(const proto::DtInfo& info);
[[nodiscard]] ClientResult<AvatarRecord> avatarRecordFromProto(const proto::AvatarInfo& info);

} // namespace twinseal::netclient::detail
