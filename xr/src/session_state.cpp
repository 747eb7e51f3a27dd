#include <twinseal/xr/session_state.h>

#include <array>
#include <cstddef>

namespace twinseal::xr {

namespace {

constexpr std::size_t kStateCount = std::size(kAllSessionStates);

constexpr std::size_t index(SessionState s) noexcept { return static_cast<std::size_t>(s); }

} // namespace

std::string_view sessionStateName(SessionState state) noexcept {
    switch (state) {
    case SessionState::Idle: return "idle";
    case SessionState::Ready: return "ready";
    case SessionState::Synchronized: return "synchronized";
    case SessionState::Visible: return "visible";
    case SessionState::Focused: return "focused";
    case SessionState::Stopping: return "stopping";
    case SessionState::LossPending: return "loss-pending";
    case SessionState::Exiting: return "exiting";
    }
    return "invalid";
}

bool isLegalTransition(SessionState from, SessionState to) noexcept {
    using S = SessionState;
    if (index(from) >= kStateCount || index(to) >= kStateCount || from == to)
        return false;
    // The runtime may report session loss from any live state.
    if (to == S::LossPending)
        return from != S::Exiting;
    switch (from) {
    case S::Idle: return to == S::Ready || to == S::Exiting;
    case S::Ready: return to == S::Synchronized;
    case S::Synchronized: return to == S::Visible || to == S::Stopping;
    case S::Visible: return to == S::Focused || to == S::Synchronized;
    case S::Focused: return to == S::Visible;
    case S::Stopping: return to == S::Idle;
    case S::LossPending: return to == S::Exiting;
    case S::Exiting: return false;
    }
    return false;
}

std::optional<SessionState> transition(SessionState from, SessionState to) noexcept {
    if (!isLegalTransition(from, to))
        return std::nullopt;
    return to;
}

std::vector<SessionState> stepsBetween(SessionState from, SessionState to) {
    if (from == to || index(from) >= kStateCount || index(to) >= kStateCount)
        return {};
    // Breadth-first search over the (tiny) transition graph.
    constexpr std::size_t kNone = kStateCount;
    std::array<std::size_t, kStateCount> previous;
    previous.fill(kNone);
    std::array<bool, kStateCount> seen{};
    std::array<std::size_t, kStateCount> queue{};
    std::size_t head = 0, tail = 0;
    queue[tail++] = index(from);
    seen[index(from)] = true;
    while (head < tail && !seen[index(to)]) {
        const auto current = static_cast<SessionState>(queue[head++]);
        for (SessionState next : kAllSessionStates) {
            if (seen[index(next)] || !isLegalTransition(current, next))
                continue;
            if (next == SessionState::LossPending && to != SessionState::LossPending)
                continue;
            seen[index(next)] = true;
            previous[index(next)] = index(current);
            queue[tail++] = index(next);
        }
    }
    if (!seen[index(to)])
        return {};
    std::vector<SessionState> path;
    for (std::size_t at = index(to); at != index(from); at = previous[at])
        path.insert(path.begin(), static_cast<SessionState>(at));
    return path;
}

bool isRunningState(SessionState state) noexcept {
    switch (state) {
    case SessionState::Synchronized:
    case SessionState::Visible:
    case SessionState::Focused:
    case SessionState::Stopping: return true;
    default: return false;
    }
}

} // namespace twinseal::xr
