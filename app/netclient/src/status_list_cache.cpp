#include "status_list_cache.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

#include <utility>

namespace twinseal::netclient::detail {

namespace sec = twinseal::security;

namespace {

constexpr qint64 kMaxCacheFileBytes = qint64{4} * 1024 * 1024;

ClientError refused(const char* code, const std::string& detail) {
    return clientError(code, "The revocation status list the home network sent now is not "
                             "acceptable (" +
                                 detail +
                                 "). The list seen before is kept; do not rely on a newer "
                                 "answer until the operator fixes this.");
}

} // namespace

StatusListCache::StatusListCache(QString path, sec::PublicKey issuerKey)
    : m_path(std::move(path)), m_issuerKey(std::move(issuerKey)) {
    if (m_path.isEmpty())
        return;
    QFile f(m_path);
    if (!f.open(QIODevice::ReadOnly) || f.size() > kMaxCacheFileBytes)
        return;
    const QByteArray bytes = f.readAll();
    // Verified again: the file is not trusted more than the network. Expiry is checked on use.
    auto list = sec::parseSignedStatusListAnyTime(
        sec::ByteView(reinterpret_cast<const std::uint8_t*>(bytes.constData()),
                      static_cast<std::size_t>(bytes.size())),
        m_issuerKey);
    if (list.ok())
        m_list = std::move(list).value();
}

std::optional<sec::StatusList> StatusListCache::usable(std::int64_t now) const {
    if (m_stale || !m_list || m_list->refreshDue(now) || !m_list->checkFresh(now).ok())
        return std::nullopt;
    return m_list;
}

ClientResult<sec::StatusList> StatusListCache::update(sec::StatusList fetched) {
    if (m_list) {
        sec::StatusListRevocationChecker checker(*m_list);
        if (auto st = checker.update(fetched); !st.ok())
            return refused(st.code() == sec::ErrorCode::StatusListRollback
                               ? reason::kStatusListRollback
                               : reason::kStatusListMismatch,
                           st.error().detail);
    }
    if (!m_path.isEmpty()) {
        QDir().mkpath(QFileInfo(m_path).absolutePath());
        QSaveFile out(m_path);
        const auto& bytes = fetched.encoded();
        if (!out.open(QIODevice::WriteOnly) ||
            out.write(reinterpret_cast<const char*>(bytes.data()),
                      static_cast<qint64>(bytes.size())) != static_cast<qint64>(bytes.size()) ||
            !out.commit())
            return clientError(reason::kIoError,
                               "The verified revocation status list cannot be saved to " +
                                   m_path.toStdString() + ": " + out.errorString().toStdString() +
                                   ". Check the data folder's permissions and free space.");
    }
    m_list = fetched;
    m_stale = false;
    return fetched;
}

} // namespace twinseal::netclient::detail
