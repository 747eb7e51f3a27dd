// Shared helpers of the libFuzzer targets: the input as the library's byte and string views,
// a fixed signing key (so a signed object built from fuzzed bytes is reproducible), and a
// check that stops the run on a broken invariant.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include <twinseal/security/bytes.h>
#include <twinseal/security/keys.h>
#include <twinseal/security/signed.h>

namespace twinseal::fuzz {

inline security::ByteView bytesOf(const std::uint8_t* data, std::size_t size) {
    return {data, size};
}

inline std::string_view textOf(const std::uint8_t* data, std::size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

// An invariant the parser promises (a decoded object re-encodes to the same bytes, ...): a
// violation is a finding, reported like a crash.
inline void require(bool condition, const char* what) {
    if (!condition) {
        (void)std::fprintf(stderr, "fuzz invariant broken: %s\n", what);
        std::abort();
    }
}

// An Ed25519 key derived from a fixed seed: objects signed with it verify in every run.
inline const security::SigningKey& fixedKey() {
    static const security::SigningKey key = [] {
        auto k = security::SigningKey::fromPrivateBytes(security::KeyAlgorithm::Ed25519,
                                                        security::Bytes(32, 0x5a));
        require(k.ok(), "the fixed fuzzing key can be made");
        return std::move(k).value();
    }();
    return key;
}

// `body` wrapped in a Signed envelope of `type`, signed with fixedKey(), so the parser gets
// past the signature check and reaches the body.
inline security::Bytes signedByFixedKey(std::string_view type, security::ByteView body) {
    auto env = security::signEnvelope(type, body, fixedKey());
    require(env.ok(), "a body can be signed");
    return std::move(env).value();
}

} // namespace twinseal::fuzz
