// twinsealctl commands that talk to the home-network DT service: register, log head, log verify,
// status. They drive the twin's session with its home network (twinseal::twin::TwinSession,
// asynchronous) inside a QEventLoop and keep files through twin::TwinStore, as the desktop client does.
#include <QCommandLineParser>
#include <QDateTime>
#include <QDir>
#include <QEventLoop>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QObject>

#include <iostream>
#include <optional>

#include <twinseal/netclient/avatar_transfer.h>
#include <twinseal/netclient/service_client.h>
#include <twinseal/security/credential.h>
#include <twinseal/security/manifest.h>
#include <twinseal/security/statuslist.h>
#include <twinseal/security/subscriber.h>
#include <twinseal/security/translog.h>
#include <twinseal/twin/data_layout.h>
#include <twinseal/twin/tree_head_witness.h>
#include <twinseal/twin/twin_session.h>
#include <twinseal/twin/twin_store.h>

#include "cli.h"
#include "commands.h"

namespace twinseal::ctl {

using namespace twinseal::security;
using netclient::ClientResult;

namespace {

// What `register` saves: the same names as the client's data folder.
constexpr const char* kCredentialFile = twin::layout::kCredential;
constexpr const char* kDisclosuresFile = twin::layout::kDisclosures;
constexpr const char* kReceiptFile = twin::layout::kReceipt;
constexpr const char* kManifestFile = twin::layout::kManifest;

void addProfileOptions(QCommandLineParser& p) {
    p.addOptions(
        {{"profile", "The USIM profile file your operator gave you.", "file"},
         {"timeout", "Seconds a request may make no progress before it fails.", "seconds", "15"}});
}

// The twin's session for the profile; a usage or load failure becomes an exit code.
struct Session {
    std::unique_ptr<twin::TwinSession> twin;
    std::optional<int> exitCode;
};

Session openSession(const QCommandLineParser& p) {
    Session s;
    bool ok = false;
    const int timeout = p.value("timeout").toInt(&ok);
    if (!ok || timeout <= 0 || timeout > 3600) {
        s.exitCode = usage(p, "--timeout takes a number of seconds (1-3600)");
        return s;
    }
    const QString path = p.value("profile");
    auto profile = UsimProfileData::load(path.toStdString());
    if (!profile.ok()) {
        s.exitCode = fail(profile.error());
        return s;
    }
    twin::SessionOptions options;
    options.requestTimeout = std::chrono::seconds(timeout);
    s.twin = std::make_unique<twin::TwinSession>(std::move(profile).value(), path, options);
    return s;
}

std::string utc(std::int64_t t) {
    return QDateTime::fromSecsSinceEpoch(t, Qt::UTC).toString(Qt::ISODate).toStdString();
}

std::string shortHex(const Digest& d) {
    return toHex(d).substr(0, 16) + "...";
}

std::string humanBytes(std::uint64_t n) {
    if (n < std::uint64_t{10} * 1024)
        return std::to_string(n) + " bytes";
    if (n < std::uint64_t{10} * 1024 * 1024)
        return std::to_string((n + 512) / 1024) + " KiB";
    return std::to_string((n + std::uint64_t{512} * 1024) / (std::uint64_t{1024} * 1024)) + " MiB";
}

std::string entries(std::uint64_t n) {
    return std::to_string(n) + (n == 1 ? " entry" : " entries");
}

std::string headLine(const SignedTreeHead& h) {
    return entries(h.head.treeSize) + ", root " + toHex(h.head.rootHash) + ", signed " +
           utc(h.head.timestamp);
}

// `log head` and `log verify` keep the last verified tree head of the log in the data directory
// (--data-dir, default the profile's folder: log-heads/, as the desktop client does).
void addWitnessOption(QCommandLineParser& p) {
    p.addOption({"data-dir",
                 "Where the last verified tree head of the log is kept, to detect a fork (split "
                 "view) of the log (default: the profile's folder).",
                 "dir"});
}

// Checks a fetched, verified head against the one kept: 0 when it fits, else the exit code
// (log-fork's for a fork, recorded with both heads).
int witnessHead(const QCommandLineParser& p, twin::TwinSession& session, const SignedTreeHead& head) {
    const QString dataDir = p.isSet("data-dir") ? p.value("data-dir")
                                                : QFileInfo(p.value("profile")).absolutePath();
    twin::TwinStore store(dataDir);
    twin::TreeHeadWitness witness = store.treeHeadWitness();
    auto decision = awaitClient<twin::TreeHeadWitness::Decision>(
        [&](auto done) { witness.check(session, head, std::move(done)); });
    if (!decision.ok()) {
        out("kept tree head: " + decision.error().code);
        if (decision.error().code == errorCodeName(ErrorCode::LogFork))
            out("  evidence (both tree heads): " +
                witness.forkPath(head.head.logId).toStdString());
        return fail(decision.error());
    }
    switch (*decision) {
    case twin::TreeHeadWitness::Decision::First:
        out("kept tree head: first seen here, kept in " + witness.dir().toStdString());
        break;
    case twin::TreeHeadWitness::Decision::Unchanged:
        out("kept tree head: unchanged (the same tree as last seen)");
        break;
    case twin::TreeHeadWitness::Decision::Advanced:
        out("kept tree head: advanced to " + entries(head.head.treeSize) +
            " (consistency with the head kept before verified)");
        break;
    case twin::TreeHeadWitness::Decision::Older:
        out("kept tree head: this head is older than the one kept and consistent with it");
        break;
    }
    return kExitOk;
}

} // namespace

// ---- register -------------------------------------------------------------------------------

int cmdRegister(const QStringList& args) {
    QCommandLineParser p;
    addProfileOptions(p);
    p.addOptions(
        {{"key", "Your holder key file (from `keygen`).", "file"},
         {"avatar", "The avatar package: a folder or a .glb file.", "path"},
         {"out-dir",
          QStringLiteral("Write %1, %2, %3 and %4 to <dir>.")
              .arg(QLatin1String(kCredentialFile), QLatin1String(kDisclosuresFile),
                   QLatin1String(kReceiptFile), QLatin1String(kManifestFile)),
          "dir", "."},
         {"recertify", "Re-certify DT <id> with this avatar instead of registering a new DT.",
          "id"},
         {"chunk-size", "Chunk size in bytes (power of two, 4 KiB-16 MiB).", "bytes",
          QString::number(kDefaultChunkSize)},
         {"json", "Print the result as JSON."}});
    addPassphraseOption(p);
    if (auto rc = parseCommand(
            p, args,
            "Register a digital twin with your home network: pack and sign the avatar, "
            "authenticate with the USIM profile, obtain and check the DT credential and its "
            "transparency-log receipt, and upload the avatar to the repository. "
            "Exit 0 on success, 1 usage, 10+ or 100+ a failure reason (twinsealctl exit-codes)."))
        return *rc;
    if (auto rc = require(p, {"profile", "key", "avatar"}))
        return *rc;
    bool ok = false;
    const std::uint32_t chunkSize = p.value("chunk-size").toUInt(&ok);
    if (!ok)
        return usage(p, "--chunk-size takes a number of bytes");
    const QString outDir = p.value("out-dir");
    if (!QDir().mkpath(outDir))
        return fail(Error{ErrorCode::IoError, "cannot create " + outDir.toStdString()});
    const QString avatarPath = p.value("avatar");
    const bool recertify = p.isSet("recertify");
    const std::string dtId = p.value("recertify").toStdString();
    if (recertify && dtId.empty())
        return usage(p, "--recertify needs the DT id");
    const bool json = p.isSet("json");

    Session session = openSession(p);
    if (session.exitCode)
        return *session.exitCode;
    twin::TwinSession& twinSession = *session.twin;

    // The holder key and the signed manifest.
    auto pass = readPassphrase(p, "Holder key passphrase", false);
    if (!pass.ok())
        return fail(pass.error());
    auto key = SigningKey::loadEncryptedAndUpgrade(p.value("key").toStdString(), *pass);
    if (!key.ok()) {
        forget(*pass);
        return fail(key.error());
    }
    // The same passphrase seals the profile's K and OPc (an operator's profile in clear is
    // sealed and written back now) and opens them for the authentication.
    auto profileOpened = twinSession.unlockProfile(*pass);
    forget(*pass);
    if (!profileOpened.ok())
        return fail(profileOpened.error());
    info("Packing the avatar " + avatarPath.toStdString() + " ...");
    HashOptions hashOptions;
    hashOptions.chunkSize = chunkSize;
    auto built = buildManifest(avatarPath.toStdString(), hashOptions);
    if (!built.ok())
        return fail(built.error());
    auto signedManifest = signManifest(std::move(*built), *key);
    if (!signedManifest.ok())
        return fail(signedManifest.error());
    const PublicKey holderPublic = key->publicKey();
    twinSession.adoptKey(std::move(*key)); // held by the session from here on
    auto manifest = parseSignedManifest(*signedManifest);
    if (!manifest.ok())
        return fail(manifest.error());
    // The files go where the client keeps them, each written atomically (twin::TwinStore).
    twin::TwinStore store(outDir);
    const QString manifestPath = store.path(kManifestFile);
    if (auto st = store.write(kManifestFile, ByteView(*signedManifest)); !st.ok())
        return fail(st.error());

    // Authenticate, then register (or re-certify).
    info("Authenticating with the home network " + twinSession.address().toStdString() + " ...");
    const auto auth = awaitClient<void>([&](auto done) { twinSession.authenticated(std::move(done)); });
    if (!auth.ok())
        return fail(auth.error());
    info(recertify ? "Re-certifying DT " + dtId + " ..." : std::string("Registering the DT ..."));
    auto reg = awaitClient<netclient::Registration>([&](auto done) {
        if (recertify)
            twinSession.recertify(dtId, *signedManifest, std::move(done));
        else
            twinSession.registerTwin(*signedManifest, std::move(done));
    });
    bool pickedUp = false;
    if (!recertify && !reg.ok() && reg.error().code == "duplicate-dt") {
        // The subscription's twin may be this very registration, carried out by the home
        // network but never answered here (the answer was lost and the retries gave up): held
        // with this key and certifying this avatar, it is picked up, re-certified on the same
        // avatar so that its credential, disclosures and log receipt arrive this time.
        auto me = awaitClient<netclient::SubscriberInfo>(
            [&](auto done) { twinSession.client().me(std::move(done)); });
        std::optional<Credential> held;
        if (me.ok() && me->activeDt)
            if (auto c = parseCredential(me->activeDt->credential); c.ok())
                held = std::move(c).value();
        if (held && held->claims.holderKey == holderPublic &&
            held->claims.mediaRoot == manifest->manifest.packageRoot) {
            info("The subscription's twin " + held->claims.dtId +
                 " is already registered with this key and avatar (an earlier registration's "
                 "answer was lost); picking it up ...");
            reg = awaitClient<netclient::Registration>([&](auto done) {
                twinSession.recertify(held->claims.dtId, *signedManifest, std::move(done));
            });
            pickedUp = reg.ok();
        }
    }
    if (!reg.ok())
        return fail(reg.error());
    const CredentialClaims& claims = reg->credential.claims;

    // Keep the credential, its receipt and the disclosures (owner-only) before anything else
    // can fail.
    const QString credentialPath = store.path(kCredentialFile);
    const QString disclosuresPath = store.path(kDisclosuresFile);
    const QString receiptPath = store.path(kReceiptFile);
    if (auto st = store.storeIssued(*reg, nullptr); !st.ok()) {
        info("The DT " + claims.dtId + " was registered, but its files could not be saved.");
        return fail(st.error());
    }

    // Upload the certified avatar to the repository.
    info("Uploading the avatar " + claims.avatarId + " ...");
    int lastTenth = -1;
    auto upload = awaitClient<netclient::AvatarRecord>([&](auto done) {
        netclient::AvatarTransfer* transfer =
            twinSession.uploadAvatar(claims.avatarId, manifest->manifest, avatarPath, std::move(done));
        QObject::connect(transfer, &netclient::AvatarTransfer::progress, transfer,
                         [&lastTenth](quint64 doneBytes, quint64 total) {
                             const int tenth = total == 0 ? 10 : int(doneBytes * 10 / total);
                             if (tenth != lastTenth) {
                                 lastTenth = tenth;
                                 info("  " + std::to_string(tenth * 10) + "% of " +
                                      humanBytes(total));
                             }
                         });
    });
    if (!upload.ok()) {
        info("The DT " + claims.dtId + " is " + (recertify ? "re-certified" : "registered") +
             " and its credential is in " + outDir.toStdString() +
             ", but the avatar upload failed. To upload it again, run register with --recertify " +
             claims.dtId + ".");
        return fail(upload.error());
    }

    std::uint64_t bytes = 0;
    for (const auto& f : manifest->manifest.files)
        bytes += f.size;
    const LogReceipt& receipt = reg->receipt;
    if (json) {
        QJsonObject o;
        o.insert("result", recertify ? "recertified" : pickedUp ? "picked-up" : "registered");
        o.insert("dtId", QString::fromStdString(claims.dtId));
        o.insert("avatarId", QString::fromStdString(claims.avatarId));
        o.insert("generation", qint64(claims.generation));
        o.insert("pseudonym", QString::fromStdString(claims.pseudonym));
        o.insert("issuer", QString::fromStdString(claims.issuer));
        o.insert("trustedRoot", QString::fromStdString(reg->chain.rootSubject));
        o.insert("credentialDigest", QString::fromStdString(toHex(reg->credential.digest())));
        o.insert("mediaRoot", QString::fromStdString(toHex(claims.mediaRoot)));
        o.insert("notAfter", QString::fromStdString(utc(claims.notAfter)));
        QJsonObject log;
        log.insert("index", qint64(receipt.proof.leafIndex));
        log.insert("treeSize", qint64(receipt.treeHead.head.treeSize));
        log.insert("rootHash", QString::fromStdString(toHex(receipt.treeHead.head.rootHash)));
        log.insert("inclusionVerified", true);
        o.insert("log", log);
        QJsonObject avatar;
        avatar.insert("files", qint64(manifest->manifest.files.size()));
        avatar.insert("bytes", qint64(bytes));
        avatar.insert("complete", upload->complete);
        o.insert("avatar", avatar);
        QJsonObject files;
        files.insert("credential", credentialPath);
        files.insert("disclosures", disclosuresPath);
        files.insert("receipt", receiptPath);
        files.insert("manifest", manifestPath);
        o.insert("files", files);
        out(QJsonDocument(o).toJson(QJsonDocument::Indented).trimmed().toStdString());
        return kExitOk;
    }
    out(recertify  ? "DT re-certified."
        : pickedUp ? "DT registered (an earlier registration of this key, picked up)."
                   : "DT registered.");
    out("  DT id:       " + claims.dtId);
    out("  Avatar-ID:   " + claims.avatarId);
    out("  generation:  " + std::to_string(claims.generation) + ", valid until " +
        utc(claims.notAfter));
    out("  issuer:      " + claims.issuer);
    out("               chains to the trusted root " + reg->chain.rootSubject);
    out("  log:         entry " + std::to_string(receipt.proof.leafIndex) + " in a tree of " +
        entries(receipt.treeHead.head.treeSize) +
        "; inclusion proof verified against the signed tree head (root " +
        shortHex(receipt.treeHead.head.rootHash) + ")");
    out("  avatar:      " + std::to_string(manifest->manifest.files.size()) + " files, " +
        humanBytes(bytes) + ", stored complete in the repository (media root " +
        shortHex(claims.mediaRoot) + ")");
    out("Files written:");
    const std::pair<QString, const char*> written[] = {
        {credentialPath, "the DT credential"},
        {disclosuresPath, "attribute disclosures (keep them private)"},
        {receiptPath, "the transparency-log receipt"},
        {manifestPath, "the signed avatar manifest"}};
    int width = 0;
    for (const auto& [path, what] : written)
        width = std::max(width, int(path.size()));
    for (const auto& [path, what] : written)
        out("  " + path.leftJustified(width).toStdString() + "  " + what);
    return kExitOk;
}

// ---- log head / log verify ------------------------------------------------------------------

int cmdLogHead(const QStringList& args) {
    QCommandLineParser p;
    addProfileOptions(p);
    p.addOption({"out", "Save the signed tree head to <file>.", "file"});
    addWitnessOption(p);
    if (auto rc = parseCommand(p, args,
                               "Fetch the transparency log's current signed tree head, verify "
                               "its signature with the profile's log key and save it (keep it "
                               "to check later with `log verify` that the log only grew). The "
                               "head is also checked against the last one kept in the data "
                               "directory (a consistency proof when it grew); a fork exits with "
                               "log-fork's code (twinsealctl exit-codes)."))
        return *rc;
    if (auto rc = require(p, {"profile", "out"}))
        return *rc;
    Session session = openSession(p);
    if (session.exitCode)
        return *session.exitCode;
    auto head = awaitClient<SignedTreeHead>([&](auto done) { session.twin->fetchTreeHead(std::move(done)); });
    if (!head.ok())
        return fail(head.error());
    if (auto st = writeBinary(p.value("out"), head->encoded); !st.ok())
        return fail(st.error());
    out("signed tree head: " + headLine(*head));
    out("signature verified with the log key of the profile");
    out("saved to " + p.value("out").toStdString());
    return witnessHead(p, *session.twin, *head);
}

int cmdLogVerify(const QStringList& args) {
    QCommandLineParser p;
    addProfileOptions(p);
    p.addOptions({{"old", "An earlier signed tree head (from `log head`).", "file"},
                  {"new", "A later signed tree head (default: fetch the current one).", "file"}});
    addWitnessOption(p);
    if (auto rc = parseCommand(
            p, args,
            "Check that the transparency log only grew between two signed tree heads: both "
            "signatures with the profile's log key, then the service's consistency proof. "
            "Exit 0 consistent; consistency-proof-invalid (twinsealctl exit-codes) when not. A "
            "fetched current head is also checked against the last one kept in the data "
            "directory; a fork exits with log-fork's code."))
        return *rc;
    if (auto rc = require(p, {"profile", "old"}))
        return *rc;
    Session session = openSession(p);
    if (session.exitCode)
        return *session.exitCode;
    twin::TwinSession& twinSession = *session.twin;
    const PublicKey& logKey = twinSession.profile().logKey;

    auto oldBytes = readBinary(p.value("old"));
    if (!oldBytes.ok())
        return fail(oldBytes.error());
    auto older = parseSignedTreeHead(*oldBytes, logKey);
    if (!older.ok())
        return fail(
            Error{older.error().code, p.value("old").toStdString() + ": " + older.error().detail});
    std::optional<SignedTreeHead> newer;
    if (p.isSet("new")) {
        auto newBytes = readBinary(p.value("new"));
        if (!newBytes.ok())
            return fail(newBytes.error());
        auto parsed = parseSignedTreeHead(*newBytes, logKey);
        if (!parsed.ok())
            return fail(Error{parsed.error().code,
                              p.value("new").toStdString() + ": " + parsed.error().detail});
        newer = std::move(*parsed);
    } else {
        auto fetched =
            awaitClient<SignedTreeHead>([&](auto done) { twinSession.fetchTreeHead(std::move(done)); });
        if (!fetched.ok())
            return fail(fetched.error());
        newer = std::move(*fetched);
    }
    out("old head: " + headLine(*older));
    out(std::string(p.isSet("new") ? "new head: " : "current head: ") + headLine(*newer));
    auto proof = awaitClient<ConsistencyProof>(
        [&](auto done) { twinSession.checkConsistency(*older, *newer, std::move(done)); });
    if (!proof.ok()) {
        out("consistency: FAILED");
        return fail(proof.error());
    }
    if (older->head.treeSize == newer->head.treeSize)
        out("consistency: verified - both heads describe the same tree of " +
            entries(newer->head.treeSize));
    else
        out("consistency: verified - the log of " + entries(newer->head.treeSize) +
            " extends the log of " + entries(older->head.treeSize) + " (proof of " +
            std::to_string(proof->path.size()) + " hashes checked)");
    if (!p.isSet("new"))
        return witnessHead(p, twinSession, *newer);
    return kExitOk;
}

// ---- status ---------------------------------------------------------------------------------

int cmdStatus(const QStringList& args) {
    QCommandLineParser p;
    addProfileOptions(p);
    p.addOption({"credential", "Also say whether this DT credential is revoked.", "file"});
    p.addOption({"out", "Save the signed status list to <file> (for `assertion verify --status-list`).",
                 "file"});
    if (auto rc = parseCommand(p, args,
                               "Fetch the home network's revocation status list, verify it with "
                               "the profile's issuer key, and show it; with --credential, "
                               "whether that credential is revoked (exit code of "
                               "credential-revoked when it is)."))
        return *rc;
    if (auto rc = require(p, {"profile"}))
        return *rc;
    std::optional<Credential> credential;
    if (p.isSet("credential")) {
        auto bytes = readBinary(p.value("credential"));
        if (!bytes.ok())
            return fail(bytes.error());
        auto parsed = parseCredential(*bytes);
        if (!parsed.ok())
            return fail(parsed.error());
        credential = std::move(*parsed);
    }
    Session session = openSession(p);
    if (session.exitCode)
        return *session.exitCode;
    auto list = awaitClient<StatusList>([&](auto done) { session.twin->fetchStatusList(std::move(done)); });
    if (!list.ok())
        return fail(list.error());
    const StatusListInfo& li = list->info();
    out("status list: " + li.uri + " (issuer " + li.issuer + ")");
    out("  sequence:  " + std::to_string(li.sequence));
    out("  size:      " + std::to_string(li.size) + " credentials, " +
        std::to_string(list->revokedCount()) + " revoked");
    out("  issued:    " + utc(li.issuedAt) + ", expires " + utc(li.expiresAt));
    out("  signature verified with the issuer key of the profile");
    if (p.isSet("out")) {
        if (auto st = writeBinary(p.value("out"), list->encoded()); !st.ok())
            return fail(st.error());
        out("  saved to " + p.value("out").toStdString());
    }
    if (!credential)
        return kExitOk;
    const CredentialClaims& c = credential->claims;
    StatusListRevocationChecker checker(*list);
    const Status st = checker.check(*credential, SystemClock::instance().now());
    if (st.ok()) {
        out("credential " + c.dtId + " (status index " + std::to_string(c.statusListIndex) +
            "): not revoked");
        return kExitOk;
    }
    if (st.code() == ErrorCode::CredentialRevoked) {
        out("credential " + c.dtId + " (status index " + std::to_string(c.statusListIndex) +
            "): REVOKED");
        return exitCodeFor(ErrorCode::CredentialRevoked);
    }
    return fail(st.error());
}

} // namespace twinseal::ctl
