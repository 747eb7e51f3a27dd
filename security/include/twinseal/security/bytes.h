// Byte containers and encodings shared by the security library.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "twinseal/security/result.h"

namespace twinseal::security {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

// Zeroes memory in a way the optimiser cannot remove (OPENSSL_cleanse).
void cleanse(void* data, std::size_t size) noexcept;

// Allocator that cleanses memory before releasing it: for keys, passphrase-derived material,
// and shared secrets.
template <typename T> struct CleansingAllocator {
    using value_type = T;
    CleansingAllocator() noexcept = default;
    template <typename U> CleansingAllocator(const CleansingAllocator<U>&) noexcept {}
    T* allocate(std::size_t n) { return std::allocator<T>{}.allocate(n); }
    void deallocate(T* p, std::size_t n) noexcept {
        cleanse(p, n * sizeof(T));
        std::allocator<T>{}.deallocate(p, n);
    }
    template <typename U> bool operator==(const CleansingAllocator<U>&) const noexcept {
        return true;
    }
};

// Secret bytes: cleansed when freed. Note: a growing vector reallocates, and the old block is
// cleansed too because it is released through the same allocator.
using SecureBytes = std::vector<std::uint8_t, CleansingAllocator<std::uint8_t>>;

inline ByteView view(std::string_view s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}
inline Bytes toBytes(std::string_view s) { return Bytes(s.begin(), s.end()); }
inline std::string toString(ByteView b) { return std::string(b.begin(), b.end()); }

[[nodiscard]] std::string toHex(ByteView data);
[[nodiscard]] Result<Bytes> fromHex(std::string_view hex);

// RFC 4648 section 5 base64url without padding (JOSE), built on OpenSSL's base64 codec.
[[nodiscard]] std::string base64UrlEncode(ByteView data);
// Accepts only the unpadded alphabet; rejects anything else.
[[nodiscard]] Result<Bytes> base64UrlDecode(std::string_view text);

// Constant-time equality (CRYPTO_memcmp); false when the lengths differ.
[[nodiscard]] bool constantTimeEqual(ByteView a, ByteView b) noexcept;

// Whole-file helpers. writeFileAtomic writes a temporary file beside the target, fsyncs it,
// renames it over the target and fsyncs the directory, so a killed process leaves either the
// old or the new file, never a torn one.
// The system's text for an errno value (thread-safe, unlike std::strerror).
[[nodiscard]] std::string systemErrorText(int err);

[[nodiscard]] Result<Bytes> readFile(const std::string& path);
[[nodiscard]] Status writeFileAtomic(const std::string& path, ByteView data,
                                     bool privateMode = false);

} // namespace twinseal::security
