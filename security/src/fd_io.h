// security/-internal: writing to a file descriptor and making a directory entry durable, shared
// by the atomic file writer (bytes.cpp) and the audit log (audit_log.cpp). Not installed.
#pragma once

#include <filesystem>

#include "twinseal/security/bytes.h"

namespace twinseal::security::detail {

// Writes all of `data` (retrying short and interrupted writes). IoError with strerror as detail.
[[nodiscard]] Status writeAll(int fd, ByteView data);
// fsync()s a directory so a file created, linked or renamed in it survives a crash (best effort).
void syncDirectory(const std::filesystem::path& dir);

} // namespace twinseal::security::detail
