// Call signalling: one WebSocket binary message as the client's CallCodec decodes it and as the
// room host parses it (the project's protobuf codec). A message that decodes re-encodes, and
// its encoding decodes to the same message.
#include <QByteArray>

#include <twinseal/calls/call_codec.h>
#include <twinseal/proto/call.pb.h>
#include <twinseal/proto/codec.h>

#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace twinseal;
    proto::CallMessage parsed;
    (void)proto::parseMessage(fuzz::bytesOf(data, size), parsed);

    const QByteArray frame(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size));
    auto decoded = calls::decodeCallMessage(frame);
    if (!decoded.ok())
        return 0;
    auto encoded = calls::encodeCallMessage(*decoded);
    if (!encoded.ok())
        return 0; // e.g. an empty body: refused on the way out as well
    auto again = calls::decodeCallMessage(*encoded);
    fuzz::require(again.ok(), "an encoded call message decodes");
    fuzz::require(again->SerializeAsString() == decoded->SerializeAsString(),
                  "a call message survives encode and decode");
    return 0;
}
