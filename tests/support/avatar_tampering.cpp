#include "avatar_tampering.h"

#include <QSqlDatabase>
#include <QSqlQuery>

namespace twinseal::test {

int alterAvatarChunk(HomenetServer& server, const security::Digest& mediaRoot) {
    const QByteArray root(reinterpret_cast<const char*>(mediaRoot.data()), static_cast<qsizetype>(mediaRoot.size()));
    int changed = 0;
    const bool reached = server.withDatabase([&](QSqlDatabase& db) {
        QSqlQuery read(db);
        read.prepare(QStringLiteral("SELECT data FROM avatar_chunks WHERE media_root = ? AND file_index = 0 AND chunk_index = 0"));
        read.addBindValue(root);
        if (!read.exec() || !read.next())
            return;
        QByteArray data = read.value(0).toByteArray();
        data[data.size() / 2] = static_cast<char>(data[data.size() / 2] ^ 0x01);
        QSqlQuery write(db);
        write.prepare(QStringLiteral("UPDATE avatar_chunks SET data = ? WHERE media_root = ? AND file_index = 0 AND chunk_index = 0"));
        write.addBindValue(data);
        write.addBindValue(root);
        if (write.exec())
            changed = write.numRowsAffected();
    });
    return reached ? changed : 0;
}

} // namespace twinseal::test
