// The avatar repository part of the home-network client: chunked upload, grants, and the
// streaming, verifying download.
#include "twinseal/netclient/avatar_transfer.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

#include <memory>
#include <set>

#include <twinseal/security/merkle.h>

#include "client_common.h"
#include "transport.h"
#include "twinseal/netclient/service_client.h"
#include "wire.h"

namespace twinseal::netclient {

namespace sec = twinseal::security;
using detail::AuthKind;
using detail::deliverLater;
using detail::HttpRequest;
using detail::Transport;

namespace {

constexpr qint64 kReadPiece = qint64{256} * 1024;
constexpr qint64 kDownloadReadBuffer = qint64{1024} * 1024;
constexpr std::size_t kMaxAvatarIdLength = 512;

// A manifest path that stays inside the folder it is resolved against: relative, '/'-separated,
// no empty, "." or ".." component, no backslash or control character.
bool isSafeRelativePath(const std::string& path) {
    if (path.empty() || path.size() > 1024 || path.front() == '/')
        return false;
    std::size_t start = 0;
    while (true) {
        const std::size_t slash = path.find('/', start);
        const std::string part =
            path.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
        if (part.empty() || part == "." || part == "..")
            return false;
        for (const char c : part)
            if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f || c == '\\')
                return false;
        if (slash == std::string::npos)
            return true;
        start = slash + 1;
    }
}

ClientError unsafePath(const std::string& path) {
    return clientError(reason::kUnsafePath,
                       "The avatar's manifest names the file \"" + path.substr(0, 200) +
                           "\", which could be written outside the destination folder; the "
                           "avatar was refused.");
}

ClientError ioError(const std::string& what) {
    return clientError(reason::kIoError,
                       what + ". Check the path, its permissions and free space.");
}

ClientResult<QByteArray> avatarPath(const std::string& avatarId) {
    if (avatarId.empty() || avatarId.size() > kMaxAvatarIdLength)
        return clientError(reason::kInvalidArgument, "The Avatar-ID is empty or too long.");
    return QByteArray("/v1/avatars/") + detail::encodeSegment(avatarId);
}

// GET /v1/avatars/{id} or /v1/avatars/by-root/{hex}.
ClientResult<HttpRequest> avatarInfoRequest(const AvatarFetchRequest& request) {
    QByteArray path;
    if (!request.avatarId.empty()) {
        auto byId = avatarPath(request.avatarId);
        if (!byId.ok())
            return byId.error();
        path = std::move(*byId);
    } else if (request.mediaRoot) {
        path = QByteArray("/v1/avatars/by-root/") +
               QByteArray::fromStdString(sec::toHex(*request.mediaRoot));
    } else {
        return clientError(reason::kInvalidArgument,
                           "Say which avatar to fetch: its Avatar-ID or its media root.");
    }
    HttpRequest r = detail::getRequest(std::move(path), request.grantToken.empty() ? AuthKind::Akma
                                                                                   : AuthKind::Grant);
    r.grantToken = request.grantToken;
    return r;
}

// The answer to GET /v1/avatars/...: the repository's record of an avatar.
ClientResult<AvatarRecord> avatarRecordFrom(const ClientResult<QByteArray>& answer) {
    if (!answer.ok())
        return answer.error();
    proto::AvatarInfo info;
    if (!detail::parseMessage(*answer, info))
        return detail::malformed("the avatar request");
    return detail::avatarRecordFromProto(info);
}

// The answer to avatarInfoRequest(): the repository's record of the avatar asked for (the one
// with the Avatar-ID or media root the request names).
ClientResult<AvatarRecord> avatarRecordOf(const AvatarFetchRequest& request,
                                          const ClientResult<QByteArray>& answer) {
    auto record = avatarRecordFrom(answer);
    if (!record.ok())
        return record;
    if (!request.avatarId.empty() && record->avatarId != request.avatarId)
        return detail::malformed("the avatar request", "it describes another avatar");
    if (request.mediaRoot && record->mediaRoot != *request.mediaRoot)
        return detail::malformed("the avatar request", "it describes other media");
    return record;
}

// A transfer whose outcome is a ClientResult<T>.
template <typename T> class TransferJob : public AvatarTransfer {
public:
    TransferJob(Direction direction, std::string avatarId, ServiceClient& client,
                ClientCallback<T> done)
        : AvatarTransfer(direction, std::move(avatarId), client), m_callback(std::move(done)) {}

protected:
    // Decides the outcome (once): stops every request, then later runs the callback, emits
    // finished() and deletes the transfer.
    void complete(ClientResult<T> result) {
        if (!markFinished())
            return;
        stopAll();
        auto holder = std::make_shared<ClientResult<T>>(std::move(result));
        Transport::post(this, [this, holder] {
            auto callback = std::move(m_callback);
            callback(std::move(*holder));
            emit finished();
            deleteLater();
        });
    }
    void doCancel() override {
        complete(clientError(reason::kCancelled, "The avatar transfer was cancelled."));
    }
    // Disconnects and aborts every request, discards partial files. No callback.
    virtual void stopAll() = 0;

private:
    ClientCallback<T> m_callback;
};

// ---- upload -------------------------------------------------------------------------------------

class UploadJob final : public TransferJob<AvatarRecord> {
public:
    UploadJob(ServiceClient& client, std::string avatarId, sec::Manifest manifest,
              QString packagePath, ClientCallback<AvatarRecord> done)
        : TransferJob(Direction::Upload, std::move(avatarId), client, std::move(done)),
          m_manifest(std::move(manifest)), m_packagePath(std::move(packagePath)) {}
    ~UploadJob() override { stopAll(); }

    void start() {
        if (auto st = prepare(); !st.ok())
            return complete(st.error());
        pump();
    }

private:
    struct Chunk {
        std::size_t file = 0;
        std::uint64_t index = 0;
        std::uint64_t offset = 0;
        std::uint64_t length = 0;
    };

    ClientStatus prepare() {
        auto path = avatarPath(avatarId());
        if (!path.ok())
            return path.error();
        m_avatarPath = std::move(*path);
        const std::uint64_t chunkSize = m_manifest.chunkSize;
        if (chunkSize == 0 || m_manifest.files.empty())
            return clientError(reason::kManifestInvalid,
                               "The avatar manifest has no files or no chunk size; pack the "
                               "avatar again.");
        const QFileInfo package(m_packagePath);
        if (package.isDir()) {
            m_base = package.absoluteFilePath();
        } else if (package.isFile()) {
            // A single .glb package: the manifest names the file by its name.
            if (m_manifest.files.size() != 1 ||
                m_manifest.files.front().path != package.fileName().toStdString())
                return clientError(reason::kManifestInvalid, "The manifest is not the one of " +
                                                                 m_packagePath.toStdString() +
                                                                 "; pack the avatar again.");
            m_base = package.absolutePath();
        } else {
            return ioError("The avatar package " + m_packagePath.toStdString() + " does not exist");
        }

        std::uint64_t total = 0;
        for (std::size_t i = 0; i < m_manifest.files.size(); ++i) {
            const sec::ManifestFile& f = m_manifest.files[i];
            if (!isSafeRelativePath(f.path))
                return unsafePath(f.path);
            const QFileInfo local(localPath(f));
            if (local.isSymLink() || !local.isFile())
                return ioError("The avatar file " + local.filePath().toStdString() +
                               " is missing or not a regular file");
            if (static_cast<std::uint64_t>(local.size()) != f.size)
                return clientError(
                    reason::kMediaMismatch,
                    "The avatar file " + f.path + " has " + std::to_string(local.size()) +
                        " bytes, but the signed manifest says " + std::to_string(f.size) +
                        ": the package changed since it was packed. Pack it again.");
            const std::uint64_t chunks = (f.size + chunkSize - 1) / chunkSize;
            if (chunks != f.chunkHashes.size())
                return clientError(reason::kManifestInvalid,
                                   "The manifest's chunk list for " + f.path +
                                       " does not fit the file's size; pack the avatar again.");
            for (std::uint64_t c = 0; c < chunks; ++c) {
                const std::uint64_t offset = c * chunkSize;
                m_chunks.push_back({i, c, offset, std::min(chunkSize, f.size - offset)});
            }
            total += f.size;
        }
        setTotal(total);
        return {};
    }

    QString localPath(const sec::ManifestFile& f) const {
        return m_base + QLatin1Char('/') + QString::fromStdString(f.path);
    }

    void pump() {
        while (!isFinished() &&
               m_inFlight.size() < static_cast<std::size_t>(transport().maxChunksInFlight()) &&
               m_next < m_chunks.size()) {
            if (auto st = send(m_chunks[m_next++]); !st.ok())
                return complete(st.error());
        }
        if (!isFinished() && m_inFlight.empty() && m_next == m_chunks.size())
            confirm();
    }

    // Reads one chunk (only that chunk is in memory), checks it against the manifest, PUTs it.
    ClientStatus send(const Chunk& chunk) {
        const sec::ManifestFile& f = m_manifest.files[chunk.file];
        QFile file(localPath(f));
        if (!file.open(QIODevice::ReadOnly) || !file.seek(static_cast<qint64>(chunk.offset)))
            return ioError("Cannot read " + file.fileName().toStdString());
        const QByteArray data = file.read(static_cast<qint64>(chunk.length));
        if (static_cast<std::uint64_t>(data.size()) != chunk.length)
            return ioError("Cannot read " + file.fileName().toStdString());
        if (sec::merkle::leafHash(detail::viewOf(data)) != f.chunkHashes[chunk.index])
            return clientError(reason::kMediaMismatch,
                               "The avatar file " + f.path +
                                   " changed on disk since it was "
                                   "packed (chunk " +
                                   std::to_string(chunk.index) +
                                   " differs from the signed manifest). Pack the avatar again.");

        HttpRequest request;
        request.method = "PUT";
        request.path = m_avatarPath + "/files/" + QByteArray::number(qulonglong(chunk.file)) +
                       "/chunks/" + QByteArray::number(qulonglong(chunk.index));
        request.body = data;
        request.contentType = detail::kOctetStreamType;
        request.auth = AuthKind::Akma;
        auto started = transport().start(request);
        if (!started.ok())
            return started.error();
        QNetworkReply* reply = *started;
        m_inFlight.insert(reply);
        const std::uint64_t length = chunk.length;
        connect(reply, &QNetworkReply::finished, this, [this, reply, length] {
            m_inFlight.erase(reply);
            reply->deleteLater();
            const QByteArray body = Transport::readAvailable(reply, detail::kMaxBufferedResponse);
            if (!Transport::succeeded(reply)) {
                ClientError error = transport().replyError(reply, body);
                transport().noteRefusal(error, AuthKind::Akma);
                return complete(std::move(error));
            }
            addDone(length);
            pump();
        });
        return {};
    }

    // Every chunk is stored: the repository must now say the avatar is complete.
    void confirm() {
        transport().call(detail::getRequest(m_avatarPath, AuthKind::Akma), this,
                         [this](const ClientResult<QByteArray>& r) {
            auto record = avatarRecordFrom(r);
            if (!record.ok())
                return complete(record.error());
            if (record->avatarId != avatarId() || record->mediaRoot != m_manifest.packageRoot)
                return complete(detail::malformed("the avatar request",
                                                  "it describes another avatar or other media"));
            if (!record->complete) {
                std::uint64_t stored = 0, chunks = 0;
                for (const auto& f : record->files) {
                    stored += f.chunksStored;
                    chunks += f.chunks;
                }
                return complete(clientError(reason::kUploadIncomplete,
                                            "Every chunk was sent, but the repository holds only " +
                                                std::to_string(stored) + " of " +
                                                std::to_string(chunks) +
                                                " verified chunks. Upload the avatar again."));
            }
            complete(std::move(record).value());
        });
    }

    void stopAll() override {
        for (QNetworkReply* reply : m_inFlight) {
            disconnect(reply, nullptr, this, nullptr);
            reply->abort();
            reply->deleteLater();
        }
        m_inFlight.clear();
    }

    sec::Manifest m_manifest;
    QString m_packagePath;
    QString m_base; // the folder the manifest's paths are relative to
    QByteArray m_avatarPath;
    std::vector<Chunk> m_chunks;
    std::size_t m_next = 0;
    std::set<QNetworkReply*> m_inFlight;
};

// ---- download -----------------------------------------------------------------------------------

class DownloadJob final : public TransferJob<FetchedAvatar> {
public:
    DownloadJob(ServiceClient& client, AvatarFetchRequest request,
                ClientCallback<FetchedAvatar> done)
        : TransferJob(Direction::Download, request.avatarId, client, std::move(done)),
          m_request(std::move(request)),
          m_auth(m_request.grantToken.empty() ? AuthKind::Akma : AuthKind::Grant) {}
    ~DownloadJob() override { stopAll(); }

    void start() {
        if (m_request.destination.isEmpty())
            return complete(
                clientError(reason::kInvalidArgument, "Say where to write the avatar's files."));
        if (!m_request.expectedMediaRoot)
            return complete(clientError(reason::kInvalidArgument,
                                        "Say which media root the avatar's credential certifies: "
                                        "the fetched files are verified against it."));
        auto request = avatarInfoRequest(m_request);
        if (!request.ok())
            return complete(request.error());
        transport().call(*request, this,
                         [this](const ClientResult<QByteArray>& r) { onInfo(r); });
    }

private:
    void onInfo(const ClientResult<QByteArray>& r) {
        auto record = avatarRecordOf(m_request, r);
        if (!record.ok())
            return complete(record.error());

        auto manifest = sec::parseSignedManifest(record->signedManifest);
        if (!manifest.ok())
            return complete(clientError(reason::kManifestInvalid,
                                        "The avatar's signed manifest does not verify (" +
                                            manifest.error().message() +
                                            "). Do not use this avatar."));
        m_manifest = std::make_unique<sec::SignedManifest>(std::move(manifest).value());
        const sec::Manifest& m = m_manifest->manifest;
        if (m.packageRoot != record->mediaRoot)
            return complete(clientError(reason::kMediaMismatch,
                                        "The repository describes the avatar with another media "
                                        "root than its signed manifest. Do not use this avatar."));
        if (*m_request.expectedMediaRoot != m.packageRoot)
            return complete(clientError(
                reason::kMediaMismatch,
                "The avatar in the repository is not the media the credential certifies (root " +
                    sec::toHex(m.packageRoot) + ", certified " +
                    sec::toHex(*m_request.expectedMediaRoot) + "). Do not use it."));
        if (m_request.expectedHolderKey && !(*m_request.expectedHolderKey == m.holderKey))
            return complete(clientError(reason::kKeyMismatch,
                                        "The avatar's manifest is not signed by the credential's "
                                        "holder key. Do not use this avatar."));
        if (!record->complete)
            return complete(clientError(reason::kAvatarIncomplete,
                                        "The owner has not finished uploading this avatar; try "
                                        "again later."));
        std::uint64_t total = 0;
        for (const auto& f : m.files) {
            if (!isSafeRelativePath(f.path))
                return complete(unsafePath(f.path));
            total += f.size;
        }
        if (!QDir().mkpath(m_request.destination))
            return complete(
                ioError("Cannot create the folder " + m_request.destination.toStdString()));
        m_destination = QDir(m_request.destination).canonicalPath();
        if (m_destination.isEmpty())
            return complete(
                ioError("Cannot use the folder " + m_request.destination.toStdString()));
        auto path = avatarPath(record->avatarId);
        if (!path.ok())
            return complete(path.error());
        m_avatarPath = std::move(*path);
        setAvatarId(record->avatarId);
        m_dtId = record->dtId;
        m_verifier = std::make_unique<sec::StreamingMediaVerifier>(m);
        setTotal(total);
        nextFile();
    }

    void nextFile() {
        const sec::Manifest& m = m_manifest->manifest;
        while (!isFinished()) {
            if (m_file == m.files.size()) {
                if (auto st = m_verifier->finish(); !st.ok())
                    return mediaFailure(st.error());
                FetchedAvatar out;
                out.avatarId = avatarId();
                out.dtId = m_dtId;
                out.manifest = std::move(*m_manifest);
                out.directory = m_destination;
                out.bytes = bytesDone();
                return complete(std::move(out));
            }
            const sec::ManifestFile& f = m.files[m_file];
            if (auto st = m_verifier->beginFile(f.path); !st.ok())
                return mediaFailure(st.error());
            const QString target =
                m_destination + QLatin1Char('/') + QString::fromStdString(f.path);
            const QString parent = QFileInfo(target).absolutePath();
            if (!QDir().mkpath(parent))
                return complete(ioError("Cannot create the folder " + parent.toStdString()));
            const QString canonicalParent = QDir(parent).canonicalPath();
            if (canonicalParent != m_destination &&
                !canonicalParent.startsWith(m_destination + QLatin1Char('/')))
                return complete(unsafePath(f.path));
            m_out = std::make_unique<QSaveFile>(target);
            if (!m_out->open(QIODevice::WriteOnly))
                return complete(ioError("Cannot write " + target.toStdString()));
            if (f.size > 0)
                return fetchFile();
            // An empty file has no chunk: nothing to fetch.
            if (auto st = m_verifier->endFile(); !st.ok())
                return mediaFailure(st.error());
            if (!commitFile())
                return;
            ++m_file;
        }
    }

    void fetchFile() {
        HttpRequest request;
        request.method = "GET";
        request.path = m_avatarPath + "/files/" + QByteArray::number(qulonglong(m_file));
        request.accept = detail::kRawAccept;
        request.auth = m_auth;
        request.grantToken = m_request.grantToken;
        auto started = transport().start(request);
        if (!started.ok())
            return complete(started.error());
        m_reply = *started;
        m_errorBody.clear();
        m_reply->setReadBufferSize(kDownloadReadBuffer);
        connect(m_reply, &QNetworkReply::readyRead, this, [this] { drain(); });
        connect(m_reply, &QNetworkReply::finished, this, [this] { onFileFinished(); });
    }

    // Feeds what has arrived to the verifier, then to the file. False once the job failed.
    bool drain() {
        if (!m_reply || isFinished())
            return false;
        const int status = Transport::httpStatus(m_reply);
        if (status < 200 || status >= 300) {
            // A refusal: keep (a bounded part of) its ErrorResponse body.
            const QByteArray data = Transport::readAvailable(m_reply);
            m_errorBody.append(
                data.left(std::max<qint64>(0, detail::kMaxErrorBody - m_errorBody.size())));
            return true;
        }
        while (m_reply->isOpen() && m_reply->bytesAvailable() > 0) {
            const QByteArray piece = Transport::readAvailable(m_reply, kReadPiece);
            if (piece.isEmpty())
                break;
            if (auto st = m_verifier->update(detail::viewOf(piece)); !st.ok()) {
                mediaFailure(st.error());
                return false;
            }
            if (m_out->write(piece) != piece.size()) {
                complete(ioError("Cannot write " + m_out->fileName().toStdString()));
                return false;
            }
            addDone(static_cast<quint64>(piece.size()));
        }
        return true;
    }

    void onFileFinished() {
        QNetworkReply* reply = m_reply;
        if (!reply)
            return;
        if (Transport::succeeded(reply)) {
            if (!drain())
                return;
        } else {
            drain();
            ClientError error = transport().replyError(reply, m_errorBody);
            transport().noteRefusal(error, m_auth);
            return complete(std::move(error));
        }
        disconnect(reply, nullptr, this, nullptr);
        reply->deleteLater();
        m_reply = nullptr;
        if (auto st = m_verifier->endFile(); !st.ok())
            return mediaFailure(st.error());
        if (!commitFile())
            return;
        ++m_file;
        nextFile();
    }

    bool commitFile() {
        const QString name = m_out->fileName();
        const bool ok = m_out->commit();
        m_out.reset();
        if (!ok)
            complete(ioError("Cannot write " + name.toStdString()));
        return ok;
    }

    void mediaFailure(const sec::Error& error) {
        const sec::MediaFailure& where = m_verifier->failure();
        std::string place = where.file.empty() ? std::string("the avatar") : "file " + where.file;
        if (where.chunkIndex)
            place += ", chunk " + std::to_string(*where.chunkIndex);
        complete(clientError(reason::kMediaMismatch,
                             "The avatar's media does not match its signed manifest at " + place +
                                 " (" + error.detail +
                                 "). The download was stopped and the file discarded; do not use "
                                 "this avatar."));
    }

    void stopAll() override {
        if (m_reply) {
            disconnect(m_reply, nullptr, this, nullptr);
            m_reply->abort();
            m_reply->deleteLater();
            m_reply = nullptr;
        }
        if (m_out) {
            m_out->cancelWriting();
            m_out.reset(); // an uncommitted QSaveFile removes its temporary file
        }
    }

    AvatarFetchRequest m_request;
    AuthKind m_auth;
    std::unique_ptr<sec::SignedManifest> m_manifest; // stable address: the verifier refers to it
    std::unique_ptr<sec::StreamingMediaVerifier> m_verifier;
    std::string m_dtId;
    QString m_destination; // canonical
    QByteArray m_avatarPath;
    std::size_t m_file = 0;
    QNetworkReply* m_reply = nullptr;
    std::unique_ptr<QSaveFile> m_out;
    QByteArray m_errorBody;
};

} // namespace

// ---- AvatarTransfer -----------------------------------------------------------------------------

AvatarTransfer::AvatarTransfer(Direction direction, std::string avatarId, ServiceClient& client)
    : QObject(&client), m_client(client), m_direction(direction), m_avatarId(std::move(avatarId)) {}

AvatarTransfer::~AvatarTransfer() = default;

detail::Transport& AvatarTransfer::transport() const {
    return *m_client.m_transport;
}

void AvatarTransfer::cancel() {
    if (!m_finished)
        doCancel();
}

void AvatarTransfer::setTotal(quint64 total) {
    m_total = total;
    emit progress(m_done, m_total);
}

void AvatarTransfer::addDone(quint64 bytes) {
    m_done += bytes;
    emit progress(m_done, m_total);
}

bool AvatarTransfer::markFinished() {
    if (m_finished)
        return false;
    m_finished = true;
    return true;
}

// ---- ServiceClient: avatar repository -----------------------------------------------------------

AvatarTransfer* ServiceClient::uploadAvatar(const std::string& avatarId,
                                            const sec::Manifest& manifest,
                                            const QString& packagePath,
                                            ClientCallback<AvatarRecord> done) {
    auto* job = new UploadJob(*this, avatarId, manifest, packagePath, std::move(done));
    // Started from the event loop, so that the caller can connect to progress() first and the
    // callback never runs inside this call.
    Transport::post(job, [job] { job->start(); });
    return job;
}

AvatarTransfer* ServiceClient::fetchAvatar(const AvatarFetchRequest& request,
                                           ClientCallback<FetchedAvatar> done) {
    auto* job = new DownloadJob(*this, request, std::move(done));
    Transport::post(job, [job] { job->start(); });
    return job;
}

void ServiceClient::createGrant(const std::string& avatarId, std::uint64_t ttlSeconds,
                                ClientCallback<AccessGrant> done) {
    auto path = avatarPath(avatarId);
    if (!path.ok())
        return deliverLater<AccessGrant>(this, std::move(done), path.error());
    proto::GrantRequest grant;
    grant.set_ttl_seconds(ttlSeconds);
    m_transport->call(
        detail::postRequest(*path + "/grants", detail::serialize(grant), AuthKind::Akma), this, [avatarId, done = std::move(done)](ClientResult<QByteArray> r) {
            if (!r.ok())
                return done(r.error());
            proto::AccessGrant g;
            if (!detail::parseMessage(*r, g) || g.token().empty())
                return done(detail::malformed("the grant request", "no token"));
            if (g.avatar_id() != avatarId)
                return done(detail::malformed("the grant request", "it is for another avatar"));
            done(AccessGrant{g.token(), g.avatar_id(), g.expires_at()});
        });
}

void ServiceClient::fetchAvatarInfo(const AvatarFetchRequest& request,
                                    ClientCallback<AvatarRecord> done) {
    auto http = avatarInfoRequest(request);
    if (!http.ok())
        return deliverLater<AvatarRecord>(this, std::move(done), http.error());
    m_transport->call(*http, this, [request, done = std::move(done)](const ClientResult<QByteArray>& r) {
        done(avatarRecordOf(request, r));
    });
}

} // namespace twinseal::netclient
