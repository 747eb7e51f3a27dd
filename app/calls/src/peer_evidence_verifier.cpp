#include "twinseal/calls/peer_evidence_verifier.h"

#include <QDir>
#include <QPointer>

#include <twinseal/netclient/avatar_transfer.h>
#include <twinseal/netclient/service_client.h>
#include <twinseal/security/assertion.h>
#include <twinseal/security/crypto.h>
#include <twinseal/security/statuslist.h>
#include <twinseal/twin/twin_store.h>

namespace twinseal::calls {

using namespace twinseal::security;

struct PeerEvidenceVerifier::Pending {
    proto::Evidence evidence;
    std::string roomUri;
    RoleRequirement requiredRoles;
    std::optional<Credential> credential;
    twin::PeerEvidence revocationAndLog;
    MediaResult media;
    std::function<void(Result<PeerOutcome>)> done;
};

namespace {

Bytes bytesOf(const std::string& s) { return Bytes(s.begin(), s.end()); }

// The report's overall outcome named after its first failed check (as verifyPeer names it); an
// untrusted issuer alone is not a failure.
void restateFailure(VerificationReport& report) {
    for (const auto& check : report.checks) {
        if (check.state != CheckState::Failed ||
            (check.id == CheckId::IssuerTrust && check.code == ErrorCode::UntrustedIssuer))
            continue;
        report.state = OverallState::Failed;
        report.reason = check.code;
        report.reasonDetail = std::string(checkIdTitle(check.id)) + ": " + check.detail;
        return;
    }
}

// A package rejected while it streamed in: the failure belongs to the check it concerns (the
// bytes, or the manifest), and verifyPeer's "no manifest was received" is only its consequence,
// so that check is not reported as a failure of its own.
void applyMediaFailure(VerificationReport& report, ErrorCode failure, const std::string& why) {
    const CheckId concerned = failure == ErrorCode::MediaMismatch ? CheckId::MediaContent : CheckId::ManifestSignature;
    for (auto& check : report.checks) {
        if (check.id == CheckId::ManifestSignature && check.state == CheckState::Failed &&
            check.code == ErrorCode::MediaMissingFile) {
            check.state = CheckState::Skipped;
            check.code = ErrorCode::Ok;
            check.detail = "not checked here: the avatar was rejected while it streamed in";
        }
        if (check.id == concerned) {
            check.state = CheckState::Failed;
            check.code = failure;
            check.detail = why;
        }
    }
    restateFailure(report);
}

// The media check's outcome decided before verifyPeer ran (while the package streamed in, or
// why there is none), written into the report.
void applyMedia(VerificationReport& report, const std::optional<ErrorCode>& failure, const std::string& why) {
    if (failure)
        return applyMediaFailure(report, *failure, why);
    for (auto& check : report.checks)
        if (check.id == CheckId::MediaContent && check.state == CheckState::Skipped && !why.empty())
            check.detail = why;
    // No manifest because the media could not be fetched: the report says why it could not,
    // which is what a person can act on (e.g. the peer's home network is not known here).
    if (!why.empty() && report.state == OverallState::Failed &&
        report.reason == ErrorCode::MediaMissingFile) {
        for (auto& check : report.checks)
            if (check.id == CheckId::ManifestSignature && check.state == CheckState::Failed)
                check.detail += ": " + why;
        report.reasonDetail += ": " + why;
    }
}

std::optional<ErrorCode> mediaFailureCode(const std::string& clientCode) {
    if (clientCode == netclient::reason::kMediaMismatch)
        return ErrorCode::MediaMismatch;
    if (clientCode == netclient::reason::kKeyMismatch)
        return ErrorCode::KeyMismatch;
    if (clientCode == netclient::reason::kManifestInvalid)
        return ErrorCode::BadSignature;
    return std::nullopt;
}

} // namespace

Result<twin::PeerStores> storesOf(const twin::TwinStore& store, const std::string& profileTrustPem) {
    auto trust = store.trustList(profileTrustPem);
    TWINSEAL_TRY(trust);
    twin::PeerStores s;
    s.trust = std::move(*trust);
    s.pinsFile = store.pinsPath();
    s.replayFile = store.path(twin::layout::kReplay);
    return s;
}

PeerEvidenceVerifier::PeerEvidenceVerifier(PeerVerifierConfig config, QObject* parent)
    : QObject(parent), m_config(std::move(config)), m_verifier(m_config.stores),
      m_media(QDir(m_config.cacheDir).filePath(QStringLiteral("media"))) {
    QDir().mkpath(m_media.dir());
    QDir().mkpath(QDir(m_config.cacheDir).filePath(QStringLiteral("status")));
}

PeerEvidenceVerifier::~PeerEvidenceVerifier() = default;

std::int64_t PeerEvidenceVerifier::now() const {
    return (m_config.clock ? *m_config.clock : SystemClock::instance()).now();
}

netclient::ServiceClient* PeerEvidenceVerifier::clientFor(const HomeNetworkEntry& entry) {
    const std::string key = normalizeHomeNetworkUrl(entry.url);
    if (auto it = m_clients.find(key); it != m_clients.end())
        return it->second.get();
    // A client of the peer's home network for public, verified information only: no USIM
    // secrets, TLS trusting only that home network's CA, its status-list and log keys.
    UsimProfileData profile;
    profile.serviceUrl = entry.url;
    profile.tlsCaPem = entry.tlsCaPem;
    profile.statusListKey = entry.statusListKey;
    profile.logKey = entry.logKey;
    profile.operatorName = entry.operatorName;
    netclient::ServiceClientOptions options;
    options.requestTimeout = m_config.requestTimeout;
    options.clock = m_config.clock;
    const Digest id = sha256(view(key));
    options.statusListCachePath = QDir(m_config.cacheDir)
                                      .filePath(QStringLiteral("status/") +
                                                QString::fromStdString(toHex(ByteView(id.data(), 8))) +
                                                QStringLiteral(".statuslist"));
    auto client = std::make_unique<netclient::ServiceClient>(std::move(profile), QString(), options, this);
    auto* raw = client.get();
    m_clients.emplace(key, std::move(client));
    return raw;
}

void PeerEvidenceVerifier::verify(const proto::Evidence& evidence, const std::string& roomUri,
                                  std::function<void(Result<PeerOutcome>)> done) {
    verify(evidence, roomUri, RoleRequirement{}, std::move(done));
}

void PeerEvidenceVerifier::verify(const proto::Evidence& evidence, const std::string& roomUri,
                                  RoleRequirement requiredRoles,
                                  std::function<void(Result<PeerOutcome>)> done) {
    auto p = std::make_shared<Pending>();
    p->evidence = evidence;
    p->roomUri = roomUri;
    p->requiredRoles = std::move(requiredRoles);
    p->done = std::move(done);
    auto credential = parseCredential(bytesOf(evidence.credential()));
    if (!credential.ok()) {
        // verifyPeer reports the credential itself; there is nothing to fetch for it.
        p->media.unavailable = "no media: the credential does not parse";
        return finish(p);
    }
    p->credential = std::move(*credential);
    const HomeNetworkEntry* entry = m_config.homeNetworks.find(evidence.home_network_url());
    if (!entry) {
        const std::string why = "the peer's home network '" + evidence.home_network_url() +
                                "' is not known to this device (add its trust entry to verify its participants)";
        p->revocationAndLog.statusListUnavailable = why;
        p->revocationAndLog.inclusionUnavailable = why;
        p->media.unavailable = why;
        return finish(p);
    }
    netclient::ServiceClient* client = clientFor(*entry);
    QPointer<PeerEvidenceVerifier> self(this);
    QPointer<netclient::ServiceClient> guard(client);
    twin::PeerVerifier::fetchEvidence(*client, *p->credential, [self, guard, p](twin::PeerEvidence pe) {
        if (!self || !guard)
            return;
        p->revocationAndLog = std::move(pe);
        self->fetchMedia(*guard, *p->credential, p->evidence.media_grant(), [self, p](MediaResult m) {
            if (!self)
                return;
            p->media = std::move(m);
            self->finish(p);
        });
    });
}

void PeerEvidenceVerifier::recheckRevocation(const proto::Evidence& evidence, bool refresh,
                                             std::function<void(Status)> done) {
    const auto fetch = refresh ? netclient::StatusListFetch::Refresh : netclient::StatusListFetch::WhenDue;
    recheckWith(fetch, {evidence}, [done = std::move(done)](std::vector<Status> statuses) {
        done(statuses.empty() ? makeError(ErrorCode::InvalidArgument, "nothing was re-checked")
                              : std::move(statuses.front()));
    });
}

void PeerEvidenceVerifier::recheckRevocations(const std::vector<proto::Evidence>& evidence,
                                              std::function<void(std::vector<Status>)> done) {
    recheckWith(netclient::StatusListFetch::IfChanged, evidence, std::move(done));
}

void PeerEvidenceVerifier::recheckWith(netclient::StatusListFetch fetch, const std::vector<proto::Evidence>& evidence,
                                       std::function<void(std::vector<Status>)> done) {
    // Each evidence's credential, or why it cannot be re-checked.
    std::vector<Result<Credential>> credentials;
    credentials.reserve(evidence.size());
    const HomeNetworkEntry* entry = nullptr;
    std::string home;
    for (const proto::Evidence& e : evidence) {
        auto credential = parseCredential(bytesOf(e.credential()));
        if (credential.ok()) {
            const HomeNetworkEntry* found = m_config.homeNetworks.find(e.home_network_url());
            if (!found)
                credential = makeError(ErrorCode::InvalidArgument,
                                       "the peer's home network '" + e.home_network_url() +
                                           "' is not known to this device: its status list cannot be fetched");
            else if (entry && found != entry)
                credential = makeError(ErrorCode::InvalidArgument,
                                       "the peer's home network '" + e.home_network_url() +
                                           "' is not the one re-checked together (" + home + ")");
            else {
                entry = found;
                home = e.home_network_url();
            }
        }
        credentials.push_back(std::move(credential));
    }
    const auto answer = [](const std::vector<Result<Credential>>& creds, const auto& statusOf) {
        std::vector<Status> out;
        out.reserve(creds.size());
        for (const auto& c : creds)
            out.push_back(c.ok() ? statusOf(*c) : Status(c.error()));
        return out;
    };
    if (!entry)
        return done(answer(credentials, [](const Credential&) { return Status(); }));
    QPointer<PeerEvidenceVerifier> self(this);
    clientFor(*entry)->fetchStatusList(
        fetch,
        [self, answer, credentials = std::move(credentials), done = std::move(done)](
            netclient::ClientResult<StatusList> list) {
            if (!self)
                return;
            if (!list.ok()) {
                const Status unavailable = makeError(ErrorCode::StatusListExpired,
                                                     "no current status list from the peer's home network: " +
                                                         list.error().describe());
                return done(answer(credentials, [&](const Credential&) { return Status(unavailable); }));
            }
            ++self->m_rechecks;
            const StatusListRevocationChecker checker(std::move(*list));
            const std::int64_t now = self->now();
            done(answer(credentials, [&](const Credential& c) { return checker.check(c, now); }));
        });
}

void PeerEvidenceVerifier::fetchMedia(netclient::ServiceClient& client, const Credential& credential,
                                      const std::string& grant, std::function<void(MediaResult)> done) {
    const Digest root = credential.claims.mediaRoot;
    // The package is addressed by its root, but its manifest is signed by one holder: a cached
    // manifest signed by another twin's holder key (an identical package certified twice) is
    // not this peer's, so the avatar is fetched again with this peer's manifest.
    if (auto cached = m_media.find(root)) {
        auto manifest = parseSignedManifest(cached->manifest);
        if (manifest.ok() && manifest->manifest.holderKey == credential.claims.holderKey)
            return done(MediaResult{std::move(cached->manifest), cached->directory, "cache", std::nullopt, {}});
    }
    if (grant.empty())
        return done(MediaResult{{}, {}, {}, std::nullopt,
                                "the peer granted no access to its avatar (no media grant in its evidence)"});
    auto& waiting = m_mediaWaiting[root];
    waiting.push_back(std::move(done));
    if (waiting.size() > 1)
        return; // the same avatar is already on its way

    netclient::AvatarFetchRequest request;
    request.avatarId = credential.claims.avatarId;
    request.expectedMediaRoot = root;
    request.expectedHolderKey = credential.claims.holderKey;
    request.grantToken = grant;
    request.destination = m_media.stagingDirectory(root);
    ++m_downloads;
    QPointer<PeerEvidenceVerifier> self(this);
    client.fetchAvatar(request, [self, root](netclient::ClientResult<netclient::FetchedAvatar> r) {
        if (!self)
            return;
        MediaResult m;
        if (r.ok()) {
            auto committed = self->m_media.commit(root, r->manifest.encoded);
            if (committed.ok())
                m = MediaResult{committed->manifest, committed->directory, "fetched", std::nullopt, {}};
            else
                m.unavailable = "the verified avatar could not be kept: " + committed.error().detail;
        } else {
            m.failure = mediaFailureCode(r.error().code);
            m.unavailable = (m.failure ? "the avatar failed verification while it streamed in: "
                                       : "the avatar could not be fetched from the peer's home network: ") +
                            r.error().describe();
        }
        auto waiters = std::move(self->m_mediaWaiting[root]);
        self->m_mediaWaiting.erase(root);
        for (auto& w : waiters)
            w(m);
    });
}

void PeerEvidenceVerifier::finish(const std::shared_ptr<Pending>& p) {
    twin::PeerPresentation peer;
    peer.assertionText = p->evidence.assertion();
    peer.credential = bytesOf(p->evidence.credential());
    peer.manifest = p->media.manifest;
    peer.packagePath = p->media.directory;
    peer.disclosures.assign(p->evidence.disclosures().begin(), p->evidence.disclosures().end());
    peer.destination = p->roomUri;
    for (const std::string& rc : p->evidence.role_credentials())
        peer.roleCredentials.push_back(bytesOf(rc));
    peer.requiredRoles = p->requiredRoles;
    QPointer<PeerEvidenceVerifier> self(this);
    m_verifier.verifyAsync(std::move(peer), p->revocationAndLog, now(), this,
                           [self, p](Result<VerificationReport> r) {
                               if (!self)
                                   return;
                               if (!r.ok())
                                   return p->done(r.error());
                               PeerOutcome out;
                               out.report = std::move(*r);
                               applyMedia(out.report, p->media.failure, p->media.unavailable);
                               out.media = p->media.how.empty() ? p->media.unavailable : p->media.how;
                               if (out.report.state == OverallState::Verified) {
                                   out.mediaDirectory = p->media.directory;
                                   if (auto a = parseAssertion(p->evidence.assertion()); a.ok())
                                       out.ephemeralKey = a->claims.ephemeralKey;
                               } else if (p->media.how == "cache" &&
                                          out.report.find(CheckId::MediaContent) &&
                                          out.report.find(CheckId::MediaContent)->state == CheckState::Failed) {
                                   // A cached package that no longer verifies is not kept.
                                   self->m_media.evict(p->credential->claims.mediaRoot);
                               }
                               p->done(std::move(out));
                           });
}

} // namespace twinseal::calls
