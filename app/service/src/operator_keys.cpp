#include "twinseal/service/operator_keys.h"

#include "service_util.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>


#include <twinseal/security/crypto.h>
#include <twinseal/security/suci.h>

namespace twinseal::service {

using namespace twinseal::security;

namespace {

// The inner files are encrypted under a 256-bit random master secret, so a cheap scrypt is
// enough for them; the passphrase itself only ever meets the full-cost scrypt of master.sealed.
const ScryptParams kInnerScrypt{1u << 10, 8, 1};
constexpr std::size_t kAeadNonce = 12;

QString keysDir(const QString& dataDir) { return QDir(dataDir).filePath(QStringLiteral("keys")); }
std::string keyPath(const QString& dataDir, const char* name) {
    return QDir(keysDir(dataDir)).filePath(QString::fromLatin1(name)).toStdString();
}

// base64url of the master secret, used as the inner files' passphrase; cleansed on scope exit.
struct InnerPassphrase {
    std::string text;
    explicit InnerPassphrase(const SecureBytes& master) : text(base64UrlEncode(master)) {}
    ~InnerPassphrase() { cleanse(text.data(), text.size()); }
};

Result<std::string> readText(const std::string& path) {
    auto b = readFile(path);
    TWINSEAL_TRY(b);
    return toString(*b);
}

} // namespace

struct OperatorKeys::Impl {
    QString operatorName;
    SigningKey rootKeyUnused; // the root key stays on disk; loaded only to issue certificates
    SigningKey issuerKey;
    Certificate issuerCert;
    Certificate rootCert;
    SigningKey logKey;
    SigningKey tlsKey;
    Certificate tlsCert;
    Certificate tlsCaCert;
    SecureBytes suciPrivate;
    Bytes suciPublic;
    std::uint8_t hnKeyId = 1;
    SecureBytes storageKey;
    SecureBytes bindingKey;
};

OperatorKeys::OperatorKeys() : m(std::make_unique<Impl>()) {}
OperatorKeys::OperatorKeys(OperatorKeys&&) noexcept = default;
OperatorKeys& OperatorKeys::operator=(OperatorKeys&&) noexcept = default;
OperatorKeys::~OperatorKeys() = default;

bool OperatorKeys::exists(const QString& dataDir) {
    return QFileInfo::exists(QString::fromStdString(keyPath(dataDir, "master.sealed")));
}

Result<OperatorKeys> OperatorKeys::create(const QString& dataDir, const std::string& passphrase,
                                          const OperatorInitOptions& o, std::int64_t now) {
    if (passphrase.size() < 8)
        return makeError(ErrorCode::InvalidArgument,
                         "the service passphrase must be at least 8 characters");
    if (exists(dataDir))
        return makeError(ErrorCode::InvalidArgument,
                         dataDir.toStdString() + " already holds operator keys; refusing to "
                                                 "replace them");
    if (!QDir().mkpath(keysDir(dataDir)))
        return makeError(ErrorCode::IoError, "cannot create " + keysDir(dataDir).toStdString());
    QFile::setPermissions(keysDir(dataDir), QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                                QFileDevice::ExeOwner);
    auto& rng = SystemRandom::instance();
    const std::string name = o.operatorName.toStdString();
    const std::int64_t until = now + std::int64_t(o.validityDays) * util::kDay;

    auto masterBytes = rng.bytes(32);
    TWINSEAL_TRY(masterBytes);
    SecureBytes master(masterBytes->begin(), masterBytes->end());
    cleanse(masterBytes->data(), masterBytes->size());
    InnerPassphrase inner(master);

    auto rootKey = SigningKey::generate(KeyAlgorithm::Ed25519);
    TWINSEAL_TRY(rootKey);
    auto root = createRootCertificate(*rootKey, {name + " Root CA", name, now - 300, until, true});
    TWINSEAL_TRY(root);
    auto issuerKey = SigningKey::generate(KeyAlgorithm::Ed25519);
    TWINSEAL_TRY(issuerKey);
    auto issuer = issueCertificate(*rootKey, *root, issuerKey->publicKey(),
                                   {name + " DT Issuer", name, now - 300, until, false});
    TWINSEAL_TRY(issuer);
    auto logKey = SigningKey::generate(KeyAlgorithm::Ed25519);
    TWINSEAL_TRY(logKey);
    auto tlsCaKey = SigningKey::generate(KeyAlgorithm::EcdsaP256);
    TWINSEAL_TRY(tlsCaKey);
    auto tlsCa = createRootCertificate(*tlsCaKey,
                                       {name + " Service TLS CA", name, now - 300, until, true});
    TWINSEAL_TRY(tlsCa);
    auto tlsKey = SigningKey::generate(KeyAlgorithm::EcdsaP256);
    TWINSEAL_TRY(tlsKey);
    CertificateRequest tlsReq{o.tlsHosts.isEmpty() ? std::string("localhost")
                                                   : o.tlsHosts.first().toStdString(),
                              name, now - 300, now + 825 * util::kDay, false, {}};
    for (const QString& h : o.tlsHosts) {
        const bool ip = !h.isEmpty() && h.toStdString().find_first_not_of("0123456789.:") ==
                                            std::string::npos;
        tlsReq.subjectAltNames.push_back((ip ? "IP:" : "DNS:") + h.toStdString());
    }
    auto tls = issueCertificate(*tlsCaKey, *tlsCa, tlsKey->publicKey(), tlsReq);
    TWINSEAL_TRY(tls);
    auto suci = generateSuciHomeNetworkKeyPair(rng);
    TWINSEAL_TRY(suci);
    auto storage = rng.bytes(32);
    TWINSEAL_TRY(storage);
    auto binding = rng.bytes(32);
    TWINSEAL_TRY(binding);

    auto sealedMaster = sealSecret(master, passphrase, {}, "twinseal-homenet master secret");
    TWINSEAL_TRY(sealedMaster);
    TWINSEAL_TRY(writeFileAtomic(keyPath(dataDir, "master.sealed"), *sealedMaster, true));
    auto saveKey = [&](const SigningKey& k, const char* file, const char* label) -> Status {
        auto enc = k.exportEncrypted(inner.text, kInnerScrypt, label);
        TWINSEAL_TRY(enc);
        return writeFileAtomic(keyPath(dataDir, file), *enc, true);
    };
    auto saveSecret = [&](ByteView s, const char* file, const char* label) -> Status {
        auto enc = sealSecret(s, inner.text, kInnerScrypt, label);
        TWINSEAL_TRY(enc);
        return writeFileAtomic(keyPath(dataDir, file), *enc, true);
    };
    TWINSEAL_TRY(saveKey(*rootKey, "root.key", "operator root"));
    TWINSEAL_TRY(saveKey(*issuerKey, "issuer.key", "DT issuer"));
    TWINSEAL_TRY(saveKey(*logKey, "log.key", "transparency log"));
    TWINSEAL_TRY(saveKey(*tlsCaKey, "tls-ca.key", "service TLS CA"));
    TWINSEAL_TRY(saveKey(*tlsKey, "tls.key", "service TLS"));
    TWINSEAL_TRY(saveSecret(suci->privateKey, "suci.sealed", "SUCI home network key"));
    TWINSEAL_TRY(saveSecret(*storage, "storage.sealed", "storage key"));
    TWINSEAL_TRY(saveSecret(*binding, "binding.sealed", "subscriber binding key"));
    cleanse(storage->data(), storage->size());
    cleanse(binding->data(), binding->size());
    TWINSEAL_TRY(writeFileAtomic(keyPath(dataDir, "root.pem"), view(root->pem())));
    TWINSEAL_TRY(writeFileAtomic(keyPath(dataDir, "issuer.pem"), view(issuer->pem())));
    TWINSEAL_TRY(writeFileAtomic(keyPath(dataDir, "tls-ca.pem"), view(tlsCa->pem())));
    TWINSEAL_TRY(writeFileAtomic(keyPath(dataDir, "tls.pem"), view(tls->pem())));
    const std::string ident = "operator=" + name + "\nhn-key-id=" + std::to_string(o.hnKeyId) + "\n";
    TWINSEAL_TRY(writeFileAtomic(keyPath(dataDir, "operator.txt"), view(ident)));
    return loadWith(dataDir, master);
}

Result<OperatorKeys> OperatorKeys::load(const QString& dataDir, const std::string& passphrase) {
    if (!exists(dataDir))
        return makeError(ErrorCode::IoError,
                         "no operator keys in " + dataDir.toStdString() +
                             ": run `twinseal-homenet init --data-dir " + dataDir.toStdString() +
                             "` first");
    auto sealedMaster = readFile(keyPath(dataDir, "master.sealed"));
    TWINSEAL_TRY(sealedMaster);
    auto master = openSealedSecret(*sealedMaster, passphrase);
    if (!master.ok())
        return master.error();
    return loadWith(dataDir, *master);
}

Result<OperatorKeys> OperatorKeys::loadWith(const QString& dataDir, const SecureBytes& master) {
    InnerPassphrase inner(master);

    OperatorKeys k;
    auto loadKey = [&](const char* file, SigningKey& out) -> Status {
        auto key = SigningKey::loadEncrypted(keyPath(dataDir, file), inner.text);
        TWINSEAL_TRY(key);
        out = std::move(key).value();
        return {};
    };
    auto loadSecret = [&](const char* file, SecureBytes& out) -> Status {
        auto bytes = readFile(keyPath(dataDir, file));
        TWINSEAL_TRY(bytes);
        auto s = openSealedSecret(*bytes, inner.text);
        TWINSEAL_TRY(s);
        out = std::move(s).value();
        return {};
    };
    auto loadCert = [&](const char* file, Certificate& out) -> Status {
        auto pem = readText(keyPath(dataDir, file));
        TWINSEAL_TRY(pem);
        auto c = Certificate::fromPem(*pem);
        TWINSEAL_TRY(c);
        out = std::move(c).value();
        return {};
    };
    TWINSEAL_TRY(loadKey("issuer.key", k.m->issuerKey));
    TWINSEAL_TRY(loadKey("log.key", k.m->logKey));
    TWINSEAL_TRY(loadKey("tls.key", k.m->tlsKey));
    TWINSEAL_TRY(loadSecret("suci.sealed", k.m->suciPrivate));
    TWINSEAL_TRY(loadSecret("storage.sealed", k.m->storageKey));
    TWINSEAL_TRY(loadSecret("binding.sealed", k.m->bindingKey));
    TWINSEAL_TRY(loadCert("root.pem", k.m->rootCert));
    TWINSEAL_TRY(loadCert("issuer.pem", k.m->issuerCert));
    TWINSEAL_TRY(loadCert("tls.pem", k.m->tlsCert));
    TWINSEAL_TRY(loadCert("tls-ca.pem", k.m->tlsCaCert));
    auto issuerPub = k.m->issuerCert.publicKey();
    TWINSEAL_TRY(issuerPub);
    if (!(*issuerPub == k.m->issuerKey.publicKey()))
        return makeError(ErrorCode::KeyMismatch, "keys/issuer.key does not match keys/issuer.pem");
    auto suci = suciHomeNetworkKeyPairFromPrivate(k.m->suciPrivate);
    TWINSEAL_TRY(suci);
    k.m->suciPublic = suci->publicKey;
    auto ident = readText(keyPath(dataDir, "operator.txt"));
    TWINSEAL_TRY(ident);
    for (const QString& line : QString::fromStdString(*ident).split(QLatin1Char('\n'))) {
        if (line.startsWith(QLatin1String("operator=")))
            k.m->operatorName = line.mid(9);
        else if (line.startsWith(QLatin1String("hn-key-id=")))
            k.m->hnKeyId = static_cast<std::uint8_t>(line.mid(10).toUInt());
    }
    return k;
}

const QString& OperatorKeys::operatorName() const noexcept { return m->operatorName; }
const SigningKey& OperatorKeys::issuerKey() const noexcept { return m->issuerKey; }
const Certificate& OperatorKeys::issuerCertificate() const noexcept { return m->issuerCert; }
const Certificate& OperatorKeys::rootCertificate() const noexcept { return m->rootCert; }
const SigningKey& OperatorKeys::logKey() const noexcept { return m->logKey; }
const SigningKey& OperatorKeys::tlsKey() const noexcept { return m->tlsKey; }
const Certificate& OperatorKeys::tlsCertificate() const noexcept { return m->tlsCert; }
const Certificate& OperatorKeys::tlsCaCertificate() const noexcept { return m->tlsCaCert; }
const SecureBytes& OperatorKeys::suciPrivateKey() const noexcept { return m->suciPrivate; }
const Bytes& OperatorKeys::suciPublicKey() const noexcept { return m->suciPublic; }
std::uint8_t OperatorKeys::hnKeyId() const noexcept { return m->hnKeyId; }
const SecureBytes& OperatorKeys::storageKey() const noexcept { return m->storageKey; }
const SecureBytes& OperatorKeys::bindingKey() const noexcept { return m->bindingKey; }

Result<Bytes> OperatorKeys::sealField(std::string_view context, ByteView plain) const {
    auto nonce = SystemRandom::instance().bytes(kAeadNonce);
    TWINSEAL_TRY(nonce);
    auto ct = aeadSeal(Aead::Aes256Gcm, m->storageKey, *nonce, view(context), plain);
    TWINSEAL_TRY(ct);
    Bytes out = std::move(nonce).value();
    out.insert(out.end(), ct->begin(), ct->end());
    return out;
}

Result<SecureBytes> OperatorKeys::openField(std::string_view context, ByteView sealed) const {
    if (sealed.size() < kAeadNonce + 16)
        return makeError(ErrorCode::MalformedInput, "sealed field too short");
    return aeadOpen(Aead::Aes256Gcm, m->storageKey, sealed.first(kAeadNonce), view(context),
                    sealed.subspan(kAeadNonce));
}

} // namespace twinseal::service
