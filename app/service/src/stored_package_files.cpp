#include "stored_package_files.h"

#include <algorithm>
#include <cstring>

namespace twinseal::service {

using security::ErrorCode;
using security::makeError;

int StoredPackageFiles::indexOf(const std::string& path) const {
    for (std::size_t i = 0; i < m_manifest.files.size(); ++i)
        if (m_manifest.files[i].path == path)
            return static_cast<int>(i);
    return -1;
}

std::optional<std::uint64_t> StoredPackageFiles::size(const std::string& path) const {
    const int i = indexOf(path);
    if (i < 0)
        return std::nullopt;
    return m_manifest.files[static_cast<std::size_t>(i)].size;
}

security::Status StoredPackageFiles::read(const std::string& path, std::uint64_t offset,
                                          std::uint8_t* out, std::size_t length) const {
    const int file = indexOf(path);
    if (file < 0)
        return makeError(ErrorCode::Internal, path + ": not a file of the package");
    const std::uint64_t size = m_manifest.files[static_cast<std::size_t>(file)].size;
    if (offset > size || length > size - offset)
        return makeError(ErrorCode::Internal, path + ": read past the end of the file");
    const std::uint64_t chunkSize = m_manifest.chunkSize;
    std::size_t done = 0;
    while (done < length) {
        const std::uint64_t at = offset + done;
        const quint64 index = at / chunkSize;
        QByteArray data;
        if (file == m_pendingFile && index == m_pendingChunk) {
            data = m_pending;
        } else {
            auto stored = m_store.avatars().chunk(m_root, file, index);
            if (!stored.ok())
                return makeError(ErrorCode::IoError, path + ": the stored chunk " +
                                                         std::to_string(index) +
                                                         " cannot be read");
            if (!stored->has_value())
                return makeError(ErrorCode::GltfResourceMissing,
                                 path + ": chunk " + std::to_string(index) +
                                     " has not been uploaded");
            data = std::move(**stored);
        }
        const std::uint64_t within = at - index * chunkSize;
        if (within >= static_cast<std::uint64_t>(data.size()))
            return makeError(ErrorCode::Internal, path + ": a stored chunk is short");
        const std::size_t n = static_cast<std::size_t>(
            std::min<std::uint64_t>(length - done, static_cast<std::uint64_t>(data.size()) - within));
        std::memcpy(out + done, data.constData() + within, n);
        done += n;
    }
    return {};
}

} // namespace twinseal::service
