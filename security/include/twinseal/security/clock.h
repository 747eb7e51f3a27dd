// Injected time and randomness, so tests are deterministic.
#pragma once

#include <cstdint>

#include "twinseal/security/bytes.h"

namespace twinseal::security {

class Clock {
public:
    virtual ~Clock() = default;
    // Seconds since the Unix epoch.
    [[nodiscard]] virtual std::int64_t now() const = 0;
};

class SystemClock final : public Clock {
public:
    [[nodiscard]] std::int64_t now() const override;
    static const SystemClock& instance();
};

class FixedClock final : public Clock {
public:
    explicit FixedClock(std::int64_t t) : m_t(t) {}
    [[nodiscard]] std::int64_t now() const override { return m_t; }
    void set(std::int64_t t) { m_t = t; }
    void advance(std::int64_t seconds) { m_t += seconds; }

private:
    std::int64_t m_t;
};

class Random {
public:
    virtual ~Random() = default;
    [[nodiscard]] virtual Status fill(std::uint8_t* out, std::size_t size) = 0;
    [[nodiscard]] Result<Bytes> bytes(std::size_t size);
};

// OpenSSL's CSPRNG (RAND_bytes).
class SystemRandom final : public Random {
public:
    [[nodiscard]] Status fill(std::uint8_t* out, std::size_t size) override;
    static SystemRandom& instance();
};

} // namespace twinseal::security
