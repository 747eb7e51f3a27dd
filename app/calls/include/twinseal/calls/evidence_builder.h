// The participant's own evidence for a room (call.proto's Evidence): a fresh call assertion
// whose `dest` is the room URI and whose `epk` is a new ephemeral X25519 key (kept in a
// security::CallKeyPair, frame_keys.h), the DT credential from the TwinStore, the disclosures the
// owner's privacy rules choose for this room, the role credentials, the home network's address and a short-lived
// media grant that lets the other participants fetch the avatar package from it.
#pragma once

#include <QObject>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <twinseal/security/frame_keys.h>
#include <twinseal/netclient/client_error.h>
#include <twinseal/netclient/client_types.h>
#include <twinseal/proto/call.pb.h>
#include <twinseal/security/clock.h>

namespace twinseal::twin {
class TwinStore;
class TwinSession;
} // namespace twinseal::twin

namespace twinseal::calls {

// Reason codes of EvidenceBuilder (besides the home-network client's, for the grant).
namespace evidence_reason {
inline constexpr const char* kLocked = "locked";               // the holder key is not unlocked
inline constexpr const char* kNoCredential = "no-credential";  // no (readable) credential
inline constexpr const char* kEphemeralKey = "ephemeral-key-failed";
inline constexpr const char* kAssertion = "assertion-failed";
inline constexpr const char* kNoDestination = "no-destination";
} // namespace evidence_reason

// The disclosures to present in a room, chosen by the owner's privacy rules (the desktop
// client passes the Privacy page's rules, PrivacyController::disclosuresFor). None when unset:
// peers then see the pseudonym only.
using DisclosureChooser = std::function<std::vector<std::string>(const std::string& roomUri)>;

struct EvidenceOptions {
    DisclosureChooser disclosures;
    std::vector<security::Bytes> roleCredentials; // enterprise role credentials (Signed envelopes)
    std::uint64_t grantTtlSeconds = 600;          // the media grant's lifetime
    std::int64_t grantMinRemainingSeconds = 120;  // a held grant is reused while it has this left
    std::string displayHint;                      // unverified, for the peers' UI
    const security::Clock* clock = nullptr;       // null: the system clock
    security::Random* random = nullptr;           // null: OpenSSL's CSPRNG
};

// One piece of own evidence and the ephemeral key its assertion binds.
struct OwnEvidence {
    proto::Evidence evidence;
    std::shared_ptr<const security::CallKeyPair> ephemeral;
    std::string destination;
    std::string origid;
    std::int64_t issuedAt = 0;
};

class EvidenceBuilder : public QObject {
    Q_OBJECT

public:
    EvidenceBuilder(twin::TwinStore& store, twin::TwinSession& session, EvidenceOptions options = {},
                    QObject* parent = nullptr);
    ~EvidenceBuilder() override;

    // Evidence for `destination` (a room URI, or the room host's / a handle's URN for
    // CreateRoom and Listen). Creates a media grant first when none is held with enough time
    // left (authenticating to the home network if needed). `done` runs on this thread.
    void build(const std::string& destination,
               std::function<void(netclient::ClientResult<OwnEvidence>)> done);

    // The evidence with a grant already at hand (no network).
    [[nodiscard]] netclient::ClientResult<OwnEvidence>
    assemble(const std::string& destination, const netclient::AccessGrant& grant) const;

    [[nodiscard]] const std::optional<netclient::AccessGrant>& grant() const noexcept { return m_grant; }

private:
    [[nodiscard]] std::int64_t now() const;

    twin::TwinStore& m_store;
    twin::TwinSession& m_session;
    EvidenceOptions m_options;
    std::unique_ptr<security::SystemRandom> m_systemRandom;
    std::optional<netclient::AccessGrant> m_grant;
};

} // namespace twinseal::calls
