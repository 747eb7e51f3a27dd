// Lawful disclosures committed to in the transparency log (lawful_disclosure.h).
#include "twinseal/security/lawful_disclosure.h"

#include <cstring>

#include "twinseal/proto/codec.h"
#include "twinseal/proto/twinseal.pb.h"

namespace twinseal::security {

namespace {

constexpr std::uint32_t kStatementVersion = 1;

Error mismatch(std::string detail) {
    return makeError(ErrorCode::DisclosureCommitmentMismatch, std::move(detail));
}

} // namespace

Bytes DisclosureStatement::encode() const {
    proto::LawfulDisclosureStatement s;
    s.set_version(kStatementVersion);
    s.set_salt(salt.data(), salt.size());
    s.set_disclosure_id(disclosureId);
    s.set_dt_id(dtId);
    s.set_supi(supi);
    s.set_authority(authority);
    s.set_case_ref(caseRef);
    s.set_legal_basis(legalBasis);
    for (const auto& a : attributes)
        s.add_attributes(a);
    s.set_disclosed_at(disclosedAt);
    s.set_visible_at(visibleAt);
    return serialize(s);
}

Result<DisclosureStatement> DisclosureStatement::decode(ByteView encoded) {
    proto::LawfulDisclosureStatement s;
    if (encoded.empty() || !parseMessage(encoded, s))
        return makeError(ErrorCode::MalformedInput, "not a lawful-disclosure statement");
    if (s.version() != kStatementVersion)
        return makeError(ErrorCode::UnsupportedVersion, "lawful-disclosure statement version " +
                                                            std::to_string(s.version()) +
                                                            " is not supported");
    if (s.salt().size() != kDisclosureSaltSize)
        return makeError(ErrorCode::MalformedInput,
                         "a lawful-disclosure statement's salt is not 32 bytes");
    if (s.visible_at() < s.disclosed_at())
        return makeError(ErrorCode::MalformedInput,
                         "a lawful-disclosure statement is visible before it was made");
    DisclosureStatement out;
    out.salt = toBytes(s.salt());
    out.disclosureId = s.disclosure_id();
    out.dtId = s.dt_id();
    out.supi = s.supi();
    out.authority = s.authority();
    out.caseRef = s.case_ref();
    out.legalBasis = s.legal_basis();
    out.attributes.assign(s.attributes().begin(), s.attributes().end());
    out.disclosedAt = s.disclosed_at();
    out.visibleAt = s.visible_at();
    return out;
}

Result<DisclosureStatement> DisclosureStatement::salted(DisclosureStatement s, Random& rng) {
    auto salt = rng.bytes(kDisclosureSaltSize);
    TWINSEAL_TRY(salt);
    s.salt = std::move(salt).value();
    return s;
}

Digest disclosureCommitment(ByteView statementBytes) {
    const std::string_view context(kDisclosureCommitmentContext);
    Bytes input;
    input.reserve(context.size() + 1 + statementBytes.size());
    input.insert(input.end(), context.begin(), context.end());
    input.push_back(0x00);
    input.insert(input.end(), statementBytes.begin(), statementBytes.end());
    return sha256(input);
}

Result<DisclosureStatement> verifyDisclosureEvidence(ByteView statementBytes, ByteView entryBytes,
                                                     const InclusionProof& proof,
                                                     const TreeHead& head) {
    auto statement = DisclosureStatement::decode(statementBytes);
    if (!statement.ok())
        return mismatch("the statement committed to does not read (" +
                        statement.error().message() + ")");
    auto entry = LogEntry::decode(entryBytes);
    if (!entry.ok())
        return mismatch("its log entry does not read (" + entry.error().message() + ")");
    if (entry->type != LogEntryType::LawfulDisclosure)
        return mismatch("its log entry records a " + std::string(logEntryTypeName(entry->type)) +
                        ", not a lawful disclosure");
    if (!entry->dtId.empty() || !entry->subscriberBinding.empty() || !entry->details.empty() ||
        !entry->holderKey.empty())
        return mismatch("its log entry is not opaque: it names a DT, subscriber or key");
    const Digest expected = disclosureCommitment(statementBytes);
    if (!constantTimeEqual(ByteView(expected), ByteView(entry->credentialDigest)))
        return mismatch("the disclosure does not match the commitment in log entry " +
                        std::to_string(proof.leafIndex) + ": it was altered after it was logged");
    if (auto st = verifyInclusion(head, proof, entryBytes); !st.ok())
        return makeError(ErrorCode::DisclosureProofInvalid,
                         "log entry " + std::to_string(proof.leafIndex) +
                             " is not proven included in the signed tree head (" +
                             st.error().message() + ")");
    return statement;
}

} // namespace twinseal::security
