// Table `lawful_disclosures`: the lawful disclosures the operator recorded (schema version 3).
#pragma once

#include <vector>

#include "twinseal/service/store_database.h"
#include "twinseal/service/store_records.h"

namespace twinseal::service {

class DisclosureTable {
  public:
    explicit DisclosureTable(Database& db) : m_db(db) {}
    [[nodiscard]] StoreStatus insertLawfulDisclosure(const LawfulDisclosureRecord& d);
    // The disclosures about DTs `supi` owned at the time, newest first.
    [[nodiscard]] StoreResult<std::vector<LawfulDisclosureRecord>>
    lawfulDisclosuresOf(const QString& supi);

  private:
    Database& m_db;
};

} // namespace twinseal::service
