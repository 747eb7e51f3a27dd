// Protobuf message <-> bytes, the one implementation for every part that handles the wire
// formats (security/ itself, the home-network client and the service). Reached through the
// twinseal_security_proto target, next to the generated twinseal/proto/*.pb.h.
#pragma once

#include <climits>
#include <cstddef>

#include <twinseal/security/bytes.h>

namespace twinseal::proto {

// Parses `bytes` into `msg`. False when they are not a valid encoding of the message, or larger
// than protobuf's 2 GiB limit. Protobuf's generated types are all accepted (MessageLite API).
template <typename Message>
[[nodiscard]] bool parseMessage(security::ByteView bytes, Message& msg) {
    return bytes.size() <= static_cast<std::size_t>(INT_MAX) &&
           msg.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()));
}

// Serializes `msg` into `out` (any resizable container of bytes: Bytes, SecureBytes,
// std::string, QByteArray). False, with `out` empty, when the message cannot be serialized
// (over protobuf's 2 GiB limit).
template <typename Message, typename Out>
[[nodiscard]] bool serializeTo(const Message& msg, Out& out) {
    const std::size_t size = msg.ByteSizeLong();
    if (size > static_cast<std::size_t>(INT_MAX)) {
        out.clear();
        return false;
    }
    out.resize(static_cast<decltype(out.size())>(size));
    if (size != 0 && !msg.SerializeToArray(out.data(), static_cast<int>(size))) {
        out.clear();
        return false;
    }
    return true;
}

// `msg` as bytes (Bytes unless another container is named); empty when it cannot be serialized.
template <typename Out = security::Bytes, typename Message>
[[nodiscard]] Out serialize(const Message& msg) {
    Out out;
    (void)serializeTo(msg, out);
    return out;
}

} // namespace twinseal::proto
