#pragma once

// The subscriber's side of TwinSeal's home-network authentication: the USIM profile file an
// operator hands out (like a lab soft-SIM) and the AKMA session both ends derive after 5G-AKA.

#include <cstdint>
#include <string>

#include "twinseal/security/aka.h"
#include "twinseal/security/keys.h"
#include "twinseal/security/suci.h"

namespace twinseal::security {

inline constexpr const char* kUsimProfileType = "twinseal.usim-profile.v1";

struct UsimProfileData {
    Supi supi;
    SecureBytes k;   // 16 bytes
    SecureBytes opc; // 16 bytes
    UsimSqnArray sqn; // the USIM's SEQ_MS array (TS 33.102 Annex C.2)
    Bytes amf{0x80, 0x00};
    std::string routingIndicator = "0";
    std::uint8_t hnKeyId = 1;
    Bytes hnPublicKey; // X25519, 32 bytes
    std::string serviceUrl;
    std::string tlsCaPem;
    std::string trustListPem;
    PublicKey logKey;
    PublicKey statusListKey;
    std::string operatorName;

    // Protobuf twinseal.proto.UsimProfile. The buffer holds K and OPc: cleansed when freed.
    [[nodiscard]] Result<SecureBytes> encode() const;
    // Strict: every field present and well-formed, else ErrorCode::UsimProfileInvalid.
    [[nodiscard]] static Result<UsimProfileData> decode(ByteView encoded);
    // Written atomically with mode 0600.
    [[nodiscard]] Status save(const std::string& path) const;
    [[nodiscard]] static Result<UsimProfileData> load(const std::string& path);

    // "5G:mnc<MNC>.mcc<MCC>.3gppnetwork.org": the serving network name of the AKA derivations.
    [[nodiscard]] Result<std::string> servingNetworkName() const;
};

// The AKMA session: A-KID names it, K_AF (for the TwinSeal DT service) authenticates requests.
struct AkmaSession {
    std::string aKid;
    SecureBytes kaf; // 32 bytes
};

// Both ends derive it from KAUSF after a successful 5G-AKA run (TS 33.535 clause 6.1).
[[nodiscard]] Result<AkmaSession> deriveAkmaSession(ByteView kausf, const Supi& supi,
                                                    std::string_view routingIndicator);

} // namespace twinseal::security
