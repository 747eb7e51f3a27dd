// `twinsealctl demo`: the whole chain on one machine, narrated. An embedded twinseal-homenet
// (SQLite, HTTPS on loopback) adds a subscriber; her client authenticates (SUCI, 5G-AKA, AKMA),
// registers her DT with proof of possession, uploads the avatar; she signs a call assertion, the
// operating theatre verifies it; four attacks fail with their reasons; finally she revokes the
// DT and the theatre's verification fails as revoked, with the log proving what happened.
#include <QCommandLineParser>
#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

#include <optional>

#include <twinseal/netclient/avatar_transfer.h>
#include <twinseal/netclient/service_client.h>
#include <twinseal/security/statuslist.h>
#include <twinseal/security/translog.h>

#include <cstdlib>
#include <iostream>

#include "cli.h"
#include "embedded_homenet.h"
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


int failClient(const netclient::ClientError& e) {
    std::cerr << "twinsealctl: " << e.code << ": " << e.message << "\n";
    return kExitErrorBase;
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
    const QByteArray envPass = qgetenv("TWINSEAL_PASSPHRASE");
    const std::string pass = !envPass.isEmpty() ? envPass.toStdString() : "demo passphrase, not for real use";
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

    step("The home network starts: twinseal-homenet, embedded, SQLite, HTTPS (TLS 1.3)");
    // Its log says warnings only: the narration says what happens.
    client::EmbeddedHomenet homenet;
    client::EmbeddedHomenet::Settings config;
    config.dataDir = path("homenet");
    config.port = 0;
    config.rateLimit = 0;
    auto port = homenet.start(config, pass, QStringLiteral("Demo Mobile"));
    if (!port.ok()) {
        std::cerr << "twinsealctl: " << port.error().code << ": " << port.error().message << "\n";
        return kExitErrorBase;
    }
    std::cout << "  operator keys in homenet/keys/ (sealed), database homenet/homenet.sqlite\n"
              << "  listening on https://localhost:" << *port << "\n";

    step("The operator adds subscriber Dr. Ada Moreau and hands her a USIM profile");
    client::EmbeddedHomenet::Subscriber ada;
    ada.supi = QStringLiteral("imsi-001010000000001");
    ada.name = QStringLiteral("Dr. Ada Moreau");
    ada.role = QStringLiteral("consultant surgeon");
    ada.organisation = QStringLiteral("St. Elsewhere University Hospital");
    ada.licenceId = QStringLiteral("GMC-7781234");
    if (auto added = homenet.addSubscriber(ada, path("ada.profile")); !added.ok()) {
        std::cerr << "twinsealctl: " << added.error().code << ": " << added.error().message << "\n";
        return kExitErrorBase;
    }
    auto profile = UsimProfileData::load(path("ada.profile").toStdString());
    if (!profile.ok())
        return fail(profile.error());
    if (auto st = writeBinary(path("trust.pem"), view(profile->trustListPem)); !st.ok())
        return fail(st.error());
    std::cout << "  ada.profile: SUPI, K and OPc, the network's SUCI key, its TLS CA and trust list\n";

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

    step("Her client authenticates to the home network: SUCI, 5G-AKA challenge, AKMA key");
    netclient::ServiceClient client(*profile, path("ada.profile"));
    auto session = awaitClient<netclient::AuthSession>([&](auto cb) { client.authenticate(std::move(cb)); });
    if (!session.ok())
        return failClient(session.error());
    std::cout << "  the SUPI travelled only as a SUCI; the network proved itself with AUTN\n"
              << "  A-KID " << session->aKid << "\n";

    step("She registers her DT: proof of possession of her key; the network certifies it");
    auto holder = SigningKey::loadEncrypted(path("ada.key").toStdString(), pass);
    if (!holder.ok())
        return fail(holder.error());
    auto manifestBytes = readBinary(path("ada.manifest"));
    if (!manifestBytes.ok())
        return fail(manifestBytes.error());
    auto reg = awaitClient<netclient::Registration>(
        [&](auto cb) { client.registerDt(*holder, *manifestBytes, std::move(cb)); });
    if (!reg.ok())
        return failClient(reg.error());
    const Credential& credential = reg->credential;
    if (auto st = writeBinary(path("ada.credential"), reg->credentialBytes); !st.ok())
        return fail(st.error());
    std::cout << "  DT " << credential.claims.dtId << "\n  Avatar-ID " << credential.claims.avatarId
              << "\n  pseudonym '" << credential.claims.pseudonym << "', issuer "
              << credential.claims.issuer << " (chains to " << reg->chain.rootSubject << ")\n"
              << "  logged: entry " << reg->receipt.proof.leafIndex << " of a tree of "
              << reg->receipt.treeHead.head.treeSize << ", inclusion proof verified\n";

    // Ada discloses her role and organisation to the theatre, not her name or licence id.
    {
        QJsonArray chosen;
        for (const std::string& d : reg->disclosures) {
            auto decoded = AttributeDisclosure::decode(d);
            if (decoded.ok() && (decoded->name == "role" || decoded->name == "organisation"))
                chosen.append(QJsonObject{{"name", QString::fromStdString(decoded->name)},
                                          {"disclosure", QString::fromStdString(d)}});
        }
        const QByteArray json = QJsonDocument(chosen).toJson();
        if (auto st = writeBinary(path("ada.disclosed-to-theatre"),
                                  ByteView(reinterpret_cast<const std::uint8_t*>(json.constData()),
                                           static_cast<std::size_t>(json.size())));
            !st.ok())
            return fail(st.error());
    }

    step("Her avatar is uploaded to the home network's repository, chunk by chunk");
    auto uploaded = awaitClient<netclient::AvatarRecord>([&](auto cb) {
        client.uploadAvatar(credential.claims.avatarId, *manifest, avatar, std::move(cb));
    });
    if (!uploaded.ok())
        return failClient(uploaded.error());
    std::cout << "  " << uploaded->files.size() << " file(s), every chunk checked against the "
              << "certified manifest by the service\n";

    step("One active DT per subscriber: a second registration is refused");
    auto secondKey = SigningKey::generate(KeyAlgorithm::Ed25519);
    auto secondManifest = signManifest(*manifest, *secondKey);
    auto dup = awaitClient<netclient::Registration>(
        [&](auto cb) { client.registerDt(*secondKey, *secondManifest, std::move(cb)); });
    const bool dupOk = !dup.ok() && dup.error().code == "duplicate-dt";
    std::cout << "  " << (dup.ok() ? std::string("registered?!") : dup.error().code + ": " + dup.error().message)
              << (dupOk ? "\n  -> as expected\n" : "\n  -> UNEXPECTED RESULT\n");
    unexpected += dupOk ? 0 : 1;

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
    vp.trustFile = path("trust.pem");
    vp.disclosuresFile = path("ada.disclosed-to-theatre");
    vp.replayCacheFile = path("theatre.replay");
    vp.pinsFile = path("theatre.pins");
    vp.destination = kRoom;
    vp.now = now + 2;
    {   // The theatre's evidence from Ada's home network: the status list and her log receipt.
        auto current = awaitClient<StatusList>([&](auto cb) { client.fetchStatusList(std::move(cb)); });
        if (!current.ok())
            return failClient(current.error());
        vp.fetched = twin::PeerEvidence{};
        vp.fetched->verifiedStatusList = std::move(*current);
        vp.fetched->verifiedReceipt = reg->receipt;
    }

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
    const Credential* cred = &credential;
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

    step("Ada's laptop is stolen: she revokes the DT; the theatre refreshes the status list");
    auto headBefore = awaitClient<SignedTreeHead>([&](auto cb) { client.fetchTreeHead(std::move(cb)); });
    if (!headBefore.ok())
        return failClient(headBefore.error());
    auto revoked = awaitClient<netclient::DtRecord>([&](auto cb) {
        client.revoke(credential.claims.dtId, "device stolen", std::move(cb));
    });
    if (!revoked.ok())
        return failClient(revoked.error());
    auto list = awaitClient<StatusList>([&](auto cb) { client.fetchStatusList(std::move(cb)); });
    if (!list.ok())
        return failClient(list.error());
    std::cout << "  status list #" << list->info().sequence << ": " << list->revokedCount()
              << " revoked\n";
    {
        auto trust = TrustList::fromPem(profile->trustListPem);
        auto stolen = opCreateAssertion(path("ada.key"), pass, path("ada.credential"), {kRoom},
                                        SystemClock::instance().now());
        if (!stolen.ok())
            return fail(stolen.error());
        StatusListRevocationChecker revocation(*list);
        LogInclusionChecker inclusion(reg->receipt.treeHead);
        (void)inclusion.add(reg->receipt);
        VerificationInputs in;
        in.assertion = stolen->compact;
        in.credential = reg->credentialBytes;
        in.media.manifest = *manifestBytes;
        in.trust = &*trust;
        in.clock = &SystemClock::instance();
        in.expectedDestination = kRoom;
        in.revocation = &revocation;
        in.inclusion = &inclusion;
        expect(verifyPeer(in), OverallState::Failed, ErrorCode::CredentialRevoked);
    }

    step("The transparency log: the revocation is appended, and the log only grew");
    auto headAfter = awaitClient<SignedTreeHead>([&](auto cb) { client.fetchTreeHead(std::move(cb)); });
    if (!headAfter.ok())
        return failClient(headAfter.error());
    auto consistent = awaitClient<ConsistencyProof>([&](auto cb) {
        client.checkConsistency(*headBefore, *headAfter, std::move(cb));
    });
    if (!consistent.ok())
        return failClient(consistent.error());
    std::cout << "  tree " << headBefore->head.treeSize << " -> " << headAfter->head.treeSize
              << " entries: consistency proof verified (" << consistent->path.size()
              << " hashes)\n";
    homenet.stop();

    std::cout << "\n" << (unexpected == 0 ? "Demo complete: every check behaved as expected."
                                          : "Demo found UNEXPECTED results.")
              << "\n";
    if (p.isSet("dir"))
        std::cout << "Inspect the objects, e.g.: twinsealctl inspect "
                  << path("ada.credential").toStdString() << "\n";
    return unexpected == 0 ? kExitOk : kExitErrorBase;
}

} // namespace twinseal::ctl
