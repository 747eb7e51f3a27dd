// RFC 9162 Merkle tree hashing (SHA-256, 0x00 leaf / 0x01 node prefixes). Used by the media
// manifest and by the transparency log.
#pragma once

#include <vector>

#include "twinseal/security/crypto.h"

namespace twinseal::security::merkle {

[[nodiscard]] Digest leafHash(ByteView data);
[[nodiscard]] Digest nodeHash(const Digest& left, const Digest& right);
// MTH(D[n]) over already-computed leaf hashes; the empty tree is SHA-256("").
[[nodiscard]] Digest rootFromLeaves(const std::vector<Digest>& leaves);

} // namespace twinseal::security::merkle
