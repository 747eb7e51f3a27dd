// Peer verification: one pure function from the evidence of a call to a report with one result
// per check and an overall state. "Cryptographically valid" and "trusted" are kept apart.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "twinseal/security/assertion.h"
#include "twinseal/security/manifest.h"

namespace twinseal::security {

// Remembers assertion origids within the freshness window so a replay is refused.
class ReplayCache {
public:
    explicit ReplayCache(std::int64_t windowSeconds = 2 * kAssertionFreshnessSeconds,
                         std::size_t maxEntries = 100000);
    [[nodiscard]] bool seen(const std::string& origid, std::int64_t now);
    void remember(const std::string& origid, std::int64_t iat, std::int64_t now);
    [[nodiscard]] std::size_t size() const;
    // For persistence: (origid, expiry) pairs, and putting them back.
    [[nodiscard]] std::vector<std::pair<std::string, std::int64_t>> entries() const;
    void restore(const std::string& origid, std::int64_t expiry);

private:
    void expire(std::int64_t now);
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
};

[[nodiscard]] std::string_view checkIdName(CheckId id) noexcept;  // "assertion-signature"
[[nodiscard]] std::string_view checkIdTitle(CheckId id) noexcept; // "Assertion signature"

enum class CheckState { Passed, Failed, Skipped };
[[nodiscard]] std::string_view checkStateName(CheckState s) noexcept;

struct CheckResult {
    CheckId id;
    CheckState state = CheckState::Skipped;
    ErrorCode code = ErrorCode::Ok;
    std::string detail;
};

enum class OverallState { Verified, ValidUntrusted, Failed };
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
    std::vector<CheckResult> checks;

    [[nodiscard]] const CheckResult* find(CheckId id) const;
    // One line for people: "Verified: Dr. A (urn:...) issued by ..." or "Failed: <reason>".
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
    HashOptions hashOptions;
    VerifiedObjectCache* cache = nullptr;           // optional; see VerifiedObjectCache
};

[[nodiscard]] VerificationReport verifyPeer(const VerificationInputs& in);

} // namespace twinseal::security
