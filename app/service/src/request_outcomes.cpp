#include "twinseal/service/request_outcomes.h"

#include "service_util.h"

namespace twinseal::service {

using namespace util;
using security::ByteView;

namespace {
std::string sealContext(const QByteArray& key) {
    return "request-outcome:" + key.toHex().toStdString();
}
} // namespace

ServiceResult<std::optional<RecordedAnswer>> RequestOutcomes::recorded(const QByteArray& key,
                                                                       const QByteArray& digest) {
    auto row = m_ctx.store.outcomes().outcome(key);
    if (!row.ok())
        return m_ctx.storageError(row.error());
    if (!row->has_value())
        return std::optional<RecordedAnswer>();
    if ((*row)->digest != digest)
        return serviceError(409, "request-replayed",
                            "this request's nonce was already used by another request; sign each "
                            "request with a new nonce");
    auto body = m_ctx.keys.openField(sealContext(key), bv((*row)->sealedBody));
    if (!body.ok())
        return serviceError(500, "request-outcome-damaged",
                            "the recorded answer to this request cannot be opened");
    return std::optional<RecordedAnswer>(
        RecordedAnswer{(*row)->status, (*row)->contentType, qb(ByteView(*body))});
}

void RequestOutcomes::start() {
    m_ctx.store.beginScope();
}

void RequestOutcomes::abandon() {
    (void)m_ctx.store.endScope(true);
}

ServiceResult<RecordedAnswer> RequestOutcomes::finish(const QByteArray& key,
                                                      const QByteArray& digest, qint64 expiresAt,
                                                      RecordedAnswer answer) {
    Store& store = m_ctx.store;
    // Failed before changing anything, or asked to come back later: nothing to record; a
    // retry runs again.
    if ((answer.status >= 500 || answer.status == 429) && !store.scopeChanged()) {
        (void)store.endScope(false);
        return answer;
    }
    auto fail = [&](const security::Error& e) -> ServiceError {
        (void)store.endScope(false);
        return m_ctx.storageError(e);
    };
    auto sealed = m_ctx.keys.sealField(sealContext(key), bv(answer.body));
    if (!sealed.ok()) {
        (void)store.endScope(false);
        return serviceError(500, "seal-failed", "the answer could not be recorded");
    }
    auto tx = store.begin(true);
    if (!tx.ok())
        return fail(tx.error());
    auto inserted = store.outcomes().insert(
        RequestOutcomeRecord{key, digest, answer.status, answer.contentType, qb(ByteView(*sealed)), expiresAt});
    if (!inserted.ok())
        return fail(inserted.error());
    if (!*inserted) {
        // Another instance answered the same request first: its answer stands, and what this
        // one did is undone.
        (void)store.endScope(false);
        auto first = recorded(key, digest);
        if (!first.ok())
            return first.error();
        if (!first->has_value())
            return serviceError(503, "storage-unavailable", "the request's outcome vanished; retry");
        return std::move(**first);
    }
    if (auto st = tx->commit(); !st.ok())
        return fail(st.error());
    if (auto st = store.endScope(true); !st.ok())
        return m_ctx.storageError(st.error());
    return answer;
}

} // namespace twinseal::service
