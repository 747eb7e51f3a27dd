#pragma once

// The holder-signed DT registration request ("twinseal.registration.v1"): the holder key signs a
// body that names the authenticated AKMA session, a timestamp, a nonce, the holder key itself and
// the holder-signed avatar media manifest. The signature proves possession of the holder key; the
// A-KID ties the request to one authenticated subscriber; timestamp and nonce stop replays.

#include <cstdint>
#include <string>

#include "twinseal/security/clock.h"
#include "twinseal/security/keys.h"
#include "twinseal/security/manifest.h"

namespace twinseal::security {

inline constexpr const char* kRegistrationType = "twinseal.registration.v1";
inline constexpr std::int64_t kRegistrationWindow = 60; // seconds either side

// RotatePseudonym: a fresh credential with a new pseudonym for the same DT and the same media
// (DESIGN §7); it names its DT like a re-certification.
enum class RegistrationPurpose { Register, Recertify, RotatePseudonym };

struct RegistrationRequest {
    std::string aKid;
    std::int64_t timestamp = 0;
    Bytes nonce; // at least 16 bytes
    PublicKey holderKey;
    Bytes signedManifest; // holder-signed manifest envelope
    std::string dtId;     // the DT to re-certify; empty to register
    RegistrationPurpose purpose = RegistrationPurpose::Register;
};

struct ParsedRegistration {
    RegistrationRequest request;
    SignedManifest manifest;
    Bytes encoded; // the whole envelope as received
};

// Signs `request` with `holderKey` (whose public key must be request.holderKey).
[[nodiscard]] Result<Bytes> signRegistration(const RegistrationRequest& request,
                                             const SigningKey& holderKey);

// Parses the envelope; verifies its signature with the holder key it carries (proof of
// possession), the manifest's signature and that the manifest names the same holder key, and the
// timestamp window at `now`. Errors: MalformedInput/WrongObjectType (shape), BadSignature (PoP),
// KeyMismatch (manifest by another key), RequestAuthStale (timestamp), and manifest errors.
[[nodiscard]] Result<ParsedRegistration> parseRegistration(ByteView encoded, std::int64_t now);

} // namespace twinseal::security
