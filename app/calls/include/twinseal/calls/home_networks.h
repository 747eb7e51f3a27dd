// The home networks this device may fetch a peer's evidence from: each one's address, the CA
// its TLS certificate chains to, and the keys its status list and transparency log are signed
// with. The own home network comes from the USIM profile (fromProfile); a foreign operator's
// from the configuration that names it next to its root in the trust list.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <QString>

#include <twinseal/security/keys.h>
#include <twinseal/security/result.h>
#include <twinseal/security/subscriber.h>

namespace twinseal::calls {

struct HomeNetworkEntry {
    std::string url;                   // "https://host:port", as Evidence.home_network_url names it
    std::string tlsCaPem;              // the only CA its TLS certificate may chain to
    security::PublicKey statusListKey; // verifies its signed status list
    security::PublicKey logKey;        // verifies its signed tree heads and inclusion proofs
    std::string operatorName;

    [[nodiscard]] static HomeNetworkEntry fromProfile(const security::UsimProfileData& profile,
                                                      const std::string& address = {});
};

// "https://Host:443/" and "https://host" name the same home network: scheme and host lower
// case, the default port dropped, no trailing slash. Empty when `url` is not an https URL.
[[nodiscard]] std::string normalizeHomeNetworkUrl(const std::string& url);

class HomeNetworkDirectory {
public:
    void add(HomeNetworkEntry entry);
    // The entry for a peer's home network, or null when this device does not know it.
    [[nodiscard]] const HomeNetworkEntry* find(const std::string& url) const;
    [[nodiscard]] const std::vector<HomeNetworkEntry>& entries() const noexcept { return m_entries; }

private:
    std::vector<HomeNetworkEntry> m_entries;
};

// The configuration file of the home networks this device knows (JSON):
//   {"version": 1, "home_networks": [{"url": "https://...", "operator": "...",
//     "tls_ca_pem": "-----BEGIN CERTIFICATE-----...", "status_list_key": {JWK}, "log_key": {JWK}}]}
// MalformedInput naming the entry and the field that is wrong; IoError when it cannot be read.
[[nodiscard]] security::Result<HomeNetworkDirectory> loadHomeNetworks(const QString& file);
[[nodiscard]] security::Status saveHomeNetworks(const HomeNetworkDirectory& directory, const QString& file);

} // namespace twinseal::calls
