#include "twinseal/security/openssl_memory.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include <openssl/crypto.h>
#include <sys/mman.h>

namespace twinseal::security {

namespace {

constexpr std::size_t kLargeAllocation = std::size_t{16} << 20;

struct Mapping {
    void* at = nullptr;
    std::size_t size = 0;
};

// The live large allocations (a handful at most: one per thread deriving a key at the time).
// When the table is full a large allocation comes from malloc instead.
class Mappings {
public:
    bool add(void* at, std::size_t size) {
        const std::lock_guard<std::mutex> guard(m_lock);
        for (Mapping& m : m_table)
            if (m.at == nullptr) {
                m = {at, size};
                return true;
            }
        return false;
    }
    // The size of the mapping at `at` (0: not one of ours); forgotten when `take`.
    std::size_t find(const void* at, bool take) {
        const std::lock_guard<std::mutex> guard(m_lock);
        for (Mapping& m : m_table)
            if (m.at == at) {
                const std::size_t size = m.size;
                if (take)
                    m = {};
                return size;
            }
        return 0;
    }

private:
    std::mutex m_lock;
    std::array<Mapping, 32> m_table{};
};

// Never destroyed: OpenSSL frees memory from its own exit handler, after static destructors.
Mappings& mappings() {
    static Mappings& table = *new Mappings;
    return table;
}

std::atomic<std::uint64_t> g_largeAllocations{0};
std::atomic<bool> g_installed{false};

void* mapLarge(std::size_t size) {
    void* at = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (at == MAP_FAILED)
        return nullptr;
    // Advice only: without transparent huge pages (or with them disabled) it changes nothing.
    (void)madvise(at, size, MADV_HUGEPAGE);
    if (!mappings().add(at, size)) {
        (void)munmap(at, size);
        return nullptr;
    }
    g_largeAllocations.fetch_add(1, std::memory_order_relaxed);
    return at;
}

void* opensslMalloc(std::size_t size, const char* /*file*/, int /*line*/) {
    if (size >= kLargeAllocation)
        if (void* at = mapLarge(size))
            return at;
    return std::malloc(size);
}

void opensslFree(void* at, const char* /*file*/, int /*line*/) {
    if (at == nullptr)
        return;
    if (const std::size_t size = mappings().find(at, true); size > 0) {
        (void)munmap(at, size);
        return;
    }
    std::free(at);
}

void* opensslRealloc(void* at, std::size_t size, const char* file, int line) {
    if (at == nullptr)
        return opensslMalloc(size, file, line);
    const std::size_t old = mappings().find(at, false);
    if (old == 0)
        return std::realloc(at, size);
    if (size == 0) {
        opensslFree(at, file, line);
        return nullptr;
    }
    void* moved = opensslMalloc(size, file, line);
    if (moved == nullptr)
        return nullptr; // the old block stays valid, as with realloc
    std::memcpy(moved, at, std::min(old, size));
    opensslFree(at, file, line);
    return moved;
}

} // namespace

OpenSslMemoryStats openSslMemoryStats() noexcept {
    return {g_installed.load(), g_largeAllocations.load(std::memory_order_relaxed)};
}

namespace detail {

bool installOpenSslAllocator() noexcept {
    static const bool installed = [] {
        // Refused (0) once OpenSSL has allocated: then it keeps its own allocator.
        const bool ok = CRYPTO_set_mem_functions(opensslMalloc, opensslRealloc, opensslFree) == 1;
        g_installed.store(ok);
        return ok;
    }();
    return installed;
}

} // namespace detail

} // namespace twinseal::security
