// The signed status list of the credentials this home network issued: each credential has an
// index in it (allocated at issuance), a revoked or superseded one is marked, and every
// publication carries a larger sequence than any before it, so a verifier can refuse a
// rolled-back list. Re-published when a status changed, when the list grew and before
// verifiers are due to refresh it. The latest publication is stored in the database, and every
// service instance on it serves that one (never a publication of its own that another instance
// has since superseded).
#pragma once

#include <QByteArray>

#include "twinseal/service/service_context.h"

namespace twinseal::service {

class StatusListPublisher {
  public:
    explicit StatusListPublisher(ServiceContext& context) : m_ctx(context) {}

    // The current publication (signed again when due).
    [[nodiscard]] ServiceResult<QByteArray> statusList();
    // Seconds a verifier (or an HTTP cache) may keep the list statusList() last returned before
    // it is due for a refresh: what is left of its TTL.
    [[nodiscard]] qint64 maxAge() const;
    // Inside a write transaction: the index of a credential about to be issued.
    [[nodiscard]] ServiceResult<quint64> allocateIndex();
    // Inside a write transaction: a credential's status changed, so the list must be re-published.
    [[nodiscard]] ServiceStatus statusChanged();

  private:
    // Signs and caches a new publication under the next persisted sequence, and stores it for
    // the other instances on the database (unless one of them just did: then that one).
    [[nodiscard]] ServiceResult<QByteArray> publish(qint64 now);
    // Takes the stored publication when it is newer than the one this instance holds (the
    // signed bytes are read only then).
    [[nodiscard]] ServiceStatus adoptNewer();
    // The held publication still stands for this revision and size at `now`.
    [[nodiscard]] bool current(qint64 revision, qint64 size, qint64 now) const;

    ServiceContext& m_ctx;
    qint64 m_sequence = 0;
    qint64 m_revision = -1;
    qint64 m_size = -1;
    qint64 m_issuedAt = 0;
    QByteArray m_bytes;
    quint64 m_discardedScopes = 0; // Store::discardedScopes() the publication was read after
};

} // namespace twinseal::service
