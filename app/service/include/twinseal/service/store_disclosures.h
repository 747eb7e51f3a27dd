// Tables `lawful_disclosures`: the lawful disclosures the operator recorded (schema version 3),
// and `lawful_disclosure_log`: the statement each one's transparency-log entry commits to and
// from when its owner is shown it (schema version 4).
#pragma once

#include <vector>

#include "twinseal/service/store_database.h"
#include "twinseal/service/store_records.h"

namespace twinseal::service {

class DisclosureTable {
  public:
    explicit DisclosureTable(Database& db) : m_db(db) {}
    // With its commitment row when `d.logged()`.
    [[nodiscard]] StoreStatus insertLawfulDisclosure(const LawfulDisclosureRecord& d);
    // The disclosures about DTs `supi` owned at the time that its owner may see at `now` (those
    // still within their delay are left out), newest first.
    [[nodiscard]] StoreResult<std::vector<LawfulDisclosureRecord>>
    lawfulDisclosuresOf(const QString& supi, qint64 now);

  private:
    Database& m_db;
};

} // namespace twinseal::service
