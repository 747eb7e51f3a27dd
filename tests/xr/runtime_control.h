// The TwinSeal Test Runtime's test-facing functions (runtime/test_runtime_control.h), reached in
// the copy the OpenXR loader loaded: dlopen(RTLD_NOLOAD) on the manifest's library path. Holding
// a RuntimeControl keeps the runtime loaded.
#pragma once

#include "runtime/test_runtime_control.h"

#include <dlfcn.h>

#include <cstdint>
#include <utility>
#include <vector>

namespace twinseal::xr::test {

// The runtime module's path (the manifest's library_path).
inline const char* testRuntimeLibrary() { return TWINSEAL_XR_TEST_RUNTIME_LIBRARY; }

class RuntimeControl {
public:
    RuntimeControl() : handle_(dlopen(testRuntimeLibrary(), RTLD_NOW | RTLD_NOLOAD)) {
        if (handle_ == nullptr)
            return;
        framesEnded_ = reinterpret_cast<TwinSealTestRuntimeFramesEnded>(
            dlsym(handle_, "twinseal_test_runtime_frames_ended"));
        layerCount_ = reinterpret_cast<TwinSealTestRuntimeLastLayerCount>(
            dlsym(handle_, "twinseal_test_runtime_last_layer_count"));
        view_ = reinterpret_cast<TwinSealTestRuntimeSubmittedView>(
            dlsym(handle_, "twinseal_test_runtime_submitted_view"));
        script_ = reinterpret_cast<TwinSealTestRuntimeScript>(
            dlsym(handle_, "twinseal_test_runtime_script"));
        reset_ = reinterpret_cast<TwinSealTestRuntimeReset>(
            dlsym(handle_, "twinseal_test_runtime_reset"));
        setController_ = reinterpret_cast<TwinSealTestRuntimeSetController>(
            dlsym(handle_, "twinseal_test_runtime_set_controller"));
        setInput_ = reinterpret_cast<TwinSealTestRuntimeSetInput>(
            dlsym(handle_, "twinseal_test_runtime_set_input"));
        setPose_ = reinterpret_cast<TwinSealTestRuntimeSetPose>(
            dlsym(handle_, "twinseal_test_runtime_set_pose"));
        suggested_ = reinterpret_cast<TwinSealTestRuntimeSuggestedBindings>(
            dlsym(handle_, "twinseal_test_runtime_suggested_bindings"));
        syncs_ = reinterpret_cast<TwinSealTestRuntimeFocusedSyncs>(
            dlsym(handle_, "twinseal_test_runtime_focused_syncs"));
        resetInput_ = reinterpret_cast<TwinSealTestRuntimeResetInput>(
            dlsym(handle_, "twinseal_test_runtime_reset_input"));
        layer_ = reinterpret_cast<TwinSealTestRuntimeSubmittedLayer>(
            dlsym(handle_, "twinseal_test_runtime_submitted_layer"));
    }
    ~RuntimeControl() {
        if (handle_ != nullptr)
            dlclose(handle_);
    }
    RuntimeControl(const RuntimeControl&) = delete;
    RuntimeControl& operator=(const RuntimeControl&) = delete;

    // Loaded by the OpenXR loader, and every function found.
    [[nodiscard]] bool ok() const {
        return handle_ != nullptr && framesEnded_ && layerCount_ && view_ && script_ && reset_ &&
               setController_ && setInput_ && setPose_ && suggested_ && syncs_ && resetInput_ &&
               layer_;
    }
    [[nodiscard]] std::uint64_t framesEnded() const { return framesEnded_(); }
    [[nodiscard]] std::uint32_t lastLayerCount() const { return layerCount_(); }
    [[nodiscard]] bool script(TwinSealTestRuntimeEvent event) const { return script_(event) == 0; }
    void reset() const { reset_(); }
    // Input (runtime/test_runtime_control.h).
    [[nodiscard]] bool setController(const char* profile) const { return setController_(profile) == 0; }
    [[nodiscard]] bool setInput(const char* path, float value) const { return setInput_(path, value) == 0; }
    [[nodiscard]] bool setPose(const char* path, const float (&position)[3], const float (&orientation)[4],
                               bool tracked = true) const {
        return setPose_(path, position, orientation, tracked ? 1 : 0) == 0;
    }
    [[nodiscard]] int suggestedBindings(const char* profile) const { return suggested_(profile); }
    [[nodiscard]] std::uint64_t focusedSyncs() const { return syncs_(); }
    void resetInput() const { resetInput_(); }

    struct Submitted {
        TwinSealTestRuntimeView view{};
        std::vector<std::uint8_t> pixels;  // RGBA8, rows bottom-up
        // The pixel at (x, y) from the bottom-left corner as 0xRRGGBBAA.
        [[nodiscard]] std::uint32_t rgba(std::uint32_t x, std::uint32_t y) const {
            const std::size_t i = (std::size_t(y) * view.width + x) * 4;
            return std::uint32_t(pixels[i]) << 24 | std::uint32_t(pixels[i + 1]) << 16 |
                   std::uint32_t(pixels[i + 2]) << 8 | std::uint32_t(pixels[i + 3]);
        }
    };
    // The last submitted view of one eye, with its pixels; false when there is none.
    bool submitted(std::uint32_t eye, Submitted& out) const {
        if (view_(eye, &out.view, nullptr, 0) != 0)
            return false;
        out.pixels.resize(std::size_t(out.view.width) * out.view.height * 4);
        return view_(eye, &out.view, out.pixels.data(), out.pixels.size()) == 0;
    }

    struct Layer {
        TwinSealTestRuntimeLayer layer{};
        std::vector<std::uint8_t> pixels;  // quads: RGBA8, rows bottom-up
        // The pixel at (x, y) from the bottom-left corner as 0xRRGGBBAA.
        [[nodiscard]] std::uint32_t rgba(std::uint32_t x, std::uint32_t y) const {
            const std::size_t i = (std::size_t(y) * layer.width + x) * 4;
            return std::uint32_t(pixels[i]) << 24 | std::uint32_t(pixels[i + 1]) << 16 |
                   std::uint32_t(pixels[i + 2]) << 8 | std::uint32_t(pixels[i + 3]);
        }
    };
    // Layer `index` of the last frame with layers (a quad with its pixels); false when none.
    bool submittedLayer(std::uint32_t index, Layer& out) const {
        if (layer_(index, &out.layer, nullptr, 0) != 0)
            return false;
        out.pixels.clear();
        if (out.layer.type != 36 /* XR_TYPE_COMPOSITION_LAYER_QUAD */)
            return true;
        out.pixels.resize(std::size_t(out.layer.width) * out.layer.height * 4);
        return layer_(index, &out.layer, out.pixels.data(), out.pixels.size()) == 0;
    }
    // Every layer of the last frame with layers, in submission order.
    std::vector<Layer> submittedLayers() const {
        std::vector<Layer> out;
        for (std::uint32_t i = 0;; ++i) {
            Layer l;
            if (!submittedLayer(i, l))
                break;
            out.push_back(std::move(l));
        }
        return out;
    }

private:
    void* handle_ = nullptr;
    TwinSealTestRuntimeSubmittedLayer layer_ = nullptr;
    TwinSealTestRuntimeFramesEnded framesEnded_ = nullptr;
    TwinSealTestRuntimeLastLayerCount layerCount_ = nullptr;
    TwinSealTestRuntimeSubmittedView view_ = nullptr;
    TwinSealTestRuntimeScript script_ = nullptr;
    TwinSealTestRuntimeReset reset_ = nullptr;
    TwinSealTestRuntimeSetController setController_ = nullptr;
    TwinSealTestRuntimeSetInput setInput_ = nullptr;
    TwinSealTestRuntimeSetPose setPose_ = nullptr;
    TwinSealTestRuntimeSuggestedBindings suggested_ = nullptr;
    TwinSealTestRuntimeFocusedSyncs syncs_ = nullptr;
    TwinSealTestRuntimeResetInput resetInput_ = nullptr;
};

} // namespace twinseal::xr::test
