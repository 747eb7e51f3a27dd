#include <twinseal/xr/frame.h>

#include <algorithm>

namespace twinseal::xr {

namespace {

// Nearest-rank percentile of an unsorted copy.
std::int64_t percentile(std::vector<std::int64_t> values, int p) {
    if (values.empty())
        return 0;
    std::size_t rank = (values.size() * static_cast<std::size_t>(p) + 99) / 100;
    rank = std::clamp<std::size_t>(rank, 1, values.size());
    std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(rank - 1),
                     values.end());
    return values[rank - 1];
}

} // namespace

TimingSummary summarizeTimings(const std::vector<FrameTiming>& timings) {
    TimingSummary s;
    s.frames = timings.size();
    std::vector<std::int64_t> wait, render, submit, busy, cpu;
    for (const FrameTiming& t : timings) {
        wait.push_back(t.waitNs);
        render.push_back(t.renderNs);
        submit.push_back(t.submitNs);
        busy.push_back(t.renderNs + t.submitNs);
        cpu.push_back(t.cpuNs);
    }
    s.waitP50 = percentile(wait, 50);
    s.waitP99 = percentile(wait, 99);
    s.renderP50 = percentile(render, 50);
    s.renderP99 = percentile(render, 99);
    s.submitP50 = percentile(submit, 50);
    s.submitP99 = percentile(submit, 99);
    s.busyP50 = percentile(busy, 50);
    s.busyP99 = percentile(busy, 99);
    s.cpuP50 = percentile(cpu, 50);
    s.cpuP99 = percentile(cpu, 99);
    return s;
}

} // namespace twinseal::xr
