#include "twinseal/twin/role_store.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <algorithm>
#include <tuple>

#include <twinseal/twin/data_layout.h>

namespace twinseal::twin {

using namespace twinseal::security;

namespace {

constexpr const char* kSuffix = ".tsrc";

bool isId(const std::string& id) {
    return id.size() == 2 * std::tuple_size_v<Digest> &&
           std::all_of(id.begin(), id.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

} // namespace

RoleCredentialStore::RoleCredentialStore(QString dataDir) : m_dataDir(std::move(dataDir)) {}

QString RoleCredentialStore::dir() const { return QDir(m_dataDir).filePath(QString::fromUtf8(layout::kRolesDir)); }

QString RoleCredentialStore::fileOf(const std::string& id) const {
    return QDir(dir()).filePath(QString::fromStdString(id) + QLatin1String(kSuffix));
}

Result<HeldRole> RoleCredentialStore::import(ByteView encoded, const Digest& holder, std::int64_t now) const {
    auto parsed = parseRoleCredential(encoded);
    TWINSEAL_TRY(parsed);
    const RoleClaims& c = parsed->claims;
    const std::string what = "the '" + c.role + "' credential from " + c.enterprise;
    if (!constantTimeEqual(c.holderThumbprint, holder))
        return makeError(ErrorCode::RoleHolderMismatch, what + " was issued for another holder key");
    if (now >= c.notAfter)
        return makeError(ErrorCode::RoleExpired, what + " expired at " + std::to_string(c.notAfter));
    HeldRole held;
    held.id = toHex(parsed->digest());
    held.credential = std::move(*parsed);
    if (!QDir().mkpath(dir()))
        return makeError(ErrorCode::IoError, "cannot create the folder " + dir().toStdString());
    TWINSEAL_TRY(writeFileAtomic(fileOf(held.id).toStdString(), ByteView(held.credential.encoded)));
    return held;
}

Result<HeldRole> RoleCredentialStore::importFile(const QString& path, const Digest& holder, std::int64_t now) const {
    const QFileInfo info(path);
    if (!info.isFile())
        return makeError(ErrorCode::IoError, "there is no file " + path.toStdString());
    if (info.size() > kMaxFileBytes)
        return makeError(ErrorCode::MalformedInput,
                         path.toStdString() + " is " + std::to_string(info.size()) +
                             " bytes, far larger than a role credential");
    auto bytes = readFile(path.toStdString());
    TWINSEAL_TRY(bytes);
    return import(ByteView(*bytes), holder, now);
}

std::vector<HeldRole> RoleCredentialStore::list() const {
    std::vector<HeldRole> out;
    const QDir d(dir());
    for (const QString& name :
         d.entryList({QStringLiteral("*") + QLatin1String(kSuffix)}, QDir::Files, QDir::Name)) {
        const std::string id = name.chopped(static_cast<qsizetype>(std::char_traits<char>::length(kSuffix))).toStdString();
        if (!isId(id))
            continue;
        QFile f(d.filePath(name));
        if (f.size() > kMaxFileBytes || !f.open(QIODevice::ReadOnly))
            continue;
        const QByteArray bytes = f.readAll();
        auto parsed = parseRoleCredential(
            ByteView(reinterpret_cast<const std::uint8_t*>(bytes.constData()), static_cast<std::size_t>(bytes.size())));
        // Named by its own digest: a file whose content changed is not the credential imported.
        if (!parsed.ok() || toHex(parsed->digest()) != id)
            continue;
        out.push_back({id, std::move(*parsed)});
    }
    std::sort(out.begin(), out.end(), [](const HeldRole& a, const HeldRole& b) {
        return std::tie(a.credential.claims.role, a.credential.claims.notAfter, a.id) <
               std::tie(b.credential.claims.role, b.credential.claims.notAfter, b.id);
    });
    return out;
}

std::vector<Bytes> RoleCredentialStore::presentable(const Digest& holder, std::int64_t now) const {
    std::vector<Bytes> out;
    for (HeldRole& r : list())
        if (r.validAt(now) && constantTimeEqual(r.credential.claims.holderThumbprint, holder))
            out.push_back(std::move(r.credential.encoded));
    return out;
}

Status RoleCredentialStore::remove(const std::string& id) const {
    const QString file = fileOf(id);
    if (!isId(id) || !QFileInfo::exists(file))
        return makeError(ErrorCode::InvalidArgument, "no role credential " + id + " is held here");
    if (!QFile::remove(file))
        return makeError(ErrorCode::IoError, "cannot remove " + file.toStdString());
    return {};
}

} // namespace twinseal::twin
