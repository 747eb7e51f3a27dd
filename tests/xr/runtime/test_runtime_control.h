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
    // The user recentred through the runtime: XrEventDataReferenceSpaceChangePending for LOCAL,
    // changing now, poseValid false. LOCAL itself stays put (scripted poses keep their meaning).
    TWINSEAL_TEST_EVENT_LOCAL_SPACE_CHANGE = 5,
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

// ---- input (runtime/input.cpp) ----
// The emulated controllers' interaction profile from now on, e.g.
// "/interaction_profiles/oculus/touch_controller" (khr/simple_controller until set); their
// inputs are released. Sessions whose application suggested bindings for it use it (announced
// with XrEventDataInteractionProfileChanged). 0 on success, -1 for a profile the runtime lacks.
typedef int (*TwinSealTestRuntimeSetController)(const char* profile);
// Sets one input of the emulated controllers, a component path of their profile such as
// "/user/hand/right/input/a/click" or ".../trigger/value": 1 pressed, 0 released, in between
// for analogue inputs (pressed from 0.5 for a boolean action). -1 when the profile has no such
// input on that hand, or the value is outside [0, 1].
typedef int (*TwinSealTestRuntimeSetInput)(const char* path, float value);
// Sets a tracked pose in LOCAL space: "/user/head" (the VIEW space and the eyes) or a hand's
// "/user/hand/<left|right>/input/<grip|aim>/pose"; tracked = 0 for lost tracking. Orientation
// x, y, z, w must be a unit quaternion. -1 otherwise.
typedef int (*TwinSealTestRuntimeSetPose)(const char* path, const float position[3],
                                          const float orientation[4], int tracked);
// How many bindings the application's last accepted xrSuggestInteractionProfileBindings gave
// for `profile`; -1 when none was accepted since the input was reset.
typedef int (*TwinSealTestRuntimeSuggestedBindings)(const char* profile);
// xrSyncActions calls on a focused session since the input was reset.
typedef uint64_t (*TwinSealTestRuntimeFocusedSyncs)(void);
// Back to the default controller (khr/simple_controller, nothing pressed), head (identity at the
// LOCAL origin) and hands; forgets the suggestion counts and the sync count.
typedef void (*TwinSealTestRuntimeResetInput)(void);
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
