// `twinsealctl call ...`: option parsing and the participant's parts (its data directory, its
// session with its home network, its evidence builder, its peer verifier, its room host).
#include "call_command.h"
#include "commands.h"

#include <QCommandLineParser>
#include <QDeadlineTimer>
#include <QDir>
#include <QEventLoop>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocalSocket>
#include <QUrl>

#include <memory>
#include <string>
#include <variant>

#include <twinseal/calls/call_client.h>
#include <twinseal/calls/evidence_builder.h>
#include <twinseal/calls/home_networks.h>
#include <twinseal/calls/peer_evidence_verifier.h>
#include <twinseal/netclient/client_types.h>
#include <twinseal/netclient/service_client.h>
#include <twinseal/security/keys.h>
#include <twinseal/security/subscriber.h>
#include <twinseal/twin/data_layout.h>
#include <twinseal/twin/twin_session.h>
#include <twinseal/twin/twin_store.h>

#include "call_control.h"
#include "call_participant.h"
#include "cli.h"

namespace twinseal::ctl {

using namespace twinseal::security;

namespace {

constexpr const char* kHomeNetworksFile = "home-networks.json"; // in the data directory
constexpr const char* kCallCacheDir = "call-cache";             // peers' status lists and media

const char* const kEvents =
    "Output: one JSON object per line on stdout, \"event\" naming it: handle, connected, state "
    "(state, reason when ended), room-created (roomId, roomUri, roomCode, protection), joined "
    "(participantId, roomId, roomUri, protection, integrityOnly), invite, incoming-call, "
    "peer-report (participantId, state, summary, reason when Failed, displayHint, pseudonym, "
    "report: the full verification report), peer-left, key-installed, key-refused (code), rekey "
    "(epoch, peers), revocation-notice, peer-revoked, frame-refused (the first of each reason "
    "per peer: code, message), frames (per peer every second while it changes: received, "
    "refused, refusedReasons), frames-sent, frame-sent (--print-sent-frames), refused (an input the call set-up ignored), "
    "protocol-error, host-error, leaving, not-verified, left (exitCode). Progress goes to "
    "stderr.\n"
    "Leaving: a line \"leave\" on stdin, `twinsealctl call leave --data-dir` with this data "
    "directory, SIGTERM or SIGINT, --duration after entering the room, or the end of stdin when "
    "--duration is not given. Other stdin lines: "
    "\"invite HANDLE\", \"accept\", \"decline\", \"rekey\".\n"
    "Exit codes: 0 the call ended normally, 1 usage, 10+ a local failure (holder key, "
    "profile), 130 the room host refused or ended the call, 131 the room host cannot be "
    "reached or the connection was lost, 132 not in the room in time, 133 the room host broke "
    "the protocol, 134 (--require-verified) a peer was not Verified, 135 the participant's own "
    "evidence could not be built.";

void addCommonOptions(QCommandLineParser& p) {
    p.addOptions({
        {"data-dir", "The twin's data directory (credential.tsc from `register --out-dir`, and "
                     "by default profile.usim, holder.key, trust/*.pem, home-networks.json).", "dir"},
        {"profile", "The USIM profile (default: <data-dir>/profile.usim).", "file"},
        {"key", "The holder key (default: <data-dir>/holder.key).", "file"},
        {"handle", "Your transfer handle (invitations ring to it; default: the one your home "
                   "network gave your twin, printed as the handle event).", "handle"},
        {"display-hint", "A name shown to the peers as an unverified hint.", "text"},
        {"role-credential", "A role credential of yours to present (repeatable).", "file"},
        {"home-networks", "The other home networks you may verify peers of (JSON; default: "
                          "<data-dir>/home-networks.json when present).", "file"},
        {"room-host", "Another operator's room host (https://host:port or wss://.../v1/ws); "
                      "default: your home network.", "url"},
        {"room-host-ca", "The CA certificate (PEM) of --room-host's TLS certificate.", "file"},
        {"room-host-operator", "The operator name of --room-host.", "name"},
        {"duration", "Leave this many seconds after entering the room (0: only on \"leave\" or "
                     "a signal; stdin's end is then ignored).", "seconds"},
        {"pose-rate", "Animation frames per second of the scripted pose stream (0: none).", "hz", "30"},
        {"timeout", "Seconds to reach the room host and be in the room.", "seconds", "60"},
        {"revocation-recheck", "Seconds between re-checks of the peers' revocation status (0: "
                               "only on the host's notice).", "seconds", "30"},
        {"require-verified", "Exit 134 when a peer's last report was not Verified."},
        {"print-sent-frames", "Print each protected frame sent (frame-sent: epoch, sframe in "
                              "base64), to check what the relay and others can read."},
    });
    addPassphraseOption(p);
}

std::string percentEncoded(const std::string& text) {
    return QUrl::toPercentEncoding(QString::fromStdString(text)).toStdString();
}

// "https://host:port" or "wss://host:port[/v1/ws]" -> "wss://host:port/v1/ws".
QUrl roomHostUrl(const QString& text) {
    QUrl u(text, QUrl::StrictMode);
    if (u.scheme() == QLatin1String("https"))
        u.setScheme(QStringLiteral("wss"));
    if (u.path().isEmpty() || u.path() == QLatin1String("/"))
        u.setPath(QStringLiteral("/v1/ws"));
    return u;
}

// The twin's transfer handle from its home network (authenticating first); an exit code when
// it cannot be had.
std::variant<int, std::string> ownTransferHandle(twin::TwinSession& session) {
    const auto auth = awaitClient<void>([&](auto done) { session.authenticated(std::move(done)); });
    if (!auth.ok())
        return fail(auth.error());
    const auto me = awaitClient<netclient::SubscriberInfo>([&](auto done) { session.client().me(std::move(done)); });
    if (!me.ok())
        return fail(me.error());
    return me->transferHandle;
}

// Everything a participant is made of, destroyed in reverse order.
struct Participant {
    std::unique_ptr<twin::TwinStore> store;
    std::unique_ptr<twin::TwinSession> session;
    std::unique_ptr<calls::EvidenceBuilder> builder;
    std::unique_ptr<calls::PeerEvidenceVerifier> verifier;
    std::unique_ptr<calls::CallClient> client;
    std::string hostOperator; // percent-encoded, as in room URIs
    std::string handle;       // our transfer handle
    QString hostUrl;
};

// Builds the participant from the options; an exit code when it cannot.
std::variant<int, Participant> assemble(const QCommandLineParser& p) {
    if (auto rc = require(p, {"data-dir"}))
        return *rc;
    const QString dataDir = p.value("data-dir");
    Participant part;
    part.store = std::make_unique<twin::TwinStore>(dataDir);
    twin::TwinStore& store = *part.store;
    if (!QFileInfo::exists(store.path(twin::layout::kCredential))) {
        info("twinsealctl: no-credential: " + dataDir.toStdString() +
             " holds no DT credential; register the twin first (twinsealctl register --out-dir " +
             dataDir.toStdString() + ")");
        return kExitCallEvidence;
    }
    bool ok = false;
    const int timeout = p.value("timeout").toInt(&ok);
    if (!ok || timeout <= 0 || timeout > 3600)
        return usage(p, "--timeout takes a number of seconds (1-3600)");
    const int recheck = p.value("revocation-recheck").toInt(&ok);
    if (!ok || recheck < 0 || recheck > 86400)
        return usage(p, "--revocation-recheck takes a number of seconds (0-86400)");
    const bool otherHost = p.isSet("room-host");
    if (otherHost != p.isSet("room-host-ca") || otherHost != p.isSet("room-host-operator"))
        return usage(p, "--room-host, --room-host-ca and --room-host-operator go together");

    const QString profilePath = p.isSet("profile") ? p.value("profile") : store.path(twin::layout::kProfile);
    const QString keyPath = p.isSet("key") ? p.value("key") : store.path(twin::layout::kHolderKey);
    auto profile = UsimProfileData::load(profilePath.toStdString());
    if (!profile.ok())
        return fail(profile.error());
    auto pass = readPassphrase(p, "Holder key passphrase", false);
    if (!pass.ok())
        return fail(pass.error());
    auto key = SigningKey::loadEncryptedAndUpgrade(keyPath.toStdString(), *pass);
    if (!key.ok()) {
        forget(*pass);
        return fail(key.error());
    }
    // The same passphrase opens the profile's K and OPc (one still in clear is sealed now).
    profile = UsimProfileData::loadAndUnlock(profilePath.toStdString(), *pass);
    forget(*pass);
    if (!profile.ok())
        return fail(profile.error());

    // Role credentials to present.
    calls::EvidenceOptions evidence;
    for (const QString& file : p.values("role-credential")) {
        auto bytes = readBinary(file);
        if (!bytes.ok())
            return fail(bytes.error());
        evidence.roleCredentials.push_back(std::move(*bytes));
    }
    evidence.displayHint = (p.isSet("display-hint") ? p.value("display-hint") : p.value("handle")).toStdString();

    // The peers' home networks: our own, and the configured ones.
    const QString configured = p.isSet("home-networks") ? p.value("home-networks") : QDir(dataDir).filePath(kHomeNetworksFile);
    calls::HomeNetworkDirectory directory;
    if (p.isSet("home-networks") || QFileInfo::exists(configured)) {
        auto loaded = calls::loadHomeNetworks(configured);
        if (!loaded.ok())
            return fail(loaded.error());
        directory = std::move(*loaded);
    }

    // The room host: our home network's, or another operator's.
    calls::CallClientOptions options;
    options.setup.ownHandle = p.value("handle").toStdString();
    options.revocationRecheckMs = recheck * 1000;
    if (otherHost) {
        options.url = roomHostUrl(p.value("room-host"));
        auto ca = readText(p.value("room-host-ca"));
        if (!ca.ok())
            return fail(ca.error());
        options.tlsCaPem = std::move(*ca);
        part.hostOperator = percentEncoded(p.value("room-host-operator").toStdString());
    }

    twin::SessionOptions sessionOptions;
    sessionOptions.requestTimeout = std::chrono::seconds(timeout);
    const std::string trustPem = profile->trustListPem;
    part.session = std::make_unique<twin::TwinSession>(std::move(*profile), profilePath, sessionOptions);
    part.session->adoptKey(std::move(*key));
    if (options.setup.ownHandle.empty()) {
        // Our transfer handle, as the home network knows it (invitations ring to it).
        auto handle = ownTransferHandle(*part.session);
        if (auto* rc = std::get_if<int>(&handle))
            return *rc;
        options.setup.ownHandle = std::get<std::string>(handle);
    }
    part.handle = options.setup.ownHandle;
    const UsimProfileData& own = part.session->profile();
    directory.add(calls::HomeNetworkEntry::fromProfile(own, part.session->address().toStdString()));
    if (!otherHost) {
        options.url = roomHostUrl(part.session->address());
        options.tlsCaPem = own.tlsCaPem;
        part.hostOperator = percentEncoded(own.operatorName);
    }
    if (!options.url.isValid() || options.url.scheme() != QLatin1String("wss"))
        return usage(p, "--room-host takes an https:// or wss:// URL");
    options.hostOperator = part.hostOperator;
    part.hostUrl = options.url.toString();

    auto stores = calls::storesOf(store, trustPem);
    if (!stores.ok())
        return fail(stores.error());
    calls::PeerVerifierConfig config;
    config.stores = std::move(*stores);
    config.homeNetworks = std::move(directory);
    config.cacheDir = QDir(dataDir).filePath(kCallCacheDir);
    config.requestTimeout = std::chrono::seconds(timeout);
    QDir().mkpath(config.cacheDir);

    part.builder = std::make_unique<calls::EvidenceBuilder>(store, *part.session, std::move(evidence));
    part.verifier = std::make_unique<calls::PeerEvidenceVerifier>(std::move(config));
    part.client = std::make_unique<calls::CallClient>(std::move(options), *part.builder, *part.verifier);
    return part;
}

// The options every mode shares into the plan; an exit code on a usage error.
std::optional<int> readPlan(const QCommandLineParser& p, CallPlan& plan) {
    bool ok = false;
    plan.timeoutSeconds = p.value("timeout").toInt(&ok);
    plan.poseRate = p.value("pose-rate").toDouble(&ok);
    if (!ok || plan.poseRate < 0 || plan.poseRate > 240)
        return usage(p, "--pose-rate takes frames per second (0-240)");
    if (p.isSet("duration")) {
        const int d = p.value("duration").toInt(&ok);
        if (!ok || d < 0)
            return usage(p, "--duration takes a number of seconds (0: no limit)");
        plan.durationSeconds = d;
    }
    plan.requireVerified = p.isSet("require-verified");
    plan.printSentFrames = p.isSet("print-sent-frames");
    return std::nullopt;
}

int runParticipant(const QCommandLineParser& p, CallPlan plan) {
    if (auto rc = readPlan(p, plan))
        return *rc;
    auto built = assemble(p);
    if (auto* rc = std::get_if<int>(&built))
        return *rc;
    Participant& part = std::get<Participant>(built);
    if (plan.mode == CallPlan::Mode::Join && plan.roomUri.empty())
        plan.roomUri = "urn:twinseal:room:" + part.hostOperator + ":" + plan.roomId;
    info("Calling through the room host " + part.hostUrl.toStdString());
    plan.ownHandle = part.handle;
    CallParticipant participant(*part.client, std::move(plan));
    // `call leave --data-dir` reaches this participant through its data directory.
    calls::CallClient& client = *part.client;
    CallControlServer control([&client] { return client.setup().roomId(); });
    QObject::connect(&control, &CallControlServer::leaveRequested, &participant,
                     [&participant] { participant.requestLeave(); });
    if (const std::string why = control.listen(p.value("data-dir")); !why.empty())
        info("twinsealctl: `call leave` cannot reach this participant: " + why);
    return participant.run();
}

void addCreateOptions(QCommandLineParser& p) {
    p.addOptions({
        {"title", "The room's title.", "text", "TwinSeal call"},
        {"role", "A role every participant must prove (repeatable).", "role"},
        {"enterprise-root", "An enterprise root (PEM) that may vouch for the required roles "
                            "(repeatable).", "file"},
        {"integrity-only", "Frames are authenticated, NOT encrypted (where the law forbids "
                           "confidentiality)."},
        {"invite", "Invite a transfer handle once the room exists (repeatable).", "handle"},
        {"room-code", "Anyone with the room code may join (the default when nobody is invited)."},
        {"rekey-seconds", "The room's frame re-key interval (0: 600).", "seconds", "0"},
        {"max-participants", "At most this many participants (0: the host's limit).", "n", "0"},
    });
}

std::optional<int> readPolicy(const QCommandLineParser& p, const QStringList& invites, CallPlan& plan) {
    proto::RoomPolicy& policy = plan.policy;
    policy.set_title(p.value("title").toStdString());
    const QStringList roles = p.values("role");
    std::vector<std::string> roots;
    for (const QString& file : p.values("enterprise-root")) {
        auto pem = readText(file);
        if (!pem.ok())
            return fail(pem.error());
        roots.push_back(std::move(*pem));
    }
    if (!roles.isEmpty() && roots.empty())
        return usage(p, "--role needs the --enterprise-root that may vouch for it");
    for (const QString& role : roles) {
        proto::RoleRequirement* r = policy.add_required_roles();
        r->set_role(role.toStdString());
        for (const auto& pem : roots)
            r->add_enterprise_roots_pem(pem);
    }
    policy.set_protection(p.isSet("integrity-only") ? proto::INTEGRITY_ONLY : proto::CONFIDENTIAL);
    for (const QString& h : invites) {
        policy.add_invited_handles(h.toStdString());
        plan.invites.push_back(h.toStdString());
    }
    policy.set_admission(p.isSet("room-code") || invites.isEmpty() ? proto::ROOM_CODE : proto::INVITED_ONLY);
    bool ok = false;
    const uint rekey = p.value("rekey-seconds").toUInt(&ok);
    if (!ok)
        return usage(p, "--rekey-seconds takes a number of seconds");
    policy.set_rekey_seconds(rekey);
    const uint max = p.value("max-participants").toUInt(&ok);
    if (!ok)
        return usage(p, "--max-participants takes a number");
    policy.set_max_participants(max);
    return std::nullopt;
}

QString about(const char* what) { return QString::fromUtf8(what) + "\n\n" + QString::fromUtf8(kEvents); }

} // namespace

int cmdCallCreate(const QStringList& args) {
    QCommandLineParser p;
    addCommonOptions(p);
    addCreateOptions(p);
    if (auto rc = parseCommand(p, args, about("Create a call room on the room host and stay in it as a "
                                              "headless participant: every peer is verified and "
                                              "reported, the scripted pose stream is sent.")))
        return *rc;
    CallPlan plan;
    plan.mode = CallPlan::Mode::Create;
    if (auto rc = readPolicy(p, p.values("invite"), plan))
        return *rc;
    return runParticipant(p, std::move(plan));
}

int cmdCallInvite(const QStringList& args) {
    QCommandLineParser p;
    addCommonOptions(p);
    addCreateOptions(p);
    p.addPositionalArgument("handles", "The transfer handles to call.", "HANDLE...");
    if (auto rc = parseCommand(p, args, about("Call transfer handles: create a room that admits them "
                                              "(and, with --room-code, anyone with its code), invite "
                                              "them, and stay in it as a headless participant. More "
                                              "handles can be invited with \"invite HANDLE\" lines "
                                              "on stdin.")))
        return *rc;
    QStringList handles = p.positionalArguments() + p.values("invite");
    if (handles.isEmpty())
        return usage(p, "name at least one handle to call");
    CallPlan plan;
    plan.mode = CallPlan::Mode::Create;
    if (auto rc = readPolicy(p, handles, plan))
        return *rc;
    return runParticipant(p, std::move(plan));
}

int cmdCallJoin(const QStringList& args) {
    QCommandLineParser p;
    addCommonOptions(p);
    p.addOptions({
        {"code", "The room code (rooms that admit anyone with it).", "code"},
        {"room-uri", "The room's URI (default: urn:twinseal:room:<host operator>:<room id>).", "uri"},
    });
    p.addPositionalArgument("room-id", "The room to join (room-created's roomId).", "ROOM_ID");
    if (auto rc = parseCommand(p, args, about("Join a call room as a headless participant: every peer "
                                              "is verified and reported, the scripted pose stream "
                                              "is sent.")))
        return *rc;
    if (p.positionalArguments().size() != 1)
        return usage(p, "name the room to join (ROOM_ID)");
    CallPlan plan;
    plan.mode = CallPlan::Mode::Join;
    plan.roomId = p.positionalArguments().at(0).toStdString();
    plan.roomCode = p.value("code").toStdString();
    plan.roomUri = p.value("room-uri").toStdString();
    return runParticipant(p, std::move(plan));
}

int cmdCallListen(const QStringList& args) {
    QCommandLineParser p;
    addCommonOptions(p);
    p.addOptions({
        {"accept", "Accept the first invitation that rings."},
        {"decline", "Decline every invitation."},
    });
    if (auto rc = parseCommand(p, args, about("Be reachable at your transfer handle: invitations ring here and are "
                                              "accepted (--accept), declined (--decline) or answered "
                                              "by an \"accept\" or \"decline\" line on stdin; an "
                                              "accepted call runs as in `call join`.")))
        return *rc;
    if (p.isSet("accept") && p.isSet("decline"))
        return usage(p, "--accept or --decline, not both");
    CallPlan plan;
    plan.mode = CallPlan::Mode::Listen;
    plan.answer = p.isSet("accept")    ? CallPlan::Answer::Accept
                  : p.isSet("decline") ? CallPlan::Answer::Decline
                                       : CallPlan::Answer::Ask;
    return runParticipant(p, std::move(plan));
}

int cmdCallLeave(const QStringList& args) {
    QCommandLineParser p;
    p.addOptions({
        {"data-dir", "The data directory of the running participant (`call create|join|invite|"
                     "listen --data-dir`).", "dir"},
        {"room", "Leave only if it is in this room (room-created's or joined's roomId).", "id"},
        {"timeout", "Seconds to wait until it has left.", "seconds", "30"},
    });
    if (auto rc = parseCommand(p, args, QStringLiteral(
            "Tell the call participant running with a data directory to leave its call cleanly: it "
            "leaves the room, prints its last JSON lines (leaving, left) and exits as it does on a "
            "\"leave\" line. Prints {\"event\":\"participant-left\",\"roomId\":...} once it has "
            "left.\nExit codes: 0 it left, 1 usage, 132 it did not leave within --timeout, 136 no "
            "call is running with that data directory, 137 it is in another room than --room.")))
        return *rc;
    if (auto rc = require(p, {"data-dir"}))
        return *rc;
    bool ok = false;
    const int timeout = p.value("timeout").toInt(&ok);
    if (!ok || timeout <= 0 || timeout > 3600)
        return usage(p, "--timeout takes a number of seconds (1-3600)");
    const QString dataDir = p.value("data-dir");
    const QString path = callControlPath(dataDir);
    const auto notRunning = [&](const std::string& why) {
        info("twinsealctl: call-not-running: no call is running with the data directory " +
             dataDir.toStdString() + " (" + why + ")");
        return kExitCallNotRunning;
    };
    if (!QFileInfo::exists(path))
        return notRunning("no control socket " + path.toStdString());
    QLocalSocket socket;
    socket.connectToServer(path);
    if (!socket.waitForConnected(timeout * 1000))
        return notRunning(path.toStdString() + " does not answer: " + socket.errorString().toStdString());
    const QString request = p.isSet("room") ? QStringLiteral("leave ") + p.value("room") : QStringLiteral("leave");
    socket.write(request.toUtf8() + "\n");
    socket.flush();
    const QDeadlineTimer deadline{std::chrono::seconds(timeout)};
    while (!socket.canReadLine() && socket.state() == QLocalSocket::ConnectedState && !deadline.hasExpired())
        socket.waitForReadyRead(static_cast<int>(std::max<qint64>(deadline.remainingTime(), 1)));
    const QString answer = QString::fromUtf8(socket.readLine(1024)).trimmed();
    const QString room = answer.section(QLatin1Char(' '), 1);
    if (answer.startsWith(QLatin1String("other-room"))) {
        info("twinsealctl: call-other-room: the call running with " + dataDir.toStdString() + " is " +
             (room.isEmpty() ? std::string("not in a room yet") : "in room " + room.toStdString()) +
             ", not in room " + p.value("room").toStdString() + "; it was not asked to leave");
        return kExitCallOtherRoom;
    }
    if (!answer.startsWith(QLatin1String("leaving")))
        return notRunning(path.toStdString() + " gave no answer to the leave request");
    while (socket.state() != QLocalSocket::UnconnectedState && !deadline.hasExpired())
        socket.waitForDisconnected(static_cast<int>(std::max<qint64>(deadline.remainingTime(), 1)));
    if (socket.state() != QLocalSocket::UnconnectedState) {
        info("twinsealctl: call-leave-timeout: the participant running with " + dataDir.toStdString() +
             " was asked to leave but has not left after " + std::to_string(timeout) + " s");
        return kExitCallTimeout;
    }
    out(QJsonDocument(QJsonObject{{"event", "participant-left"}, {"roomId", room}})
            .toJson(QJsonDocument::Compact)
            .toStdString());
    return kExitOk;
}

void printCallExitCodes() {
    out(std::to_string(kExitCallHostRefused) + "\tcall: the room host refused or ended the call");
    out(std::to_string(kExitCallConnection) + "\tcall: the room host cannot be reached, or the connection was lost");
    out(std::to_string(kExitCallTimeout) + "\tcall: not in the room in time");
    out(std::to_string(kExitCallProtocol) + "\tcall: the room host broke the protocol");
    out(std::to_string(kExitCallNotVerified) + "\tcall: --require-verified and a peer was not Verified");
    out(std::to_string(kExitCallEvidence) + "\tcall: the participant's own evidence could not be built");
    out(std::to_string(kExitCallNotRunning) + "\tcall leave: no call is running with that data directory");
    out(std::to_string(kExitCallOtherRoom) + "\tcall leave: the call running there is in another room");
}

} // namespace twinseal::ctl
