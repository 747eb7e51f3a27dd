// Privacy controls (DESIGN §7): the lawful disclosures of a DT's identity attributes the
// operator records (twinseal-homenet disclosure record), which only the DT's owner can see.
// Each one is committed to in the transparency log in the transaction that stores it, as an
// opaque entry (security/lawful_disclosure.h), and shown to the owner with its statement and
// inclusion proof once the operator's delay has passed (issue 12, finding 16).
#pragma once

#include <optional>

#include <twinseal/proto/homenet.pb.h>

#include "twinseal/service/service_context.h"
#include "twinseal/service/transparency_log.h"

namespace twinseal::service {

class LawfulDisclosures {
  public:
    LawfulDisclosures(ServiceContext& context, TransparencyLog& log)
        : m_ctx(context), m_log(log) {}

    // Records that the home network disclosed identity attributes of DT `dtId` to an authority,
    // and appends its commitment to the transparency log in the same transaction. Its owner is
    // shown it `delay` seconds later (nullopt: the configured disclosure-delay); a delay outside
    // 0..kMaxDisclosureDelay is refused (disclosure-delay-invalid).
    [[nodiscard]] ServiceResult<proto::LawfulDisclosure>
    record(const proto::LawfulDisclosure& r, std::optional<qint64> delay = std::nullopt);
    // The lawful disclosures about the caller's DTs that are past their delay, newest first,
    // each with its statement and inclusion proof in the list's signed tree head.
    [[nodiscard]] ServiceResult<proto::LawfulDisclosureList> of(const Caller& caller);

  private:
    ServiceContext& m_ctx;
    TransparencyLog& m_log;
};

} // namespace twinseal::service
