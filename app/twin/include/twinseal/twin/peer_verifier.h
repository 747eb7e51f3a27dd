// Verifying a peer from files, as twinsealctl and the desktop client's "Verify a peer" dialog do:
// security::verifyPeer with the trust list, the identity pins and the replay cache of this
// device, and the revocation status list / signed tree head / inclusion proof either given (as
// files, verified here) or fetched from the credential's home network (fetchEvidence).
#pragma once

#include <QObject>
#include <QString>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <twinseal/security/role_credential.h>
#include <twinseal/security/statuslist.h>
#include <twinseal/security/translog.h>
#include <twinseal/security/verify.h>
#include <twinseal/security/x509.h>

namespace twinseal::netclient {
class ServiceClient;
}

namespace twinseal::twin {

// What the peer presented.
struct PeerPresentation {
    QString assertionFile;
    std::string assertionText; // used when assertionFile is empty
    QString credentialFile;
    QString manifestFile;      // the peer's holder-signed manifest
    QString packagePath;       // the media to check (folder or .glb); empty: not checked
    QString disclosuresFile;   // name<TAB>disclosure lines, or disclosures.json
    std::string destination;   // this call's destination URI
    // Third-party role credentials the peer presented (encoded), and the roles this call's room
    // requires with the enterprise roots that may vouch for each (none: no role required).
    std::vector<security::Bytes> roleCredentials;
    security::RoleRequirement requiredRoles;
    // In memory (a call's evidence), used when the matching file above is empty.
    security::Bytes credential;
    security::Bytes manifest;
    std::vector<std::string> disclosures;
};

// Revocation and transparency-log evidence for the peer's credential.
struct PeerEvidence {
    // Given as files: a signed status list, verified here with the credential issuer's key.
    security::Bytes statusList;
    // Given as files: a log receipt (the entry and its inclusion proof, as `register` saves it)
    // and optionally the signed tree head it must be included in; both verified with logKey.
    security::Bytes inclusion;
    security::Bytes treeHead;
    std::optional<security::PublicKey> logKey;
    // Fetched and verified by the home-network client.
    std::optional<security::StatusList> verifiedStatusList;
    std::optional<security::LogReceipt> verifiedReceipt;
    // Why a fetch failed (the check is then reported as skipped with this reason).
    std::string statusListUnavailable;
    std::string inclusionUnavailable;
};

// This device's side: whom it trusts, whom it has seen.
struct PeerStores {
    security::TrustList trust;
    QString pinsFile;   // empty: no pin store (the pinned-key check is skipped)
    QString replayFile; // empty: no replay cache (the replay check is skipped)
};

class PeerVerifier {
public:
    explicit PeerVerifier(PeerStores stores);

    // Reads the files, runs verifyPeer (the replay check-and-insert under the replay file's
    // lock), and pins the holder key of a verified peer seen for the first time. Errors only
    // for inputs that cannot be read (IoError, MalformedInput) or evidence given without what
    // verifies it (InvalidArgument); everything about the peer is in the report.
    [[nodiscard]] security::Result<security::VerificationReport>
    verify(const PeerPresentation& peer, const PeerEvidence& evidence, std::int64_t now) const;

    // verify() on a worker thread; `done` runs on `context`'s thread unless context is gone.
    void verifyAsync(PeerPresentation peer, PeerEvidence evidence, std::int64_t now,
                     QObject* context,
                     std::function<void(security::Result<security::VerificationReport>)> done) const;

    // Fetches the status list and the credential's log receipt (verified with the client's
    // profile keys) from the home network; failures are carried in the evidence's *Unavailable
    // fields. `done` runs on the client's thread.
    static void fetchEvidence(netclient::ServiceClient& client, const security::Credential& credential,
                              std::function<void(PeerEvidence)> done);

    [[nodiscard]] const PeerStores& stores() const noexcept { return m_stores; }

private:
    PeerStores m_stores;
};

// The credential a presentation names, parsed (for fetching its evidence first).
[[nodiscard]] security::Result<security::Credential> readPeerCredential(const QString& file);

} // namespace twinseal::twin
