// The avatar repository: the certified media of every DT, uploaded chunk by chunk by its owner
// (each chunk checked against the certified manifest) and served to the owner and to bearers of
// an access grant the owner created.
#pragma once

#include <QByteArray>
#include <QString>

#include <twinseal/proto/homenet.pb.h>

#include "twinseal/service/service_context.h"

namespace twinseal::service {

class AvatarRepository {
  public:
    explicit AvatarRepository(ServiceContext& context) : m_ctx(context) {}

    struct FileStream {
        QByteArray mediaRoot;
        int fileIndex = 0;
        quint64 size = 0;
        quint64 chunks = 0;
        QString path;
    };

    [[nodiscard]] ServiceResult<proto::AvatarInfo> putChunk(const Caller& caller,
                                                            const QString& avatarId, int file,
                                                            quint64 chunk, const QByteArray& data);
    [[nodiscard]] ServiceResult<proto::AvatarInfo> avatarInfo(const Caller& caller,
                                                              const QString& avatarId);
    [[nodiscard]] ServiceResult<proto::AvatarInfo> avatarInfoByRoot(const Caller& caller,
                                                                    const QByteArray& root);
    // Checks access and completeness; the bytes are then read chunk by chunk with readChunk.
    [[nodiscard]] ServiceResult<FileStream> openFile(const Caller& caller, const QString& avatarId,
                                                     int file);
    [[nodiscard]] ServiceResult<QByteArray> readChunk(const FileStream& f, quint64 chunk);
    [[nodiscard]] ServiceResult<proto::AccessGrant>
    createGrant(const Caller& caller, const QString& avatarId, const proto::GrantRequest& r);

  private:
    // The caller's own avatar, for a change only its owner may make while its DT is active;
    // `unauthenticated` says what needs the owner.
    [[nodiscard]] ServiceResult<DtRecord> ownActiveAvatar(const Caller& caller,
                                                          const QString& avatarId,
                                                          const char* unauthenticated);
    [[nodiscard]] ServiceResult<proto::AvatarInfo> describeAvatar(const DtRecord& dt);
    [[nodiscard]] ServiceStatus checkAvatarAccess(const Caller& caller, const DtRecord& dt);

    ServiceContext& m_ctx;
};

} // namespace twinseal::service
