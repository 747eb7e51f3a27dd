// CallClient: one participant's TLS WebSocket to a room host (wss://host:port/v1/ws). It drives
// CallSetup: user actions and host messages go in, its steps come out as CallMessage binary
// frames (size-bounded both ways), timers, evidence built for the room (EvidenceBuilder) and
// every peer's evidence verified (PeerEvidenceVerifier). The UI gets each peer's report as it
// is; a peer's media and key are only handed on once its report is Verified (outcome()).
//
// A host that sends a text frame, a malformed or oversized message is not trusted further:
// protocolError is emitted and the connection is closed. A dropped connection in a call is
// reopened and the call rejoined with the rejoin token within the grace period.
#pragma once

#include <QObject>
#include <QTimer>
#include <QUrl>
#include <QWebSocket>

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>

#include <twinseal/calls/call_codec.h>
#include <twinseal/calls/call_setup.h>
#include <twinseal/calls/evidence_builder.h>
#include <twinseal/calls/peer_evidence_verifier.h>

namespace twinseal::calls {

struct CallClientOptions {
    QUrl url;                        // wss://host:port/v1/ws (wss only)
    std::string tlsCaPem;            // the only CA the room host's certificate may chain to
    std::string hostOperator;        // CreateRoom's assertion dest: urn:twinseal:room-host:<op>
    Config setup;                    // our handle and the set-up's timeouts
    qsizetype maxMessageBytes = kMaxCallMessageBytes;
    int reconnectDelayMs = 1000;     // between attempts while Reconnecting
    // Verified peers' revocation status re-checked while the call runs (the status list comes
    // from each home network's cache while it is within its TTL); 0: only on a host's notice.
    int revocationRecheckMs = 30000;
    std::function<std::int64_t()> nowMs; // null: the system clock
};

class CallClient : public QObject {
    Q_OBJECT

public:
    CallClient(CallClientOptions options, EvidenceBuilder& builder, PeerEvidenceVerifier& verifier,
               QObject* parent = nullptr);
    ~CallClient() override;

    [[nodiscard]] CallState state() const noexcept { return m_setup.state(); }
    [[nodiscard]] const CallSetup& setup() const noexcept { return m_setup; }
    [[nodiscard]] bool connected() const;
    // A peer's last verification outcome (null when none).
    [[nodiscard]] const PeerOutcome* outcome(std::uint32_t participantId) const;

    void connectToHost();
    void disconnectFromHost();
    void listen();
    void create(const proto::RoomPolicy& policy);
    void join(const std::string& roomId, const std::string& roomUri, const std::string& roomCode = {});
    void invite(const std::string& handle);
    void accept();
    void decline();
    void leave();
    // Sends an SFrame-protected frame to the room.
    void sendFrame(const QByteArray& sframe);

    // Feeds one binary WebSocket message as if the host had sent it (the codec's and the
    // set-up's checks apply); used by the socket, and by tests.
    void receiveBinary(const QByteArray& frame);

signals:
    void stateChanged(twinseal::calls::CallState state);
    // Every peer's report, as it is (Failed, Incomplete and "Valid, untrusted issuer" included).
    void peerReport(quint32 participantId, const QString& state, const QString& summary,
                    const QString& reportJson);
    void peerLeft(quint32 participantId, const QString& reason);
    void incomingCall(const QString& fromHandle, const QString& roomId);
    void frameReceived(quint32 participantId, const QByteArray& sframe);
    void keyReceived(quint64 epoch, const QByteArray& wrappedKey);
    void revocationNotice(quint32 participantId);
    // A verified peer's credential was found revoked during the call: its report is now Failed
    // (credential-revoked, sent as peerReport too), its media and key are withdrawn.
    void peerRevoked(quint32 participantId);
    // An input the set-up ignored, with its reason code (refusalName) and what it was.
    void refused(const QString& code, const QString& detail);
    // The host broke the protocol (the connection is closed), or a local failure
    // (evidence, encoding): code and message.
    void protocolError(const QString& code, const QString& message);
    void hostError(const QString& codeAndMessage);

private:
    void feed(const Event& event);
    void apply(Step step, CallState before);
    void onNote(const Note& note);
    void sendMessage(const proto::CallMessage& message);
    void withEvidence(const std::string& destination, std::function<void(proto::Evidence)> next);
    void recheckRevocation(std::uint32_t participantId, bool refresh);
    void onConnected();
    void onDisconnected();
    [[nodiscard]] std::int64_t nowMs() const;

    CallClientOptions m_options;
    EvidenceBuilder& m_builder;
    PeerEvidenceVerifier& m_verifier;
    CallSetup m_setup;
    QWebSocket m_socket;
    std::map<TimerKind, std::unique_ptr<QTimer>> m_timers;
    QTimer m_reconnect;
    QTimer m_revocationTimer;
    std::map<std::uint32_t, PeerOutcome> m_outcomes;
    std::map<std::uint32_t, std::string> m_outcomeAssertions;      // the assertion each outcome is for
    std::set<std::pair<std::uint32_t, std::string>> m_inFlight;    // verifications under way
    std::shared_ptr<const EphemeralKey> m_ephemeral; // of the evidence we joined with
    bool m_wantListen = false;
    bool m_closing = false;
};

} // namespace twinseal::calls
