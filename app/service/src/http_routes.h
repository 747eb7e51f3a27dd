// The endpoints of the home network's HTTPS API (/v1/...), as a routing table.
#pragma once

#include "http_exchange.h"
#include "http_router.h"

namespace twinseal::service::http {

using Routes = Router<Exchange>;

// Adds every /v1 endpoint to `routes`.
void addRoutes(Routes& routes);

} // namespace twinseal::service::http
