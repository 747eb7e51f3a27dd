// One WebSocket binary message <-> one CallMessage (call.proto), with a size bound. Pure: the
// CallClient sends and receives through it, and the tests feed it malformed input.
#pragma once

#include <QByteArray>

#include <string>

#include <twinseal/proto/call.pb.h>
#include <twinseal/security/expected.h>

namespace twinseal::calls {

// The largest call message accepted or sent by default (evidence with a credential, a few
// disclosures and role credentials fits easily; an SFrame of poses is far smaller).
inline constexpr qsizetype kMaxCallMessageBytes = qsizetype{256} * 1024;

struct CodecError {
    std::string code;    // "oversized", "malformed", "empty-body", "text-frame", "not-serializable"
    std::string message; // for people
};

[[nodiscard]] Expected<proto::CallMessage, CodecError>
decodeCallMessage(const QByteArray& frame, qsizetype maxBytes = kMaxCallMessageBytes);
[[nodiscard]] Expected<QByteArray, CodecError>
encodeCallMessage(const proto::CallMessage& message, qsizetype maxBytes = kMaxCallMessageBytes);

} // namespace twinseal::calls
