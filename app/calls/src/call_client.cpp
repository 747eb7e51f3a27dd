#include "twinseal/calls/call_client.h"
#include "twinseal/calls/room_roles.h"

#include <QDateTime>
#include <QPointer>
#include <QSslCertificate>
#include <QSslConfiguration>

#include <algorithm>
#include <cstdint>

namespace twinseal::calls {

namespace {
QString qs(const std::string& s) { return QString::fromStdString(s); }
QString qs(std::string_view s) { return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size())); }
} // namespace

CallClient::CallClient(CallClientOptions options, EvidenceBuilder& builder, PeerEvidenceVerifier& verifier,
                       QObject* parent)
    : QObject(parent), m_options(std::move(options)), m_builder(builder), m_verifier(verifier),
      m_setup(m_options.setup) {
    for (TimerKind kind : {TimerKind::Ring, TimerKind::Join, TimerKind::Grace}) {
        auto timer = std::make_unique<QTimer>(this);
        timer->setSingleShot(true);
        timer->setTimerType(Qt::PreciseTimer); // a coarse timer may fire before the deadline
        connect(timer.get(), &QTimer::timeout, this, [this, kind] { feed(ev::Timer{kind}); });
        m_timers.emplace(kind, std::move(timer));
    }
    if (m_options.revocationRecheckMs > 0) {
        connect(&m_revocationTimer, &QTimer::timeout, this, [this] {
            for (const auto& [id, o] : m_outcomes)
                if (o.report.state == security::OverallState::Verified)
                    recheckRevocation(id, false);
        });
        m_revocationTimer.start(m_options.revocationRecheckMs);
    }
    if (m_options.foreignRevocationRecheckMs > 0) {
        m_foreignRevocationTimer.setTimerType(Qt::PreciseTimer);
        connect(&m_foreignRevocationTimer, &QTimer::timeout, this, &CallClient::recheckForeignPeers);
        m_foreignRevocationTimer.start(m_options.foreignRevocationRecheckMs);
    }
    connect(&m_rekeyTimer, &QTimer::timeout, this, [this] { syncFrameKeys(true); });
    m_reconnect.setSingleShot(true);
    connect(&m_reconnect, &QTimer::timeout, this, &CallClient::connectToHost);

    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    tls.setProtocol(QSsl::TlsV1_3OrLater);
    tls.setPeerVerifyMode(QSslSocket::VerifyPeer);
    tls.setCaCertificates(QSslCertificate::fromData(QByteArray::fromStdString(m_options.tlsCaPem), QSsl::Pem));
    m_socket.setSslConfiguration(tls);
    m_socket.setMaxAllowedIncomingMessageSize(static_cast<quint64>(m_options.maxMessageBytes));
    connect(&m_socket, &QWebSocket::connected, this, &CallClient::onConnected);
    connect(&m_socket, &QWebSocket::disconnected, this, &CallClient::onDisconnected);
    connect(&m_socket, &QWebSocket::binaryMessageReceived, this, &CallClient::receiveBinary);
    connect(&m_socket, &QWebSocket::textMessageReceived, this, [this](const QString&) {
        emit protocolError(QStringLiteral("text-frame"),
                           QStringLiteral("The room host sent a text frame; call messages are binary. "
                                          "The connection is closed."));
        m_socket.close(QWebSocketProtocol::CloseCodeDatatypeNotSupported);
    });
}

CallClient::~CallClient() {
    m_closing = true;
    m_socket.abort();
}

std::int64_t CallClient::nowMs() const {
    return m_options.nowMs ? m_options.nowMs() : QDateTime::currentMSecsSinceEpoch();
}

bool CallClient::connected() const { return m_socket.state() == QAbstractSocket::ConnectedState; }

const PeerOutcome* CallClient::outcome(std::uint32_t participantId) const {
    const auto it = m_outcomes.find(participantId);
    return it == m_outcomes.end() ? nullptr : &it->second;
}

void CallClient::connectToHost() {
    if (m_options.url.scheme() != QLatin1String("wss")) {
        emit protocolError(QStringLiteral("insecure-url"),
                           QStringLiteral("The room host's address must be a wss:// URL (TLS)."));
        return;
    }
    if (m_socket.state() != QAbstractSocket::UnconnectedState)
        return;
    m_closing = false;
    m_socket.open(m_options.url);
}

void CallClient::disconnectFromHost() {
    m_closing = true;
    m_reconnect.stop();
    m_socket.close();
}

void CallClient::onConnected() {
    if (m_setup.state() == CallState::Reconnecting)
        feed(ev::ConnectionRestored{});
    else if (m_wantListen)
        listen();
}

void CallClient::onDisconnected() {
    feed(ev::ConnectionLost{});
    if (!m_closing && m_setup.state() == CallState::Reconnecting)
        m_reconnect.start(m_options.reconnectDelayMs);
}

void CallClient::feed(const Event& event) {
    const CallState before = m_setup.state();
    apply(m_setup.handle(event, nowMs()), before);
}

void CallClient::sendMessage(const proto::CallMessage& message) {
    auto frame = encodeCallMessage(message, m_options.maxMessageBytes);
    if (!frame.ok()) {
        emit protocolError(qs(frame.error().code), qs(frame.error().message));
        return;
    }
    m_socket.sendBinaryMessage(*frame);
}

void CallClient::apply(const Step& step, CallState before) {
    for (const auto& m : step.send)
        sendMessage(m);
    for (const auto& t : step.timers)
        m_timers.at(t.kind)->start(static_cast<int>(std::clamp<std::int64_t>(t.deadlineMs - nowMs(), 0, std::int64_t{INT32_MAX})));
    for (const auto& [kind, timer] : m_timers)
        if (!m_setup.deadline(kind))
            timer->stop(); // the set-up no longer waits for it
    if (step.refusal != Refusal::None)
        emit refused(qs(refusalName(step.refusal)), qs(step.refusalDetail));
    for (const auto& n : step.notes)
        onNote(n);
    if (m_setup.state() != before) {
        if (m_setup.state() == CallState::Left || m_setup.state() == CallState::Ended) {
            m_outcomes.clear();
            m_outcomeAssertions.clear();
            m_inFlight.clear();
            m_foreignUnavailable.clear();
            m_ephemeral.reset();
            m_callKey.reset();
            m_frameKeys.reset();
            m_keyedPeers.clear();
            m_pendingKeys.clear();
            m_rekeyTimer.stop();
        }
        emit stateChanged(m_setup.state());
    }
    syncFrameKeys(false);
}

void CallClient::withEvidence(const std::string& destination, std::function<void(proto::Evidence)> next) {
    QPointer<CallClient> self(this);
    m_builder.build(destination, [self, next = std::move(next)](netclient::ClientResult<OwnEvidence> own) {
        if (!self)
            return;
        if (!own.ok()) {
            emit self->protocolError(qs(own.error().code), qs(own.error().message));
            return;
        }
        self->m_ephemeral = own->ephemeral;
        next(std::move(own->evidence));
    });
}

void CallClient::onNote(const Note& n) {
    QPointer<CallClient> self(this);
    switch (n.kind) {
    case NoteKind::EvidenceNeeded: {
        const std::string uri = n.roomUri;
        withEvidence(uri, [self, uri](proto::Evidence e) {
            if (!self)
                return;
            self->m_callKey = self->m_ephemeral; // the frame keys are agreed from this `epk`
            self->feed(ev::EvidenceReady{uri, std::move(e)});
        });
        break;
    }
    case NoteKind::VerifyPeer:
    case NoteKind::PeerAnnounced: {
        const std::uint32_t id = n.participantId;
        const bool announced = n.kind == NoteKind::PeerAnnounced;
        const std::string assertion = n.evidence.assertion();
        if (announced) {
            // The same evidence again is not news (and its replay check would refuse it).
            if (const auto known = m_outcomeAssertions.find(id);
                known != m_outcomeAssertions.end() && known->second == assertion)
                break;
        } else {
            // Evidence already verified (or being verified) is not presented to the verifier
            // again: its replay check would refuse it. A rejoin asks for it again.
            if (const auto known = m_outcomeAssertions.find(id);
                known != m_outcomeAssertions.end() && known->second == assertion) {
                const bool verified = m_outcomes.at(id).report.state == security::OverallState::Verified;
                QMetaObject::invokeMethod(this, [self, id, verified] {
                    if (self)
                        self->feed(ev::PeerVerified{id, verified});
                }, Qt::QueuedConnection);
                break;
            }
            if (!m_inFlight.insert({id, assertion}).second)
                break;
        }
        m_verifier.verify(n.evidence, m_setup.roomUri(), roomRoleRequirement(m_setup.policy()),
                          [self, id, announced, assertion](security::Result<PeerOutcome> r) {
            if (!self)
                return;
            if (!announced)
                self->m_inFlight.erase({id, assertion});
            // A participant that left while its evidence was being verified is not reported (nor
            // one that took its place with other evidence).
            const auto peer = self->m_setup.peers().find(id);
            if (peer == self->m_setup.peers().end() ||
                (!announced && peer->second.participant.evidence().assertion() != assertion))
                return;
            if (!r.ok()) {
                emit self->protocolError(QStringLiteral("verification-unavailable"),
                                         qs("This device could not verify a participant: " + r.error().message()));
                if (!announced)
                    self->feed(ev::PeerVerified{id, false});
                return;
            }
            const bool verified = r->report.state == security::OverallState::Verified;
            emit self->peerReport(id, qs(security::overallStateName(r->report.state)), qs(r->report.summary()),
                                  qs(r->report.toJson()));
            // An announcement (named by the host's `from`) replaces the sender's outcome: its new
            // evidence is what its keys are checked against from now on.
            self->m_outcomes[id] = std::move(*r);
            self->m_outcomeAssertions[id] = assertion;
            if (!announced)
                self->feed(ev::PeerVerified{id, verified});
            else
                self->syncFrameKeys(false);
        });
        break;
    }
    case NoteKind::PeerLeft:
        m_outcomes.erase(n.participantId);
        m_outcomeAssertions.erase(n.participantId);
        m_pendingKeys.erase(n.participantId);
        if (m_frameKeys)
            m_frameKeys->forgetPeer(n.participantId);
        emit peerLeft(n.participantId, qs(n.detail));
        break;
    case NoteKind::RoomCreated:
        emit roomCreated(qs(n.roomId), qs(n.roomUri), qs(n.detail));
        break;
    case NoteKind::IncomingCall:
        emit incomingCall(qs(n.handle), qs(n.roomId));
        break;
    case NoteKind::Frame:
        onFrame(n.participantId, n.payload);
        break;
    case NoteKind::KeyReceived:
        installKey(n.participantId, n.epoch, n.payload);
        break;
    case NoteKind::RecheckRevocation:
        emit revocationNotice(n.participantId);
        recheckRevocation(n.participantId, true);
        break;
    case NoteKind::HostError:
        emit hostError(qs(n.detail));
        break;
    default:
        break;
    }
}

void CallClient::recheckRevocation(std::uint32_t id, bool refresh) {
    const auto peer = m_setup.peers().find(id);
    const auto known = m_outcomeAssertions.find(id);
    if (peer == m_setup.peers().end() || known == m_outcomeAssertions.end())
        return;
    const std::string assertion = known->second;
    QPointer<CallClient> self(this);
    m_verifier.recheckRevocation(peer->second.participant.evidence(), refresh,
                                 [self, id, assertion](const security::Status& status) {
        if (self)
            self->applyRevocationStatus(id, assertion, status, false);
    });
}

std::string CallClient::roomHostHomeNetwork() const {
    if (!m_options.roomHostHomeNetworkUrl.empty())
        return normalizeHomeNetworkUrl(m_options.roomHostHomeNetworkUrl);
    QUrl home;
    home.setScheme(QStringLiteral("https"));
    home.setHost(m_options.url.host());
    home.setPort(m_options.url.port(443));
    return normalizeHomeNetworkUrl(home.toString().toStdString());
}

void CallClient::recheckForeignPeers() {
    const std::string host = roomHostHomeNetwork();
    struct Group {
        std::vector<std::uint32_t> ids;
        std::vector<std::string> assertions;
        std::vector<proto::Evidence> evidence;
    };
    std::map<std::string, Group> byHome;
    for (const auto& [id, o] : m_outcomes) {
        if (o.report.state != security::OverallState::Verified)
            continue;
        const auto peer = m_setup.peers().find(id);
        const auto known = m_outcomeAssertions.find(id);
        if (peer == m_setup.peers().end() || known == m_outcomeAssertions.end())
            continue;
        const proto::Evidence& evidence = peer->second.participant.evidence();
        const std::string home = normalizeHomeNetworkUrl(evidence.home_network_url());
        if (home.empty() || home == host)
            continue; // the room host's own: its notice comes at once
        Group& g = byHome[home];
        g.ids.push_back(id);
        g.assertions.push_back(known->second);
        g.evidence.push_back(evidence);
    }
    QPointer<CallClient> self(this);
    for (auto& [home, group] : byHome) {
        if (!m_foreignInFlight.insert(home).second)
            continue; // the previous poll has not come back yet
        m_verifier.recheckRevocations(group.evidence, [self, home = home, ids = group.ids,
                                                       assertions = group.assertions](
                                                          std::vector<security::Status> statuses) {
            if (!self)
                return;
            self->m_foreignInFlight.erase(home);
            bool unavailable = false;
            for (std::size_t i = 0; i < ids.size() && i < statuses.size(); ++i) {
                unavailable = unavailable || (!statuses[i].ok() &&
                                              statuses[i].error().code != security::ErrorCode::CredentialRevoked);
                self->applyRevocationStatus(ids[i], assertions[i], statuses[i],
                                            self->m_foreignUnavailable.count(home) > 0);
            }
            if (unavailable)
                self->m_foreignUnavailable.insert(home);
            else
                self->m_foreignUnavailable.erase(home);
        });
    }
}

void CallClient::applyRevocationStatus(std::uint32_t id, const std::string& assertion,
                                       const security::Status& status, bool quiet) {
    if (status.ok())
        return;
    const auto known = m_outcomeAssertions.find(id);
    const auto o = m_outcomes.find(id);
    if (known == m_outcomeAssertions.end() || known->second != assertion || o == m_outcomes.end())
        return;
    if (status.error().code != security::ErrorCode::CredentialRevoked) {
        // The list could not be had: the peer stays as it was verified; say why.
        if (!quiet)
            emit protocolError(QStringLiteral("revocation-unchecked"),
                               qs("A participant's revocation status could not be re-checked: " +
                                  status.error().message()));
        return;
    }
    security::VerificationReport& report = o->second.report;
    if (report.state == security::OverallState::Failed && report.reason == security::ErrorCode::CredentialRevoked)
        return;
    for (auto& check : report.checks) {
        if (check.id == security::CheckId::Revocation) {
            check.state = security::CheckState::Failed;
            check.code = security::ErrorCode::CredentialRevoked;
            check.detail = status.error().detail;
        }
    }
    report.state = security::OverallState::Failed;
    report.reason = security::ErrorCode::CredentialRevoked;
    report.reasonDetail = "revoked during the call: " + status.error().detail;
    o->second.mediaDirectory.clear();
    o->second.ephemeralKey.clear();
    m_pendingKeys.erase(id);
    if (m_frameKeys)
        m_frameKeys->forgetPeer(id);
    emit peerReport(id, qs(security::overallStateName(report.state)), qs(report.summary()), qs(report.toJson()));
    emit peerRevoked(id);
    syncFrameKeys(false); // a new epoch without the revoked participant
}

void CallClient::receiveBinary(const QByteArray& frame) {
    auto message = decodeCallMessage(frame, m_options.maxMessageBytes);
    if (!message.ok()) {
        emit protocolError(qs(message.error().code),
                           qs("The room host sent " + message.error().message + "; the connection is closed."));
        m_socket.close(QWebSocketProtocol::CloseCodeProtocolError);
        return;
    }
    feed(ev::Host{std::move(*message)});
}

void CallClient::listen() {
    m_wantListen = true;
    QPointer<CallClient> self(this);
    withEvidence("urn:twinseal:handle:" + m_options.setup.ownHandle, [self](proto::Evidence e) {
        if (self)
            self->feed(ev::Listen{std::move(e)});
    });
}

void CallClient::create(const proto::RoomPolicy& policy) {
    QPointer<CallClient> self(this);
    withEvidence("urn:twinseal:room-host:" + m_options.hostOperator, [self, policy](proto::Evidence e) {
        if (self)
            self->feed(ev::Create{policy, std::move(e)});
    });
}

void CallClient::join(const std::string& roomId, const std::string& roomUri, const std::string& roomCode) {
    feed(ev::Join{roomId, roomUri, roomCode});
}

void CallClient::invite(const std::string& handle) { feed(ev::Invite{handle}); }
void CallClient::accept() { feed(ev::Accept{}); }
void CallClient::decline() { feed(ev::Decline{}); }
void CallClient::leave() { feed(ev::Leave{}); }

bool CallClient::integrityOnly() const {
    return m_setup.policy().protection() == proto::INTEGRITY_ONLY;
}

std::uint64_t CallClient::frameEpoch() const { return m_frameKeys ? m_frameKeys->epoch() : 0; }

bool CallClient::hasPeerFrameKey(std::uint32_t id) const { return m_frameKeys && m_frameKeys->hasPeerKey(id); }

std::map<std::uint32_t, security::Bytes> CallClient::verifiedPeerKeys() const {
    std::map<std::uint32_t, security::Bytes> out;
    for (const auto& [id, peer] : m_setup.peers()) {
        const auto o = m_outcomes.find(id);
        if (o != m_outcomes.end() && o->second.report.state == security::OverallState::Verified &&
            !o->second.ephemeralKey.empty())
            out.emplace(id, o->second.ephemeralKey);
    }
    return out;
}

void CallClient::syncFrameKeys(bool force) {
    const CallState s = m_setup.state();
    if ((s != CallState::InCall && s != CallState::Verifying && s != CallState::Inviting) || !m_callKey ||
        m_setup.participantId() == 0)
        return;
    if (m_frameKeys && m_frameKeys->ownKey() != m_callKey->publicKey()) {
        // Rejoined with fresh evidence (a new `epk`): the old keys are of no use to anyone.
        m_frameKeys.reset();
        m_keyedPeers.clear();
    }
    if (!m_frameKeys) {
        const auto protection = integrityOnly() ? security::FrameProtection::IntegrityOnly
                                                : security::FrameProtection::Confidential;
        m_frameKeys = std::make_unique<CallFrameKeys>(m_setup.roomId(), m_setup.participantId(), protection,
                                                      m_callKey, security::SystemRandom::instance());
        const std::int64_t policyMs = std::int64_t{m_setup.policy().rekey_seconds() ? m_setup.policy().rekey_seconds() : 600} * 1000;
        m_rekeyTimer.start(m_options.rekeyMs > 0 ? m_options.rekeyMs
                                                 : static_cast<int>(std::min<std::int64_t>(policyMs, INT32_MAX)));
        force = true;
    }
    auto peers = verifiedPeerKeys();
    // Keys that arrived before their sender was Verified are installed now.
    for (auto it = m_pendingKeys.begin(); it != m_pendingKeys.end();) {
        if (peers.count(it->first)) {
            const auto [id, key] = *it;
            it = m_pendingKeys.erase(it);
            installKey(id, key.first, key.second);
        } else {
            ++it;
        }
    }
    if (!force && peers == m_keyedPeers)
        return;
    // Peers no longer Verified (or gone) lose their keys at once.
    for (const auto& [id, key] : m_keyedPeers)
        if (!peers.count(id))
            m_frameKeys->forgetPeer(id);
    auto keys = m_frameKeys->rekey(peers);
    if (!keys.ok()) {
        emit protocolError(QString::fromUtf8(security::errorCodeName(keys.error().code).data()),
                           qs("The call's frame keys could not be renewed: " + keys.error().detail));
        return;
    }
    m_keyedPeers = std::move(peers);
    for (const OutgoingKey& k : *keys) {
        proto::CallMessage m;
        auto* u = m.mutable_key_update();
        u->set_room_id(m_setup.roomId());
        u->set_to(k.to);
        u->set_epoch(k.epoch);
        u->set_wrapped_key(k.wrapped);
        sendMessage(m);
    }
    if (m_options.rekeyMs > 0 || m_rekeyTimer.isActive())
        m_rekeyTimer.start(); // the interval counts from the last epoch
    emit rekeyed(m_frameKeys->epoch(), static_cast<int>(m_keyedPeers.size()));
}

void CallClient::rekeyNow() { syncFrameKeys(true); }

void CallClient::installKey(std::uint32_t from, std::uint64_t epoch, const std::string& wrapped) {
    const PeerOutcome* o = outcome(from);
    if (!m_frameKeys || !o || o->report.state != security::OverallState::Verified || o->ephemeralKey.empty()) {
        // Kept (the latest only) until the sender is Verified; never installed before.
        if (!o || o->report.state != security::OverallState::Failed)
            m_pendingKeys[from] = {epoch, wrapped};
        else
            emit keyRefused(from, QString::fromLatin1(kPeerNotVerified),
                            QStringLiteral("A frame key from participant %1 was refused: its verification failed.")
                                .arg(from));
        return;
    }
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(wrapped.data());
    auto r = m_frameKeys->installPeerKey(from, o->ephemeralKey, epoch, security::ByteView(bytes, wrapped.size()));
    if (!r.ok()) {
        emit keyRefused(from, QString::fromUtf8(security::errorCodeName(r.error().code).data()),
                        qs("A frame key from participant " + std::to_string(from) + " was refused: " +
                           r.error().detail));
        return;
    }
    emit peerKeyInstalled(from, epoch);
}

void CallClient::onFrame(std::uint32_t from, const std::string& sframe) {
    const PeerOutcome* o = outcome(from);
    if (!o || o->report.state != security::OverallState::Verified) {
        emit frameRefused(from, QString::fromLatin1(kPeerNotVerified),
                          QStringLiteral("A frame from participant %1 was not shown: it is not verified.").arg(from));
        return;
    }
    // A verified peer's first frames may overtake its frame key (it keys the call for this
    // device once it has verified this device in turn): expected during set-up, not an attack.
    if (!m_frameKeys || !m_frameKeys->hasPeerKey(from)) {
        emit frameRefused(from, QString::fromLatin1(kFrameKeyPending),
                          QStringLiteral("A frame from participant %1 arrived before their frame key.").arg(from));
        return;
    }
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(sframe.data());
    auto payload = m_frameKeys->unprotect(from, security::ByteView(bytes, sframe.size()));
    if (!payload.ok()) {
        emit frameRefused(from, QString::fromUtf8(security::errorCodeName(payload.error().code).data()),
                          qs("A frame from participant " + std::to_string(from) + " was refused: " +
                             payload.error().detail));
        return;
    }
    auto animation = decodeAnimationFrame(*payload);
    if (!animation.ok()) {
        emit frameRefused(from, QString::fromUtf8(security::errorCodeName(animation.error().code).data()),
                          qs("A frame from participant " + std::to_string(from) + " is not an animation frame: " +
                             animation.error().detail));
        return;
    }
    emit frameReceived(from, QByteArray(reinterpret_cast<const char*>(payload->data()),
                                        static_cast<qsizetype>(payload->size())));
    emit animationReceived(from, *animation);
}

security::Status CallClient::sendAnimation(const AnimationFrame& frame) {
    if (!m_frameKeys)
        return security::makeError(security::ErrorCode::SFrameUnknownKeyId,
                                   "the call has no frame key yet (not in a call, or not keyed)");
    auto payload = encodeAnimationFrame(frame);
    TWINSEAL_TRY(payload);
    auto sframe = m_frameKeys->protect(*payload);
    TWINSEAL_TRY(sframe);
    const QByteArray bytes(reinterpret_cast<const char*>(sframe->data()), static_cast<qsizetype>(sframe->size()));
    sendRawFrame(bytes);
    emit frameSent(bytes);
    return {};
}

void CallClient::sendRawFrame(const QByteArray& sframe) {
    if (m_setup.state() != CallState::InCall && m_setup.state() != CallState::Verifying)
        return;
    proto::CallMessage m;
    m.mutable_frame()->set_room_id(m_setup.roomId());
    m.mutable_frame()->set_sframe(sframe.toStdString());
    sendMessage(m);
}

} // namespace twinseal::calls
