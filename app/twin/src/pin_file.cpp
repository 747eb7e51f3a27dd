#include "twinseal/twin/pin_file.h"

#include <QFileInfo>

#include <sstream>

namespace twinseal::twin {

using namespace twinseal::security;

std::string PinFile::encode(const std::map<std::string, Digest>& pins) {
    std::string text;
    for (const auto& [id, tp] : pins)
        text += id + " " + base64UrlEncode(tp) + "\n";
    return text;
}

Result<std::map<std::string, Digest>> PinFile::decode(const std::string& text) {
    std::map<std::string, Digest> pins;
    std::istringstream lines(text);
    std::string line;
    int number = 0;
    while (std::getline(lines, line)) {
        ++number;
        if (line.empty())
            continue;
        std::istringstream fields(line);
        std::string id, tp, extra;
        fields >> id >> tp >> extra;
        auto d = base64UrlDecode(tp);
        if (id.empty() || !extra.empty() || !d.ok() || d->size() != Digest{}.size())
            return makeError(ErrorCode::MalformedInput,
                             "line " + std::to_string(number) +
                                 " is not '<avatar-id> <base64url SHA-256 thumbprint>'");
        Digest dg{};
        std::copy(d->begin(), d->end(), dg.begin());
        pins[id] = dg;
    }
    return pins;
}

Result<PinFile> PinFile::load(const QString& path) {
    PinFile f;
    f.m_path = path;
    if (path.isEmpty() || !QFileInfo::exists(path))
        return f;
    auto bytes = readFile(path.toStdString());
    TWINSEAL_TRY(bytes);
    auto pins = decode(std::string(bytes->begin(), bytes->end()));
    if (!pins.ok())
        return makeError(pins.code(), "pin file " + path.toStdString() + ": " + pins.error().detail);
    f.m_pins = std::move(*pins);
    return f;
}

std::optional<Digest> PinFile::pinned(const std::string& avatarId) const {
    auto it = m_pins.find(avatarId);
    if (it == m_pins.end())
        return std::nullopt;
    return it->second;
}

void PinFile::pin(const std::string& avatarId, const Digest& thumbprint) { m_pins[avatarId] = thumbprint; }

Status PinFile::save() const {
    if (m_path.isEmpty())
        return makeError(ErrorCode::InvalidArgument, "the pin store has no file");
    return writeFileAtomic(m_path.toStdString(), view(encode(m_pins)));
}

} // namespace twinseal::twin
