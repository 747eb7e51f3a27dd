// 5G-AKA-style subscriber authentication and the key hierarchy built on it:
//   - the generic 3GPP key derivation function (TS 33.220 Annex B.2);
//   - KAUSF, RES*/XRES*, HXRES*, KSEAF (TS 33.501 Annex A.2, A.4, A.5, A.6);
//   - the home network side (authentication vector, RES* check, resynchronisation) and the USIM
//     side (AUTN check, SQN freshness, AUTS) of the challenge (TS 33.102 clause 6.3, TS 33.501
//     clause 6.1.3.2), with MILENAGE as f1..f5*;
//   - AKMA: K_AKMA, A-TID, A-KID and K_AF (TS 33.535 Annex A).
//
// Sequence numbers are 48-bit values carried in a std::uint64_t.
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "twinseal/security/bytes.h"
#include "twinseal/security/clock.h"
#include "twinseal/security/milenage.h"

namespace twinseal::security {

// ---- TS 33.220 Annex B.2 KDF ------------------------------------------------------------------

// Derived key = HMAC-SHA-256(key, S), S = FC || P0 || L0 || P1 || L1 || ..., every Li the length
// of Pi as two octets, big-endian. Returns all 32 bytes; a parameter longer than 65535 bytes is
// ErrorCode::InvalidArgument.
[[nodiscard]] Result<SecureBytes> kdf(ByteView key, std::uint8_t fc,
                                      std::span<const ByteView> params);
[[nodiscard]] Result<SecureBytes> kdf(ByteView key, std::uint8_t fc,
                                      std::initializer_list<ByteView> params);

// FC values used here (TS 33.501 Annex A, TS 33.535 Annex A.1.2).
inline constexpr std::uint8_t kFcKausf = 0x6A;
inline constexpr std::uint8_t kFcResStar = 0x6B;
inline constexpr std::uint8_t kFcKseaf = 0x6C;
inline constexpr std::uint8_t kFcKakma = 0x80;
inline constexpr std::uint8_t kFcAtid = 0x81;
inline constexpr std::uint8_t kFcKaf = 0x82;

inline constexpr std::size_t kAkaAutnSize = 16; // (SQN xor AK) || AMF || MAC-A
inline constexpr std::size_t kAkaAutsSize = 14; // (SQN_MS xor AK*) || MAC-S
inline constexpr std::size_t kAkaResStarSize = 16;
inline constexpr std::size_t kAkaKeySize = 32; // KAUSF, KSEAF, K_AKMA, K_AF, A-TID
inline constexpr std::uint64_t kAkaSqnMax = (std::uint64_t{1} << 48) - 1;

using AkaRand = std::array<std::uint8_t, kAkaRandSize>;
using AkaAutn = std::array<std::uint8_t, kAkaAutnSize>;
using AkaAuts = std::array<std::uint8_t, kAkaAutsSize>;
using AkaSqnBytes = std::array<std::uint8_t, kAkaSqnSize>;

// 48-bit big-endian conversions. sqnToBytes keeps the low 48 bits.
[[nodiscard]] AkaSqnBytes sqnToBytes(std::uint64_t sqn) noexcept;
[[nodiscard]] Result<std::uint64_t> sqnFromBytes(ByteView sqn);

// Serving network name for a 3GPP access network, "5G:mnc<MNC>.mcc<MCC>.3gppnetwork.org" with
// the MNC padded to three digits (TS 33.501 clause 6.1.1.4, TS 24.501 clause 9.12.1). MCC must be
// 3 digits and MNC 2 or 3 digits (ErrorCode::InvalidArgument otherwise).
[[nodiscard]] Result<std::string> servingNetworkName(std::string_view mcc, std::string_view mnc);

// ---- TS 33.501 Annex A ------------------------------------------------------------------------

// A.2: KAUSF = KDF(CK || IK, 0x6A, SN name, SQN xor AK).
[[nodiscard]] Result<SecureBytes>
deriveKausf(ByteView ck, ByteView ik, std::string_view snName, ByteView sqnXorAk);
// A.4: RES* / XRES* = the 128 least significant bits of KDF(CK || IK, 0x6B, SN name, RAND, RES).
[[nodiscard]] Result<SecureBytes> deriveResStar(ByteView ck, ByteView ik,
                                                std::string_view snName, ByteView rand,
                                                ByteView res);
// A.5: H(X)RES* = the 128 least significant bits of SHA-256(RAND || (X)RES*).
[[nodiscard]] Bytes deriveHresStar(ByteView rand, ByteView resStar);
// A.6: KSEAF = KDF(KAUSF, 0x6C, SN name).
[[nodiscard]] Result<SecureBytes> deriveKseaf(ByteView kausf, std::string_view snName);

// ---- Home network (ARPF/AUSF role) --------------------------------------------------------------

struct AkaAuthVector {
    AkaRand rand{};
    AkaAutn autn{};
    SecureBytes xresStar;  // 16 bytes: kept by the AUSF
    Bytes hxresStar;       // 16 bytes: what a serving network would be given
    SecureBytes kausf;     // 32 bytes
    std::uint64_t sqn = 0; // the SQN this vector carries
};

// Builds the 5G home environment authentication vector for SQN (<= kAkaSqnMax) and AMF (2
// bytes). For 5G the AMF separation bit (the most significant bit, TS 33.102 Annex H) should
// be 1; it is not forced here so that the published MILENAGE test sets can be used as is.
[[nodiscard]] Result<AkaAuthVector> generateAuthVector(Milenage& milenage, ByteView rand,
                                                       std::uint64_t sqn, ByteView amf,
                                                       std::string_view snName);
// The same with a fresh random RAND.
[[nodiscard]] Result<AkaAuthVector> generateAuthVector(Milenage& milenage, Random& rng,
                                                       std::uint64_t sqn, ByteView amf,
                                                       std::string_view snName);
// Compares the UE's RES* with XRES* in constant time: ErrorCode::AkaResMismatch if different.
[[nodiscard]] Status verifyResStar(const AkaAuthVector& vector, ByteView resStar);

// Resynchronisation (TS 33.102 clause 6.3.5): recovers SQN_MS = (AUTS[0..5] xor f5*(RAND)) and
// checks MAC-S = f1*(SQN_MS, RAND, AMF = 0x0000) in constant time (ErrorCode::AkaMacFailure if it
// does not verify). What the home network then does with SQN_MS: resyncHomeSqn().
[[nodiscard]] Result<std::uint64_t> recoverSqnFromAuts(Milenage& milenage, ByteView rand,
                                                       ByteView auts);

// ---- SQN = SEQ || IND (TS 33.102 Annex C) ------------------------------------------------------
//
// A 48-bit SQN is a 43-bit SEQ followed by a 5-bit index IND (Annex C.1.1, a = 2^5 = 32). The home
// network keeps SQN_HE = SEQ_HE || IND_HE, the last SQN it generated, per subscriber. Each new
// vector takes SEQ_HE + 1 and the next index, cyclically (Annex C.1.2 and C.3.2: one IND per
// vector, allocated in turn). The USIM keeps one SEQ_MS per index (Annex C.2.2) and so accepts
// up to 32 outstanding vectors in any order while refusing every replay.
inline constexpr unsigned kAkaIndBits = 5;
inline constexpr std::size_t kAkaIndCount = std::size_t{1} << kAkaIndBits; // 32
inline constexpr std::uint64_t kAkaSeqMax = kAkaSqnMax >> kAkaIndBits;      // 2^43 - 1
// Annex C.2.1: the largest forward jump of SEQ the USIM accepts (its recommended 2^28). The home
// network uses the same value to decide whether its next SQN would be accepted (clause 6.3.5).
inline constexpr std::uint64_t kAkaSeqDelta = std::uint64_t{1} << 28;

[[nodiscard]] constexpr std::uint64_t sqnSeq(std::uint64_t sqn) noexcept {
    return (sqn & kAkaSqnMax) >> kAkaIndBits;
}
[[nodiscard]] constexpr unsigned sqnInd(std::uint64_t sqn) noexcept {
    return static_cast<unsigned>(sqn & (kAkaIndCount - 1));
}
// SEQ || IND; SEQ keeps its low 43 bits, IND its low 5.
[[nodiscard]] constexpr std::uint64_t makeSqn(std::uint64_t seq, unsigned ind) noexcept {
    return ((seq & kAkaSeqMax) << kAkaIndBits) | (ind & (kAkaIndCount - 1));
}

// The SQN of the home network's next vector after SQN_HE: SEQ_HE + 1 with the next index (mod
// 32). ErrorCode::InvalidArgument when SEQ would pass kAkaSeqMax (the subscriber's sequence
// numbers are used up).
[[nodiscard]] Result<std::uint64_t> nextHomeSqn(std::uint64_t sqnHe);
// TS 33.102 clause 6.3.5, after a verified AUTS carrying SQN_MS: if the next SQN generated from
// SQN_HE would be accepted by the USIM (SEQ_MS < SEQ_HE + 1 <= SEQ_MS + kAkaSeqDelta), SQN_HE is
// kept; otherwise the home network's counter is reset to SQN_MS, so that its next vector carries
// SEQ_MS + 1. Returns the SQN_HE to continue from.
[[nodiscard]] std::uint64_t resyncHomeSqn(std::uint64_t sqnHe, std::uint64_t sqnMs) noexcept;

// The USIM's sequence number state (Annex C.2.2): one SEQ_MS per index, all zero initially.
struct UsimSqnArray {
    std::array<std::uint64_t, kAkaIndCount> seqMs{};

    // SQN_MS: the highest previously accepted sequence number anywhere in the array, SEQ || IND
    // (of the lowest index holding that SEQ). What an AUTS carries.
    [[nodiscard]] std::uint64_t sqnMs() const noexcept;
    // Records an accepted SQN: SEQ_MS(IND) = SEQ.
    void accept(std::uint64_t sqn) noexcept;
    // The state of a USIM that only remembered its highest accepted SQN (a profile written before
    // IND arrays): every element holds that SQN's SEQ, so exactly the SQNs with a higher SEQ are
    // fresh.
    [[nodiscard]] static UsimSqnArray fromHighest(std::uint64_t highestSqn) noexcept;
    friend bool operator==(const UsimSqnArray&, const UsimSqnArray&) = default;
};

// ---- USIM / UE side ----------------------------------------------------------------------------

// SQN freshness on the USIM.
//   - With a UsimSqnArray (TS 33.102 Annex C.2, what TwinSeal's client uses): SQN = SEQ || IND is
//     fresh when SEQ - SEQ_MS <= delta (C.2.1, SEQ_MS the highest SEQ accepted anywhere), when
//     SEQ_MS - SEQ < ageLimit if an age limit L is set (C.2.2, optional), and when
//     SEQ > SEQ_MS(IND) (C.2.2). delta and ageLimit count SEQ steps.
//   - With a single highest accepted SQN (the IND-less form, kept for the 3GPP test data): SQN is
//     fresh when highestAccepted < SQN <= highestAccepted + delta (delta counts SQN steps).
struct UsimSqnPolicy {
    std::uint64_t delta = kAkaSeqDelta;
    // Annex C.2.2's optional limit L on how far a SEQ may lag behind SEQ_MS; 0: not applied.
    // With IND allocated cyclically a vector lags at most 31 steps behind the newest one
    // generated, so an L above that (e.g. 64) refuses only vectors held back for long.
    std::uint64_t ageLimit = 0;
    // Refuse AUTNs whose AMF separation bit is 0 (TS 33.102 Annex H: not generated for 5G/EPS)
    // with ErrorCode::AkaNon5gAuthentication (NAS cause "non-5G authentication unacceptable",
    // TS 24.501). Checked before the MAC, as the ME does before involving the USIM.
    bool requireSeparationBit = true;
};

struct UsimChallengeResponse {
    SecureBytes resStar; // 16 bytes, sent to the network
    SecureBytes kausf;   // 32 bytes
    SecureBytes res;     // RES (8), CK and IK (16 each): the raw MILENAGE outputs
    SecureBytes ck;
    SecureBytes ik;
    std::uint64_t sqn = 0; // the accepted SQN: store it as the new highest accepted SQN
};

// Outcome of verifyChallenge:
//   result ok                      -> accepted; response in result.value();
//   result code AkaNon5gAuthentication -> the AMF separation bit is 0 (see UsimSqnPolicy);
//   result code AkaMacFailure      -> AUTN's MAC-A does not verify (wrong K/OPc or forged):
//                                     send a MAC failure;
//   result code AkaSyncFailure     -> MAC-A verifies but SQN is not fresh: auts holds
//                                     (SQN_MS xor AK*) || MAC-S to send back;
//   other codes                    -> malformed input (InvalidArgument) or a crypto failure.
struct [[nodiscard]] UsimChallengeOutcome {
    Result<UsimChallengeResponse> result;
    std::optional<AkaAuts> auts;
};

[[nodiscard]] UsimChallengeOutcome verifyChallenge(Milenage& milenage, ByteView rand, ByteView autn,
                                                   std::uint64_t highestAcceptedSqn,
                                                   std::string_view snName,
                                                   const UsimSqnPolicy& policy = {});
// The same with the USIM's SEQ_MS array (Annex C.2): on a synchronisation failure AUTS carries
// sqnState.sqnMs(). On success the caller records response.sqn with sqnState.accept() (durably,
// before answering).
[[nodiscard]] UsimChallengeOutcome verifyChallenge(Milenage& milenage, ByteView rand, ByteView autn,
                                                   const UsimSqnArray& sqnState,
                                                   std::string_view snName,
                                                   const UsimSqnPolicy& policy = {});
// AUTS = (SQN_MS xor f5*(RAND)) || f1*(SQN_MS, RAND, AMF = 0x0000) (TS 33.102 clause 6.3.3).
[[nodiscard]] Result<AkaAuts> computeAuts(Milenage& milenage, ByteView rand, std::uint64_t sqnMs);

// ---- AKMA (TS 33.535) --------------------------------------------------------------------------

// The SUPI as the AKMA/KAMF KDF takes it (TS 33.501 Annex A.7.0): for "imsi-<digits>" the IMSI
// digits, for "nai-<nai>" the NAI, as a character string. Other forms: InvalidArgument.
[[nodiscard]] Result<std::string> supiKdfParameter(std::string_view supi);

// A.2: K_AKMA = KDF(KAUSF, 0x80, "AKMA", SUPI).
[[nodiscard]] Result<SecureBytes> deriveKakma(ByteView kausf, std::string_view supi);
// A.3: A-TID = KDF(KAUSF, 0x81, "A-TID", SUPI) (all 32 bytes).
[[nodiscard]] Result<Bytes> deriveAtid(ByteView kausf, std::string_view supi);

// "5gc.mnc<MNC>.mcc<MCC>.3gppnetwork.org", MNC padded to three digits (TS 23.003 clause 28.2).
[[nodiscard]] Result<std::string> homeNetworkDomain(std::string_view mcc, std::string_view mnc);
// A-KID in NAI form username@realm (TS 33.535 clause 6.1). TwinSeal's choice of layout:
//   "<base64url(A-TID), unpadded>@rid<routing indicator>.akma.<home network domain>"
// e.g. "J3v...Q@rid0.akma.5gc.mnc001.mcc001.3gppnetwork.org". The routing indicator must be
// 1 to 4 digits (InvalidArgument otherwise).
[[nodiscard]] Result<std::string> akmaKeyIdentifier(ByteView aTid,
                                                    std::string_view routingIndicator,
                                                    std::string_view homeNetworkDomain);

// Ua* security protocol identifier (five octets, TS 33.220 Annex H: organisation octet + four
// protocol octets).
using UaProtocolId = std::array<std::uint8_t, 5>;
// TwinSeal's own identifier for its DT-service protocol (TLS 1.3 with a K_AF-derived PSK):
// organisation octet 0xFF, then "TS" and version 0x0001. Not a 3GPP allocation; it only keeps
// K_AF for this protocol apart from keys for any 3GPP-registered Ua* protocol.
inline constexpr UaProtocolId kTwinSealUaProtocolId = {0xFF, 0x54, 0x53, 0x00, 0x01};
// FQDN of TwinSeal's DT service as an AKMA application function (lab default).
inline constexpr std::string_view kTwinSealDtAfFqdn = "dt.twinseal.local";

// AF_ID = FQDN of the AF || Ua* security protocol identifier (TS 33.535 Annex A.4). The FQDN
// must be non-empty and at most 253 characters (InvalidArgument).
[[nodiscard]] Result<Bytes> akmaAfId(std::string_view afFqdn, const UaProtocolId& protocol);
// A.4: K_AF = KDF(K_AKMA, 0x82, AF_ID).
[[nodiscard]] Result<SecureBytes> deriveKaf(ByteView kakma, ByteView afId);

} // namespace twinseal::security
