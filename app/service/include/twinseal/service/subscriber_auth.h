// Subscriber authentication: provisioning a subscriber (K and OPc sealed under the storage key,
// the USIM profile returned once), SUCI de-concealment, 5G-AKA (start, re-synchronisation,
// finish), the AKMA key it yields, and the check of every request's Authorization header (an
// AKMA request MAC with its window and nonce, or an avatar access grant).
#pragma once

#include <QByteArray>
#include <QString>

#include <cstddef>
#include <string>

#include <twinseal/proto/homenet.pb.h>
#include <twinseal/security/milenage.h>
#include <twinseal/security/subscriber.h>

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
        : m_ctx(context), m_handles(handles) {}

    // twinseal-homenet subscriber add: the new subscriber's USIM profile (its only copy of K).
    [[nodiscard]] ServiceResult<security::UsimProfileData>
    addSubscriber(const SubscriberProfileRequest& request);

    [[nodiscard]] ServiceResult<proto::AuthChallenge> authStart(const proto::AuthStartRequest& r);
    [[nodiscard]] ServiceResult<proto::AuthChallenge> authResync(const proto::AuthResyncRequest& r);
    [[nodiscard]] ServiceResult<proto::AuthResult> authFinish(const proto::AuthFinishRequest& r);
    // Checks an Authorization header for the request (AKMA MAC, window, nonce; or a grant). No
    // header: an anonymous caller.
    [[nodiscard]] ServiceResult<Caller> authenticate(const QByteArray& authorization,
                                                     const QByteArray& method,
                                                     const QByteArray& pathAndQuery,
                                                     const QByteArray& body);

  private:
    [[nodiscard]] ServiceResult<proto::AuthChallenge>
    challengeFor(const SubscriberRecord& s, quint64 sqn, const QString& routingIndicator);
    [[nodiscard]] ServiceResult<security::Milenage> milenageFor(const SubscriberRecord& s) const;
    // An answer to a challenge, being checked inside its write transaction.
    struct PendingAnswer {
        Store::Transaction tx;
        AuthSessionRecord session;
        SubscriberRecord subscriber;
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
};

} // namespace twinseal::service
