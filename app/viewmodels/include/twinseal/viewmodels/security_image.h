// The owner's security image: a picture only the owner knows, which frames the headset's trusted
// verification layer so that nothing drawn by anyone else can pass for it. Chosen in Settings
// from the bundled set (resources/security-images, served as qrc:/twinseal/security-images/) or
// from a file of the owner's; a normalised copy (PNG, at most 256 px a side) is kept in the data
// directory as security-image.png. It is never part of anything sent to peers: not the avatar
// package, not the twin's files handed over on transfer, not a call's assertion or frames.
#pragma once

#include <QString>
#include <QStringList>
#include <QUrl>

#include <optional>

class QImage;

namespace twinseal::viewmodels {

// The file name inside the data directory.
inline constexpr const char* kSecurityImageFile = "security-image.png";

// Names of the bundled images ("ember", "harbour", ...), sorted.
[[nodiscard]] QStringList bundledSecurityImages();
// qrc:/twinseal/security-images/NAME.png
[[nodiscard]] QUrl bundledSecurityImageUrl(const QString& name);

// A failure to choose an image: reason code and a message a person can act on.
struct SecurityImageError {
    QString code;
    QString message;
};

class SecurityImageStore {
public:
    explicit SecurityImageStore(QString dataDir) : m_dataDir(std::move(dataDir)) {}

    [[nodiscard]] QString path() const;         // <data>/security-image.png
    [[nodiscard]] bool chosen() const;          // a stored image exists
    [[nodiscard]] QImage load() const;          // the stored image (null when none or unreadable)

    // Stores a bundled image / an image file (read, checked, normalised, written atomically).
    std::optional<SecurityImageError> chooseBundled(const QString& name) const;
    std::optional<SecurityImageError> chooseFile(const QString& file) const;

private:
    std::optional<SecurityImageError> store(const QImage& image) const;
    QString m_dataDir;
};

} // namespace twinseal::viewmodels
