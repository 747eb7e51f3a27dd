#include "twinseal/security/sframe_replay.h"

#include <algorithm>
#include <string>

namespace twinseal::security {

SFrameReplayWindow::SFrameReplayWindow(std::size_t size)
    : m_size(std::clamp<std::size_t>((size + 63) / 64 * 64, 64, 65536)), m_bits(m_size / 64, 0) {}

bool SFrameReplayWindow::bit(std::uint64_t ctr) const noexcept {
    const std::uint64_t pos = ctr % m_size;
    return (m_bits[pos / 64] >> (pos % 64)) & 1u;
}

void SFrameReplayWindow::setBit(std::uint64_t ctr, bool value) noexcept {
    const std::uint64_t pos = ctr % m_size;
    const std::uint64_t mask = std::uint64_t{1} << (pos % 64);
    if (value)
        m_bits[pos / 64] |= mask;
    else
        m_bits[pos / 64] &= ~mask;
}

Status SFrameReplayWindow::check(std::uint64_t ctr) const {
    if (!m_any || ctr > m_highest)
        return {};
    if (m_highest - ctr >= m_size)
        return makeError(ErrorCode::SFrameTooOld,
                         "SFrame: counter " + std::to_string(ctr) + " is more than " +
                             std::to_string(m_size) + " below the newest accepted (" +
                             std::to_string(m_highest) + "); the frame is refused as too old");
    if (bit(ctr))
        return makeError(ErrorCode::SFrameReplayed,
                         "SFrame: counter " + std::to_string(ctr) +
                             " was already accepted; the frame is a replay");
    return {};
}

void SFrameReplayWindow::accept(std::uint64_t ctr) {
    if (!m_any || ctr > m_highest) {
        const std::uint64_t advance = m_any ? ctr - m_highest : m_size;
        if (advance >= m_size) {
            std::fill(m_bits.begin(), m_bits.end(), 0);
        } else {
            for (std::uint64_t i = 1; i <= advance; ++i)
                setBit(m_highest + i, false);
        }
        m_any = true;
        m_highest = ctr;
    }
    setBit(ctr, true);
}

} // namespace twinseal::security
