#include "call_control.h"

#include <QDir>
#include <QFileInfo>
#include <QLocalSocket>

#include <sys/stat.h>

namespace twinseal::ctl {

namespace {

constexpr qint64 kMaxRequest = 512; // "leave " and a room ID
constexpr int kProbeMs = 2000;      // does a socket left in place still answer?

} // namespace

QString callControlPath(const QString& dataDir) {
    return QDir(QFileInfo(dataDir).absoluteFilePath()).filePath(QString::fromLatin1(kCallControlSocket));
}

CallControlServer::CallControlServer(std::function<std::string()> roomId, QObject* parent)
    : QObject(parent), m_roomId(std::move(roomId)) {
    m_server.setSocketOptions(QLocalServer::UserAccessOption);
    connect(&m_server, &QLocalServer::newConnection, this, &CallControlServer::onConnection);
}

CallControlServer::~CallControlServer() { m_server.close(); } // removes the socket file

std::string CallControlServer::listen(const QString& dataDir) {
    const QString path = callControlPath(dataDir);
    if (QFileInfo::exists(path)) {
        QLocalSocket probe;
        probe.connectToServer(path);
        if (probe.waitForConnected(kProbeMs))
            return "another call is running with this data directory (" + path.toStdString() +
                   " answers); `twinsealctl call leave` reaches that one";
        QLocalServer::removeServer(path); // left behind by a participant that is gone
    }
    if (!m_server.listen(path))
        return "cannot listen at " + path.toStdString() + ": " + m_server.errorString().toStdString();
    if (::chmod(QFile::encodeName(path).constData(), S_IRUSR | S_IWUSR) != 0) {
        m_server.close();
        return "cannot restrict " + path.toStdString() + " to its owner";
    }
    return {};
}

void CallControlServer::onConnection() {
    while (QLocalSocket* socket = m_server.nextPendingConnection()) {
        connect(socket, &QLocalSocket::disconnected, socket, &QObject::deleteLater);
        connect(socket, &QLocalSocket::readyRead, this, [this, socket] {
            if (!socket->canReadLine()) {
                if (socket->bytesAvailable() > kMaxRequest)
                    socket->abort(); // no request is that long
                return;
            }
            const QString line = QString::fromUtf8(socket->readLine(kMaxRequest)).trimmed();
            const QStringList words = line.split(QLatin1Char(' '), Qt::SkipEmptyParts);
            if (words.value(0) != QLatin1String("leave") || words.size() > 2) {
                socket->write("unknown-request\n");
                socket->disconnectFromServer();
                return;
            }
            const QString room = QString::fromStdString(m_roomId());
            if (words.size() == 2 && words.at(1) != room) {
                socket->write(("other-room " + room + "\n").toUtf8());
                socket->disconnectFromServer();
                return;
            }
            // The connection stays open until the participant has left (the process ends).
            socket->write(("leaving " + room + "\n").toUtf8());
            socket->flush();
            emit leaveRequested();
        });
    }
}

} // namespace twinseal::ctl
