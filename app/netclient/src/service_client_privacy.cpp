// ServiceClient: privacy controls (DESIGN §7) — pseudonym rotation (verified like a
// re-certification, plus a changed pseudonym) and the lawful disclosures the home network
// recorded about the caller's DTs.
#include <algorithm>

#include <twinseal/security/lawful_disclosure.h>

#include "client_common.h"
#include "transport.h"
#include "twinseal/netclient/service_client.h"
#include "wire.h"

namespace twinseal::netclient {

namespace sec = twinseal::security;
using detail::AuthKind;
using detail::callProto;
using detail::deliverLater;
using detail::getRequest;

namespace {

constexpr int kMaxDisclosures = 1000;

ClientResult<LawfulDisclosure> disclosureFromProto(const proto::LawfulDisclosure& d) {
    if (d.disclosure_id().empty() || d.dt_id().empty() || d.authority().empty() ||
        d.attributes().empty())
        return detail::malformed("the lawful disclosures",
                                 "a record has no id, DT, authority or attributes");
    LawfulDisclosure out;
    out.disclosureId = d.disclosure_id();
    out.dtId = d.dt_id();
    out.authority = d.authority();
    out.caseRef = d.case_ref();
    out.legalBasis = d.legal_basis();
    out.attributes.assign(d.attributes().begin(), d.attributes().end());
    out.disclosedAt = d.disclosed_at();
    return out;
}

void notVerified(LawfulDisclosure& d, sec::ErrorCode code, const std::string& why) {
    d.verified = false;
    d.verificationCode = std::string(sec::errorCodeName(code));
    d.verificationMessage = why;
}

// The disclosure as listed must be the statement its opaque log entry commits to (about this
// subscriber), and the entry proven included in `head` (verified with the log key; null when it
// did not verify, `headProblem` saying why).
void verifyAgainstLog(LawfulDisclosure& out, const proto::LawfulDisclosure& d,
                      const sec::SignedTreeHead* head, const std::string& headProblem,
                      const std::string& ownSupi) {
    using sec::ErrorCode;
    if (d.statement().empty())
        return notVerified(out, ErrorCode::DisclosureNotLogged,
                           "The home network listed this disclosure without a commitment in its "
                           "transparency log (recorded before disclosures were logged?): it "
                           "cannot be checked. Ask your operator about it.");
    out.logIndex = d.log_index();
    out.visibleAt = d.visible_at();
    const std::string at = "log entry " + std::to_string(d.log_index());
    if (head == nullptr)
        return notVerified(out, ErrorCode::DisclosureProofInvalid,
                           "The signed tree head of the list does not verify with your operator's "
                           "log key (" + headProblem + "), so " + at + " is not proven.");
    auto proof = sec::InclusionProof::decode(detail::serializeBytes(d.proof()));
    if (!proof.ok())
        return notVerified(out, ErrorCode::DisclosureProofInvalid,
                           "The inclusion proof of " + at + " does not read (" +
                               proof.error().message() + ").");
    if (proof->leafIndex != d.log_index())
        return notVerified(out, ErrorCode::DisclosureProofInvalid,
                           "The inclusion proof is for log entry " +
                               std::to_string(proof->leafIndex) + ", not " + at + ".");
    auto statement = sec::verifyDisclosureEvidence(detail::viewOf(d.statement()),
                                                   detail::viewOf(d.log_entry()), *proof,
                                                   head->head);
    if (!statement.ok())
        return notVerified(out, statement.code(), statement.error().detail + ".");
    const sec::DisclosureStatement& s = *statement;
    const bool same = s.disclosureId == d.disclosure_id() && s.dtId == d.dt_id() &&
                      s.authority == d.authority() && s.caseRef == d.case_ref() &&
                      s.legalBasis == d.legal_basis() &&
                      std::equal(s.attributes.begin(), s.attributes.end(),
                                 d.attributes().begin(), d.attributes().end()) &&
                      s.disclosedAt == d.disclosed_at() && s.visibleAt == d.visible_at();
    if (!same)
        return notVerified(out, ErrorCode::DisclosureCommitmentMismatch,
                           "The disclosure as listed differs from the one the home network "
                           "committed to in " + at + ": it was altered after it was logged.");
    if (s.supi != ownSupi)
        return notVerified(out, ErrorCode::DisclosureCommitmentMismatch,
                           "The statement committed to in " + at +
                               " is about another subscriber, not you.");
    out.verified = true;
    out.verificationCode.clear();
    out.verificationMessage = "Committed to in transparency log entry " +
                              std::to_string(d.log_index()) +
                              ", proven in the signed tree head of " +
                              std::to_string(head->head.treeSize) + " entries.";
}

} // namespace

void ServiceClient::rotatePseudonym(const std::string& dtId, const sec::SigningKey& holderKey,
                                    sec::Bytes signedManifest, const std::string& previousPseudonym,
                                    ClientCallback<Registration> done) {
    if (dtId.empty())
        return deliverLater<Registration>(
            this, std::move(done),
            clientError(reason::kInvalidArgument, "Name the DT whose pseudonym to rotate."));
    startRegistration(
        sec::RegistrationPurpose::RotatePseudonym, dtId, holderKey, std::move(signedManifest),
        [done = std::move(done), previousPseudonym](ClientResult<Registration> r) {
            if (r.ok() && !previousPseudonym.empty() &&
                r->credential.claims.pseudonym == previousPseudonym)
                return done(clientError("pseudonym-not-rotated",
                                        "The home network issued a credential with the same "
                                        "pseudonym; it was not saved. Try again."));
            done(std::move(r));
        });
}

void ServiceClient::listLawfulDisclosures(ClientCallback<LawfulDisclosureList> done) {
    callProto<proto::LawfulDisclosureList, LawfulDisclosureList>(
        *m_transport, this, getRequest("/v1/disclosures", AuthKind::Akma),
        "the lawful disclosures", std::move(done),
        [logKey = m_profile.logKey, supi = m_profile.supi.toString()](
            const proto::LawfulDisclosureList& list) -> ClientResult<LawfulDisclosureList> {
            if (list.disclosures_size() > kMaxDisclosures)
                return detail::malformed("the lawful disclosures", "too many records");
            // Every disclosure is listed, verified or not: the owner must see each one.
            auto head = sec::parseSignedTreeHead(detail::viewOf(list.tree_head()), logKey);
            const std::string headProblem = head.ok() ? std::string() : head.error().message();
            LawfulDisclosureList out;
            if (head.ok())
                out.treeHead = *head;
            out.disclosures.reserve(static_cast<std::size_t>(list.disclosures_size()));
            for (const auto& d : list.disclosures()) {
                auto one = disclosureFromProto(d);
                if (!one.ok())
                    return one.error();
                verifyAgainstLog(*one, d, head.ok() ? &*head : nullptr, headProblem, supi);
                out.disclosures.push_back(std::move(one).value());
            }
            return out;
        });
}

} // namespace twinseal::netclient
