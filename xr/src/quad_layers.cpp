#include "quad_layers.h"

#include "glx_binding.h"

#include <twinseal/xr/openxr_backend.h>

#include <atomic>
#include <cmath>
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

// v rotated by the unit quaternion q (x, y, z, w).
std::array<float, 3> rotate(const float (&q)[4], std::array<float, 3> v) {
    const float x = q[0], y = q[1], z = q[2], w = q[3];
    // t = 2 (q.xyz x v); v' = v + w t + q.xyz x t
    const float tx = 2 * (y * v[2] - z * v[1]);
    const float ty = 2 * (z * v[0] - x * v[2]);
    const float tz = 2 * (x * v[1] - y * v[0]);
    return {v[0] + w * tx + (y * tz - z * ty), v[1] + w * ty + (z * tx - x * tz),
            v[2] + w * tz + (x * ty - y * tx)};
}

// The angle about +Y the head faces (0: -Z, as at the LOCAL origin). Looking straight up or
// down, the way the top of the head points says it.
float headingOf(const ViewPose& head) {
    const auto f = rotate(head.orientation, {0.f, 0.f, -1.f});
    if (std::hypot(f[0], f[2]) > 1e-3f)
        return std::atan2(-f[0], -f[2]);
    const auto up = rotate(head.orientation, {0.f, 1.f, 0.f});
    const float sign = f[1] < 0 ? 1.f : -1.f;  // looking down, the top of the head is ahead
    return std::atan2(-sign * up[0], -sign * up[2]);
}

} // namespace

void QuadLayers::recenter(const ViewPose& head) {
    const float yaw = headingOf(head);
    const float yawQ[4] = {0.f, std::sin(yaw / 2), 0.f, std::cos(yaw / 2)};
    for (Quad& q : quads_) {
        if (q.config.space != LayerSpace::Local)
            continue;
        const ViewPose& rel = q.config.pose;
        const auto offset = rotate(yawQ, {rel.position[0], rel.position[1], rel.position[2]});
        for (int i = 0; i < 3; ++i)
            q.pose.position[i] = head.position[i] + offset[static_cast<std::size_t>(i)];
        // yawQ * rel.orientation
        const float* o = rel.orientation;
        const float by = yawQ[1], bw = yawQ[3];
        q.pose.orientation[0] = bw * o[0] + by * o[2];
        q.pose.orientation[1] = bw * o[1] + by * o[3];
        q.pose.orientation[2] = bw * o[2] - by * o[0];
        q.pose.orientation[3] = bw * o[3] - by * o[1];
    }
}

void QuadLayers::configure(std::vector<QuadLayerConfig> quads, XrSpace local, XrSpace view) {
    quads_.clear();
    for (QuadLayerConfig& q : quads) {
        Quad quad;
        quad.config = std::move(q);
        quad.pose = quad.config.pose;
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
        layer.pose = toPose(q.pose);
        layer.size = {q.config.widthMetres, q.config.heightMetres};
        out.push_back(layer);
    }
    return {};
}

} // namespace twinseal::xr::detail
