// Issues a credential to a subscriber for a digital twin (registration, re-certification,
// pseudonym rotation, an accepted transfer): allocates its status-list index, names the log
// index it will be logged at, derives the subscriber binding and a fresh pseudonym, and makes
// the selective disclosures of the subscriber's attributes.
#pragma once

#include <QByteArray>

#include <cstdint>
#include <string>
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
    // subscriber `s`, to be logged at the next log index.
    [[nodiscard]] ServiceResult<Issued> issue(const SubscriberRecord& s, const std::string& dtId,
                                              const std::string& avatarId,
                                              const security::PublicKey& holderKey,
                                              const security::Digest& mediaRoot,
                                              std::uint32_t generation, qint64 now);

    // A holder key as it is stored with its DT (a serialized twinseal.proto.PublicKey).
    [[nodiscard]] static QByteArray storedHolderKey(const security::PublicKey& key);

  private:
    ServiceContext& m_ctx;
    TransparencyLog& m_log;
    StatusListPublisher& m_status;
    std::vector<security::Certificate> m_issuerChain;
};

} // namespace twinseal::service
