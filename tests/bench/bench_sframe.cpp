// SFrame (RFC 9605) protect + unprotect of 200-byte avatar frames on one core, per cipher suite,
// next to raw OpenSSL EVP AES-128-GCM seal + open of the same payload with the same AAD length,
// in the same run (and, for the CTR+HMAC suites, next to raw EVP AES-128-CTR + HMAC-SHA256).
// Prints each suite's overhead in CPU time against the raw pair (goal: at most 25%). Figures are
// printed, never asserted.
#include <benchmark/benchmark.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include <twinseal/security/sframe.h>

namespace sec = twinseal::security;

namespace {

constexpr std::size_t kFrameSize = 200;
// What an animation frame carries as SFrame metadata (the room's stream id).
const auto& testMetadata() {
    static const sec::Bytes value = sec::toBytes("room-1/participant-7");
    return value;
}

[[noreturn]] void die(const char* what) {
    (void)std::fprintf(stderr, "bench_sframe: %s\n", what);
    (void)std::fflush(nullptr);
    std::_Exit(1); // at once: exit() would run static destructors while other threads run
}

// Raw EVP AES-128-GCM: one context per direction, the key set once, a new 96-bit nonce per
// frame, AAD of the length SFrame authenticates (3-byte header + metadata).
void BM_RawEvpAes128Gcm(benchmark::State& state) {
    const std::array<std::uint8_t, 16> key{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    std::vector<std::uint8_t> aad(3 + testMetadata().size(), 0x5a);
    std::vector<std::uint8_t> pt(kFrameSize, 0x42), ct(kFrameSize), back(kFrameSize);
    std::array<std::uint8_t, 16> tag{};
    std::array<std::uint8_t, 12> nonce{};
    EVP_CIPHER* cipher = EVP_CIPHER_fetch(nullptr, "AES-128-GCM", nullptr);
    EVP_CIPHER_CTX* enc = EVP_CIPHER_CTX_new();
    EVP_CIPHER_CTX* dec = EVP_CIPHER_CTX_new();
    if (!cipher || !enc || !dec ||
        EVP_EncryptInit_ex(enc, cipher, nullptr, key.data(), nullptr) != 1 ||
        EVP_DecryptInit_ex(dec, cipher, nullptr, key.data(), nullptr) != 1)
        die("AES-128-GCM set-up failed");
    std::uint64_t counter = 0;
    int len = 0;
    for (auto _ : state) {
        ++counter;
        for (int i = 0; i < 8; ++i)
            nonce[11 - i] = static_cast<std::uint8_t>(counter >> (8 * i));
        bool ok = EVP_EncryptInit_ex(enc, nullptr, nullptr, nullptr, nonce.data()) == 1 &&
                  EVP_EncryptUpdate(enc, nullptr, &len, aad.data(), int(aad.size())) == 1 &&
                  EVP_EncryptUpdate(enc, ct.data(), &len, pt.data(), int(pt.size())) == 1 &&
                  EVP_EncryptFinal_ex(enc, ct.data() + len, &len) == 1 &&
                  EVP_CIPHER_CTX_ctrl(enc, EVP_CTRL_AEAD_GET_TAG, 16, tag.data()) == 1;
        ok = ok && EVP_DecryptInit_ex(dec, nullptr, nullptr, nullptr, nonce.data()) == 1 &&
             EVP_DecryptUpdate(dec, nullptr, &len, aad.data(), int(aad.size())) == 1 &&
             EVP_DecryptUpdate(dec, back.data(), &len, ct.data(), int(ct.size())) == 1 &&
             EVP_CIPHER_CTX_ctrl(dec, EVP_CTRL_AEAD_SET_TAG, 16, tag.data()) == 1 &&
             EVP_DecryptFinal_ex(dec, back.data() + len, &len) == 1;
        if (!ok)
            die("AES-128-GCM failed");
        benchmark::DoNotOptimize(back.data());
    }
    state.SetItemsProcessed(state.iterations());
    state.SetBytesProcessed(state.iterations() * std::int64_t(kFrameSize));
    EVP_CIPHER_CTX_free(enc);
    EVP_CIPHER_CTX_free(dec);
    EVP_CIPHER_free(cipher);
}

// Raw EVP AES-128-CTR + HMAC-SHA256 (80-bit tag) over the same sizes: the work of the CTR+HMAC
// suites without SFrame around it (one cipher context and one MAC context, keys set once).
void BM_RawEvpAes128CtrHmacSha256(benchmark::State& state) {
    const std::array<std::uint8_t, 16> key{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    const std::array<std::uint8_t, 32> authKey{7};
    std::vector<std::uint8_t> aad(3 + testMetadata().size(), 0x5a);
    std::vector<std::uint8_t> pt(kFrameSize, 0x42), ct(kFrameSize), back(kFrameSize);
    std::array<std::uint8_t, 32> tag{}, check{};
    std::array<std::uint8_t, 16> iv{};
    EVP_CIPHER* cipher = EVP_CIPHER_fetch(nullptr, "AES-128-CTR", nullptr);
    EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
    EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    EVP_MAC_CTX* mctx = mac ? EVP_MAC_CTX_new(mac) : nullptr;
    char digest[] = "SHA256";
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("digest", digest, 0),
                                 OSSL_PARAM_construct_end()};
    if (!cipher || !ctx || !mctx ||
        EVP_EncryptInit_ex(ctx, cipher, nullptr, key.data(), nullptr) != 1 ||
        EVP_MAC_init(mctx, authKey.data(), authKey.size(), params) != 1)
        die("AES-128-CTR/HMAC set-up failed");
    std::uint64_t counter = 0;
    int len = 0;
    std::size_t maclen = 0;
    const auto hmac = [&](const std::vector<std::uint8_t>& data, std::uint8_t* out) {
        return EVP_MAC_init(mctx, nullptr, 0, nullptr) == 1 &&
               EVP_MAC_update(mctx, iv.data(), 12) == 1 &&
               EVP_MAC_update(mctx, aad.data(), aad.size()) == 1 &&
               EVP_MAC_update(mctx, data.data(), data.size()) == 1 &&
               EVP_MAC_final(mctx, out, &maclen, 32) == 1;
    };
    for (auto _ : state) {
        ++counter;
        for (int i = 0; i < 8; ++i)
            iv[11 - i] = static_cast<std::uint8_t>(counter >> (8 * i));
        bool ok = EVP_EncryptInit_ex(ctx, nullptr, nullptr, nullptr, iv.data()) == 1 &&
                  EVP_EncryptUpdate(ctx, ct.data(), &len, pt.data(), int(pt.size())) == 1 &&
                  hmac(ct, tag.data());
        ok = ok && hmac(ct, check.data()) && CRYPTO_memcmp(tag.data(), check.data(), 10) == 0 &&
             EVP_EncryptInit_ex(ctx, nullptr, nullptr, nullptr, iv.data()) == 1 &&
             EVP_EncryptUpdate(ctx, back.data(), &len, ct.data(), int(ct.size())) == 1;
        if (!ok)
            die("AES-128-CTR/HMAC failed");
        benchmark::DoNotOptimize(back.data());
    }
    state.SetItemsProcessed(state.iterations());
    state.SetBytesProcessed(state.iterations() * std::int64_t(kFrameSize));
    EVP_MAC_CTX_free(mctx);
    EVP_MAC_free(mac);
    EVP_CIPHER_CTX_free(ctx);
    EVP_CIPHER_free(cipher);
}

// SFrame: a sender context and a receiver context sharing one key; each iteration protects a
// frame (next counter) and unprotects it (header decode, KID lookup, replay window, AEAD).
void BM_SFrame(benchmark::State& state, sec::CipherSuite suite) {
    const sec::Bytes base(32, 0x42);
    constexpr std::uint64_t kid = 3;
    sec::SFrameContext sender(suite);
    sec::SFrameContext receiver(suite);
    if (!sender.addSendKey(kid, base) || !receiver.addReceiveKey(kid, base))
        die("SFrame keying failed");
    const sec::Bytes pt(kFrameSize, 0x42);
    sec::Bytes frame, back;
    for (auto _ : state) {
        if (!sender.protectInto(kid, testMetadata(), pt, frame))
            die("protect failed");
        if (!receiver.unprotectInto(frame, testMetadata(), back))
            die("unprotect failed");
        benchmark::DoNotOptimize(back.data());
    }
    state.SetItemsProcessed(state.iterations());
    state.SetBytesProcessed(state.iterations() * std::int64_t(kFrameSize));
}

// Collects each benchmark's time per iteration so the overhead can be printed at the end.
class OverheadReporter : public benchmark::ConsoleReporter {
  public:
    void ReportRuns(const std::vector<Run>& runs) override {
        for (const Run& r : runs)
            if (r.run_type == Run::RT_Iteration && r.iterations > 0)
                m_nsPerFrame[r.benchmark_name()] =
                    r.GetAdjustedCPUTime() *
                    (r.time_unit == benchmark::kMicrosecond ? 1000.0 : 1.0);
        ConsoleReporter::ReportRuns(runs);
    }
    const std::map<std::string, double>& nsPerFrame() const { return m_nsPerFrame; }

  private:
    std::map<std::string, double> m_nsPerFrame;
};

} // namespace

BENCHMARK(BM_RawEvpAes128Gcm)->Name("raw_evp_aes128gcm_seal_open/200B");
BENCHMARK(BM_RawEvpAes128CtrHmacSha256)->Name("raw_evp_aes128ctr_hmacsha256_seal_open/200B");
BENCHMARK_CAPTURE(BM_SFrame, gcm128, sec::CipherSuite::Aes128GcmSha256_128)
    ->Name("sframe_AES_128_GCM_SHA256_128/200B");
BENCHMARK_CAPTURE(BM_SFrame, ctr80, sec::CipherSuite::Aes128CtrHmacSha256_80)
    ->Name("sframe_AES_128_CTR_HMAC_SHA256_80/200B");
BENCHMARK_CAPTURE(BM_SFrame, gcm256, sec::CipherSuite::Aes256GcmSha512_128)
    ->Name("sframe_AES_256_GCM_SHA512_128/200B");
BENCHMARK_CAPTURE(BM_SFrame, integrity, sec::CipherSuite::IntegrityOnlyHmacSha256_128)
    ->Name("sframe_INTEGRITY_ONLY_HMAC_SHA256_128/200B");

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv))
        return 1;
    OverheadReporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    benchmark::Shutdown();

    // CPU time per frame (one core), so other load on the machine does not count.
    const auto& t = reporter.nsPerFrame();
    const auto gcm = t.find("raw_evp_aes128gcm_seal_open/200B");
    const auto ctr = t.find("raw_evp_aes128ctr_hmacsha256_seal_open/200B");
    if (gcm == t.end() || gcm->second <= 0)
        return 0;
    std::printf("\nSFrame protect+unprotect of %zu-byte frames, CPU time per frame on one core.\n"
                "Raw EVP AES-128-GCM seal+open: %.1f ns (%.0f frames/s)",
                kFrameSize, gcm->second, 1e9 / gcm->second);
    if (ctr != t.end() && ctr->second > 0)
        std::printf("; raw EVP AES-128-CTR+HMAC-SHA256 seal+open: %.1f ns (%.0f frames/s)",
                    ctr->second, 1e9 / ctr->second);
    std::printf("\n");
    for (const auto& [name, ns] : t) {
        if (name.rfind("sframe_", 0) != 0)
            continue;
        std::printf("  %-44s %7.1f ns %9.0f frames/s  vs raw GCM %+6.1f%%", name.c_str(), ns,
                    1e9 / ns, 100.0 * (ns - gcm->second) / gcm->second);
        if (name.find("CTR_HMAC") != std::string::npos && ctr != t.end() && ctr->second > 0)
            std::printf("  vs raw CTR+HMAC %+6.1f%%", 100.0 * (ns - ctr->second) / ctr->second);
        std::printf("\n");
    }
    return 0;
}
