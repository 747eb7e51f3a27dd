// Table `dts`: the digital twins (one active per subscriber, enforced by a unique index).
#pragma once

#include <optional>
#include <vector>

#include "twinseal/service/store_database.h"
#include "twinseal/service/store_records.h"

namespace twinseal::service {

class DtTable {
  public:
    explicit DtTable(Database& db) : m_db(db) {}
    [[nodiscard]] StoreResult<std::optional<DtRecord>> dt(const QString& dtId);
    [[nodiscard]] StoreResult<std::optional<DtRecord>> activeDtOf(const QString& supi);
    [[nodiscard]] StoreResult<std::optional<DtRecord>> dtByAvatar(const QString& avatarId);
    // The DT with this media root among `supi`'s own and the one whose avatar is `avatarId`
    // (an access grant's): several subscribers may certify the same package (one after another's
    // twin was revoked), so a root alone does not name a DT. Active first, then the newest.
    [[nodiscard]] StoreResult<std::optional<DtRecord>>
    dtByMediaRootFor(const QByteArray& root, const QString& supi, const QString& avatarId);
    // An active DT with this media root held by a subscriber other than `supi`, if any: the
    // avatar is that twin's (one active holder per media root: a copied package is not
    // certified to a second subscriber).
    [[nodiscard]] StoreResult<std::optional<DtRecord>>
    activeDtWithMediaRootElsewhere(const QByteArray& root, const QString& supi);
    [[nodiscard]] StoreResult<std::vector<DtRecord>> dtsOf(const QString& supi);
    [[nodiscard]] StoreResult<std::vector<DtRecord>> allDts();
    [[nodiscard]] StoreStatus insertDt(const DtRecord& d);
    // Updates everything but dt_id, avatar_id and created_at (the owner too: a transfer).
    [[nodiscard]] StoreStatus updateDt(const DtRecord& d);

  private:
    Database& m_db;
};

} // namespace twinseal::service
