#include "chunk_device.h"

#include <algorithm>
#include <cstring>

namespace twinseal::service::http {

bool ChunkDevice::prime(ServiceError* error) {
    if (m_file.chunks == 0)
        return open(QIODevice::ReadOnly);
    auto first = m_avatars.readChunk(m_file, 0);
    if (!first.ok()) {
        *error = first.error();
        return false;
    }
    m_chunkSize = static_cast<quint64>(first->size());
    m_loaded = 0;
    m_data = std::move(first).value();
    return m_chunkSize > 0 && open(QIODevice::ReadOnly);
}

qint64 ChunkDevice::readData(char* out, qint64 max) {
    const quint64 at = static_cast<quint64>(pos());
    if (at >= m_file.size || max <= 0)
        return at >= m_file.size ? -1 : 0;
    const quint64 index = at / m_chunkSize;
    if (index != m_loaded) {
        auto c = m_avatars.readChunk(m_file, index);
        if (!c.ok())
            return -1;
        m_data = std::move(c).value();
        m_loaded = index;
    }
    const quint64 offset = at - index * m_chunkSize;
    const qint64 n = std::min<qint64>(max, m_data.size() - static_cast<qint64>(offset));
    if (n <= 0)
        return -1;
    std::memcpy(out, m_data.constData() + offset, static_cast<std::size_t>(n));
    return n;
}

} // namespace twinseal::service::http
