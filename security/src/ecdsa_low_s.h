// ECDSA P-256 signatures are malleable: (r, n - s) verifies whenever (r, s) does. Only the low-S
// form (s <= n/2) is produced and accepted; verifiers refuse a high-S signature with
// ErrorCode::SignatureHighS.
#pragma once

#include "twinseal/security/bytes.h"

namespace twinseal::security {

// Whether r||s (64 bytes) has s > n/2.
[[nodiscard]] bool ecdsaP256IsHighS(ByteView rs) noexcept;
// r||s with s replaced by n - s when s is in the upper half (unchanged otherwise).
[[nodiscard]] Bytes ecdsaP256LowS(ByteView rs);

} // namespace twinseal::security
