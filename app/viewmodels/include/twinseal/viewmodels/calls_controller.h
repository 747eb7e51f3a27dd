// The Calls page's view-model: rooms (create with a policy, invite by transfer handle, an
// incoming ring accepted or declined, join by room address and code, leave), the room's
// participants with each one's verification report (ParticipantListModel; the full report of
// the one chosen in `report`), the call's alerts (CallAlertListModel) and the local user's own
// avatar pose, sent to the room as animation frames at a steady rate.
//
// It builds the call library's CallClient from the session: its evidence (EvidenceBuilder over
// the twin's store and session, disclosures from the Privacy page's rules), the verifier of
// every peer (PeerEvidenceVerifier: this device's trust list, pins and replay cache; the own
// home network from the profile plus any home-networks.json in the data directory; caches in
// call-cache/), and the room host: the own home network's wss://…/v1/ws with its TLS CA.
//
// Everything that happens in a call goes to the activity log: the call (room, start, end), each
// peer's verification outcome, every alert and every key-change decision.
#pragma once

#include <QtQml/qqmlregistration.h>

#include <QSet>
#include <QString>
#include <QTimer>
#include <QVariantList>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "twinseal/viewmodels/call_alert_list_model.h"
#include "twinseal/viewmodels/check_list_model.h"
#include "twinseal/viewmodels/page_model.h"
#include "twinseal/viewmodels/participant_list_model.h"

namespace twinseal::calls {
class CallClient;
class EvidenceBuilder;
class PeerEvidenceVerifier;
struct AnimationFrame;
struct BodyCalibration;
struct HomeNetworkEntry;
struct TrackedBody;
} // namespace twinseal::calls
namespace twinseal::security {
struct UsimProfileData;
}

namespace twinseal::viewmodels {

// Event types of the activity log for calls (besides security::audit_event::kCallVerify, one
// per peer outcome).
namespace call_event {
inline constexpr const char* kStart = "call.start";
inline constexpr const char* kEnd = "call.end";
inline constexpr const char* kAlert = "call.alert";
inline constexpr const char* kKeyDecision = "call.key-decision";
} // namespace call_event

class CallsController : public twinseal::viewmodels::PageModel {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("CallsController is created by the client, not by QML")
    // CallSetup's state ("idle", "listening", "creating", "joining", "verifying", "inviting",
    // "ringing", "in-call", "reconnecting", "left", "ended") and the same in words.
    Q_PROPERTY(QString callState READ callState NOTIFY callChanged)
    Q_PROPERTY(QString callStateText READ callStateText NOTIFY callChanged)
    Q_PROPERTY(bool inRoom READ inRoom NOTIFY callChanged)
    // In a room and every peer's report is Verified.
    Q_PROPERTY(bool allVerified READ allVerified NOTIFY callChanged)
    Q_PROPERTY(bool reachable READ reachable NOTIFY callChanged)
    Q_PROPERTY(QString roomTitle READ roomTitle NOTIFY callChanged)
    Q_PROPERTY(QString roomUri READ roomUri NOTIFY callChanged)
    Q_PROPERTY(QString roomCode READ roomCode NOTIFY callChanged)
    Q_PROPERTY(QString invitation READ invitation NOTIFY callChanged)
    // The room's policy forbids confidentiality: frames are authenticated, not encrypted.
    Q_PROPERTY(bool integrityOnly READ integrityOnly NOTIFY callChanged)
    Q_PROPERTY(QString ringingFrom READ ringingFrom NOTIFY callChanged)
    Q_PROPERTY(QString handle READ handle NOTIFY callChanged)
    Q_PROPERTY(int framesSent READ framesSent NOTIFY framesSentChanged)
    Q_PROPERTY(twinseal::viewmodels::ParticipantListModel* participants READ participants CONSTANT)
    Q_PROPERTY(twinseal::viewmodels::CallAlertListModel* alerts READ alerts CONSTANT)
    // The report of the participant chosen with showReport().
    Q_PROPERTY(twinseal::viewmodels::CheckListModel* report READ report CONSTANT)
    Q_PROPERTY(int reportParticipant READ reportParticipant NOTIFY reportChanged)
    Q_PROPERTY(QString reportState READ reportState NOTIFY reportChanged)
    Q_PROPERTY(QString reportSummary READ reportSummary NOTIFY reportChanged)
    Q_PROPERTY(QString reportSubject READ reportSubject NOTIFY reportChanged)
    // A headset's tracked poses drive the local avatar (setTrackedPose), not the desktop input.
    Q_PROPERTY(bool tracked READ tracked NOTIFY trackingChanged)
    // The participant chosen with selectNextParticipant() (-1: none), e.g. from a controller.
    Q_PROPERTY(int selectedParticipant READ selectedParticipant NOTIFY selectionChanged)

public:
    // The disclosures to present in a room (the Privacy page's rules for it).
    using DisclosureChooser = std::function<std::vector<std::string>(const QString& roomUri)>;

    CallsController(twin::TwinStore& store, AuditTrail& audit, QObject* parent = nullptr);
    ~CallsController() override;

    // The profile's home network (the room host and the first home network peers are verified
    // against) at `address`; the own avatar's model for the local tile. Null: no profile.
    void setHomeNetwork(const security::UsimProfileData* profile, const QString& address);
    void setOwnModel(const QUrl& model);
    void setDisclosureChooser(DisclosureChooser chooser) { m_disclosures = std::move(chooser); }
    // The animation rate of the local avatar (frames per second, 30 by default).
    void setFrameRate(int hz);
    // The role credentials held on My Twin changed: presented from now on (the call client is
    // built again unless in a room or ringing, and listens again when it was listening).
    void refreshRoles();

    [[nodiscard]] QString callState() const;
    [[nodiscard]] QString callStateText() const;
    [[nodiscard]] bool inRoom() const;
    [[nodiscard]] bool allVerified() const;
    [[nodiscard]] bool reachable() const;
    [[nodiscard]] QString roomTitle() const;
    [[nodiscard]] QString roomUri() const;
    // What another person needs to join: the room's address, then its code when it has one
    // ("urn:twinseal:room:<operator>:<room> CODE"); joinRoom accepts it pasted whole.
    [[nodiscard]] QString invitation() const;
    [[nodiscard]] QString roomCode() const { return m_roomCode; }
    [[nodiscard]] bool integrityOnly() const;
    [[nodiscard]] QString ringingFrom() const { return m_ringingFrom; }
    [[nodiscard]] QString handle() const { return m_handle; }
    [[nodiscard]] int framesSent() const noexcept { return m_framesSent; }
    [[nodiscard]] ParticipantListModel* participants() noexcept { return &m_participants; }
    [[nodiscard]] CallAlertListModel* alerts() noexcept { return &m_alerts; }
    [[nodiscard]] CheckListModel* report() noexcept { return &m_report; }
    [[nodiscard]] int reportParticipant() const noexcept { return m_reportParticipant; }
    [[nodiscard]] QString reportState() const { return m_reportState; }
    [[nodiscard]] QString reportSummary() const { return m_reportSummary; }
    [[nodiscard]] QString reportSubject() const { return m_reportSubject; }
    [[nodiscard]] bool tracked() const noexcept { return m_tracking; }
    [[nodiscard]] int selectedParticipant() const noexcept { return m_selected; }
    // The call client (null before the first action), for tests.
    [[nodiscard]] calls::CallClient* client() const noexcept { return m_client.get(); }

    // Connects to the room host and listens for invitations to the own transfer handle.
    Q_INVOKABLE void goOnline();
    // A room: who may join (`byCode`: anyone with the room code, else the handles in `invited`,
    // separated by commas or spaces), a required role with the file of the enterprise root that
    // vouches for it (both empty: none), integrity-only protection.
    Q_INVOKABLE void createRoom(const QString& title, bool byCode, const QString& invited,
                                const QString& requiredRole, const QString& roleRootFile,
                                bool integrityOnly);
    // Joins the room at `roomUri` (urn:twinseal:room:<operator>:<room id>) with its code; with
    // no code, `roomUri` may be a whole invitation (the address, white space, the code).
    Q_INVOKABLE void joinRoom(const QString& roomUri, const QString& code);
    Q_INVOKABLE void invite(const QString& handle);
    // Puts invitation() on the system clipboard.
    Q_INVOKABLE void copyInvitation() const;
    Q_INVOKABLE void accept();
    Q_INVOKABLE void decline();
    Q_INVOKABLE void leave();
    Q_INVOKABLE void showReport(int participantId);
    Q_INVOKABLE void closeReport();
    // The decision on a key change (alert `alertId`): the new key is pinned deliberately, or the
    // participant stays blocked.
    Q_INVOKABLE void acceptNewKey(int alertId);
    Q_INVOKABLE void blockParticipant(int alertId);
    Q_INVOKABLE void dismissAlert(int alertId);
    // Mouse or keyboard head movement of the local avatar, radians (added to the idle motion).
    // Ignored while a headset tracks the user (setTrackedPose).
    Q_INVOKABLE void setHeadInput(double yaw, double pitch);
    // The newest head and hand poses from a headset (calls/tracked_pose.h): they drive the local
    // avatar's frames from now on, in place of the desktop head input. The first sample with a
    // tracked head is the rest pose (calibration). Untracked parts keep the idle motion.
    void setTrackedPose(const calls::TrackedBody& body);
    // The headset stopped tracking (its session ended): back to the desktop head input; the next
    // setTrackedPose calibrates again.
    void clearTrackedPose();
    // Chooses the next peer in the room (in the participant list's order, wrapping round).
    Q_INVOKABLE void selectNextParticipant();
    // showReport() of the selected participant (nothing when none is selected).
    Q_INVOKABLE void showSelectedReport();

signals:
    void callChanged();
    void framesSentChanged();
    void reportChanged();
    void trackingChanged();
    void selectionChanged();

private:
    // Builds the call client when needed, connects it, and runs `next` once it is connected.
    void withClient(std::function<void()> next);
    // The call client goes (another session, or other role credentials to present).
    void dropClient();
    // Role credentials imported or removed on My Twin since the call client was built: it is
    // built again with them before the next room (never while in a room or ringing). True when
    // the dropped client was listening for invitations.
    bool presentCurrentRoles();
    bool buildClient(QString* code, QString* message);
    void onState();
    void onPeerReport(quint32 id, const QString& state, const QString& summary);
    void onPeerLeft(quint32 id, const QString& reason);
    void onAnimation(quint32 id, const calls::AnimationFrame& frame);
    void onRevoked(quint32 id);
    void onFrameRefused(quint32 id, const QString& code, const QString& message);
    void onKeyRefused(quint32 id, const QString& code, const QString& message);
    [[nodiscard]] QString whoIs(quint32 id) const;
    void syncPeers();
    void tick();
    void raise(const QString& kind, quint32 participant, const QString& title, const QString& code,
               const QString& message, bool needsDecision = false);
    [[nodiscard]] QString roomIdText() const;

    std::unique_ptr<calls::HomeNetworkEntry> m_home; // the profile's home network (null: none)
    std::string m_trustListPem;
    QString m_address;
    twin::TwinSession* m_clientSession = nullptr; // the session the client was built on
    QUrl m_ownModel;
    DisclosureChooser m_disclosures;
    std::unique_ptr<calls::EvidenceBuilder> m_builder;
    std::unique_ptr<calls::PeerEvidenceVerifier> m_verifier;
    std::unique_ptr<calls::CallClient> m_client;
    QByteArray m_rolesPresented; // digest of the role credentials the client presents
    QString m_pinsFile;
    QString m_handle;
    QString m_roomCode;
    QString m_ringingFrom;
    QString m_loggedRoom;     // the room whose start is in the activity log
    QString m_lastState;
    ParticipantListModel m_participants;
    CallAlertListModel m_alerts;
    QSet<QString> m_refusalsAlerted; // "<participant>/<reason>" of the refused-frames alerts raised
    CheckListModel m_report;
    int m_reportParticipant = -1;
    QString m_reportState;
    QString m_reportSummary;
    QString m_reportSubject;
    QTimer m_animation;
    QTimer m_connectWait;
    std::vector<std::function<void()>> m_waiting;
    qint64 m_startedMs = 0;
    double m_yaw = 0;
    double m_pitch = 0;
    bool m_tracking = false;
    std::unique_ptr<calls::TrackedBody> m_body;        // the newest tracked poses
    std::unique_ptr<calls::BodyCalibration> m_rest;    // null until calibrated
    int m_selected = -1;
    int m_framesSent = 0;
};

} // namespace twinseal::viewmodels
