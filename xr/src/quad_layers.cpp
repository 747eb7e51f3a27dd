#include "quad_layers.h"

#include "glx_binding.h"

#include <twinseal/xr/openxr_backend.h>

#include <atomic>
#include <exception>
#include <optional>
#include <string>
#include <utility>

namespace twinseal::xr::detail {

namespace {

Error quadCallFailed(const QuadLayerConfig& quad, const char* call, XrResult r) {
    return Error{ErrorCode::RuntimeError,
                 std::string(call) + " returned " + xrResultName(r) + " for the " + quad.name};
}

// Tells content callbacks a swapchain is new (its images hold nothing), across sessions.
std::atomic<std::uint64_t> g_swapchainSerial{0};

XrPosef toPose(const ViewPose& p) {
    XrPosef pose{};
    pose.position = {p.position[0], p.position[1], p.position[2]};
    pose.orientation = {p.orientation[0], p.orientation[1], p.orientation[2], p.orientation[3]};
    return pose;
}

} // namespace

void QuadLayers::configure(std::vector<QuadLayerConfig> quads, XrSpace local, XrSpace view) {
    quads_.clear();
    for (QuadLayerConfig& q : quads) {
        Quad quad;
        quad.config = std::move(q);
        quads_.push_back(std::move(quad));
    }
    std::vector<QuadLayerConfig> configs;
    for (const Quad& q : quads_)
        configs.push_back(q.config);
    order_ = quadSubmissionOrder(configs);
    local_ = local;
    view_ = view;
}

Status QuadLayers::createSwapchains(XrSession session, std::int64_t format) {
    format_ = format;
    for (Quad& q : quads_) {
        if (q.config.widthPixels <= 0 || q.config.heightPixels <= 0 || q.config.widthMetres <= 0 ||
            q.config.heightMetres <= 0)
            return Error{ErrorCode::Unsupported, "The " + q.config.name + " has an empty size."};
        if (q.config.space == LayerSpace::View && view_ == XR_NULL_HANDLE)
            return Error{ErrorCode::Unsupported,
                         "The " + q.config.name + " is head-locked but the runtime has no VIEW space."};
        XrSwapchainCreateInfo info{};
        info.type = XR_TYPE_SWAPCHAIN_CREATE_INFO;
        info.usageFlags = XR_SWAPCHAIN_USAGE_COLOR_ATTACHMENT_BIT | XR_SWAPCHAIN_USAGE_TRANSFER_DST_BIT |
                          XR_SWAPCHAIN_USAGE_SAMPLED_BIT;
        info.format = format;
        info.sampleCount = 1;
        info.width = static_cast<std::uint32_t>(q.config.widthPixels);
        info.height = static_cast<std::uint32_t>(q.config.heightPixels);
        info.faceCount = 1;
        info.arraySize = 1;
        info.mipCount = 1;
        XrResult r = xrCreateSwapchain(session, &info, &q.swapchain);
        if (XR_FAILED(r)) {
            q.swapchain = XR_NULL_HANDLE;
            return quadCallFailed(q.config, "xrCreateSwapchain", r);
        }
        r = enumerateGlImages(q.swapchain, q.textures);
        if (XR_FAILED(r))
            return quadCallFailed(q.config, "xrEnumerateSwapchainImages", r);
        if (q.textures.empty())
            return Error{ErrorCode::RuntimeError,
                         "xrEnumerateSwapchainImages returned no images for the " + q.config.name};
        q.serial = ++g_swapchainSerial;
    }
    return {};
}

void QuadLayers::destroySwapchains() noexcept {
    for (Quad& q : quads_) {
        if (q.swapchain != XR_NULL_HANDLE)
            xrDestroySwapchain(q.swapchain);
        q.swapchain = XR_NULL_HANDLE;
        q.textures.clear();
    }
}

Status QuadLayers::render(std::uint64_t frameIndex, std::vector<XrCompositionLayerQuad>& out) {
    out.clear();
    for (std::size_t i : order_) {
        Quad& q = quads_[i];
        std::uint32_t index = 0;
        XrSwapchainImageAcquireInfo acquire{};
        acquire.type = XR_TYPE_SWAPCHAIN_IMAGE_ACQUIRE_INFO;
        XrResult r = xrAcquireSwapchainImage(q.swapchain, &acquire, &index);
        if (XR_FAILED(r))
            return quadCallFailed(q.config, "xrAcquireSwapchainImage", r);
        XrSwapchainImageWaitInfo wait{};
        wait.type = XR_TYPE_SWAPCHAIN_IMAGE_WAIT_INFO;
        wait.timeout = XR_INFINITE_DURATION;
        r = xrWaitSwapchainImage(q.swapchain, &wait);
        if (XR_FAILED(r))
            return quadCallFailed(q.config, "xrWaitSwapchainImage", r);
        if (index >= q.textures.size())
            return Error{ErrorCode::RuntimeError, "xrAcquireSwapchainImage returned image " +
                                                      std::to_string(index) + " of " +
                                                      std::to_string(q.textures.size()) + " for the " +
                                                      q.config.name};
        QuadRender job;
        job.texture = q.textures[index];
        job.imageIndex = index;
        job.imageCount = static_cast<std::uint32_t>(q.textures.size());
        job.format = format_;
        job.width = q.config.widthPixels;
        job.height = q.config.heightPixels;
        job.frameIndex = frameIndex;
        job.swapchainSerial = q.serial;
        bool show = false;
        std::optional<Error> thrown;
        if (q.config.render) {
            try {
                show = q.config.render(job);
            } catch (const std::exception& ex) {
                thrown = Error{ErrorCode::RuntimeError,
                               "The " + q.config.name + "'s render callback failed: " + ex.what()};
            } catch (...) {
                thrown = Error{ErrorCode::RuntimeError,
                               "The " + q.config.name + "'s render callback failed with an unknown exception."};
            }
        }
        XrSwapchainImageReleaseInfo release{};
        release.type = XR_TYPE_SWAPCHAIN_IMAGE_RELEASE_INFO;
        r = xrReleaseSwapchainImage(q.swapchain, &release);
        if (thrown)
            return *thrown;
        if (XR_FAILED(r))
            return quadCallFailed(q.config, "xrReleaseSwapchainImage", r);
        if (!show)
            continue;

        XrCompositionLayerQuad layer{};
        layer.type = XR_TYPE_COMPOSITION_LAYER_QUAD;
        layer.layerFlags = XR_COMPOSITION_LAYER_BLEND_TEXTURE_SOURCE_ALPHA_BIT;
        layer.space = q.config.space == LayerSpace::View ? view_ : local_;
        layer.eyeVisibility = XR_EYE_VISIBILITY_BOTH;
        layer.subImage.swapchain = q.swapchain;
        layer.subImage.imageRect.offset = {0, 0};
        layer.subImage.imageRect.extent = {q.config.widthPixels, q.config.heightPixels};
        layer.subImage.imageArrayIndex = 0;
        layer.pose = toPose(q.config.pose);
        layer.size = {q.config.widthMetres, q.config.heightMetres};
        out.push_back(layer);
    }
    return {};
}

} // namespace twinseal::xr::detail
