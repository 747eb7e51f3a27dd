// A headless call participant (`twinsealctl call ...`): drives one calls::CallClient, sends the
// scripted pose stream, takes commands on stdin, leaves on SIGTERM/SIGINT, and prints every
// event as one JSON object per line on stdout (see call_command.cpp for the events and the exit
// codes).
#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QSocketNotifier>
#include <QString>
#include <QTimer>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <twinseal/calls/call_client.h>
#include <twinseal/proto/call.pb.h>

class QJsonObject;

namespace twinseal::ctl {

// Exit codes of `call` (besides 0, 1 usage, 10+ and 100+ for local and home-network failures).
inline constexpr int kExitCallHostRefused = 130; // the room host refused us or ended the call
inline constexpr int kExitCallConnection = 131;  // the room host cannot be reached / was lost
inline constexpr int kExitCallTimeout = 132;     // not in the room (or no answer) in time
inline constexpr int kExitCallProtocol = 133;    // the room host broke the protocol
inline constexpr int kExitCallNotVerified = 134; // --require-verified: a peer is not Verified
inline constexpr int kExitCallEvidence = 135;    // our own evidence could not be built
inline constexpr int kExitCallNotRunning = 136;  // `call leave`: no call runs with that data directory
inline constexpr int kExitCallOtherRoom = 137;   // `call leave --room`: the call there is in another room

// What the participant does once connected.
struct CallPlan {
    enum class Mode { Create, Join, Listen } mode = Mode::Create;
    proto::RoomPolicy policy;          // Create
    std::vector<std::string> invites;  // handles to invite once in the room
    std::string roomId;                // Join
    std::string roomUri;               // Join
    std::string roomCode;              // Join
    enum class Answer { Ask, Accept, Decline } answer = Answer::Ask; // Listen
    std::optional<int> durationSeconds; // leave this long after entering the room (0: never)
    double poseRate = 30;              // frames per second; 0: no frames
    int timeoutSeconds = 60;           // to connect and to be in the room
    bool requireVerified = false;      // exit 134 when a peer's last report is not Verified
    bool printSentFrames = false;
    std::string ownHandle;             // printed first (handle event)      // a frame-sent event (base64 SFrame bytes) per frame sent
};

class CallParticipant : public QObject {
    Q_OBJECT

public:
    CallParticipant(calls::CallClient& client, CallPlan plan, QObject* parent = nullptr);
    ~CallParticipant() override;

    // Connects and runs until the call is over; returns the exit code.
    int run();
    // Leaves the call as a "leave" line on stdin does (`twinsealctl call leave`).
    void requestLeave();

private:
    void emitEvent(const char* name, QJsonObject fields);
    void onStateChanged(calls::CallState state);
    void onConnectPoll();
    void onPoseTick();
    void onStdin();
    void onSignal();
    void command(const QString& line);
    void leave(const char* why);
    void finish(int code, const QString& why);
    void flushFrameSummaries(bool all);
    [[nodiscard]] bool inRoom() const;

    struct PeerFrames {
        std::uint64_t received = 0;
        std::map<QString, std::uint64_t> refused;
        QString lastRefusal;
        bool changed = false;
    };

    calls::CallClient& m_client;
    CallPlan m_plan;
    QTimer m_connectPoll;
    QTimer m_deadline;
    QTimer m_duration;
    QTimer m_pose;
    QTimer m_summary;
    std::unique_ptr<QSocketNotifier> m_stdin;
    std::unique_ptr<QSocketNotifier> m_signals;
    std::string m_stdinBuffer;
    bool m_started = false;     // the plan's first step was taken
    bool m_enteredRoom = false;
    bool m_leaving = false;
    bool m_finished = false;
    int m_exitCode = 0;
    std::optional<int> m_failure; // the exit code of a failure seen before the call ended
    std::uint64_t m_sent = 0;
    std::uint64_t m_sentReported = 0;
    std::map<std::uint32_t, PeerFrames> m_frames;
    std::map<std::uint32_t, QString> m_lastState; // each peer's last report state
};

} // namespace twinseal::ctl
