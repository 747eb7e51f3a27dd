// SFrame: the header parser on any bytes, then unprotect through a context that holds receive
// keys for KIDs 0..3 (so a frame naming one of them reaches the cipher and the replay window).
#include <twinseal/security/sframe.h>

#include "fuzz_support.h"

namespace {

using namespace twinseal;

constexpr std::uint64_t kKeyIds = 4;

security::Bytes metadataOf(std::uint64_t kid) {
    const std::string m = "pose-stream:participant-" + std::to_string(kid);
    return security::Bytes(m.begin(), m.end());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const security::ByteView frame = fuzz::bytesOf(data, size);
    auto header = security::decodeSFrameHeader(frame);
    if (header.ok()) {
        fuzz::require(header->size >= 1 && header->size <= security::kSFrameMaxHeaderSize &&
                          header->size <= size,
                      "a decoded SFrame header lies within the frame");
        security::Bytes again = security::encodeSFrameHeader(header->header);
        fuzz::require(again.size() <= header->size, "the shortest header encoding is used");
    }
    // One context per input: the replay window must not carry state from one input to the next.
    for (std::uint16_t suite : {0x0001, 0x0004}) {
        security::SFrameContext context(static_cast<security::CipherSuite>(suite));
        for (std::uint64_t kid = 0; kid < kKeyIds; ++kid)
            fuzz::require(context.addReceiveKey(kid, security::Bytes(32, 0x42)).ok(),
                          "a receive key can be added");
        const std::uint64_t kid = header.ok() ? header->header.kid : 0;
        auto opened = context.unprotect(frame, metadataOf(kid));
        if (opened.ok()) {
            // The same frame again is a replay.
            fuzz::require(!context.unprotect(frame, metadataOf(kid)).ok(),
                          "a frame is accepted only once");
        }
    }
    return 0;
}
