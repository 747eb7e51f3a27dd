#include "twinseal/twin/twin_store.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

namespace twinseal::twin {

using namespace twinseal::security;

TwinStore::TwinStore(QString dataDir) : m_dir(std::move(dataDir)) {}

QString TwinStore::path(const char* name) const { return QDir(m_dir).filePath(QString::fromUtf8(name)); }

bool TwinStore::exists(const char* name) const { return QFileInfo::exists(path(name)); }

Result<Bytes> TwinStore::read(const char* name) const { return readFile(path(name).toStdString()); }

Status TwinStore::write(const char* name, ByteView data, bool secret) const {
    if (!QDir().mkpath(m_dir))
        return makeError(ErrorCode::IoError, "cannot create the data folder " + m_dir.toStdString());
    return writeFileAtomic(path(name).toStdString(), data, secret);
}

Status TwinStore::write(const char* name, const QByteArray& data, bool secret) const {
    return write(name,
                 ByteView(reinterpret_cast<const std::uint8_t*>(data.constData()),
                          static_cast<std::size_t>(data.size())),
                 secret);
}

Status TwinStore::remove(const char* name) const {
    const QString p = path(name);
    if (QFileInfo::exists(p) && !QFile::remove(p))
        return makeError(ErrorCode::IoError, "cannot remove " + p.toStdString());
    return {};
}

Status TwinStore::loadCredential() {
    if (m_credential)
        return {};
    auto bytes = read(layout::kCredential);
    TWINSEAL_TRY(bytes);
    auto c = parseCredential(*bytes);
    TWINSEAL_TRY(c);
    m_credential = std::move(*c);
    m_credentialBytes = std::move(*bytes);
    return {};
}

Status TwinStore::storeCredential(Bytes encoded) {
    auto c = parseCredential(encoded);
    TWINSEAL_TRY(c);
    TWINSEAL_TRY(write(layout::kCredential, ByteView(encoded)));
    m_credential = std::move(*c);
    m_credentialBytes = std::move(encoded);
    return {};
}

Status TwinStore::forgetCredential() {
    m_credential.reset();
    m_credentialBytes.clear();
    return remove(layout::kCredential);
}

std::optional<PendingJournal> TwinStore::pending() const {
    if (!hasPending())
        return std::nullopt;
    QFile f(path(layout::kPending));
    if (!f.open(QIODevice::ReadOnly))
        return PendingJournal{};
    auto j = PendingJournal::decode(f.readAll());
    return j.ok() ? *j : PendingJournal{};
}

Status TwinStore::writePending(PendingOp op, const QString& folder, std::int64_t now) const {
    PendingJournal j;
    j.op = op;
    j.generation = m_credential ? m_credential->claims.generation : 0;
    j.at = now;
    j.folder = folder;
    return write(layout::kPending, j.encode());
}

std::string TwinStore::trustedRootsPem(const std::string& profileTrustPem) const {
    std::string pem = profileTrustPem;
    const QDir dir(trustDir());
    for (const QString& name : dir.entryList({QStringLiteral("*.pem")}, QDir::Files, QDir::Name)) {
        auto bytes = readFile(dir.filePath(name).toStdString());
        if (bytes.ok()) {
            if (!pem.empty() && pem.back() != '\n')
                pem += '\n';
            pem.append(bytes->begin(), bytes->end());
        }
    }
    return pem;
}

Result<TrustList> TwinStore::trustList(const std::string& profileTrustPem) const {
    return TrustList::fromPem(trustedRootsPem(profileTrustPem));
}

} // namespace twinseal::twin
