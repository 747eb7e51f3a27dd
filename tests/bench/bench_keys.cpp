// The passphrase KDF (scrypt at the default key protection cost, N = 2^17, r = 8: 128 MiB) as an
// unlock runs it: per derivation, with how many of OpenSSL's allocations were huge-page-advised
// mappings of their own (openssl_memory.h). Printed, never asserted.
#include <benchmark/benchmark.h>

#include <twinseal/security/keys.h>
#include <twinseal/security/openssl_memory.h>

namespace sec = twinseal::security;

namespace {

void BM_ScryptDefaultCost(benchmark::State& state) {
    const auto before = sec::openSslMemoryStats().largeAllocations;
    for (auto _ : state) {
        auto key = sec::scrypt("correct horse battery", sec::view("sixteen byte salt"), sec::ScryptParams{}, 64);
        if (!key.ok()) {
            state.SkipWithError("scrypt failed");
            break;
        }
        benchmark::DoNotOptimize(key->data());
    }
    state.counters["huge_page_mappings"] =
        static_cast<double>(sec::openSslMemoryStats().largeAllocations - before);
}

BENCHMARK(BM_ScryptDefaultCost)->Unit(benchmark::kMillisecond)->MinTime(3.0);

} // namespace
