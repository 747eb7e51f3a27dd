#include "twinseal/service/store_disclosures.h"

namespace twinseal::service {

StoreStatus DisclosureTable::insertLawfulDisclosure(const LawfulDisclosureRecord& d) {
    return m_db.exec("INSERT INTO lawful_disclosures (disclosure_id, dt_id, supi, authority,"
                     " case_ref, legal_basis, attributes, disclosed_at)"
                     " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                     {d.disclosureId, d.dtId, d.supi, sql::text(d.authority), sql::text(d.caseRef),
                      sql::text(d.legalBasis), d.attributes.join(QLatin1Char(',')), d.disclosedAt});
}

StoreResult<std::vector<LawfulDisclosureRecord>>
DisclosureTable::lawfulDisclosuresOf(const QString& supi) {
    return m_db.all("SELECT disclosure_id, dt_id, supi, authority, case_ref, legal_basis,"
                    " attributes, disclosed_at FROM lawful_disclosures WHERE supi = ?"
                    " ORDER BY disclosed_at DESC, disclosure_id",
                    {supi}, [](const Row& r) {
                        LawfulDisclosureRecord d;
                        d.disclosureId = r.text(0);
                        d.dtId = r.text(1);
                        d.supi = r.text(2);
                        d.authority = r.text(3);
                        d.caseRef = r.text(4);
                        d.legalBasis = r.text(5);
                        d.attributes = r.text(6).split(QLatin1Char(','), Qt::SkipEmptyParts);
                        d.disclosedAt = r.i64(7);
                        return d;
                    });
}

} // namespace twinseal::service
