// Peer verifications per second on one core: credential (issuer signature + X.509 chain),
// call assertion (holder signature and bindings) and media-manifest signature checks, media
// bytes excluded. Figures are printed, never asserted (target on this machine: >= 3,000/s).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include <twinseal/security/assertion.h>
#include <twinseal/security/manifest.h>
#include <twinseal/security/verify.h>

namespace sec = twinseal::security;

namespace {

constexpr std::int64_t kNow = 1'800'000'000;
constexpr const char* kRoom = "urn:twinseal:room:bench";

template <typename T> T must(sec::Result<T>&& r, const char* what) {
    if (!r.ok()) {
        (void)std::fprintf(stderr, "bench_verify: %s: %s\n", what, r.error().message().c_str());
        (void)std::fflush(nullptr);
        std::_Exit(1); // at once: exit() would run static destructors while other threads run
    }
    return std::move(r).value();
}

struct World {
    sec::TrustList trust;
    sec::Bytes credential;
    sec::Bytes manifest;
    std::string assertion;

    explicit World(sec::KeyAlgorithm alg) {
        auto rootKey = must(sec::SigningKey::generate(alg), "root key");
        auto root = must(sec::createRootCertificate(
                             rootKey, {"Bench Root", "Bench", kNow - 86400, kNow + 86400L * 365, true}),
                         "root");
        auto issuerKey = must(sec::SigningKey::generate(alg), "issuer key");
        auto issuer = must(sec::issueCertificate(rootKey, root, issuerKey.publicKey(),
                                                 {"Bench Issuer", "Bench", kNow - 86400,
                                                  kNow + 86400L * 365, false}),
                           "issuer");
        trust.add(root);
        auto holder = must(sec::SigningKey::generate(alg), "holder key");
        auto m = must(sec::buildManifest(TWINSEAL_SOURCE_DIR "/resources/avatar"), "manifest");
        manifest = must(sec::signManifest(m, holder), "sign manifest");
        const auto parsed = must(sec::parseSignedManifest(manifest), "parse manifest");
        sec::CredentialClaims c;
        c.dtId = "dt-bench";
        c.avatarId = "urn:twinseal:avatar:bench";
        c.holderKey = holder.publicKey();
        c.pseudonym = "Bench";
        c.mediaRoot = parsed.manifest.packageRoot;
        c.media = sec::describeMedia(parsed.manifest);
        c.notBefore = kNow - 60;
        c.notAfter = kNow + 86400;
        auto cred = must(sec::issueCredential(c, issuerKey, {issuer}), "credential");
        credential = cred.encoded;
        auto claims = must(sec::claimsForCall(cred, {kRoom}, sec::Bytes(32, 7), kNow,
                                              sec::SystemRandom::instance()),
                           "claims");
        assertion = must(sec::createAssertion(claims, holder), "assertion").compact;
    }
};

// `cached`: a verifier that has seen this peer before (VerifiedObjectCache): the credential,
// chain and manifest checks are looked up by digest, the assertion is verified in full.
void BM_PeerVerification(benchmark::State& state, sec::KeyAlgorithm alg, bool cached) {
    const World w(alg);
    sec::VerifiedObjectCache cache;
    const sec::FixedClock clock(kNow);
    sec::VerificationInputs in;
    in.assertion = w.assertion;
    in.credential = w.credential;
    in.media.manifest = w.manifest;
    in.trust = &w.trust;
    in.clock = &clock;
    in.expectedDestination = kRoom;
    in.cache = cached ? &cache : nullptr;
    in.optOut({sec::CheckId::Revocation, sec::CheckId::LogInclusion, sec::CheckId::Replay,
               sec::CheckId::MediaContent, sec::CheckId::PinnedKey});
    for (auto _ : state) {
        auto report = sec::verifyPeer(in);
        if (report.state != sec::OverallState::Verified) {
            state.SkipWithError(report.summary().c_str());
            break;
        }
        benchmark::DoNotOptimize(report);
    }
    state.counters["verifications/s"] =
        benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

BENCHMARK_CAPTURE(BM_PeerVerification, Ed25519_all_checks, sec::KeyAlgorithm::Ed25519, false)
    ->Unit(benchmark::kMicrosecond)
    ->MinTime(2.0);
BENCHMARK_CAPTURE(BM_PeerVerification, P256_all_checks, sec::KeyAlgorithm::EcdsaP256, false)
    ->Unit(benchmark::kMicrosecond)
    ->MinTime(2.0);
BENCHMARK_CAPTURE(BM_PeerVerification, Ed25519_known_peer, sec::KeyAlgorithm::Ed25519, true)
    ->Unit(benchmark::kMicrosecond)
    ->MinTime(2.0);
BENCHMARK_CAPTURE(BM_PeerVerification, P256_known_peer, sec::KeyAlgorithm::EcdsaP256, true)
    ->Unit(benchmark::kMicrosecond)
    ->MinTime(2.0);

} // namespace
