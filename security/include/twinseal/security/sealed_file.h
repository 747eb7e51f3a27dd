// A sealed file of any size (a backup): a plain header naming its kind, the length and the
// SHA-256 of the sealed body, then the body sealed under a passphrase (sealSecret: scrypt,
// AES-256-GCM). The header lets a reader tell a truncated or damaged copy from a wrong
// passphrase before the passphrase is tried:
//
//   <kind> 1\n  sha256 <64 hex digits>\n  length <bytes>\n  \n  <sealed body>
#pragma once

#include <string_view>

#include "twinseal/security/bytes.h"
#include "twinseal/security/keys.h"
#include "twinseal/security/result.h"

namespace twinseal::security {

// `kind`: e.g. "TWINSEAL-TWIN-BACKUP" (letters, digits and '-'); `label` goes into the seal.
[[nodiscard]] Result<Bytes> sealFile(std::string_view kind, ByteView plain,
                                     std::string_view passphrase, std::string_view label = {},
                                     const ScryptParams& params = {});

// The body, opened. NotABackup: no header of this kind; BackupTruncated: fewer bytes than the
// header says; BackupCorrupted: a damaged header, extra bytes, or a body that does not match
// its checksum; WrongPassphrase: the passphrase does not open it (or the body was altered and
// its checksum redone); UnsupportedVersion.
[[nodiscard]] Result<SecureBytes> openSealedFile(std::string_view kind, ByteView file,
                                                 std::string_view passphrase);

} // namespace twinseal::security
