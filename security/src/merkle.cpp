// RFC 9162 section 2.1.1 Merkle Tree Hash over SHA-256.
#include "twinseal/security/merkle.h"

namespace twinseal::security::merkle {

namespace {
constexpr std::uint8_t kLeafPrefix = 0x00;
constexpr std::uint8_t kNodePrefix = 0x01;
} // namespace

Digest leafHash(ByteView data) {
    Sha256 h;
    h.update(ByteView(&kLeafPrefix, 1));
    h.update(data);
    return h.finish();
}

Digest nodeHash(const Digest& left, const Digest& right) {
    Sha256 h;
    h.update(ByteView(&kNodePrefix, 1));
    h.update(left);
    h.update(right);
    return h.finish();
}

// MTH splits D[n] at k, the largest power of two smaller than n. Hashing level by level, pairing
// neighbours and carrying an unpaired last node up unchanged, builds exactly that tree: the left
// subtree of every node is a perfect tree of 2^j leaves, so every left-to-right pairing below the
// split lines up with RFC 9162's recursion, and only the rightmost node of a level can be odd.
Digest rootFromLeaves(const std::vector<Digest>& leaves) {
    if (leaves.empty())
        return sha256({});
    std::vector<Digest> level = leaves;
    std::size_t n = level.size();
    while (n > 1) {
        std::size_t out = 0;
        for (std::size_t i = 0; i + 1 < n; i += 2)
            level[out++] = nodeHash(level[i], level[i + 1]);
        if (n % 2 == 1)
            level[out++] = level[n - 1];
        n = out;
    }
    return level[0];
}

} // namespace twinseal::security::merkle
