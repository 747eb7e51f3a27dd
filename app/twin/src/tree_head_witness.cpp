#include "twinseal/twin/tree_head_witness.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>

#include <twinseal/twin/twin_session.h>

namespace twinseal::twin {

using namespace twinseal::security;
using netclient::ClientError;
using netclient::ClientResult;

namespace {

std::string utc(std::int64_t t) {
    return QDateTime::fromSecsSinceEpoch(t, Qt::UTC).toString(Qt::ISODate).toStdString();
}

std::string describe(const SignedTreeHead& h) {
    return std::to_string(h.head.treeSize) + " entries, root " + toHex(h.head.rootHash) +
           ", signed " + utc(h.head.timestamp);
}

ClientError storeError(const Error& e) {
    return netclient::clientError(std::string(errorCodeName(e.code)),
                                  e.detail + ". The kept tree head was not changed; restore the "
                                             "file from a backup or move it away to start over.");
}

Error corrupt(const QString& path, const std::string& why) {
    return makeError(ErrorCode::LogHeadStoreCorrupt, path.toStdString() + ": " + why);
}

QString base64(ByteView b) { return QString::fromStdString(base64UrlEncode(b)); }

} // namespace

std::string LogFork::message() const {
    return "The home network showed two different histories of its transparency log: the tree "
           "head kept here (" + describe(kept) + ") and a newer answer (" + describe(other) +
           ") cannot both be true (" + why + "). Do not trust new credentials or revocations "
           "from this home network, and report this to its operator with both tree heads (kept "
           "as evidence since " + utc(detectedAt) + ").";
}

ClientError forkError(const LogFork& fork) {
    return netclient::clientError(std::string(errorCodeName(ErrorCode::LogFork)), fork.message());
}

TreeHeadWitness::TreeHeadWitness(QString dir) : m_dir(std::move(dir)) {}

std::string_view TreeHeadWitness::decisionName(Decision d) noexcept {
    switch (d) {
    case Decision::First: return "first";
    case Decision::Unchanged: return "unchanged";
    case Decision::Advanced: return "advanced";
    case Decision::Older: return "older";
    }
    return "unknown";
}

QString TreeHeadWitness::headPath(const Digest& logId) const {
    return QDir(m_dir).filePath(QString::fromStdString(toHex(logId)) + ".sth");
}

QString TreeHeadWitness::forkPath(const Digest& logId) const {
    return QDir(m_dir).filePath(QString::fromStdString(toHex(logId)) + ".fork");
}

Result<std::optional<SignedTreeHead>> TreeHeadWitness::kept(const PublicKey& logKey) const {
    auto id = logIdOf(logKey);
    TWINSEAL_TRY(id);
    const QString path = headPath(*id);
    if (!QFileInfo::exists(path))
        return std::optional<SignedTreeHead>{};
    auto bytes = readFile(path.toStdString());
    if (!bytes.ok())
        return corrupt(path, "cannot be read: " + bytes.error().message());
    auto head = parseSignedTreeHead(*bytes, logKey);
    if (!head.ok())
        return corrupt(path, "is not a tree head signed by this log: " + head.error().message());
    return std::optional<SignedTreeHead>{std::move(*head)};
}

Result<std::optional<LogFork>> TreeHeadWitness::fork(const PublicKey& logKey) const {
    auto id = logIdOf(logKey);
    TWINSEAL_TRY(id);
    const QString path = forkPath(*id);
    if (!QFileInfo::exists(path))
        return std::optional<LogFork>{};
    auto bytes = readFile(path.toStdString());
    if (!bytes.ok())
        return corrupt(path, "cannot be read: " + bytes.error().message());
    const QJsonDocument doc = QJsonDocument::fromJson(
        QByteArray(reinterpret_cast<const char*>(bytes->data()), qsizetype(bytes->size())));
    const QJsonObject o = doc.object();
    LogFork f;
    for (auto [name, head] : {std::pair{"kept", &f.kept}, std::pair{"other", &f.other}}) {
        auto raw = base64UrlDecode(o.value(QLatin1String(name)).toString().toStdString());
        if (!raw.ok())
            return corrupt(path, std::string("has no readable '") + name + "' tree head");
        auto parsed = parseSignedTreeHead(*raw, logKey);
        if (!parsed.ok())
            return corrupt(path, std::string("its '") + name +
                                     "' tree head does not verify: " + parsed.error().message());
        *head = std::move(*parsed);
    }
    if (!o.value("detected").isDouble())
        return corrupt(path, "has no detection time");
    f.detectedAt = static_cast<std::int64_t>(o.value("detected").toDouble());
    f.why = o.value("why").toString().toStdString();
    return std::optional<LogFork>{std::move(f)};
}

Status TreeHeadWitness::keep(const SignedTreeHead& head) const {
    if (!QDir().mkpath(m_dir))
        return makeError(ErrorCode::IoError, "cannot create " + m_dir.toStdString());
    return writeFileAtomic(headPath(head.head.logId).toStdString(), head.encoded);
}

ClientError TreeHeadWitness::recordFork(const PublicKey& logKey, const SignedTreeHead& keptHead,
                                        const SignedTreeHead& other, std::int64_t now,
                                        std::string why) const {
    // A fork already on record stays the one reported (the first evidence is kept).
    if (auto existing = fork(logKey); existing.ok() && *existing)
        return forkError(**existing);
    LogFork f{keptHead, other, now, std::move(why)};
    QJsonObject o{{"kept", base64(f.kept.encoded)},
                  {"other", base64(f.other.encoded)},
                  {"detected", double(f.detectedAt)},
                  {"why", QString::fromStdString(f.why)}};
    const QByteArray json = QJsonDocument(o).toJson();
    ClientError e = forkError(f);
    Status written = QDir().mkpath(m_dir)
                         ? writeFileAtomic(forkPath(keptHead.head.logId).toStdString(),
                                           ByteView(reinterpret_cast<const std::uint8_t*>(json.data()),
                                                    std::size_t(json.size())))
                         : Status(makeError(ErrorCode::IoError, "cannot create " + m_dir.toStdString()));
    if (!written.ok())
        e.message += " (The evidence could not be saved: " + written.error().message() + ".)";
    return e;
}

void TreeHeadWitness::check(const PublicKey& logKey, const SignedTreeHead& fresh, std::int64_t now,
                            const ProofSource& proofs,
                            std::function<void(ClientResult<Decision>)> done) {
    auto recorded = fork(logKey);
    if (!recorded.ok())
        return done(storeError(recorded.error()));
    if (*recorded)
        return done(forkError(**recorded));
    auto current = kept(logKey);
    if (!current.ok())
        return done(storeError(current.error()));
    if (!*current) {
        if (auto st = keep(fresh); !st.ok())
            return done(storeError(st.error()));
        return done(Decision::First);
    }
    const SignedTreeHead held = **current;
    const std::uint64_t keptSize = held.head.treeSize;
    const std::uint64_t freshSize = fresh.head.treeSize;
    if (keptSize == freshSize) {
        if (held.head.rootHash == fresh.head.rootHash)
            return done(Decision::Unchanged);
        return done(recordFork(logKey, held, fresh, now,
                               "two different roots for one tree size"));
    }
    const bool grew = freshSize > keptSize;
    const SignedTreeHead& older = grew ? held : fresh;
    const SignedTreeHead& newer = grew ? fresh : held;
    // The proof may arrive after this witness is gone (callers keep none): the judgement works on
    // a copy of it (it is only the folder's name).
    auto judge = [self = *this, logKey, held, fresh, now, grew, proofs, older = older,
                  newer = newer,
                  done = std::move(done)](ClientResult<ConsistencyProof> proof) mutable {
        if (!proof.ok()) {
            // A malformed proof, or one for other sizes, is no proof; any other failure (the
            // network, the service refusing) decides nothing: the kept head stays.
            if (proof.error().code == netclient::reason::kConsistencyProofInvalid)
                return done(self.recordFork(logKey, held, fresh, now,
                                            "the home network gave no valid consistency proof: " +
                                                proof.error().code));
            return done(proof.error());
        }
        if (proof->firstSize != older.head.treeSize || proof->secondSize != newer.head.treeSize)
            return done(self.recordFork(logKey, held, fresh, now,
                                        "the consistency proof is for other tree sizes"));
        if (auto st = verifyConsistency(older.head, newer.head, *proof); !st.ok())
            return done(self.recordFork(logKey, held, fresh, now,
                                        "the consistency proof does not verify"));
        if (!grew)
            return done(Decision::Older);
        // Another check may have moved the kept head meanwhile: start again from it.
        auto again = self.kept(logKey);
        if (!again.ok())
            return done(storeError(again.error()));
        if (!*again || (*again)->encoded != held.encoded)
            return self.check(logKey, fresh, now, proofs, std::move(done));
        if (auto st = self.keep(fresh); !st.ok())
            return done(storeError(st.error()));
        done(Decision::Advanced);
    };
    if (older.head.treeSize == 0) {
        // The empty tree is a prefix of every tree: the proof is empty (verifyConsistency checks
        // the empty tree's root).
        return judge(ConsistencyProof{0, newer.head.treeSize, {}});
    }
    proofs(older.head.treeSize, newer.head.treeSize, std::move(judge));
}

void TreeHeadWitness::check(TwinSession& session, const SignedTreeHead& fresh,
                            std::function<void(ClientResult<Decision>)> done) {
    QPointer<TwinSession> s(&session);
    check(session.profile().logKey, fresh, QDateTime::currentSecsSinceEpoch(),
          [s](std::uint64_t first, std::uint64_t second,
              netclient::ClientCallback<ConsistencyProof> cb) {
              if (!s)
                  return cb(netclient::clientError(netclient::reason::kCancelled,
                                                   "The session with the home network closed."));
              s->client().fetchConsistency(first, second, std::move(cb));
          },
          std::move(done));
}

} // namespace twinseal::twin
