// Reads a stored avatar file chunk by chunk from the avatar repository while the response is
// written, so a large file is never held in memory whole.
#pragma once

#include <QIODevice>

#include "twinseal/service/avatar_repository.h"

namespace twinseal::service::http {

class ChunkDevice final : public QIODevice {
  public:
    ChunkDevice(AvatarRepository& avatars, AvatarRepository::FileStream file)
        : m_avatars(avatars), m_file(std::move(file)) {}
    bool isSequential() const override { return false; }
    qint64 size() const override { return static_cast<qint64>(m_file.size); }
    // Loads the first chunk and opens the device; false (with the refusal) when it cannot.
    [[nodiscard]] bool prime(ServiceError* error);

  protected:
    qint64 readData(char* out, qint64 max) override;
    qint64 writeData(const char*, qint64) override { return -1; }

  private:
    AvatarRepository& m_avatars;
    AvatarRepository::FileStream m_file;
    quint64 m_chunkSize = 0;
    quint64 m_loaded = ~quint64{0};
    QByteArray m_data;
};

} // namespace twinseal::service::http
