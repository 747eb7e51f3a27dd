#include "twinseal/service/subscriber_auth.h"

#include <array>
#include <algorithm>
#include <optional>

#include <twinseal/security/aka.h>
#include <twinseal/security/request_auth.h>
#include <twinseal/security/suci.h>

#include "service_util.h"

namespace twinseal::service {

using namespace twinseal::security;
using namespace util;

namespace {
constexpr std::array<std::uint8_t, 2> kAmf{0x80, 0x00}; // separation bit set: a 5G authentication vector
// Sessions of SUPIs that are not subscribed are stored under "decoy:<SUPI>".
constexpr QLatin1String kDecoyPrefix("decoy:");
constexpr std::string_view kDecoyContext = "twinseal.decoy-subscriber.v1|";

ServiceError startLimited(const char* code, const std::string& message, qint64 retryAfter) {
    ServiceError e = serviceError(429, code, message);
    e.retryAfter = retryAfter;
    return e;
}
} // namespace

void SubscriberAuth::maybePurge() {
    const qint64 now = m_ctx.clock.now();
    if (now - m_lastPurge < 60)
        return;
    m_lastPurge = now;
    if (auto tx = m_ctx.store.begin(true); tx.ok()) {
        if (m_ctx.store.purgeExpired(now).ok())
            (void)tx->commit();
    }
}

ServiceResult<UsimProfileData> SubscriberAuth::addSubscriber(const SubscriberProfileRequest& r) {
    auto supi = Supi::parse(r.supi.toStdString(), static_cast<std::size_t>(r.mncLength));
    if (!supi.ok())
        return badRequest("supi-invalid", supi.error().detail);
    const QString ri = r.routingIndicator;
    if (ri.isEmpty() || ri.size() > 4 ||
        !std::all_of(ri.begin(), ri.end(), [](QChar c) { return c.isDigit(); }))
        return badRequest("routing-indicator-invalid",
                          "the routing indicator must be 1 to 4 digits");
    auto k = m_ctx.rng.bytes(16);
    auto op = m_ctx.rng.bytes(16);
    if (!k.ok() || !op.ok())
        return serviceError(500, "random-failure", "the random generator failed");
    auto opc = Milenage::computeOpc(*k, *op);
    cleanse(op->data(), op->size());
    if (!opc.ok())
        return fromSecurity(500, opc.error());
    SecureBytes secrets(k->begin(), k->end());
    secrets.insert(secrets.end(), opc->begin(), opc->end());
    const QString supiText = QString::fromStdString(supi->toString());
    auto sealed = m_ctx.keys.sealField("subscriber:" + supiText.toStdString(), secrets);
    if (!sealed.ok())
        return fromSecurity(500, sealed.error());

    auto tx = m_ctx.store.begin(true);
    if (!tx.ok())
        return m_ctx.storageError(tx.error());
    auto existing = m_ctx.store.subscribers().subscriber(supiText);
    if (!existing.ok())
        return m_ctx.storageError(existing.error());
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
    rec.createdAt = m_ctx.clock.now();
    if (auto st = m_ctx.store.subscribers().insertSubscriber(rec); !st.ok())
        return m_ctx.storageError(st.error());
    if (auto handle = m_handles.handleFor(supiText); !handle.ok())
        return handle.error();
    if (auto st = tx->commit(); !st.ok())
        return m_ctx.storageError(st.error());

    UsimProfileData p;
    p.supi = std::move(supi).value();
    p.k.assign(k->begin(), k->end());
    cleanse(k->data(), k->size());
    p.opc = std::move(opc).value();
    p.sqn = {}; // SEQ_MS(i) = 0: the network's first vector has SEQ 1
    p.amf = Bytes(kAmf.begin(), kAmf.end());
    p.routingIndicator = ri.toStdString();
    p.hnKeyId = m_ctx.keys.hnKeyId();
    p.hnPublicKey = m_ctx.keys.suciPublicKey();
    p.serviceUrl =
        (r.serviceUrl.isEmpty() ? m_ctx.config.effectivePublicUrl(m_ctx.config.port) : r.serviceUrl)
            .toStdString();
    p.tlsCaPem = m_ctx.keys.tlsCaCertificate().pem();
    p.trustListPem = m_ctx.keys.rootCertificate().pem();
    p.logKey = m_ctx.keys.logKey().publicKey();
    p.statusListKey = m_ctx.keys.issuerKey().publicKey();
    p.operatorName = m_ctx.keys.operatorName().toStdString();
    return p;
}

ServiceResult<proto::AuthChallenge>
SubscriberAuth::challengeFor(Milenage& milenage, const Supi& supi, const QString& sessionSupi,
                             quint64 sqn, const QString& routingIndicator) {
    auto snn = servingNetworkName(supi.mcc, supi.mnc);
    if (!snn.ok())
        return fromSecurity(500, snn.error());
    auto av = generateAuthVector(milenage, m_ctx.rng, sqn, kAmf, *snn);
    if (!av.ok())
        return fromSecurity(500, av.error());
    auto idBytes = m_ctx.rng.bytes(16);
    if (!idBytes.ok())
        return serviceError(500, "random-failure", "the random generator failed");
    AuthSessionRecord a;
    a.authId = QString::fromStdString(base64UrlEncode(*idBytes));
    a.supi = sessionSupi;
    a.rand = qb(ByteView(av->rand));
    a.xresDigest = qb(ByteView(sha256(av->xresStar)));
    auto sealed = m_ctx.keys.sealField("kausf:" + a.authId.toStdString(), av->kausf);
    if (!sealed.ok())
        return fromSecurity(500, sealed.error());
    a.sealedKausf = qb(*sealed);
    a.expiresAt = m_ctx.clock.now() + m_ctx.config.challengeTtl;
    a.state = QStringLiteral("pending");
    a.routingIndicator = routingIndicator;
    if (auto st = m_ctx.store.auth().insertAuthSession(a); !st.ok())
        return m_ctx.storageError(st.error());
    proto::AuthChallenge c;
    c.set_auth_id(a.authId.toStdString());
    c.set_rand(str(a.rand));
    c.set_autn(std::string(av->autn.begin(), av->autn.end()));
    c.set_serving_network_name(*snn);
    c.set_expires_at(a.expiresAt);
    return c;
}

ServiceResult<Milenage> SubscriberAuth::decoyMilenage(const QString& supi) const {
    auto secrets = hmacSha256(m_ctx.keys.bindingKey(),
                              view(std::string(kDecoyContext) + supi.toStdString()));
    if (!secrets.ok())
        return fromSecurity(500, secrets.error());
    auto milenage = Milenage::create(ByteView(*secrets).first(16), ByteView(*secrets).subspan(16));
    cleanse(secrets->data(), secrets->size());
    if (!milenage.ok())
        return fromSecurity(500, milenage.error());
    return std::move(milenage).value();
}

ServiceResult<Milenage> SubscriberAuth::milenageFor(const SubscriberRecord& s) const {
    if (s.supi.startsWith(kDecoyPrefix))
        return decoyMilenage(s.supi.mid(kDecoyPrefix.size()));
    auto secrets = m_ctx.keys.openField("subscriber:" + s.supi.toStdString(), bv(s.sealedSecrets));
    if (!secrets.ok() || secrets->size() != 32)
        return serviceError(500, "subscriber-record-damaged",
                            "the subscriber's stored keys cannot be opened");
    auto milenage = Milenage::create(ByteView(*secrets).first(16), ByteView(*secrets).subspan(16));
    if (!milenage.ok())
        return fromSecurity(500, milenage.error());
    return std::move(milenage).value();
}

ServiceResult<proto::AuthChallenge> SubscriberAuth::authStart(const proto::AuthStartRequest& r,
                                                             const QByteArray& source) {
    maybePurge();
    const qint64 now = m_ctx.clock.now();
    // Per source, one of the per-address limits that `rate-limit = 0` switches off.
    if (!source.isEmpty() && m_ctx.config.rateLimit > 0) {
        if (auto wait = m_startsPerSource.take(source, now))
            return startLimited("auth-start-source-rate-limited",
                                "too many authentication starts from this address; retry after " +
                                    std::to_string(*wait) + " s",
                                *wait);
    }
    // A SUCI that does not de-conceal counts towards suci-failure-burst (anomaly_monitor.h).
    auto suciFailure = [&](const char* code, const std::string& message) {
        m_ctx.anomalies.observe(AnomalyMonitor::Pattern::SuciFailure, source, now);
        return badRequest(code, message);
    };
    if (r.suci().empty() || r.suci().size() > 256)
        return suciFailure("suci-invalid", "the request carries no SUCI");
    auto suci = Suci::parse(r.suci());
    if (!suci.ok())
        return suciFailure("suci-invalid", suci.error().detail);
    if (suci->scheme != SuciProtectionScheme::ProfileA)
        return suciFailure("suci-scheme-unsupported",
                           "this home network accepts only SUCI protection scheme Profile A: the "
                           "SUPI must never travel in clear");
    if (suci->homeNetworkPublicKeyId != m_ctx.keys.hnKeyId())
        return suciFailure("unknown-hn-key",
                           "the SUCI was concealed under home network key " +
                               std::to_string(suci->homeNetworkPublicKeyId) +
                               ", which this network does not have: get an up-to-date profile");
    auto supi = deconcealSuci(*suci, m_ctx.keys.suciPrivateKey());
    if (!supi.ok()) {
        if (supi.code() == ErrorCode::SuciMacFailure)
            return suciFailure("suci-mac-failure",
                               "the SUCI does not decrypt under this network's key: the profile "
                               "belongs to another network or the SUCI was altered");
        return suciFailure("suci-invalid", supi.error().detail);
    }
    const QString supiText = QString::fromStdString(supi->toString());
    // Per SUPI, subscribed or not (as the limit below): a subscriber being hammered is backed
    // off, whoever starts for it, and the answer tells nothing about the subscription.
    const QByteArray subject = m_ctx.subscriberSubject(supiText);
    m_ctx.anomalies.observe(AnomalyMonitor::Pattern::AuthStart, subject, now);
    if (auto wait = m_ctx.anomalies.backoff(subject, now)) {
        m_ctx.anomalies.refusedForBackoff();
        return startLimited("subscriber-backed-off",
                            "authentication for this subscriber is paused after repeated failed "
                            "or excessive attempts; retry after " +
                                std::to_string(*wait) + " s, or ask the operator",
                            *wait);
    }
    // Per SUPI, subscribed or not: the limit tells nothing about the subscription.
    if (auto wait = m_startsPerSupi.take(supiText.toUtf8(), now))
        return startLimited("auth-start-rate-limited",
                            "too many authentication starts for this subscriber; retry after " +
                                std::to_string(*wait) + " s",
                            *wait);
    const QString routing = QString::fromStdString(suci->routingIndicator);
    auto tx = m_ctx.store.begin(true);
    if (!tx.ok())
        return m_ctx.storageError(tx.error());
    auto sub = m_ctx.store.subscribers().subscriber(supiText);
    if (!sub.ok())
        return m_ctx.storageError(sub.error());
    ServiceResult<proto::AuthChallenge> challenge = serviceError(500, "internal", "");
    if (!sub->has_value()) {
        // Not subscribed: the same answer as for a subscriber (a challenge of the decoy keys,
        // with a random SQN hidden under the decoy AK), so a SUCI does not reveal whether its
        // SUPI is subscribed. Its answer fails as a wrong RES* does.
        auto decoy = decoyMilenage(supiText);
        if (!decoy.ok())
            return decoy.error();
        auto sqnBytes = m_ctx.rng.bytes(kAkaSqnSize);
        if (!sqnBytes.ok())
            return serviceError(500, "random-failure", "the random generator failed");
        auto sqn = sqnFromBytes(*sqnBytes);
        if (!sqn.ok())
            return fromSecurity(500, sqn.error());
        challenge = challengeFor(*decoy, *supi, kDecoyPrefix + supiText, *sqn, routing);
    } else {
        auto sqn = nextHomeSqn((*sub)->sqn);
        if (!sqn.ok())
            return serviceError(409, "sqn-exhausted",
                                "the subscriber's sequence numbers are used up");
        if (auto st = m_ctx.store.subscribers().updateSubscriberSqn(supiText, *sqn); !st.ok())
            return m_ctx.storageError(st.error());
        auto milenage = milenageFor(**sub);
        if (!milenage.ok())
            return milenage.error();
        challenge = challengeFor(*milenage, *supi, supiText, *sqn, routing);
    }
    if (!challenge.ok())
        return challenge;
    if (auto st = tx->commit(); !st.ok())
        return m_ctx.storageError(st.error());
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

ServiceResult<SubscriberAuth::PendingAnswer>
SubscriberAuth::openAnswer(const std::string& authId, std::size_t answerSize,
                           std::size_t expectedSize, const char* usage) {
    if (authId.empty() || authId.size() > 64 || answerSize != expectedSize)
        return badRequest("malformed-request", usage);
    auto tx = m_ctx.store.begin(true);
    if (!tx.ok())
        return m_ctx.storageError(tx.error());
    auto a = m_ctx.store.auth().authSession(QString::fromStdString(authId));
    if (!a.ok())
        return m_ctx.storageError(a.error());
    if (!a->has_value())
        return serviceError(404, "unknown-auth-session",
                            "no such authentication in progress; start a new one");
    if (auto e = sessionUsable(**a, m_ctx.clock.now()))
        return *e;
    if ((*a)->supi.startsWith(kDecoyPrefix)) {
        SubscriberRecord decoy;
        decoy.supi = (*a)->supi;
        return PendingAnswer{std::move(tx).value(), std::move(**a), std::move(decoy), true};
    }
    auto sub = m_ctx.store.subscribers().subscriber((*a)->supi);
    if (!sub.ok())
        return m_ctx.storageError(sub.error());
    if (!sub->has_value())
        return serviceError(404, "unknown-subscriber", "the subscriber was removed");
    return PendingAnswer{std::move(tx).value(), std::move(**a), std::move(**sub), false};
}

ServiceError SubscriberAuth::wrongAnswer(PendingAnswer& pending, ServiceError refusal) {
    // Counted per SUPI, subscribed (decoy prefix removed) or not.
    QString supi = pending.session.supi;
    if (supi.startsWith(kDecoyPrefix))
        supi = supi.mid(kDecoyPrefix.size());
    m_ctx.anomalies.observe(AnomalyMonitor::Pattern::AkaFailure, m_ctx.subscriberSubject(supi),
                            m_ctx.clock.now());
    (void)m_ctx.store.auth().updateAuthSession(pending.session.authId, QStringLiteral("failed"),
                                               pending.session.attempts + 1);
    (void)pending.tx.commit();
    return refusal;
}

ServiceResult<proto::AuthChallenge> SubscriberAuth::authResync(const proto::AuthResyncRequest& r) {
    auto pending = openAnswer(r.auth_id(), r.auts().size(), kAkaAutsSize,
                              "a resync needs auth_id and a 14-byte AUTS");
    if (!pending.ok())
        return pending.error();
    const AuthSessionRecord& session = pending->session;
    const SubscriberRecord& subscriber = pending->subscriber;
    auto milenage = milenageFor(subscriber);
    if (!milenage.ok())
        return milenage.error();
    auto sqnMs = recoverSqnFromAuts(*milenage, bv(session.rand), view(r.auts()));
    if (!sqnMs.ok() || pending->decoy)
        return wrongAnswer(*pending,
                           serviceError(401, "auts-invalid",
                                        "the re-synchronisation token does not verify: the "
                                        "profile's keys do not match this network's record"));
    // TS 33.102 clause 6.3.5: SQN_HE is reset to SQN_MS unless its next SQN would be accepted.
    auto sqn = nextHomeSqn(resyncHomeSqn(subscriber.sqn, *sqnMs));
    if (!sqn.ok())
        return serviceError(409, "sqn-exhausted", "the subscriber's sequence numbers are used up");
    if (auto st = m_ctx.store.subscribers().updateSubscriberSqn(session.supi, *sqn); !st.ok())
        return m_ctx.storageError(st.error());
    if (auto st = m_ctx.store.auth().updateAuthSession(session.authId, QStringLiteral("resynced"),
                                                       session.attempts);
        !st.ok())
        return m_ctx.storageError(st.error());
    auto supi =
        Supi::parse(subscriber.supi.toStdString(), static_cast<std::size_t>(subscriber.mncLength));
    if (!supi.ok())
        return fromSecurity(500, supi.error());
    auto challenge = challengeFor(*milenage, *supi, subscriber.supi, *sqn, session.routingIndicator);
    if (!challenge.ok())
        return challenge;
    if (auto st = pending->tx.commit(); !st.ok())
        return m_ctx.storageError(st.error());
    return challenge;
}

ServiceResult<proto::AuthResult> SubscriberAuth::authFinish(const proto::AuthFinishRequest& r) {
    auto pending = openAnswer(r.auth_id(), r.res_star().size(), kAkaResStarSize,
                              "a finish needs auth_id and a 16-byte RES*");
    if (!pending.ok())
        return pending.error();
    const AuthSessionRecord& session = pending->session;
    const SubscriberRecord& subscriber = pending->subscriber;
    const qint64 now = m_ctx.clock.now();
    const Digest got = sha256(view(r.res_star()));
    if (!constantTimeEqual(got, bv(session.xresDigest)) || pending->decoy)
        return wrongAnswer(*pending,
                           serviceError(401, "aka-res-mismatch",
                                        "the answer to the challenge is wrong: the profile's keys "
                                        "do not match this network's record for the subscriber"));
    auto kausf =
        m_ctx.keys.openField("kausf:" + session.authId.toStdString(), bv(session.sealedKausf));
    if (!kausf.ok())
        return serviceError(500, "auth-session-damaged", "the stored session key cannot be opened");
    auto supi =
        Supi::parse(session.supi.toStdString(), static_cast<std::size_t>(subscriber.mncLength));
    if (!supi.ok())
        return fromSecurity(500, supi.error());
    auto akma = deriveAkmaSession(*kausf, *supi, session.routingIndicator.toStdString());
    if (!akma.ok())
        return fromSecurity(500, akma.error());
    const QString aKid = QString::fromStdString(akma->aKid);
    auto sealedKaf = m_ctx.keys.sealField("kaf:" + akma->aKid, akma->kaf);
    if (!sealedKaf.ok())
        return fromSecurity(500, sealedKaf.error());
    AkmaKeyRecord k{aKid, session.supi, qb(*sealedKaf), now + m_ctx.config.akmaKeyTtl};
    if (auto st = m_ctx.store.auth().insertAkmaKey(k); !st.ok())
        return m_ctx.storageError(st.error());
    if (auto st = m_ctx.store.auth().updateAuthSession(session.authId, QStringLiteral("used"),
                                                       session.attempts + 1);
        !st.ok())
        return m_ctx.storageError(st.error());
    if (auto st = pending->tx.commit(); !st.ok())
        return m_ctx.storageError(st.error());
    proto::AuthResult out;
    out.set_a_kid(akma->aKid);
    out.set_expires_at(k.expiresAt);
    return out;
}

ServiceResult<Caller> SubscriberAuth::authenticate(const QByteArray& authorization,
                                                   const QByteArray& method,
                                                   const QByteArray& pathAndQuery,
                                                   const QByteArray& body, bool recordOutcome) {
    maybePurge();
    Caller caller;
    if (authorization.isEmpty())
        return caller;
    const qint64 now = m_ctx.clock.now();
    const QByteArray grantPrefix =
        QByteArray(kGrantAuthScheme.data(), kGrantAuthScheme.size()) + ' ';
    if (authorization.startsWith(grantPrefix)) {
        const QByteArray token = authorization.mid(grantPrefix.size()).trimmed();
        if (token.isEmpty() || token.size() > 128)
            return serviceError(401, "grant-invalid", "the access grant token is malformed");
        auto g = m_ctx.store.avatars().grant(qb(ByteView(sha256(bv(token)))));
        if (!g.ok())
            return m_ctx.storageError(g.error());
        if (!g->has_value())
            return serviceError(
                401, "grant-invalid",
                "this access grant is unknown: ask the avatar's owner for a new one");
        if ((*g)->second < now)
            return serviceError(401, "grant-expired",
                                "this access grant has expired: ask the avatar's owner for a new "
                                "one");
        caller.grantAvatarId = (*g)->first;
        return caller;
    }
    auto auth = AkmaAuthorization::parse(std::string_view(
        authorization.constData(), static_cast<std::size_t>(authorization.size())));
    if (!auth.ok())
        return serviceError(401, "authorization-malformed", auth.error().detail);
    auto key = m_ctx.store.auth().akmaKey(QString::fromStdString(auth->aKid));
    if (!key.ok())
        return m_ctx.storageError(key.error());
    if (!key->has_value())
        return serviceError(401, "unknown-akma-key",
                            "the service does not know this A-KID: authenticate again");
    if ((*key)->expiresAt < now)
        return serviceError(401, "akma-key-expired",
                            "the AKMA key has expired: authenticate again");
    auto kaf = m_ctx.keys.openField("kaf:" + auth->aKid, bv((*key)->sealedKaf));
    if (!kaf.ok())
        return serviceError(500, "akma-key-damaged", "the stored AKMA key cannot be opened");
    auto st = verifyRequestAuthorization(
        *auth, *kaf, std::string_view(method.constData(), static_cast<std::size_t>(method.size())),
        std::string_view(pathAndQuery.constData(), static_cast<std::size_t>(pathAndQuery.size())),
        sha256(bv(body)), now);
    if (!st.ok())
        return serviceError(401, std::string(errorCodeName(st.code())), st.error().detail);
    // Kept in the database for the whole window, so a restart does not accept a replay.
    const Digest nonceKey = sha256(view("request-auth|" + auth->aKid + '|' + auth->nonce));
    if (recordOutcome) {
        caller.requestKey = qb(ByteView(nonceKey));
        caller.requestDigest = qb(ByteView(sha256(ByteView(auth->mac))));
        caller.requestKeyExpiresAt = auth->timestamp + 2 * kRequestAuthWindow;
    } else if (auto st = m_ctx.useNonce(qb(ByteView(nonceKey)), auth->timestamp + 2 * kRequestAuthWindow,
                                 "request-replayed",
                                 "this exact request was already received; a repeat is a replay");
        !st.ok())
        return st.error();
    caller.supi = (*key)->supi;
    caller.aKid = QString::fromStdString(auth->aKid);
    return caller;
}

} // namespace twinseal::service
