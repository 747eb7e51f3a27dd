// `twinsealctl enterprise init|issue`: a development enterprise (a hospital) with its own root,
// separate from any operator, that issues role credentials ("surgeon, St. Mary's") for holder
// keys. Its keys are encrypted at rest like every other key of twinsealctl.
#include "enterprise_command.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>

#include <twinseal/security/credential.h>
#include <twinseal/security/role_credential.h>
#include <twinseal/security/signed.h>

#include "cli.h"
#include "commands.h"

namespace twinseal::ctl {

using namespace twinseal::security;

namespace {

constexpr std::int64_t kDay = 86400;

QString in(const QString& dir, const char* file) { return QDir(dir).filePath(file); }

std::optional<int> daysOption(const QCommandLineParser& p, int max, int& days) {
    bool ok = false;
    days = p.value("days").toInt(&ok);
    if (!ok || days < 1 || days > max)
        return usage(p, QString("--days takes a number of days (1-%1)").arg(max));
    return std::nullopt;
}

// A PEM "PUBLIC KEY" (SubjectPublicKeyInfo).
Result<PublicKey> publicKeyFromPem(const std::string& text, const std::string& what) {
    const std::string begin = "-----BEGIN PUBLIC KEY-----";
    const std::string end = "-----END PUBLIC KEY-----";
    const auto b = text.find(begin);
    const auto e = text.find(end);
    if (b == std::string::npos || e == std::string::npos || e < b)
        return makeError(ErrorCode::MalformedInput,
                         what + " is not a DT credential, a key file, a JWK or a PEM public key");
    const QByteArray der = QByteArray::fromBase64(
        QByteArray::fromStdString(text.substr(b + begin.size(), e - b - begin.size())));
    if (der.isEmpty())
        return makeError(ErrorCode::MalformedInput, what + " has a bad PEM body");
    return PublicKey::fromSpki(ByteView(reinterpret_cast<const std::uint8_t*>(der.constData()),
                                        static_cast<std::size_t>(der.size())));
}

// The holder key a role credential is issued for: from the holder's DT credential, the holder's
// (encrypted) key file, or the holder's public key as a JWK or PEM.
Result<PublicKey> readHolderKey(const QString& file) {
    auto bytes = readBinary(file);
    TWINSEAL_TRY(bytes);
    const std::string what = file.toStdString();
    // An encrypted key file first: its framing would also pass for a signed envelope's.
    if (auto key = SigningKey::peekPublicKey(*bytes); key.ok())
        return *key;
    if (auto type = envelopeType(*bytes); type.ok()) {
        if (*type != kCredentialType)
            return makeError(ErrorCode::WrongObjectType,
                             what + " is a " + *type + ", not the holder's DT credential");
        auto credential = parseCredential(*bytes);
        TWINSEAL_TRY(credential);
        return credential->claims.holderKey;
    }
    const std::string text(bytes->begin(), bytes->end());
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first != std::string::npos && text[first] == '{')
        return PublicKey::fromJwk(text);
    return publicKeyFromPem(text, what);
}

Result<std::string> enterpriseName(const QString& dir) {
    auto text = readText(in(dir, EnterpriseFiles::kInfo));
    TWINSEAL_TRY(text);
    const auto doc = QJsonDocument::fromJson(QByteArray::fromStdString(*text));
    const QString name = doc.object().value("name").toString();
    if (name.isEmpty())
        return makeError(ErrorCode::MalformedInput,
                         in(dir, EnterpriseFiles::kInfo).toStdString() + " names no enterprise");
    return name.toStdString();
}

Status initEnterprise(const QString& dir, const std::string& name, KeyAlgorithm alg, int days,
                      const std::string& passphrase, std::int64_t now) {
    auto authority = createIssuingAuthority(
        dir, EnterpriseFiles::kIssuerKey, "an enterprise",
        {name + " Enterprise Root CA", name + " Role Issuer", name}, alg, days, now);
    TWINSEAL_TRY(authority);
    const IssuingAuthority& a = *authority;
    TWINSEAL_TRY(a.rootKey.saveEncrypted(in(dir, EnterpriseFiles::kRootKey).toStdString(),
                                        passphrase, {}, "enterprise root"));
    TWINSEAL_TRY(a.issuerKey.saveEncrypted(in(dir, EnterpriseFiles::kIssuerKey).toStdString(),
                                          passphrase, {}, "enterprise role issuer"));
    TWINSEAL_TRY(writeBinary(in(dir, EnterpriseFiles::kRootCert), view(a.root.pem())));
    TWINSEAL_TRY(writeBinary(in(dir, EnterpriseFiles::kIssuerCert), view(a.issuerCert.pem())));
    const QJsonObject info{{"name", QString::fromStdString(name)}};
    TWINSEAL_TRY(writeBinary(in(dir, EnterpriseFiles::kInfo),
                             view(QJsonDocument(info).toJson().toStdString())));
    return {};
}

struct IssueRole {
    QString dir;
    std::string role;
    std::string organisation; // empty: the enterprise's name
    PublicKey holder;
    int days = 365;
    std::int64_t now = 0;
    QString out;
};

Result<RoleCredential> issueRole(const IssueRole& r, const std::string& passphrase) {
    auto name = enterpriseName(r.dir);
    TWINSEAL_TRY(name);
    auto issuerPem = readText(in(r.dir, EnterpriseFiles::kIssuerCert));
    TWINSEAL_TRY(issuerPem);
    auto issuerCert = Certificate::fromPem(*issuerPem);
    TWINSEAL_TRY(issuerCert);
    auto issuerKey = SigningKey::loadEncryptedAndUpgrade(
        in(r.dir, EnterpriseFiles::kIssuerKey).toStdString(), passphrase);
    TWINSEAL_TRY(issuerKey);
    RoleClaims c;
    c.enterprise = *name;
    c.role = r.role;
    c.organisation = r.organisation.empty() ? *name : r.organisation;
    c.holderThumbprint = r.holder.thumbprint();
    c.notBefore = r.now - 300;
    c.notAfter = std::min<std::int64_t>(r.now + std::int64_t(r.days) * kDay,
                                        issuerCert->notAfter());
    c.issuedAt = r.now;
    auto rc = issueRoleCredential(c, *issuerKey, {*issuerCert}, SystemRandom::instance());
    TWINSEAL_TRY(rc);
    TWINSEAL_TRY(writeBinary(r.out, rc->encoded));
    return rc;
}

} // namespace

int cmdEnterpriseInit(const QStringList& args) {
    QCommandLineParser p;
    p.addOptions({{"dir", "Create the enterprise in <dir>.", "dir"},
                  {"name", "The enterprise's name, e.g. \"St. Mary's\".", "name"},
                  {"alg", "Ed25519 (default) or P-256.", "alg", "Ed25519"},
                  {"days", "Validity of the role-issuing certificate in days.", "days", "730"}});
    addPassphraseOption(p);
    if (auto rc = parseCommand(
            p, args,
            "Create a development enterprise (e.g. a hospital) that vouches for roles: its root "
            "CA (root.pem, what verifiers trust for its roles, separately from operator roots) and "
            "a role-issuing key and certificate; keys encrypted at rest. Exit 0 on success, 1 "
            "usage, 10+reason on failure (twinsealctl exit-codes)."))
        return *rc;
    if (auto rc = require(p, {"dir", "name"}))
        return *rc;
    auto alg = keyAlgorithmFromName(p.value("alg").toStdString());
    if (!alg.ok())
        return fail(alg.error());
    int days = 0;
    if (auto rc = daysOption(p, 3650, days))
        return *rc;
    auto pass = readPassphrase(p, "New passphrase for the enterprise keys", true);
    if (!pass.ok())
        return fail(pass.error());
    auto st = initEnterprise(p.value("dir"), p.value("name").toStdString(), *alg, days, *pass,
                             SystemClock::instance().now());
    forget(*pass);
    if (!st.ok())
        return fail(st.error());
    out("enterprise: " + p.value("dir").toStdString());
    out("root for verifiers (--enterprise-root): " +
        in(p.value("dir"), EnterpriseFiles::kRootCert).toStdString());
    return kExitOk;
}

int cmdEnterpriseIssue(const QStringList& args) {
    QCommandLineParser p;
    p.addOptions(
        {{"dir", "The enterprise (from `enterprise init`).", "dir"},
         {"role", "The role it vouches for, e.g. surgeon.", "role"},
         {"organisation", "The organisation named with the role (default: the enterprise's name).",
          "name"},
         {"holder",
          "Whom it is for: the holder's DT credential, key file, or public key (JWK or PEM).",
          "file"},
         {"days", "Validity in days (at most the issuing certificate's).", "days", "365"},
         {"out", "Write the role credential to <file> (e.g. role.tsrc).", "file"}});
    addPassphraseOption(p);
    if (auto rc = parseCommand(
            p, args,
            "Issue a role credential: the enterprise attests a role for one holder key. The holder "
            "presents it with `assertion verify --role-credential`. Exit 0 on success, 1 usage, "
            "10+reason on failure (twinsealctl exit-codes)."))
        return *rc;
    if (auto rc = require(p, {"dir", "role", "holder", "out"}))
        return *rc;
    IssueRole r;
    r.dir = p.value("dir");
    r.role = p.value("role").toStdString();
    r.organisation = p.value("organisation").toStdString();
    r.now = SystemClock::instance().now();
    r.out = p.value("out");
    if (auto rc = daysOption(p, 3650, r.days))
        return *rc;
    auto holder = readHolderKey(p.value("holder"));
    if (!holder.ok())
        return fail(holder.error());
    r.holder = std::move(*holder);
    auto pass = readPassphrase(p, "Enterprise passphrase", false);
    if (!pass.ok())
        return fail(pass.error());
    auto rc = issueRole(r, *pass);
    forget(*pass);
    if (!rc.ok())
        return fail(rc.error());
    out("role credential: " + r.out.toStdString());
    out("role: " + rc->label());
    out("enterprise: " + rc->claims.enterprise);
    out("holder thumbprint: " + base64UrlEncode(rc->claims.holderThumbprint));
    out("serial: " + toHex(rc->claims.serial));
    out("valid until: " + std::to_string(rc->claims.notAfter));
    return kExitOk;
}

} // namespace twinseal::ctl
