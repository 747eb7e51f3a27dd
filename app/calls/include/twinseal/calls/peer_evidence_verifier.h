// Verifies a peer's call evidence (call.proto's Evidence) with security::verifyPeer, every check
// required: this device's trust list, identity pins and shared replay cache (the TwinStore's,
// through twin::PeerVerifier), the room URI as the destination, and the revocation status list,
// the signed tree head and inclusion proof fetched from the PEER's home network
// (Evidence.home_network_url, known to this device through a HomeNetworkDirectory entry: its
// TLS CA and its keys; the status list is cached per home network for its TTL). The avatar
// package is fetched from the peer's home network with the peer's media grant and verified
// chunk by chunk while it streams (netclient's fetchAvatar), and cached by media root so that a
// known avatar is not fetched twice.
//
// Nothing unverified is handed on: PeerOutcome's media directory and ephemeral key are set
// only when the report is Verified.
#pragma once

#include <QObject>
#include <QString>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <twinseal/calls/home_networks.h>
#include <twinseal/calls/media_cache.h>
#include <twinseal/proto/call.pb.h>
#include <twinseal/security/clock.h>
#include <twinseal/security/role_credential.h>
#include <twinseal/security/verify.h>
#include <twinseal/twin/peer_verifier.h>

namespace twinseal::netclient {
class ServiceClient;
enum class StatusListFetch;
} // namespace twinseal::netclient
namespace twinseal::twin {
class TwinStore;
}

namespace twinseal::calls {

struct PeerVerifierConfig {
    twin::PeerStores stores;           // trust list, pins file, replay file (see storesOf)
    HomeNetworkDirectory homeNetworks; // where peers' evidence may be fetched from
    QString cacheDir;                  // status lists per home network, the media cache
    const security::Clock* clock = nullptr; // null: the system clock
    std::chrono::milliseconds requestTimeout{15000};
};

// The device's stores as the TwinStore lays them out (trust = the profile's roots + trust/*.pem).
[[nodiscard]] security::Result<twin::PeerStores> storesOf(const twin::TwinStore& store,
                                                          const std::string& profileTrustPem);

struct PeerOutcome {
    security::VerificationReport report;
    // Set only when the report is Verified.
    QString mediaDirectory;         // the peer's verified avatar package
    security::Bytes ephemeralKey;   // the assertion's `epk`, for the call's frame keys
    // How the media was obtained: "fetched", "cache", or why it is missing.
    std::string media;
};

class PeerEvidenceVerifier : public QObject {
    Q_OBJECT

public:
    explicit PeerEvidenceVerifier(PeerVerifierConfig config, QObject* parent = nullptr);
    ~PeerEvidenceVerifier() override;

    // Verifies `evidence` for the room `roomUri`; `done` runs on this thread. Errors only when
    // this device's own stores cannot be read; everything about the peer is in the report.
    void verify(const proto::Evidence& evidence, const std::string& roomUri,
                std::function<void(security::Result<PeerOutcome>)> done);
    // The same, for a room whose policy requires roles: the peer's role credentials must prove
    // each of them for its holder key (the report's role-credential check).
    void verify(const proto::Evidence& evidence, const std::string& roomUri,
                security::RoleRequirement requiredRoles,
                std::function<void(security::Result<PeerOutcome>)> done);

    // Re-checks the revocation status of a peer's credential against its home network's
    // status list while the call runs: fetched afresh (`refresh`, on a revocation notice) or
    // from the per-home-network cache while it is within its TTL. OK while the credential is
    // not revoked, CredentialRevoked once it is, another code when the list cannot be had.
    void recheckRevocation(const proto::Evidence& evidence, bool refresh,
                           std::function<void(security::Status)> done);
    // The same for peers of ONE home network (their Evidence.home_network_url names the same
    // one) with one conditional fetch of its list (netclient::StatusListFetch::IfChanged: the
    // home network answers 304 without a body while the list is unchanged), cheap enough to
    // run every few seconds during a call. `done` gets one status per evidence, in order.
    void recheckRevocations(const std::vector<proto::Evidence>& evidence,
                            std::function<void(std::vector<security::Status>)> done);

    // Avatar downloads started so far (a package served from the cache is not counted).
    [[nodiscard]] int mediaDownloads() const noexcept { return m_downloads; }
    // Revocation re-checks answered with a current list so far (fetched, or confirmed unchanged).
    [[nodiscard]] int revocationRechecks() const noexcept { return m_rechecks; }
    [[nodiscard]] MediaCache& mediaCache() noexcept { return m_media; }

private:
    struct Pending;
    struct MediaResult {
        security::Bytes manifest;
        QString directory;
        std::string how;                                 // "fetched", "cache"
        std::optional<security::ErrorCode> failure;      // the media did not verify
        std::string unavailable;                         // why there is no media (skipped)
    };

    [[nodiscard]] netclient::ServiceClient* clientFor(const HomeNetworkEntry& entry);
    void recheckWith(netclient::StatusListFetch fetch, const std::vector<proto::Evidence>& evidence,
                     std::function<void(std::vector<security::Status>)> done);
    void fetchMedia(netclient::ServiceClient& client, const security::Credential& credential,
                    const std::string& grant, std::function<void(MediaResult)> done);
    void finish(const std::shared_ptr<Pending>& p);
    [[nodiscard]] std::int64_t now() const;

    PeerVerifierConfig m_config;
    twin::PeerVerifier m_verifier;
    MediaCache m_media;
    std::map<std::string, std::unique_ptr<netclient::ServiceClient>> m_clients; // by normalized URL
    std::map<security::Digest, std::vector<std::function<void(MediaResult)>>> m_mediaWaiting;
    int m_downloads = 0;
    int m_rechecks = 0;
};

} // namespace twinseal::calls
