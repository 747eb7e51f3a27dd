// Subscriber authentication: provisioning a subscriber (K and OPc sealed under the storage key,
// the USIM profile returned once), SUCI de-concealment, 5G-AKA (start, re-synchronisation,
// finish), the AKMA key it yields, and the check of every request's Authorization header (an
// AKMA request MAC with its window and nonce, or an avatar access grant).
//
// Sequence numbers are SEQ || IND (TS 33.102 Annex C): every start takes the next one
// (nextHomeSqn), a verified AUTS moves SQN_HE per clause 6.3.5 (resyncHomeSqn). Starts are
// rate-limited per SUPI and per source address (TokenBuckets). A SUCI of a SUPI that is not
// subscribed is answered like a subscribed one: a challenge made with a decoy K and OPc derived
// from the operator's binding key and the SUPI, whose answer then fails as a wrong RES* does.
#pragma once

#include <QByteArray>
#include <QString>

#include <cstddef>
#include <string>

#include <twinseal/proto/homenet.pb.h>
#include <twinseal/security/milenage.h>
#include <twinseal/security/subscriber.h>

#include "twinseal/service/auth_start_limits.h"
#include "twinseal/service/service_context.h"
#include "twinseal/service/transfer_handles.h"

namespace twinseal::service {

struct SubscriberProfileRequest {
    QString supi; // imsi-...
    int mncLength = 2;
    QString name, role, organisation, licenceId;
    QString routingIndicator = QStringLiteral("0");
    QString serviceUrl; // written into the profile
};

class SubscriberAuth {
  public:
    SubscriberAuth(ServiceContext& context, TransferHandles& handles)
        : m_ctx(context), m_handles(handles),
          m_startsPerSupi(context.config.authStartBurst, context.config.authStartPerMinute),
          m_startsPerSource(context.config.authStartSourceBurst,
                            context.config.authStartSourcePerMinute) {}

    // twinseal-homenet subscriber add: the new subscriber's USIM profile (its only copy of K).
    [[nodiscard]] ServiceResult<security::UsimProfileData>
    addSubscriber(const SubscriberProfileRequest& request);

    // `source`: the client's address for the per-source limit (empty: not limited by source).
    [[nodiscard]] ServiceResult<proto::AuthChallenge> authStart(const proto::AuthStartRequest& r,
                                                                const QByteArray& source = {});
    [[nodiscard]] ServiceResult<proto::AuthChallenge> authResync(const proto::AuthResyncRequest& r);
    [[nodiscard]] ServiceResult<proto::AuthResult> authFinish(const proto::AuthFinishRequest& r);
    // Checks an Authorization header for the request (AKMA MAC, window, nonce; or a grant). No
    // header: an anonymous caller. `recordOutcome`: the nonce is not used up here; the caller
    // carries the request's key for RequestOutcomes, which records the answer instead.
    [[nodiscard]] ServiceResult<Caller> authenticate(const QByteArray& authorization,
                                                     const QByteArray& method,
                                                     const QByteArray& pathAndQuery,
                                                     const QByteArray& body,
                                                     bool recordOutcome = false);

  private:
    // A new challenge with SQN `sqn`, recorded as a pending session of `sessionSupi`.
    [[nodiscard]] ServiceResult<proto::AuthChallenge>
    challengeFor(security::Milenage& milenage, const security::Supi& supi,
                 const QString& sessionSupi, quint64 sqn, const QString& routingIndicator);
    // The subscriber's MILENAGE; for a decoy session's subscriber (supi "decoy:..."), the decoy's.
    [[nodiscard]] ServiceResult<security::Milenage> milenageFor(const SubscriberRecord& s) const;
    // The decoy K and OPc of a SUPI that is not subscribed: HMAC-SHA-256 under the operator's
    // binding key, so repeated starts for one SUPI meet the same (unknown) subscriber.
    [[nodiscard]] ServiceResult<security::Milenage> decoyMilenage(const QString& supi) const;
    // An answer to a challenge, being checked inside its write transaction.
    struct PendingAnswer {
        Store::Transaction tx;
        AuthSessionRecord session;
        SubscriberRecord subscriber; // for a decoy session: only its supi ("decoy:...")
        bool decoy = false;
    };
    // The opening of every answer (resync, finish): auth_id and an answer of `expectedSize`
    // bytes (else malformed-request with `usage`), then a write transaction and the session,
    // which can still be answered, with its subscriber.
    [[nodiscard]] ServiceResult<PendingAnswer> openAnswer(const std::string& authId,
                                                          std::size_t answerSize,
                                                          std::size_t expectedSize,
                                                          const char* usage);
    // A wrong answer: the session is marked failed (one more attempt, committed); `refusal`.
    [[nodiscard]] ServiceError wrongAnswer(PendingAnswer& pending, ServiceError refusal);
    // At most once a minute: drops expired sessions, keys, nonces and grants.
    void maybePurge();

    ServiceContext& m_ctx;
    TransferHandles& m_handles;
    qint64 m_lastPurge = 0;
    TokenBuckets m_startsPerSupi;
    TokenBuckets m_startsPerSource;
};

} // namespace twinseal::service
