// Identity pins kept in a file: Avatar-ID -> holder-key thumbprint (trust on first use, then
// pinned). One line per peer: "<avatar-id> <base64url thumbprint>". Written atomically.
#pragma once

#include <QString>

#include <map>

#include <twinseal/security/verify.h>

namespace twinseal::twin {

class PinFile final : public security::PinStore {
public:
    PinFile() = default;
    // A missing file is an empty store; a malformed line is MalformedInput naming the line.
    [[nodiscard]] static security::Result<PinFile> load(const QString& path);

    [[nodiscard]] std::optional<security::Digest> pinned(const std::string& avatarId) const override;
    void pin(const std::string& avatarId, const security::Digest& thumbprint);
    [[nodiscard]] const std::map<std::string, security::Digest>& all() const noexcept {
        return m_pins;
    }
    [[nodiscard]] const QString& path() const noexcept { return m_path; }
    // Atomic (temporary file, fsync, rename).
    [[nodiscard]] security::Status save() const;

    // The file format, for tests and tools.
    [[nodiscard]] static std::string encode(const std::map<std::string, security::Digest>& pins);
    [[nodiscard]] static security::Result<std::map<std::string, security::Digest>>
    decode(const std::string& text);

private:
    QString m_path;
    std::map<std::string, security::Digest> m_pins;
};

} // namespace twinseal::twin
