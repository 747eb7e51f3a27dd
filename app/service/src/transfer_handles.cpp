#include "twinseal/service/transfer_handles.h"

#include "service_util.h"

namespace twinseal::service {

using namespace util;

namespace {
constexpr int kMaxHandleAttempts = 16;
} // namespace

ServiceResult<QString> TransferHandles::handleFor(const QString& supi) {
    auto existing = m_ctx.store.subscribers().handleOf(supi);
    if (!existing.ok())
        return m_ctx.storageError(existing.error());
    if (existing->has_value())
        return **existing;
    for (int attempt = 0; attempt < kMaxHandleAttempts; ++attempt) {
        auto raw = m_ctx.rng.bytes(7);
        if (!raw.ok())
            return serviceError(500, "random-failure", "the random generator failed");
        const QString handle = QString::fromStdString("tw-" + base32(*raw, 10, false));
        auto taken = m_ctx.store.subscribers().supiOfHandle(handle);
        if (!taken.ok())
            return m_ctx.storageError(taken.error());
        if (taken->has_value())
            continue;
        if (auto st = m_ctx.store.subscribers().insertHandle(supi, handle, m_ctx.clock.now());
            !st.ok())
            return m_ctx.storageError(st.error());
        return handle;
    }
    return serviceError(500, "handle-exhausted", "no free transfer handle could be found");
}

} // namespace twinseal::service
