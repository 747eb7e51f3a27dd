// `twinsealctl demo`: the whole chain on one machine, narrated: a dev operator certifies a
// surgeon's avatar, the surgeon signs a call assertion, the operating theatre verifies it, and
// four attacks are shown failing with their reasons.
#include <QCommandLineParser>
#include <QDir>
#include <QFile>
#include <QTemporaryDir>

#include <cstdlib>
#include <iostream>

#include "cli.h"
#include "commands.h"

namespace twinseal::ctl {

using namespace twinseal::security;

namespace {

constexpr const char* kRoom = "urn:twinseal:room:theatre-3";

bool copyTree(const QString& from, const QString& to) {
    QDir src(from);
    if (!QDir().mkpath(to))
        return false;
    for (const QFileInfo& fi : src.entryInfoList(QDir::Files | QDir::Dirs | QDir::NoDotAndDotDot)) {
        const QString target = to + "/" + fi.fileName();
        if (fi.isDir() ? !copyTree(fi.filePath(), target) : !QFile::copy(fi.filePath(), target))
            return false;
    }
    return true;
}

struct Step {
    int number = 0;
    void operator()(const std::string& title) {
        std::cout << "\n== " << ++number << ". " << title << "\n" << std::flush;
    }
};

} // namespace

int cmdDemo(const QStringList& args) {
    QCommandLineParser p;
    p.addOptions({{"dir", "Keep the demo's files in <dir> (default: a temporary folder).", "dir"}});
    if (auto rc = parseCommand(p, args, "Run the end-to-end demo."))
        return *rc;
    QTemporaryDir tmp;
    const QString dir = p.isSet("dir") ? p.value("dir") : tmp.path();
    if (p.isSet("dir") && QDir(dir).exists() && !QDir(dir).isEmpty()) {
        std::cerr << "twinsealctl: " << dir.toStdString() << " is not empty\n";
        return kExitUsage;
    }
    QDir().mkpath(dir);
    auto path = [&](const char* f) { return QDir(dir).filePath(f); };
    // Demo-only secret: real deployments ask for the passphrase (see keygen --help).
    const char* envPass = std::getenv("TWINSEAL_PASSPHRASE");
    const std::string pass = envPass && *envPass ? envPass : "demo passphrase, not for real use";
    const std::int64_t now = SystemClock::instance().now();
    Step step;
    int unexpected = 0;
    auto expect = [&](const VerificationReport& r, OverallState state, ErrorCode reason) {
        std::cout << formatReport(r);
        const bool ok = r.state == state && (state != OverallState::Failed || r.reason == reason);
        std::cout << (ok ? "  -> as expected\n" : "  -> UNEXPECTED RESULT\n");
        unexpected += ok ? 0 : 1;
    };

    std::cout << "TwinSeal demo: an authenticated surgeon avatar joins operating theatre 3\n"
              << "files: " << dir.toStdString() << "\n";

    step("The home network (a development operator) creates its root CA and DT issuer");
    if (auto st = opIssuerInit(path("operator"), "Demo Mobile", KeyAlgorithm::Ed25519, 730, pass, now);
        !st.ok())
        return fail(st.error());
    std::cout << "  operator root and issuer certificate in operator/; trust list operator/trust.pem\n";

    step("Dr. Ada Moreau's device generates her holder key (Ed25519, encrypted at rest)");
    if (auto st = opKeygen(path("ada.key"), KeyAlgorithm::Ed25519, "Ada's laptop", pass, {});
        !st.ok())
        return fail(st.error());

    step("Her avatar package is hashed in chunks and the manifest signed with her key");
    const QString avatar = path("avatar");
    if (!copyTree(resourcesDir() + "/avatar", avatar))
        return fail({ErrorCode::IoError, "cannot copy the sample avatar from " +
                                             resourcesDir().toStdString() + "/avatar"});
    auto manifest = opPack(avatar, path("ada.key"), pass, path("ada.manifest"), 64 * 1024);
    if (!manifest.ok())
        return fail(manifest.error());
    for (const auto& f : manifest->files)
        std::cout << "  " << f.path << "  " << f.size << " bytes, " << f.chunkHashes.size()
                  << " chunk(s)\n";
    std::cout << "  package root " << toHex(manifest->packageRoot) << "\n";

    step("The home network certifies the DT: credential bound to her subscription and avatar");
    IssueParams ip;
    ip.issuerDir = path("operator");
    ip.holderKeyFile = path("ada.key");
    ip.manifestFile = path("ada.manifest");
    ip.supi = "imsi-001010000000001";
    ip.pseudonym = "Quiet Heron";
    ip.attributes = {{"name", "Dr. Ada Moreau"},
                     {"role", "consultant surgeon"},
                     {"organisation", "St. Elsewhere University Hospital"},
                     {"licence_id", "GMC-7781234"}};
    ip.now = now;
    ip.out = path("ada.credential");
    ip.disclosuresOut = path("ada.disclosures");
    auto cred = opIssueCredential(ip, pass);
    if (!cred.ok())
        return fail(cred.error());
    std::cout << "  Avatar-ID " << cred->claims.avatarId << "\n  pseudonym '"
              << cred->claims.pseudonym << "', issuer " << cred->claims.issuer << "\n";

    // Ada discloses her role and organisation to the theatre, not her name or licence id.
    {
        auto all = readText(path("ada.disclosures"));
        std::string chosen;
        for (const QString& line : QString::fromStdString(*all).split('\n'))
            if (line.startsWith("role\t") || line.startsWith("organisation\t"))
                chosen += line.toStdString() + "\n";
        if (auto st = writeBinary(path("ada.disclosed-to-theatre"), view(chosen)); !st.ok())
            return fail(st.error());
    }

    step("Ada calls theatre 3: her client signs a call assertion (PASSporT, ppt=avatar)");
    auto assertion = opCreateAssertion(path("ada.key"), pass, path("ada.credential"), {kRoom}, now);
    if (!assertion.ok())
        return fail(assertion.error());
    if (auto st = writeBinary(path("call.jws"), view(assertion->compact)); !st.ok())
        return fail(st.error());
    std::cout << "  " << assertion->compact.substr(0, 72) << "...\n";

    VerifyParams vp;
    vp.assertionFile = path("call.jws");
    vp.credentialFile = path("ada.credential");
    vp.manifestFile = path("ada.manifest");
    vp.packagePath = avatar;
    vp.trustFile = path("operator/trust.pem");
    vp.disclosuresFile = path("ada.disclosed-to-theatre");
    vp.replayCacheFile = path("theatre.replay");
    vp.pinsFile = path("theatre.pins");
    vp.destination = kRoom;
    vp.now = now + 2;

    step("Theatre 3 verifies the surgeon's avatar");
    auto r = opVerify(vp);
    if (!r.ok())
        return fail(r.error());
    expect(*r, OverallState::Verified, ErrorCode::Ok);

    step("Attack: the same assertion is replayed");
    r = opVerify(vp);
    expect(*r, OverallState::Failed, ErrorCode::AssertionReplayed);

    step("A theatre that does not trust Demo Mobile's root");
    if (auto st = opIssuerInit(path("other-operator"), "Other Telecom", KeyAlgorithm::Ed25519, 730,
                               pass, now);
        !st.ok())
        return fail(st.error());
    auto fresh = opCreateAssertion(path("ada.key"), pass, path("ada.credential"), {kRoom}, now);
    if (auto st = writeBinary(path("call2.jws"), view(fresh->compact)); !st.ok())
        return fail(st.error());
    VerifyParams other = vp;
    other.assertionFile = path("call2.jws");
    other.trustFile = path("other-operator/trust.pem");
    other.replayCacheFile.clear();
    other.pinsFile.clear();
    r = opVerify(other);
    expect(*r, OverallState::ValidUntrusted, ErrorCode::Ok);

    step("Attack: one byte of the avatar's model is changed in transit");
    {
        QFile f(avatar + "/" + QString::fromStdString(manifest->modelPath));
        if (!f.open(QIODevice::ReadWrite))
            return fail({ErrorCode::IoError, "cannot open the avatar copy"});
        const qint64 at = f.size() / 2;
        f.seek(at);
        char c = 0;
        f.getChar(&c);
        f.seek(at);
        f.putChar(static_cast<char>(c ^ 0x01));
    }
    VerifyParams tampered = vp;
    tampered.assertionFile = path("call2.jws");
    tampered.replayCacheFile.clear();
    r = opVerify(tampered);
    expect(*r, OverallState::Failed, ErrorCode::MediaMismatch);

    step("Attack: an impostor with his own key presents Ada's credential");
    if (auto st = opKeygen(path("mallory.key"), KeyAlgorithm::Ed25519, "", pass, {}); !st.ok())
        return fail(st.error());
    {
        // Mallory cannot make the credential's holder sign, so he signs with his own key.
        auto key = SigningKey::loadEncrypted(path("mallory.key").toStdString(), pass);
        auto claims = claimsForCall(*cred, {kRoom}, Bytes(32, 9), now, SystemRandom::instance());
        claims->holderThumbprint = key->publicKey().thumbprint();
        auto forged = createAssertion(*claims, *key);
        if (!forged.ok())
            return fail(forged.error());
        (void)writeBinary(path("forged.jws"), view(forged->compact));
    }
    VerifyParams impostor = vp;
    impostor.assertionFile = path("forged.jws");
    impostor.packagePath.clear();
    impostor.replayCacheFile.clear();
    r = opVerify(impostor);
    expect(*r, OverallState::Failed, ErrorCode::BadSignature);

    std::cout << "\n" << (unexpected == 0 ? "Demo complete: every check behaved as expected."
                                          : "Demo found UNEXPECTED results.")
              << "\n";
    if (p.isSet("dir"))
        std::cout << "Inspect the objects, e.g.: twinsealctl inspect "
                  << path("ada.credential").toStdString() << "\n";
    return unexpected == 0 ? kExitOk : kExitErrorBase;
}

} // namespace twinseal::ctl
