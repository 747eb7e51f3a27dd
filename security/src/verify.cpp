#include "twinseal/security/verify.h"

#include "time_arith.h"

#include <algorithm>
#include <deque>

#include <nlohmann/json.hpp>

namespace twinseal::security {

// ---- replay cache and pins ------------------------------------------------------------------

ReplayCache::ReplayCache(std::int64_t windowSeconds, std::size_t maxEntries)
    : m_window(windowSeconds), m_max(maxEntries) {}

void ReplayCache::expire(std::int64_t now) {
    for (auto it = m_entries.begin(); it != m_entries.end();)
        it = it->second <= now ? m_entries.erase(it) : std::next(it);
}

bool ReplayCache::seen(const std::string& origid, std::int64_t now) {
    std::lock_guard lock(m_mutex);
    auto it = m_entries.find(origid);
    return it != m_entries.end() && it->second > now;
}

void ReplayCache::remember(const std::string& origid, std::int64_t iat, std::int64_t now) {
    std::lock_guard lock(m_mutex);
    rememberLocked(origid, iat, now);
}

bool ReplayCache::insertIfNew(const std::string& origid, std::int64_t iat, std::int64_t now) {
    std::lock_guard lock(m_mutex);
    auto it = m_entries.find(origid);
    if (it != m_entries.end() && it->second > now)
        return false;
    rememberLocked(origid, iat, now);
    return true;
}

void ReplayCache::rememberLocked(const std::string& origid, std::int64_t iat, std::int64_t now) {
    if (m_entries.size() >= m_max)
        expire(now);
    if (m_entries.size() >= m_max) {
        // Still full of live entries: drop the one closest to expiry. Assertions older than the
        // freshness window are refused as stale anyway, so this cannot re-open a replay within
        // the window unless more than maxEntries fresh assertions arrive inside it.
        auto oldest = std::min_element(m_entries.begin(), m_entries.end(),
                                       [](auto& a, auto& b) { return a.second < b.second; });
        m_entries.erase(oldest);
    }
    // Keep it until it could no longer pass the freshness check.
    m_entries[origid] = saturatingAdd(std::max(iat, now), m_window);
}

std::size_t ReplayCache::size() const {
    std::lock_guard lock(m_mutex);
    return m_entries.size();
}

std::vector<std::pair<std::string, std::int64_t>> ReplayCache::entries() const {
    std::lock_guard lock(m_mutex);
    return {m_entries.begin(), m_entries.end()};
}

void ReplayCache::restore(const std::string& origid, std::int64_t expiry) {
    std::lock_guard lock(m_mutex);
    if (m_entries.size() < m_max)
        m_entries[origid] = expiry;
}

std::optional<Digest> MemoryPinStore::pinned(const std::string& avatarId) const {
    auto it = m_pins.find(avatarId);
    if (it == m_pins.end())
        return std::nullopt;
    return it->second;
}

void MemoryPinStore::pin(const std::string& avatarId, const Digest& thumbprint) {
    m_pins[avatarId] = thumbprint;
}

// ---- verified-object cache ------------------------------------------------------------------

struct VerifiedObjectCache::Impl {
    struct ChainEntry {
        ChainResult result;
        std::int64_t validUntil = 0;
    };
    std::size_t max;
    mutable std::mutex mutex;
    std::map<Digest, Credential> credentials;
    std::map<Digest, ChainEntry> chains;
    std::map<Digest, SignedManifest> manifests;
    std::deque<std::pair<int, Digest>> order; // insertion order for eviction

    void evict() {
        while (credentials.size() + chains.size() + manifests.size() > max && !order.empty()) {
            auto [kind, key] = order.front();
            order.pop_front();
            if (kind == 0) credentials.erase(key);
            else if (kind == 1) chains.erase(key);
            else manifests.erase(key);
        }
    }
};

VerifiedObjectCache::VerifiedObjectCache(std::size_t maxEntries) : m_impl(std::make_unique<Impl>()) {
    m_impl->max = maxEntries;
}
VerifiedObjectCache::~VerifiedObjectCache() = default;

std::optional<Credential> VerifiedObjectCache::credential(const Digest& encodedDigest) const {
    std::lock_guard lock(m_impl->mutex);
    auto it = m_impl->credentials.find(encodedDigest);
    if (it == m_impl->credentials.end())
        return std::nullopt;
    return it->second;
}

void VerifiedObjectCache::putCredential(const Digest& encodedDigest, const Credential& c) {
    std::lock_guard lock(m_impl->mutex);
    if (m_impl->credentials.emplace(encodedDigest, c).second)
        m_impl->order.emplace_back(0, encodedDigest);
    m_impl->evict();
}

std::optional<ChainResult> VerifiedObjectCache::chain(const Digest& key, std::int64_t now) const {
    std::lock_guard lock(m_impl->mutex);
    auto it = m_impl->chains.find(key);
    if (it == m_impl->chains.end() || now >= it->second.validUntil)
        return std::nullopt;
    return it->second.result;
}

void VerifiedObjectCache::putChain(const Digest& key, const ChainResult& r, std::int64_t validUntil) {
    std::lock_guard lock(m_impl->mutex);
    if (m_impl->chains.insert_or_assign(key, Impl::ChainEntry{r, validUntil}).second)
        m_impl->order.emplace_back(1, key);
    m_impl->evict();
}

std::optional<SignedManifest> VerifiedObjectCache::manifest(const Digest& encodedDigest) const {
    std::lock_guard lock(m_impl->mutex);
    auto it = m_impl->manifests.find(encodedDigest);
    if (it == m_impl->manifests.end())
        return std::nullopt;
    return it->second;
}

void VerifiedObjectCache::putManifest(const Digest& encodedDigest, const SignedManifest& m) {
    std::lock_guard lock(m_impl->mutex);
    if (m_impl->manifests.emplace(encodedDigest, m).second)
        m_impl->order.emplace_back(2, encodedDigest);
    m_impl->evict();
}

std::size_t VerifiedObjectCache::size() const {
    std::lock_guard lock(m_impl->mutex);
    return m_impl->credentials.size() + m_impl->chains.size() + m_impl->manifests.size();
}

namespace {

// Key of a chain-validation result: the chain's certificates and the trust list's roots.
Digest chainKey(const std::vector<Certificate>& chain, const TrustList& trust) {
    Sha256 h;
    for (const auto& c : chain) {
        const Digest f = c.fingerprint();
        h.update(f);
    }
    const std::uint8_t sep = 0xff;
    h.update(ByteView(&sep, 1));
    for (const auto& r : trust.roots()) {
        const Digest f = r.fingerprint();
        h.update(f);
    }
    return h.finish();
}

// A trusted result holds until the first certificate of the chain expires.
std::int64_t chainValidUntil(const std::vector<Certificate>& chain, const TrustList& trust,
                             std::int64_t now) {
    std::int64_t until = now + 3600; // re-validate at least hourly
    for (const auto& c : chain)
        until = std::min(until, c.notAfter());
    for (const auto& r : trust.roots())
        until = std::min(until, r.notAfter());
    return until;
}

} // namespace

// ---- names ----------------------------------------------------------------------------------

std::string_view checkIdName(CheckId id) noexcept {
    switch (id) {
    case CheckId::AssertionFormat: return "assertion-format";
    case CheckId::CredentialFormat: return "credential-format";
    case CheckId::CredentialSignature: return "credential-signature";
    case CheckId::IssuerTrust: return "issuer-trust";
    case CheckId::CredentialValidity: return "credential-validity";
    case CheckId::Revocation: return "revocation";
    case CheckId::AssertionSignature: return "assertion-signature";
    case CheckId::HolderBinding: return "holder-binding";
    case CheckId::CredentialDigest: return "credential-digest";
    case CheckId::Freshness: return "freshness";
    case CheckId::Destination: return "destination";
    case CheckId::Replay: return "replay";
    case CheckId::ManifestSignature: return "manifest-signature";
    case CheckId::MediaRoot: return "media-root";
    case CheckId::MediaContent: return "media-content";
    case CheckId::PinnedKey: return "pinned-key";
    case CheckId::Disclosures: return "disclosures";
    case CheckId::LogInclusion: return "log-inclusion";
    case CheckId::RoleCredential: return "role-credential";
    }
    return "unknown";
}

std::string_view checkIdTitle(CheckId id) noexcept {
    switch (id) {
    case CheckId::AssertionFormat: return "Call assertion is well-formed";
    case CheckId::CredentialFormat: return "DT credential is well-formed";
    case CheckId::CredentialSignature: return "Credential signed by its issuer";
    case CheckId::IssuerTrust: return "Issuer chains to a trusted root";
    case CheckId::CredentialValidity: return "Credential within its validity period";
    case CheckId::Revocation: return "Credential not revoked";
    case CheckId::AssertionSignature: return "Assertion signed by the holder key";
    case CheckId::HolderBinding: return "Assertion bound to this credential's holder";
    case CheckId::CredentialDigest: return "Assertion names this credential";
    case CheckId::Freshness: return "Assertion is fresh";
    case CheckId::Destination: return "Assertion is for this call";
    case CheckId::Replay: return "Assertion not seen before";
    case CheckId::ManifestSignature: return "Media manifest signed by the holder";
    case CheckId::MediaRoot: return "Media is the certified avatar";
    case CheckId::MediaContent: return "Media bytes match the manifest";
    case CheckId::PinnedKey: return "Pinned key unchanged";
    case CheckId::Disclosures: return "Disclosed attributes match the credential";
    case CheckId::LogInclusion: return "Credential is in the transparency log";
    case CheckId::RoleCredential: return "Required roles vouched for by a trusted enterprise";
    }
    return "Unknown check";
}

std::string_view checkStateName(CheckState s) noexcept {
    switch (s) {
    case CheckState::Passed: return "passed";
    case CheckState::Failed: return "failed";
    case CheckState::Skipped: return "skipped";
    }
    return "unknown";
}

std::string_view overallStateName(OverallState s) noexcept {
    switch (s) {
    case OverallState::Verified: return "verified";
    case OverallState::ValidUntrusted: return "valid-untrusted-issuer";
    case OverallState::Incomplete: return "incomplete";
    case OverallState::Failed: return "failed";
    }
    return "unknown";
}

const std::vector<CheckId>& allCheckIds() {
    static const std::vector<CheckId> kAll = {
        CheckId::AssertionFormat,    CheckId::CredentialFormat, CheckId::CredentialSignature,
        CheckId::IssuerTrust,        CheckId::CredentialValidity, CheckId::Revocation,
        CheckId::AssertionSignature, CheckId::HolderBinding,    CheckId::CredentialDigest,
        CheckId::Freshness,          CheckId::Destination,      CheckId::Replay,
        CheckId::ManifestSignature,  CheckId::MediaRoot,        CheckId::MediaContent,
        CheckId::PinnedKey,          CheckId::Disclosures,      CheckId::LogInclusion,
        CheckId::RoleCredential,
    };
    return kAll;
}

const std::vector<OptionalCheck>& optionalChecks() {
    static const std::vector<OptionalCheck> kOptional = {
        {"revocation", CheckId::Revocation, "no status list"},
        {"log-inclusion", CheckId::LogInclusion, "no signed tree head and inclusion proof"},
        {"replay", CheckId::Replay, "no replay cache"},
        {"media", CheckId::MediaContent, "no media package"},
        {"pins", CheckId::PinnedKey, "no pin store"},
    };
    return kOptional;
}

Result<std::vector<CheckId>> parseOptOut(std::string_view list) {
    std::vector<CheckId> ids;
    std::string accepted;
    for (const auto& o : optionalChecks())
        accepted += (accepted.empty() ? "" : ", ") + std::string(o.name);
    std::size_t start = 0;
    while (start <= list.size()) {
        std::size_t end = list.find(',', start);
        if (end == std::string_view::npos)
            end = list.size();
        std::string item;
        for (char c : list.substr(start, end - start))
            if (c != ' ' && c != '\t')
                item += c;
        start = end + 1;
        if (item.empty())
            return makeError(ErrorCode::InvalidArgument,
                             "empty check name in '" + std::string(list) + "'; use " + accepted);
        const auto it = std::find_if(optionalChecks().begin(), optionalChecks().end(),
                                     [&](const OptionalCheck& o) {
                                         return item == o.name || item == checkIdName(o.id);
                                     });
        if (it == optionalChecks().end())
            return makeError(ErrorCode::InvalidArgument,
                             std::string("'").append(item).append("' is not a check that can be skipped; use ").append(accepted));
        if (std::find(ids.begin(), ids.end(), it->id) == ids.end())
            ids.push_back(it->id);
    }
    return ids;
}

std::vector<const CheckResult*> VerificationReport::missing() const {
    std::vector<const CheckResult*> out;
    for (const auto& c : checks)
        if (c.state == CheckState::Skipped && c.required)
            out.push_back(&c);
    return out;
}

const CheckResult* VerificationReport::find(CheckId id) const {
    for (const auto& c : checks)
        if (c.id == id)
            return &c;
    return nullptr;
}

std::string VerificationReport::summary() const {
    const std::string who =
        (pseudonym.empty() ? std::string("unknown avatar") : pseudonym) +
        (avatarId.empty() ? std::string() : " (" + avatarId + ")");
    switch (state) {
    case OverallState::Verified: {
        std::string s = "Verified: " + who + ", issued by " + issuer;
        for (const ProvenRole& role : provenRoles)
            s += "; " + role.role + (role.organisation.empty() ? "" : ", " + role.organisation) +
                 " (vouched for by " + role.enterprise + ")";
        return s;
    }
    case OverallState::Incomplete: {
        std::string s = "Incomplete: " + who + " passed every check that ran, but not checked: ";
        bool first = true;
        for (const CheckResult* c : missing()) {
            s += (first ? "" : "; ") + std::string(checkIdName(c->id)) + " (" + c->detail + ")";
            first = false;
        }
        return s;
    }
    case OverallState::ValidUntrusted:
        return "Not trusted: " + who + " is signed correctly, but its issuer '" + issuer +
               "' is not in your trust list";
    case OverallState::Failed:
        return "Failed (" + std::string(errorCodeName(reason)) + "): " + reasonDetail;
    }
    return {};
}

std::string VerificationReport::toJson() const {
    nlohmann::ordered_json j;
    j["state"] = overallStateName(state);
    if (state == OverallState::Failed) {
        j["reason"] = errorCodeName(reason);
        j["reasonDetail"] = reasonDetail;
    }
    j["summary"] = summary();
    if (state == OverallState::Incomplete) {
        auto& skipped = j["notChecked"] = nlohmann::ordered_json::array();
        for (const CheckResult* c : missing())
            skipped.push_back({{"check", checkIdName(c->id)}, {"detail", c->detail}});
    }
    j["avatarId"] = avatarId;
    j["pseudonym"] = pseudonym;
    j["issuer"] = issuer;
    auto& attrs = j["disclosedAttributes"] = nlohmann::ordered_json::object();
    for (const auto& [k, v] : disclosedAttributes)
        attrs[k] = v;
    if (!provenRoles.empty()) {
        auto& roles = j["roles"] = nlohmann::ordered_json::array();
        for (const ProvenRole& role : provenRoles)
            roles.push_back({{"role", role.role},
                             {"organisation", role.organisation},
                             {"enterprise", role.enterprise},
                             {"enterpriseRoot", role.rootSubject},
                             {"serial", role.serial}});
    }
    if (mediaFailure) {
        j["mediaFailure"]["file"] = mediaFailure->file;
        if (mediaFailure->chunkIndex)
            j["mediaFailure"]["chunk"] = *mediaFailure->chunkIndex;
    }
    auto& arr = j["checks"] = nlohmann::ordered_json::array();
    for (const auto& c : checks) {
        nlohmann::ordered_json e;
        e["check"] = checkIdName(c.id);
        e["title"] = checkIdTitle(c.id);
        e["state"] = checkStateName(c.state);
        if (c.code != ErrorCode::Ok)
            e["code"] = errorCodeName(c.code);
        if (!c.detail.empty())
            e["detail"] = c.detail;
        if (c.state == CheckState::Skipped)
            e["required"] = c.required;
        arr.push_back(std::move(e));
    }
    return j.dump(2);
}

// ---- the verifier ---------------------------------------------------------------------------

namespace {

class ReportBuilder {
public:
    void pass(CheckId id, std::string detail = {}) {
        m_r.checks.push_back({id, CheckState::Passed, ErrorCode::Ok, std::move(detail)});
    }
    void skip(CheckId id, std::string detail) {
        m_r.checks.push_back({id, CheckState::Skipped, ErrorCode::Ok, std::move(detail)});
    }
    void fail(CheckId id, const Error& e) {
        m_r.checks.push_back({id, CheckState::Failed, e.code, e.detail});
    }
    void fail(CheckId id, ErrorCode code, std::string detail) { fail(id, Error{code, std::move(detail)}); }
    // Records a Status as pass/fail; returns whether it passed.
    bool record(CheckId id, const Status& st, std::string okDetail = {}) {
        if (st.ok())
            pass(id, std::move(okDetail));
        else
            fail(id, st.error());
        return st.ok();
    }
    VerificationReport& report() { return m_r; }

    VerificationReport finish(const std::set<CheckId>& required) {
        bool untrusted = false;
        bool incomplete = false;
        for (auto& c : m_r.checks) {
            c.required = required.count(c.id) > 0;
            incomplete = incomplete || (c.required && c.state == CheckState::Skipped);
        }
        for (const auto& c : m_r.checks) {
            if (c.state != CheckState::Failed)
                continue;
            if (c.id == CheckId::IssuerTrust && c.code == ErrorCode::UntrustedIssuer) {
                untrusted = true;
                continue;
            }
            m_r.state = OverallState::Failed;
            m_r.reason = c.code;
            m_r.reasonDetail = std::string(checkIdTitle(c.id)) + ": " + c.detail;
            return std::move(m_r);
        }
        m_r.state = untrusted    ? OverallState::ValidUntrusted
                    : incomplete ? OverallState::Incomplete
                                 : OverallState::Verified;
        if (m_r.state == OverallState::Incomplete) {
            const auto missing = m_r.missing();
            m_r.reasonDetail = "not checked: ";
            for (std::size_t i = 0; i < missing.size(); ++i)
                m_r.reasonDetail += (i ? ", " : "") + std::string(checkIdName(missing[i]->id));
        }
        return std::move(m_r);
    }

private:
    VerificationReport m_r;
};

} // namespace

VerificationReport verifyPeer(const VerificationInputs& in) {
    ReportBuilder b;
    const Clock& clock = in.clock ? *in.clock : SystemClock::instance();
    const std::int64_t now = clock.now();
    constexpr const char* kNeedsAssertion = "not checked: the assertion could not be read";
    constexpr const char* kNeedsCredential = "not checked: the credential could not be read";

    // The assertion.
    auto assertion = parseAssertion(in.assertion);
    b.record(CheckId::AssertionFormat, assertion.ok() ? Status{} : Status{assertion.error()});

    // The credential: parse, then the issuer's signature, then trust.
    std::optional<Credential> cred;
    const Digest credDigest = sha256(in.credential);
    if (auto cached = in.cache ? in.cache->credential(credDigest) : std::nullopt) {
        b.pass(CheckId::CredentialFormat);
        b.pass(CheckId::CredentialSignature,
               "signed by " + cached->issuerChain.front().subject() + " (verified before)");
        cred = std::move(*cached);
    } else {
        auto c = parseCredential(in.credential);
        if (c.ok() && in.cache)
            in.cache->putCredential(credDigest, *c);
        if (c.ok()) {
            b.pass(CheckId::CredentialFormat);
            b.pass(CheckId::CredentialSignature, "signed by " + c->issuerChain.front().subject());
            cred = std::move(*c);
        } else if (c.code() == ErrorCode::BadSignature) {
            b.pass(CheckId::CredentialFormat);
            b.fail(CheckId::CredentialSignature, c.error());
        } else {
            b.fail(CheckId::CredentialFormat, c.error());
            b.skip(CheckId::CredentialSignature, kNeedsCredential);
        }
    }
    if (cred) {
        auto& r = b.report();
        r.avatarId = cred->claims.avatarId;
        r.pseudonym = cred->claims.pseudonym;
        r.issuer = cred->claims.issuer.empty() ? cred->issuerChain.front().subject()
                                               : cred->claims.issuer;
        static const TrustList kEmpty;
        const TrustList& trust = in.trust ? *in.trust : kEmpty;
        Result<ChainResult> chain = makeError(ErrorCode::Internal, "not validated");
        const Digest key = in.cache ? chainKey(cred->issuerChain, trust) : Digest{};
        if (auto cached = in.cache ? in.cache->chain(key, now) : std::nullopt) {
            chain = std::move(*cached);
        } else {
            chain = validateChain(cred->issuerChain, trust, now);
            if (chain.ok() && in.cache)
                in.cache->putChain(key, *chain, chainValidUntil(cred->issuerChain, trust, now));
        }
        if (!chain.ok())
            b.fail(CheckId::IssuerTrust, chain.error());
        else if (chain->status == ChainStatus::Trusted)
            b.pass(CheckId::IssuerTrust, "chains to " + chain->rootSubject);
        else
            b.fail(CheckId::IssuerTrust, ErrorCode::UntrustedIssuer,
                   "the issuer does not chain to a root in the trust list (" + chain->detail + ")");
        b.record(CheckId::CredentialValidity, checkValidity(cred->claims, now));
        if (in.revocation)
            b.record(CheckId::Revocation, in.revocation->check(*cred, now));
        else
            b.skip(CheckId::Revocation, in.revocationUnavailable.empty()
                                            ? std::string("no status list available")
                                            : in.revocationUnavailable);
    } else {
        for (CheckId id : {CheckId::IssuerTrust, CheckId::CredentialValidity, CheckId::Revocation})
            b.skip(id, kNeedsCredential);
    }

    // The assertion against the credential.
    if (assertion.ok() && cred) {
        const auto& a = *assertion;
        const auto& holder = cred->claims.holderKey;
        const bool sigOk =
            b.record(CheckId::AssertionSignature, verifyAssertionSignature(a, holder));
        const Digest jkt = holder.thumbprint();
        if (!constantTimeEqual(a.claims.holderThumbprint, jkt))
            b.fail(CheckId::HolderBinding, ErrorCode::KeyMismatch,
                   "the assertion's cnf.jkt is not the credential's holder key");
        else if (!a.kid.empty() && a.kid != base64UrlEncode(jkt))
            b.fail(CheckId::HolderBinding, ErrorCode::KeyMismatch,
                   "the assertion's kid is not the credential's holder key");
        else if (a.claims.orig != cred->claims.avatarId)
            b.fail(CheckId::HolderBinding, ErrorCode::KeyMismatch,
                   "the assertion's orig '" + a.claims.orig + "' is not the credential's Avatar-ID");
        else
            b.pass(CheckId::HolderBinding);
        if (!constantTimeEqual(a.claims.credentialDigest, cred->digest()))
            b.fail(CheckId::CredentialDigest, ErrorCode::CredentialDigestMismatch,
                   "the assertion was made for a different credential");
        else
            b.pass(CheckId::CredentialDigest);
        const std::int64_t age = saturatingSub(now, a.claims.iat);
        if (age > kAssertionFreshnessSeconds || age < -kAssertionFreshnessSeconds)
            b.fail(CheckId::Freshness, ErrorCode::AssertionStale,
                   "issued " + std::to_string(age) + " s from now; at most " +
                       std::to_string(kAssertionFreshnessSeconds) + " s either way is accepted");
        else
            b.pass(CheckId::Freshness);
        if (in.expectedDestination.empty())
            b.fail(CheckId::Destination, ErrorCode::InvalidArgument,
                   "no expected destination was given to the verifier");
        else if (std::find(a.claims.dest.begin(), a.claims.dest.end(), in.expectedDestination) ==
                 a.claims.dest.end())
            b.fail(CheckId::Destination, ErrorCode::WrongDestination,
                   "the assertion is addressed to someone else, not " + in.expectedDestination);
        else
            b.pass(CheckId::Destination);
        // Only a genuinely signed assertion may occupy the cache; for it the check and the
        // insertion are one step, so one assertion presented twice at once passes once.
        if (!in.replayCache)
            b.skip(CheckId::Replay, "no replay cache");
        else if (sigOk ? !in.replayCache->insertIfNew(a.claims.origid, a.claims.iat, now)
                       : in.replayCache->seen(a.claims.origid, now))
            b.fail(CheckId::Replay, ErrorCode::AssertionReplayed,
                   "assertion " + a.claims.origid + " was already presented");
        else
            b.pass(CheckId::Replay);
    } else {
        const char* why = assertion.ok() ? kNeedsCredential : kNeedsAssertion;
        for (CheckId id : {CheckId::AssertionSignature, CheckId::HolderBinding,
                           CheckId::CredentialDigest, CheckId::Freshness, CheckId::Destination,
                           CheckId::Replay})
            b.skip(id, why);
    }

    // The media.
    if (in.media.manifest.empty()) {
        b.fail(CheckId::ManifestSignature, ErrorCode::MediaMissingFile,
               "no signed media manifest was received");
        b.skip(CheckId::MediaRoot, "not checked: no manifest");
        b.skip(CheckId::MediaContent, "not checked: no manifest");
    } else {
        const Digest manifestDigest = sha256(in.media.manifest);
        Result<SignedManifest> m = makeError(ErrorCode::Internal, "not parsed");
        if (auto cached = in.cache ? in.cache->manifest(manifestDigest) : std::nullopt) {
            m = std::move(*cached);
        } else {
            m = parseSignedManifest(in.media.manifest);
            if (m.ok() && in.cache)
                in.cache->putManifest(manifestDigest, *m);
        }
        if (!m.ok()) {
            b.fail(CheckId::ManifestSignature, m.error());
            b.skip(CheckId::MediaRoot, "not checked: the manifest could not be read");
            b.skip(CheckId::MediaContent, "not checked: the manifest could not be read");
        } else {
            if (cred && !(m->manifest.holderKey == cred->claims.holderKey))
                b.fail(CheckId::ManifestSignature, ErrorCode::KeyMismatch,
                       "the manifest is signed by a key other than the credential's holder key");
            else
                b.pass(CheckId::ManifestSignature);
            const Digest& root = m->manifest.packageRoot;
            if (cred && !constantTimeEqual(root, cred->claims.mediaRoot))
                b.fail(CheckId::MediaRoot, ErrorCode::MediaRootMismatch,
                       "the media is not the avatar the home network certified");
            else if (auto described = cred ? checkMediaDescription(m->manifest, cred->claims.media)
                                           : Status();
                     !described.ok())
                b.fail(CheckId::MediaRoot, described.error());
            else if (assertion.ok() && !constantTimeEqual(root, assertion->claims.mediaRoot))
                b.fail(CheckId::MediaRoot, ErrorCode::MediaRootMismatch,
                       "the assertion names different media than the manifest");
            else if (!cred && !assertion.ok())
                b.skip(CheckId::MediaRoot, "not checked: nothing to compare the root with");
            else
                b.pass(CheckId::MediaRoot, "package root " + toHex(root).substr(0, 16) + "…");
            if (in.media.packagePath.empty()) {
                b.skip(CheckId::MediaContent, "media bytes not received yet");
            } else {
                MediaFailure failure;
                auto st = verifyMedia(m->manifest, in.media.packagePath, in.hashOptions, &failure);
                if (!st.ok() && !failure.file.empty())
                    b.report().mediaFailure = failure;
                // Bytes the holder signed can still be a model no renderer should load: the
                // glTF is validated before anything renders it.
                if (st.ok()) {
                    st = validatePackageModel(m->manifest, in.media.packagePath);
                    if (!st.ok())
                        b.report().mediaFailure = MediaFailure{m->manifest.modelPath, {}};
                }
                if (st.ok()) {
                    st = checkPackageMetadata(m->manifest, in.media.packagePath);
                    if (!st.ok())
                        b.report().mediaFailure = MediaFailure{m->manifest.metadataPath, {}};
                }
                b.record(CheckId::MediaContent, st,
                         std::to_string(m->manifest.files.size()) + " files verified");
            }
        }
    }

    // Identity continuity and disclosures.
    if (!cred) {
        b.skip(CheckId::PinnedKey, kNeedsCredential);
        b.skip(CheckId::Disclosures, kNeedsCredential);
    } else {
        if (!in.pins) {
            b.skip(CheckId::PinnedKey, "no pin store");
        } else if (auto pin = in.pins->pinned(cred->claims.avatarId)) {
            if (constantTimeEqual(*pin, cred->claims.holderKey.thumbprint()))
                b.pass(CheckId::PinnedKey, "same holder key as before");
            else
                b.fail(CheckId::PinnedKey, ErrorCode::PinnedKeyChanged,
                       "this Avatar-ID used a different holder key before; confirm the change "
                       "with its owner before trusting it");
        } else {
            b.pass(CheckId::PinnedKey, "first contact: the holder key will be remembered");
        }
        bool ok = true;
        std::vector<std::pair<std::string, std::string>> disclosed;
        for (const auto& enc : in.disclosures) {
            auto d = AttributeDisclosure::decode(enc);
            if (!d.ok()) {
                b.fail(CheckId::Disclosures, ErrorCode::DisclosureMismatch, d.error().detail);
                ok = false;
                break;
            }
            const Digest dg = sha256(view(enc));
            auto it = std::find_if(cred->claims.attributes.begin(), cred->claims.attributes.end(),
                                   [&](const AttributeCommitmentInfo& c) {
                                       return c.name == d->name && constantTimeEqual(c.digest, dg);
                                   });
            if (it == cred->claims.attributes.end()) {
                b.fail(CheckId::Disclosures, ErrorCode::DisclosureMismatch,
                       "the disclosed '" + d->name + "' does not match the credential");
                ok = false;
                break;
            }
            disclosed.emplace_back(d->name, d->value);
        }
        if (ok) {
            b.pass(CheckId::Disclosures, disclosed.empty()
                                             ? "nothing disclosed: pseudonym only"
                                             : std::to_string(disclosed.size()) +
                                                   " attribute(s) disclosed");
            b.report().disclosedAttributes = std::move(disclosed);
        }
    }
    if (cred && in.inclusion)
        b.record(CheckId::LogInclusion, in.inclusion->check(*cred));
    else
        b.skip(CheckId::LogInclusion, !cred ? std::string(kNeedsCredential)
                                      : in.inclusionUnavailable.empty()
                                          ? std::string("no signed tree head available")
                                          : in.inclusionUnavailable);

    // Third-party roles, bound to the holder key that signed the assertion (the credential's).
    if (in.requiredRoles.empty()) {
        b.pass(CheckId::RoleCredential, "no role required");
    } else if (!cred) {
        b.skip(CheckId::RoleCredential, kNeedsCredential);
    } else {
        auto proven = proveRoles(in.requiredRoles, in.roleCredentials,
                                 cred->claims.holderKey.thumbprint(), now);
        if (!proven.ok()) {
            b.fail(CheckId::RoleCredential, proven.error());
        } else {
            std::string detail;
            for (const ProvenRole& role : *proven)
                detail += (detail.empty() ? "" : "; ") + role.role +
                          (role.organisation.empty() ? "" : ", " + role.organisation) +
                          ", vouched for by " + role.enterprise + " (" + role.rootSubject + ")";
            b.pass(CheckId::RoleCredential, std::move(detail));
            b.report().provenRoles = std::move(*proven);
        }
    }

    return b.finish(in.required);
}

} // namespace twinseal::security
