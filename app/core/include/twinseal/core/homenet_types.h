// Values the home-network client hands back: plain structs over the security library's types
// (no Protobuf, no OpenSSL), so the UI can include them.
#pragma once

#include <QString>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <twinseal/security/credential.h>
#include <twinseal/security/manifest.h>
#include <twinseal/security/translog.h>
#include <twinseal/security/x509.h>

namespace twinseal::core {

// The AKMA session after a successful authentication. K_AF stays inside the client.
struct AuthSession {
    std::string aKid;
    std::int64_t expiresAt = 0; // Unix seconds; 0 when the service did not say
};

// A verified registration or re-certification: the credential chains to a root of the profile's
// trust list, names the holder key and the manifest's media, and its log entry is proven
// included in a tree head signed with the profile's log key.
struct Registration {
    security::Credential credential;
    security::Bytes credentialBytes;      // the issuer-signed envelope, as received
    std::vector<std::string> disclosures; // each matches one of the credential's commitments
    security::LogReceipt receipt;         // verified
    security::Bytes receiptBytes;         // twinseal.proto.LogReceipt bytes
    security::ChainResult chain;          // Trusted, with the root's subject
};

// One of the subscriber's DTs as the service describes it.
struct DtRecord {
    std::string dtId;
    std::string avatarId;
    std::string state; // "active", "revoked", "superseded"
    security::Bytes credential;
    std::uint64_t statusListIndex = 0;
    std::uint64_t logIndex = 0;
    std::int64_t createdAt = 0;
    std::int64_t updatedAt = 0;
    security::Bytes mediaRoot;
    std::uint32_t generation = 0;
    std::string revocationReason;
};

struct ServiceInfo {
    std::string operatorName;
    std::string issuer;
    std::string statusListUri;
    security::PublicKey logKey; // empty when the service did not send one
    std::string trustListPem;
    std::uint64_t logSize = 0;
    std::string version;
};

// A bearer capability for one avatar: peers present it as "TwinSeal-Grant <token>".
struct AccessGrant {
    std::string token;
    std::string avatarId;
    std::int64_t expiresAt = 0;
};

struct AvatarFileRecord {
    std::string name;
    std::uint64_t size = 0;
    std::uint64_t chunks = 0;
    std::uint64_t chunksStored = 0;
};

// The repository's view of an avatar (unverified: the manifest is checked by the operations
// that use it).
struct AvatarRecord {
    std::string avatarId;
    std::string dtId;
    security::Digest mediaRoot{};
    security::Bytes signedManifest;
    bool complete = false;
    std::vector<AvatarFileRecord> files;
};

// What to fetch from the repository and what it must match.
struct AvatarFetchRequest {
    std::string avatarId;                      // fetch by Avatar-ID (URN), or else
    std::optional<security::Digest> mediaRoot; // by media root (GET /v1/avatars/by-root/{hex})
    // The media the credential certifies: the manifest's package root must equal it. Set it
    // whenever the avatar belongs to a credential (a peer's, or your own).
    std::optional<security::Digest> expectedMediaRoot;
    // The credential's holder key: the manifest must be signed by it.
    std::optional<security::PublicKey> expectedHolderKey;
    // A peer's grant token; empty to fetch as the owner with the AKMA session.
    std::string grantToken;
    // Where to write the files (created if needed), under the manifest's relative paths.
    QString destination;
};

struct FetchedAvatar {
    std::string avatarId;
    std::string dtId;
    security::SignedManifest manifest; // verified signature; every chunk written was checked
    QString directory;
    std::uint64_t bytes = 0;
};

} // namespace twinseal::core
