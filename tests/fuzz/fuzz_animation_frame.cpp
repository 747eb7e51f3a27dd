// Avatar animation frames (the SFrame payload): decodeAnimationFrame on any bytes. The layout
// is fixed, so a frame that decodes re-encodes to exactly the same bytes.
#include <twinseal/calls/animation_frame.h>

#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace twinseal;
    auto frame = calls::decodeAnimationFrame(fuzz::bytesOf(data, size));
    if (!frame.ok())
        return 0;
    fuzz::require(frame->blendShapes.size() <= calls::kMaxBlendShapes,
                  "a decoded frame has at most kMaxBlendShapes weights");
    auto encoded = calls::encodeAnimationFrame(*frame);
    fuzz::require(encoded.ok(), "a decoded frame encodes");
    fuzz::require(security::Bytes(data, data + size) == *encoded,
                  "an animation frame re-encodes to the bytes it was decoded from");
    return 0;
}
