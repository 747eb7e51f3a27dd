#include "twinseal/service/auth_start_limits.h"

#include <algorithm>
#include <cmath>

namespace twinseal::service {

TokenBuckets::TokenBuckets(double burst, double perMinute, std::size_t maxKeys)
    : m_burst(std::max(burst, 1.0)), m_perMinute(perMinute), m_maxKeys(std::max<std::size_t>(maxKeys, 1)) {}

std::optional<qint64> TokenBuckets::take(const QByteArray& key, qint64 now) {
    if (m_perMinute <= 0)
        return std::nullopt;
    auto it = m_index.find(key);
    if (it == m_index.end()) {
        // Forgetting the least recently used key is harmless once its bucket has refilled; under
        // a flood of distinct keys it only gives that key a fresh burst.
        while (m_index.size() >= static_cast<qsizetype>(m_maxKeys)) {
            m_index.remove(m_recent.back().key);
            m_recent.pop_back();
        }
        m_recent.push_front(Bucket{key, m_burst, now});
        it = m_index.insert(key, m_recent.begin());
    } else {
        m_recent.splice(m_recent.begin(), m_recent, it.value());
    }
    Bucket& b = *it.value();
    if (now > b.last)
        b.tokens = std::min(m_burst, b.tokens + double(now - b.last) * m_perMinute / 60.0);
    b.last = std::max(b.last, now);
    if (b.tokens >= 1.0) {
        b.tokens -= 1.0;
        return std::nullopt;
    }
    const double wait = std::ceil((1.0 - b.tokens) * 60.0 / m_perMinute);
    return std::max<qint64>(1, static_cast<qint64>(wait));
}

} // namespace twinseal::service
