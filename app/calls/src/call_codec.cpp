#include "twinseal/calls/call_codec.h"

#include <twinseal/proto/codec.h>

namespace twinseal::calls {

namespace {
CodecError err(const char* code, std::string message) { return CodecError{code, std::move(message)}; }
} // namespace

Expected<proto::CallMessage, CodecError> decodeCallMessage(const QByteArray& frame, qsizetype maxBytes) {
    if (frame.size() > maxBytes)
        return err("oversized", "a call message of " + std::to_string(frame.size()) + " bytes (at most " +
                                    std::to_string(maxBytes) + " are accepted)");
    proto::CallMessage m;
    const security::ByteView bytes(reinterpret_cast<const std::uint8_t*>(frame.constData()),
                                   static_cast<std::size_t>(frame.size()));
    if (!proto::parseMessage(bytes, m))
        return err("malformed", "a binary message that is not a call message");
    if (m.body_case() == proto::CallMessage::BODY_NOT_SET)
        return err("empty-body", "a call message without a body (or of a kind this client does not know)");
    return m;
}

Expected<QByteArray, CodecError> encodeCallMessage(const proto::CallMessage& message, qsizetype maxBytes) {
    QByteArray out;
    if (!proto::serializeTo(message, out))
        return err("not-serializable", "the call message could not be serialized");
    if (out.size() > maxBytes)
        return err("oversized", "a call message of " + std::to_string(out.size()) + " bytes (at most " +
                                    std::to_string(maxBytes) + " are sent)");
    return out;
}

} // namespace twinseal::calls
