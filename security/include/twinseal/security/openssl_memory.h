// OpenSSL's allocator as the security library installs it, before OpenSSL allocates anything:
// an allocation of 16 MiB or more (scrypt's working memory: 128 MiB at the default key
// protection cost) is a mapping of its own, advised for transparent huge pages, and unmapped
// when freed (OpenSSL cleanses it first); smaller ones go to malloc. scrypt reads its working
// memory at random, 1 KiB at a time: with 4 KiB pages nearly every access misses the TLB, and
// huge pages make each derivation about three times faster (an unlock, a key sealed).
#pragma once

#include <cstdint>

namespace twinseal::security {

struct OpenSslMemoryStats {
    // False when OpenSSL had allocated before the security library was initialised (then all
    // of OpenSSL's memory comes from malloc, as without it).
    bool installed = false;
    // Allocations served by their own huge-page-advised mapping since the process started.
    std::uint64_t largeAllocations = 0;
};

[[nodiscard]] OpenSslMemoryStats openSslMemoryStats() noexcept;

namespace detail {
// Installs the allocator (once; later calls return the first call's result). keys.cpp calls
// it from a static initialiser, so every program that can derive a key has it.
bool installOpenSslAllocator() noexcept;
} // namespace detail

} // namespace twinseal::security
