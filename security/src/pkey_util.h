// security/-internal helpers around OpenSSL key objects. Not installed, not included by callers.
#pragma once

#include <memory>

#include <openssl/evp.h>

#include "twinseal/proto/twinseal.pb.h"
#include "twinseal/security/keys.h"

namespace twinseal::security::detail {

struct PkeyDeleter {
    void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

struct MdCtxDeleter {
    void operator()(EVP_MD_CTX* p) const noexcept { EVP_MD_CTX_free(p); }
};
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;

// An EVP_PKEY holding only the public half of `key`.
[[nodiscard]] Result<PkeyPtr> publicPkey(const PublicKey& key);
// The raw public key of an Ed25519 or P-256 EVP_PKEY.
[[nodiscard]] Result<PublicKey> publicKeyOf(const EVP_PKEY* pkey);

proto::SignatureAlgorithm toProto(KeyAlgorithm alg);
[[nodiscard]] Result<KeyAlgorithm> fromProto(proto::SignatureAlgorithm alg);
void toProto(const PublicKey& key, proto::PublicKey* out);
[[nodiscard]] Result<PublicKey> fromProto(const proto::PublicKey& key);

} // namespace twinseal::security::detail
