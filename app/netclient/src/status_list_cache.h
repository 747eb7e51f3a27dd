// The client's verified copy of the home network's revocation status list (private to
// app/netclient): kept in memory and, when a path is given, in a file, so a verifier fetches the list
// only when it is due for a refresh (its TTL) and never accepts an older publication than one it
// has already seen (rollback), across restarts too.
#pragma once

#include <QString>

#include <cstdint>
#include <optional>

#include <twinseal/security/keys.h>
#include <twinseal/security/statuslist.h>

#include "twinseal/netclient/client_error.h"

namespace twinseal::netclient::detail {

class StatusListCache {
public:
    // `path` empty: memory only. The file is read now; one that does not verify with
    // `issuerKey` (damaged, another operator's) is ignored and replaced on the next update.
    StatusListCache(QString path, security::PublicKey issuerKey);

    // The cached list when it is still fresh and not yet due for a refresh (nor invalidated).
    [[nodiscard]] std::optional<security::StatusList> usable(std::int64_t now) const;
    // Takes a freshly fetched and verified list: refused with "status-list-rollback" when it is
    // older than the cached one and "status-list-mismatch" when it is another list or a second
    // publication under one sequence; saved (atomically) when accepted.
    [[nodiscard]] ClientResult<security::StatusList> update(security::StatusList fetched);
    // The next usable() fetches again (a status this client changed).
    void invalidate() noexcept { m_stale = true; }
    [[nodiscard]] const std::optional<security::StatusList>& current() const noexcept {
        return m_list;
    }

private:
    QString m_path;
    security::PublicKey m_issuerKey;
    std::optional<security::StatusList> m_list;
    bool m_stale = false;
};

} // namespace twinseal::netclient::detail
