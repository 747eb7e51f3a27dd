// CallClient: one participant's TLS WebSocket to a room host (wss://host:port/v1/ws). It drives
// CallSetup: user actions and host messages go in, its steps come out as CallMessage binary
// frames (size-bounded both ways), timers, evidence built for the room (EvidenceBuilder) and
// every peer's evidence verified (PeerEvidenceVerifier). The UI gets each peer's report as it
// is; a peer's media and key are only handed on once its report is Verified (outcome()).
//
// Revocation during the call: Verified peers are re-checked against their home network's status
// list at its TTL (revocationRecheckMs), at once on the room host's RevocationNotice (which the
// host sends for credentials its own home network issued), and, for peers of any other home
// network, every foreignRevocationRecheckMs with a conditional fetch. A revoked peer is flagged
// (peerRevoked, its report Failed with credential-revoked), loses its media and key, and the
// call is re-keyed without it.
//
// Frames: animation frames are SFrame-protected under this participant's per-epoch sender key
// (CallFrameKeys). The epoch key goes to each Verified peer in a KeyUpdate wrapped to its
// assertion's `epk`; a new epoch starts whenever the set of Verified peers changes (join, leave,
// revocation) and on the room's re-key timer. Peers' keys are installed only while they are
// Verified; frames from anyone else, or that fail SFrame (altered, replayed, unknown key), are
// refused with their reason (frameRefused). Integrity-only rooms authenticate without
// encrypting (integrityOnly()).
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

#include <twinseal/calls/animation_frame.h>
#include <twinseal/calls/call_codec.h>
#include <twinseal/calls/call_frame_keys.h>
#include <twinseal/calls/call_setup.h>
#include <twinseal/calls/evidence_builder.h>
#include <twinseal/calls/peer_evidence_verifier.h>

namespace twinseal::calls {

// frameRefused's codes of its own (the others are security::errorCodeName's): frames that are
// dropped by design while a participant is not (yet) Verified or keyed, not signs of an attack.
inline constexpr const char* kPeerNotVerified = "peer-not-verified";
inline constexpr const char* kFrameKeyPending = "frame-key-pending";

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
    // The room host pushes a revocation notice only for credentials its own home network
    // issued. Verified peers of every OTHER home network are re-checked this often, with one
    // conditional fetch of each such home network's status list per interval (a 304 without a
    // body while it is unchanged), so that a participant another operator revokes is flagged
    // within this interval plus one round trip. 0: off (then only revocationRecheckMs).
    int foreignRevocationRecheckMs = 2000;
    // The room host's home network, as Evidence.home_network_url names it ("https://host:port");
    // empty: the host and port of `url`. Peers of another home network than this one are the
    // ones foreignRevocationRecheckMs polls for (a misnamed one is polled too, never missed).
    std::string roomHostHomeNetworkUrl;
    std::function<std::int64_t()> nowMs; // null: the system clock
    // The frame re-key interval; 0: the room policy's rekey_seconds (0 there: 600 s).
    int rekeyMs = 0;
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
    // True in a room whose policy is integrity-only: frames are authenticated, NOT encrypted.
    // The UI says so for the whole call.
    [[nodiscard]] bool integrityOnly() const;
    // The current frame-key epoch (0 before the first), and whether a peer's key is installed.
    [[nodiscard]] std::uint64_t frameEpoch() const;
    [[nodiscard]] bool hasPeerFrameKey(std::uint32_t participantId) const;
    // Protects an animation frame under the current sender key and sends it to the room.
    //   SFrameUnknownKeyId before the call is keyed; InvalidArgument for a frame that does not encode.
    security::Status sendAnimation(const AnimationFrame& frame);
    // Sends already-protected SFrame bytes as they are (a relay-level test hook).
    void sendRawFrame(const QByteArray& sframe);
    // Starts a new frame-key epoch now (the re-key timer does this on its own).
    void rekeyNow();

    // Feeds one binary WebSocket message as if the host had sent it (the codec's and the
    // set-up's checks apply); used by the socket, and by tests.
    void receiveBinary(const QByteArray& frame);

signals:
    void stateChanged(twinseal::calls::CallState state);
    // The room we asked for was created (the code is set for rooms joined by room code).
    void roomCreated(const QString& roomId, const QString& roomUri, const QString& roomCode);
    // A protected frame as it went to the room host (its bytes only; for diagnostics).
    void frameSent(const QByteArray& sframe);
    // Every peer's report, as it is (Failed, Incomplete and "Valid, untrusted issuer" included).
    void peerReport(quint32 participantId, const QString& state, const QString& summary,
                    const QString& reportJson);
    void peerLeft(quint32 participantId, const QString& reason);
    void incomingCall(const QString& fromHandle, const QString& roomId);
    // A Verified peer's frame, authenticated (and decrypted) with its frame key: the SFrame
    // payload and the decoded animation.
    void frameReceived(quint32 participantId, const QByteArray& payload);
    void animationReceived(quint32 participantId, const twinseal::calls::AnimationFrame& frame);
    // A frame that was not shown: its sender is not Verified (kPeerNotVerified), its sender's
    // frame key has not arrived yet (kFrameKeyPending: expected while the call is set up), SFrame
    // refused it (security::errorCodeName: sframe-authentication-failed, sframe-replayed, ...),
    // or its payload is not an animation frame.
    void frameRefused(quint32 participantId, const QString& code, const QString& message);
    // A peer's frame key was installed (epoch), or refused with its reason.
    void peerKeyInstalled(quint32 participantId, quint64 epoch);
    void keyRefused(quint32 participantId, const QString& code, const QString& message);
    // This participant started a new frame-key epoch for `peers` Verified peers.
    void rekeyed(quint64 epoch, int peers);
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
    void apply(const Step& step, CallState before);
    void onNote(const Note& note);
    void sendMessage(const proto::CallMessage& message);
    void withEvidence(const std::string& destination, std::function<void(proto::Evidence)> next);
    void recheckRevocation(std::uint32_t participantId, bool refresh);
    // The Verified peers of other home networks than the room host's, one fetch per network.
    void recheckForeignPeers();
    // Applies a re-check's outcome to the peer's report if it is still for `assertion`.
    // `quiet`: a list that cannot be had is reported once, not on every poll.
    void applyRevocationStatus(std::uint32_t participantId, const std::string& assertion,
                               const security::Status& status, bool quiet);
    [[nodiscard]] std::string roomHostHomeNetwork() const;
    void onConnected();
    void onDisconnected();
    [[nodiscard]] std::int64_t nowMs() const;
    [[nodiscard]] std::map<std::uint32_t, security::Bytes> verifiedPeerKeys() const;
    void syncFrameKeys(bool force);
    void installKey(std::uint32_t from, std::uint64_t epoch, const std::string& wrapped);
    void onFrame(std::uint32_t from, const std::string& sframe);

    CallClientOptions m_options;
    EvidenceBuilder& m_builder;
    PeerEvidenceVerifier& m_verifier;
    CallSetup m_setup;
    QWebSocket m_socket;
    std::map<TimerKind, std::unique_ptr<QTimer>> m_timers;
    QTimer m_reconnect;
    QTimer m_revocationTimer;
    QTimer m_foreignRevocationTimer;
    std::set<std::string> m_foreignInFlight;     // home networks whose list is being fetched
    std::set<std::string> m_foreignUnavailable;  // home networks whose list could not be had
    std::map<std::uint32_t, PeerOutcome> m_outcomes;
    std::map<std::uint32_t, std::string> m_outcomeAssertions;      // the assertion each outcome is for
    std::set<std::pair<std::uint32_t, std::string>> m_inFlight;    // verifications under way
    std::shared_ptr<const security::CallKeyPair> m_ephemeral; // of the evidence last built
    std::shared_ptr<const security::CallKeyPair> m_callKey;   // of the evidence we joined with
    std::unique_ptr<CallFrameKeys> m_frameKeys;
    std::map<std::uint32_t, security::Bytes> m_keyedPeers; // the Verified peers of our epoch
    std::map<std::uint32_t, std::pair<std::uint64_t, std::string>> m_pendingKeys; // until Verified
    QTimer m_rekeyTimer;
    bool m_wantListen = false;
    bool m_closing = false;
};

} // namespace twinseal::calls

Q_DECLARE_METATYPE(twinseal::calls::AnimationFrame)
