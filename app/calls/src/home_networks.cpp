#include "twinseal/calls/home_networks.h"

#include <QUrl>

namespace twinseal::calls {

HomeNetworkEntry HomeNetworkEntry::fromProfile(const security::UsimProfileData& profile,
                                               const std::string& address) {
    HomeNetworkEntry e;
    e.url = address.empty() ? profile.serviceUrl : address;
    e.tlsCaPem = profile.tlsCaPem;
    e.statusListKey = profile.statusListKey;
    e.logKey = profile.logKey;
    e.operatorName = profile.operatorName;
    return e;
}

std::string normalizeHomeNetworkUrl(const std::string& url) {
    const QUrl u(QString::fromStdString(url), QUrl::StrictMode);
    if (!u.isValid() || u.scheme().compare(QLatin1String("https"), Qt::CaseInsensitive) != 0 ||
        u.host().isEmpty() || !u.userInfo().isEmpty() || u.hasQuery() || u.hasFragment())
        return {};
    const QString path = u.path() == QLatin1String("/") ? QString() : u.path();
    const int port = u.port(443);
    QString out = QStringLiteral("https://") + u.host().toLower();
    if (port != 443)
        out += QLatin1Char(':') + QString::number(port);
    return (out + path).toStdString();
}

void HomeNetworkDirectory::add(HomeNetworkEntry entry) {
    const std::string key = normalizeHomeNetworkUrl(entry.url);
    for (auto& e : m_entries) {
        if (normalizeHomeNetworkUrl(e.url) == key) {
            e = std::move(entry);
            return;
        }
    }
    m_entries.push_back(std::move(entry));
}

const HomeNetworkEntry* HomeNetworkDirectory::find(const std::string& url) const {
    const std::string key = normalizeHomeNetworkUrl(url);
    if (key.empty())
        return nullptr;
    for (const auto& e : m_entries)
        if (normalizeHomeNetworkUrl(e.url) == key)
            return &e;
    return nullptr;
}

} // namespace twinseal::calls
