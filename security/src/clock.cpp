#include "twinseal/security/clock.h"

#include <chrono>
#include <climits>

#include <openssl/rand.h>

namespace twinseal::security {

std::int64_t SystemClock::now() const {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

const SystemClock& SystemClock::instance() {
    static const SystemClock clock;
    return clock;
}

Result<Bytes> Random::bytes(std::size_t size) {
    Bytes out(size);
    TWINSEAL_TRY(fill(out.data(), out.size()));
    return out;
}

Status SystemRandom::fill(std::uint8_t* out, std::size_t size) {
    while (size > 0) {
        const int n = size > INT_MAX ? INT_MAX : static_cast<int>(size);
        if (RAND_bytes(out, n) != 1)
            return opensslError(ErrorCode::CryptoFailure, "random generator failed");
        out += n;
        size -= static_cast<std::size_t>(n);
    }
    return {};
}

SystemRandom& SystemRandom::instance() {
    static SystemRandom rng;
    return rng;
}

} // namespace twinseal::security
