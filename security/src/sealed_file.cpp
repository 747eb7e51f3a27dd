#include "twinseal/security/sealed_file.h"

#include <charconv>
#include <string>

#include "twinseal/security/crypto.h"

namespace twinseal::security {

namespace {

std::string_view text(ByteView b) {
    return {reinterpret_cast<const char*>(b.data()), b.size()};
}

bool startsWith(std::string_view s, std::string_view prefix) {
    return s.substr(0, prefix.size()) == prefix;
}

} // namespace

Result<Bytes> sealFile(std::string_view kind, ByteView plain, std::string_view passphrase,
                       std::string_view label, const ScryptParams& params) {
    auto sealed = sealSecret(plain, passphrase, params, label);
    TWINSEAL_TRY(sealed);
    const std::string header = std::string(kind) + " 1\nsha256 " + toHex(sha256(*sealed)) +
                               "\nlength " + std::to_string(sealed->size()) + "\n\n";
    Bytes out(header.begin(), header.end());
    out.insert(out.end(), sealed->begin(), sealed->end());
    return out;
}

Result<SecureBytes> openSealedFile(std::string_view kind, ByteView file,
                                   std::string_view passphrase) {
    const std::string_view all = text(file);
    const std::string first = std::string(kind) + " ";
    if (!startsWith(all, first))
        return makeError(ErrorCode::NotABackup,
                         "the file does not start with a " + std::string(kind) + " header");
    const std::size_t end = all.find("\n\n");
    if (end == std::string_view::npos || end > 512)
        return makeError(ErrorCode::BackupCorrupted, "the file's header is damaged");
    const std::string_view header = all.substr(0, end + 1);
    const std::size_t line1 = header.find('\n');
    if (header.substr(first.size(), line1 - first.size()) != "1")
        return makeError(ErrorCode::UnsupportedVersion,
                         "the file is of a newer format than this program reads");
    const std::size_t line2 = header.find('\n', line1 + 1);
    const std::string_view sumLine = header.substr(line1 + 1, line2 - line1 - 1);
    const std::string_view lengthLine = header.substr(line2 + 1, header.size() - line2 - 2);
    std::uint64_t length = 0;
    const bool lengthOk =
        startsWith(lengthLine, "length ") &&
        std::from_chars(lengthLine.data() + 7, lengthLine.data() + lengthLine.size(), length).ec ==
            std::errc{} &&
        length > 0;
    if (!startsWith(sumLine, "sha256 ") || sumLine.size() != 7 + 64 || !lengthOk)
        return makeError(ErrorCode::BackupCorrupted, "the file's header is damaged");
    const ByteView body = file.subspan(end + 2);
    if (body.size() < length)
        return makeError(ErrorCode::BackupTruncated,
                         "the file is truncated: " + std::to_string(body.size()) + " of " +
                             std::to_string(length) + " bytes");
    auto expected = fromHex(sumLine.substr(7));
    if (body.size() > length || !expected.ok() ||
        !constantTimeEqual(*expected, sha256(body)))
        return makeError(ErrorCode::BackupCorrupted,
                         "the file's contents do not match its checksum: it was altered or "
                         "damaged");
    auto plain = openSealedSecret(body, passphrase);
    if (!plain.ok() && plain.code() == ErrorCode::KeyFileCorrupt)
        return makeError(ErrorCode::BackupCorrupted, plain.error().detail);
    return plain;
}

} // namespace twinseal::security
