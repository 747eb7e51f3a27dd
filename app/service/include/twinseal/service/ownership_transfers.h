// Ownership transfer of a digital twin (security/transfer.h): the owner's signed offer (to a
// transfer handle or with a one-time code), the recipient's signed acceptance (a new credential
// under the recipient's own attributes and holder key, logged), decline, cancel, lazy expiry,
// and the receipt of an accepted transfer for both parties.
#pragma once

#include <QByteArray>
#include <QString>

#include <string>

#include <twinseal/proto/homenet.pb.h>

#include "twinseal/service/credential_issuer.h"
#include "twinseal/service/service_context.h"
#include "twinseal/service/status_list_publisher.h"
#include "twinseal/service/transfer_handles.h"
#include "twinseal/service/transparency_log.h"

namespace twinseal::service {

class OwnershipTransfers {
  public:
    OwnershipTransfers(ServiceContext& context, TransparencyLog& log, StatusListPublisher& status,
                       CredentialIssuer& issuer, TransferHandles& handles)
        : m_ctx(context), m_log(log), m_status(status), m_issuer(issuer), m_handles(handles) {}

    // Databases from before ownership transfer: gives every subscriber a transfer handle and
    // indexes the log by DT. Call once the log is loaded.
    [[nodiscard]] ServiceStatus backfill();

    // body: a Signed TransferOfferBody envelope from the DT's owner.
    [[nodiscard]] ServiceResult<proto::TransferInfo> offerTransfer(const Caller& caller,
                                                                   const QByteArray& body);
    [[nodiscard]] ServiceResult<proto::TransferList> listTransfers(const Caller& caller);
    [[nodiscard]] ServiceResult<proto::TransferInfo> transferInfo(const Caller& caller,
                                                                  const QString& transferId);
    [[nodiscard]] ServiceResult<proto::TransferInfo>
    transferByCode(const Caller& caller, const proto::TransferCodeRequest& r);
    [[nodiscard]] ServiceResult<proto::TransferResult>
    acceptTransfer(const Caller& caller, const QString& transferId,
                   const proto::TransferAcceptRequest& r);
    [[nodiscard]] ServiceResult<proto::TransferInfo>
    declineTransfer(const Caller& caller, const QString& transferId,
                    const proto::TransferCodeRequest& r);
    [[nodiscard]] ServiceResult<proto::TransferInfo> cancelTransfer(const Caller& caller,
                                                                    const QString& transferId);
    // The accepted transfer's log entry with its inclusion proof in the current tree: for both
    // parties.
    [[nodiscard]] ServiceResult<proto::LogInclusionResponse>
    transferReceipt(const Caller& caller, const QString& transferId);

  private:
    // The transfer `transferId`, or transfer-not-found.
    [[nodiscard]] ServiceResult<TransferOfferRecord> loadTransfer(const QString& transferId);
    // A transfer being answered (declined, cancelled) inside its write transaction.
    struct OpenTransfer {
        Store::Transaction tx;
        TransferOfferRecord transfer;
    };
    // A write transaction and the transfer `transferId` (else transfer-not-found).
    [[nodiscard]] ServiceResult<OpenTransfer> openTransfer(const QString& transferId);
    // The answer recorded: the transfer ends in `state` now, committed, described to the caller.
    [[nodiscard]] ServiceResult<proto::TransferInfo>
    closeTransfer(const Caller& caller, OpenTransfer& open, const QString& state);
    // Inside a write transaction, for a transfer the caller acts on as its recipient (accept,
    // decline): the caller is the addressee or presents the offer's code.
    [[nodiscard]] ServiceStatus checkRecipient(const Caller& caller, const TransferOfferRecord& t,
                                               const std::string& code);
    // Inside a write transaction: refuses a transfer that is no longer pending (an expired one
    // is marked so, and committed).
    [[nodiscard]] ServiceStatus checkPending(TransferOfferRecord& t, Store::Transaction& tx);
    [[nodiscard]] ServiceResult<proto::TransferInfo>
    describeTransfer(const TransferOfferRecord& t, const QString& callerSupi, bool withManifest);

    ServiceContext& m_ctx;
    TransparencyLog& m_log;
    StatusListPublisher& m_status;
    CredentialIssuer& m_issuer;
    TransferHandles& m_handles;
};

} // namespace twinseal::service
