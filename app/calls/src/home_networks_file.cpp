// loadHomeNetworks / saveHomeNetworks: the home networks a device knows, as a JSON file.
#include "twinseal/calls/home_networks.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSslCertificate>

#include <twinseal/security/bytes.h>

namespace twinseal::calls {

using namespace twinseal::security;

namespace {

constexpr int kVersion = 1;

Error bad(const QString& file, int index, const std::string& what) {
    return makeError(ErrorCode::MalformedInput, file.toStdString() + ": home network " + std::to_string(index + 1) +
                                                    ": " + what);
}

Result<PublicKey> keyOf(const QJsonValue& v) {
    if (!v.isObject())
        return makeError(ErrorCode::MalformedInput, "not a JWK object");
    return PublicKey::fromJwk(QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact).toStdString());
}

} // namespace

Result<HomeNetworkDirectory> loadHomeNetworks(const QString& file) {
    auto bytes = readFile(file.toStdString());
    TWINSEAL_TRY(bytes);
    QJsonParseError parseError{};
    const QJsonDocument doc = QJsonDocument::fromJson(
        QByteArray(reinterpret_cast<const char*>(bytes->data()), static_cast<qsizetype>(bytes->size())), &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isObject())
        return makeError(ErrorCode::MalformedInput, file.toStdString() + " is not a JSON object");
    const QJsonObject root = doc.object();
    if (root.value(QStringLiteral("version")).toInt() != kVersion)
        return makeError(ErrorCode::UnsupportedVersion,
                         file.toStdString() + ": only version " + std::to_string(kVersion) + " is understood");
    HomeNetworkDirectory out;
    const QJsonArray list = root.value(QStringLiteral("home_networks")).toArray();
    for (int i = 0; i < list.size(); ++i) {
        const QJsonObject o = list.at(i).toObject();
        HomeNetworkEntry e;
        e.url = o.value(QStringLiteral("url")).toString().toStdString();
        if (normalizeHomeNetworkUrl(e.url).empty())
            return bad(file, i, "\"url\" must be an https:// address (got '" + e.url + "')");
        e.operatorName = o.value(QStringLiteral("operator")).toString().toStdString();
        e.tlsCaPem = o.value(QStringLiteral("tls_ca_pem")).toString().toStdString();
        if (QSslCertificate::fromData(QByteArray::fromStdString(e.tlsCaPem), QSsl::Pem).isEmpty())
            return bad(file, i, "\"tls_ca_pem\" holds no PEM certificate (the CA of its TLS certificate)");
        auto statusKey = keyOf(o.value(QStringLiteral("status_list_key")));
        if (!statusKey.ok())
            return bad(file, i, "\"status_list_key\" is not a public key (JWK): " + statusKey.error().detail);
        auto logKey = keyOf(o.value(QStringLiteral("log_key")));
        if (!logKey.ok())
            return bad(file, i, "\"log_key\" is not a public key (JWK): " + logKey.error().detail);
        e.statusListKey = std::move(*statusKey);
        e.logKey = std::move(*logKey);
        out.add(std::move(e));
    }
    return out;
}

Status saveHomeNetworks(const HomeNetworkDirectory& directory, const QString& file) {
    QJsonArray list;
    for (const auto& e : directory.entries()) {
        list.append(QJsonObject{
            {QStringLiteral("url"), QString::fromStdString(e.url)},
            {QStringLiteral("operator"), QString::fromStdString(e.operatorName)},
            {QStringLiteral("tls_ca_pem"), QString::fromStdString(e.tlsCaPem)},
            {QStringLiteral("status_list_key"),
             QJsonDocument::fromJson(QByteArray::fromStdString(e.statusListKey.jwk())).object()},
            {QStringLiteral("log_key"), QJsonDocument::fromJson(QByteArray::fromStdString(e.logKey.jwk())).object()},
        });
    }
    const QByteArray json =
        QJsonDocument(QJsonObject{{QStringLiteral("version"), kVersion}, {QStringLiteral("home_networks"), list}})
            .toJson();
    return writeFileAtomic(file.toStdString(),
                           ByteView(reinterpret_cast<const std::uint8_t*>(json.constData()),
                                    static_cast<std::size_t>(json.size())),
                           false);
}

} // namespace twinseal::calls
