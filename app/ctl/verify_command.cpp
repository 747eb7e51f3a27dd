// `twinsealctl assertion verify`: a peer's assertion, credential and media verified through the
// twin library's PeerVerifier, with every check the design requires. Revocation and log
// inclusion take their evidence from files (--status-list, --inclusion-proof [--tree-head]) or
// from the home network (--fetch); the media package, the replay cache and the pin store are
// required too. A check may be left out only by name (--skip), and the report is then
// Incomplete: its own exit code, never 0.
#include <QCommandLineParser>
#include <QEventLoop>

#include <iostream>
#include <optional>

#include <twinseal/twin/twin_session.h>
#include <twinseal/security/subscriber.h>
#include <twinseal/twin/peer_verifier.h>

#include "cli.h"
#include "commands.h"
#include "enterprise_command.h"

namespace twinseal::ctl {

using namespace twinseal::security;

namespace {

std::int64_t nowOr(const QCommandLineParser& p) {
    if (p.isSet("at"))
        return p.value("at").toLongLong();
    return SystemClock::instance().now();
}

// A public key file: a JWK, or a PEM "PUBLIC KEY" (SubjectPublicKeyInfo).
Result<PublicKey> readPublicKey(const QString& file) {
    auto text = readText(file);
    TWINSEAL_TRY(text);
    const auto first = text->find_first_not_of(" \t\r\n");
    if (first != std::string::npos && (*text)[first] == '{')
        return PublicKey::fromJwk(*text);
    const std::string begin = "-----BEGIN PUBLIC KEY-----";
    const std::string end = "-----END PUBLIC KEY-----";
    const auto b = text->find(begin);
    const auto e = text->find(end);
    if (b == std::string::npos || e == std::string::npos || e < b)
        return makeError(ErrorCode::MalformedInput,
                         file.toStdString() + " is neither a JWK nor a PEM public key");
    std::string body;
    for (char c : text->substr(b + begin.size(), e - b - begin.size()))
        if (c != '\n' && c != '\r' && c != ' ')
            body += c;
    auto der = QByteArray::fromBase64(QByteArray::fromStdString(body),
                                      QByteArray::AbortOnBase64DecodingErrors);
    if (der.isEmpty())
        return makeError(ErrorCode::MalformedInput, file.toStdString() + " has a bad PEM body");
    return PublicKey::fromSpki(ByteView(reinterpret_cast<const std::uint8_t*>(der.constData()),
                                        static_cast<std::size_t>(der.size())));
}

} // namespace

int cmdAssertionVerify(const QStringList& args) {
    QCommandLineParser p;
    p.addOptions(
        {{"assertion", "The compact JWS (file).", "file"},
         {"credential", "The peer's DT credential.", "file"},
         {"manifest", "The peer's signed avatar manifest.", "file"},
         {"package", "The peer's avatar media to check (folder or .glb). Required.", "path"},
         {"trust", "Trust list: PEM file of operator roots.", "file"},
         {"dest", "This call's destination URI (what the assertion must name).", "uri"},
         {"disclosures",
          "Attribute disclosures presented by the peer (name<TAB>disclosure lines, or the "
          "disclosures.json of `register`).",
          "file"},
         {"pins", "Pinned keys file (updated on first contact). Required.", "file"},
         {"replay-cache", "Replay cache file (checked and updated atomically). Required.", "file"},
         {"status-list",
          "The issuer's signed revocation status list (verified with the issuer's key).", "file"},
         {"inclusion-proof",
          "The credential's transparency-log receipt: its entry and inclusion proof (the "
          "receipt.tslr of `register`).",
          "file"},
         {"tree-head", "A signed tree head the entry must be included in (from `log head`).", "file"},
         {"log-key", "The transparency log's public key (JWK or PEM), to verify the above.", "file"},
         {"profile",
          "A USIM profile: its log key verifies --inclusion-proof/--tree-head; with --fetch, its "
          "home network is asked.",
          "file"},
         {"fetch",
          "Fetch the status list and the inclusion proof from the home network of --profile "
          "(the peer's credential must be from that network)."},
         {"timeout", "Seconds a --fetch request may make no progress.", "seconds", "15"},
         {"skip",
          "Go on without these checks, by name: revocation, log-inclusion, media, replay, pins "
          "(comma-separated). The report is then Incomplete (exit code 3).",
          "names"},
         {"at", "Verify as of this time (Unix seconds).", "seconds"},
         {"json", "Print the report as JSON."}});
    p.addOptions(roleVerifyOptions());
    if (auto rc = parseCommand(
            p, args,
            "Verify a peer's avatar: assertion, credential, issuer trust, revocation, log "
            "inclusion, media, replay, destination, pins, disclosures, required roles. Exit 0 "
            "verified, 2 untrusted issuer, 3 incomplete (a check was skipped with --skip), "
            "10+reason on failure."))
        return *rc;
    if (auto rc = require(p, {"assertion", "credential", "manifest", "dest"}))
        return *rc;
    std::vector<CheckId> skipped;
    if (p.isSet("skip")) {
        auto names = parseOptOut(p.value("skip").toStdString());
        if (!names.ok())
            return usage(p, QString::fromStdString(names.error().detail));
        skipped = std::move(*names);
    }
    auto skips = [&](CheckId id) {
        return std::find(skipped.begin(), skipped.end(), id) != skipped.end();
    };
    const bool fetch = p.isSet("fetch");
    if (fetch && !p.isSet("profile"))
        return usage(p, "--fetch needs --profile (whose home network is asked)");
    // Every check the design lists needs its evidence, unless it is skipped by name.
    struct Needed {
        CheckId id;
        bool given;
        const char* what;
    };
    const Needed needed[] = {
        {CheckId::MediaContent, p.isSet("package"), "--package (the media to check)"},
        {CheckId::Replay, p.isSet("replay-cache"), "--replay-cache"},
        {CheckId::PinnedKey, p.isSet("pins"), "--pins"},
        {CheckId::Revocation, fetch || p.isSet("status-list"), "--status-list or --fetch"},
        {CheckId::LogInclusion, fetch || p.isSet("inclusion-proof"), "--inclusion-proof or --fetch"},
    };
    for (const Needed& n : needed) {
        if (n.given || skips(n.id))
            continue;
        std::string name;
        for (const auto& o : optionalChecks())
            if (o.id == n.id)
                name = o.name;
        return usage(p, QString::fromStdString(std::string(n.what) + " is required, or --skip " +
                                               name + " to verify without it (the report is "
                                               "then incomplete)"));
    }

    VerifyParams vp;
    vp.assertionFile = p.value("assertion");
    vp.credentialFile = p.value("credential");
    vp.manifestFile = p.value("manifest");
    vp.packagePath = skips(CheckId::MediaContent) ? QString() : p.value("package");
    vp.trustFile = p.value("trust");
    vp.destination = p.value("dest").toStdString();
    vp.disclosuresFile = p.value("disclosures");
    vp.pinsFile = skips(CheckId::PinnedKey) ? QString() : p.value("pins");
    vp.replayCacheFile = skips(CheckId::Replay) ? QString() : p.value("replay-cache");
    vp.now = nowOr(p);
    if (!skips(CheckId::Revocation))
        vp.statusListFile = p.value("status-list");
    if (!skips(CheckId::LogInclusion)) {
        vp.inclusionFile = p.value("inclusion-proof");
        vp.treeHeadFile = p.value("tree-head");
    }

    std::optional<UsimProfileData> profile;
    if (p.isSet("profile")) {
        auto loaded = UsimProfileData::load(p.value("profile").toStdString());
        if (!loaded.ok())
            return fail(loaded.error());
        profile = std::move(*loaded);
    }
    if (auto rc = readRoleVerifyOptions(p, vp))
        return *rc;
    if (p.isSet("log-key")) {
        auto key = readPublicKey(p.value("log-key"));
        if (!key.ok())
            return fail(key.error());
        vp.logKey = std::move(*key);
    } else if (profile) {
        vp.logKey = profile->logKey;
    }
    if ((!vp.inclusionFile.isEmpty() || !vp.treeHeadFile.isEmpty()) && !vp.logKey)
        return usage(p, "--inclusion-proof and --tree-head need --log-key (or --profile)");

    if (fetch && !(skips(CheckId::Revocation) && skips(CheckId::LogInclusion))) {
        bool ok = false;
        const int timeout = p.value("timeout").toInt(&ok);
        if (!ok || timeout <= 0 || timeout > 3600)
            return usage(p, "--timeout takes a number of seconds (1-3600)");
        auto credential = twin::readPeerCredential(vp.credentialFile);
        if (credential.ok()) { // one that does not parse fails its own checks
            twin::SessionOptions options;
            options.requestTimeout = std::chrono::seconds(timeout);
            twin::TwinSession session(*profile, p.value("profile"), options);
            std::optional<twin::PeerEvidence> evidence = awaitResult<twin::PeerEvidence>(
                [&](auto done) { session.fetchPeerEvidence(*credential, std::move(done)); });
            if (skips(CheckId::Revocation)) {
                evidence->verifiedStatusList.reset();
                evidence->statusListUnavailable.clear();
            }
            if (skips(CheckId::LogInclusion)) {
                evidence->verifiedReceipt.reset();
                evidence->inclusionUnavailable.clear();
            }
            vp.fetched = std::move(evidence);
        }
    }

    auto r = opVerify(vp);
    if (!r.ok())
        return fail(r.error());
    if (p.isSet("json"))
        out(r->toJson());
    else
        std::cout << formatReport(*r) << std::flush;
    return exitCodeFor(*r);
}

} // namespace twinseal::ctl
