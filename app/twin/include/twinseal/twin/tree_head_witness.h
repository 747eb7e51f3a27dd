// TreeHeadWitness: split-view detection for the home network's transparency log (RFC 9162
// section 8.1.3 "the client checks consistency of every new head with the last one it saw").
//
// The witness keeps, per log (by its log id: SHA-256 of the log key's SubjectPublicKeyInfo), the
// last verified signed tree head in the data directory (log-heads/<log id hex>.sth, written
// atomically, re-verified with the log key when read). Every newly verified head is compared with
// it:
//   no head kept yet                    -> kept (Decision::First)
//   same size, same root                -> nothing changes (Decision::Unchanged)
//   same size, different root           -> FORK
//   larger                              -> a consistency proof from the kept head to the new one
//                                          is fetched and verified here: verified -> the new head
//                                          is kept (Decision::Advanced); does not verify -> FORK
//   smaller                             -> a proof from the new head to the kept one: verified ->
//                                          the kept head stays (Decision::Older); else FORK
// A fork is written to log-heads/<log id hex>.fork with both signed heads as evidence; from then
// on every check of that log answers LogFork ("log-fork"), across restarts, until a person
// removes the record. An unreadable or forged file is LogHeadStoreCorrupt and never silently
// replaced. A proof that cannot be fetched (the network, the service) is that error: nothing is
// decided and the kept head stays.
//
// Single-threaded: use it from one thread (the session's).
#pragma once

#include <QString>

#include <functional>
#include <optional>
#include <string>

#include <twinseal/netclient/client_error.h>
#include <twinseal/security/keys.h>
#include <twinseal/security/translog.h>

namespace twinseal::twin {

class TwinSession;

// A fork found between two verified tree heads of one log.
struct LogFork {
    security::SignedTreeHead kept;  // the head kept before
    security::SignedTreeHead other; // the head that does not fit it
    std::int64_t detectedAt = 0;    // Unix seconds
    std::string why;                // what did not verify

    // What a person reads: both histories (sizes, roots), what to do.
    [[nodiscard]] std::string message() const;
};

class TreeHeadWitness {
public:
    enum class Decision { First, Unchanged, Advanced, Older };

    // `dir` is the folder of the kept heads (TwinStore: path(layout::kLogHeadsDir)).
    explicit TreeHeadWitness(QString dir);

    [[nodiscard]] const QString& dir() const noexcept { return m_dir; }
    [[nodiscard]] QString headPath(const security::Digest& logId) const;
    [[nodiscard]] QString forkPath(const security::Digest& logId) const;

    // The kept head of the log, nullopt when none; LogHeadStoreCorrupt when the file does not
    // read, parse or verify with `logKey`.
    [[nodiscard]] security::Result<std::optional<security::SignedTreeHead>>
    kept(const security::PublicKey& logKey) const;
    // The recorded fork of the log, nullopt when none; LogHeadStoreCorrupt when unreadable.
    [[nodiscard]] security::Result<std::optional<LogFork>>
    fork(const security::PublicKey& logKey) const;

    // Fetches the (shape-checked, unverified) consistency proof between two tree sizes; the
    // witness verifies it. ServiceClient::fetchConsistency is one.
    using ProofSource = std::function<void(std::uint64_t first, std::uint64_t second,
                                           netclient::ClientCallback<security::ConsistencyProof>)>;

    // Checks `fresh` (verified with `logKey`) against the kept head; `done` gets the decision or
    // a ClientError: "log-fork" (recorded; the message names both heads), "log-head-store-corrupt",
    // "io-error", or the proof source's error. `done` may be called before check() returns; the
    // witness itself need not outlive the check (a temporary from TwinStore will do).
    void check(const security::PublicKey& logKey, const security::SignedTreeHead& fresh,
               std::int64_t now, const ProofSource& proofs,
               std::function<void(netclient::ClientResult<Decision>)> done);

    // The same through the session's home-network client and profile log key.
    void check(TwinSession& session, const security::SignedTreeHead& fresh,
               std::function<void(netclient::ClientResult<Decision>)> done);

    [[nodiscard]] static std::string_view decisionName(Decision d) noexcept;

private:
    [[nodiscard]] security::Status keep(const security::SignedTreeHead& head) const;
    [[nodiscard]] netclient::ClientError recordFork(const security::PublicKey& logKey,
                                                    const security::SignedTreeHead& kept,
                                                    const security::SignedTreeHead& other,
                                                    std::int64_t now, std::string why) const;

    QString m_dir;
};

// The ClientError for a recorded fork (code "log-fork").
[[nodiscard]] netclient::ClientError forkError(const LogFork& fork);

} // namespace twinseal::twin
