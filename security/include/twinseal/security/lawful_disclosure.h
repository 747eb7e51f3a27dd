// Lawful disclosures made tamper-evident (DESIGN §7; issue 12, finding 16). The home network
// commits to every disclosure it records in its transparency log, in the write transaction that
// stores the disclosure: an opaque LogEntry of type LawfulDisclosure whose credentialDigest is
//   commitment = SHA-256("twinseal.lawful-disclosure.v1" || 0x00 || statement bytes)
// over the serialized LawfulDisclosureStatement as stored (twinseal.proto). The statement holds
// 32 random bytes of salt, so the public entry reveals neither the subscriber, the DT, the
// authority nor the case; its dt_id is empty. The home network hands the statement only to the
// subscriber it is about, with the entry and an inclusion proof in a signed tree head; the
// subscriber recomputes the commitment and checks the proof (verifyDisclosureEvidence). Once
// logged, a disclosure cannot be altered (authority, case, legal basis, attributes, its time, or
// when the owner may see it) without the commitment failing, and the log's consistency proofs
// keep the entry from being removed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "twinseal/security/clock.h"
#include "twinseal/security/translog.h"

namespace twinseal::security {

inline constexpr const char* kDisclosureCommitmentContext = "twinseal.lawful-disclosure.v1";
inline constexpr std::size_t kDisclosureSaltSize = 32;

struct DisclosureStatement {
    Bytes salt; // kDisclosureSaltSize random bytes
    std::string disclosureId;
    std::string dtId;
    std::string supi; // the DT's owner when it was disclosed
    std::string authority;
    std::string caseRef;
    std::string legalBasis;
    std::vector<std::string> attributes;
    std::int64_t disclosedAt = 0; // Unix seconds
    std::int64_t visibleAt = 0;   // from when the owner is shown it

    // The serialized twinseal.proto.LawfulDisclosureStatement (what the commitment covers).
    [[nodiscard]] Bytes encode() const;
    // MalformedInput (not a statement, a salt of another size, visibleAt before disclosedAt) /
    // UnsupportedVersion.
    [[nodiscard]] static Result<DisclosureStatement> decode(ByteView encoded);
    // A statement with fresh salt from `rng`.
    [[nodiscard]] static Result<DisclosureStatement> salted(DisclosureStatement s, Random& rng);
};

// SHA-256(kDisclosureCommitmentContext || 0x00 || statementBytes).
[[nodiscard]] Digest disclosureCommitment(ByteView statementBytes);

// The owner's check of one listed disclosure against a tree head already verified with the log
// key: `entryBytes` is an opaque lawful-disclosure entry whose commitment is the one of
// `statementBytes`, and `proof` leads from it to the head's root. Returns the statement.
//   the statement does not decode, or the entry is not a lawful-disclosure entry committing to
//   it                                                 -> DisclosureCommitmentMismatch
//   the proof is for another tree size or does not lead to the root -> DisclosureProofInvalid
[[nodiscard]] Result<DisclosureStatement> verifyDisclosureEvidence(ByteView statementBytes,
                                                                   ByteView entryBytes,
                                                                   const InclusionProof& proof,
                                                                   const TreeHead& head);

} // namespace twinseal::security
