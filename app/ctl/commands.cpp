#include "commands.h"
#include "call_command.h"

#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QUuid>

#include <iostream>
#include <sstream>

#include <twinseal/security/inspect.h>

#include "cli.h"

namespace twinseal::ctl {

using namespace twinseal::security;

namespace {

constexpr std::int64_t kDay = 86400;

std::int64_t nowOr(const QCommandLineParser& p) {
    if (p.isSet("at"))
        return p.value("at").toLongLong();
    return SystemClock::instance().now();
}

QString in(const QString& dir, const char* file) { return QDir(dir).filePath(file); }

std::string newUuid() { return QUuid::createUuid().toString(QUuid::WithoutBraces).toStdString(); }

} // namespace

// ---- operations -----------------------------------------------------------------------------

Status opKeygen(const QString& out, KeyAlgorithm alg, const std::string& label,
                const std::string& passphrase, const QString& jwkOut) {
    if (QFileInfo::exists(out))
        return makeError(ErrorCode::InvalidArgument,
                         out.toStdString() + " exists already; refusing to overwrite a key");
    auto key = SigningKey::generate(alg);
    TWINSEAL_TRY(key);
    TWINSEAL_TRY(key->saveEncrypted(out.toStdString(), passphrase, {}, label));
    if (!jwkOut.isEmpty())
        TWINSEAL_TRY(writeBinary(jwkOut, view(key->publicKey().jwk())));
    return {};
}

Result<IssuingAuthority> createIssuingAuthority(const QString& dir, const char* existingKeyFile,
                                                const std::string& what, const AuthorityNames& names,
                                                KeyAlgorithm alg, int days, std::int64_t now) {
    if (!QDir().mkpath(dir))
        return makeError(ErrorCode::IoError, "cannot create " + dir.toStdString());
    if (QFileInfo::exists(in(dir, existingKeyFile)))
        return makeError(ErrorCode::InvalidArgument,
                         dir.toStdString() + " already holds " + what + "; refusing to replace it");
    auto rootKey = SigningKey::generate(alg);
    TWINSEAL_TRY(rootKey);
    auto root = createRootCertificate(*rootKey, {names.rootName, names.organisation, now - 300,
                                                 now + std::int64_t{10} * 365 * kDay, true});
    TWINSEAL_TRY(root);
    auto issuerKey = SigningKey::generate(alg);
    TWINSEAL_TRY(issuerKey);
    auto issuerCert = issueCertificate(*rootKey, *root, issuerKey->publicKey(),
                                       {names.issuerName, names.organisation, now - 300,
                                        now + std::int64_t(days) * kDay, false});
    TWINSEAL_TRY(issuerCert);
    return IssuingAuthority{std::move(*rootKey), std::move(*root), std::move(*issuerKey),
                            std::move(*issuerCert)};
}

Status opIssuerInit(const QString& dir, const std::string& name, KeyAlgorithm alg, int days,
                    const std::string& passphrase, std::int64_t now) {
    auto authority = createIssuingAuthority(dir, IssuerFiles::kIssuerKey, "an issuer",
                                            {name + " Root CA", name + " DT Issuer", name}, alg,
                                            days, now);
    TWINSEAL_TRY(authority);
    const IssuingAuthority& a = *authority;
    auto binding = SystemRandom::instance().bytes(32);
    TWINSEAL_TRY(binding);
    auto sealed = sealSecret(*binding, passphrase, {}, "subscriber binding key");
    cleanse(binding->data(), binding->size());
    TWINSEAL_TRY(sealed);
    TWINSEAL_TRY(a.rootKey.saveEncrypted(in(dir, IssuerFiles::kRootKey).toStdString(), passphrase,
                                        {}, "operator root"));
    TWINSEAL_TRY(a.issuerKey.saveEncrypted(in(dir, IssuerFiles::kIssuerKey).toStdString(),
                                          passphrase, {}, "DT issuer"));
    TWINSEAL_TRY(writeBinary(in(dir, IssuerFiles::kBindingSecret), *sealed, true));
    TWINSEAL_TRY(writeBinary(in(dir, IssuerFiles::kRootCert), view(a.root.pem())));
    TWINSEAL_TRY(writeBinary(in(dir, IssuerFiles::kIssuerCert), view(a.issuerCert.pem())));
    TWINSEAL_TRY(writeBinary(in(dir, IssuerFiles::kTrustList), view(a.root.pem())));
    return {};
}

Result<Credential> opIssueCredential(const IssueParams& p, const std::string& passphrase) {
    auto holderFile = readBinary(p.holderKeyFile);
    TWINSEAL_TRY(holderFile);
    auto holder = SigningKey::peekPublicKey(*holderFile);
    TWINSEAL_TRY(holder);
    auto manifestBytes = readBinary(p.manifestFile);
    TWINSEAL_TRY(manifestBytes);
    auto manifest = parseSignedManifest(*manifestBytes);
    TWINSEAL_TRY(manifest);
    if (!(manifest->manifest.holderKey == *holder))
        return makeError(ErrorCode::KeyMismatch,
                         "the manifest was signed by another key than the holder key given");
    auto issuerKey =
        SigningKey::loadEncryptedAndUpgrade(in(p.issuerDir, IssuerFiles::kIssuerKey).toStdString(), passphrase);
    TWINSEAL_TRY(issuerKey);
    auto issuerPem = readText(in(p.issuerDir, IssuerFiles::kIssuerCert));
    TWINSEAL_TRY(issuerPem);
    auto issuerCert = Certificate::fromPem(*issuerPem);
    TWINSEAL_TRY(issuerCert);
    auto sealedBinding = readBinary(in(p.issuerDir, IssuerFiles::kBindingSecret));
    TWINSEAL_TRY(sealedBinding);
    auto bindingKey = openSealedSecret(*sealedBinding, passphrase);
    TWINSEAL_TRY(bindingKey);

    CredentialClaims c;
    c.dtId = p.dtId.empty() ? "dt-" + newUuid() : p.dtId;
    c.avatarId = p.avatarId.empty() ? "urn:twinseal:avatar:" + newUuid() : p.avatarId;
    c.holderKey = *holder;
    auto binding = subscriberBinding(*bindingKey, p.supi, c.dtId, c.generation);
    TWINSEAL_TRY(binding);
    c.subscriberBinding = std::move(*binding);
    c.pseudonym = p.pseudonym;
    std::vector<AttributeDisclosure> disclosures;
    for (const auto& [name, value] : p.attributes) {
        auto d = AttributeDisclosure::make(name, value, SystemRandom::instance());
        TWINSEAL_TRY(d);
        c.attributes.push_back({name, d->digest()});
        disclosures.push_back(std::move(*d));
    }
    c.mediaRoot = manifest->manifest.packageRoot;
    c.media = describeMedia(manifest->manifest);
    c.notBefore = p.now - 300;
    c.notAfter = std::min<std::int64_t>(p.now + std::int64_t(p.days) * kDay, issuerCert->notAfter());
    c.issuedAt = p.now;
    c.issuer = issuerCert->subject();
    auto cred = issueCredential(c, *issuerKey, {*issuerCert});
    TWINSEAL_TRY(cred);
    TWINSEAL_TRY(writeBinary(p.out, cred->encoded));
    if (!p.disclosuresOut.isEmpty()) {
        std::string lines;
        for (const auto& d : disclosures)
            lines += d.name + "\t" + d.encoded() + "\n";
        TWINSEAL_TRY(writeBinary(p.disclosuresOut, view(lines), true));
    }
    return cred;
}

Result<Manifest> opPack(const QString& package, const QString& keyFile,
                        const std::string& passphrase, const QString& out,
                        std::uint32_t chunkSize) {
    auto key = SigningKey::loadEncryptedAndUpgrade(keyFile.toStdString(), passphrase);
    TWINSEAL_TRY(key);
    HashOptions opt;
    opt.chunkSize = chunkSize;
    auto m = buildManifest(package.toStdString(), opt);
    TWINSEAL_TRY(m);
    auto signedM = signManifest(*m, *key);
    TWINSEAL_TRY(signedM);
    TWINSEAL_TRY(writeBinary(out, *signedM));
    auto back = parseSignedManifest(*signedM);
    TWINSEAL_TRY(back);
    return back->manifest;
}

Result<Assertion> opCreateAssertion(const QString& keyFile, const std::string& passphrase,
                                    const QString& credentialFile,
                                    const std::vector<std::string>& dest, std::int64_t now) {
    auto key = SigningKey::loadEncryptedAndUpgrade(keyFile.toStdString(), passphrase);
    TWINSEAL_TRY(key);
    auto credBytes = readBinary(credentialFile);
    TWINSEAL_TRY(credBytes);
    auto cred = parseCredential(*credBytes);
    TWINSEAL_TRY(cred);
    if (!(cred->claims.holderKey == key->publicKey()))
        return makeError(ErrorCode::KeyMismatch,
                         "this key is not the holder key of the credential");
    // The call's ephemeral X25519 key: its public half is bound into the assertion. The CLI
    // has no call session to hand the private half to, so it is cleansed here.
    auto eph = SystemRandom::instance().bytes(32);
    TWINSEAL_TRY(eph);
    auto ephPub = x25519PublicFromPrivate(*eph);
    cleanse(eph->data(), eph->size());
    TWINSEAL_TRY(ephPub);
    auto claims = claimsForCall(*cred, dest, *ephPub, now, SystemRandom::instance());
    TWINSEAL_TRY(claims);
    return createAssertion(*claims, *key);
}

Result<VerificationReport> opVerify(const VerifyParams& p) {
    twin::PeerStores stores;
    if (!p.trustFile.isEmpty()) {
        auto t = TrustList::load(p.trustFile.toStdString());
        TWINSEAL_TRY(t);
        stores.trust = std::move(*t);
    }
    stores.pinsFile = p.pinsFile;
    stores.replayFile = p.replayCacheFile;
    twin::PeerPresentation peer;
    peer.assertionFile = p.assertionFile;
    peer.assertionText = p.assertionText;
    peer.credentialFile = p.credentialFile;
    peer.manifestFile = p.manifestFile;
    peer.packagePath = p.packagePath;
    peer.disclosuresFile = p.disclosuresFile;
    peer.destination = p.destination;
    peer.roleCredentials = p.roleCredentials;
    peer.requiredRoles = p.requiredRoles;
    twin::PeerEvidence evidence = p.fetched.value_or(twin::PeerEvidence{});
    for (auto [file, into] : {std::pair{&p.statusListFile, &evidence.statusList},
                              std::pair{&p.inclusionFile, &evidence.inclusion},
                              std::pair{&p.treeHeadFile, &evidence.treeHead}}) {
        if (file->isEmpty())
            continue;
        auto bytes = readBinary(*file);
        TWINSEAL_TRY(bytes);
        *into = std::move(*bytes);
    }
    if (p.logKey)
        evidence.logKey = *p.logKey;
    return twin::PeerVerifier(std::move(stores)).verify(peer, evidence, p.now);
}

std::string formatReport(const VerificationReport& r) {
    std::string s;
    const char* head = r.state == OverallState::Verified         ? "[VERIFIED]"
                       : r.state == OverallState::ValidUntrusted ? "[NOT TRUSTED]"
                       : r.state == OverallState::Incomplete     ? "[INCOMPLETE]"
                                                                 : "[FAILED]";
    s += std::string(head) + " " + r.summary() + "\n";
    for (const auto& c : r.checks) {
        const bool warn = c.id == CheckId::IssuerTrust && c.code == ErrorCode::UntrustedIssuer;
        const char* mark = c.state == CheckState::Passed   ? "  ok   "
                           : warn                          ? "  WARN "
                           : c.state == CheckState::Failed ? "  FAIL "
                           : c.required                    ? "  MISS "
                                                           : "  skip ";
        s += mark + std::string(checkIdTitle(c.id));
        if (c.state == CheckState::Failed)
            s += " [" + std::string(errorCodeName(c.code)) + "]";
        if (!c.detail.empty())
            s += " - " + c.detail;
        s += "\n";
    }
    for (const auto& [k, v] : r.disclosedAttributes)
        s.append("  disclosed ").append(k).append(": ").append(v).append("\n");
    for (const auto& role : r.provenRoles)
        s += "  role " + role.role + (role.organisation.empty() ? "" : ", " + role.organisation) +
             ": vouched for by " + role.enterprise + " (" + role.rootSubject + ")\n";
    return s;
}

// ---- commands -------------------------------------------------------------------------------

int cmdKeygen(const QStringList& args) {
    QCommandLineParser p;
    p.addOptions({{"out", "Write the encrypted key to <file>.", "file"},
                  {"alg", "Ed25519 (default) or P-256.", "alg", "Ed25519"},
                  {"label", "A label stored with the key.", "label"},
                  {"jwk-out", "Also write the public key as a JWK to <file>.", "file"}});
    addPassphraseOption(p);
    if (auto rc = parseCommand(p, args, "Generate a holder key, encrypted at rest (scrypt + AES-256-GCM)."))
        return *rc;
    if (auto rc = require(p, {"out"}))
        return *rc;
    auto alg = keyAlgorithmFromName(p.value("alg").toStdString());
    if (!alg.ok())
        return fail(alg.error());
    auto pass = readPassphrase(p, "New passphrase for the key", true);
    if (!pass.ok())
        return fail(pass.error());
    auto st = opKeygen(p.value("out"), *alg, p.value("label").toStdString(), *pass, p.value("jwk-out"));
    forget(*pass);
    if (!st.ok())
        return fail(st.error());
    auto pub = SigningKey::peekPublicKey(*readBinary(p.value("out")));
    out("key: " + p.value("out").toStdString());
    out("algorithm: " + std::string(keyAlgorithmName(*alg)));
    out("thumbprint: " + base64UrlEncode(pub->thumbprint()));
    return kExitOk;
}

int cmdIssuerInit(const QStringList& args) {
    QCommandLineParser p;
    p.addOptions({{"dir", "Create the issuer in <dir>.", "dir"},
                  {"name", "Operator name.", "name", "TwinSeal Dev Operator"},
                  {"alg", "Ed25519 (default) or P-256.", "alg", "Ed25519"},
                  {"days", "Issuer certificate validity in days.", "days", "730"}});
    addPassphraseOption(p);
    if (auto rc = parseCommand(p, args,
                        "Create a development issuer: operator root CA, DT issuer certificate, "
                        "subscriber binding key, and trust.pem (the root) for verifiers."))
        return *rc;
    if (auto rc = require(p, {"dir"}))
        return *rc;
    auto alg = keyAlgorithmFromName(p.value("alg").toStdString());
    if (!alg.ok())
        return fail(alg.error());
    auto pass = readPassphrase(p, "New passphrase for the issuer keys", true);
    if (!pass.ok())
        return fail(pass.error());
    auto st = opIssuerInit(p.value("dir"), p.value("name").toStdString(), *alg,
                           p.value("days").toInt(), *pass, SystemClock::instance().now());
    forget(*pass);
    if (!st.ok())
        return fail(st.error());
    out("issuer: " + p.value("dir").toStdString());
    out("trust list for verifiers: " + in(p.value("dir"), IssuerFiles::kTrustList).toStdString());
    return kExitOk;
}

int cmdCredentialIssue(const QStringList& args) {
    QCommandLineParser p;
    p.addOptions({{"issuer-dir", "The dev issuer (from `issuer init`).", "dir"},
                  {"holder", "The holder's key file (only its public key is read).", "file"},
                  {"manifest", "The holder-signed avatar manifest to certify.", "file"},
                  {"supi", "Subscriber identity, e.g. imsi-001010000000001.", "supi"},
                  {"pseudonym", "Pseudonym shown to peers.", "name"},
                  {"attr", "Identity attribute name=value (repeatable), committed selectively.",
                   "name=value"},
                  {"dt-id", "DT id (default: generated).", "id"},
                  {"avatar-id", "Avatar-ID URN (default: generated).", "urn"},
                  {"days", "Validity in days.", "days", "365"},
                  {"out", "Write the credential to <file>.", "file"},
                  {"disclosures-out", "Write the attribute disclosures to <file>.", "file"}});
    addPassphraseOption(p);
    if (auto rc = parseCommand(p, args, "Issue a DT credential with a development issuer."))
        return *rc;
    if (auto rc = require(p, {"issuer-dir", "holder", "manifest", "supi", "pseudonym", "out"}))
        return *rc;
    IssueParams ip;
    ip.issuerDir = p.value("issuer-dir");
    ip.holderKeyFile = p.value("holder");
    ip.manifestFile = p.value("manifest");
    ip.supi = p.value("supi").toStdString();
    ip.pseudonym = p.value("pseudonym").toStdString();
    for (const QString& a : p.values("attr")) {
        const auto eq = a.indexOf('=');
        if (eq <= 0)
            return usage(p, "--attr takes name=value, got '" + a + "'");
        ip.attributes.emplace_back(a.left(eq).toStdString(), a.mid(eq + 1).toStdString());
    }
    ip.dtId = p.value("dt-id").toStdString();
    ip.avatarId = p.value("avatar-id").toStdString();
    ip.days = p.value("days").toInt();
    ip.now = SystemClock::instance().now();
    ip.out = p.value("out");
    ip.disclosuresOut = p.value("disclosures-out");
    auto pass = readPassphrase(p, "Issuer passphrase", false);
    if (!pass.ok())
        return fail(pass.error());
    auto cred = opIssueCredential(ip, *pass);
    forget(*pass);
    if (!cred.ok())
        return fail(cred.error());
    out("credential: " + ip.out.toStdString());
    out("avatar-id: " + cred->claims.avatarId);
    out("media root: " + toHex(cred->claims.mediaRoot));
    return kExitOk;
}

int cmdAvatarPack(const QStringList& args) {
    QCommandLineParser p;
    p.addOptions({{"package", "Avatar folder or .glb file.", "path"},
                  {"key", "Holder key file.", "file"},
                  {"out", "Write the signed manifest to <file>.", "file"},
                  {"chunk-size", "Chunk size in bytes (power of two, 4 KiB-16 MiB).", "bytes",
                   QString::number(kDefaultChunkSize)}});
    addPassphraseOption(p);
    if (auto rc = parseCommand(p, args, "Hash an avatar package in chunks and sign its manifest."))
        return *rc;
    if (auto rc = require(p, {"package", "key", "out"}))
        return *rc;
    auto pass = readPassphrase(p, "Holder key passphrase", false);
    if (!pass.ok())
        return fail(pass.error());
    auto m = opPack(p.value("package"), p.value("key"), *pass, p.value("out"),
                    p.value("chunk-size").toUInt());
    forget(*pass);
    if (!m.ok())
        return fail(m.error());
    std::uint64_t total = 0;
    for (const auto& f : m->files)
        total += f.size;
    out("manifest: " + p.value("out").toStdString());
    out("files: " + std::to_string(m->files.size()) + ", bytes: " + std::to_string(total));
    out("package root: " + toHex(m->packageRoot));
    return kExitOk;
}

int cmdAvatarVerify(const QStringList& args) {
    QCommandLineParser p;
    p.addOptions({{"manifest", "Signed manifest.", "file"},
                  {"package", "Avatar folder or .glb file.", "path"},
                  {"credential", "Also check the manifest is the credential's certified media.",
                   "file"}});
    if (auto rc = parseCommand(p, args, "Check an avatar package against its signed manifest."))
        return *rc;
    if (auto rc = require(p, {"manifest", "package"}))
        return *rc;
    auto bytes = readBinary(p.value("manifest"));
    if (!bytes.ok())
        return fail(bytes.error());
    auto m = parseSignedManifest(*bytes);
    if (!m.ok())
        return fail(m.error());
    if (p.isSet("credential")) {
        auto cb = readBinary(p.value("credential"));
        if (!cb.ok())
            return fail(cb.error());
        auto c = parseCredential(*cb);
        if (!c.ok())
            return fail(c.error());
        if (!(c->claims.holderKey == m->manifest.holderKey))
            return fail({ErrorCode::KeyMismatch, "the manifest is not signed by the credential's holder"});
        if (c->claims.mediaRoot != m->manifest.packageRoot)
            return fail({ErrorCode::MediaRootMismatch,
                         "the manifest is not the media certified in the credential"});
    }
    MediaFailure failure;
    auto st = verifyMedia(m->manifest, p.value("package").toStdString(), {}, &failure);
    if (!st.ok())
        return fail(st.error());
    out("media verified: " + std::to_string(m->manifest.files.size()) + " files, root " +
        toHex(m->manifest.packageRoot));
    return kExitOk;
}

int cmdAssertionCreate(const QStringList& args) {
    QCommandLineParser p;
    p.addOptions({{"key", "Holder key file.", "file"},
                  {"credential", "The holder's DT credential.", "file"},
                  {"dest", "Destination URI (repeatable).", "uri"},
                  {"out", "Write the compact JWS to <file> (default: stdout).", "file"},
                  {"sip-info", "Also print a SIP Identity header with this info URI.", "uri"},
                  {"at", "Issue time (Unix seconds) instead of now.", "seconds"}});
    addPassphraseOption(p);
    if (auto rc = parseCommand(p, args, "Sign a call assertion (PASSporT, ppt=avatar) for a call."))
        return *rc;
    if (auto rc = require(p, {"key", "credential", "dest"}))
        return *rc;
    std::vector<std::string> dest;
    for (const QString& d : p.values("dest"))
        dest.push_back(d.toStdString());
    auto pass = readPassphrase(p, "Holder key passphrase", false);
    if (!pass.ok())
        return fail(pass.error());
    auto a = opCreateAssertion(p.value("key"), *pass, p.value("credential"), dest, nowOr(p));
    forget(*pass);
    if (!a.ok())
        return fail(a.error());
    if (p.isSet("out")) {
        auto st = writeBinary(p.value("out"), view(a->compact + "\n"));
        if (!st.ok())
            return fail(st.error());
    } else {
        out(a->compact);
    }
    if (p.isSet("sip-info"))
        out("Identity: " + sipIdentityHeader(*a, p.value("sip-info").toStdString()));
    return kExitOk;
}

int cmdInspect(const QStringList& args) {
    QCommandLineParser p;
    p.addPositionalArgument("file", "Key, credential, manifest, assertion or certificate file.");
    if (auto rc = parseCommand(p, args, "Print any TwinSeal object as JSON (never secret material)."))
        return *rc;
    if (p.positionalArguments().size() != 1)
        return usage(p, "give exactly one file");
    auto data = readBinary(p.positionalArguments().first());
    if (!data.ok())
        return fail(data.error());
    auto j = describeObject(*data);
    if (!j.ok())
        return fail(j.error());
    out(*j);
    return kExitOk;
}

int cmdExitCodes(const QStringList& args) {
    QCommandLineParser p;
    if (auto rc = parseCommand(p, args, "List twinsealctl's exit codes."))
        return *rc;
    out("0\tok / verified");
    out("1\tusage error");
    out("2\tsignatures valid, issuer not in the trust list");
    out(std::to_string(kExitIncomplete) +
        "\tverification incomplete: a required check was skipped (see --skip)");
    // Every code has a name; the first value without one is past the end of the enum.
    for (int c = int(ErrorCode::InvalidArgument);
         errorCodeName(static_cast<ErrorCode>(c)) != "unknown-error"; ++c)
        out(std::to_string(exitCodeFor(static_cast<ErrorCode>(c))) + "\t" +
            std::string(errorCodeName(static_cast<ErrorCode>(c))));
    // The home-network service and client (register, log, status): a reason with one of the
    // names above keeps its code.
    out(std::to_string(kExitServiceRefused) +
        "\t(any other reason the home-network service gives; it is printed with the error)");
    for (const ClientExitCode& c : kClientExitCodes)
        out(std::to_string(c.exitCode) + "\t" + c.reason + "\t" + c.meaning);
    printCallExitCodes();
    return kExitOk;
}

} // namespace twinseal::ctl
