#include "twinseal/viewmodels/security_image.h"

#include <QBuffer>
#include <QDir>
#include <QFileInfo>
#include <QImage>
#include <QImageReader>
#include <QObject>

#include <twinseal/security/bytes.h>

namespace twinseal::viewmodels {

namespace {

constexpr int kMaxSide = 256;                  // stored size limit (pixels a side)
constexpr int kMaxInputSide = 8192;            // larger pictures are refused, not decoded
constexpr qint64 kMaxInputBytes = 20 << 20;    // 20 MiB

QString bundledPath(const QString& name) {
    return QStringLiteral(":/twinseal/security-images/%1.png").arg(name);
}

} // namespace

QStringList bundledSecurityImages() {
    QStringList names;
    const QDir dir(QStringLiteral(":/twinseal/security-images"));
    for (const QString& file : dir.entryList({QStringLiteral("*.png")}, QDir::Files, QDir::Name))
        names << QFileInfo(file).completeBaseName();
    return names;
}

QUrl bundledSecurityImageUrl(const QString& name) {
    return QUrl(QStringLiteral("qrc") + bundledPath(name));
}

QString SecurityImageStore::path() const {
    return QDir(m_dataDir).filePath(QString::fromLatin1(kSecurityImageFile));
}

bool SecurityImageStore::chosen() const { return QFileInfo::exists(path()); }

QImage SecurityImageStore::load() const {
    QImageReader reader(path(), "png");
    return reader.read();
}

std::optional<SecurityImageError> SecurityImageStore::chooseBundled(const QString& name) const {
    if (!bundledSecurityImages().contains(name))
        return SecurityImageError{QStringLiteral("security-image-unknown"),
                                  QObject::tr("There is no bundled security image called \"%1\". "
                                              "Pick one of the pictures shown, or a file of your own.")
                                      .arg(name)};
    return store(QImage(bundledPath(name)));
}

std::optional<SecurityImageError> SecurityImageStore::chooseFile(const QString& file) const {
    const QFileInfo info(file);
    if (!info.isFile() || !info.isReadable())
        return SecurityImageError{QStringLiteral("security-image-unreadable"),
                                  QObject::tr("%1 cannot be read. Choose a picture file you can open.").arg(file)};
    if (info.size() > kMaxInputBytes)
        return SecurityImageError{QStringLiteral("security-image-too-large"),
                                  QObject::tr("%1 is larger than 20 MB. Choose a smaller picture.").arg(file)};
    QImageReader reader(file);
    const QSize size = reader.size();
    if (size.isValid() && (size.width() > kMaxInputSide || size.height() > kMaxInputSide))
        return SecurityImageError{QStringLiteral("security-image-too-large"),
                                  QObject::tr("%1 is %2 × %3 pixels; choose a picture at most %4 pixels a side.")
                                      .arg(file).arg(size.width()).arg(size.height()).arg(kMaxInputSide)};
    const QImage image = reader.read();
    if (image.isNull())
        return SecurityImageError{QStringLiteral("security-image-unreadable"),
                                  QObject::tr("%1 is not a picture TwinSeal can read (%2). Choose a PNG or "
                                              "JPEG file.")
                                      .arg(file, reader.errorString())};
    return store(image);
}

std::optional<SecurityImageError> SecurityImageStore::store(const QImage& image) const {
    if (image.isNull() || image.width() < 16 || image.height() < 16)
        return SecurityImageError{QStringLiteral("security-image-too-small"),
                                  QObject::tr("The picture is too small to recognise; choose one at least "
                                              "16 pixels a side.")};
    QImage normal = image.convertToFormat(QImage::Format_RGB32);
    if (normal.width() > kMaxSide || normal.height() > kMaxSide)
        normal = normal.scaled(kMaxSide, kMaxSide, Qt::KeepAspectRatio, Qt::SmoothTransformation);
    QByteArray png;
    QBuffer buffer(&png);
    buffer.open(QIODevice::WriteOnly);
    if (!normal.save(&buffer, "PNG"))
        return SecurityImageError{QStringLiteral("io-error"), QObject::tr("The picture could not be encoded.")};
    QDir().mkpath(m_dataDir);
    const auto st = security::writeFileAtomic(
        path().toStdString(),
        security::ByteView(reinterpret_cast<const std::uint8_t*>(png.constData()), static_cast<std::size_t>(png.size())));
    if (!st.ok())
        return SecurityImageError{QStringLiteral("io-error"),
                                  QObject::tr("%1 cannot be written (%2).")
                                      .arg(path(), QString::fromStdString(st.error().detail))};
    return std::nullopt;
}

} // namespace twinseal::viewmodels
