// The TwinSeal Test Runtime's test-facing C interface. The runtime module exports these next to
// xrNegotiateLoaderRuntimeInterface; a test reaches the instance the OpenXR loader loaded with
// dlopen(<runtime path>, RTLD_NOW | RTLD_NOLOAD) and dlsym (see tests/xr/runtime_control.h).
#pragma once

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// One view of the last projection layer the application submitted with xrEndFrame.
typedef struct TwinSealTestRuntimeView {
    uint32_t width;        // the submitted sub-image (imageRect) size in pixels
    uint32_t height;
    int64_t format;        // the swapchain's GL internal format
    float position[3];     // XrCompositionLayerProjectionView::pose, in the layer's space
    float orientation[4];  // x, y, z, w
    float fov[4];          // angleLeft, angleRight, angleUp, angleDown (radians)
    int32_t space;         // XrReferenceSpaceType of the layer's space
} TwinSealTestRuntimeView;

// Scripted runtime events, applied to the newest live session (or its instance).
enum TwinSealTestRuntimeEvent {
    TWINSEAL_TEST_EVENT_LOSS_PENDING = 1,   // the session is lost: LOSS_PENDING
    TWINSEAL_TEST_EVENT_EXITING = 2,        // the runtime ends it: ... STOPPING, IDLE, EXITING
    TWINSEAL_TEST_EVENT_STOPPING = 3,       // a pause: ... STOPPING, IDLE, then READY again
    TWINSEAL_TEST_EVENT_INSTANCE_LOSS = 4,  // XrEventDataInstanceLossPending
};

// xrEndFrame calls that carried a projection layer, since the runtime was loaded (or reset).
typedef uint64_t (*TwinSealTestRuntimeFramesEnded)(void);
// Composition layers of the last xrEndFrame.
typedef uint32_t (*TwinSealTestRuntimeLastLayerCount)(void);
// Copies view `eye` (0 left, 1 right) of the last submitted projection layer and, when `pixels`
// is not null, its RGBA8 pixels read back from the swapchain image (rows bottom-up, as OpenGL
// stores them). 0 on success; -1 when no such view was submitted or it was not read back
// (pixels asked for while TWINSEAL_TEST_RUNTIME_READBACK=0); -2 when capacity is below
// width * height * 4.
typedef int (*TwinSealTestRuntimeSubmittedView)(uint32_t eye, TwinSealTestRuntimeView* view,
                                                uint8_t* pixels, size_t capacity);
// Queues one TwinSealTestRuntimeEvent. 0 on success, -1 when there is no session to apply it to.
typedef int (*TwinSealTestRuntimeScript)(int event);
// Forgets recorded frames (the counters and the last submitted layer).
typedef void (*TwinSealTestRuntimeReset)(void);

// One composition layer of the last xrEndFrame, in submission order (index 0 is drawn first,
// the last index on top).
typedef struct TwinSealTestRuntimeLayer {
    int32_t type;          // XrStructureType: XR_TYPE_COMPOSITION_LAYER_PROJECTION or _QUAD
    int32_t space;         // XrReferenceSpaceType of the layer's space
    uint64_t flags;        // XrCompositionLayerFlags
    float position[3];     // quad: XrCompositionLayerQuad::pose (projection: zero)
    float orientation[4];  // x, y, z, w
    float size[2];         // quad: width and height in metres (projection: zero)
    uint32_t width;        // quad: the sub-image size in pixels (projection: the first view's)
    uint32_t height;
    int64_t format;        // the swapchain's GL internal format
} TwinSealTestRuntimeLayer;

// Copies layer `index` of the last xrEndFrame that carried layers and, when `pixels` is not null,
// a quad's RGBA8 pixels read back from its swapchain image (rows bottom-up). Same return values
// as TwinSealTestRuntimeSubmittedView (-1 also for a projection layer's pixels: use the views).
typedef int (*TwinSealTestRuntimeSubmittedLayer)(uint32_t index, TwinSealTestRuntimeLayer* layer,
                                                 uint8_t* pixels, size_t capacity);

#ifdef __cplusplus
}
#endif
