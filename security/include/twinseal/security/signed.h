// The `Signed` envelope shared by every signed object: type tag + stored body bytes + signature
// over a domain-separated context.
#pragma once

#include <string>
#include <string_view>

#include "twinseal/security/keys.h"

namespace twinseal::security {

struct SignedEnvelope {
    std::string type;
    Bytes body;
    KeyAlgorithm algorithm = KeyAlgorithm::Ed25519;
    Bytes signature;
};

// "TwinSeal-Signed-v1" 0x00 type 0x00 body: what is actually signed.
[[nodiscard]] Bytes signingInput(std::string_view type, ByteView body);

[[nodiscard]] Result<Bytes> signEnvelope(std::string_view type, ByteView body,
                                         const SigningKey& key);
// Parses the envelope and checks that its type is `expectedType` (WrongObjectType otherwise).
[[nodiscard]] Result<SignedEnvelope> parseEnvelope(ByteView encoded,
                                                   std::string_view expectedType);
// Peeks at an envelope's type tag without checking it.
[[nodiscard]] Result<std::string> envelopeType(ByteView encoded);
[[nodiscard]] Status verifyEnvelope(const SignedEnvelope& envelope, const PublicKey& key);

} // namespace twinseal::security
