#include "twinseal/twin/twin_store.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <twinseal/netclient/client_types.h>

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

void TwinStore::unloadCredential() noexcept {
    m_credential.reset();
    m_credentialBytes.clear();
}

Status TwinStore::storeIssued(const netclient::Registration& issued, const Bytes* signedManifest) {
    TWINSEAL_TRY(storeCredential(issued.credentialBytes));
    TWINSEAL_TRY(write(layout::kReceipt, ByteView(issued.receiptBytes)));
    if (signedManifest)
        TWINSEAL_TRY(write(layout::kManifest, ByteView(*signedManifest)));
    return storeDisclosures(issued.disclosures);
}

std::vector<TwinStore::Disclosure> TwinStore::disclosures() const {
    QFile f(path(layout::kDisclosures));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    std::vector<Disclosure> out;
    for (const auto& v : QJsonDocument::fromJson(f.readAll()).array()) {
        const QJsonObject o = v.toObject();
        out.push_back({o.value(QStringLiteral("name")).toString().toStdString(),
                       o.value(QStringLiteral("disclosure")).toString().toStdString()});
    }
    return out;
}

QByteArray TwinStore::encodeDisclosures(const std::vector<std::string>& encoded) {
    QJsonArray out;
    for (const auto& d : encoded) {
        auto decoded = AttributeDisclosure::decode(d);
        out.append(QJsonObject{{QStringLiteral("name"), decoded.ok() ? QString::fromStdString(decoded->name) : QString()},
                               {QStringLiteral("disclosure"), QString::fromStdString(d)}});
    }
    return QJsonDocument(out).toJson();
}

Status TwinStore::storeDisclosures(const std::vector<std::string>& encoded) const {
    return write(layout::kDisclosures, encodeDisclosures(encoded), true);
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
