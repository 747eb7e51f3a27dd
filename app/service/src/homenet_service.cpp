#include "twinseal/service/homenet_service.h"

#include "service_util.h"
#include "twinseal/service/service_log.h"

#include <algorithm>

#include <twinseal/security/credential.h>
#include <twinseal/security/milenage.h>
#include <twinseal/security/registration.h>
#include <twinseal/security/request_auth.h>
#include <twinseal/security/statuslist.h>

namespace twinseal::service {

using namespace twinseal::security;
using namespace util;

namespace {

constexpr std::int64_t kDay = 86400;
constexpr std::uint32_t kMaxChunkSize = 4u * 1024 * 1024;
constexpr std::size_t kMaxFiles = 256;
constexpr quint64 kStatusListBlock = 1024;
const Bytes kAmf{0x80, 0x00}; // separation bit set: a 5G authentication vector

} // namespace

ServiceError fromSecurity(int httpStatus, const Error& error) {
    return ServiceError{httpStatus, std::string(errorCodeName(error.code)), error.detail};
}

HomenetService::HomenetService(ServiceConfig config, Store& store, const OperatorKeys& keys,
                               const Clock& clock, Random& rng)
    : m_config(std::move(config)), m_store(store), m_keys(keys), m_clock(clock), m_rng(rng) {
    m_issuerChain.push_back(m_keys.issuerCertificate());
}

HomenetService::~HomenetService() = default;

ServiceError HomenetService::storageError(const Error& e) const {
    // The detail goes to the service log, not to the client.
    logEvent(LogLevel::Error, "storage-error",
             {{QStringLiteral("detail"), QString::fromStdString(e.detail)}});
    return serviceError(503, "storage-unavailable",
                        "The home network could not complete the request; nothing was changed. "
                        "Try again shortly.");
}

QString HomenetService::statusListUri() const {
    // Stable across restarts, addresses and ports: named after the issuer certificate.
    const Digest d = m_keys.issuerCertificate().fingerprint();
    return QStringLiteral("urn:twinseal:status-list:") +
           QString::fromStdString(toHex(ByteView(d).first(16)));
}

quint64 HomenetService::logSizeInMemory() const { return m_log.size(); }

ServiceStatus HomenetService::start() {
    auto st = syncLog();
    if (!st.ok())
        return st;
    // Recompute and compare every stored leaf hash with its entry: a damaged log must not serve.
    for (quint64 i = 0; i < m_log.size(); ++i) {
        auto entry = m_store.logEntry(i);
        if (!entry.ok())
            return storageError(entry.error());
        if (!entry->has_value() || logLeafHash(bv(**entry)) != *m_log.leafHash(i))
            return serviceError(500, "log-corrupt",
                                "transparency log entry " + std::to_string(i) +
                                    " does not match its leaf hash; the database is damaged");
    }
    return backfill();
}

ServiceStatus HomenetService::syncLog() {
    auto hashes = m_store.leafHashesFrom(m_log.size());
    if (!hashes.ok())
        return storageError(hashes.error());
    for (const QByteArray& h : *hashes) {
        if (h.size() != 32)
            return serviceError(500, "log-corrupt", "a stored leaf hash is not 32 bytes");
        m_log.append(digestOf(h));
    }
    return Nothing{};
}

void HomenetService::maybePurge() {
    const qint64 now = m_clock.now();
    if (now - m_lastPurge < 60)
        return;
    m_lastPurge = now;
    if (auto tx = m_store.begin(true); tx.ok()) {
        if (m_store.purgeExpired(now).ok())
            (void)tx->commit();
    }
}

// ---- administration ------------------------------------------------------------------------------

ServiceResult<UsimProfileData> HomenetService::addSubscriber(const SubscriberProfileRequest& r) {
    auto supi = Supi::parse(r.supi.toStdString(), static_cast<std::size_t>(r.mncLength));
    if (!supi.ok())
        return badRequest("supi-invalid", supi.error().detail);
    const QString ri = r.routingIndicator;
    if (ri.isEmpty() || ri.size() > 4 || !std::all_of(ri.begin(), ri.end(), [](QChar c) { return c.isDigit(); }))
        return badRequest("routing-indicator-invalid", "the routing indicator must be 1 to 4 digits");
    auto k = m_rng.bytes(16);
    auto op = m_rng.bytes(16);
    if (!k.ok() || !op.ok())
        return serviceError(500, "random-failure", "the random generator failed");
    auto opc = Milenage::computeOpc(*k, *op);
    cleanse(op->data(), op->size());
    if (!opc.ok())
        return fromSecurity(500, opc.error());
    SecureBytes secrets(k->begin(), k->end());
    secrets.insert(secrets.end(), opc->begin(), opc->end());
    const QString supiText = QString::fromStdString(supi->toString());
    auto sealed = m_keys.sealField("subscriber:" + supiText.toStdString(), secrets);
    if (!sealed.ok())
        return fromSecurity(500, sealed.error());

    auto tx = m_store.begin(true);
    if (!tx.ok())
        return storageError(tx.error());
    auto existing = m_store.subscriber(supiText);
    if (!existing.ok())
        return storageError(existing.error());
    if (existing->has_value())
        return serviceError(409, "subscriber-exists",
                            supiText.toStdString() + " is already a subscriber");
    SubscriberRecord rec;
    rec.supi = supiText;
    rec.mncLength = r.mncLength;
    rec.sealedSecrets = qb(*sealed);
    rec.sqn = 0;
    rec.name = r.name;
    rec.role = r.role;
    rec.organisation = r.organisation;
    rec.licenceId = r.licenceId;
    rec.createdAt = m_clock.now();
    if (auto st = m_store.insertSubscriber(rec); !st.ok())
        return storageError(st.error());
    if (auto handle = handleFor(supiText); !handle.ok())
        return handle.error();
    if (auto st = tx->commit(); !st.ok())
        return storageError(st.error());

    UsimProfileData p;
    p.supi = std::move(supi).value();
    p.k.assign(k->begin(), k->end());
    cleanse(k->data(), k->size());
    p.opc = std::move(opc).value();
    p.highestSqn = 0;
    p.amf = kAmf;
    p.routingIndicator = ri.toStdString();
    p.hnKeyId = m_keys.hnKeyId();
    p.hnPublicKey = m_keys.suciPublicKey();
    p.serviceUrl = (r.serviceUrl.isEmpty() ? m_config.effectivePublicUrl(m_config.port)
                                           : r.serviceUrl).toStdString();
    p.tlsCaPem = m_keys.tlsCaCertificate().pem();
    p.trustListPem = m_keys.rootCertificate().pem();
    p.logKey = m_keys.logKey().publicKey();
    p.statusListKey = m_keys.issuerKey().publicKey();
    p.operatorName = m_keys.operatorName().toStdString();
    return p;
}

ServiceResult<proto::DtInfo> HomenetService::adminRevoke(const QString& dtId, const QString& reason) {
    return revokeRecord(LogEntryType::Revocation, dtId,
                        reason.isEmpty() ? QStringLiteral("revoked by the operator") : reason, {});
}

ServiceResult<proto::DtList> HomenetService::adminList() {
    auto all = m_store.allDts();
    if (!all.ok())
        return storageError(all.error());
    proto::DtList list;
    for (const DtRecord& d : *all)
        fillDtInfo(d, list.add_dts());
    return list;
}

// ---- authentication ------------------------------------------------------------------------------

ServiceResult<proto::AuthChallenge> HomenetService::challengeFor(const SubscriberRecord& s,
                                                                 quint64 sqn,
                                                                 const QString& routingIndicator) {
    auto milenage = milenageFor(s);
    if (!milenage.ok())
        return milenage.error();
    auto supi = Supi::parse(s.supi.toStdString(), static_cast<std::size_t>(s.mncLength));
    if (!supi.ok())
        return fromSecurity(500, supi.error());
    auto snn = servingNetworkName(supi->mcc, supi->mnc);
    if (!snn.ok())
        return fromSecurity(500, snn.error());
    auto av = generateAuthVector(*milenage, m_rng, sqn, kAmf, *snn);
    if (!av.ok())
        return fromSecurity(500, av.error());
    auto idBytes = m_rng.bytes(16);
    if (!idBytes.ok())
        return serviceError(500, "random-failure", "the random generator failed");
    AuthSessionRecord a;
    a.authId = QString::fromStdString(base64UrlEncode(*idBytes));
    a.supi = s.supi;
    a.rand = qb(ByteView(av->rand));
    a.xresDigest = qb(ByteView(sha256(av->xresStar)));
    auto sealed = m_keys.sealField("kausf:" + a.authId.toStdString(), av->kausf);
    if (!sealed.ok())
        return fromSecurity(500, sealed.error());
    a.sealedKausf = qb(*sealed);
    a.expiresAt = m_clock.now() + m_config.challengeTtl;
    a.state = QStringLiteral("pending");
    a.routingIndicator = routingIndicator;
    if (auto st = m_store.insertAuthSession(a); !st.ok())
        return storageError(st.error());
    proto::AuthChallenge c;
    c.set_auth_id(a.authId.toStdString());
    c.set_rand(str(a.rand));
    c.set_autn(std::string(av->autn.begin(), av->autn.end()));
    c.set_serving_network_name(*snn);
    c.set_expires_at(a.expiresAt);
    return c;
}

ServiceResult<Milenage> HomenetService::milenageFor(const SubscriberRecord& s) const {
    auto secrets = m_keys.openField("subscriber:" + s.supi.toStdString(), bv(s.sealedSecrets));
    if (!secrets.ok() || secrets->size() != 32)
        return serviceError(500, "subscriber-record-damaged",
                            "the subscriber's stored keys cannot be opened");
    auto milenage = Milenage::create(ByteView(*secrets).first(16), ByteView(*secrets).subspan(16));
    if (!milenage.ok())
        return fromSecurity(500, milenage.error());
    return std::move(milenage).value();
}

ServiceResult<proto::AuthChallenge> HomenetService::authStart(const proto::AuthStartRequest& r) {
    maybePurge();
    if (r.suci().empty() || r.suci().size() > 256)
        return badRequest("suci-invalid", "the request carries no SUCI");
    auto suci = Suci::parse(r.suci());
    if (!suci.ok())
        return badRequest("suci-invalid", suci.error().detail);
    if (suci->scheme != SuciProtectionScheme::ProfileA)
        return badRequest("suci-scheme-unsupported",
                          "this home network accepts only SUCI protection scheme Profile A: the "
                          "SUPI must never travel in clear");
    if (suci->homeNetworkPublicKeyId != m_keys.hnKeyId())
        return badRequest("unknown-hn-key",
                          "the SUCI was concealed under home network key " +
                              std::to_string(suci->homeNetworkPublicKeyId) +
                              ", which this network does not have: get an up-to-date profile");
    auto supi = deconcealSuci(*suci, m_keys.suciPrivateKey());
    if (!supi.ok()) {
        if (supi.code() == ErrorCode::SuciMacFailure)
            return badRequest("suci-mac-failure",
                              "the SUCI does not decrypt under this network's key: the profile "
                              "belongs to another network or the SUCI was altered");
        return badRequest("suci-invalid", supi.error().detail);
    }
    const QString supiText = QString::fromStdString(supi->toString());
    auto tx = m_store.begin(true);
    if (!tx.ok())
        return storageError(tx.error());
    auto sub = m_store.subscriber(supiText);
    if (!sub.ok())
        return storageError(sub.error());
    if (!sub->has_value())
        return serviceError(404, "unknown-subscriber",
                            "this home network has no subscription for the SUCI's subscriber: "
                            "check the profile or ask the operator");
    const quint64 sqn = (*sub)->sqn + 1;
    if (sqn > kAkaSqnMax)
        return serviceError(409, "sqn-exhausted", "the subscriber's sequence numbers are used up");
    if (auto st = m_store.updateSubscriberSqn(supiText, sqn); !st.ok())
        return storageError(st.error());
    auto challenge = challengeFor(**sub, sqn, QString::fromStdString(suci->routingIndicator));
    if (!challenge.ok())
        return challenge;
    if (auto st = tx->commit(); !st.ok())
        return storageError(st.error());
    return challenge;
}

namespace {
// Checks that an authentication session can still be answered.
std::optional<ServiceError> sessionUsable(const AuthSessionRecord& a, qint64 now) {
    if (a.state == QLatin1String("used"))
        return serviceError(409, "aka-response-replayed",
                            "this challenge was already answered; a repeated answer is a replay. "
                            "Start a new authentication.");
    if (a.state == QLatin1String("failed"))
        return serviceError(403, "auth-session-failed",
                            "this authentication already failed; start a new one");
    if (a.state == QLatin1String("resynced"))
        return serviceError(409, "auth-session-superseded",
                            "this challenge was replaced after re-synchronisation; answer the "
                            "new one");
    if (now > a.expiresAt)
        return serviceError(410, "challenge-expired",
                            "the challenge expired before it was answered; start a new "
                            "authentication");
    return std::nullopt;
}
} // namespace

ServiceResult<std::pair<AuthSessionRecord, SubscriberRecord>>
HomenetService::pendingSession(const std::string& authId) {
    auto a = m_store.authSession(QString::fromStdString(authId));
    if (!a.ok())
        return storageError(a.error());
    if (!a->has_value())
        return serviceError(404, "unknown-auth-session",
                            "no such authentication in progress; start a new one");
    if (auto e = sessionUsable(**a, m_clock.now()))
        return *e;
    auto sub = m_store.subscriber((*a)->supi);
    if (!sub.ok())
        return storageError(sub.error());
    if (!sub->has_value())
        return serviceError(404, "unknown-subscriber", "the subscriber was removed");
    return std::make_pair(std::move(**a), std::move(**sub));
}

ServiceResult<proto::AuthChallenge> HomenetService::authResync(const proto::AuthResyncRequest& r) {
    if (r.auth_id().empty() || r.auth_id().size() > 64 || r.auts().size() != kAkaAutsSize)
        return badRequest("malformed-request", "a resync needs auth_id and a 14-byte AUTS");
    auto tx = m_store.begin(true);
    if (!tx.ok())
        return storageError(tx.error());
    auto pending = pendingSession(r.auth_id());
    if (!pending.ok())
        return pending.error();
    const AuthSessionRecord& session = pending->first;
    const SubscriberRecord& subscriber = pending->second;
    auto milenage = milenageFor(subscriber);
    if (!milenage.ok())
        return milenage.error();
    auto sqnMs = recoverSqnFromAuts(*milenage, bv(session.rand), view(r.auts()));
    if (!sqnMs.ok()) {
        (void)m_store.updateAuthSession(session.authId, QStringLiteral("failed"),
                                        session.attempts + 1);
        (void)tx->commit();
        return serviceError(401, "auts-invalid",
                            "the re-synchronisation token does not verify: the profile's keys do "
                            "not match this network's record");
    }
    const quint64 sqn = std::max<quint64>(*sqnMs, subscriber.sqn) + 1;
    if (auto st = m_store.updateSubscriberSqn(session.supi, sqn); !st.ok())
        return storageError(st.error());
    if (auto st = m_store.updateAuthSession(session.authId, QStringLiteral("resynced"),
                                            session.attempts);
        !st.ok())
        return storageError(st.error());
    auto challenge = challengeFor(subscriber, sqn, session.routingIndicator);
    if (!challenge.ok())
        return challenge;
    if (auto st = tx->commit(); !st.ok())
        return storageError(st.error());
    return challenge;
}

ServiceResult<proto::AuthResult> HomenetService::authFinish(const proto::AuthFinishRequest& r) {
    if (r.auth_id().empty() || r.auth_id().size() > 64 || r.res_star().size() != kAkaResStarSize)
        return badRequest("malformed-request", "a finish needs auth_id and a 16-byte RES*");
    auto tx = m_store.begin(true);
    if (!tx.ok())
        return storageError(tx.error());
    auto pending = pendingSession(r.auth_id());
    if (!pending.ok())
        return pending.error();
    const AuthSessionRecord& session = pending->first;
    const SubscriberRecord& subscriber = pending->second;
    const qint64 now = m_clock.now();
    const Digest got = sha256(view(r.res_star()));
    if (!constantTimeEqual(got, bv(session.xresDigest))) {
        (void)m_store.updateAuthSession(session.authId, QStringLiteral("failed"),
                                        session.attempts + 1);
        (void)tx->commit();
        return serviceError(401, "aka-res-mismatch",
                            "the answer to the challenge is wrong: the profile's keys do not "
                            "match this network's record for the subscriber");
    }
    auto kausf = m_keys.openField("kausf:" + session.authId.toStdString(), bv(session.sealedKausf));
    if (!kausf.ok())
        return serviceError(500, "auth-session-damaged", "the stored session key cannot be opened");
    auto supi = Supi::parse(session.supi.toStdString(), static_cast<std::size_t>(subscriber.mncLength));
    if (!supi.ok())
        return fromSecurity(500, supi.error());
    auto akma = deriveAkmaSession(*kausf, *supi, session.routingIndicator.toStdString());
    if (!akma.ok())
        return fromSecurity(500, akma.error());
    const QString aKid = QString::fromStdString(akma->aKid);
    auto sealedKaf = m_keys.sealField("kaf:" + akma->aKid, akma->kaf);
    if (!sealedKaf.ok())
        return fromSecurity(500, sealedKaf.error());
    AkmaKeyRecord k{aKid, session.supi, qb(*sealedKaf), now + m_config.akmaKeyTtl};
    if (auto st = m_store.insertAkmaKey(k); !st.ok())
        return storageError(st.error());
    if (auto st = m_store.updateAuthSession(session.authId, QStringLiteral("used"),
                                            session.attempts + 1);
        !st.ok())
        return storageError(st.error());
    if (auto st = tx->commit(); !st.ok())
        return storageError(st.error());
    proto::AuthResult out;
    out.set_a_kid(akma->aKid);
    out.set_expires_at(k.expiresAt);
    return out;
}

ServiceResult<Caller> HomenetService::authenticate(const QByteArray& authorization,
                                                   const QByteArray& method,
                                                   const QByteArray& pathAndQuery,
                                                   const QByteArray& body) {
    maybePurge();
    Caller caller;
    if (authorization.isEmpty())
        return caller;
    const qint64 now = m_clock.now();
    const QByteArray grantPrefix = QByteArray(kGrantAuthScheme.data(), kGrantAuthScheme.size()) + ' ';
    if (authorization.startsWith(grantPrefix)) {
        const QByteArray token = authorization.mid(grantPrefix.size()).trimmed();
        if (token.isEmpty() || token.size() > 128)
            return serviceError(401, "grant-invalid", "the access grant token is malformed");
        auto g = m_store.grant(qb(ByteView(sha256(bv(token)))));
        if (!g.ok())
            return storageError(g.error());
        if (!g->has_value())
            return serviceError(401, "grant-invalid",
                                "this access grant is unknown: ask the avatar's owner for a new one");
        if ((*g)->second < now)
            return serviceError(401, "grant-expired",
                                "this access grant has expired: ask the avatar's owner for a new "
                                "one");
        caller.grantAvatarId = (*g)->first;
        return caller;
    }
    auto auth = AkmaAuthorization::parse(std::string_view(authorization.constData(),
                                                          static_cast<std::size_t>(authorization.size())));
    if (!auth.ok())
        return serviceError(401, "authorization-malformed", auth.error().detail);
    auto key = m_store.akmaKey(QString::fromStdString(auth->aKid));
    if (!key.ok())
        return storageError(key.error());
    if (!key->has_value())
        return serviceError(401, "unknown-akma-key",
                            "the service does not know this A-KID: authenticate again");
    if ((*key)->expiresAt < now)
        return serviceError(401, "akma-key-expired",
                            "the AKMA key has expired: authenticate again");
    auto kaf = m_keys.openField("kaf:" + auth->aKid, bv((*key)->sealedKaf));
    if (!kaf.ok())
        return serviceError(500, "akma-key-damaged", "the stored AKMA key cannot be opened");
    auto st = verifyRequestAuthorization(*auth, *kaf,
                                         std::string_view(method.constData(), static_cast<std::size_t>(method.size())),
                                         std::string_view(pathAndQuery.constData(), static_cast<std::size_t>(pathAndQuery.size())),
                                         sha256(bv(body)), now);
    if (!st.ok())
        return serviceError(401, std::string(errorCodeName(st.code())), st.error().detail);
    // Kept in the database for the whole window, so a restart does not accept a replay.
    const Digest nonceKey = sha256(view("request-auth|" + auth->aKid + '|' + auth->nonce));
    auto fresh = m_store.useNonce(qb(ByteView(nonceKey)), auth->timestamp + 2 * kRequestAuthWindow);
    if (!fresh.ok())
        return storageError(fresh.error());
    if (!*fresh)
        return serviceError(409, "request-replayed",
                            "this exact request was already received; a repeat is a replay");
    caller.supi = (*key)->supi;
    caller.aKid = QString::fromStdString(auth->aKid);
    return caller;
}

// ---- transparency log ----------------------------------------------------------------------------

ServiceResult<HomenetService::LogAppend>
HomenetService::appendLog(LogEntryType type, const QString& dtId, const QByteArray& credentialDigest,
                          const QByteArray& details) {
    // Called inside a write transaction: the log cannot move under us.
    if (auto st = syncLog(); !st.ok())
        return st.error();
    LogEntry e;
    e.type = type;
    e.timestamp = m_clock.now();
    e.dtId = dtId.toStdString();
    e.credentialDigest = digestOf(credentialDigest);
    e.details = Bytes(details.begin(), details.end());
    const Bytes bytes = e.encode();
    LogAppend out{m_log.size(), qb(bytes)};
    const Digest leaf = logLeafHash(bytes);
    if (auto st = m_store.appendLogEntry(out.index, out.entry, qb(ByteView(leaf)), credentialDigest,
                                         e.timestamp, dtId);
        !st.ok())
        return storageError(st.error());
    return out;
}

ServiceResult<SignedTreeHead> HomenetService::signedHead(quint64 size) {
    auto root = m_log.root(size);
    if (!root.ok())
        return fromSecurity(400, root.error());
    auto sth = signTreeHead(size, *root, m_clock.now(), m_keys.logKey());
    if (!sth.ok())
        return fromSecurity(500, sth.error());
    return std::move(sth).value();
}

ServiceResult<QByteArray> HomenetService::treeHead() {
    if (auto st = syncLog(); !st.ok())
        return st.error();
    const qint64 now = m_clock.now();
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

ServiceResult<proto::LogInclusionResponse> HomenetService::inclusion(quint64 index, quint64 size) {
    if (auto st = syncLog(); !st.ok())
        return st.error();
    if (size == 0)
        size = m_log.size();
    if (size > m_log.size())
        return badRequest("tree-size-unknown", "the log has only " + std::to_string(m_log.size()) +
                                                   " entries");
    if (index >= size)
        return badRequest("index-out-of-range",
                          "entry " + std::to_string(index) + " is not in a tree of size " +
                              std::to_string(size));
    auto proof = m_log.inclusionProof(index, size);
    if (!proof.ok())
        return fromSecurity(400, proof.error());
    auto entry = m_store.logEntry(index);
    if (!entry.ok())
        return storageError(entry.error());
    if (!entry->has_value())
        return serviceError(500, "log-corrupt", "a log entry is missing");
    auto sth = signedHead(size);
    if (!sth.ok())
        return sth.error();
    proto::LogInclusionResponse out;
    out.set_entry(str(**entry));
    if (!out.mutable_proof()->ParseFromString(toString(proof->encode())))
        return serviceError(500, "internal", "cannot encode the inclusion proof");
    out.set_tree_head(toString(sth->encoded));
    return out;
}

ServiceResult<proto::LogInclusionResponse>
HomenetService::inclusionByCredential(const QByteArray& digest, quint64 size) {
    if (digest.size() != 32)
        return badRequest("digest-invalid", "a credential digest is 32 bytes (64 hex digits)");
    auto idx = m_store.logIndexOfCredential(digest);
    if (!idx.ok())
        return storageError(idx.error());
    if (!idx->has_value())
        return serviceError(404, "not-in-log",
                            "no log entry names this credential: it was not issued by this "
                            "home network");
    return inclusion(**idx, size);
}

ServiceResult<proto::ConsistencyProof> HomenetService::consistency(quint64 first, quint64 second) {
    if (auto st = syncLog(); !st.ok())
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
    if (!out.ParseFromString(toString(proof->encode())))
        return serviceError(500, "internal", "cannot encode the consistency proof");
    return out;
}

ServiceResult<proto::ServiceInfo> HomenetService::info() {
    if (auto st = syncLog(); !st.ok())
        return st.error();
    proto::ServiceInfo out;
    out.set_operator_name(m_keys.operatorName().toStdString());
    out.set_issuer(m_keys.issuerCertificate().subject());
    out.set_status_list_uri(statusListUri().toStdString());
    out.mutable_log_key()->set_algorithm(proto::ED25519);
    out.mutable_log_key()->set_raw(toString(m_keys.logKey().publicKey().raw()));
    out.set_trust_list_pem(m_keys.rootCertificate().pem());
    out.set_log_size(m_log.size());
    out.set_version(TWINSEAL_VERSION);
    return out;
}

// ---- status list ---------------------------------------------------------------------------------

namespace {
quint64 statusListSize(qint64 nextIndex) {
    const quint64 issued = static_cast<quint64>(std::max<qint64>(nextIndex, 0));
    return std::max<quint64>(kStatusListBlock,
                             (issued + kStatusListBlock - 1) / kStatusListBlock * kStatusListBlock);
}
} // namespace

ServiceResult<QByteArray> HomenetService::statusList() {
    auto revision = m_store.counter("status_revision");
    auto next = m_store.counter("next_status_index");
    if (!revision.ok() || !next.ok())
        return storageError(revision.ok() ? next.error() : revision.error());
    const qint64 now = m_clock.now();
    // Re-published when a status changed, when the list grew, and before verifiers are due to
    // refresh it (half its TTL).
    if (*revision == m_statusRevision &&
        static_cast<qint64>(statusListSize(*next)) == m_statusSize &&
        now - m_statusIssuedAt < m_config.statusListTtl / 2)
        return m_statusBytes;
    return publishStatusList(now);
}

ServiceResult<QByteArray> HomenetService::publishStatusList(qint64 now) {
    // One write transaction: the statuses, the size and the sequence of one publication are
    // consistent, and two service processes sharing a database never reuse a sequence.
    auto tx = m_store.begin(true);
    if (!tx.ok())
        return storageError(tx.error());
    auto revision = m_store.counter("status_revision");
    auto next = m_store.counter("next_status_index");
    auto lastSequence = m_store.counter("status_list_sequence");
    auto inactive = m_store.inactiveStatusIndices();
    if (!revision.ok() || !next.ok() || !lastSequence.ok() || !inactive.ok())
        return storageError(!revision.ok() ? revision.error()
                            : !next.ok()   ? next.error()
                            : !lastSequence.ok() ? lastSequence.error()
                                                 : inactive.error());
    const quint64 size = statusListSize(*next);
    StatusListBuilder builder(m_keys.operatorName().toStdString(), statusListUri().toStdString(),
                              size);
    for (quint64 i : *inactive)
        if (auto st = builder.setRevoked(i); !st.ok())
            return fromSecurity(500, st.error());
    // Every publication gets a larger sequence than any before it, so a verifier can refuse a
    // rolled-back list. (Lists published before the sequence was stored used revision + 1.)
    const qint64 sequence = std::max(*lastSequence, *revision + 1) + 1;
    StatusListPublication pub;
    pub.issuedAt = now;
    pub.expiresAt = now + kDay;
    pub.ttl = static_cast<std::uint64_t>(m_config.statusListTtl);
    pub.sequence = static_cast<std::uint64_t>(sequence);
    auto signedList = builder.sign(m_keys.issuerKey(), pub);
    if (!signedList.ok())
        return fromSecurity(500, signedList.error());
    if (auto st = m_store.setCounter("status_list_sequence", sequence); !st.ok())
        return storageError(st.error());
    if (auto st = tx->commit(); !st.ok())
        return storageError(st.error());
    m_statusRevision = *revision;
    m_statusSize = static_cast<qint64>(size);
    m_statusIssuedAt = now;
    m_statusBytes = qb(*signedList);
    return m_statusBytes;
}

qint64 HomenetService::statusListMaxAge() const {
    const qint64 age = m_clock.now() - m_statusIssuedAt;
    return std::clamp<qint64>(m_config.statusListTtl - age, 0, m_config.statusListTtl);
}

// ---- digital twins -------------------------------------------------------------------------------

namespace {
ServiceError registrationRefusal(const Error& e) {
    switch (e.code) {
    case ErrorCode::BadSignature:
        return badRequest("proof-of-possession-failed",
                          "the registration is not signed by the holder key it names");
    case ErrorCode::KeyMismatch:
        return badRequest("manifest-key-mismatch",
                          "the avatar manifest must be signed by the holder key being registered");
    case ErrorCode::RequestAuthStale:
        return badRequest("registration-stale", e.detail + ": check the device clock");
    case ErrorCode::AvatarPackageInvalid:
    case ErrorCode::MediaRootMismatch:
    case ErrorCode::MediaMismatch:
        return badRequest("avatar-manifest-invalid", e.detail);
    default:
        return badRequest("registration-malformed", e.detail);
    }
}

} // namespace

ServiceResult<proto::RegistrationResponse> HomenetService::registerDt(const Caller& caller,
                                                                      const QByteArray& body) {
    return issue(caller, body, RegistrationPurpose::Register);
}

ServiceResult<proto::RegistrationResponse> HomenetService::recertify(const Caller& caller,
                                                                     const QByteArray& body) {
    return issue(caller, body, RegistrationPurpose::Recertify);
}

ServiceResult<proto::RegistrationResponse>
HomenetService::issue(const Caller& caller, const QByteArray& body, RegistrationPurpose purpose) {
    // A pseudonym rotation is a re-certification that keeps the media (DESIGN §7).
    const bool recertification = purpose != RegistrationPurpose::Register;
    const bool rotation = purpose == RegistrationPurpose::RotatePseudonym;
    if (!caller.subscriber())
        return serviceError(401, "not-authenticated",
                            "registration needs an authenticated subscriber: authenticate first");
    const qint64 now = m_clock.now();
    auto parsed = parseRegistration(bv(body), now);
    if (!parsed.ok())
        return registrationRefusal(parsed.error());
    const RegistrationRequest& req = parsed->request;
    const Manifest& manifest = parsed->manifest.manifest;
    if (QString::fromStdString(req.aKid) != caller.aKid)
        return serviceError(403, "registration-session-mismatch",
                            "the registration names another authentication session than the one "
                            "that sent it");
    if (req.purpose != purpose)
        return badRequest("wrong-purpose", rotation ? "this endpoint rotates the pseudonym: the "
                                                      "request has another purpose"
                                           : recertification
                                               ? "this endpoint re-certifies: the request has "
                                                 "another purpose"
                                               : "this endpoint registers: the request has "
                                                 "another purpose");
    std::uint64_t total = 0;
    for (const auto& f : manifest.files)
        total += f.size;
    if (total > static_cast<std::uint64_t>(m_config.maxAvatarBytes))
        return serviceError(413, "avatar-too-large",
                            "the avatar package is " + std::to_string(total) +
                                " bytes; this home network stores at most " +
                                std::to_string(m_config.maxAvatarBytes));
    if (manifest.files.size() > kMaxFiles)
        return badRequest("avatar-manifest-invalid", "an avatar package has at most 256 files");
    if (manifest.chunkSize == 0 || manifest.chunkSize > kMaxChunkSize ||
        manifest.chunkSize + 65536 > static_cast<std::uint64_t>(m_config.maxBodyBytes))
        return badRequest("chunk-size-unsupported",
                          "the manifest's chunk size must be at most 4 MiB and fit the "
                          "service's request body limit");

    auto tx = m_store.begin(true);
    if (!tx.ok())
        return storageError(tx.error());
    auto fresh = m_store.useNonce(qb(ByteView(sha256(req.nonce))), now + 2 * kRegistrationWindow);
    if (!fresh.ok())
        return storageError(fresh.error());
    if (!*fresh)
        return serviceError(409, "registration-replayed",
                            "this signed registration was already received; a repeat is a replay");
    auto sub = m_store.subscriber(caller.supi);
    if (!sub.ok() || !sub->has_value())
        return storageError(sub.ok() ? makeError(ErrorCode::Internal, "subscriber vanished")
                                     : sub.error());

    std::optional<DtRecord> previous;
    if (!recertification) {
        auto active = m_store.activeDtOf(caller.supi);
        if (!active.ok())
            return storageError(active.error());
        if (active->has_value())
            return serviceError(409, "duplicate-dt",
                                "this subscription already has an active digital twin (" +
                                    (*active)->dtId.toStdString() +
                                    "): re-certify it, or revoke or transfer it before "
                                    "registering another");
    } else {
        auto existing = m_store.dt(QString::fromStdString(req.dtId));
        if (!existing.ok())
            return storageError(existing.error());
        if (!existing->has_value() || (*existing)->supi != caller.supi)
            return serviceError(404, "unknown-dt",
                                "this subscription has no digital twin " + req.dtId);
        if ((*existing)->state != QLatin1String("active"))
            return serviceError(409, "dt-not-active",
                                "digital twin " + req.dtId + " is " +
                                    (*existing)->state.toStdString() + " and cannot be re-certified");
        proto::PublicKey currentKey;
        currentKey.ParseFromString(str((*existing)->holderKey));
        if (currentKey.raw() != toString(req.holderKey.raw()))
            return serviceError(403, "holder-key-mismatch",
                                "a re-certification must be signed by the digital twin's current "
                                "holder key");
        if (rotation && (*existing)->mediaRoot != qb(ByteView(manifest.packageRoot)))
            return serviceError(409, "media-changed",
                                "a pseudonym rotation keeps the certified avatar: sign the DT's "
                                "current manifest, or re-certify to change the avatar");
        previous = **existing;
    }

    const SubscriberRecord& s = **sub;
    const std::string dtId = previous ? previous->dtId.toStdString() : newId("dt-").toStdString();
    const std::string avatarId =
        previous ? previous->avatarId.toStdString() : newId("urn:twinseal:avatar:").toStdString();
    const std::uint32_t generation =
        previous ? static_cast<std::uint32_t>(previous->generation + 1) : 1;
    auto issued = issueFor(s, dtId, avatarId, req.holderKey, manifest.packageRoot, generation, now);
    if (!issued.ok())
        return issued.error();
    const CredentialClaims& c = issued->credential.claims;
    const QByteArray& digest = issued->digest;

    const QByteArray details = previous ? previous->credentialDigest : QByteArray();
    auto appended =
        appendLog(recertification ? LogEntryType::Recertification : LogEntryType::Issuance,
                  QString::fromStdString(c.dtId), digest, details);
    if (!appended.ok())
        return appended.error();
    if (appended->index != c.logIndex)
        return serviceError(500, "internal", "log index moved during issuance");

    const quint64 statusIndex = issued->statusIndex;
    if (auto st = m_store.insertCredential(statusIndex, QString::fromStdString(c.dtId), digest,
                                           QStringLiteral("active"), now);
        !st.ok())
        return storageError(st.error());
    proto::PublicKey holderProto;
    holderProto.set_algorithm(req.holderKey.algorithm() == KeyAlgorithm::Ed25519
                                  ? proto::ED25519
                                  : proto::ECDSA_P256);
    holderProto.set_raw(toString(req.holderKey.raw()));

    DtRecord d = previous.value_or(DtRecord{});
    d.dtId = QString::fromStdString(c.dtId);
    d.supi = caller.supi;
    d.avatarId = QString::fromStdString(c.avatarId);
    d.state = QStringLiteral("active");
    d.holderKey = qb(holderProto.SerializeAsString());
    d.credential = qb(issued->credential.encoded);
    d.credentialDigest = digest;
    d.signedManifest = qb(parsed->manifest.encoded);
    d.mediaRoot = qb(ByteView(manifest.packageRoot));
    d.statusIndex = statusIndex;
    d.logIndex = c.logIndex;
    d.generation = static_cast<int>(c.generation);
    d.updatedAt = now;
    if (previous) {
        if (auto st = m_store.setCredentialState(previous->statusIndex, QStringLiteral("superseded"));
            !st.ok())
            return storageError(st.error());
        if (auto st = m_store.updateDt(d); !st.ok())
            return storageError(st.error());
        if (previous->mediaRoot != d.mediaRoot)
            if (auto st = m_store.removeUnusedAvatar(previous->mediaRoot); !st.ok())
                return storageError(st.error());
        if (auto st = bumpStatusRevision(); !st.ok())
            return st.error();
    } else {
        d.createdAt = now;
        d.revocationReason.clear();
        if (auto st = m_store.insertDt(d); !st.ok())
            return storageError(st.error());
    }
    for (std::size_t i = 0; i < manifest.files.size(); ++i) {
        const auto& f = manifest.files[i];
        AvatarFileRecord rec{d.mediaRoot, static_cast<int>(i), QString::fromStdString(f.path),
                             f.size, f.chunkHashes.size(), 0};
        if (auto st = m_store.insertAvatarFile(rec); !st.ok())
            return storageError(st.error());
    }
    if (auto st = tx->commit(); !st.ok())
        return storageError(st.error());
    m_log.append(logLeafHash(bv(appended->entry)));

    proto::RegistrationResponse out;
    out.set_credential(toString(issued->credential.encoded));
    for (const auto& disc : issued->disclosures)
        out.add_disclosures(disc);
    auto receipt = receiptFor(*appended);
    if (!receipt.ok())
        return receipt.error();
    *out.mutable_log_receipt() = std::move(receipt).value();
    return out;
}

ServiceResult<HomenetService::Issued>
HomenetService::issueFor(const SubscriberRecord& s, const std::string& dtId,
                         const std::string& avatarId, const PublicKey& holderKey,
                         const Digest& mediaRoot, std::uint32_t generation, qint64 now) {
    auto nextIndex = m_store.counter("next_status_index");
    if (!nextIndex.ok())
        return storageError(nextIndex.error());
    const quint64 statusIndex = static_cast<quint64>(*nextIndex);
    if (auto st = m_store.setCounter("next_status_index", *nextIndex + 1); !st.ok())
        return storageError(st.error());
    if (auto st = syncLog(); !st.ok())
        return st.error();

    CredentialClaims c;
    c.dtId = dtId;
    c.avatarId = avatarId;
    c.holderKey = holderKey;
    auto binding = subscriberBinding(m_keys.bindingKey(), s.supi.toStdString(), dtId, generation);
    if (!binding.ok())
        return fromSecurity(500, binding.error());
    c.subscriberBinding = *binding;
    {
        auto pseud = m_rng.bytes(6);
        if (!pseud.ok())
            return serviceError(500, "random-failure", "the random generator failed");
        c.pseudonym = "twin-" + toHex(*pseud);
    }
    Issued out;
    const std::pair<const char*, QString> attrs[] = {{"name", s.name},
                                                     {"role", s.role},
                                                     {"organisation", s.organisation},
                                                     {"licence_id", s.licenceId}};
    for (const auto& [name, value] : attrs) {
        if (value.isEmpty())
            continue;
        auto d = AttributeDisclosure::make(name, value.toStdString(), m_rng);
        if (!d.ok())
            return fromSecurity(500, d.error());
        c.attributes.push_back({name, d->digest()});
        out.disclosures.push_back(d->encoded());
    }
    c.mediaRoot = mediaRoot;
    c.notBefore = now - 60;
    c.notAfter = now + std::int64_t(m_config.credentialValidityDays) * kDay;
    c.issuedAt = now;
    c.statusListIndex = statusIndex;
    c.statusListUri = statusListUri().toStdString();
    c.logIndex = m_log.size();
    c.generation = generation;
    c.issuer = m_keys.operatorName().toStdString();
    auto credential = issueCredential(c, m_keys.issuerKey(), m_issuerChain);
    if (!credential.ok())
        return fromSecurity(500, credential.error());
    out.digest = qb(ByteView(credential->digest()));
    out.statusIndex = statusIndex;
    out.credential = std::move(credential).value();
    return out;
}

ServiceResult<proto::LogReceipt> HomenetService::receiptFor(const LogAppend& appended) {
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
    if (!out.ParseFromString(toString(receipt->encode())))
        return serviceError(500, "internal", "cannot encode the log receipt");
    return out;
}

ServiceStatus HomenetService::bumpStatusRevision() {
    auto rev = m_store.counter("status_revision");
    if (!rev.ok())
        return storageError(rev.error());
    if (auto st = m_store.setCounter("status_revision", *rev + 1); !st.ok())
        return storageError(st.error());
    return Nothing{};
}

ServiceResult<proto::DtInfo> HomenetService::revokeRecord(LogEntryType type, const QString& dtId,
                                                          const QString& reason,
                                                          const QString& requiredSupi) {
    if (dtId.isEmpty() || dtId.size() > 128)
        return badRequest("malformed-request", "name the digital twin to revoke");
    if (reason.size() > 512)
        return badRequest("malformed-request", "the reason is limited to 512 characters");
    auto tx = m_store.begin(true);
    if (!tx.ok())
        return storageError(tx.error());
    auto existing = m_store.dt(dtId);
    if (!existing.ok())
        return storageError(existing.error());
    if (!existing->has_value() || (!requiredSupi.isEmpty() && (*existing)->supi != requiredSupi))
        return serviceError(404, "unknown-dt", "there is no digital twin " + dtId.toStdString());
    DtRecord d = **existing;
    if (d.state != QLatin1String("active"))
        return serviceError(409, "dt-not-active",
                            "digital twin " + dtId.toStdString() + " is already " +
                                d.state.toStdString());
    // The reason stays with the operator and the owner (the DT record), not in the public log.
    auto appended = appendLog(type, dtId, d.credentialDigest, {});
    if (!appended.ok())
        return appended.error();
    const qint64 now = m_clock.now();
    d.state = QStringLiteral("revoked");
    d.revocationReason = reason;
    d.updatedAt = now;
    if (auto st = m_store.updateDt(d); !st.ok())
        return storageError(st.error());
    if (auto st = m_store.setCredentialState(d.statusIndex, QStringLiteral("revoked")); !st.ok())
        return storageError(st.error());
    if (auto st = bumpStatusRevision(); !st.ok())
        return st.error();
    if (auto st = tx->commit(); !st.ok())
        return storageError(st.error());
    m_log.append(logLeafHash(bv(appended->entry)));
    proto::DtInfo info;
    fillDtInfo(d, &info);
    return info;
}

ServiceResult<proto::DtInfo> HomenetService::revoke(const Caller& caller,
                                                    const proto::RevokeRequest& r) {
    if (!caller.subscriber())
        return serviceError(401, "not-authenticated", "revocation needs an authenticated subscriber");
    return revokeRecord(LogEntryType::Revocation, QString::fromStdString(r.dt_id()),
                        r.reason().empty() ? QStringLiteral("revoked by the owner")
                                           : QString::fromStdString(r.reason()),
                        caller.supi);
}

ServiceResult<proto::DtList> HomenetService::listDts(const Caller& caller) {
    if (!caller.subscriber())
        return serviceError(401, "not-authenticated", "listing needs an authenticated subscriber");
    auto dts = m_store.dtsOf(caller.supi);
    if (!dts.ok())
        return storageError(dts.error());
    proto::DtList out;
    for (const auto& d : *dts)
        fillDtInfo(d, out.add_dts());
    return out;
}

// ---- avatar repository ---------------------------------------------------------------------------

ServiceStatus HomenetService::checkAvatarAccess(const Caller& caller, const DtRecord& dt) {
    if (caller.subscriber() && caller.supi == dt.supi)
        return Nothing{};
    if (!caller.grantAvatarId.isEmpty() && caller.grantAvatarId == dt.avatarId) {
        if (dt.state != QLatin1String("active"))
            return serviceError(410, "dt-not-active",
                                "this avatar's digital twin is no longer active");
        return Nothing{};
    }
    if (!caller.subscriber() && caller.grantAvatarId.isEmpty())
        return serviceError(401, "not-authenticated",
                            "avatars are served only to their owner or to holders of an access "
                            "grant from the owner");
    return serviceError(403, "avatar-access-denied",
                        "you are not authorised to fetch this avatar: ask its owner for an access "
                        "grant");
}

ServiceResult<proto::AvatarInfo> HomenetService::describeAvatar(const DtRecord& dt) {
    auto files = m_store.avatarFiles(dt.mediaRoot);
    if (!files.ok())
        return storageError(files.error());
    proto::AvatarInfo out;
    out.set_avatar_id(dt.avatarId.toStdString());
    out.set_dt_id(dt.dtId.toStdString());
    out.set_media_root(str(dt.mediaRoot));
    out.set_signed_manifest(str(dt.signedManifest));
    bool complete = true;
    for (const auto& f : *files) {
        auto* s = out.add_files();
        s->set_name(f.path.toStdString());
        s->set_size(f.size);
        s->set_chunks(f.chunks);
        s->set_chunks_stored(f.chunksStored);
        complete = complete && f.chunksStored == f.chunks;
    }
    out.set_complete(complete);
    return out;
}

ServiceResult<proto::AvatarInfo> HomenetService::putChunk(const Caller& caller,
                                                          const QString& avatarId, int file,
                                                          quint64 chunkIndex,
                                                          const QByteArray& data) {
    if (!caller.subscriber())
        return serviceError(401, "not-authenticated", "only the avatar's owner may upload it");
    auto dt = m_store.dtByAvatar(avatarId);
    if (!dt.ok())
        return storageError(dt.error());
    if (!dt->has_value() || (*dt)->supi != caller.supi)
        return serviceError(404, "unknown-avatar",
                            "this subscription has no avatar " + avatarId.toStdString());
    if ((*dt)->state != QLatin1String("active"))
        return serviceError(409, "dt-not-active", "the avatar's digital twin is not active");
    auto manifest = parseSignedManifest(bv((*dt)->signedManifest));
    if (!manifest.ok())
        return serviceError(500, "manifest-damaged", "the stored manifest does not verify");
    const Manifest& m = manifest->manifest;
    if (file < 0 || static_cast<std::size_t>(file) >= m.files.size())
        return serviceError(404, "unknown-file",
                            "the certified manifest has no file number " + std::to_string(file));
    const ManifestFile& f = m.files[static_cast<std::size_t>(file)];
    if (chunkIndex >= f.chunkHashes.size())
        return serviceError(404, "unknown-chunk",
                            f.path + " has no chunk " + std::to_string(chunkIndex));
    const std::uint64_t offset = chunkIndex * m.chunkSize;
    const std::uint64_t expected = std::min<std::uint64_t>(m.chunkSize, f.size - offset);
    if (static_cast<std::uint64_t>(data.size()) != expected)
        return badRequest("chunk-size-mismatch",
                          f.path + " chunk " + std::to_string(chunkIndex) + " must be " +
                              std::to_string(expected) + " bytes, got " +
                              std::to_string(data.size()));
    if (merkle::leafHash(bv(data)) != f.chunkHashes[chunkIndex])
        return serviceError(422, "chunk-hash-mismatch",
                            f.path + " chunk " + std::to_string(chunkIndex) +
                                " does not match the certified manifest; nothing was stored");
    auto stored = m_store.putChunk((*dt)->mediaRoot, file, chunkIndex, data);
    if (!stored.ok())
        return storageError(stored.error());
    return describeAvatar(**dt);
}

ServiceResult<proto::AvatarInfo> HomenetService::avatarInfo(const Caller& caller,
                                                            const QString& avatarId) {
    auto dt = m_store.dtByAvatar(avatarId);
    if (!dt.ok())
        return storageError(dt.error());
    if (!dt->has_value())
        return serviceError(404, "unknown-avatar", "there is no avatar " + avatarId.toStdString());
    if (auto st = checkAvatarAccess(caller, **dt); !st.ok())
        return st.error();
    return describeAvatar(**dt);
}

ServiceResult<proto::AvatarInfo> HomenetService::avatarInfoByRoot(const Caller& caller,
                                                                  const QByteArray& root) {
    if (root.size() != 32)
        return badRequest("digest-invalid", "a media root is 32 bytes (64 hex digits)");
    if (!caller.subscriber() && caller.grantAvatarId.isEmpty())
        return serviceError(401, "not-authenticated",
                            "avatars are served only to their owner or to holders of an access "
                            "grant from the owner");
    // Looked up only among the caller's own DTs and the one its grant names: subscribers who
    // certified the same package share its root, and whether a root exists elsewhere is not
    // the caller's business (the answer is the same either way).
    auto dt = m_store.dtByMediaRootFor(root, caller.supi, caller.grantAvatarId);
    if (!dt.ok())
        return storageError(dt.error());
    if (!dt->has_value())
        return serviceError(404, "unknown-avatar",
                            "none of your avatars, and no avatar you hold an access grant for, "
                            "has this media root: ask the avatar's owner for an access grant");
    if (auto st = checkAvatarAccess(caller, **dt); !st.ok())
        return st.error();
    return describeAvatar(**dt);
}

ServiceResult<HomenetService::FileStream> HomenetService::openFile(const Caller& caller,
                                                                   const QString& avatarId,
                                                                   int file) {
    auto info = avatarInfo(caller, avatarId);
    if (!info.ok())
        return info.error();
    if (file < 0 || file >= info->files_size())
        return serviceError(404, "unknown-file", "the avatar has no file number " +
                                                     std::to_string(file));
    const auto& f = info->files(file);
    if (f.chunks_stored() != f.chunks())
        return serviceError(409, "avatar-incomplete",
                            f.name() + " has not been uploaded completely yet (" +
                                std::to_string(f.chunks_stored()) + " of " +
                                std::to_string(f.chunks()) + " chunks)");
    FileStream s;
    s.mediaRoot = qb(info->media_root());
    s.fileIndex = file;
    s.size = f.size();
    s.chunks = f.chunks();
    s.path = QString::fromStdString(f.name());
    return s;
}

ServiceResult<QByteArray> HomenetService::readChunk(const FileStream& f, quint64 chunkIndex) {
    auto c = m_store.chunk(f.mediaRoot, f.fileIndex, chunkIndex);
    if (!c.ok())
        return storageError(c.error());
    if (!c->has_value())
        return serviceError(500, "avatar-chunk-missing", "a stored chunk vanished");
    return **c;
}

ServiceResult<proto::AccessGrant> HomenetService::createGrant(const Caller& caller,
                                                              const QString& avatarId,
                                                              const proto::GrantRequest& r) {
    if (!caller.subscriber())
        return serviceError(401, "not-authenticated", "only the avatar's owner may grant access");
    auto dt = m_store.dtByAvatar(avatarId);
    if (!dt.ok())
        return storageError(dt.error());
    if (!dt->has_value() || (*dt)->supi != caller.supi)
        return serviceError(404, "unknown-avatar",
                            "this subscription has no avatar " + avatarId.toStdString());
    if ((*dt)->state != QLatin1String("active"))
        return serviceError(409, "dt-not-active", "the avatar's digital twin is not active");
    const std::uint64_t ttl = r.ttl_seconds() == 0 ? 3600 : r.ttl_seconds();
    if (ttl > 86400)
        return badRequest("grant-ttl-too-long", "an access grant lasts at most one day");
    auto raw = m_rng.bytes(32);
    if (!raw.ok())
        return serviceError(500, "random-failure", "the random generator failed");
    const std::string token = base64UrlEncode(*raw);
    const qint64 expires = m_clock.now() + static_cast<qint64>(ttl);
    if (auto st = m_store.insertGrant(qb(ByteView(sha256(view(token)))), avatarId, expires); !st.ok())
        return storageError(st.error());
    proto::AccessGrant g;
    g.set_token(token);
    g.set_avatar_id(avatarId.toStdString());
    g.set_expires_at(expires);
    return g;
}

} // namespace twinseal::service
