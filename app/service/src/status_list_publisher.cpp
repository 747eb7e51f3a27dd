#include "twinseal/service/status_list_publisher.h"

#include <algorithm>

#include <twinseal/security/statuslist.h>

#include "service_util.h"

namespace twinseal::service {

using namespace twinseal::security;
using namespace util;

namespace {

// A list is valid for this many TTLs: verifiers refresh it after one TTL, and a list held back
// (by a cache or an attacker) is refused soon after, so it cannot hide a revocation for long.
constexpr std::int64_t kValidityTtls = 3;
constexpr quint64 kStatusListBlock = 1024;

quint64 statusListSize(qint64 nextIndex) {
    const quint64 issued = static_cast<quint64>(std::max<qint64>(nextIndex, 0));
    return std::max<quint64>(kStatusListBlock,
                             (issued + kStatusListBlock - 1) / kStatusListBlock * kStatusListBlock);
}

} // namespace

ServiceResult<QByteArray> StatusListPublisher::statusList() {
    auto revision = m_ctx.store.meta().counter("status_revision");
    auto next = m_ctx.store.meta().counter("next_status_index");
    if (!revision.ok() || !next.ok())
        return m_ctx.storageError(revision.ok() ? next.error() : revision.error());
    // Another service instance on the database may have published since this one did: then
    // its publication is the one to serve (a verifier refuses a list older than one it saw).
    if (auto st = adoptNewer(); !st.ok())
        return st.error();
    const qint64 now = m_ctx.clock.now();
    if (current(*revision, static_cast<qint64>(statusListSize(*next)), now))
        return m_bytes;
    return publish(now);
}

bool StatusListPublisher::current(qint64 revision, qint64 size, qint64 now) const {
    // Re-published when a status changed, when the list grew, and before verifiers are due to
    // refresh it (half its TTL).
    return !m_bytes.isEmpty() && revision == m_revision && size == m_size &&
           now - m_issuedAt < m_ctx.config.statusListTtl / 2;
}

ServiceStatus StatusListPublisher::adoptNewer() {
    Store& store = m_ctx.store;
    // A publication a rolled-back request scope had made is gone from the store: forget it.
    if (m_discardedScopes != store.discardedScopes()) {
        m_discardedScopes = store.discardedScopes();
        m_sequence = 0;
        m_bytes.clear();
    }
    auto header = store.meta().statusList(false);
    if (!header.ok())
        return m_ctx.storageError(header.error());
    if (!*header || (*header)->sequence <= m_sequence)
        return Nothing{};
    auto stored = store.meta().statusList(true);
    if (!stored.ok())
        return m_ctx.storageError(stored.error());
    // Sequences only grow: a row replaced between the two reads is newer still.
    if (!*stored || (*stored)->sequence <= m_sequence)
        return Nothing{};
    m_sequence = (*stored)->sequence;
    m_revision = (*stored)->statusRevision;
    m_size = (*stored)->size;
    m_issuedAt = (*stored)->issuedAt;
    m_bytes = (*stored)->list;
    return Nothing{};
}

ServiceResult<QByteArray> StatusListPublisher::publish(qint64 now) {
    // One write transaction: the statuses, the size and the sequence of one publication are
    // consistent, and two service processes sharing a database never reuse a sequence.
    Store& store = m_ctx.store;
    auto tx = store.begin(true);
    if (!tx.ok())
        return m_ctx.storageError(tx.error());
    auto revision = store.meta().counter("status_revision");
    auto next = store.meta().counter("next_status_index");
    auto lastSequence = store.meta().counter("status_list_sequence");
    auto inactive = store.credentials().inactiveStatusIndices();
    if (!revision.ok() || !next.ok() || !lastSequence.ok() || !inactive.ok())
        return m_ctx.storageError(!revision.ok()       ? revision.error()
                                  : !next.ok()         ? next.error()
                                  : !lastSequence.ok() ? lastSequence.error()
                                                       : inactive.error());
    const quint64 size = statusListSize(*next);
    // Another instance published while this one waited for the write lock: that one will do.
    if (auto st = adoptNewer(); !st.ok())
        return st.error();
    if (current(*revision, static_cast<qint64>(size), now)) {
        if (auto st = tx->commit(); !st.ok())
            return m_ctx.storageError(st.error());
        return m_bytes;
    }
    StatusListBuilder builder(m_ctx.keys.operatorName().toStdString(),
                              m_ctx.statusListUri().toStdString(), size);
    for (quint64 i : *inactive)
        if (auto st = builder.setRevoked(i); !st.ok())
            return fromSecurity(500, st.error());
    // Every publication gets a larger sequence than any before it, so a verifier can refuse a
    // rolled-back list. (Lists published before the sequence was stored used revision + 1.)
    const qint64 sequence = std::max(*lastSequence, *revision + 1) + 1;
    StatusListPublication pub;
    pub.issuedAt = now;
    pub.expiresAt = now + kValidityTtls * std::max<qint64>(m_ctx.config.statusListTtl, 1);
    pub.ttl = static_cast<std::uint64_t>(m_ctx.config.statusListTtl);
    pub.sequence = static_cast<std::uint64_t>(sequence);
    auto signedList = builder.sign(m_ctx.keys.issuerKey(), pub);
    if (!signedList.ok())
        return fromSecurity(500, signedList.error());
    const StoredStatusList published{sequence, now, *revision, static_cast<qint64>(size),
                                     qb(*signedList)};
    if (auto st = store.meta().setCounter("status_list_sequence", sequence); !st.ok())
        return m_ctx.storageError(st.error());
    if (auto st = store.meta().setStatusList(published); !st.ok())
        return m_ctx.storageError(st.error());
    if (auto st = tx->commit(); !st.ok())
        return m_ctx.storageError(st.error());
    m_sequence = published.sequence;
    m_revision = published.statusRevision;
    m_size = published.size;
    m_issuedAt = published.issuedAt;
    m_bytes = published.list;
    return m_bytes;
}

qint64 StatusListPublisher::maxAge() const {
    const qint64 ttl = m_ctx.config.statusListTtl;
    const qint64 age = m_ctx.clock.now() - m_issuedAt;
    return std::clamp<qint64>(ttl - age, 0, ttl);
}

ServiceResult<quint64> StatusListPublisher::allocateIndex() {
    auto nextIndex = m_ctx.store.meta().counter("next_status_index");
    if (!nextIndex.ok())
        return m_ctx.storageError(nextIndex.error());
    if (auto st = m_ctx.store.meta().setCounter("next_status_index", *nextIndex + 1); !st.ok())
        return m_ctx.storageError(st.error());
    return static_cast<quint64>(*nextIndex);
}

ServiceStatus StatusListPublisher::statusChanged() {
    auto rev = m_ctx.store.meta().counter("status_revision");
    if (!rev.ok())
        return m_ctx.storageError(rev.error());
    if (auto st = m_ctx.store.meta().setCounter("status_revision", *rev + 1); !st.ok())
        return m_ctx.storageError(st.error());
    return Nothing{};
}

} // namespace twinseal::service
