// Transfer handles: the stable, unique, not secret name ("tw-...") a subscriber gives to an owner
// who wants to transfer a digital twin to them.
#pragma once

#include <QString>

#include "twinseal/service/service_context.h"

namespace twinseal::service {

class TransferHandles {
  public:
    explicit TransferHandles(ServiceContext& context) : m_ctx(context) {}

    // Inside a write transaction: the subscriber's transfer handle, created if missing.
    [[nodiscard]] ServiceResult<QString> handleFor(const QString& supi);

  private:
    ServiceContext& m_ctx;
};

} // namespace twinseal::service
