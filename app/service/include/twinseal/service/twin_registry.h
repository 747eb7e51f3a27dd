// The registry of digital twins: registration, re-certification and pseudonym rotation (each
// issues a credential and logs it), revocation by the owner or the operator, the owner's list,
// a DT's history for its current and former owners, and the subscriber's own summary.
#pragma once

#include <QByteArray>
#include <QString>

#include <twinseal/proto/homenet.pb.h>
#include <twinseal/security/registration.h>

#include "twinseal/service/credential_issuer.h"
#include "twinseal/service/service_context.h"
#include "twinseal/service/status_list_publisher.h"
#include "twinseal/service/transfer_handles.h"
#include "twinseal/service/transparency_log.h"

namespace twinseal::service {

class TwinRegistry {
  public:
    TwinRegistry(ServiceContext& context, TransparencyLog& log, StatusListPublisher& status,
                 CredentialIssuer& issuer, TransferHandles& handles)
        : m_ctx(context), m_log(log), m_status(status), m_issuer(issuer), m_handles(handles) {}

    [[nodiscard]] ServiceResult<proto::RegistrationResponse> registerDt(const Caller& caller,
                                                                        const QByteArray& body);
    [[nodiscard]] ServiceResult<proto::RegistrationResponse> recertify(const Caller& caller,
                                                                       const QByteArray& body);
    // A fresh credential with a new pseudonym for the same DT, holder key and media (the
    // request is a RegistrationBody with purpose "rotate-pseudonym" signed by the current
    // holder key); the old credential is superseded and the issuance logged.
    [[nodiscard]] ServiceResult<proto::RegistrationResponse>
    rotatePseudonym(const Caller& caller, const QByteArray& body);
    [[nodiscard]] ServiceResult<proto::DtInfo> revoke(const Caller& caller,
                                                      const proto::RevokeRequest& r);
    [[nodiscard]] ServiceResult<proto::DtList> listDts(const Caller& caller);
    // Every log entry of a DT with inclusion proofs in one signed tree head: for its current
    // owner and for every subscriber who owned it before (and transferred it away).
    [[nodiscard]] ServiceResult<proto::DtHistory> dtHistory(const Caller& caller,
                                                            const QString& dtId);
    // The caller's transfer handle and active DT.
    [[nodiscard]] ServiceResult<proto::SubscriberInfo> me(const Caller& caller);

    // ---- administration (twinseal-homenet dt revoke / dt list)
    [[nodiscard]] ServiceResult<proto::DtInfo> adminRevoke(const QString& dtId,
                                                           const QString& reason);
    [[nodiscard]] ServiceResult<proto::DtList> adminList();

  private:
    [[nodiscard]] ServiceResult<proto::RegistrationResponse>
    issue(const Caller& caller, const QByteArray& body, security::RegistrationPurpose purpose);
    [[nodiscard]] ServiceResult<proto::DtInfo>
    revokeRecord(const QString& dtId, const QString& reason, const QString& requiredSupi);

    ServiceContext& m_ctx;
    TransparencyLog& m_log;
    StatusListPublisher& m_status;
    CredentialIssuer& m_issuer;
    TransferHandles& m_handles;
};

} // namespace twinseal::service
