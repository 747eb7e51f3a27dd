// Reading avatar package files safely: opened without following a final symlink, regular files
// only, read with exact pread()s (a file that shrinks while it is read is an error).
#include <cerrno>
#include <system_error>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "media_internal.h"

namespace twinseal::security {

using namespace media_detail;

namespace {

std::string errnoText(int e) { return std::generic_category().message(e); }

} // namespace

namespace media_detail {

Status readAt(int fd, std::uint8_t* buffer, std::size_t length, std::uint64_t offset,
              const std::string& name) {
    std::size_t got = 0;
    while (got < length) {
        const ssize_t r = ::pread(fd, buffer + got, length - got, static_cast<off_t>(offset + got));
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return makeError(ErrorCode::IoError, name + ": read failed at byte " +
                                                     std::to_string(offset + got) + ": " +
                                                     errnoText(errno));
        }
        if (r == 0)
            return makeError(ErrorCode::IoError,
                             name + ": the file ended early at byte " +
                                 std::to_string(offset + got) +
                                 " (was it truncated while being read?)");
        got += static_cast<std::size_t>(r);
    }
    return {};
}

Result<OpenedFile> openRegular(const std::string& absolutePath, const std::string& name,
                               bool verifying) {
    const int fd = ::open(absolutePath.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        const int e = errno;
        if (e == ENOENT)
            return makeError(verifying ? ErrorCode::MediaMissingFile : ErrorCode::IoError,
                             name + ": no such file (" + absolutePath + ")");
        if (e == ELOOP)
            return makeError(verifying ? ErrorCode::MediaUnexpectedFile
                                       : ErrorCode::AvatarPackageInvalid,
                             name + ": is a symbolic link; an avatar package may hold only "
                                    "regular files");
        return makeError(ErrorCode::IoError,
                         name + ": cannot open " + absolutePath + ": " + errnoText(e));
    }
    OpenedFile out{FileHandle(fd), 0};
    struct stat st {};
    if (::fstat(fd, &st) != 0)
        return makeError(ErrorCode::IoError, name + ": cannot stat: " + errnoText(errno));
    if (!S_ISREG(st.st_mode))
        return makeError(verifying ? ErrorCode::MediaUnexpectedFile
                                   : ErrorCode::AvatarPackageInvalid,
                         name + ": is not a regular file (directory, device, FIFO or socket)");
    out.size = static_cast<std::uint64_t>(st.st_size);
    return out;
}

} // namespace media_detail

} // namespace twinseal::security
