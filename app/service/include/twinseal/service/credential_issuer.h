// Issues a credential to a subscriber for a digital twin (registration, re-certification,
// pseudonym rotation, an accepted transfer): allocates its status-list index, names the log
// index it will be logged at, derives the subscriber binding and a fresh pseudonym, and makes
// the selective disclosures of the subscriber's attributes.
#pragma once

#include <QByteArray>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <twinseal/security/credential.h>
#include <twinseal/security/keys.h>

#include "twinseal/service/service_context.h"
#include "twinseal/service/status_list_publisher.h"
#include "twinseal/service/transparency_log.h"

namespace twinseal::service {

class CredentialIssuer {
  public:
    CredentialIssuer(ServiceContext& context, TransparencyLog& log, StatusListPublisher& status);

    // A credential just issued inside a write transaction.
    struct Issued {
        security::Credential credential;
        std::vector<std::string> disclosures;
        quint64 statusIndex = 0;
        QByteArray digest; // Credential::digest()
    };

    // Inside a write transaction: allocates a status index and issues a credential to
    // subscriber `s`, to be logged at the next log index. The credential certifies the media
    // `manifest` describes: its package root, model and metadata.
    [[nodiscard]] ServiceResult<Issued> issue(const SubscriberRecord& s, const std::string& dtId,
                                              const std::string& avatarId,
                                              const security::PublicKey& holderKey,
                                              const security::Manifest& manifest,
                                              std::uint32_t generation, qint64 now);

    // A holder key as it is stored with its DT (a serialized twinseal.proto.PublicKey).
    [[nodiscard]] static QByteArray storedHolderKey(const security::PublicKey& key);
    // Whether a stored holder key (storedHolderKey()) is `key`.
    [[nodiscard]] static bool isStoredHolderKey(const QByteArray& stored,
                                                const security::PublicKey& key);

    // Inside the issuance's write transaction: logs the issued credential as an entry of
    // `type` (with `details`) for its DT. The entry must land at the log index the credential
    // names: else 500 internal, "log index moved during <during>".
    [[nodiscard]] ServiceResult<TransparencyLog::Append>
    logIssued(const Issued& issued, security::LogEntryType type, const QByteArray& details,
              const char* during);

    // After the commit: the credential, its disclosures and its log receipt into the answer
    // (a RegistrationResponse or a TransferResult).
    template <typename Answer>
    [[nodiscard]] ServiceStatus answer(const Issued& issued,
                                       const TransparencyLog::Append& appended, Answer* out) {
        out->set_credential(security::toString(issued.credential.encoded));
        for (const auto& disclosure : issued.disclosures)
            out->add_disclosures(disclosure);
        auto receipt = m_log.receiptFor(appended);
        if (!receipt.ok())
            return receipt.error();
        *out->mutable_log_receipt() = std::move(receipt).value();
        return Nothing{};
    }

  private:
    ServiceContext& m_ctx;
    TransparencyLog& m_log;
    StatusListPublisher& m_status;
    std::vector<security::Certificate> m_issuerChain;
};

} // namespace twinseal::service
