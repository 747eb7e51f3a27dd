#include "twinseal/service/transparency_log.h"

#include "service_util.h"
#include <twinseal/proto/codec.h>

namespace twinseal::service {

using namespace twinseal::security;
using namespace util;

ServiceStatus TransparencyLog::sync() {
    // Entries a rolled-back request scope had appended are gone from the store: rebuild.
    if (m_discardedScopes != m_ctx.store.discardedScopes()) {
        m_discardedScopes = m_ctx.store.discardedScopes();
        m_log = MerkleLog();
        m_headSize = ~quint64{0};
        m_headBytes.clear();
    }
    auto hashes = m_ctx.store.log().leafHashesFrom(m_log.size());
    if (!hashes.ok())
        return m_ctx.storageError(hashes.error());
    for (const QByteArray& h : *hashes) {
        if (h.size() != 32)
            return serviceError(500, "log-corrupt", "a stored leaf hash is not 32 bytes");
        m_log.append(digestOf(h));
    }
    return Nothing{};
}

ServiceStatus TransparencyLog::verifyStored() {
    if (auto st = sync(); !st.ok())
        return st;
    for (quint64 i = 0; i < m_log.size(); ++i) {
        auto entry = m_ctx.store.log().logEntry(i);
        if (!entry.ok())
            return m_ctx.storageError(entry.error());
        if (!entry->has_value() || logLeafHash(bv(**entry)) != *m_log.leafHash(i))
            return serviceError(500, "log-corrupt",
                                "transparency log entry " + std::to_string(i) +
                                    " does not match its leaf hash; the database is damaged");
    }
    return Nothing{};
}

ServiceResult<TransparencyLog::Append> TransparencyLog::append(LogEntryType type,
                                                               const QString& dtId,
                                                               const QByteArray& credentialDigest,
                                                               const QByteArray& details,
                                                               const PublicKey& holderKey) {
    // Called inside a write transaction: the log cannot move under us.
    if (auto st = sync(); !st.ok())
        return st.error();
    LogEntry e;
    e.type = type;
    e.timestamp = m_ctx.clock.now();
    e.dtId = dtId.toStdString();
    e.credentialDigest = digestOf(credentialDigest);
    e.details = Bytes(details.begin(), details.end());
    e.holderKey = holderKey;
    const Bytes bytes = e.encode();
    Append out{m_log.size(), qb(bytes)};
    const Digest leaf = logLeafHash(bytes);
    if (auto st = m_ctx.store.log().appendLogEntry(out.index, out.entry, qb(ByteView(leaf)),
                                                   credentialDigest, e.timestamp, dtId);
        !st.ok())
        return m_ctx.storageError(st.error());
    return out;
}

void TransparencyLog::committed(const Append& appended) {
    m_log.append(logLeafHash(bv(appended.entry)));
}

ServiceResult<proto::LogReceipt> TransparencyLog::receiptFor(const Append& appended) {
    auto sth = signedHead(m_log.size());
    if (!sth.ok())
        return sth.error();
    auto proof = m_log.inclusionProof(appended.index, m_log.size());
    if (!proof.ok())
        return fromSecurity(500, proof.error());
    auto receipt =
        makeLogReceipt(std::move(sth).value(), Bytes(appended.entry.begin(), appended.entry.end()),
                       std::move(proof).value());
    if (!receipt.ok())
        return fromSecurity(500, receipt.error());
    proto::LogReceipt out;
    if (!proto::parseMessage(receipt->encode(), out))
        return serviceError(500, "internal", "cannot encode the log receipt");
    return out;
}

ServiceResult<SignedTreeHead> TransparencyLog::signedHead(quint64 size) {
    auto root = m_log.root(size);
    if (!root.ok())
        return fromSecurity(400, root.error());
    auto sth = signTreeHead(size, *root, m_ctx.clock.now(), m_ctx.keys.logKey());
    if (!sth.ok())
        return fromSecurity(500, sth.error());
    return std::move(sth).value();
}

ServiceResult<QByteArray> TransparencyLog::treeHead() {
    if (auto st = sync(); !st.ok())
        return st.error();
    const qint64 now = m_ctx.clock.now();
    if (m_headSize != m_log.size() || now - m_headAt > 60) {
        auto sth = signedHead(m_log.size());
        if (!sth.ok())
            return sth.error();
        m_headSize = m_log.size();
        m_headAt = now;
        m_headBytes = qb(sth->encoded);
    }
    return m_headBytes;
}

ServiceResult<proto::LogInclusionResponse> TransparencyLog::inclusion(quint64 index, quint64 size) {
    if (auto st = sync(); !st.ok())
        return st.error();
    if (size == 0)
        size = m_log.size();
    if (size > m_log.size())
        return badRequest("tree-size-unknown",
                          "the log has only " + std::to_string(m_log.size()) + " entries");
    if (index >= size)
        return badRequest("index-out-of-range", "entry " + std::to_string(index) +
                                                    " is not in a tree of size " +
                                                    std::to_string(size));
    auto proof = m_log.inclusionProof(index, size);
    if (!proof.ok())
        return fromSecurity(400, proof.error());
    auto entry = m_ctx.store.log().logEntry(index);
    if (!entry.ok())
        return m_ctx.storageError(entry.error());
    if (!entry->has_value())
        return serviceError(500, "log-corrupt", "a log entry is missing");
    auto sth = signedHead(size);
    if (!sth.ok())
        return sth.error();
    proto::LogInclusionResponse out;
    out.set_entry(str(**entry));
    if (!proto::parseMessage(proof->encode(), *out.mutable_proof()))
        return serviceError(500, "internal", "cannot encode the inclusion proof");
    out.set_tree_head(toString(sth->encoded));
    return out;
}

ServiceStatus TransparencyLog::entryAndProof(quint64 index, quint64 size, std::string* entry,
                                             proto::InclusionProof* proof) {
    auto path = m_log.inclusionProof(index, size);
    if (!path.ok())
        return fromSecurity(500, path.error());
    auto stored = m_ctx.store.log().logEntry(index);
    if (!stored.ok())
        return m_ctx.storageError(stored.error());
    if (!stored->has_value())
        return serviceError(500, "log-corrupt", "a log entry is missing");
    *entry = str(**stored);
    if (!proto::parseMessage(path->encode(), *proof))
        return serviceError(500, "internal", "cannot encode the inclusion proof");
    return Nothing{};
}

ServiceResult<proto::LogInclusionResponse>
TransparencyLog::inclusionByCredential(const QByteArray& digest, quint64 size) {
    if (digest.size() != 32)
        return badRequest("digest-invalid", "a credential digest is 32 bytes (64 hex digits)");
    auto idx = m_ctx.store.log().logIndexOfCredential(digest);
    if (!idx.ok())
        return m_ctx.storageError(idx.error());
    if (!idx->has_value())
        return serviceError(404, "not-in-log",
                            "no log entry names this credential: it was not issued by this "
                            "home network");
    return inclusion(**idx, size);
}

ServiceResult<proto::ConsistencyProof> TransparencyLog::consistency(quint64 first, quint64 second) {
    if (auto st = sync(); !st.ok())
        return st.error();
    if (second == 0)
        second = m_log.size();
    if (first == 0 || first > second || second > m_log.size())
        return badRequest("tree-size-invalid",
                          "need 0 < first <= second <= " + std::to_string(m_log.size()));
    auto proof = m_log.consistencyProof(first, second);
    if (!proof.ok())
        return fromSecurity(400, proof.error());
    proto::ConsistencyProof out;
    if (!proto::parseMessage(proof->encode(), out))
        return serviceError(500, "internal", "cannot encode the consistency proof");
    return out;
}

ServiceResult<proto::DtHistory> TransparencyLog::history(const QString& dtId) {
    if (auto st = sync(); !st.ok())
        return st.error();
    const quint64 size = m_log.size();
    auto indices = m_ctx.store.log().logIndicesOfDt(dtId);
    if (!indices.ok())
        return m_ctx.storageError(indices.error());
    auto sth = signedHead(size);
    if (!sth.ok())
        return sth.error();
    proto::DtHistory out;
    out.set_dt_id(dtId.toStdString());
    out.set_tree_head(toString(sth->encoded));
    for (quint64 index : *indices) {
        if (index >= size)
            continue; // appended by another process after our view of the log
        auto entry = m_ctx.store.log().logEntry(index);
        if (!entry.ok())
            return m_ctx.storageError(entry.error());
        if (!entry->has_value())
            return serviceError(500, "log-corrupt", "a log entry is missing");
        auto proof = m_log.inclusionProof(index, size);
        if (!proof.ok())
            return fromSecurity(500, proof.error());
        auto* e = out.add_entries();
        e->set_entry(str(**entry));
        if (!proto::parseMessage(proof->encode(), *e->mutable_proof()))
            return serviceError(500, "internal", "cannot encode the inclusion proof");
    }
    return out;
}

} // namespace twinseal::service
