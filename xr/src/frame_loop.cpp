#include "frame_loop.h"

#include <twinseal/xr/openxr_backend.h>

#include <chrono>
#include <ctime>
#include <exception>
#include <string>
#include <system_error>
#include <utility>

namespace twinseal::xr::detail {

namespace {

using Clock = std::chrono::steady_clock;

std::int64_t nanosSince(Clock::time_point from) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - from).count();
}

// CPU time used so far by the calling thread (0 if the clock is unavailable).
std::int64_t threadCpuNow() {
    timespec ts{};
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
        return 0;
    return std::int64_t(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

Error callFailed(const char* call, XrResult r) {
    return Error{ErrorCode::RuntimeError, std::string(call) + " returned " + xrResultName(r)};
}

std::string versionText(XrVersion v) {
    return std::to_string(XR_VERSION_MAJOR(v)) + "." + std::to_string(XR_VERSION_MINOR(v));
}

// An OpenXR pose as the application sees it (the eyes' and the head's).
ViewPose viewPose(const XrPosef& p) {
    ViewPose v;
    v.position[0] = p.position.x;
    v.position[1] = p.position.y;
    v.position[2] = p.position.z;
    v.orientation[0] = p.orientation.x;
    v.orientation[1] = p.orientation.y;
    v.orientation[2] = p.orientation.z;
    v.orientation[3] = p.orientation.w;
    return v;
}

} // namespace

Status FrameLoop::start(FrameLoopConfig config) {
    stop();
    config_ = std::move(config);
    quads_.configure(std::move(config_.quads), config_.space, config_.viewSpace);
    recenterAt_ = -1;
    stopRequested_ = false;
    active_ = true;
    try {
        thread_ = std::thread([this] { run(); });
    } catch (const std::system_error& e) {
        active_ = false;
        return Error{ErrorCode::RuntimeError,
                     std::string("The XR frame thread could not be started: ") + e.what()};
    }
    return {};
}

void FrameLoop::stop() noexcept {
    stopRequested_ = true;
    if (thread_.joinable())
        thread_.join();
    active_ = false;
}

void FrameLoop::requestRecenter(std::int64_t notBefore) noexcept {
    recenterAt_ = notBefore < 0 ? 0 : notBefore;
}

void FrameLoop::recenterIfAsked(XrTime displayTime) {
    std::int64_t at = recenterAt_.load();
    if (at < 0 || displayTime < at || config_.viewSpace == XR_NULL_HANDLE)
        return;
    XrSpaceLocation head{};
    head.type = XR_TYPE_SPACE_LOCATION;
    if (XR_FAILED(xrLocateSpace(config_.viewSpace, config_.space, displayTime, &head)))
        return;  // asked again next frame
    constexpr XrSpaceLocationFlags kBoth =
        XR_SPACE_LOCATION_POSITION_VALID_BIT | XR_SPACE_LOCATION_ORIENTATION_VALID_BIT;
    if ((head.locationFlags & kBoth) != kBoth)
        return;  // no head pose yet: asked again next frame
    // A newer request made meanwhile stays for the next frame.
    if (!recenterAt_.compare_exchange_strong(at, -1))
        return;
    quads_.recenter(viewPose(head.pose));
}

std::optional<Error> FrameLoop::takeError() {
    std::lock_guard lock(mutex_);
    return std::exchange(error_, std::nullopt);
}

std::vector<FrameTiming> FrameLoop::takeTimings() {
    std::lock_guard lock(mutex_);
    std::vector<FrameTiming> out(timings_.begin(), timings_.end());
    timings_.clear();
    return out;
}

void FrameLoop::fail(Error error) {
    std::lock_guard lock(mutex_);
    if (!error_)
        error_ = std::move(error);
}

void FrameLoop::record(const FrameTiming& timing) {
    std::lock_guard lock(mutex_);
    if (config_.timingCapacity == 0)
        return;
    if (timings_.size() >= config_.timingCapacity)
        timings_.pop_front();
    timings_.push_back(timing);
}

void FrameLoop::run() noexcept {
    try {
        if (!makeCurrent(config_.glx)) {
            fail(Error{ErrorCode::Unsupported,
                       "The OpenGL context could not be made current on the XR frame thread "
                       "(glXMakeCurrent failed; is it current on another thread?)."});
            active_ = false;
            return;
        }
        std::uint64_t frameIndex = 0;
        Status s = runFrames(frameIndex);
        destroySwapchains();
        releaseCurrent(config_.glx);
        if (!s.ok())
            fail(s.error());
    } catch (const std::exception& e) {
        destroySwapchains();
        releaseCurrent(config_.glx);
        fail(Error{ErrorCode::RuntimeError, std::string("The XR frame loop stopped: ") + e.what()});
    } catch (...) {
        destroySwapchains();
        releaseCurrent(config_.glx);
        fail(Error{ErrorCode::RuntimeError, "The XR frame loop stopped on an unknown exception."});
    }
    active_ = false;
}

Status FrameLoop::runFrames(std::uint64_t& frameIndex) {
    int major = 0, minor = 0;
    if (currentGlVersion(major, minor) && config_.minGlVersion != 0 &&
        XR_MAKE_VERSION(major, minor, 0) < config_.minGlVersion) {
        return Error{ErrorCode::Unsupported,
                     "The OpenGL context is version " + std::to_string(major) + "." +
                         std::to_string(minor) + "; the OpenXR runtime needs at least " +
                         versionText(config_.minGlVersion) + "."};
    }
    if (Status s = createSwapchains(); !s.ok())
        return s;

    std::vector<XrCompositionLayerProjectionView> views;
    std::vector<XrCompositionLayerQuad> quads;
    std::vector<const XrCompositionLayerBaseHeader*> layers;
    while (!stopRequested_.load()) {
        FrameTiming timing;
        const Clock::time_point waitStart = Clock::now();
        XrFrameWaitInfo waitInfo{};
        waitInfo.type = XR_TYPE_FRAME_WAIT_INFO;
        XrFrameState frameState{};
        frameState.type = XR_TYPE_FRAME_STATE;
        XrResult r = xrWaitFrame(config_.session, &waitInfo, &frameState);
        timing.waitNs = nanosSince(waitStart);
        if (XR_FAILED(r))
            return callFailed("xrWaitFrame", r);

        const Clock::time_point renderStart = Clock::now();
        const std::int64_t cpuStart = threadCpuNow();
        if (config_.afterWait) {
            if (Status s = config_.afterWait(frameState.predictedDisplayTime); !s.ok())
                return s;
        }
        recenterIfAsked(frameState.predictedDisplayTime);
        XrFrameBeginInfo beginInfo{};
        beginInfo.type = XR_TYPE_FRAME_BEGIN_INFO;
        r = xrBeginFrame(config_.session, &beginInfo);
        if (XR_FAILED(r))
            return callFailed("xrBeginFrame", r);

        views.clear();
        if (frameState.shouldRender == XR_TRUE) {
            if (Status s = renderFrame(frameState.predictedDisplayTime, frameIndex, views); !s.ok())
                return s;
        }
        quads.clear();
        if (!views.empty()) {
            if (Status s = quads_.render(frameIndex, quads); !s.ok())
                return s;
        }
        timing.renderNs = nanosSince(renderStart);

        const Clock::time_point submitStart = Clock::now();
        XrCompositionLayerProjection layer{};
        layer.type = XR_TYPE_COMPOSITION_LAYER_PROJECTION;
        layer.space = config_.space;
        layer.viewCount = static_cast<std::uint32_t>(views.size());
        layer.views = views.data();
        // The projection first, then the quads (trusted ones last: on top).
        layers.clear();
        if (!views.empty()) {
            layers.push_back(reinterpret_cast<const XrCompositionLayerBaseHeader*>(&layer));
            for (const XrCompositionLayerQuad& quad : quads)
                layers.push_back(reinterpret_cast<const XrCompositionLayerBaseHeader*>(&quad));
        }
        XrFrameEndInfo endInfo{};
        endInfo.type = XR_TYPE_FRAME_END_INFO;
        endInfo.displayTime = frameState.predictedDisplayTime;
        endInfo.environmentBlendMode = XR_ENVIRONMENT_BLEND_MODE_OPAQUE;
        endInfo.layerCount = static_cast<std::uint32_t>(layers.size());
        endInfo.layers = layers.empty() ? nullptr : layers.data();
        r = xrEndFrame(config_.session, &endInfo);
        timing.submitNs = nanosSince(submitStart);
        timing.cpuNs = threadCpuNow() - cpuStart;
        if (XR_FAILED(r))
            return callFailed("xrEndFrame", r);
        timing.rendered = !views.empty();
        if (timing.rendered)
            ++frameIndex;
        ++frames_;
        record(timing);
    }
    return {};
}

Status FrameLoop::renderFrame(std::int64_t displayTime, std::uint64_t frameIndex,
                              std::vector<XrCompositionLayerProjectionView>& out) {
    XrViewLocateInfo locate{};
    locate.type = XR_TYPE_VIEW_LOCATE_INFO;
    locate.viewConfigurationType = XR_VIEW_CONFIGURATION_TYPE_PRIMARY_STEREO;
    locate.displayTime = displayTime;
    locate.space = config_.space;
    XrViewState viewState{};
    viewState.type = XR_TYPE_VIEW_STATE;
    XrView blank{};
    blank.type = XR_TYPE_VIEW;
    std::array<XrView, 2> located{blank, blank};
    std::uint32_t count = 0;
    XrResult r = xrLocateViews(config_.session, &locate, &viewState,
                               static_cast<std::uint32_t>(located.size()), &count, located.data());
    if (XR_FAILED(r))
        return callFailed("xrLocateViews", r);
    if (count != located.size())
        return Error{ErrorCode::Unsupported, "xrLocateViews returned " + std::to_string(count) +
                                                 " views; TwinSeal renders exactly two."};
    // Without a tracked pose there is nothing meaningful to draw: submit no layer this frame.
    if ((viewState.viewStateFlags & XR_VIEW_STATE_POSITION_VALID_BIT) == 0 ||
        (viewState.viewStateFlags & XR_VIEW_STATE_ORIENTATION_VALID_BIT) == 0)
        return {};

    for (std::uint32_t eye = 0; eye < 2; ++eye) {
        const Eye& e = eyes_[eye];
        std::uint32_t index = 0;
        XrSwapchainImageAcquireInfo acquire{};
        acquire.type = XR_TYPE_SWAPCHAIN_IMAGE_ACQUIRE_INFO;
        r = xrAcquireSwapchainImage(e.swapchain, &acquire, &index);
        if (XR_FAILED(r))
            return callFailed("xrAcquireSwapchainImage", r);
        XrSwapchainImageWaitInfo wait{};
        wait.type = XR_TYPE_SWAPCHAIN_IMAGE_WAIT_INFO;
        wait.timeout = XR_INFINITE_DURATION;
        r = xrWaitSwapchainImage(e.swapchain, &wait);
        if (XR_FAILED(r))
            return callFailed("xrWaitSwapchainImage", r);
        if (index >= e.textures.size())
            return Error{ErrorCode::RuntimeError,
                         "xrAcquireSwapchainImage returned image " + std::to_string(index) +
                             " of " + std::to_string(e.textures.size())};

        const XrView& v = located[eye];
        EyeRender job;
        job.eye = eye;
        job.texture = e.textures[index];
        job.format = config_.format;
        job.width = config_.width[eye];
        job.height = config_.height[eye];
        job.pose = viewPose(v.pose);
        job.fov = ViewFov{v.fov.angleLeft, v.fov.angleRight, v.fov.angleUp, v.fov.angleDown};
        job.displayTime = displayTime;
        job.frameIndex = frameIndex;
        std::optional<Error> thrown;
        if (config_.render) {
            try {
                config_.render(job);
            } catch (const std::exception& ex) {
                thrown = Error{ErrorCode::RuntimeError,
                               std::string("The XR render callback failed: ") + ex.what()};
            } catch (...) {
                thrown = Error{ErrorCode::RuntimeError,
                               "The XR render callback failed with an unknown exception."};
            }
        }

        XrSwapchainImageReleaseInfo release{};
        release.type = XR_TYPE_SWAPCHAIN_IMAGE_RELEASE_INFO;
        r = xrReleaseSwapchainImage(e.swapchain, &release);
        if (thrown)
            return *thrown;
        if (XR_FAILED(r))
            return callFailed("xrReleaseSwapchainImage", r);

        XrCompositionLayerProjectionView view{};
        view.type = XR_TYPE_COMPOSITION_LAYER_PROJECTION_VIEW;
        view.pose = v.pose;
        view.fov = v.fov;
        view.subImage.swapchain = e.swapchain;
        view.subImage.imageRect.offset = {0, 0};
        view.subImage.imageRect.extent = {config_.width[eye], config_.height[eye]};
        view.subImage.imageArrayIndex = 0;
        out.push_back(view);
    }
    return {};
}

Status FrameLoop::createSwapchains() {
    for (std::size_t eye = 0; eye < eyes_.size(); ++eye) {
        XrSwapchainCreateInfo info{};
        info.type = XR_TYPE_SWAPCHAIN_CREATE_INFO;
        info.usageFlags = XR_SWAPCHAIN_USAGE_COLOR_ATTACHMENT_BIT | XR_SWAPCHAIN_USAGE_SAMPLED_BIT;
        info.format = config_.format;
        info.sampleCount = 1;
        info.width = static_cast<std::uint32_t>(config_.width[eye]);
        info.height = static_cast<std::uint32_t>(config_.height[eye]);
        info.faceCount = 1;
        info.arraySize = 1;
        info.mipCount = 1;
        XrResult r = xrCreateSwapchain(config_.session, &info, &eyes_[eye].swapchain);
        if (XR_FAILED(r)) {
            eyes_[eye].swapchain = XR_NULL_HANDLE;
            return callFailed("xrCreateSwapchain", r);
        }
        r = enumerateGlImages(eyes_[eye].swapchain, eyes_[eye].textures);
        if (XR_FAILED(r))
            return callFailed("xrEnumerateSwapchainImages", r);
        if (eyes_[eye].textures.empty())
            return Error{ErrorCode::RuntimeError, "xrEnumerateSwapchainImages returned no images"};
    }
    return quads_.createSwapchains(config_.session, config_.format);
}

void FrameLoop::destroySwapchains() noexcept {
    for (Eye& e : eyes_) {
        if (e.swapchain != XR_NULL_HANDLE)
            xrDestroySwapchain(e.swapchain);
        e.swapchain = XR_NULL_HANDLE;
        e.textures.clear();
    }
    quads_.destroySwapchains();
}

} // namespace twinseal::xr::detail
