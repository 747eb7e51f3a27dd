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

// A subscriber's USIM profile. Two forms on disk:
//  - the operator's profile file (what `twinseal-homenet subscriber add` writes and the owner
//    imports): K and OPc in clear, like a lab soft-SIM handed over in person;
//  - the profile in a client's data directory: K || OPc sealed under the owner's passphrase
//    (sealSecret: scrypt, AES-256-GCM, as the holder key), only the SQN state and the public
//    parts in clear. It is rewritten after every authentication (the SQN) without the
//    passphrase: the sealed bytes are carried over as they are.
// In memory K and OPc are SecureBytes (cleansed when freed); they are empty while the profile
// is locked (sealed and not yet opened with the passphrase).
struct UsimProfileData {
    Supi supi;
    SecureBytes k;   // 16 bytes; empty while locked
    SecureBytes opc; // 16 bytes; empty while locked
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
    // K || OPc sealed under the owner's passphrase (a sealed-secret file, see keys.h); empty in
    // an operator's profile file. When set, encode() writes it and never K or OPc.
    Bytes sealedSecrets;

    [[nodiscard]] bool sealed() const noexcept { return !sealedSecrets.empty(); }
    // K and OPc are in memory (an operator's file, or a sealed profile after unlock()).
    [[nodiscard]] bool hasSecrets() const noexcept { return k.size() == 16 && opc.size() == 16; }

    // Seals the K and OPc held in memory under `passphrase` (they stay in memory): from now on
    // encode() and save() write the sealed form. InvalidArgument without K and OPc.
    [[nodiscard]] Status seal(std::string_view passphrase, const ScryptParams& params = {});
    // Opens sealedSecrets into K and OPc. WrongPassphrase (nothing changed), KeyFileCorrupt or
    // UsimProfileInvalid (damaged), InvalidArgument when not sealed. When they were sealed with
    // weaker KDF parameters than `params`, they are sealed again with them and `*resealed` set.
    [[nodiscard]] Status unlock(std::string_view passphrase, const ScryptParams& params = {},
                                bool* resealed = nullptr);
    // Cleanses K and OPc out of memory (a sealed profile stays usable after unlock() again).
    void forgetSecrets() noexcept;

    // Protobuf twinseal.proto.UsimProfile. The buffer holds K and OPc unless sealed: cleansed
    // when freed.
    [[nodiscard]] Result<SecureBytes> encode() const;
    // Strict: every field present and well-formed (K and OPc, or sealed secrets, not both),
    // else ErrorCode::UsimProfileInvalid.
    [[nodiscard]] static Result<UsimProfileData> decode(ByteView encoded);
    // Written atomically (temporary file, fsync, rename) with mode 0600.
    [[nodiscard]] Status save(const std::string& path) const;
    [[nodiscard]] static Result<UsimProfileData> load(const std::string& path);
    // The data directory's profile, opened with the owner's passphrase: a sealed one is
    // unlocked; one in clear (written by TwinSeal before K and OPc were sealed, or an operator's
    // file copied in) is sealed and written back atomically, as is one sealed with weaker KDF
    // parameters; `*upgraded` then says so. A wrong passphrase is WrongPassphrase and leaves the
    // file as it was.
    [[nodiscard]] static Result<UsimProfileData> loadAndUnlock(const std::string& path,
                                                               std::string_view passphrase,
                                                               const ScryptParams& params = {},
                                                               bool* upgraded = nullptr);

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
