#include "twinseal/security/sframe_header.h"

#include <string>

namespace twinseal::security {

namespace {

// Bytes needed to write v big-endian without leading zero bytes (v >= 8 here, so >= 1).
std::size_t byteLength(std::uint64_t v) {
    std::size_t n = 1;
    while (n < 8 && (v >> (8 * n)) != 0)
        ++n;
    return n;
}

void appendBe(Bytes& out, std::uint64_t v, std::size_t n) {
    for (std::size_t i = n; i-- > 0;)
        out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

// The 4-bit half of the config byte for a value, and the extended bytes it needs.
std::uint8_t nibble(std::uint64_t v, std::size_t& extended) {
    if (v < 8) {
        extended = 0;
        return static_cast<std::uint8_t>(v);
    }
    extended = byteLength(v);
    return static_cast<std::uint8_t>(0x8 | (extended - 1));
}

} // namespace

std::size_t appendSFrameHeader(const SFrameHeader& header, Bytes& out) {
    std::size_t kidLen = 0;
    std::size_t ctrLen = 0;
    const std::uint8_t k = nibble(header.kid, kidLen);
    const std::uint8_t c = nibble(header.ctr, ctrLen);
    out.push_back(static_cast<std::uint8_t>((k << 4) | c));
    appendBe(out, header.kid, kidLen);
    appendBe(out, header.ctr, ctrLen);
    return 1 + kidLen + ctrLen;
}

Bytes encodeSFrameHeader(const SFrameHeader& header) {
    Bytes out;
    out.reserve(kSFrameMaxHeaderSize);
    appendSFrameHeader(header, out);
    return out;
}

Result<DecodedSFrameHeader> decodeSFrameHeader(ByteView frame) {
    if (frame.empty())
        return makeError(ErrorCode::SFrameMalformed, "SFrame: empty frame, no header");
    const std::uint8_t config = frame[0];
    const auto fieldLength = [](std::uint8_t half) -> std::size_t {
        return (half & 0x8) ? (half & 0x7) + 1 : 0;
    };
    const std::uint8_t kHalf = config >> 4;
    const std::uint8_t cHalf = config & 0x0F;
    const std::size_t kidLen = fieldLength(kHalf);
    const std::size_t ctrLen = fieldLength(cHalf);
    const std::size_t size = 1 + kidLen + ctrLen;
    if (frame.size() < size)
        return makeError(ErrorCode::SFrameMalformed,
                         "SFrame: the header announces " + std::to_string(size) +
                             " bytes but the frame has " + std::to_string(frame.size()));
    const auto readBe = [&](std::size_t offset, std::size_t n) {
        std::uint64_t v = 0;
        for (std::size_t i = 0; i < n; ++i)
            v = (v << 8) | frame[offset + i];
        return v;
    };
    DecodedSFrameHeader d;
    d.header.kid = kidLen ? readBe(1, kidLen) : (kHalf & 0x7);
    d.header.ctr = ctrLen ? readBe(1 + kidLen, ctrLen) : (cHalf & 0x7);
    d.size = size;
    return d;
}

} // namespace twinseal::security
