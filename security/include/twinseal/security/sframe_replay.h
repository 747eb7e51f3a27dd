// A sliding replay window over SFrame counters (one per receive key): the highest counter
// accepted so far and a bitmap of which of the `size` counters at and below it were seen.
// A counter above the highest is new; one inside the window is new unless its bit is set; one
// below the window is refused as too old, because the window can no longer tell.
#pragma once

#include <cstdint>
#include <vector>

#include "twinseal/security/result.h"

namespace twinseal::security {

inline constexpr std::size_t kDefaultSFrameReplayWindow = 128;

class SFrameReplayWindow {
  public:
    // size: counters remembered below the highest; rounded up to a multiple of 64 (at least 64,
    // at most 65536).
    explicit SFrameReplayWindow(std::size_t size = kDefaultSFrameReplayWindow);

    [[nodiscard]] std::size_t size() const noexcept { return m_size; }

    // Ok when `ctr` would be new; SFrameReplayed or SFrameTooOld otherwise. Does not record it:
    // record a counter with accept() only once its frame has authenticated.
    [[nodiscard]] Status check(std::uint64_t ctr) const;
    void accept(std::uint64_t ctr);

  private:
    [[nodiscard]] bool bit(std::uint64_t ctr) const noexcept;
    void setBit(std::uint64_t ctr, bool value) noexcept;

    std::size_t m_size;
    bool m_any = false;
    std::uint64_t m_highest = 0;
    std::vector<std::uint64_t> m_bits;
};

} // namespace twinseal::security
