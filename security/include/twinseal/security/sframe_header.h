// The SFrame header (RFC 9605 section 4.3): a config byte |X|K K K|Y|C C C| then the
// extended KID and CTR fields. A value below 8 sits in the 3-bit field of the config byte;
// otherwise X (Y) is set, the 3 bits hold its length - 1, and the value follows big-endian in
// the fewest bytes (1..8).
#pragma once

#include <cstdint>

#include "twinseal/security/bytes.h"

namespace twinseal::security {

inline constexpr std::size_t kSFrameMaxHeaderSize = 17;

struct SFrameHeader {
    std::uint64_t kid = 0;
    std::uint64_t ctr = 0;

    bool operator==(const SFrameHeader&) const = default;
};

// Appends the encoded header to `out`; returns the number of bytes written (1..17).
std::size_t appendSFrameHeader(const SFrameHeader& header, Bytes& out);
[[nodiscard]] Bytes encodeSFrameHeader(const SFrameHeader& header);

struct DecodedSFrameHeader {
    SFrameHeader header;
    std::size_t size = 0; // bytes the header occupies at the start of the frame
};

// Decodes the header at the start of `frame`. SFrameMalformed when the frame is shorter than
// the lengths its config byte announces.
[[nodiscard]] Result<DecodedSFrameHeader> decodeSFrameHeader(ByteView frame);

} // namespace twinseal::security
