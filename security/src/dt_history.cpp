#include "twinseal/security/dt_history.h"

#include <algorithm>

namespace twinseal::security {

namespace {
Error malformed(std::string detail) {
    return makeError(ErrorCode::MalformedInput, std::move(detail));
}
} // namespace

Result<std::optional<VerifiedTransfer>> DtHistoryChain::add(const LogEntry& entry) {
    if (entry.dtId != m_dtId)
        return malformed("the history holds an entry of DT " + entry.dtId);
    if (!m_current && entry.type != LogEntryType::Issuance)
        return malformed("the history does not start with the DT's issuance");
    std::optional<VerifiedTransfer> transfer;
    switch (entry.type) {
    case LogEntryType::Issuance:
        if (m_current)
            return malformed("it issues the DT a second time");
        break;
    case LogEntryType::Recertification: {
        Digest previous{};
        if (entry.details.size() != previous.size())
            return malformed("it re-certifies another credential than the current one");
        std::copy(entry.details.begin(), entry.details.end(), previous.begin());
        if (previous != *m_current)
            return malformed("it re-certifies another credential than the current one");
        break;
    }
    case LogEntryType::Transfer: {
        auto verified = verifyTransferEntry(entry, m_holder);
        if (!verified.ok()) {
            if (verified.code() == ErrorCode::TransferSignerMismatch ||
                verified.code() == ErrorCode::KeyMismatch)
                return verified.error();
            return malformed("it is not a valid transfer record (" + verified.error().message() +
                             ")");
        }
        if (verified->offer.offer.credentialDigest != *m_current)
            return malformed("it transfers another credential than the current one");
        transfer = std::move(verified).value();
        break;
    }
    case LogEntryType::LawfulDisclosure:
        return malformed("a lawful-disclosure entry is not part of a DT's history");
    case LogEntryType::Revocation:
        if (entry.credentialDigest != *m_current)
            return malformed("it revokes another credential than the current one");
        break;
    }
    if (entry.type != LogEntryType::Revocation)
        m_holder = entry.holderKey;
    m_current = entry.credentialDigest;
    return transfer;
}

} // namespace twinseal::security
