// The OpenXR frame loop's own CPU time per frame, against the TwinSeal Test Runtime through the
// real loader, with the OpenGL binding on Mesa (run under xvfb-run). Each eye is cleared and
// gets a marker (the tests' EyePainter). Prints wait / render / submit / busy (render + submit)
// p50 and p99 in microseconds. Printed, never asserted.
//
//   twinseal-bench-xr [frames] [hz]     (default 450 frames at 90 Hz)
// The runtime's readback of the submitted images is off unless TWINSEAL_TEST_RUNTIME_READBACK=1
// (it is test machinery, not part of a real runtime's submit).
#include <twinseal/xr/openxr_backend.h>

#include "eye_painter.h"
#include "glx_test_context.h"

#include <QByteArray>
#include <QtGlobal>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

using namespace twinseal::xr;

namespace {

double us(std::int64_t ns) { return double(ns) / 1000.0; }

} // namespace

int main(int argc, char** argv) {
    const long frames = argc > 1 ? std::strtol(argv[1], nullptr, 10) : 450;
    const std::string hz = argc > 2 ? argv[2] : "90";
    qputenv("XR_RUNTIME_JSON", TWINSEAL_XR_TEST_RUNTIME_JSON);
    qputenv("TWINSEAL_TEST_RUNTIME_SYSTEM", "1");
    qputenv("TWINSEAL_TEST_RUNTIME_HZ", QByteArray::fromStdString(hz));
    if (!qEnvironmentVariableIsSet("TWINSEAL_TEST_RUNTIME_READBACK"))
        qputenv("TWINSEAL_TEST_RUNTIME_READBACK", "0");

    test::GlxTestContext glx;
    if (!glx.ok()) {
        (void)std::fprintf(stderr, "bench.xr-frame-loop: %s\n", glx.error().c_str());
        return 1;
    }
    test::EyePainter painter;
    OpenXrOptions options;
    options.glx = glx.binding();
    options.render = painter.callback();
    options.timingCapacity = static_cast<std::size_t>(frames) + 16;
    OpenXrBackend backend(options);
    if (Status s = backend.start(); !s.ok()) {
        (void)std::fprintf(stderr, "bench.xr-frame-loop: %s\n", s.error().message.c_str());
        return 1;
    }
    using namespace std::chrono_literals;
    const auto deadline = std::chrono::steady_clock::now() + 10min;
    while (backend.framesSubmitted() < static_cast<std::uint64_t>(frames) &&
           std::chrono::steady_clock::now() < deadline) {
        if (Status s = backend.poll(); !s.ok()) {
            (void)std::fprintf(stderr, "bench.xr-frame-loop: %s\n", s.error().message.c_str());
            return 1;
        }
        std::this_thread::sleep_for(5ms);
    }
    (void)backend.stop();
    const TimingSummary t = summarizeTimings(backend.takeFrameTimings());
    std::printf("XR frame loop: %zu frames at %s Hz, %dx%d per eye, %s, renderer %s\n", t.frames,
                hz.c_str(), backend.eyeWidth(0), backend.eyeHeight(0),
                backend.swapchainFormat() == 0x8C43 ? "GL_SRGB8_ALPHA8" : "GL_RGBA8",
                glx.renderer().c_str());
    std::printf("  %-8s %10s %10s   (microseconds)\n", "", "p50", "p99");
    std::printf("  %-8s %10.1f %10.1f\n", "wait", us(t.waitP50), us(t.waitP99));
    std::printf("  %-8s %10.1f %10.1f\n", "render", us(t.renderP50), us(t.renderP99));
    std::printf("  %-8s %10.1f %10.1f\n", "submit", us(t.submitP50), us(t.submitP99));
    std::printf("  %-8s %10.1f %10.1f   (render + submit: the application's frame time)\n", "busy",
                us(t.busyP50), us(t.busyP99));
    std::printf("  %-8s %10.1f %10.1f   (the frame thread's own CPU time)\n", "cpu", us(t.cpuP50), us(t.cpuP99));
    return 0;
}
