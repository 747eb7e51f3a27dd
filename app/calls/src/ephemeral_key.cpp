#include "twinseal/calls/ephemeral_key.h"

#include <twinseal/security/crypto.h>

namespace twinseal::calls {

using namespace twinseal::security;

Result<EphemeralKey> EphemeralKey::generate(Random& random) {
    SecureBytes priv(32);
    TWINSEAL_TRY(random.fill(priv.data(), priv.size()));
    // RFC 7748 clamping is applied by X25519 itself; the stored scalar is the random bytes.
    auto pub = x25519PublicFromPrivate(ByteView(priv.data(), priv.size()));
    TWINSEAL_TRY(pub);
    return EphemeralKey(std::move(priv), std::move(*pub));
}

Result<SecureBytes> EphemeralKey::agree(ByteView peerPublic) const {
    return x25519(ByteView(m_private.data(), m_private.size()), peerPublic);
}

} // namespace twinseal::calls
