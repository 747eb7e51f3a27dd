// An avatar upload or download in progress (ServiceClient::uploadAvatar / fetchAvatar): progress
// for a view, and cancel. The object belongs to the client and deletes itself once its
// completion callback has run; hold it in a QPointer.
#pragma once

#include <QObject>
#include <QtGlobal>

#include <string>

namespace twinseal::netclient {

class ServiceClient;
namespace detail {
class Transport;
} // namespace detail

class AvatarTransfer : public QObject {
    Q_OBJECT

public:
    enum class Direction { Upload, Download };

    ~AvatarTransfer() override;

    [[nodiscard]] Direction direction() const noexcept { return m_direction; }
    // For a download by media root this is empty until the repository has named the avatar.
    [[nodiscard]] const std::string& avatarId() const noexcept { return m_avatarId; }
    [[nodiscard]] quint64 bytesDone() const noexcept { return m_done; }
    [[nodiscard]] quint64 bytesTotal() const noexcept { return m_total; }
    // True once the outcome is decided (the callback is about to run or has run).
    [[nodiscard]] bool isFinished() const noexcept { return m_finished; }

public slots:
    // Stops the transfer; its callback receives "cancelled". No effect once finished.
    void cancel();

signals:
    void progress(quint64 done, quint64 total);
    // After the completion callback ran.
    void finished();

protected:
    AvatarTransfer(Direction direction, std::string avatarId, ServiceClient& client);

    [[nodiscard]] detail::Transport& transport() const;
    [[nodiscard]] ServiceClient& client() const noexcept { return m_client; }
    void setAvatarId(std::string id) { m_avatarId = std::move(id); }
    void setTotal(quint64 total);
    void addDone(quint64 bytes);
    // Marks the transfer decided; false if it already was (the caller must then do nothing).
    bool markFinished();
    // Stops every request without reporting anything, then reports "cancelled".
    virtual void doCancel() = 0;

private:
    ServiceClient& m_client;
    Direction m_direction;
    std::string m_avatarId;
    quint64 m_done = 0;
    quint64 m_total = 0;
    bool m_finished = false;
};

} // namespace twinseal::netclient
