// The transparency log of the home network: every issuance, re-certification, revocation and
// transfer is appended (inside the write transaction of the change) and published as signed
// tree heads with inclusion and consistency proofs. The Merkle tree is kept in memory and
// caught up with the store before every read, so several processes can share a database.
#pragma once

#include <QByteArray>
#include <QString>

#include <twinseal/proto/homenet.pb.h>
#include <twinseal/security/translog.h>

#include "twinseal/service/service_context.h"

namespace twinseal::service {

class TransparencyLog {
  public:
    explicit TransparencyLog(ServiceContext& context) : m_ctx(context) {}

    struct Append {
        quint64 index = 0;
        QByteArray entry;
    };

    // Catches the in-memory tree up with the store.
    [[nodiscard]] ServiceStatus sync();
    // Recomputes every stored leaf hash from its entry: a damaged log must not serve.
    [[nodiscard]] ServiceStatus verifyStored();
    // Inside a write transaction: stores the next entry. Public log entries name the DT and the
    // credential digest, never the subscriber: no binding, nothing derived from the SUPI, no
    // free text. `holderKey`: the holder key of the credential an entry issues (empty for a
    // revocation), which the next transfer's offer must be signed with.
    [[nodiscard]] ServiceResult<Append> append(security::LogEntryType type, const QString& dtId,
                                               const QByteArray& credentialDigest,
                                               const QByteArray& details,
                                               const security::PublicKey& holderKey = {});
    // After the transaction that stored `appended` committed: adds it to the in-memory tree.
    void committed(const Append& appended);
    // After the commit: a receipt for an appended entry in the current tree.
    [[nodiscard]] ServiceResult<proto::LogReceipt> receiptFor(const Append& appended);

    [[nodiscard]] ServiceResult<security::SignedTreeHead> signedHead(quint64 size);
    // The current signed tree head (re-signed when the log grew or a minute passed).
    [[nodiscard]] ServiceResult<QByteArray> treeHead();
    [[nodiscard]] ServiceResult<proto::LogInclusionResponse> inclusion(quint64 index, quint64 size);
    // Entry `index` as stored and its inclusion proof in the tree of `size` entries (synced
    // before; no tree head is signed: the caller signs one for `size`).
    [[nodiscard]] ServiceStatus entryAndProof(quint64 index, quint64 size, std::string* entry,
                                              proto::InclusionProof* proof);
    [[nodiscard]] ServiceResult<proto::LogInclusionResponse>
    inclusionByCredential(const QByteArray& digest, quint64 size);
    [[nodiscard]] ServiceResult<proto::ConsistencyProof> consistency(quint64 first, quint64 second);
    // Every entry of one DT with its inclusion proof in one signed tree head.
    [[nodiscard]] ServiceResult<proto::DtHistory> history(const QString& dtId);

    [[nodiscard]] quint64 size() const { return m_log.size(); }

  private:
    ServiceContext& m_ctx;
    security::MerkleLog m_log;
    quint64 m_headSize = ~quint64{0};
    qint64 m_headAt = 0;
    QByteArray m_headBytes;
    quint64 m_discardedScopes = 0; // Store::discardedScopes() the tree was built after
};

} // namespace twinseal::service
