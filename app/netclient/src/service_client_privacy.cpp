// ServiceClient: privacy controls (DESIGN §7) — pseudonym rotation (verified like a
// re-certification, plus a changed pseudonym) and the lawful disclosures the home network
// recorded about the caller's DTs.
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

void ServiceClient::listLawfulDisclosures(ClientCallback<std::vector<LawfulDisclosure>> done) {
    callProto<proto::LawfulDisclosureList, std::vector<LawfulDisclosure>>(
        *m_transport, this, getRequest("/v1/disclosures", AuthKind::Akma),
        "the lawful disclosures", std::move(done),
        [](const proto::LawfulDisclosureList& list)
            -> ClientResult<std::vector<LawfulDisclosure>> {
            if (list.disclosures_size() > kMaxDisclosures)
                return detail::malformed("the lawful disclosures", "too many records");
            std::vector<LawfulDisclosure> out;
            out.reserve(static_cast<std::size_t>(list.disclosures_size()));
            for (const auto& d : list.disclosures()) {
                auto one = disclosureFromProto(d);
                if (!one.ok())
                    return one.error();
                out.push_back(std::move(one).value());
            }
            return out;
        });
}

} // namespace twinseal::netclient
