// The operator's key material in the service's data directory (keys/):
//   master.sealed       32 random bytes sealed with the service passphrase (scrypt, AES-256-GCM)
//   *.key / *.sealed    every other key, encrypted under that master secret
//   root.pem issuer.pem the operator root and the DT issuer certificate (Ed25519)
//   log.key             the transparency log's signing key (Ed25519)
//   suci.sealed         the home network's SUCI Profile A private key (X25519)
//   storage.sealed      AES-256-GCM key for subscriber secrets and session keys in the database
//   binding.sealed      HMAC key of the subscriber binding in credentials
//   tls-ca.pem tls.pem  a P-256 CA and the service's TLS certificate (SANs from --host)
// Private keys stay inside SigningKey / SecureBytes; nothing is written unencrypted.
#pragma once

#include <QString>
#include <QStringList>

#include <memory>
#include <string>
#include <vector>

#include <twinseal/security/keys.h>
#include <twinseal/security/x509.h>

namespace twinseal::service {

struct OperatorInitOptions {
    QString operatorName = QStringLiteral("TwinSeal Demo Operator");
    QStringList tlsHosts = {QStringLiteral("localhost"), QStringLiteral("127.0.0.1")};
    int validityDays = 3650;
    std::uint8_t hnKeyId = 1;
};

class OperatorKeys {
public:
    // Creates a new data directory's keys (refuses to overwrite existing ones) and returns them
    // as read back from the files written (the passphrase's scrypt runs once, to seal).
    [[nodiscard]] static security::Result<OperatorKeys>
    create(const QString& dataDir, const std::string& passphrase, const OperatorInitOptions& o,
           std::int64_t now);
    // Loads them: WrongPassphrase / KeyFileCorrupt / IoError name what went wrong.
    [[nodiscard]] static security::Result<OperatorKeys> load(const QString& dataDir,
                                                             const std::string& passphrase);
    [[nodiscard]] static bool exists(const QString& dataDir);

    OperatorKeys(OperatorKeys&&) noexcept;
    OperatorKeys& operator=(OperatorKeys&&) noexcept;
    ~OperatorKeys();

    [[nodiscard]] const QString& operatorName() const noexcept;
    [[nodiscard]] const security::SigningKey& issuerKey() const noexcept;
    [[nodiscard]] const security::Certificate& issuerCertificate() const noexcept;
    [[nodiscard]] const security::Certificate& rootCertificate() const noexcept;
    [[nodiscard]] const security::SigningKey& logKey() const noexcept;
    [[nodiscard]] const security::SigningKey& tlsKey() const noexcept;
    [[nodiscard]] const security::Certificate& tlsCertificate() const noexcept;
    [[nodiscard]] const security::Certificate& tlsCaCertificate() const noexcept;
    [[nodiscard]] const security::SecureBytes& suciPrivateKey() const noexcept;
    [[nodiscard]] const security::Bytes& suciPublicKey() const noexcept;
    [[nodiscard]] std::uint8_t hnKeyId() const noexcept;
    [[nodiscard]] const security::SecureBytes& storageKey() const noexcept;
    [[nodiscard]] const security::SecureBytes& bindingKey() const noexcept;

    // AES-256-GCM under the storage key; `context` is bound as associated data.
    [[nodiscard]] security::Result<security::Bytes> sealField(std::string_view context,
                                                              security::ByteView plain) const;
    [[nodiscard]] security::Result<security::SecureBytes>
    openField(std::string_view context, security::ByteView sealed) const;

private:
    OperatorKeys();
    // Reads the inner files with the opened master secret.
    [[nodiscard]] static security::Result<OperatorKeys> loadWith(const QString& dataDir,
                                                                 const security::SecureBytes& master);
    struct Impl;
    std::unique_ptr<Impl> m;
};

} // namespace twinseal::service
