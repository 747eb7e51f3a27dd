#include "twinseal/viewmodels/calls_controller.h"

#include <QClipboard>
#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QGuiApplication>
#include <QPointer>
#include <QRegularExpression>
#include <QUrl>

#include <algorithm>
#include <cmath>

#include <twinseal/calls/animation_frame.h>
#include <twinseal/calls/call_client.h>
#include <twinseal/calls/evidence_builder.h>
#include <twinseal/calls/home_networks.h>
#include <twinseal/calls/peer_evidence_verifier.h>
#include <twinseal/calls/tracked_pose.h>
#include <twinseal/netclient/service_client.h>
#include <twinseal/security/audit_entry.h>
#include <twinseal/security/clock.h>
#include <twinseal/security/credential.h>
#include <twinseal/security/subscriber.h>
#include <twinseal/twin/pin_file.h>
#include <twinseal/twin/role_store.h>
#include <twinseal/twin/twin_session.h>
#include <twinseal/twin/twin_store.h>

#include "twinseal/viewmodels/audit_trail.h"
#include "qt_text.h"

namespace twinseal::viewmodels {

using calls::CallState;
using security::ErrorCode;
using security::OverallState;

namespace {

constexpr int kConnectPollMs = 100;
constexpr int kConnectTimeoutMs = 15000;
constexpr int kDefaultFrameRate = 30;

// [x, y, z] and [x, y, z, w] for the QML views.
QVariantList vec(const std::array<float, 3>& v) { return {v[0], v[1], v[2]}; }
QVariantList quat(const std::array<float, 4>& q) { return {q[0], q[1], q[2], q[3]}; }

ParticipantListModel::Pose poseOf(const calls::AnimationFrame& f) {
    ParticipantListModel::Pose p;
    p.headRotation = quat(f.head.rotation);
    p.headPosition = vec(f.head.position);
    p.leftHand = vec(f.leftHand.position);
    p.rightHand = vec(f.rightHand.position);
    p.leftHandRotation = quat(f.leftHand.rotation);
    p.rightHandRotation = quat(f.rightHand.rotation);
    for (float w : f.blendShapes)
        p.blendShapes.append(w);
    return p;
}

// The local avatar's idle motion plus the user's head input at time `t` (seconds).
calls::AnimationFrame idlePose(double t, double yawInput, double pitchInput) {
    const double yaw = yawInput + 0.08 * std::sin(0.6 * t);
    const double pitch = pitchInput + 0.04 * std::sin(0.9 * t + 1.0);
    const double cy = std::cos(yaw / 2), sy = std::sin(yaw / 2);
    const double cp = std::cos(pitch / 2), sp = std::sin(pitch / 2);
    calls::AnimationFrame f;
    f.timestampUs = static_cast<std::int64_t>(t * 1e6);
    // Yaw about Y, then pitch about X.
    f.head.rotation = {static_cast<float>(cy * sp), static_cast<float>(sy * cp), static_cast<float>(-sy * sp),
                       static_cast<float>(cy * cp)};
    // Offsets from the rest pose (animation_frame.h): breathing, the forearms raised in front.
    f.head.position = {0.f, static_cast<float>(0.004 * std::sin(2.1 * t)), 0.f};
    f.leftHand.position = {-0.05f, static_cast<float>(0.2 + 0.01 * std::sin(1.3 * t)), 0.2f};
    f.rightHand.position = {0.05f, static_cast<float>(0.2 + 0.01 * std::sin(1.3 * t + 1.0)), 0.2f};
    f.blendShapes.assign(calls::kBlendShapeNames.size(), 0.f);
    f.blendShapes[calls::kBlendShapeMouthOpen] = static_cast<float>(0.1 + 0.05 * std::sin(0.7 * t));
    f.blendShapes[calls::kBlendShapeBlink] = std::fmod(t, 4.0) < 0.15 ? 1.f : 0.f;
    return f;
}

QString stateWords(CallState s) {
    switch (s) {
    case CallState::Idle: return CallsController::tr("Not connected to the room host");
    case CallState::Listening: return CallsController::tr("Reachable: calls to your handle ring here");
    case CallState::Creating: return CallsController::tr("Creating the room…");
    case CallState::Joining: return CallsController::tr("Joining the room…");
    case CallState::Verifying: return CallsController::tr("In the room, verifying participants…");
    case CallState::Inviting: return CallsController::tr("Waiting for the people you invited");
    case CallState::Ringing: return CallsController::tr("Incoming call");
    case CallState::InCall: return CallsController::tr("In the call: every participant checked");
    case CallState::Reconnecting: return CallsController::tr("Connection lost: rejoining…");
    case CallState::Left: return CallsController::tr("You left the call");
    case CallState::Ended: return CallsController::tr("The call ended");
    }
    return {};
}

bool roomState(CallState s) {
    return s == CallState::Verifying || s == CallState::Inviting || s == CallState::InCall ||
           s == CallState::Reconnecting;
}

// The role credentials to present in a room: those held on My Twin for the credential's holder
// key and valid now.
std::vector<security::Bytes> rolesToPresent(const twin::TwinStore& store) {
    const security::Credential* credential = store.credential();
    if (!credential)
        return {};
    return twin::RoleCredentialStore(store.dataDir())
        .presentable(credential->claims.holderKey.thumbprint(), security::SystemClock::instance().now());
}

QByteArray digestOf(const std::vector<security::Bytes>& roles) {
    QCryptographicHash h(QCryptographicHash::Sha256);
    for (const security::Bytes& r : roles) {
        h.addData(QByteArray::number(static_cast<qulonglong>(r.size())) + ':');
        h.addData(QByteArrayView(reinterpret_cast<const char*>(r.data()), static_cast<qsizetype>(r.size())));
    }
    return h.result();
}

} // namespace

CallsController::CallsController(twin::TwinStore& store, AuditTrail& audit, QObject* parent)
    : PageModel(store, audit, parent) {
    m_participants.setParent(this);
    m_alerts.setParent(this);
    m_report.setParent(this);
    m_animation.setInterval(1000 / kDefaultFrameRate);
    m_animation.setTimerType(Qt::PreciseTimer);
    connect(&m_animation, &QTimer::timeout, this, &CallsController::tick);
    m_connectWait.setInterval(kConnectPollMs);
    connect(&m_connectWait, &QTimer::timeout, this, [this] {
        if (m_client && m_client->connected()) {
            m_connectWait.stop();
            auto waiting = std::move(m_waiting);
            m_waiting.clear();
            for (auto& next : waiting)
                next();
            return;
        }
        if (m_connectWait.property("elapsed").toInt() >= kConnectTimeoutMs) {
            m_connectWait.stop();
            m_waiting.clear();
            m_state.setBusy(false);
            fail(QStringLiteral("room-host-unreachable"),
                 tr("The room host of your home network (%1) cannot be reached. Check the home network's "
                    "address in Settings and your connection, then try again.")
                     .arg(m_address));
            return;
        }
        m_connectWait.setProperty("elapsed", m_connectWait.property("elapsed").toInt() + kConnectPollMs);
    });
    // Another session (a new profile, or a replaced one): the call client is built again.
    connect(this, &PageModel::sessionChanged, this, [this] {
        if (m_client && m_session != m_clientSession)
            dropClient();
    });
}

void CallsController::dropClient() {
    m_animation.stop();
    disconnect(m_client.get(), nullptr, this, nullptr);
    m_client.reset();
    m_verifier.reset();
    m_builder.reset();
    m_participants.clear();
    emit callChanged();
}

CallsController::~CallsController() {
    m_animation.stop();
    if (m_client)
        disconnect(m_client.get(), nullptr, this, nullptr); // closing its socket says so
    m_client.reset(); // before what it refers to
    m_verifier.reset();
    m_builder.reset();
}

void CallsController::setHomeNetwork(const security::UsimProfileData* profile, const QString& address) {
    if (!profile) {
        m_home.reset();
        m_trustListPem.clear();
        m_address.clear();
        return;
    }
    m_home = std::make_unique<calls::HomeNetworkEntry>(
        calls::HomeNetworkEntry::fromProfile(*profile, address.toStdString()));
    m_trustListPem = profile->trustListPem;
    m_address = address.isEmpty() ? qs(profile->serviceUrl) : address;
}

void CallsController::setOwnModel(const QUrl& model) { m_ownModel = model; }

void CallsController::setFrameRate(int hz) { m_animation.setInterval(1000 / std::max(1, hz)); }

QString CallsController::callState() const {
    return qs(calls::callStateName(m_client ? m_client->state() : CallState::Idle));
}

QString CallsController::callStateText() const {
    if (!m_client)
        return stateWords(CallState::Idle);
    const CallState s = m_client->state();
    if (s == CallState::Ended)
        return tr("The call ended (%1)").arg(qs(calls::endReasonName(m_client->setup().endReason())));
    if (s == CallState::InCall && !allVerified()) {
        int peers = 0, verified = 0;
        for (const auto& row : m_participants.rows()) {
            if (row.local)
                continue;
            ++peers;
            verified += row.state == QLatin1String("verified") ? 1 : 0;
        }
        return tr("In the call: %1 of %2 participants verified (the others are not shown)").arg(verified).arg(peers);
    }
    return stateWords(s);
}

bool CallsController::allVerified() const {
    if (!inRoom())
        return false;
    for (const auto& row : m_participants.rows())
        if (!row.local && row.state != QLatin1String("verified"))
            return false;
    return true;
}

bool CallsController::inRoom() const { return m_client && roomState(m_client->state()); }

bool CallsController::reachable() const {
    return m_client && m_client->state() != CallState::Idle && m_client->connected();
}

QString CallsController::roomTitle() const {
    return m_client ? qs(m_client->setup().policy().title()) : QString();
}

QString CallsController::roomUri() const { return m_client ? qs(m_client->setup().roomUri()) : QString(); }

QString CallsController::invitation() const {
    if (!inRoom())
        return {};
    const QString code = roomCode();
    return code.isEmpty() ? roomUri() : roomUri() + QLatin1Char(' ') + code;
}

QString CallsController::roomIdText() const { return m_client ? qs(m_client->setup().roomId()) : QString(); }

bool CallsController::integrityOnly() const { return inRoom() && m_client->integrityOnly(); }

// ---- the call client --------------------------------------------------------------------------

bool CallsController::buildClient(QString* code, QString* message) {
    if (!m_home) {
        *code = QStringLiteral("no-profile");
        *message = tr("Import your USIM profile first: calls go through your home network.");
        return false;
    }
    calls::EvidenceOptions evidence;
    if (m_disclosures) {
        auto chooser = m_disclosures;
        evidence.disclosures = [chooser](const std::string& roomUri) { return chooser(qs(roomUri)); };
    }
    evidence.roleCredentials = rolesToPresent(m_store);
    m_rolesPresented = digestOf(evidence.roleCredentials);
    auto stores = calls::storesOf(m_store, m_trustListPem);
    if (!stores.ok()) {
        *code = qs(security::errorCodeName(stores.code()));
        *message = tr("This device's trust list, pins or replay cache cannot be read: %1")
                       .arg(qs(stores.error().detail));
        return false;
    }
    m_pinsFile = stores->pinsFile;
    calls::PeerVerifierConfig config;
    config.stores = std::move(*stores);
    config.homeNetworks.add(*m_home);
    // Other operators' home networks this device knows (their address, TLS CA and keys).
    const QString known = QDir(m_store.dataDir()).filePath(QStringLiteral("home-networks.json"));
    if (QFileInfo::exists(known)) {
        auto directory = calls::loadHomeNetworks(known);
        if (!directory.ok()) {
            *code = qs(security::errorCodeName(directory.code()));
            *message = tr("The list of known home networks (%1) cannot be used: %2")
                           .arg(known, qs(directory.error().detail));
            return false;
        }
        for (const calls::HomeNetworkEntry& e : directory->entries())
            config.homeNetworks.add(e);
    }
    config.cacheDir = QDir(m_store.dataDir()).filePath(QStringLiteral("call-cache"));

    calls::CallClientOptions options;
    QUrl url(m_address);
    url.setScheme(QStringLiteral("wss"));
    url.setPath(QStringLiteral("/v1/ws"));
    options.url = url;
    options.tlsCaPem = m_home->tlsCaPem;
    options.hostOperator = QUrl::toPercentEncoding(qs(m_home->operatorName)).toStdString();
    options.setup.ownHandle = m_handle.toStdString();

    m_builder = std::make_unique<calls::EvidenceBuilder>(m_store, *m_session, std::move(evidence));
    m_verifier = std::make_unique<calls::PeerEvidenceVerifier>(std::move(config));
    m_client = std::make_unique<calls::CallClient>(std::move(options), *m_builder, *m_verifier);
    m_clientSession = m_session;
    calls::CallClient* c = m_client.get();
    connect(c, &calls::CallClient::stateChanged, this, &CallsController::onState);
    connect(c, &calls::CallClient::roomCreated, this, [this](const QString&, const QString&, const QString& code) {
        m_roomCode = code;
        emit callChanged();
    });
    // Queued: the client stores a peer's outcome (its report, its verified media) right after
    // it announces it.
    connect(
        c, &calls::CallClient::peerReport, this,
        [this](quint32 id, const QString& state, const QString& summary, const QString&) {
            onPeerReport(id, state, summary);
        },
        Qt::QueuedConnection);
    connect(c, &calls::CallClient::peerLeft, this, &CallsController::onPeerLeft);
    connect(c, &calls::CallClient::animationReceived, this, &CallsController::onAnimation);
    connect(c, &calls::CallClient::peerRevoked, this, &CallsController::onRevoked);
    connect(c, &calls::CallClient::frameRefused, this, &CallsController::onFrameRefused);
    connect(c, &calls::CallClient::keyRefused, this, &CallsController::onKeyRefused);
    // The room host's notice that a participant's credential was revoked (the client re-checks
    // it with the participant's home network; the host then removes the participant).
    connect(c, &calls::CallClient::revocationNotice, this, &CallsController::onRevoked);
    connect(c, &calls::CallClient::incomingCall, this, [this](const QString& from, const QString&) {
        m_ringingFrom = from;
        emit callChanged();
    });
    connect(c, &calls::CallClient::protocolError, this, [this](const QString& code, const QString& message) {
        m_state.setBusy(false);
        fail(code, message);
        emit callChanged();
    });
    connect(c, &calls::CallClient::hostError, this, [this](const QString& codeAndMessage) {
        m_state.setBusy(false);
        const qsizetype colon = codeAndMessage.indexOf(QLatin1Char(':'));
        const QString code = colon > 0 ? codeAndMessage.left(colon).trimmed() : QStringLiteral("host-error");
        const QString message = colon > 0 ? codeAndMessage.mid(colon + 1).trimmed() : codeAndMessage;
        // A message that crossed a participant's leaving (a key for someone just gone) is
        // not the user's concern.
        if (code == QLatin1String("participant-unknown"))
            return;
        // A role the room requires and this twin did not prove: where to add it.
        const bool role = code.startsWith(QLatin1String("role-")) ||
                          code == QLatin1String("third-party-credential-invalid");
        fail(code, role ? tr("The room host refused: %1. Add the role credential your enterprise issued for your "
                             "twin on My Twin (Roles), then join again.")
                              .arg(message)
                        : tr("The room host refused: %1").arg(message));
        raise(QStringLiteral("call"), 0, tr("The room host refused"), code, message);
    });
    return true;
}

void CallsController::withClient(std::function<void()> next) {
    if (!unlocked())
        return fail(QStringLiteral("locked"),
                    tr("Unlock your twin on My Twin first: every call needs a fresh assertion signed "
                       "with your holder key."));
    if (m_client && m_client->connected())
        return next();
    m_state.dismissError();
    m_state.setBusy(true, tr("Connecting to the room host…"));
    QPointer<CallsController> self(this);
    auto connectAndRun = [this, self, next = std::move(next)]() mutable {
        if (!self)
            return;
        if (!m_client) {
            QString code, message;
            if (!buildClient(&code, &message)) {
                m_state.setBusy(false);
                return fail(code, message);
            }
        }
        m_waiting.push_back([this, next = std::move(next)] {
            m_state.setBusy(false);
            emit callChanged();
            next();
        });
        m_connectWait.setProperty("elapsed", 0);
        m_connectWait.start();
        m_client->connectToHost();
    };
    if (!m_handle.isEmpty() || m_client)
        return connectAndRun();
    // The own transfer handle: invitations to it ring here.
    withSession([this, self, connectAndRun = std::move(connectAndRun)]() mutable {
        m_session->client().me([this, self, connectAndRun = std::move(connectAndRun)](
                                   netclient::ClientResult<netclient::SubscriberInfo> me) mutable {
            if (!self)
                return;
            if (!me.ok()) {
                m_state.setBusy(false);
                return fail(qs(me.error().code), qs(me.error().message));
            }
            m_handle = qs(me->transferHandle);
            connectAndRun();
        });
    });
}

bool CallsController::presentCurrentRoles() {
    if (!m_client || m_connectWait.isActive() || inRoom() || m_client->state() == CallState::Ringing)
        return false;
    if (digestOf(rolesToPresent(m_store)) == m_rolesPresented)
        return false;
    const bool listening = m_client->state() == CallState::Listening;
    dropClient();
    return listening;
}

void CallsController::refreshRoles() {
    if (presentCurrentRoles() && unlocked())
        goOnline();
}

void CallsController::goOnline() {
    withClient([this] {
        m_client->listen();
        emit callChanged();
    });
}

void CallsController::createRoom(const QString& title, bool byCode, const QString& invited,
                                 const QString& requiredRole, const QString& roleRootFile, bool integrity) {
    proto::RoomPolicy policy;
    policy.set_title((title.trimmed().isEmpty() ? tr("Call") : title.trimmed()).toStdString());
    policy.set_protection(integrity ? proto::INTEGRITY_ONLY : proto::CONFIDENTIAL);
    policy.set_admission(byCode ? proto::ROOM_CODE : proto::INVITED_ONLY);
    const QStringList handles = invited.split(QRegularExpression(QStringLiteral("[,\\s]+")), Qt::SkipEmptyParts);
    if (!byCode && handles.isEmpty())
        return fail(QStringLiteral("no-invitee"),
                    tr("Name at least one transfer handle to invite, or let anyone with the room code join."));
    for (const QString& h : handles)
        policy.add_invited_handles(h.toStdString());
    if (!requiredRole.trimmed().isEmpty()) {
        QString path = roleRootFile.trimmed();
        if (path.startsWith(QLatin1String("file:")))
            path = QUrl(path).toLocalFile();
        QFile root(path);
        if (path.isEmpty() || !root.open(QIODevice::ReadOnly))
            return fail(QStringLiteral("role-root-missing"),
                        tr("A required role needs the certificate of the enterprise (e.g. the hospital) "
                           "that vouches for it: choose its PEM file."));
        proto::RoleRequirement* role = policy.add_required_roles();
        role->set_role(requiredRole.trimmed().toStdString());
        role->add_enterprise_roots_pem(root.readAll().toStdString());
    }
    m_roomCode.clear();
    const bool relisten = presentCurrentRoles();
    withClient([this, policy, relisten] {
        m_alerts.clear();
        if (relisten)
            m_client->listen();
        m_client->create(policy);
        emit callChanged();
    });
}

void CallsController::joinRoom(const QString& uri, const QString& givenCode) {
    QString roomUri = uri.simplified();
    QString code = givenCode;
    // A pasted invitation: "<address> <code>".
    if (const QStringList parts = roomUri.split(QLatin1Char(' ')); parts.size() == 2 && code.trimmed().isEmpty()) {
        roomUri = parts.at(0);
        code = parts.at(1);
    }
    const QString roomId = roomUri.section(QLatin1Char(':'), -1);
    if (!roomUri.startsWith(QLatin1String("urn:twinseal:room:")) || roomId.isEmpty())
        return fail(QStringLiteral("bad-room-address"),
                    tr("A room's address looks like urn:twinseal:room:<operator>:<room>; ask the person "
                       "who created the room for it and its code."));
    m_roomCode = code.trimmed();
    const bool relisten = presentCurrentRoles();
    withClient([this, roomId, roomUri, relisten] {
        m_alerts.clear();
        if (relisten)
            m_client->listen();
        m_client->join(roomId.toStdString(), roomUri.toStdString(), m_roomCode.toStdString());
        emit callChanged();
    });
}

void CallsController::copyInvitation() const {
    // No clipboard without a GUI application (the view-model also runs in headless tools).
    if (!inRoom() || !qobject_cast<QGuiApplication*>(QCoreApplication::instance()))
        return;
    QGuiApplication::clipboard()->setText(invitation());
}

void CallsController::invite(const QString& handle) {
    if (!inRoom() || handle.trimmed().isEmpty())
        return;
    m_client->invite(handle.trimmed().toStdString());
}

void CallsController::accept() {
    if (!m_client)
        return;
    m_alerts.clear();
    m_client->accept();
    m_ringingFrom.clear();
    emit callChanged();
}

void CallsController::decline() {
    if (!m_client)
        return;
    m_client->decline();
    m_ringingFrom.clear();
    emit callChanged();
}

void CallsController::leave() {
    if (!m_client)
        return;
    m_client->leave();
    m_alerts.clear(); // they were about this call
}

// ---- what the call client tells ---------------------------------------------------------------

void CallsController::onState() {
    const CallState s = m_client->state();
    if (s != CallState::Ringing)
        m_ringingFrom.clear();
    const QString room = roomIdText();
    if (roomState(s) && m_loggedRoom != room && m_client->setup().participantId() != 0) {
        m_loggedRoom = room;
        m_startedMs = QDateTime::currentMSecsSinceEpoch();
        m_audit.record(call_event::kStart,
                       {{"room", room.toStdString()},
                        {"room-uri", m_client->setup().roomUri()},
                        {"protection", m_client->integrityOnly() ? "integrity-only" : "confidential"}});
        if (m_client->integrityOnly())
            m_audit.record(call_event::kAlert, {{"room", room.toStdString()}, {"kind", "integrity-only"}});
    }
    if (!roomState(s) && !m_loggedRoom.isEmpty()) {
        const qint64 seconds = (QDateTime::currentMSecsSinceEpoch() - m_startedMs) / 1000;
        const std::string how = s == CallState::Ended ? std::string(calls::endReasonName(m_client->setup().endReason()))
                                                      : std::string("left");
        m_audit.record(call_event::kEnd, {{"room", m_loggedRoom.toStdString()},
                                          {"how", how},
                                          {"seconds", std::to_string(seconds)}});
        if (s == CallState::Ended)
            raise(QStringLiteral("call"), 0, tr("The call ended"), qs(how),
                  tr("The call ended without you leaving it (%1).").arg(qs(how)));
        m_loggedRoom.clear();
    }
    syncPeers();
    if (inRoom())
        m_animation.start();
    else
        m_animation.stop();
    emit callChanged();
}

void CallsController::syncPeers() {
    if (!inRoom()) {
        m_participants.clear();
        m_refusalsAlerted.clear();
        if (m_selected != -1) {
            m_selected = -1;
            emit selectionChanged();
        }
        return;
    }
    const quint32 self = m_client->setup().participantId();
    if (!m_participants.find(self)) {
        ParticipantListModel::Row me;
        me.id = self;
        me.local = true;
        me.title = tr("You");
        me.state = QStringLiteral("local");
        me.modelUrl = m_ownModel;
        m_participants.upsert(me);
    }
    for (const auto& [id, entry] : m_client->setup().peers()) {
        if (m_participants.find(id))
            continue;
        ParticipantListModel::Row row;
        row.id = id;
        row.title = tr("Participant %1").arg(id);
        const std::string& hint = entry.participant.evidence().display_hint();
        row.subject = hint.empty() ? QString() : tr("says “%1” (not verified yet)").arg(qs(hint));
        row.state = QStringLiteral("pending");
        row.reasonText = tr("Checking this participant's evidence…");
        m_participants.upsert(row);
    }
    std::vector<quint32> gone;
    for (const auto& row : m_participants.rows())
        if (!row.local && !m_client->setup().peers().count(row.id))
            gone.push_back(row.id);
    for (quint32 id : gone)
        m_participants.remove(id);
}

void CallsController::onPeerReport(quint32 id, const QString& state, const QString& summary) {
    if (!m_client || !m_client->setup().peers().count(id))
        return; // gone since
    syncPeers();
    const calls::PeerOutcome* outcome = m_client->outcome(id);
    ParticipantListModel::Row row;
    row.id = id;
    row.state = state;
    row.title = tr("Participant %1").arg(id);
    QString code;
    if (outcome) {
        const security::VerificationReport& r = outcome->report;
        if (!r.pseudonym.empty()) {
            row.title = qs(r.pseudonym);
            row.subject = qs(r.pseudonym + " (" + r.avatarId + ")");
        }
        if (r.state == OverallState::Failed)
            code = qs(security::errorCodeName(r.reason));
        else if (r.state == OverallState::ValidUntrusted)
            code = QStringLiteral("untrusted-issuer");
        else if (r.state == OverallState::Incomplete)
            code = QStringLiteral("incomplete");
        // Nothing unverified is rendered: the model only for a Verified report.
        if (r.state == OverallState::Verified && !outcome->mediaDirectory.isEmpty()) {
            QDirIterator it(outcome->mediaDirectory, {QStringLiteral("*.glb"), QStringLiteral("*.gltf")},
                            QDir::Files, QDirIterator::Subdirectories);
            if (it.hasNext())
                row.modelUrl = QUrl::fromLocalFile(it.next());
        }
    }
    row.reasonCode = code;
    row.reasonText = state == QLatin1String("verified") ? QString() : summary;
    m_participants.upsert(row);
    emit callChanged();

    std::vector<std::pair<std::string, std::string>> fields{
        {"room", roomIdText().toStdString()}, {"participant", std::to_string(id)}, {"state", state.toStdString()}};
    if (outcome && !outcome->report.avatarId.empty())
        fields.emplace_back("avatar-id", outcome->report.avatarId);
    if (code.isEmpty())
        m_audit.record(security::audit_event::kCallVerify, std::move(fields));
    else
        m_audit.recordFailure(security::audit_event::kCallVerify, code, std::move(fields));

    if (state == QLatin1String("verified") || !outcome)
        return;
    const QString who = row.subject.isEmpty() ? row.title : row.subject;
    const security::VerificationReport& r = outcome->report;
    if (r.state == OverallState::Failed && r.reason == ErrorCode::PinnedKeyChanged)
        raise(QStringLiteral("key-change"), id, tr("%1 presents a different key").arg(who), code,
              tr("This identity was pinned to another holder key on this device. It may be a new device "
                 "of the same person, or someone impersonating them. Its avatar stays hidden until you "
                 "decide: accept the new key only if you have confirmed it with them another way."),
              true);
    else if (r.state == OverallState::Failed && r.reason == ErrorCode::CredentialRevoked)
        raise(QStringLiteral("revoked"), id, tr("%1's credential was revoked").arg(who), code,
              tr("The home network revoked this participant's credential: their avatar and frames are "
                 "no longer shown and they no longer receive your frame keys. %1")
                  .arg(summary));
    else if (r.state == OverallState::Failed)
        raise(QStringLiteral("verification-failed"), id, tr("%1 failed verification").arg(who), code, summary);
    else
        raise(QStringLiteral("not-verified"), id, tr("%1 is not verified").arg(who), code, summary);
}

void CallsController::onPeerLeft(quint32 id, const QString& reason) {
    if (reason == QLatin1String("revoked"))
        onRevoked(id);
    m_participants.remove(id);
    emit callChanged();
}

void CallsController::onAnimation(quint32 id, const calls::AnimationFrame& frame) {
    const auto* row = m_participants.find(id);
    if (!row || row->state != QLatin1String("verified"))
        return; // frames only for a Verified tile (the call client refuses the others already)
    m_participants.setPose(id, poseOf(frame), true);
}

void CallsController::onRevoked(quint32 id) {
    const auto* row = m_participants.find(id);
    const QString who = row ? (row->subject.isEmpty() ? row->title : row->subject) : tr("Participant %1").arg(id);
    raise(QStringLiteral("revoked"), id, tr("%1's credential was revoked").arg(who),
          qs(security::errorCodeName(ErrorCode::CredentialRevoked)),
          tr("The home network revoked this participant's credential during the call: their avatar "
             "and frames are no longer shown and they no longer receive your frame keys."));
}

QString CallsController::whoIs(quint32 id) const {
    const auto* row = m_participants.find(id);
    if (!row)
        return tr("Participant %1").arg(id);
    return row->subject.isEmpty() ? row->title : row->subject;
}

void CallsController::onFrameRefused(quint32 id, const QString& code, const QString& message) {
    // Frames of a participant that is not verified, or whose frame key has not arrived yet, are
    // dropped by design while the call is set up: its badge (or its verification alert) already
    // says why it is not shown, so they are neither counted on its tile nor alerted.
    if (code == QLatin1String(calls::kPeerNotVerified) || code == QLatin1String(calls::kFrameKeyPending))
        return;
    if (!m_participants.noteRefused(id, code, message))
        return; // gone since
    // One alert per participant and reason for the whole call, however many frames follow.
    const QString key = QString::number(id) + QLatin1Char('/') + code;
    if (m_refusalsAlerted.contains(key))
        return;
    m_refusalsAlerted.insert(key);
    const QString who = whoIs(id);
    QString explained;
    if (code == QLatin1String("sframe-authentication-failed"))
        explained = tr("Frames from %1 were altered on the way and were not shown (%2): the relay or the network "
                       "changed them. The call stays protected.").arg(who, code);
    else if (code == QLatin1String("sframe-replayed"))
        explained = tr("Frames from %1 were sent again and were not shown (%2): the relay or the network replayed "
                       "frames already received. The call stays protected.").arg(who, code);
    else if (code == QLatin1String("sframe-too-old"))
        explained = tr("Frames from %1 arrived too late and were not shown (%2): they are older than the frames "
                       "already received, delayed or replayed on the way. The call stays protected.").arg(who, code);
    else if (code == QLatin1String("sframe-unknown-key-id"))
        explained = tr("Frames from %1 were not shown (%2): they are protected with a key this device did not "
                       "receive from them (an old or foreign key). The call stays protected.").arg(who, code);
    else
        explained = tr("Frames from %1 were not shown (%2): %3").arg(who, code, message);
    raise(QStringLiteral("frames-refused"), id, tr("Frames from %1 were not shown").arg(who), code, explained);
}

void CallsController::onKeyRefused(quint32 id, const QString& code, const QString& message) {
    // A key from a participant that is not Verified is refused by design; its verification
    // alert already says why, a second alert would only repeat it.
    if (!m_participants.find(id) || code == QLatin1String(calls::kPeerNotVerified))
        return;
    const QString who = whoIs(id);
    raise(QStringLiteral("key-refused"), id, tr("The frame key of %1 was refused").arg(who), code,
          tr("The frame key %1 sent was refused (%2), so their frames cannot be shown until a valid key "
             "arrives: %3")
              .arg(who, code, message));
}

void CallsController::raise(const QString& kind, quint32 participant, const QString& title, const QString& code,
                            const QString& message, bool needsDecision) {
    const int before = m_alerts.rowCount();
    CallAlertListModel::Alert a;
    a.kind = kind;
    a.participantId = participant;
    a.title = title;
    a.code = code;
    a.message = message;
    a.needsDecision = needsDecision;
    m_alerts.raise(a);
    if (m_alerts.rowCount() == before)
        return; // the same alert is still shown
    m_audit.record(call_event::kAlert, {{"room", roomIdText().toStdString()},
                                        {"kind", kind.toStdString()},
                                        {"participant", std::to_string(participant)},
                                        {"code", code.toStdString()}});
}

// ---- the report and the decisions -------------------------------------------------------------

void CallsController::showReport(int participantId) {
    const calls::PeerOutcome* outcome = m_client && participantId > 0
                                            ? m_client->outcome(static_cast<std::uint32_t>(participantId))
                                            : nullptr;
    if (!outcome)
        return closeReport();
    const security::VerificationReport& r = outcome->report;
    m_reportParticipant = participantId;
    m_reportState = qs(security::overallStateName(r.state));
    m_reportSummary = qs(r.summary());
    m_reportSubject = r.pseudonym.empty() ? tr("Participant %1").arg(participantId)
                                          : qs(r.pseudonym + " (" + r.avatarId + ")");
    m_report.setReport(r);
    emit reportChanged();
}

void CallsController::closeReport() {
    m_reportParticipant = -1;
    m_reportState.clear();
    m_reportSummary.clear();
    m_reportSubject.clear();
    m_report.clear();
    emit reportChanged();
}

void CallsController::acceptNewKey(int alertId) {
    const CallAlertListModel::Alert* a = m_alerts.find(alertId);
    if (!a || a->kind != QLatin1String("key-change") || !a->decision.isEmpty() || !m_client)
        return;
    const auto& peers = m_client->setup().peers();
    const auto it = peers.find(a->participantId);
    if (it == peers.end())
        return fail(QStringLiteral("participant-gone"), tr("This participant has left the call."));
    const std::string& encoded = it->second.participant.evidence().credential();
    auto credential = security::parseCredential(security::view(encoded));
    if (!credential.ok())
        return fail(qs(security::errorCodeName(credential.code())),
                    tr("The participant's credential cannot be read: %1").arg(qs(credential.error().detail)));
    auto pins = twin::PinFile::load(m_pinsFile);
    if (!pins.ok())
        return fail(qs(security::errorCodeName(pins.code())),
                    tr("This device's identity pins cannot be read: %1").arg(qs(pins.error().detail)));
    pins->pin(credential->claims.avatarId, credential->claims.holderKey.thumbprint());
    if (auto saved = pins->save(); !saved.ok())
        return fail(qs(security::errorCodeName(saved.code())),
                    tr("The new key cannot be pinned: %1").arg(qs(saved.error().detail)));
    m_alerts.decide(alertId, QStringLiteral("accepted"));
    m_audit.record(call_event::kKeyDecision, {{"room", roomIdText().toStdString()},
                                              {"avatar-id", credential->claims.avatarId},
                                              {"decision", "accepted"}});
    m_state.showNotice(tr("The new key of %1 is pinned. The participant is verified again when it next "
                          "presents its evidence (when it rejoins).")
                           .arg(qs(credential->claims.avatarId)));
}

void CallsController::blockParticipant(int alertId) {
    const CallAlertListModel::Alert* a = m_alerts.find(alertId);
    if (!a || !a->decision.isEmpty())
        return;
    const quint32 participant = a->participantId;
    m_alerts.decide(alertId, QStringLiteral("blocked"));
    m_audit.record(call_event::kKeyDecision, {{"room", roomIdText().toStdString()},
                                              {"participant", std::to_string(participant)},
                                              {"decision", "blocked"}});
}

void CallsController::dismissAlert(int alertId) {
    const CallAlertListModel::Alert* a = m_alerts.find(alertId);
    if (a && a->needsDecision && a->decision.isEmpty())
        return; // a key change waits for its decision
    m_alerts.dismiss(alertId);
}

// ---- the local avatar -------------------------------------------------------------------------

void CallsController::setHeadInput(double yaw, double pitch) {
    m_yaw = std::clamp(yaw, -1.2, 1.2);
    m_pitch = std::clamp(pitch, -0.6, 0.6);
}

void CallsController::setTrackedPose(const calls::TrackedBody& body) {
    m_body = std::make_unique<calls::TrackedBody>(body);
    if (!m_rest && body.head.tracked)
        m_rest = std::make_unique<calls::BodyCalibration>(calls::calibrateFromHead(body.head));
    if (!m_tracking) {
        m_tracking = true;
        emit trackingChanged();
    }
}

void CallsController::clearTrackedPose() {
    m_rest.reset();
    m_body.reset();
    if (m_tracking) {
        m_tracking = false;
        emit trackingChanged();
    }
}

void CallsController::selectNextParticipant() {
    std::vector<int> peers;
    for (const auto& row : m_participants.rows())
        if (!row.local)
            peers.push_back(static_cast<int>(row.id));
    int next = -1;
    if (!peers.empty()) {
        const auto at = std::find(peers.begin(), peers.end(), m_selected);
        next = at == peers.end() || at + 1 == peers.end() ? peers.front() : *(at + 1);
    }
    if (next != m_selected) {
        m_selected = next;
        emit selectionChanged();
    }
}

void CallsController::showSelectedReport() {
    if (m_selected > 0)
        showReport(m_selected);
}

void CallsController::tick() {
    if (!inRoom())
        return;
    const double t = static_cast<double>(QDateTime::currentMSecsSinceEpoch() - m_startedMs) / 1000.0;
    calls::AnimationFrame frame = m_tracking ? idlePose(t, 0, 0) : idlePose(t, m_yaw, m_pitch);
    if (m_tracking && m_body && m_rest)
        calls::applyTracking(*m_body, *m_rest, frame);
    m_participants.setPose(m_client->setup().participantId(), poseOf(frame), false);
    if (m_client->frameEpoch() == 0)
        return; // not keyed yet (alone in the room, or peers still being verified)
    if (m_client->sendAnimation(frame).ok()) {
        ++m_framesSent;
        emit framesSentChanged();
    }
}

} // namespace twinseal::viewmodels
