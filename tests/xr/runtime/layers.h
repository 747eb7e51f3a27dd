// The test runtime's record of every composition layer of the last xrEndFrame (type, order,
// pose, size, space and a quad's pixels), for twinseal_test_runtime_submitted_layer. The runtime's
// xrEndFrame validates and reads back each layer, then stores them here in one go.
#pragma once

#include "test_runtime_control.h"

#include <cstdint>
#include <vector>

namespace twinseal::xr::testruntime {

struct RecordedLayer {
    TwinSealTestRuntimeLayer layer{};
    std::vector<std::uint8_t> pixels;  // quads only; empty when not read back
};

// Replaces the record with the layers of one xrEndFrame (called only for frames with layers).
void storeLayers(std::vector<RecordedLayer> layers);
// Forgets the record (twinseal_test_runtime_reset).
void clearLayers();

} // namespace twinseal::xr::testruntime
