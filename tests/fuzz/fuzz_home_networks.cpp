// The home-networks configuration file (app/calls/home_networks.h): loadHomeNetworks on the
// input as the file. What loads saves, and the saved file loads to the same entries.
#include <QString>

#include <twinseal/calls/home_networks.h>

#include "fuzz_temp_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace twinseal;
    const std::string file = fuzz::writeScratchFile("home-networks.json", data, size);
    auto directory = calls::loadHomeNetworks(QString::fromStdString(file));
    if (!directory.ok())
        return 0;
    for (const calls::HomeNetworkEntry& e : directory->entries())
        (void)calls::normalizeHomeNetworkUrl(e.url);
    const QString saved = QString::fromStdString((fuzz::scratchDirectory() / "saved.json").string());
    fuzz::require(calls::saveHomeNetworks(*directory, saved).ok(), "a loaded directory saves");
    auto again = calls::loadHomeNetworks(saved);
    fuzz::require(again.ok() && again->entries().size() == directory->entries().size(),
                  "a saved directory loads with the same entries");
    return 0;
}
