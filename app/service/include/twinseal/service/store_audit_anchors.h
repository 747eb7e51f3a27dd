// Table `audit_anchors`: per subscriber and activity-log id, the highest checkpoint of the
// client's activity log seen so far (schema version 4; audit_anchor_mirror.h).
#pragma once

#include <QByteArray>
#include <QString>

#include <optional>

#include "twinseal/service/store_database.h"

namespace twinseal::service {

struct AuditAnchorRecord {
    QString supi;
    QString logId;
    quint64 counter = 0;
    QByteArray checkpoint; // the Signed checkpoint envelope
    QByteArray auditKey;   // the serialized proto::PublicKey the first upload pinned
    qint64 updatedAt = 0;
};

class AuditAnchorTable {
  public:
    explicit AuditAnchorTable(Database& db) : m_db(db) {}
    [[nodiscard]] StoreResult<std::optional<AuditAnchorRecord>> anchor(const QString& supi,
                                                                       const QString& logId);
    [[nodiscard]] StoreResult<qint64> countFor(const QString& supi);
    // Inserts or replaces the row of (supi, log id).
    [[nodiscard]] StoreStatus put(const AuditAnchorRecord& r);

  private:
    Database& m_db;
};

} // namespace twinseal::service
