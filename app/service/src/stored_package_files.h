// The files of an avatar package as the repository stores them (chunk by chunk, by media root),
// for the glTF validator: the chunk being uploaded is read from memory, every other one from the
// store. Private to app/service.
#pragma once

#include <QByteArray>

#include <twinseal/security/gltf_validate.h>
#include <twinseal/security/manifest.h>

#include "twinseal/service/store.h"

namespace twinseal::service {

class StoredPackageFiles final : public security::GltfFiles {
  public:
    // `pending` is chunk `pendingChunk` of file `pendingFile`, not stored yet.
    StoredPackageFiles(Store& store, QByteArray mediaRoot, const security::Manifest& manifest,
                       int pendingFile, quint64 pendingChunk, QByteArray pending)
        : m_store(store), m_root(std::move(mediaRoot)), m_manifest(manifest),
          m_pendingFile(pendingFile), m_pendingChunk(pendingChunk), m_pending(std::move(pending)) {}

    [[nodiscard]] std::optional<std::uint64_t> size(const std::string& path) const override;
    [[nodiscard]] security::Status read(const std::string& path, std::uint64_t offset,
                                        std::uint8_t* out, std::size_t length) const override;

  private:
    [[nodiscard]] int indexOf(const std::string& path) const;

    Store& m_store;
    QByteArray m_root;
    const security::Manifest& m_manifest;
    int m_pendingFile;
    quint64 m_pendingChunk;
    QByteArray m_pending;
};

} // namespace twinseal::service
