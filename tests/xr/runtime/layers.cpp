#include "layers.h"

#include <cstring>
#include <mutex>
#include <utility>

#define TWINSEAL_RUNTIME_EXPORT extern "C" __attribute__((visibility("default")))

namespace twinseal::xr::testruntime {

namespace {
std::mutex g_layersMutex;
std::vector<RecordedLayer> g_layers;
} // namespace

void storeLayers(std::vector<RecordedLayer> layers) {
    std::lock_guard lock(g_layersMutex);
    g_layers = std::move(layers);
}

void clearLayers() {
    std::lock_guard lock(g_layersMutex);
    g_layers.clear();
}

} // namespace twinseal::xr::testruntime

TWINSEAL_RUNTIME_EXPORT int twinseal_test_runtime_submitted_layer(uint32_t index,
                                                                  TwinSealTestRuntimeLayer* layer,
                                                                  uint8_t* pixels, size_t capacity) {
    using namespace twinseal::xr::testruntime;
    std::lock_guard lock(g_layersMutex);
    if (index >= g_layers.size())
        return -1;
    const RecordedLayer& r = g_layers[index];
    if (layer != nullptr)
        *layer = r.layer;
    if (pixels != nullptr) {
        if (r.pixels.empty())
            return -1;
        if (capacity < r.pixels.size())
            return -2;
        std::memcpy(pixels, r.pixels.data(), r.pixels.size());
    }
    return 0;
}
