// Peer verification: one pure function from the evidence of a call to a report with one result
// per check and an overall state. "Cryptographically valid" and "trusted" are kept apart.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "twinseal/security/assertion.h"
#include "twinseal/security/manifest.h"
#include "twinseal/security/role_credential.h"

namespace twinseal::security {

// Remembers assertion origids within the freshness window so a replay is refused.
class ReplayCache {
public:
    explicit ReplayCache(std::int64_t windowSeconds = 2 * kAssertionFreshnessSeconds,
                         std::size_t maxEntries = 100000);
    [[nodiscard]] bool seen(const std::string& origid, std::int64_t now);
    void remember(const std::string& origid, std::int64_t iat, std::int64_t now);
    // seen() and remember() in one step: true when `origid` was new (and is now remembered),
    // false when it was already presented. Two threads presenting one origid: one gets true.
    [[nodiscard]] bool insertIfNew(const std::string& origid, std::int64_t iat, std::int64_t now);
    [[nodiscard]] std::size_t size() const;
    // For persistence: (origid, expiry) pairs, and putting them back.
    [[nodiscard]] std::vector<std::pair<std::string, std::int64_t>> entries() const;
    void restore(const std::string& origid, std::int64_t expiry);

private:
    void expire(std::int64_t now);
    void rememberLocked(const std::string& origid, std::int64_t iat, std::int64_t now);
    std::int64_t m_window;
    std::size_t m_max;
    mutable std::mutex m_mutex;
    std::unordered_map<std::string, std::int64_t> m_entries; // origid -> expiry
};

// Avatar-ID -> holder-key thumbprint seen before (trust on first use, then pinned).
class PinStore {
public:
    virtual ~PinStore() = default;
    [[nodiscard]] virtual std::optional<Digest> pinned(const std::string& avatarId) const = 0;
};

class MemoryPinStore final : public PinStore {
public:
    [[nodiscard]] std::optional<Digest> pinned(const std::string& avatarId) const override;
    void pin(const std::string& avatarId, const Digest& thumbprint);
    [[nodiscard]] const std::map<std::string, Digest>& all() const noexcept { return m_pins; }

private:
    std::map<std::string, Digest> m_pins;
};

// Remembers the outcome of content-addressed checks (a credential's issuer signature, its
// X.509 chain against a trust list, a manifest's holder signature) so that a peer seen again is
// not re-verified from scratch. Keys are SHA-256 digests of the exact bytes checked (and of the
// trust list); time-dependent results are re-checked against the clock on every use. Call
// assertions are never cached. Thread-safe, bounded (least recently inserted entries go first).
class VerifiedObjectCache {
public:
    explicit VerifiedObjectCache(std::size_t maxEntries = 4096);
    ~VerifiedObjectCache();
    VerifiedObjectCache(const VerifiedObjectCache&) = delete;
    VerifiedObjectCache& operator=(const VerifiedObjectCache&) = delete;

    [[nodiscard]] std::optional<Credential> credential(const Digest& encodedDigest) const;
    void putCredential(const Digest& encodedDigest, const Credential& credential);
    [[nodiscard]] std::optional<ChainResult> chain(const Digest& key, std::int64_t now) const;
    void putChain(const Digest& key, const ChainResult& result, std::int64_t validUntil);
    [[nodiscard]] std::optional<SignedManifest> manifest(const Digest& encodedDigest) const;
    void putManifest(const Digest& encodedDigest, const SignedManifest& manifest);
    [[nodiscard]] std::size_t size() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

// Seams for issue-3 services. When a provider is absent the check is reported as Skipped.
class RevocationChecker {
public:
    virtual ~RevocationChecker() = default;
    // OK when not revoked; CredentialRevoked when revoked; other errors when unknown.
    [[nodiscard]] virtual Status check(const Credential& credential, std::int64_t now) const = 0;
};

class InclusionChecker {
public:
    virtual ~InclusionChecker() = default;
    // OK when the credential's log entry is proven included in a signed tree head.
    [[nodiscard]] virtual Status check(const Credential& credential) const = 0;
};

enum class CheckId {
    AssertionFormat,
    CredentialFormat,
    CredentialSignature,
    IssuerTrust,
    CredentialValidity,
    Revocation,
    AssertionSignature,
    HolderBinding,
    CredentialDigest,
    Freshness,
    Destination,
    Replay,
    ManifestSignature,
    MediaRoot,
    MediaContent,
    PinnedKey,
    Disclosures,
    LogInclusion,
    RoleCredential, // third-party role credentials prove the roles the room requires
};

[[nodiscard]] std::string_view checkIdName(CheckId id) noexcept;  // "assertion-signature"
[[nodiscard]] std::string_view checkIdTitle(CheckId id) noexcept; // "Assertion signature"
// Every check verifyPeer runs, in report order.
[[nodiscard]] const std::vector<CheckId>& allCheckIds();

// The checks a caller may opt out of by name because their evidence is not at hand, and the
// names it uses for them (e.g. `twinsealctl assertion verify --skip revocation,media`):
//   revocation     -> Revocation    (no status list)
//   log-inclusion  -> LogInclusion  (no signed tree head and inclusion proof)
//   replay         -> Replay        (no replay cache)
//   media          -> MediaContent  (no media package); "media-content" also accepted
//   pins           -> PinnedKey     (no pin store); "pinned-key" also accepted
struct OptionalCheck {
    const char* name;
    CheckId id;
    const char* without; // what is missing when it is skipped, for people
};
[[nodiscard]] const std::vector<OptionalCheck>& optionalChecks();
// A comma-separated list of the names above (spaces ignored, empty items refused):
// InvalidArgument naming the unknown item and the accepted names.
[[nodiscard]] Result<std::vector<CheckId>> parseOptOut(std::string_view list);

enum class CheckState { Passed, Failed, Skipped };
[[nodiscard]] std::string_view checkStateName(CheckState s) noexcept;

struct CheckResult {
    CheckId id;
    CheckState state = CheckState::Skipped;
    ErrorCode code = ErrorCode::Ok;
    std::string detail;
    // Whether the context required this check (VerificationInputs::required). A required check
    // that was Skipped makes the report Incomplete.
    bool required = true;
};

// The overall state, most severe first:
//   Failed          a check failed (the first failure is the reason)
//   ValidUntrusted  every check that ran passed, but the issuer is not in the trust list
//   Incomplete      every check that ran passed, but a check the context requires was skipped
//                   (no status list, tree head, replay cache, media, pins): never shown green
//   Verified        every required check ran and passed, and the issuer is trusted
enum class OverallState { Verified, ValidUntrusted, Incomplete, Failed };
[[nodiscard]] std::string_view overallStateName(OverallState s) noexcept;

struct VerificationReport {
    OverallState state = OverallState::Failed;
    ErrorCode reason = ErrorCode::Ok; // the first failure's code, when Failed
    std::string reasonDetail;
    std::string avatarId;
    std::string pseudonym;
    std::string issuer;
    std::vector<std::pair<std::string, std::string>> disclosedAttributes;
    std::optional<MediaFailure> mediaFailure;
    // The roles the context required, as proven by third-party role credentials.
    std::vector<ProvenRole> provenRoles;
    std::vector<CheckResult> checks;

    [[nodiscard]] const CheckResult* find(CheckId id) const;
    // The required checks that were skipped (what makes the report Incomplete), in order.
    [[nodiscard]] std::vector<const CheckResult*> missing() const;
    // One line for people: "Verified: Dr. A (urn:...) issued by ...", "Failed: <reason>" or
    // "Incomplete: ... not checked: <check> (<why>), ...".
    [[nodiscard]] std::string summary() const;
    // JSON for `twinsealctl` and logs.
    [[nodiscard]] std::string toJson() const;
};

// Where the peer's media comes from (at most one of these).
struct MediaInput {
    ByteView manifest;           // the Signed manifest envelope; empty: media checks skipped
    std::string packagePath;     // package on disk to check against the manifest; may be empty
};

struct VerificationInputs {
    std::string_view assertion;                     // compact JWS
    ByteView credential;                            // Signed credential envelope
    std::vector<std::string> disclosures;           // encoded SD-JWT-style disclosures
    MediaInput media;
    const TrustList* trust = nullptr;
    const Clock* clock = nullptr;
    ReplayCache* replayCache = nullptr;             // remembered on success
    std::string expectedDestination;
    const PinStore* pins = nullptr;
    const RevocationChecker* revocation = nullptr;  // absent: Skipped
    const InclusionChecker* inclusion = nullptr;    // absent: Skipped
    // Why the evidence is absent, when known (e.g. "the home network could not be reached:
    // ..."): reported as the skipped check's detail.
    std::string revocationUnavailable;
    std::string inclusionUnavailable;
    HashOptions hashOptions;
    // Third-party role credentials the peer presented (encoded envelopes), and the roles this
    // context (the room's policy) requires, each with the enterprise roots that may vouch for
    // it. No required role: the role-credential check passes ("no role required").
    std::vector<Bytes> roleCredentials;
    RoleRequirement requiredRoles;
    VerifiedObjectCache* cache = nullptr;           // optional; see VerifiedObjectCache
    // The checks this context requires (default: every check). A required check whose input
    // is absent is Skipped and makes the report Incomplete; take a check out only when the
    // context really does without it (optOut, by name through parseOptOut).
    std::set<CheckId> required{allCheckIds().begin(), allCheckIds().end()};

    void optOut(std::initializer_list<CheckId> ids) {
        for (CheckId id : ids)
            required.erase(id);
    }
    void optOut(const std::vector<CheckId>& ids) {
        for (CheckId id : ids)
            required.erase(id);
    }
};

[[nodiscard]] VerificationReport verifyPeer(const VerificationInputs& in);

} // namespace twinseal::security
