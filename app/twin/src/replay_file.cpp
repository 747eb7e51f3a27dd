#include "twinseal/twin/replay_file.h"

#include <QDir>
#include <QFileInfo>
#include <QLockFile>

#include <map>
#include <memory>
#include <mutex>
#include <sstream>

namespace twinseal::twin {

using namespace twinseal::security;

namespace {

// One mutex per replay file in this process (QLockFile alone does not exclude threads of one
// process reliably: it is a per-object lock).
std::mutex& fileMutex(const QString& path) {
    static std::mutex guard;
    static std::map<QString, std::unique_ptr<std::mutex>> mutexes;
    std::lock_guard lock(guard);
    const QString key = QFileInfo(path).absoluteFilePath();
    auto& m = mutexes[key];
    if (!m)
        m = std::make_unique<std::mutex>();
    return *m;
}

constexpr int kLockTimeoutMs = 30000;

} // namespace

ReplayFile::ReplayFile(QString path) : m_path(std::move(path)) {}

std::string ReplayFile::encode(const ReplayCache& cache) {
    std::string text;
    for (const auto& [id, expiry] : cache.entries())
        text += id + " " + std::to_string(expiry) + "\n";
    return text;
}

Status ReplayFile::decode(const std::string& text, std::int64_t now, ReplayCache& into) {
    std::istringstream lines(text);
    std::string line;
    int number = 0;
    while (std::getline(lines, line)) {
        ++number;
        if (line.empty())
            continue;
        std::istringstream fields(line);
        std::string id, extra;
        long long expiry = 0;
        if (!(fields >> id >> expiry) || (fields >> extra))
            return makeError(ErrorCode::MalformedInput,
                             "line " + std::to_string(number) + " is not '<origid> <expiry>'");
        if (expiry > now)
            into.restore(id, expiry);
    }
    return {};
}

Status ReplayFile::withCache(std::int64_t now,
                             const std::function<void(ReplayCache&)>& use) const {
    if (m_path.isEmpty())
        return makeError(ErrorCode::InvalidArgument, "the replay cache has no file");
    const std::string where = m_path.toStdString();
    std::lock_guard threads(fileMutex(m_path));
    QDir().mkpath(QFileInfo(m_path).absolutePath());
    QLockFile processes(m_path + QStringLiteral(".lock"));
    processes.setStaleLockTime(kLockTimeoutMs);
    if (!processes.tryLock(kLockTimeoutMs))
        return makeError(ErrorCode::IoError,
                         "the replay cache " + where + " is held by another process (" +
                             std::to_string(static_cast<int>(processes.error())) + ")");
    ReplayCache cache;
    if (QFileInfo::exists(m_path)) {
        auto bytes = readFile(where);
        TWINSEAL_TRY(bytes);
        if (auto st = decode(std::string(bytes->begin(), bytes->end()), now, cache); !st.ok())
            return makeError(st.code(), "replay cache " + where + ": " + st.error().detail);
    }
    use(cache);
    return writeFileAtomic(where, view(encode(cache)));
}

} // namespace twinseal::twin
