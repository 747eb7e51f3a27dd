// The control channel of a running `twinsealctl call` participant: a local socket inside its
// data directory (<data-dir>/call.sock, owner-only 0600) through which `twinsealctl call leave
// --data-dir D [--room R]` asks it to leave the call cleanly. One line each way:
//   request  "leave" or "leave ROOM_ID"
//   answer   "leaving ROOM_ID"   the participant leaves; the socket closes once it has left
//            "other-room ROOM_ID"  it is in another room (ROOM_ID empty: in none yet); it stays
#pragma once

#include <QLocalServer>
#include <QObject>
#include <QString>

#include <functional>
#include <string>

namespace twinseal::ctl {

inline constexpr const char* kCallControlSocket = "call.sock";

// <dataDir>/call.sock, absolute.
[[nodiscard]] QString callControlPath(const QString& dataDir);

class CallControlServer : public QObject {
    Q_OBJECT

public:
    // `roomId` says which room the participant is in now (empty: none yet).
    explicit CallControlServer(std::function<std::string()> roomId, QObject* parent = nullptr);
    ~CallControlServer() override;

    // Listens at callControlPath(dataDir). A socket left behind by a participant that is gone
    // is replaced; one that answers (another participant of the same data directory) is left
    // alone. Empty on success, else why not.
    [[nodiscard]] std::string listen(const QString& dataDir);

signals:
    void leaveRequested();

private:
    void onConnection();

    QLocalServer m_server;
    std::function<std::string()> m_roomId;
};

} // namespace twinseal::ctl
