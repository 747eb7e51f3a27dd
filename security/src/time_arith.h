// Time arithmetic with timestamps from outside (an attacker may send INT64_MIN or INT64_MAX):
// saturates at the ends of the int64 range instead of overflowing.
#pragma once

#include <cstdint>
#include <limits>

namespace twinseal::security {

[[nodiscard]] constexpr std::int64_t saturatingAdd(std::int64_t a, std::int64_t b) noexcept {
    std::int64_t out = 0;
    if (__builtin_add_overflow(a, b, &out))
        return b > 0 ? std::numeric_limits<std::int64_t>::max()
                     : std::numeric_limits<std::int64_t>::min();
    return out;
}

[[nodiscard]] constexpr std::int64_t saturatingSub(std::int64_t a, std::int64_t b) noexcept {
    std::int64_t out = 0;
    if (__builtin_sub_overflow(a, b, &out))
        return b < 0 ? std::numeric_limits<std::int64_t>::max()
                     : std::numeric_limits<std::int64_t>::min();
    return out;
}

// |a - b|, saturated at INT64_MAX.
[[nodiscard]] constexpr std::int64_t timeDistance(std::int64_t a, std::int64_t b) noexcept {
    return a > b ? saturatingSub(a, b) : saturatingSub(b, a);
}

static_assert(timeDistance(std::numeric_limits<std::int64_t>::min(), 1) ==
              std::numeric_limits<std::int64_t>::max());
static_assert(saturatingAdd(std::numeric_limits<std::int64_t>::max(), 120) ==
              std::numeric_limits<std::int64_t>::max());

} // namespace twinseal::security
