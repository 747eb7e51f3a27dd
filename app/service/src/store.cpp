#include "twinseal/service/store.h"

namespace twinseal::service {

StoreStatus Store::purgeExpired(qint64 now) {
    // Keep a day of finished authentication sessions so a late replay is still named one.
    TWINSEAL_TRY(m_auth.purgeExpired(now - 86400));
    TWINSEAL_TRY(m_avatars.purgeGrants(now - 86400));
    TWINSEAL_TRY(m_outcomes.purgeExpired(now));
    // Offers nobody answered in time: expired (finished when they expired).
    return m_transfers.expirePending(now);
}

} // namespace twinseal::service
