// A call's ephemeral X25519 key: its public half goes into the call assertion (`epk`), its
// private half stays in this object's SecureBytes (cleansed when freed), never copied out; the
// frame keys are agreed through agree().
#pragma once

#include <twinseal/security/bytes.h>
#include <twinseal/security/clock.h>
#include <twinseal/security/result.h>

namespace twinseal::calls {

class EphemeralKey {
public:
    [[nodiscard]] static security::Result<EphemeralKey> generate(security::Random& random);

    [[nodiscard]] const security::Bytes& publicKey() const noexcept { return m_public; }
    // X25519 with a peer's ephemeral public key (its verified assertion's `epk`).
    [[nodiscard]] security::Result<security::SecureBytes> agree(security::ByteView peerPublic) const;

    EphemeralKey(EphemeralKey&&) noexcept = default;
    EphemeralKey& operator=(EphemeralKey&&) noexcept = default;
    EphemeralKey(const EphemeralKey&) = delete;
    EphemeralKey& operator=(const EphemeralKey&) = delete;

private:
    EphemeralKey(security::SecureBytes priv, security::Bytes pub)
        : m_private(std::move(priv)), m_public(std::move(pub)) {}
    security::SecureBytes m_private;
    security::Bytes m_public;
};

} // namespace twinseal::calls
