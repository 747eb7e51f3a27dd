// Privacy controls (DESIGN §7): the lawful disclosures of a DT's identity attributes the
// operator records (twinseal-homenet disclosure record), which only the DT's owner can see.
#pragma once

#include <twinseal/proto/homenet.pb.h>

#include "twinseal/service/service_context.h"

namespace twinseal::service {

class LawfulDisclosures {
  public:
    explicit LawfulDisclosures(ServiceContext& context) : m_ctx(context) {}

    // Records that the home network disclosed identity attributes of DT `dtId` to an authority.
    [[nodiscard]] ServiceResult<proto::LawfulDisclosure> record(const proto::LawfulDisclosure& r);
    // The lawful disclosures about the caller's DTs, newest first.
    [[nodiscard]] ServiceResult<proto::LawfulDisclosureList> of(const Caller& caller);

  private:
    ServiceContext& m_ctx;
};

} // namespace twinseal::service
