#pragma once

// One digital twin's history as the transparency log records it, checked entry by entry in log
// order: it starts with the DT's issuance; a re-certification names the credential it
// supersedes, which must be the current one; a transfer transfers the current credential, its
// offer signed by that credential's holder key (recorded in the entry that issued it), never
// just by a key the offer carries; a revocation revokes the current credential.

#include <optional>
#include <string>

#include "twinseal/security/transfer.h"
#include "twinseal/security/translog.h"

namespace twinseal::security {

class DtHistoryChain {
  public:
    explicit DtHistoryChain(std::string dtId) : m_dtId(std::move(dtId)) {}

    // The next entry (already proven included in the log). Its transfer, verified, for a
    // transfer entry. Errors: MalformedInput (another DT, not starting with the issuance, a second
    // issuance, an entry about another credential than the current one, a transfer record that
    // does not verify), TransferSignerMismatch (an offer not signed by the transferred
    // credential's holder key), KeyMismatch (a transfer entry whose holder key did not accept).
    [[nodiscard]] Result<std::optional<VerifiedTransfer>> add(const LogEntry& entry);

  private:
    std::string m_dtId;
    std::optional<Digest> m_current; // the credential the previous entry issued
    PublicKey m_holder;              // its holder key
};

} // namespace twinseal::security
