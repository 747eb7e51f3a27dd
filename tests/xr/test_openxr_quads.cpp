// Quad composition layers (twinseal/xr/quad_layer.h) through the real loader and the TwinSeal
// Test Runtime under Xvfb: each quad gets its own swapchain, is submitted after the projection
// layer with its pose, size and space, the trusted layer always last, and the runtime reads the
// quads' pixels back from their swapchain images.
#include <QtTest>

#include <openxr/openxr.h>

#include <twinseal/xr/openxr_backend.h>
#include <twinseal/xr/quad_layer.h>

#include <array>
#include <chrono>
#include <cmath>
#include <memory>
#include <thread>

#include "eye_painter.h"
#include "glx_test_context.h"
#include "runtime_control.h"
#include "testmain.h"
#include "xrtest.h"

namespace {
namespace test_openxr_quads {

using namespace twinseal::xr;
namespace xt = twinseal::xr::test;

namespace {

QString hex(std::uint32_t rgba) { return QString("%1").arg(rgba, 8, 16, QChar('0')); }

// A w x h RGBA8 image, rows top-down: the top half `top`, the bottom half `bottom` (0xRRGGBBAA).
std::vector<std::uint8_t> twoBands(std::int32_t w, std::int32_t h, std::uint32_t top, std::uint32_t bottom) {
    std::vector<std::uint8_t> out(std::size_t(w) * std::size_t(h) * 4);
    for (std::int32_t y = 0; y < h; ++y)
        for (std::int32_t x = 0; x < w; ++x) {
            const std::uint32_t c = y < h / 2 ? top : bottom;
            std::uint8_t* p = out.data() + (std::size_t(y) * std::size_t(w) + std::size_t(x)) * 4;
            p[0] = std::uint8_t(c >> 24);
            p[1] = std::uint8_t(c >> 16);
            p[2] = std::uint8_t(c >> 8);
            p[3] = std::uint8_t(c);
        }
    return out;
}

QuadLayerConfig quad(const char* name, LayerSpace space, float z, bool trusted, QuadPixelSource& source) {
    QuadLayerConfig q;
    q.name = name;
    q.space = space;
    q.pose.position[0] = trusted ? 0.0f : 0.3f;
    q.pose.position[1] = trusted ? -0.2f : 0.1f;
    q.pose.position[2] = z;
    q.widthMetres = trusted ? 0.4f : 0.8f;
    q.heightMetres = trusted ? 0.2f : 0.6f;
    q.widthPixels = trusted ? 128 : 96;
    q.heightPixels = trusted ? 64 : 72;
    q.trusted = trusted;
    q.render = source.renderer();
    return q;
}

// Waits (polling the backend as the client does) until the runtime recorded `layers` layers
// of a frame whose quads carry the newest images. The deadline only guards against a hang.
bool waitForLayers(OpenXrBackend& backend, xt::RuntimeControl& rt, std::uint32_t layers,
                   std::uint64_t afterFrames) {
    using namespace std::chrono_literals;
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    while (rt.framesEnded() < afterFrames || rt.lastLayerCount() != layers) {
        if (!backend.poll().ok() || std::chrono::steady_clock::now() > deadline)
            return false;
        std::this_thread::sleep_for(2ms);
    }
    return true;
}

} // namespace

// The two quads of the headset: the trusted verification layer (head-locked, listed first) and
// the participant panel (world-locked), each with a picture ready, and the eyes' painter.
struct TrustedAndPanel {
    QuadPixelSource trusted, panel;
    xt::EyePainter painter;
    OpenXrOptions options;

    explicit TrustedAndPanel(xt::GlxTestContext& glx) {
        trusted.publish(128, 64, twoBands(128, 64, 0x00FF00FFu, 0x0000FFFFu));
        panel.publish(96, 72, twoBands(96, 72, 0xFFFF00FFu, 0xFF00FFFFu));
        options.glx = glx.binding();
        options.render = painter.callback();
        options.quads.push_back(quad("trusted verification layer", LayerSpace::View, -1.0f, true, trusted));
        options.quads.push_back(quad("participant panel", LayerSpace::Local, -1.5f, false, panel));
    }
};

class OpenXrQuadTest : public QObject {
    Q_OBJECT
    QTemporaryDir empty_;
    std::unique_ptr<xt::GlxTestContext> glx_;

    using Quat = std::array<float, 4>;  // x, y, z, w
    static Quat yawTurn(float angle) { return {0.f, std::sin(angle / 2), 0.f, std::cos(angle / 2)}; }
    static Quat product(const Quat& a, const Quat& b) {
        return {a[3] * b[0] + a[0] * b[3] + a[1] * b[2] - a[2] * b[1],
                a[3] * b[1] - a[0] * b[2] + a[1] * b[3] + a[2] * b[0],
                a[3] * b[2] + a[0] * b[1] - a[1] * b[0] + a[2] * b[3],
                a[3] * b[3] - a[0] * b[0] - a[1] * b[1] - a[2] * b[2]};
    }
    // Whether the last frame's panel (layer 1, LOCAL) has this pose (to 1e-4).
    static bool panelAt(xt::RuntimeControl& rt, std::array<float, 3> position, Quat orientation) {
        xt::RuntimeControl::Layer p;
        if (!rt.submittedLayer(1, p) || p.layer.space != XR_REFERENCE_SPACE_TYPE_LOCAL)
            return false;
        for (std::size_t i = 0; i < 3; ++i)
            if (std::abs(p.layer.position[i] - position[i]) > 1e-4f)
                return false;
        for (std::size_t i = 0; i < 4; ++i)
            if (std::abs(p.layer.orientation[i] - orientation[i]) > 1e-4f)
                return false;
        return true;
    }
    // Polls the backend until the panel has this pose; false (after 30 s) when it never does.
    static bool waitForPanel(OpenXrBackend& backend, xt::RuntimeControl& rt, std::array<float, 3> position,
                             Quat orientation) {
        using namespace std::chrono_literals;
        const auto deadline = std::chrono::steady_clock::now() + 30s;
        while (!panelAt(rt, position, orientation)) {
            if (!backend.poll().ok() || std::chrono::steady_clock::now() > deadline) {
                xt::RuntimeControl::Layer p;
                if (rt.submittedLayer(1, p))
                    qInfo("panel at %f %f %f, %f %f %f %f", double(p.layer.position[0]), double(p.layer.position[1]),
                             double(p.layer.position[2]), double(p.layer.orientation[0]),
                             double(p.layer.orientation[1]), double(p.layer.orientation[2]),
                             double(p.layer.orientation[3]));
                return false;
            }
            std::this_thread::sleep_for(2ms);
        }
        return true;
    }

private slots:
    void initTestCase() {
        QVERIFY(empty_.isValid());
        xt::isolateLoader(empty_);
        glx_ = std::make_unique<xt::GlxTestContext>();
        QVERIFY2(glx_->ok(), glx_->error().c_str());
    }
    void init() {
        xt::resetRuntimeSwitches();
        qputenv("XR_RUNTIME_JSON", xt::testRuntimeManifest());
        qputenv("TWINSEAL_TEST_RUNTIME_SYSTEM", "1");
    }
    void cleanupTestCase() { glx_.reset(); }

    void submitsQuadsAfterTheProjectionTrustedLast() {
        // The trusted quad is listed first but must be submitted last (on top).
        TrustedAndPanel f(*glx_);
        OpenXrBackend backend(f.options);
        const Status started = backend.start();
        QVERIFY2(started.ok(), started.ok() ? "" : started.error().message.c_str());
        xt::RuntimeControl rt;
        QVERIFY(rt.ok());
        rt.reset();
        QVERIFY(waitForLayers(backend, rt, 3, 3));

        const auto layers = rt.submittedLayers();
        QCOMPARE(layers.size(), std::size_t(3));
        QCOMPARE(layers[0].layer.type, std::int32_t(XR_TYPE_COMPOSITION_LAYER_PROJECTION));
        QCOMPARE(layers[1].layer.type, std::int32_t(XR_TYPE_COMPOSITION_LAYER_QUAD));
        QCOMPARE(layers[2].layer.type, std::int32_t(XR_TYPE_COMPOSITION_LAYER_QUAD));

        // The panel: world-locked (LOCAL), its pose and size as configured, its own pixels.
        const auto& p = layers[1];
        QCOMPARE(p.layer.space, std::int32_t(XR_REFERENCE_SPACE_TYPE_LOCAL));
        QCOMPARE(p.layer.position[0], 0.3f);
        QCOMPARE(p.layer.position[1], 0.1f);
        QCOMPARE(p.layer.position[2], -1.5f);
        QCOMPARE(p.layer.orientation[3], 1.0f);
        QCOMPARE(p.layer.size[0], 0.8f);
        QCOMPARE(p.layer.size[1], 0.6f);
        QCOMPARE(p.layer.width, 96u);
        QCOMPARE(p.layer.height, 72u);
        QVERIFY(p.layer.flags & XR_COMPOSITION_LAYER_BLEND_TEXTURE_SOURCE_ALPHA_BIT);
        // Rows are bottom-up: the published image's top band is at the top of the quad.
        QCOMPARE(hex(p.rgba(10, 72 - 5)), hex(0xFFFF00FFu));
        QCOMPARE(hex(p.rgba(10, 4)), hex(0xFF00FFFFu));

        // The trusted layer: last, head-locked (VIEW), its own pixels.
        const auto& t = layers[2];
        QCOMPARE(t.layer.space, std::int32_t(XR_REFERENCE_SPACE_TYPE_VIEW));
        QCOMPARE(t.layer.position[1], -0.2f);
        QCOMPARE(t.layer.position[2], -1.0f);
        QCOMPARE(t.layer.size[0], 0.4f);
        QCOMPARE(t.layer.width, 128u);
        QCOMPARE(t.layer.height, 64u);
        QCOMPARE(hex(t.rgba(64, 60)), hex(0x00FF00FFu));
        QCOMPARE(hex(t.rgba(64, 3)), hex(0x0000FFFFu));

        // A new picture reaches the swapchain: the trusted quad turns all red.
        f.trusted.publish(128, 64, twoBands(128, 64, 0xFF0000FFu, 0xFF0000FFu));
        const std::uint64_t now = rt.framesEnded();
        QVERIFY(waitForLayers(backend, rt, 3, now + 4));
        xt::RuntimeControl::Layer again;
        QVERIFY(rt.submittedLayer(2, again));
        QCOMPARE(hex(again.rgba(64, 60)), hex(0xFF0000FFu));
        QCOMPARE(hex(again.rgba(64, 3)), hex(0xFF0000FFu));

        // A cleared source leaves its quad out; the trusted layer is still the last one.
        f.panel.clear();
        QVERIFY(waitForLayers(backend, rt, 2, rt.framesEnded() + 2));
        const auto fewer = rt.submittedLayers();
        QCOMPARE(fewer.size(), std::size_t(2));
        QCOMPARE(fewer[1].layer.space, std::int32_t(XR_REFERENCE_SPACE_TYPE_VIEW));
        QVERIFY(backend.stop().ok());
    }

    void panelRecentredInFrontOfTheHead() {
        TrustedAndPanel f(*glx_);
        OpenXrBackend backend(f.options);
        QVERIFY(backend.start().ok());
        xt::RuntimeControl rt;
        QVERIFY(rt.ok());
        rt.reset();
        QVERIFY(rt.setController("/interaction_profiles/oculus/touch_controller"));
        QVERIFY(waitForLayers(backend, rt, 3, 3));

        // The head moves and turns 90 degrees to the left, looking down and tilted: the panel
        // stays where it is in the world (its configured pose).
        const float head[3] = {0.2f, 0.05f, -0.1f};
        const auto turned = product(product(yawTurn(float(M_PI / 2)), {std::sin(-0.25f), 0.f, 0.f, std::cos(-0.25f)}),
                                    {0.f, 0.f, std::sin(0.1f), std::cos(0.1f)});
        const float turnedArr[4] = {turned[0], turned[1], turned[2], turned[3]};
        QVERIFY(rt.setPose("/user/head", head, turnedArr));
        QVERIFY(waitForLayers(backend, rt, 3, rt.framesEnded() + 4));
        QVERIFY(panelAt(rt, {0.3f, 0.1f, -1.5f}, {0.f, 0.f, 0.f, 1.f}));

        // Recenter (left Y): the configured offset, turned by the head's yaw only, from the head:
        // (0.3, 0.1, -1.5) turned 90 degrees left is (-1.5, 0.1, -0.3); level, facing the head.
        QVERIFY(rt.setInput("/user/hand/left/input/y/click", 1.f));
        QVERIFY(waitForPanel(backend, rt, {-1.3f, 0.15f, -0.4f}, yawTurn(float(M_PI / 2))));
        QVERIFY(rt.setInput("/user/hand/left/input/y/click", 0.f));
        // The trusted layer is head-locked and keeps its pose in VIEW.
        xt::RuntimeControl::Layer t;
        QVERIFY(rt.submittedLayer(2, t));
        QCOMPARE(t.layer.space, std::int32_t(XR_REFERENCE_SPACE_TYPE_VIEW));
        QCOMPARE(t.layer.position[2], -1.0f);

        // The head turns 45 degrees to the right; the panel stays put until the runtime announces
        // a new LOCAL origin (its own recentering), then follows the head again.
        const float back[3] = {0.f, 0.f, 0.f};
        const auto right = yawTurn(float(-M_PI / 4));
        const float rightArr[4] = {right[0], right[1], right[2], right[3]};
        QVERIFY(rt.setPose("/user/head", back, rightArr));
        QVERIFY(waitForLayers(backend, rt, 3, rt.framesEnded() + 4));
        QVERIFY(panelAt(rt, {-1.3f, 0.15f, -0.4f}, yawTurn(float(M_PI / 2))));
        QVERIFY(rt.script(TWINSEAL_TEST_EVENT_LOCAL_SPACE_CHANGE));
        const float c = std::cos(float(-M_PI / 4)), sn = std::sin(float(-M_PI / 4));
        QVERIFY(waitForPanel(backend, rt, {0.3f * c - 1.5f * sn, 0.1f, -0.3f * sn - 1.5f * c}, right));
        QVERIFY(backend.stop().ok());
        rt.resetInput();
    }

    void imageOfTheWrongSizeIsLeftOut() {
        QuadPixelSource source;
        source.publish(10, 10, std::vector<std::uint8_t>(400, 0xFF));
        xt::EyePainter painter;
        OpenXrOptions o;
        o.glx = glx_->binding();
        o.render = painter.callback();
        o.quads.push_back(quad("participant panel", LayerSpace::Local, -1.5f, false, source));
        OpenXrBackend backend(o);
        QVERIFY(backend.start().ok());
        xt::RuntimeControl rt;
        QVERIFY(rt.ok());
        rt.reset();
        QVERIFY(waitForLayers(backend, rt, 1, 3));
        QCOMPARE(rt.submittedLayers().size(), std::size_t(1));
        QVERIFY(backend.stop().ok());
    }

    void submissionOrderPutsTrustedLast() {
        std::vector<QuadLayerConfig> q(4);
        q[0].trusted = true;
        q[2].trusted = true;
        const auto order = quadSubmissionOrder(q);
        QCOMPARE(order, (std::vector<std::size_t>{1, 3, 0, 2}));
    }
};

TWINSEAL_TEST(OpenXrQuadTest, "openxr-quads")
} // namespace test_openxr_quads
} // namespace

#include "test_openxr_quads.moc"
