// A backup's sealed-file header (security/sealed_file.h), read before any passphrase is tried:
// openSealedFile on any bytes refuses with one of its own codes and never reads past the input.
// The fuzzer cannot forge the body's SHA-256, so the checks after it run on the seeds (a real
// sealed file with cheap scrypt parameters, opened with its passphrase); a truncated copy of a
// file that opens is BackupTruncated, and one byte more is BackupCorrupted.
#include <twinseal/security/sealed_file.h>

#include "fuzz_support.h"

namespace {

using namespace twinseal;
using security::ErrorCode;

constexpr std::string_view kKind = "TWINSEAL-TWIN-BACKUP";
constexpr std::string_view kPassphrase = "fuzz backup passphrase";

bool refusedByName(ErrorCode c) {
    return c == ErrorCode::NotABackup || c == ErrorCode::BackupTruncated ||
           c == ErrorCode::BackupCorrupted || c == ErrorCode::UnsupportedVersion ||
           c == ErrorCode::WrongPassphrase;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const security::ByteView bytes = fuzz::bytesOf(data, size);
    auto opened = security::openSealedFile(kKind, bytes, kPassphrase);
    if (!opened.ok()) {
        fuzz::require(refusedByName(opened.code()), "a refusal is one of the sealed file's codes");
        return 0;
    }
    auto shorter = security::openSealedFile(kKind, bytes.first(size - 1), kPassphrase);
    fuzz::require(!shorter.ok() && shorter.code() == ErrorCode::BackupTruncated,
                  "one byte less is truncated");
    security::Bytes longer(bytes.begin(), bytes.end());
    longer.push_back(0);
    auto extra = security::openSealedFile(kKind, longer, kPassphrase);
    fuzz::require(!extra.ok() && extra.code() == ErrorCode::BackupCorrupted,
                  "one byte more is corrupted");
    return 0;
}
